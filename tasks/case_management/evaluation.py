"""质量评查: a score per closed case from what the pipeline already knows about it.

The rubric is ``data/quality_rubric.yaml``: a case starts at 100 and loses points for
its review points (by severity, capped), the supervision leads on it that a prosecutor
confirmed, the 检察建议 those leads led to that went unanswered or were answered late,
the periods it overran (``deadlines``) or closed only within an extension with no
approval on the card, and a dossier held back by the quality gates. Every deduction
carries its reason, filled from the finding (masked names only).

A case is *closed* on the date of the procuratorate's decision (the latest 起诉书 or
不起诉决定书 on its card), else on its judgment's date; ``evaluate_month`` scores the
cases closed in a calendar month and keeps each result in ``case_evaluations``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, Field

from dossier.db import write_transaction
from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore
from schemas.case_card import CaseCard
from schemas.case_management_tables import CaseEvaluation
from schemas.leads_tables import Lead
from schemas.recommendations_tables import Recommendation, RecommendationLead
from schemas.review_tables import ReviewPointRow
from schemas.tables import Case, Dossier
from tasks.case_management.deadlines import Period, periods
from tasks.case_management.events import card_timeline
from tasks.case_management.monitor import card_timelines, department_for
from tasks.case_management.work_calendar import WorkCalendar
from tasks.stages.stored import load_card

RUBRIC_FILE = Path(__file__).resolve().parent / "data" / "quality_rubric.yaml"
KIND_ZH = {"review": "审查", "conclusion": "结论", "document": "文书"}
CONFIRMED = ("confirmed", "referred")


class Grade(BaseModel):
    grade: str
    min: float


class DeductionRule(BaseModel):
    points: float | dict[str, float]
    reason: str
    cap: float | None = None

    def points_for(self, severity: str | None = None) -> float:
        if isinstance(self.points, dict):
            return float(self.points[severity or ""])
        return float(self.points)


class Rubric(BaseModel):
    version: str
    start: float
    grades: list[Grade]
    deductions: dict[str, DeductionRule]

    def grade(self, score: float) -> str:
        for grade in sorted(self.grades, key=lambda g: -g.min):
            if score >= grade.min:
                return grade.grade
        return self.grades[-1].grade


@lru_cache(maxsize=1)
def rubric() -> Rubric:
    return Rubric.model_validate(yaml.safe_load(RUBRIC_FILE.read_text(encoding="utf-8")))


class Deduction(BaseModel):
    item: str  # the rubric entry: review_point, lead_confirmed …
    points: float
    reason: str
    source: str  # what it rests on: review point rule, lead id, number, period


class CaseScore(BaseModel):
    dossier_id: str
    case_no: str | None
    department: str
    closed: dt.date
    month: str
    score: float
    grade: str
    deductions: list[Deduction] = Field(default_factory=list)
    rubric_version: str


class MonthEvaluation(BaseModel):
    month: str
    rubric_version: str
    cases: list[CaseScore] = Field(default_factory=list)

    def grades(self) -> dict[str, int]:
        return dict(Counter(c.grade for c in self.cases))

    def mean_score(self) -> float | None:
        return round(sum(c.score for c in self.cases) / len(self.cases), 2) if self.cases else None


def closing_date(card: CaseCard) -> dt.date | None:
    timeline = card_timeline(card)
    decisions = timeline.of("prosecution_decision")
    if decisions:
        return decisions[-1].date
    return card.case.judgment_date


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``2026-06`` → (2026-06-01, 2026-07-01)."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ValueError(f"a month is YYYY-MM, not {month!r}") from None
    after = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, after


# --- findings → deductions -----------------------------------------------------------


def _fill(rule: DeductionRule, /, **values: Any) -> str:
    """The reason's template filled (positional-only: a finding's ``rule`` is a value too)."""
    return rule.reason.format(**values)


def review_deductions(connection: sa.Connection, dossier_id: str, r: Rubric) -> list[Deduction]:
    rule = r.deductions["review_point"]
    out, total = [], 0.0
    points = connection.execute(
        sa.select(ReviewPointRow.rule, ReviewPointRow.kind, ReviewPointRow.severity,
                  ReviewPointRow.message)
        .where(ReviewPointRow.dossier_id == dossier_id).order_by(ReviewPointRow.seq))
    for p in points:
        value = rule.points_for(p.severity)
        if rule.cap is not None:
            value = max(0.0, min(value, rule.cap - total))
        total += value
        out.append(Deduction(item="review_point", points=value, source=f"review:{p.rule}",
                             reason=_fill(rule, kind_zh=KIND_ZH.get(p.kind, p.kind),
                                          rule=p.rule, message=p.message)))
    return out


def case_leads(connection: sa.Connection, dossier_id: str, case_no: str | None) -> list[Any]:
    """Leads on the case: by its case number, or naming its dossier in their records."""
    conditions = [sa.cast(Lead.records, sa.Text).like(f"%{dossier_id}%")]
    if case_no:
        conditions.append(Lead.case_no == case_no)
    return list(connection.execute(
        sa.select(Lead.id, Lead.model_id, Lead.status).where(sa.or_(*conditions))
        .order_by(Lead.id)))


def lead_deductions(connection: sa.Connection, leads: list[Any], r: Rubric) -> list[Deduction]:
    from tasks.supervision.registry import all_models

    models = all_models()
    rule = r.deductions["lead_confirmed"]
    out = []
    for lead in leads:
        if lead.status not in CONFIRMED:
            continue
        name = models[lead.model_id].name_zh if lead.model_id in models else lead.model_id
        out.append(Deduction(item="lead_confirmed", points=rule.points_for(),
                             source=f"lead:{lead.id}",
                             reason=_fill(rule, model_name=name, lead_id=lead.id)))
    return out


def recommendation_deductions(connection: sa.Connection, leads: list[Any],
                              r: Rubric) -> list[Deduction]:
    ids = [lead.id for lead in leads if lead.status in CONFIRMED]
    if not ids:
        return []
    rec = Recommendation
    rows = connection.execute(
        sa.select(rec.id, rec.number, rec.status, rec.reply_due_date, rec.replied_date)
        .join(RecommendationLead, RecommendationLead.recommendation_id == rec.id)
        .where(RecommendationLead.lead_id.in_(ids)).distinct().order_by(rec.id))
    out = []
    for row in rows:
        due = row.reply_due_date.isoformat() if row.reply_due_date else "—"
        if row.status == "overdue":
            rule = r.deductions["recommendation_overdue"]
            out.append(Deduction(item="recommendation_overdue", points=rule.points_for(),
                                 source=f"recommendation:{row.number}",
                                 reason=_fill(rule, number=row.number, due=due)))
        elif (row.status == "replied" and row.replied_date and row.reply_due_date
              and row.replied_date > row.reply_due_date):
            rule = r.deductions["recommendation_replied_late"]
            out.append(Deduction(item="recommendation_replied_late", points=rule.points_for(),
                                 source=f"recommendation:{row.number}",
                                 reason=_fill(rule, number=row.number, due=due,
                                              replied=row.replied_date.isoformat())))
    return out


def deadline_deductions(items: list[Period], r: Rubric) -> list[Deduction]:
    out = []
    for p in items:
        label = p.rule_name + (f"（第{p.sequence}次）" if p.sequence > 1 else "")
        if p.status in ("overrun", "overdue"):
            rule = r.deductions["deadline_overrun"]
            last = p.extended_due or p.due
            out.append(Deduction(item="deadline_overrun", points=rule.points_for(),
                                 source=f"period:{p.rule}:{p.sequence}",
                                 reason=_fill(rule, period=label, days_late=p.days_late or 0,
                                              started=p.started.isoformat(),
                                              due=last.isoformat(), basis=p.basis)))
        elif p.status == "met_with_extension" and not any("approval is on the card" in n
                                                          for n in p.notes):
            rule = r.deductions["deadline_extension_unrecorded"]
            out.append(Deduction(item="deadline_extension_unrecorded", points=rule.points_for(),
                                 source=f"period:{p.rule}:{p.sequence}",
                                 reason=_fill(rule, period=label,
                                              done=p.done.isoformat() if p.done else "—")))
    return out


def score_case(connection: sa.Connection, card: CaseCard, items: list[Period],
               review_state: str, dossier_reason: str | None, closed: dt.date,
               settings: Settings | None = None, r: Rubric | None = None) -> CaseScore:
    r = r or rubric()
    dossier_id, case = card.dossier_id, card.case
    leads = case_leads(connection, dossier_id, case.case_no)
    deductions = [*review_deductions(connection, dossier_id, r),
                  *lead_deductions(connection, leads, r),
                  *recommendation_deductions(connection, leads, r),
                  *deadline_deductions(items, r)]
    if review_state == "held":
        rule = r.deductions["held_for_review"]
        deductions.append(Deduction(item="held_for_review", points=rule.points_for(),
                                    source="dossier:held",
                                    reason=_fill(rule, reason=dossier_reason or "—")))
    score = max(0.0, r.start - sum(d.points for d in deductions))
    return CaseScore(dossier_id=dossier_id, case_no=case.case_no,
                     department=department_for(case.charges, settings), closed=closed,
                     month=closed.strftime("%Y-%m"), score=round(score, 2), grade=r.grade(score),
                     deductions=deductions, rubric_version=r.version)


def evaluate_month(engine: sa.Engine, store: ObjectStore, month: str, *,
                   as_of: dt.date | None = None, persist: bool = True,
                   settings: Settings | None = None,
                   calendar: WorkCalendar | None = None) -> MonthEvaluation:
    """Score every dossier case closed in ``month``; keep the scores unless ``persist`` is off."""
    first, after = month_bounds(month)
    as_of = as_of or dt.date.today()
    settings = settings or get_settings()
    r = rubric()
    result = MonthEvaluation(month=month, rubric_version=r.version)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(Case.dossier_id, Case.review_state, Dossier.reason)
            .join(Dossier, Dossier.dossier_id == Case.dossier_id)
            .where(Case.source == "dossier").order_by(Case.dossier_id)).all()
        states = {row.dossier_id: row for row in rows}
        timelines, _ = card_timelines(connection, store, list(states))
        by_id = {t.subject: t for t in timelines}
        for dossier_id, row in states.items():
            card = load_card(store, dossier_id)
            closed = closing_date(card) if card is not None else None
            if card is None or closed is None or not first <= closed < after:
                continue
            items = periods(by_id[dossier_id], as_of, calendar) if dossier_id in by_id else []
            result.cases.append(score_case(connection, card, items, row.review_state,
                                           row.reason, closed, settings, r))
    if persist:
        save_scores(engine, result)
    return result


def save_scores(engine: sa.Engine, result: MonthEvaluation) -> None:
    with write_transaction(engine) as connection:
        for case in result.cases:
            connection.execute(sa.delete(CaseEvaluation)
                               .where(CaseEvaluation.dossier_id == case.dossier_id))
            connection.execute(sa.insert(CaseEvaluation).values(
                dossier_id=case.dossier_id, month=case.month, closed_date=case.closed,
                score=case.score, grade=case.grade, rubric_version=case.rubric_version,
                deductions=[d.model_dump() for d in case.deductions]))


def previous_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")

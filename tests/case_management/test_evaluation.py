"""质量评查: the rubric over a month's closed cases, each deduction with its reason.

Three cases close in May 2026 and one in April, on a SQLite library and a local store:

* A — every kind of deduction: four high review points (capped at 30), a supervision
  lead on its case number confirmed (−8) whose 检察建议 went unanswered past its due
  date (−3), its 审查起诉 decided 33 days after the latest lawful day (−10), and the
  dossier held by the quality gates (−5): 44, 不合格.
* B — decided within the month: 100, 优质.
* D — decided inside the 15-day extension with no approval on the card (−2): 98. Its
  period ends on a Sunday and, the suspect not being held, moves to Monday.
* C — closed in April: not scored for May.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from recommendations.helpers import clear, confirm, plant
from typer.testing import CliRunner

from dossier import db
from dossier.cli import app
from dossier.settings import get_settings, reset_settings
from dossier.store import get_store
from dossier.store.keys import case_card_key
from schemas.case_card import Case, CaseCard, CoerciveMeasure, DocumentRef, Person
from schemas.case_management_tables import CaseEvaluation
from schemas.review_tables import ReviewPointRow
from tasks.case_management.evaluation import evaluate_month, month_bounds, rubric
from tasks.case_management.figures import build_figures
from tasks.library.load import load_case_card, register_dossier
from tasks.recommendations.follow_up import mark_overdue
from tasks.recommendations.issue import issue_recommendations
from tasks.supervision.registry import all_models

D = dt.date
AS_OF = D(2026, 6, 30)
CASE_A = "(2026)示0101刑初1号"  # the case number recommendations.helpers.plant gives lead 1


def _doc(kind: str, day: dt.date) -> DocumentRef:
    return DocumentRef(type=kind, title=kind, pages=(1, 1), confidence=0.9, date=day)


def _card(dossier_id: str, case_no: str, transferred: dt.date, decided: dt.date,
          detained: dt.date | None = None) -> CaseCard:
    measures = [CoerciveMeasure(person="赵六", kind="刑事拘留", date=detained)] if detained else []
    return CaseCard(dossier_id=dossier_id, documents=[_doc("起诉意见书", transferred),
                                                      _doc("起诉书", decided)],
                    case=Case(case_no=case_no, charges=["盗窃罪"],
                              persons=[Person(name="赵六", role="犯罪嫌疑人")],
                              coercive_measures=measures))


def _put(card: CaseCard, state: str = "trusted", reason: str | None = None) -> None:
    url = get_settings().database_url
    get_store().put_json(case_card_key(card.dossier_id), card.model_dump(mode="json"))
    with db.session_scope(url) as session:
        register_dossier(session, dossier_id=card.dossier_id, sha256=card.dossier_id * 2,
                         filename="x.pdf", size=1,
                         status="ok" if state == "trusted" else "needs_review", reason=reason)
        load_case_card(session, card, state)  # type: ignore[arg-type]


@pytest.fixture
def library(migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    """The cases on SQLite and on the real PostgreSQL (a schema of the test database)."""
    monkeypatch.setenv("DOSSIER_DATABASE_URL", migrated_url)
    reset_settings()
    engine = clear(migrated_url)
    _put(_card("d00000000000000a", CASE_A, D(2026, 3, 2), D(2026, 5, 20), D(2026, 2, 20)),
         "held", "critical quality checks failed: page_text")
    _put(_card("d00000000000000b", "(2026)示0101刑初900号", D(2026, 4, 25), D(2026, 5, 12)))
    _put(_card("d00000000000000c", "(2026)示0101刑初901号", D(2026, 3, 1), D(2026, 4, 1)))
    _put(_card("d00000000000000d", "(2026)示0101刑初902号", D(2026, 4, 10), D(2026, 5, 20)))
    with engine.begin() as connection:
        connection.execute(sa.insert(ReviewPointRow), [
            {"dossier_id": "d00000000000000a", "seq": n, "rule": f"rule_{n}", "kind": "review",
             "severity": "high", "message": f"要点{n}", "basis": "刑法", "rules_version": "t"}
            for n in range(4)])
    (lead,) = plant(engine, "fine_missing", 1, start=1)
    confirm(engine, [lead])
    issue_recommendations(engine, get_store(), issued_on=D(2026, 1, 5))
    assert mark_overdue(engine, AS_OF)
    return engine


def test_each_deduction_of_the_rubric_with_its_reason(library: sa.Engine) -> None:
    with library.connect() as connection:
        lead = connection.scalar(sa.text("SELECT id FROM leads"))
    result = evaluate_month(library, get_store(), "2026-05", as_of=AS_OF)
    scores = {c.dossier_id: c for c in result.cases}
    assert set(scores) == {"d00000000000000a", "d00000000000000b", "d00000000000000d"}

    a = scores["d00000000000000a"]
    by_item: dict[str, list[float]] = {}
    for d in a.deductions:
        by_item.setdefault(d.item, []).append(d.points)
    assert by_item == {"review_point": [10, 10, 10, 0], "lead_confirmed": [8],
                       "recommendation_overdue": [3], "deadline_overrun": [10],
                       "held_for_review": [5]}
    assert (a.score, a.grade) == (44, "不合格")
    reasons = {d.item: d.reason for d in reversed(a.deductions)}  # the first of each item
    assert reasons["review_point"] == "审查要点（审查·rule_0）：要点0"
    assert reasons["deadline_overrun"].startswith(
        "审查起诉超期33日（起算2026-03-02，应于2026-04-17前")
    model = all_models()["fine_missing"].name_zh
    assert reasons["lead_confirmed"] == f"监督线索经审查属实：{model}（线索 {lead}）"
    assert "逾期未回复" in reasons["recommendation_overdue"]
    assert "page_text" in reasons["held_for_review"]

    b, d = scores["d00000000000000b"], scores["d00000000000000d"]
    assert (b.score, b.grade, b.deductions) == (100, "优质", [])
    (late,) = d.deductions
    assert late.item == "deadline_extension_unrecorded" and "2026-05-20" in late.reason
    assert (d.score, d.grade) == (98, "优质")
    assert result.grades() == {"不合格": 1, "优质": 2}
    assert result.rubric_version == rubric().version


def test_scores_are_kept_once_per_case(library: sa.Engine) -> None:
    evaluate_month(library, get_store(), "2026-05", as_of=AS_OF)
    evaluate_month(library, get_store(), "2026-05", as_of=AS_OF)
    with library.connect() as connection:
        rows = connection.execute(sa.select(CaseEvaluation.dossier_id, CaseEvaluation.score,
                                            CaseEvaluation.month)).all()
    assert sorted(rows) == [("d00000000000000a", 44, "2026-05"),
                            ("d00000000000000b", 100, "2026-05"),
                            ("d00000000000000d", 98, "2026-05")]
    assert evaluate_month(library, get_store(), "2026-04", as_of=AS_OF,
                          persist=False).cases[0].dossier_id == "d00000000000000c"


def test_the_command_prints_the_scores_as_json(library: sa.Engine, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate-quality", "--month", "2026-05", "--as-of",
                                      AS_OF.isoformat(), "--json", "--dry-run"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["grades"] == {"不合格": 1, "优质": 2} and data["mean_score"] == 80.67
    with library.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(CaseEvaluation)) == 0
    reset_settings()


def test_the_report_figures_of_the_same_library(library: sa.Engine) -> None:
    """The report's queries on both databases: the overdue 检察建议, the open period."""
    figures = build_figures(library, get_store(), AS_OF)
    (month,) = figures.recommendations
    assert (month["month"], month["issued"], month["overdue"], month["reply_rate"]) == (
        "2026-01", 1, 1, 0.0)
    (lead,) = figures.leads
    assert (lead["model"], lead["confirmed"], lead["confirmation_rate"]) == ("fine_missing", 1,
                                                                             1.0)
    assert figures.totals["cases"] == 4
    assert {(r["stage"], r["status"]): r["periods"] for r in figures.deadline_status} == {
        ("审查起诉", "overrun"): 1, ("审查起诉", "met"): 2, ("审查起诉", "met_with_extension"): 1}


def test_months_are_calendar_months() -> None:
    assert month_bounds("2026-12") == (D(2026, 12, 1), D(2027, 1, 1))
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_bounds("2026/05")

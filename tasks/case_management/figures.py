"""数据研判: the analysis report's figures, as aggregates over the library and the feeds.

Every figure is a list of rows of counts, rates and durations by month, stage, model
or outcome — never a case number, a name or an ID number, so the JSON can go to any
other tool and the HTML to anyone who may see the office's statistics:

* ``charges`` — cases received per month and charge (the month of the card's first
  起诉意见书, else the day the dossier was taken in). Charges beyond the eight most
  frequent are summed as 其他.
* ``stage_durations`` — days from start to decision of each procedural period
  (``deadlines``: 审查逮捕, 审查起诉, 退回补充侦查) that ended, per stage: count, median,
  90th percentile, longest, and the statutory period for comparison.
* ``deadline_status`` — periods per stage and status (met, overrun, open …).
* ``leads`` — per supervision model: leads found, decided, confirmed, dismissed,
  pending, and the confirmation rate (confirmed or referred / decided).
* ``recommendations`` — 检察建议 per month of issue: issued, replied, replied on time,
  overdue, the reply rate and the on-time rate, median days to reply.
* ``intake`` — uploads per month by outcome (accepted, duplicate, rejected) and the
  duplicate and quarantine rates; ``rejections`` counts the reason codes.
* ``workload`` — only when ``Settings.report_workload`` is on: per reviewer (the
  actor recorded on lead decisions) the decisions made and the median days from a
  lead's first sighting to its decision. Off, the list is empty and no person is named.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field

from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore
from schemas.case_management_tables import IntakeEvent
from schemas.leads_tables import Lead, LeadHistory
from schemas.recommendations_tables import Recommendation
from schemas.tables import Dossier
from tasks.case_management.deadlines import Period, periods
from tasks.case_management.events import Timeline
from tasks.case_management.monitor import card_timelines, feed_only_timelines
from tasks.case_management.rules import deadline_rules
from tasks.case_management.work_calendar import WorkCalendar
from tasks.recommendations.dates import TIMEZONE

TOP_CHARGES = 8
OTHER = "其他"
DECIDED = ("confirmed", "dismissed", "referred")
CONFIRMED = ("confirmed", "referred")
REVIEWED = ("confirmed", "dismissed")  # a reviewer's decision (referred: the issue step's)


class Figures(BaseModel):
    """The report's data: what the charts draw, and what ``--json`` writes."""

    as_of: dt.date
    generated_at: dt.datetime
    totals: dict[str, int] = Field(default_factory=dict)
    charges: list[dict[str, Any]] = Field(default_factory=list)
    stage_durations: list[dict[str, Any]] = Field(default_factory=list)
    deadline_status: list[dict[str, Any]] = Field(default_factory=list)
    leads: list[dict[str, Any]] = Field(default_factory=list)
    recommendations: list[dict[str, Any]] = Field(default_factory=list)
    intake: list[dict[str, Any]] = Field(default_factory=list)
    rejections: list[dict[str, Any]] = Field(default_factory=list)
    workload: list[dict[str, Any]] = Field(default_factory=list)
    workload_shown: bool = False

    def is_empty(self) -> bool:
        return not any(self.totals.values())


def _local(at: dt.datetime) -> dt.datetime:
    """A stored instant in the procuratorate's time zone (SQLite keeps it naive: as is)."""
    return at.astimezone(TIMEZONE) if at.tzinfo else at


def _month(day: dt.date | dt.datetime) -> str:
    return (_local(day) if isinstance(day, dt.datetime) else day).strftime("%Y-%m")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: a day count that occurred, not an interpolated one."""
    ordered = sorted(values)
    rank = max(1, -(-int(q * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def received_on(timeline: Timeline, intake_day: dt.date | None) -> dt.date | None:
    transfers = timeline.of("prosecution_transfer")
    return transfers[0].date if transfers else intake_day


def charge_rows(timelines: Iterable[Timeline], intake_days: dict[str, dt.date]) -> list[dict]:
    per: Counter[tuple[str, str]] = Counter()
    for timeline in timelines:
        day = received_on(timeline, intake_days.get(timeline.subject))
        if day is None:
            continue
        for charge in timeline.charges or ["（未载明）"]:
            per[(_month(day), charge)] += 1
    totals: Counter[str] = Counter()
    for (_, charge), n in per.items():
        totals[charge] += n
    top = {c for c, _ in totals.most_common(TOP_CHARGES)}
    out: Counter[tuple[str, str]] = Counter()
    for (month, charge), n in per.items():
        out[(month, charge if charge in top else OTHER)] += n
    return [{"month": m, "charge": c, "cases": n} for (m, c), n in sorted(out.items())]


def _statutory_days(rule_id: str) -> int:
    period = deadline_rules().rule(rule_id).period
    return period.days + 30 * period.months  # for the chart's reference mark only


def duration_rows(items: Sequence[Period]) -> list[dict[str, Any]]:
    days: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p in items:
        if p.done is not None:
            days[(p.rule, p.rule_name)].append((p.done - p.started).days)
    return [{"stage": name, "rule": rule, "periods": len(values),
             "median_days": statistics.median(values), "p90_days": _percentile(values, 0.9),
             "max_days": max(values), "statutory_days": _statutory_days(rule)}
            for (rule, name), values in sorted(days.items())]


def status_rows(items: Sequence[Period]) -> list[dict[str, Any]]:
    counts = Counter((p.rule_name, p.status) for p in items)
    return [{"stage": s, "status": st, "periods": n} for (s, st), n in sorted(counts.items())]


def lead_rows(connection: sa.Connection) -> list[dict[str, Any]]:
    from tasks.supervision.registry import all_models

    models = all_models()
    rows = connection.execute(sa.select(Lead.model_id, Lead.status, sa.func.count())
                              .group_by(Lead.model_id, Lead.status))
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for model_id, status, n in rows:
        per[model_id][status] += n
    out = []
    for model_id, counts in sorted(per.items()):
        decided = sum(counts[s] for s in DECIDED)
        confirmed = sum(counts[s] for s in CONFIRMED)
        model = models.get(model_id)
        out.append({"model": model_id, "model_name": model.name_zh if model else model_id,
                    "leads": sum(counts.values()), "decided": decided, "confirmed": confirmed,
                    "dismissed": counts["dismissed"], "pending": sum(counts.values()) - decided,
                    "confirmation_rate": _rate(confirmed, decided)})
    return out


def recommendation_rows(connection: sa.Connection, as_of: dt.date) -> list[dict[str, Any]]:
    r = Recommendation
    rows = connection.execute(sa.select(r.status, r.issued_date, r.reply_due_date,
                                        r.replied_date).where(r.issued_date.is_not(None)))
    per: dict[str, dict[str, Any]] = {}
    for row in rows:
        m = per.setdefault(_month(row.issued_date), {"issued": 0, "replied": 0, "on_time": 0,
                                                     "overdue": 0, "days": []})
        m["issued"] += 1
        if row.replied_date is not None:
            m["replied"] += 1
            m["days"].append((row.replied_date - row.issued_date).days)
            if row.reply_due_date is None or row.replied_date <= row.reply_due_date:
                m["on_time"] += 1
        elif row.status == "overdue" or (row.reply_due_date and row.reply_due_date < as_of):
            m["overdue"] += 1
    return [{"month": month, "issued": m["issued"], "replied": m["replied"],
             "replied_on_time": m["on_time"], "overdue": m["overdue"],
             "awaiting": m["issued"] - m["replied"] - m["overdue"],
             "reply_rate": _rate(m["replied"], m["issued"]),
             "on_time_rate": _rate(m["on_time"], m["replied"]),
             "median_days_to_reply": statistics.median(m["days"]) if m["days"] else None}
            for month, m in sorted(per.items())]


def intake_rows(connection: sa.Connection) -> tuple[list[dict], list[dict]]:
    e = IntakeEvent
    per: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    for at, outcome, reason in connection.execute(sa.select(e.at, e.outcome, e.reason)):
        per[_month(at)][outcome] += 1
        if outcome == "rejected":
            reasons[reason or "unknown"] += 1
    rows = []
    for month, c in sorted(per.items()):
        total = sum(c.values())
        rows.append({"month": month, "uploads": total, "accepted": c["accepted"],
                     "duplicate": c["duplicate"], "rejected": c["rejected"],
                     "duplicate_rate": _rate(c["duplicate"], total),
                     "quarantine_rate": _rate(c["rejected"], total)})
    return rows, [{"reason": k, "uploads": n} for k, n in reasons.most_common()]


def workload_rows(connection: sa.Connection) -> list[dict[str, Any]]:
    """Decisions per reviewer, and days from a lead's first sighting to the decision."""
    h = LeadHistory
    rows = connection.execute(
        sa.select(h.actor, h.at, Lead.first_seen_at)
        .join(Lead, Lead.id == h.lead_id)
        .where(h.event == "status", h.to_status.in_(REVIEWED), h.actor.is_not(None)))
    per: dict[str, list[float]] = defaultdict(list)
    for actor, at, first_seen in rows:
        per[actor].append(max(0.0, (at - first_seen).total_seconds() / 86400))
    return [{"reviewer": actor, "decisions": len(days),
             "median_days_to_decide": round(statistics.median(days), 1)}
            for actor, days in sorted(per.items())]


def intake_days(connection: sa.Connection, ids: Sequence[str]) -> dict[str, dt.date]:
    rows = connection.execute(sa.select(Dossier.dossier_id, Dossier.created_at)
                              .where(Dossier.dossier_id.in_(list(ids))))
    return {i: _local(at).date() for i, at in rows if at is not None}


def build_figures(engine: sa.Engine, store: ObjectStore, as_of: dt.date, *,
                  settings: Settings | None = None,
                  calendar: WorkCalendar | None = None) -> Figures:
    settings = settings or get_settings()
    calendar = calendar or WorkCalendar()
    with engine.connect() as connection:
        timelines, keys = card_timelines(connection, store)
        received = intake_days(connection, [t.subject for t in timelines])
        timelines += feed_only_timelines(connection, keys)
        leads = lead_rows(connection)
        recommendations = recommendation_rows(connection, as_of)
        intake, rejections = intake_rows(connection)
        workload = workload_rows(connection) if settings.report_workload else []
    items = [p for t in timelines for p in periods(t, as_of, calendar)]
    own = [t for t in timelines if t.source == "card"]
    return Figures(
        as_of=as_of, generated_at=dt.datetime.now(dt.UTC),
        totals={"cases": len(own), "feed_cases": len(timelines) - len(own),
                "periods": len(items), "leads": sum(r["leads"] for r in leads),
                "recommendations": sum(r["issued"] for r in recommendations),
                "uploads": sum(r["uploads"] for r in intake)},
        charges=charge_rows(own, received), stage_durations=duration_rows(items),
        deadline_status=status_rows(items), leads=leads, recommendations=recommendations,
        intake=intake, rejections=rejections, workload=workload,
        workload_shown=settings.report_workload,
    )

"""What a reviewer sees of a lead: masked, with the version it is shown at.

Explanations are stored masked by the models (no names, ID numbers only masked);
:func:`lead_view` masks again anything ID-number-shaped, so a view is safe for a
Prefect artifact, a form and a terminal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

import sqlalchemy as sa
from pydantic import BaseModel

from dossier.privacy import mask_text
from schemas.leads_tables import LEAD_STATUSES, Lead, LeadHistory

PENDING = ("new", "under_review")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


class LeadView(BaseModel):
    id: int
    version: int
    status: str
    model_id: str
    model_name: str
    severity: str
    case_no: str | None
    agency: str | None
    records: list[str]
    explanation: str
    as_of: dt.date
    first_seen_at: dt.datetime | None = None

    def headline(self) -> str:
        """One line: 线索 12 v1 · 应并处罚金未判处 · (2024)京0105刑初123号."""
        where = self.case_no or ", ".join(self.records[:2])
        return f"线索 {self.id} v{self.version} · {self.model_name} · {where}"


class HistoryEntry(BaseModel):
    event: str
    version: int
    from_status: str | None
    to_status: str | None
    actor: str | None
    note: str | None
    run_id: str | None
    at: dt.datetime


@lru_cache(maxsize=1)
def model_names() -> dict[str, str]:
    from tasks.supervision.registry import all_models

    return {m.id: m.name_zh for m in all_models().values()}


def lead_view(row: Lead | sa.RowMapping) -> LeadView:
    get = row.__getitem__ if isinstance(row, sa.RowMapping) else lambda k: getattr(row, k)
    model_id = get("model_id")
    return LeadView(
        id=get("id"), version=get("version"), status=get("status"), model_id=model_id,
        model_name=model_names().get(model_id, model_id), severity=get("severity"),
        case_no=get("case_no"), agency=get("agency"), records=list(get("records") or []),
        explanation=mask_text(get("explanation")), as_of=get("as_of"),
        first_seen_at=get("first_seen_at"),
    )


def statuses_for(status: str) -> tuple[str, ...]:
    """``pending`` (new and under_review), ``all``, or one status."""
    if status == "pending":
        return PENDING
    if status == "all":
        return LEAD_STATUSES
    if status not in LEAD_STATUSES:
        raise ValueError(f"status {status!r}: pending, all or one of {', '.join(LEAD_STATUSES)}")
    return (status,)


def list_leads(
    connection: sa.Connection,
    status: str = "pending",
    model_ids: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[LeadView]:
    """Leads in ``status``, most severe first, then oldest first (the review order)."""
    severity = sa.case(SEVERITY_ORDER, value=Lead.severity, else_=len(SEVERITY_ORDER))
    query = (sa.select(Lead.__table__).where(Lead.status.in_(statuses_for(status)))
             .order_by(severity, Lead.id))
    if model_ids:
        query = query.where(Lead.model_id.in_(list(model_ids)))
    if limit:
        query = query.limit(limit)
    return [lead_view(row) for row in connection.execute(query).mappings()]


def get_lead(connection: sa.Connection, lead_id: int) -> LeadView | None:
    row = connection.execute(
        sa.select(Lead.__table__).where(Lead.id == lead_id)).mappings().one_or_none()
    return None if row is None else lead_view(row)


def lead_history(connection: sa.Connection, lead_id: int) -> list[HistoryEntry]:
    rows = connection.execute(
        sa.select(LeadHistory.__table__).where(LeadHistory.lead_id == lead_id)
        .order_by(LeadHistory.id)).mappings()
    return [HistoryEntry.model_validate(dict(r)) for r in rows]

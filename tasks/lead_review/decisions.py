"""A reviewer's decision on a lead: confirm or dismiss, audited, never on a stale version.

Every decision names the lead's version the reviewer saw. In one transaction the
lead row is locked (``SELECT … FOR UPDATE`` on PostgreSQL, the write lock on
SQLite), its version and status are checked, and the status moves through
``tasks.supervision.leads.set_status`` (the one way a lead's status changes: its
history row records who, when, why and at which version). A lead whose content
changed since it was shown has a higher version: the decision is refused as
``stale`` and the lead stays pending, to be shown and decided again. A lead
already decided (by another reviewer, another session) is refused as
``not_pending``. A ``new`` lead passes through ``under_review`` on its way, as the
status rules require; both steps are in the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel

from dossier.db import write_transaction
from schemas.leads_tables import Lead
from tasks.lead_review.leads import PENDING
from tasks.supervision.leads import set_status

Decision = Literal["confirm", "dismiss"]
DECIDED_STATUS: dict[str, str] = {"confirm": "confirmed", "dismiss": "dismissed"}
Outcome = Literal["decided", "stale", "not_pending", "missing", "no_note"]


class DecisionRequest(BaseModel):
    lead_id: int
    decision: Decision
    version: int | None = None  # the version shown; None: whatever is current now
    note: str


class DecisionResult(BaseModel):
    lead_id: int
    decision: Decision
    outcome: Outcome
    version: int | None  # the lead's version when decided (or found)
    status: str | None  # the lead's status afterwards
    message: str


def decide(
    engine: sa.Engine, request: DecisionRequest, *, actor: str
) -> DecisionResult:
    """Apply one decision in its own transaction (one refusal never blocks the others)."""
    note = request.note.strip()
    if not note:
        return _result(request, "no_note", None, None, "a decision needs a note (why)")
    with write_transaction(engine) as connection:
        row = connection.execute(
            sa.select(Lead.id, Lead.version, Lead.status).where(Lead.id == request.lead_id)
            .with_for_update()).one_or_none()
        if row is None:
            return _result(request, "missing", None, None, "no such lead")
        if request.version is not None and row.version != request.version:
            return _result(request, "stale", row.version, row.status,
                           f"changed since shown (v{request.version} → v{row.version}); "
                           "show it again and decide on the current version")
        if row.status not in PENDING:
            return _result(request, "not_pending", row.version, row.status,
                           f"already {row.status}")
        if row.status == "new":
            set_status(connection, row.id, "under_review", actor=actor,
                       note=f"taken up for a decision at v{row.version}")
        target = DECIDED_STATUS[request.decision]
        set_status(connection, row.id, target, actor=actor, note=note)
    return _result(request, "decided", row.version, target, f"{target} at v{row.version}")


def decide_all(
    engine: sa.Engine, requests: Iterable[DecisionRequest], *, actor: str
) -> list[DecisionResult]:
    return [decide(engine, request, actor=actor) for request in requests]


def take_up(engine: sa.Engine, lead_ids: Iterable[int], *, actor: str, note: str) -> None:
    """``new`` → ``under_review`` for leads shown to a reviewer (others are left alone)."""
    for lead_id in lead_ids:
        with write_transaction(engine) as connection:
            status = connection.scalar(
                sa.select(Lead.status).where(Lead.id == lead_id).with_for_update())
            if status == "new":
                set_status(connection, lead_id, "under_review", actor=actor, note=note)


def _result(request: DecisionRequest, outcome: Outcome, version: int | None,
            status: str | None, message: str) -> DecisionResult:
    return DecisionResult(lead_id=request.lead_id, decision=request.decision, outcome=outcome,
                          version=version, status=status, message=message)

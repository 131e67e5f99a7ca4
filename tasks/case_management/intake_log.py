"""One ``intake_events`` row per upload taken in: accepted, duplicate or rejected.

Called by the ingest flow's retrieve task right after the dossier row is registered,
so every upload — the first delivery, a second one of the same bytes, a refused one —
counts once. The report's intake rates (duplicates, quarantine) are read from here.
"""

from __future__ import annotations

import sqlalchemy as sa

from dossier.db import ensure_schema, get_engine
from schemas.case_management_tables import IntakeEvent
from tasks.stages.intake import IntakeOutcome


def record_intake(outcome: IntakeOutcome, flow_run_id: str | None,
                  engine: sa.Engine | None = None) -> None:
    if outcome.dossier_id is None:
        return  # refused before its bytes were read: nothing to count it by
    if engine is None:
        ensure_schema()
        engine = get_engine()
    reason = (outcome.reason or "")[:32] if outcome.status == "rejected" else ""
    with engine.begin() as connection:
        connection.execute(sa.insert(IntakeEvent).values(
            dossier_id=outcome.dossier_id, outcome=outcome.status, reason=reason or None,
            flow_run_id=flow_run_id))

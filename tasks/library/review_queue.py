"""The review queue (待复核): dossiers held back from the trusted library, with reasons.

A dossier lands here when a page failed or a critical quality check failed; its
case rows exist but are ``held``. The queue reads both, so a reviewer sees at a
glance why each one waits.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from schemas.tables import Case, Dossier
from tasks.intake.rejection import masked_filename


class HeldDossier(BaseModel):
    dossier_id: str
    filename_masked: str
    status: str
    reason: str | None
    critical_checks: list[str]
    case_no: str | None
    updated_at: dt.datetime | None


def review_queue(session: Session, *, include_rejected: bool = False) -> list[HeldDossier]:
    """Held dossiers, oldest first (the longest waiting is the first to review)."""
    statuses = ["needs_review", "rejected"] if include_rejected else ["needs_review"]
    rows = session.execute(
        sa.select(Dossier, Case)
        .outerjoin(Case, Case.dossier_id == Dossier.dossier_id)
        .where(sa.or_(Dossier.status.in_(statuses), Case.review_state == "held"))
        .order_by(Dossier.updated_at, Dossier.dossier_id)
    ).all()
    queue = []
    for dossier, case in rows:
        failures = ((case.quality or {}).get("failures") or []) if case is not None else []
        queue.append(HeldDossier(
            dossier_id=dossier.dossier_id,
            filename_masked=masked_filename(dossier.filename),
            status=dossier.status,
            reason=dossier.reason,
            critical_checks=sorted({f.get("check", "?") for f in failures
                                    if f.get("severity") == "critical"}),
            case_no=case.case_no if case is not None else None,
            updated_at=dossier.updated_at,
        ))
    return queue

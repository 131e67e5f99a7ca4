"""Review stage (案件审查): the review points of one dossier, ``review/<id>.json``.

A plain function of the stage contract: reads the case card ``nlp/<id>/case.json`` from
the store by id, runs every registered rule (``tasks.review``), writes its one output
key, and — with a database session — replaces the dossier's rows in ``review_points``.
It skips when the stored report was made from the same card by the same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy.orm import Session

from dossier.store.base import ObjectStore
from dossier.store.keys import case_card_key, review_key
from schemas.case_card import CaseCard
from schemas.review import ReviewReport
from tasks.stages.contract import Stage, StageResult

__all__ = ["review_dossier", "save_review_points"]


def _card_sha256(raw: object) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def review_dossier(
    store: ObjectStore,
    dossier_id: str,
    settings: object | None = None,
    *,
    session: Session | None = None,
    as_of: dt.date | None = None,
) -> ReviewReport:
    """Review the dossier's case card; write ``review/<id>.json`` (and its rows when a
    ``session`` is given). ``settings`` is the stage contract's; the rules need none."""
    from tasks.review.engine import review_card
    from tasks.review.registry import rules_version

    raw = store.get_json(case_card_key(dossier_id))
    card_hash = _card_sha256(raw)
    key = review_key(dossier_id)
    if store.exists(key):
        stored = store.get_json(key)
        if (
            isinstance(stored, dict)
            and stored.get("card_sha256") == card_hash
            and stored.get("rules_version") == rules_version()
            and as_of is None
        ):
            report = ReviewReport.model_validate(
                {k: v for k, v in stored.items() if k != "card_sha256"}
            )
            if session is not None:
                save_review_points(session, report)
            return report
    report = review_card(CaseCard.model_validate(raw), as_of=as_of)
    store.put_json(key, {**report.model_dump(mode="json"), "card_sha256": card_hash})
    if session is not None:
        save_review_points(session, report)
    return report


def save_review_points(session: Session, report: ReviewReport) -> int:
    """Replace the dossier's rows in ``review_points`` with the report's points."""
    import sqlalchemy as sa

    from schemas.review_tables import ReviewPointRow

    session.execute(sa.delete(ReviewPointRow).where(ReviewPointRow.dossier_id == report.dossier_id))
    session.add_all(
        ReviewPointRow(
            dossier_id=report.dossier_id, seq=i, rule=p.rule, kind=p.kind, severity=p.severity,
            person=p.person, charge=p.charge, message=p.message, basis=p.basis,
            rules_version=report.rules_version,
        )
        for i, p in enumerate(report.points)
    )
    session.flush()
    return len(report.points)


def review_by_id(ctx) -> StageResult:
    """The stage contract's run: review the stored card, rows into ``review_points``."""
    from dossier.db import session_scope

    with session_scope() as session:
        report = review_dossier(ctx.store, ctx.dossier_id, ctx.settings, session=session)
    counts = report.by_kind()
    return StageResult(note=", ".join(f"{k} {n}" for k, n in counts.items()))


STAGE = Stage(
    name="review",
    description="review, conclusion and document rules over the case card (review/)",
    code=("tasks.stages.review", "tasks.review", "tasks.law", "tasks.nlp.evidence",
          "tasks/nlp/data/evidence_kinds.yaml", "tasks/nlp/data/document_elements.yaml",
          "schemas.review", "schemas.review_tables", "schemas.case_card"),
    inputs=lambda ctx: [case_card_key(ctx.dossier_id)],
    outputs=lambda ctx: [review_key(ctx.dossier_id)],
    run=review_by_id,
)

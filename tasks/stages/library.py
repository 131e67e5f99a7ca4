"""Load stage: the dossier's outcome into the SQL library, and the routing rule.

Routing (分流): a dossier with a failed page or a critical quality failure is
``needs_review``; its case is loaded but ``held`` — kept out of the trusted
library until a reviewer clears it. Warnings load as ``trusted`` with their flags.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa

from dossier.db import ensure_schema, session_scope
from dossier.store import get_store
from dossier.store.keys import case_card_key, documents_key, validation_key
from schemas.case_card import CaseCard
from schemas.manifest import DossierStatus, Manifest, StageRecord
from schemas.ocr import PageOcr
from schemas.tables import Case, Dossier
from tasks.intake.rejection import masked_filename
from tasks.library.load import (
    card_sha256,
    load_case_card,
    record_pages,
    record_stage_lineage,
    register_dossier,
    set_dossier_status,
)
from tasks.library.texts import index_dossier_texts
from tasks.quality.report import QualityReport
from tasks.stages.contract import RECORD_KEEPERS, Stage, StageContext, StageResult
from tasks.stages.intake import IntakeOutcome
from tasks.stages.stored import load_card, load_pages, load_report, page_count_of, page_keys


def route(
    pages: Sequence[PageOcr], report: QualityReport | None, errors: Sequence[str] = ()
) -> tuple[DossierStatus, str | None]:
    """``errors`` are stages that failed outright (a bug or an outage): review, not loss."""
    failed = [p.page for p in pages if p.status == "failed"]
    reasons = list(errors)
    if failed:
        reasons.append(f"pages failed: {', '.join(map(str, failed[:20]))}")
    if report is not None and report.verdict == "fail":
        checks = sorted({f.check for f in report.critical_failures})
        reasons.append(f"critical quality checks failed: {', '.join(checks)}")
    return ("needs_review", "; ".join(reasons)) if reasons else ("ok", None)


def register_intake(intake: IntakeOutcome, flow_run_id: str | None) -> None:
    """The dossier row as soon as the upload is known: received, or rejected with its reason."""
    if intake.dossier_id is None or intake.sha256 is None:
        return
    ensure_schema()
    with session_scope() as session:
        register_dossier(
            session,
            dossier_id=intake.dossier_id, sha256=intake.sha256,
            # masked: the name as given stays with the original (its key), not in rows
            filename=masked_filename(intake.filename or intake.upload), size=intake.size or 0,
            original_key=intake.original_key,
            status="rejected" if intake.status == "rejected" else
            ("processing" if intake.status == "accepted" else None),
            reason=intake.reason if intake.status == "rejected" else None,
            page_count=intake.page_count, flow_run_id=flow_run_id,
        )


def load_dossier(
    manifest: Manifest,
    pages: Sequence[PageOcr],
    card: CaseCard | None,
    report: QualityReport | None,
    flow_run_id: str | None,
    errors: Sequence[str] = (),
) -> tuple[DossierStatus, str | None]:
    """Pages, case and lineage in one transaction; returns the routed status and reason."""
    status, reason = route(pages, report, errors)
    ensure_schema()
    with session_scope() as session:
        record_pages(session, manifest.dossier_id, pages)
        if card is not None:
            quality = None
            if report is not None:
                quality = {
                    "verdict": report.verdict,
                    "failures": [f.model_dump(mode="json") for f in report.failures],
                }
            case = load_case_card(
                session, card, "held" if status == "needs_review" else "trusted", quality=quality
            )
            index_dossier_texts(session, case.id, get_store(), card.dossier_id)  # issue 13
        for record in manifest.stages.values():
            record_stage_lineage(session, manifest.dossier_id, record)
        set_dossier_status(
            session, manifest.dossier_id, status, reason=reason, flow_run_id=flow_run_id
        )
    return status, reason


def stage_errors(ctx: StageContext) -> list[str]:
    """Stages that failed outright in this run (the flow passes them to load as a parameter)."""
    return list(json.loads(ctx.params.get("errors", "[]")))


def load_by_id(ctx: StageContext) -> StageResult:
    """The stage's run: the stored pages, the card and the report of the recorded stages in;
    the library's rows of this dossier out (replaced), and the routed status."""
    store, dossier_id, manifest = ctx.store, ctx.dossier_id, ctx.manifest
    pages = load_pages(store, dossier_id, page_count_of(store, manifest))
    # Only outputs the manifest vouches for: a stage that failed left no record, and
    # whatever an earlier run left under its keys is not this run's result.
    card = load_card(store, dossier_id) if "structure" in manifest.stages else None
    report = load_report(store, dossier_id) if "validate" in manifest.stages else None
    status, reason = load_dossier(manifest, pages, card, report, ctx.flow_run_id,
                                  stage_errors(ctx))
    return StageResult(note=status, status=status, reason=reason)


def library_current(ctx: StageContext, record: StageRecord) -> str | None:
    """Why the library no longer holds what the load recorded (rebuilt, rolled back), or None."""
    ensure_schema()
    card = load_card(ctx.store, ctx.dossier_id) if "structure" in ctx.manifest.stages else None
    with session_scope() as session:
        status = session.scalar(sa.select(Dossier.status)
                                .where(Dossier.dossier_id == ctx.dossier_id))
        loaded = session.scalar(sa.select(Case.card_sha256)
                                .where(Case.dossier_id == ctx.dossier_id))
    if status is None:  # a status moved by review later is not the load's business
        return "dossier not in the library"
    if card is not None and loaded != card_sha256(card):
        return "library case differs"
    return None


def keep_lineage(ctx: StageContext, record: StageRecord) -> None:
    """A stage recorded after the dossier's load (supervise, suggest, review; any stage
    when reprocessed) goes into the lineage table at once; before that, the load
    records every stage of the manifest in its own transaction."""
    if record.stage == "load" or "load" not in ctx.manifest.stages:
        return
    ensure_schema()
    with session_scope() as session:
        record_stage_lineage(session, ctx.dossier_id, record)


RECORD_KEEPERS.append(keep_lineage)

STAGE = Stage(
    name="load",
    description="pages, case and lineage into the SQL library; routing (ok / needs_review)",
    code=("tasks.stages.library", "tasks.stages.stored", "tasks.library", "schemas.tables",
          "schemas.case_card", "schemas.ocr", "schemas.migrations"),
    libraries=("sqlalchemy", "alembic"),
    inputs=lambda ctx: [*page_keys(ctx.dossier_id, page_count_of(ctx.store, ctx.manifest)),
                        case_card_key(ctx.dossier_id), validation_key(ctx.dossier_id),
                        documents_key(ctx.dossier_id)],  # its texts are indexed (issue 13)
    outputs=lambda ctx: [],
    params=("errors",),
    run=load_by_id,
    verify=library_current,
)

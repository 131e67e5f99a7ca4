"""Load stage: the dossier's outcome into the SQL library, and the routing rule.

Routing (分流): a dossier with a failed page or a critical quality failure is
``needs_review``; its case is loaded but ``held`` — kept out of the trusted
library until a reviewer clears it. Warnings load as ``trusted`` with their flags.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from dossier.db import session_scope, upgrade
from dossier.settings import get_settings
from dossier.store import get_store
from schemas.case_card import CaseCard
from schemas.manifest import DossierStatus, Manifest
from schemas.ocr import PageOcr
from tasks.library.load import (
    load_case_card,
    record_pages,
    record_stage_lineage,
    register_dossier,
    set_dossier_status,
)
from tasks.library.texts import index_dossier_texts
from tasks.quality.report import QualityReport
from tasks.stages.intake import IntakeOutcome


def ensure_schema() -> None:
    """Migrate the configured library once per process and database."""
    _migrated(get_settings().database_url or "")


@functools.cache
def _migrated(url: str) -> None:
    upgrade(url)  # concurrent workers take turns inside ``upgrade``


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
            filename=intake.filename or intake.upload, size=intake.size or 0,
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

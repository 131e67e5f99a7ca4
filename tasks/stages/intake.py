"""Intake stage: take an upload in, or quarantine it with its reason (收卷 / 隔离).

Every refusal the pipeline can know before OCR is found here — bad bytes,
encryption, archive bombs, page and pixel limits — so a rejected upload never
reaches the page tasks and the flow ends cleanly with the reason on record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore
from tasks.intake.paginate import count_pages
from tasks.intake.quarantine import quarantine
from tasks.intake.rejection import RejectedInput
from tasks.intake.retrieve import INTAKE_CODE, retrieve, upload_name
from tasks.lineage import save_manifest
from tasks.stages.contract import Stage
from tasks.stages.stored import page_count_of
from tasks.stages.workspace import local_original

IntakeStatus = Literal["accepted", "duplicate", "rejected"]


class IntakeOutcome(BaseModel):
    upload: str
    status: IntakeStatus
    dossier_id: str | None = None
    sha256: str | None = None
    filename: str | None = None
    size: int | None = None
    original_key: str | None = None
    page_count: int | None = None
    reason: str | None = None
    message: str | None = None
    previous_status: str | None = None  # of a duplicate: what the first run concluded
    resumed: bool = False  # an earlier run of these bytes stopped or failed: it goes on


def take_in(
    store: ObjectStore, source: Path | str, settings: Settings | None = None, *,
    run_ids: tuple[str | None, str | None] = (None, None),
) -> IntakeOutcome:
    """Retrieve, dedupe and check limits; quarantine on any refusal.

    Counting pages reads only the local copy, so whatever it raises is a property
    of the file (PDFium or Pillow failing on a crafted structure), never an outage:
    such an upload is refused as ``unreadable`` instead of failing the run and
    losing the upload between retries.
    """
    settings = settings or get_settings()
    name = upload_name(source)
    try:
        upload = retrieve(store, source, settings, run_ids=run_ids)
    except RejectedInput as refusal:
        return _quarantined(store, name, source, refusal, settings)
    manifest = upload.manifest
    if upload.duplicate:
        return IntakeOutcome(
            upload=name, status="duplicate", dossier_id=upload.dossier_id, sha256=upload.sha256,
            filename=upload.filename, size=upload.size, original_key=upload.original_key,
            previous_status=manifest.status, reason=manifest.reason,
            page_count=page_count_of(store, manifest),  # its outputs are exported again
        )
    assert upload.original_key is not None
    resumed = manifest.page_count is not None  # counted by an earlier run of these bytes
    if manifest.page_count is None:
        path = local_original(store, upload.original_key, upload.sha256, settings)
        try:
            manifest.page_count = count_pages(path, settings)
        except RejectedInput as refusal:
            return _quarantined(store, name, source, refusal, settings)
        except Exception as error:  # pdfium on a lying page tree: refused, never lost
            refusal = RejectedInput("unreadable", f"{type(error).__name__}: {str(error)[:200]}")
            return _quarantined(store, name, source, refusal, settings)
        save_manifest(store, manifest)
    return IntakeOutcome(
        upload=name, status="accepted", dossier_id=upload.dossier_id, sha256=upload.sha256,
        filename=upload.filename, size=upload.size, original_key=upload.original_key,
        page_count=manifest.page_count, resumed=resumed,
    )


# Intake takes an upload, not a dossier id: it is declared for the chain's order and its
# code version, and runs through ``take_in``.
STAGE = Stage(
    name="retrieve",
    description="hash, dedupe, keep the original, count pages (originals/)",
    code=INTAKE_CODE,
    inputs=lambda ctx: [],
    outputs=lambda ctx: [ctx.manifest.original_key] if ctx.manifest.original_key else [],
    run=None,
    reprocessable=False,
)


def _quarantined(
    store: ObjectStore, name: str, source: Path | str, refusal: RejectedInput,
    settings: Settings,
) -> IntakeOutcome:
    record = quarantine(store, name, source, refusal.reason, refusal.message, settings)
    return IntakeOutcome(
        upload=name, status="rejected", dossier_id=record.dossier_id,
        sha256=record.sha256 or record.identity, filename=name, size=record.size,
        reason=record.reason, message=record.message,
    )

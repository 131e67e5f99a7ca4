"""Take an upload in: hash it, name the dossier after its bytes, keep the original (收卷).

The dossier id is derived from the sha256 of the bytes, so the same upload
delivered twice (a re-sent event, the sweep, a clerk uploading again under
another name) is the same dossier. Its manifest is the record that work was
done: a finished manifest (a run went through the whole chain and concluded
``ok`` or ``needs_review``, or the upload was ``rejected``) makes the upload a
duplicate; an unfinished one (a failed run, a run stopped early with
``--until``) is picked up again, and its next run continues where it stopped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectNotFoundError, ObjectStore
from dossier.store.keys import original_key, safe_filename, validate_key
from schemas.manifest import Manifest, StageOutput, StageRecord
from tasks.intake.detect import InputFormat, detect_head, sniff
from tasks.intake.quarantine import (
    DOSSIER_ID_HEX,
    INTAKE_CODE,
    QuarantineRecord,
    dossier_id_for,
    quarantine,
)
from tasks.intake.rejection import RejectedInput, masked_filename
from tasks.intake.source import hash_source, put_source, source_size
from tasks.lineage import code_version, save_manifest
from tasks.lineage import load_manifest as read_manifest
from tasks.stages.contract import code_fingerprint

__all__ = [
    "DOSSIER_ID_HEX",
    "INCOMING",
    "INTAKE_CODE",
    "QuarantineRecord",
    "RetrievedUpload",
    "dossier_id_for",
    "quarantine",
    "read_manifest",
    "retrieve",
    "upload_name",
]

INCOMING = "incoming/"


class RetrievedUpload(BaseModel):
    """What retrieve found; ``duplicate`` means: stop, this dossier is done."""

    dossier_id: str
    sha256: str
    size: int
    upload: str  # the upload's name: its key under incoming/, or the local file name
    filename: str  # NFC, last path component, as kept under originals/
    format: InputFormat | None  # None only for a duplicate of a rejected upload
    original_key: str | None  # None only for a duplicate of a rejected upload
    duplicate: bool
    manifest: Manifest


def upload_name(source: Path | str) -> str:
    """``incoming/<name>`` keys give ``<name>``; a local path gives its file name (NFC)."""
    if isinstance(source, Path):
        return safe_filename(source.name)
    key = validate_key(source)
    return key[len(INCOMING):] if key.startswith(INCOMING) else key


def retrieve(
    store: ObjectStore, source: Path | str, settings: Settings | None = None, *,
    run_ids: tuple[str | None, str | None] = (None, None),
) -> RetrievedUpload:
    """Hash the upload, dedupe, keep the original, and register the dossier's manifest.

    ``source`` is a local file (``Path``) or an object key (``str``, usually
    ``incoming/<name>``). Raises :class:`RejectedInput` (``not_regular_file``,
    ``empty``, ``too_large``, ``unsupported_format``) before anything is kept;
    the caller then hands the upload to :func:`quarantine`. A local path that
    does not exist raises :class:`~tasks.intake.source.InputNotFoundError`.
    ``run_ids``: the flow run and task run doing it, for the audit trail.
    """
    settings = settings or get_settings()
    name = upload_name(source)
    size = source_size(store, source)  # a local path: lstat, a link is not followed
    if size > settings.max_upload_bytes:
        raise RejectedInput(
            "too_large", f"{size:,} bytes, limit {settings.max_upload_bytes:,}"
        )
    started = datetime.now(UTC)
    digest = hash_source(store, source, settings.max_upload_bytes)
    if digest.size == 0:
        raise RejectedInput("empty", "the file is empty (0 bytes)")
    sha256 = digest.sha.hexdigest()
    dossier_id = dossier_id_for(sha256)
    filename = safe_filename(name)

    manifest = read_manifest(store, dossier_id)
    if manifest is not None and manifest.is_finished:
        return RetrievedUpload(
            dossier_id=dossier_id, sha256=sha256, size=digest.size, upload=name,
            filename=filename, format=sniff(digest.head), original_key=manifest.original_key,
            duplicate=True, manifest=manifest,
        )
    kind = detect_head(digest.head)

    # The same bytes under a second name are the same dossier: keep the first original.
    key = (manifest.original_key if manifest else None) or original_key(dossier_id, filename)
    try:
        kept = store.stat(key)
    except ObjectNotFoundError:
        kept = None
    if kept is None or kept.sha256 != sha256:
        put_source(store, source, key, sha256)

    if manifest is None:
        manifest = Manifest(  # the name as given is the original's key; here it is masked
            dossier_id=dossier_id, sha256=sha256, original_key=key,
            filename=masked_filename(filename),
            size=digest.size, status="received",
        )
    manifest.original_key = key
    manifest.finished = False  # a run of the chain is under way
    manifest.stages["retrieve"] = StageRecord(
        stage="retrieve",
        outputs=[StageOutput(key=key, sha256=sha256, size=digest.size)],
        code_version=code_fingerprint(INTAKE_CODE),
        build=code_version(),
        flow_run_id=run_ids[0],
        task_run_id=run_ids[1],
        started_at=started,
        finished_at=datetime.now(UTC),
    )
    save_manifest(store, manifest)
    return RetrievedUpload(
        dossier_id=dossier_id, sha256=sha256, size=digest.size, upload=name, filename=filename,
        format=kind, original_key=key, duplicate=False, manifest=manifest,
    )

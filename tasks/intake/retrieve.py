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

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel

from dossier.settings import Settings, get_settings
from dossier.store.base import CHUNK, ObjectNotFoundError, ObjectStore
from dossier.store.keys import (
    original_key,
    quarantine_key,
    quarantine_reason_key,
    safe_filename,
    validate_key,
)
from schemas.manifest import Manifest, StageOutput, StageRecord
from tasks.intake.detect import HEAD_BYTES, InputFormat, detect_head, sniff
from tasks.intake.rejection import REASON_LABELS, ReasonCode, RejectedInput
from tasks.lineage import code_version, save_manifest
from tasks.lineage import load_manifest as read_manifest
from tasks.stages.contract import code_fingerprint

INCOMING = "incoming/"
# The code the intake stage's record is fingerprinted by (tasks.stages.intake.STAGE).
INTAKE_CODE = ("tasks.intake", "tasks.stages.intake")
DOSSIER_ID_HEX = 16  # 64 bits of the sha256: collisions need ~4e9 dossiers


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


class QuarantineRecord(BaseModel):
    """The reason file written beside a quarantined upload."""

    upload: str
    reason: ReasonCode
    label: str  # the reason in Chinese, for the clerk
    message: str
    sha256: str
    size: int
    dossier_id: str
    quarantined_at: datetime
    key: str
    reason_key: str


def dossier_id_for(sha256: str) -> str:
    return "d" + sha256[:DOSSIER_ID_HEX]


def upload_name(source: Path | str) -> str:
    """``incoming/<name>`` keys give ``<name>``; a local path gives its file name (NFC)."""
    if isinstance(source, Path):
        return safe_filename(source.name)
    key = validate_key(source)
    return key[len(INCOMING):] if key.startswith(INCOMING) else key


class _Digest:
    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.size = 0
        self.head = b""


def _hash_stream(stream: BinaryIO, limit: int | None) -> _Digest:
    digest = _Digest()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        if len(digest.head) < HEAD_BYTES:
            digest.head += chunk[: HEAD_BYTES - len(digest.head)]
        digest.sha.update(chunk)
        digest.size += len(chunk)
        if limit is not None and digest.size > limit:
            raise RejectedInput("too_large", f"more than {limit:,} bytes")
    return digest


def _source_size(store: ObjectStore, source: Path | str) -> int:
    if isinstance(source, Path):
        return source.stat().st_size
    return store.stat(source).size


def _hash_source(store: ObjectStore, source: Path | str, limit: int | None) -> _Digest:
    if isinstance(source, Path):
        with open(source, "rb") as fh:
            return _hash_stream(fh, limit)
    with store.open(source) as fh:
        return _hash_stream(fh, limit)


def _put_source(store: ObjectStore, source: Path | str, key: str) -> None:
    """Server-side copy for an object already in the store; an upload for a local file."""
    if isinstance(source, Path):
        store.put_file(key, source)
    else:
        store.copy(source, key)


def retrieve(
    store: ObjectStore, source: Path | str, settings: Settings | None = None
) -> RetrievedUpload:
    """Hash the upload, dedupe, keep the original, and register the dossier's manifest.

    ``source`` is a local file (``Path``) or an object key (``str``, usually
    ``incoming/<name>``). Raises :class:`RejectedInput` (``empty``,
    ``too_large``, ``unsupported_format``) before anything is kept; the caller
    then hands the upload to :func:`quarantine`.
    """
    settings = settings or get_settings()
    name = upload_name(source)
    size = _source_size(store, source)
    if size > settings.max_upload_bytes:
        raise RejectedInput(
            "too_large", f"{size:,} bytes, limit {settings.max_upload_bytes:,}"
        )
    started = datetime.now(UTC)
    digest = _hash_source(store, source, settings.max_upload_bytes)
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
        _put_source(store, source, key)

    if manifest is None:
        manifest = Manifest(
            dossier_id=dossier_id, sha256=sha256, original_key=key, filename=filename,
            size=digest.size, status="received",
        )
    manifest.original_key = key
    manifest.finished = False  # a run of the chain is under way
    manifest.stages["retrieve"] = StageRecord(
        stage="retrieve",
        outputs=[StageOutput(key=key, sha256=sha256, size=digest.size)],
        code_version=code_fingerprint(INTAKE_CODE),
        build=code_version(),
        started_at=started,
        finished_at=datetime.now(UTC),
    )
    save_manifest(store, manifest)
    return RetrievedUpload(
        dossier_id=dossier_id, sha256=sha256, size=digest.size, upload=name, filename=filename,
        format=kind, original_key=key, duplicate=False, manifest=manifest,
    )


def quarantine(
    store: ObjectStore, upload_name: str, source: Path | str, reason: ReasonCode, detail: str
) -> QuarantineRecord:
    """Keep a refused upload under ``quarantine/<upload>`` with a reason file beside it.

    The dossier's manifest records the refusal too (status ``rejected``), so the
    same bytes uploaded again are recognised as done instead of refused anew.
    ``detail`` is for people and must not quote page content (no personal data).
    """
    if reason not in REASON_LABELS:
        raise ValueError(f"unknown rejection reason {reason!r}")
    digest = _hash_source(store, source, None)
    sha256 = digest.sha.hexdigest()
    dossier_id = dossier_id_for(sha256)
    key = quarantine_key(upload_name)
    reason_key = quarantine_reason_key(upload_name)
    _put_source(store, source, key)
    record = QuarantineRecord(
        upload=upload_name, reason=reason, label=REASON_LABELS[reason], message=detail,
        sha256=sha256, size=digest.size, dossier_id=dossier_id,
        quarantined_at=datetime.now(UTC), key=key, reason_key=reason_key,
    )
    store.put_json(reason_key, record.model_dump(mode="json"))

    manifest = read_manifest(store, dossier_id) or Manifest(
        dossier_id=dossier_id, sha256=sha256, filename=safe_filename(upload_name),
        size=digest.size,
    )
    manifest.status = "rejected"
    manifest.reason = reason
    manifest.finished = True
    manifest.stages["quarantine"] = StageRecord(
        stage="quarantine",
        outputs=[StageOutput(key=key, sha256=sha256, size=digest.size)],
        code_version=code_fingerprint(INTAKE_CODE),
        build=code_version(),
        finished_at=record.quarantined_at,
        note=detail,
    )
    save_manifest(store, manifest)
    return record

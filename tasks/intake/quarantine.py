"""Quarantine (隔离): a refused upload kept under its own upload id, with its reason.

Keys (``dossier.store.keys``)::

    quarantine/<upload_id>/upload        the bytes, when they were read whole
    quarantine/<upload_id>/head          the first bytes only, of an upload over the size limit
    quarantine/<upload_id>/reason.json   why, when, and the upload's own name

The upload id is ``u`` + 16 hex of the sha256 of the upload's name, size and
fingerprint, the fingerprint being the sha256 of what was read: the whole
bytes; the first :data:`KEEP_HEAD_BYTES` of an upload too large to read; the
kind (and a link's target) of a path that is not a regular file. So two
refused uploads of the same name never share a key (the first one's copy and
reason stay), and the same upload refused again lands on its own key.

A refused upload is recorded like any dossier — a manifest with status
``rejected`` and a library row — under its dossier id when its bytes were read
whole, else under its upload id: ``dossier review-queue --rejected`` lists
every refusal, and a re-delivery of the same upload is recognised as done.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore
from dossier.store.keys import (
    quarantine_head_key,
    quarantine_key,
    quarantine_reason_key,
    safe_filename,
)
from schemas.manifest import Manifest, StageOutput, StageRecord
from tasks.intake.rejection import REASON_LABELS, ReasonCode, RejectedInput, masked_filename
from tasks.intake.source import (
    Source,
    hash_source,
    node_fingerprint,
    put_source,
    read_head,
    source_size,
)
from tasks.lineage import code_version, load_manifest, save_manifest
from tasks.stages.contract import code_fingerprint

# The code the intake stage's record is fingerprinted by (tasks.stages.intake.STAGE).
INTAKE_CODE = ("tasks.intake", "tasks.stages.intake")
UPLOAD_ID_HEX = 16
DOSSIER_ID_HEX = 16  # 64 bits of the sha256: collisions need ~4e9 dossiers
KEEP_HEAD_BYTES = 64 * 1024  # of an upload over the size limit: enough to see what it is

Kept = Literal["upload", "head", "none"]


class QuarantineRecord(BaseModel):
    """The reason file written beside a quarantined upload."""

    upload: str  # the upload's name as it came (may name a person: stays in the store)
    upload_id: str
    reason: ReasonCode
    label: str  # the reason in Chinese, for the clerk
    message: str
    kept: Kept  # what of the upload is under ``key``: all of it, its first bytes, nothing
    sha256: str | None  # of the whole bytes; None when they were not read whole
    size: int
    dossier_id: str  # the bytes' dossier id, or the upload id when not read whole
    identity: str  # sha256 of name, size and fingerprint: the row's hash when not read whole
    quarantined_at: datetime
    key: str | None
    reason_key: str


def dossier_id_for(sha256: str) -> str:
    return "d" + sha256[:DOSSIER_ID_HEX]


def upload_hash(name: str, size: int, fingerprint: str) -> str:
    identity = f"{name}\x00{size}\x00{fingerprint}".encode("utf-8", "surrogateescape")
    return hashlib.sha256(identity).hexdigest()


def upload_id_for(name: str, size: int, fingerprint: str) -> str:
    """The quarantine id of one upload (see the module docstring)."""
    return "u" + upload_hash(name, size, fingerprint)[:UPLOAD_ID_HEX]


def head_fingerprint(head: bytes) -> str:
    return hashlib.sha256(head).hexdigest()


def quarantine(
    store: ObjectStore,
    upload_name: str,
    source: Source,
    reason: ReasonCode,
    detail: str,
    settings: Settings | None = None,
) -> QuarantineRecord:
    """Keep what may be kept of a refused upload, write its reason file and manifest.

    Nothing of a path that is not a regular file is read (a link is not
    followed, a pipe not opened); of an upload over the size limit only its
    first bytes are copied, never the whole. ``detail`` is for people and must
    not quote page content (no personal data).
    """
    if reason not in REASON_LABELS:
        raise ValueError(f"unknown rejection reason {reason!r}")
    settings = settings or get_settings()
    sha256: str | None = None
    kept: Kept
    if reason == "not_regular_file" and isinstance(source, Path):
        size = _lstat_size(source)
        fingerprint, kept = node_fingerprint(source), "none"
    else:
        size = source_size(store, source)
        if reason != "too_large" and size <= settings.max_upload_bytes:
            try:
                sha256 = hash_source(store, source, settings.max_upload_bytes).sha.hexdigest()
            except RejectedInput:  # grew past the limit while read: keep its head
                reason, detail = "too_large", f"more than {settings.max_upload_bytes:,} bytes"
        head = b"" if sha256 else read_head(store, source, KEEP_HEAD_BYTES)
        fingerprint, kept = (sha256, "upload") if sha256 else (head_fingerprint(head), "head")

    identity = upload_hash(upload_name, size, fingerprint)
    upload_id = "u" + identity[:UPLOAD_ID_HEX]
    dossier_id = dossier_id_for(sha256) if sha256 else upload_id
    key: str | None = None
    outputs: list[StageOutput] = []
    if kept == "upload":
        assert sha256 is not None
        key = quarantine_key(upload_id)
        put_source(store, source, key, sha256)
        outputs.append(StageOutput(key=key, sha256=sha256, size=size))
    elif kept == "head":
        key = quarantine_head_key(upload_id)
        info = store.put_bytes(key, head)
        outputs.append(StageOutput(key=key, sha256=info.sha256, size=info.size))

    reason_key = quarantine_reason_key(upload_id)
    record = QuarantineRecord(
        upload=upload_name, upload_id=upload_id, reason=reason, label=REASON_LABELS[reason],
        message=detail, kept=kept, sha256=sha256, size=size, dossier_id=dossier_id,
        identity=identity, quarantined_at=datetime.now(UTC), key=key, reason_key=reason_key,
    )
    reason_info = store.put_json(reason_key, record.model_dump(mode="json"))
    outputs.append(StageOutput(key=reason_key, sha256=reason_info.sha256, size=reason_info.size))

    manifest = load_manifest(store, dossier_id) or Manifest(
        dossier_id=dossier_id, sha256=sha256 or identity,
        filename=masked_filename(safe_filename(upload_name)), size=size,
    )
    manifest.status = "rejected"
    manifest.reason = reason
    manifest.finished = True
    manifest.stages["quarantine"] = StageRecord(
        stage="quarantine", outputs=outputs, code_version=code_fingerprint(INTAKE_CODE),
        build=code_version(), finished_at=record.quarantined_at, note=detail,
    )
    save_manifest(store, manifest)
    return record


def _lstat_size(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except FileNotFoundError:
        return 0

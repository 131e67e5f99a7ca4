"""The per-dossier manifest (全程留痕): which object each stage wrote, with its hash.

Only the ingest flow writes a dossier's manifest, one stage after the other, so a
read-modify-write is safe; a rerun replaces the stage's record rather than
appending a second one.
"""

from __future__ import annotations

import functools
import subprocess
from datetime import UTC, datetime

from dossier import __version__
from dossier.settings import PROJECT_ROOT
from dossier.store.base import ObjectInfo, ObjectNotFoundError, ObjectStore
from dossier.store.keys import manifest_key
from schemas.manifest import DossierStatus, Manifest, StageOutput, StageRecord


@functools.cache
def code_version() -> str:
    """The build: package version plus the git commit when running from a checkout.

    Recorded beside every stage (``StageRecord.build``) for the audit trail. Whether a
    stage is stale is decided by the stage's own code version instead (a fingerprint of
    the code it declares, ``tasks.stages.contract``): this one changes on every commit.
    """
    try:
        sha = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    dirty = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, timeout=5,
    ).stdout.strip()
    return f"{__version__}+g{sha}{'.dirty' if dirty else ''}"


def load_manifest(store: ObjectStore, dossier_id: str) -> Manifest | None:
    try:
        return Manifest.model_validate(store.get_json(manifest_key(dossier_id)))
    except ObjectNotFoundError:
        return None


def save_manifest(store: ObjectStore, manifest: Manifest) -> ObjectInfo:
    return store.put_json(manifest_key(manifest.dossier_id), manifest.model_dump(mode="json"))


def outputs_of(infos: list[ObjectInfo]) -> list[StageOutput]:
    return [StageOutput(key=i.key, sha256=i.sha256, size=i.size) for i in infos]


def record_stage(
    store: ObjectStore,
    manifest: Manifest,
    stage: str,
    outputs: list[ObjectInfo],
    *,
    started_at: datetime,
    flow_run_id: str | None = None,
    status: DossierStatus | None = None,
    reason: str | None = None,
    note: str | None = None,
) -> Manifest:
    """Replace the stage's record, optionally move the dossier's status, and save.

    Stages of the chain record through ``tasks.stages.contract`` (input hashes and the
    stage's own code version, which a rerun compares); this plain record has neither,
    so a stage recorded here is never skipped.
    """
    manifest.stages[stage] = StageRecord(
        stage=stage,
        outputs=outputs_of(outputs),
        code_version=code_version(),
        flow_run_id=flow_run_id,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        note=note,
    )
    if status is not None:
        manifest.status = status
    if reason is not None:
        manifest.reason = reason
    save_manifest(store, manifest)
    return manifest

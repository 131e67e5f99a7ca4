"""How far a dossier's chain got: finished, or stopped early and waiting for its next run.

An early stop (``--until``) is not a finish: the manifest stays unfinished with the
stage it stopped after, the library row stays ``processing`` with that reason, and
the next run of the same bytes is not a duplicate — it goes on from the recorded
stages (the ones done are skipped).
"""

from __future__ import annotations

from typing import Literal

from dossier.db import ensure_schema, session_scope
from dossier.store.base import ObjectStore
from tasks.library.load import set_dossier_status
from tasks.lineage import save_manifest
from tasks.stages.contract import require_manifest

RunStatus = Literal["ok", "needs_review", "rejected", "stopped"]


def stopped_reason(stage: str) -> str:
    return f"stopped after {stage} (--until {stage}); the next run goes on from there"


def conclude_run(
    store: ObjectStore, dossier_id: str, stopped_after: str | None = None,
    flow_run_id: str | None = None,
) -> tuple[RunStatus, str | None]:
    """Mark the dossier finished, or stopped after ``stopped_after``; returns the run's
    status and reason (for a finished run: what the load stage routed)."""
    manifest = require_manifest(store, dossier_id)
    if stopped_after is None:
        manifest.finished = True
        manifest.stopped_after = None
        save_manifest(store, manifest)
        status = manifest.status
        if status not in ("ok", "needs_review", "rejected"):
            raise RuntimeError(f"dossier {dossier_id} ended its chain with status {status}")
        return status, manifest.reason  # type: ignore[return-value]
    reason = stopped_reason(stopped_after)
    manifest.finished = False
    manifest.stopped_after = stopped_after
    manifest.status = "processing"
    manifest.reason = reason
    save_manifest(store, manifest)
    ensure_schema()
    with session_scope() as session:
        set_dossier_status(session, dossier_id, "processing", reason=reason,
                           flow_run_id=flow_run_id)
    return "stopped", reason

"""The current run's ids and the masked names of ingest runs.

Kept apart from the stage tasks (``tasks.orchestration.ingest`` imports every
stage and its libraries): a flow that only needs a run id or a run name (the
sweep, supervision, reprocessing) imports this and starts seconds sooner, and
every flow run is a fresh process that pays its imports.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from prefect.runtime import flow_run, task_run


def current_flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


def current_task_run_id() -> str | None:
    run_id = task_run.get_id()
    return str(run_id) if run_id else None


def run_name_for(name: str) -> str:
    """The masked run name of an upload (the sweep finds runs in flight by it).

    Names carry no personal data: a hash of the upload's name, and its extension.
    An upload's file name may hold a defendant's name; the dossier id (from the
    bytes) is what every output is keyed by, and the summary artifact shows it.
    """
    digest = hashlib.sha256(str(name).encode()).hexdigest()[:8]
    suffix = PurePath(str(name)).suffix.lower().lstrip(".")[:5] or "bin"
    return f"ingest-{digest}-{suffix}"

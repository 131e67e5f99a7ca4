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

from tasks.intake.upload_ref import BadUploadRef, seal, unseal


def current_flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


def current_task_run_id() -> str | None:
    run_id = task_run.get_id()
    return str(run_id) if run_id else None


def upload_ref_of(upload: str | None, key: str | None, path: str | None) -> str:
    """The sealed reference of what an ingest run takes in, however it was given."""
    if upload:
        return upload
    if key:
        return seal(key, "key")
    return seal(str(path or "upload"), "path")


def run_name_for(ref: str) -> str:
    """The masked run name of an upload's sealed reference (the sweep names the runs it
    starts with it; ``dossier upload-ref`` prints it for an operator to search the UI by).

    Names carry no personal data: a hash of the reference, and the upload's extension.
    An upload's file name may hold a defendant's name; the dossier id (from the
    bytes) is what every output is keyed by, and the summary artifact shows it.
    """
    digest = hashlib.sha256(ref.encode()).hexdigest()[:8]
    try:
        name = unseal(ref)[1]
    except BadUploadRef:
        name = ""
    suffix = PurePath(name).suffix.lower().lstrip(".")[:5] or "bin"
    return f"ingest-{digest}-{suffix}"

"""import-judgments: a JSON-lines object of published judgments under ``imports/`` into the library.

Triggered by the ``judgments.uploaded`` event the upload watcher emits for every object
put under ``imports/`` (prefect.yaml); the flow only wires the one task.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from prefect import flow
from prefect.runtime import flow_run

from tasks.orchestration.library import import_object


def run_name() -> str:
    """No file names in run names (they may name a party): a hash and the extension."""
    key = str(flow_run.parameters.get("key") or "imports")
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    suffix = PurePath(key).suffix.lower().lstrip(".")[:5] or "jsonl"
    return f"import-{digest}-{suffix}"


@flow(name="import-judgments", flow_run_name=run_name, log_prints=False)
def import_judgments(key: str, text_field: str = "fd", id_field: str = "text_id",
                     workers: int = 1) -> dict:
    """Import every judgment of ``key`` (imports/<name>.jsonl); returns the counts."""
    if not key.startswith("imports/"):
        raise ValueError("key must be an object under imports/")
    return import_object(key, text_field=text_field, id_field=id_field, workers=workers)

"""import-feeds: one agency batch under ``feeds/<batch>/`` into the SQL library.

Triggered by the ``dossier.feeds.ready`` event the watcher emits when a batch's
``_READY`` marker is created (``tasks.feeds.store`` says why a marker); the
event's key becomes the ``prefix`` parameter.
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from tasks.orchestration.supervision import import_feeds_task


@flow(name="import-feeds", log_prints=False)
def import_feeds(prefix: str) -> dict[str, Any]:
    """Import the feed batch under ``prefix`` (``feeds/<batch>/`` or its ``_READY`` key)."""
    return import_feeds_task(prefix)

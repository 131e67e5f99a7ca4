"""Stage: import one feed batch from the object store (``feeds/<batch>/``), plain Python.

The batch is complete when its ``_READY`` marker is there (``tasks.feeds.store``);
its files are fetched, checked against the marker's sha256, imported
(``tasks.feeds.batch``) and the import manifest is written to
``manifests/feeds/<batch>.json``.
"""

from __future__ import annotations

from typing import Any

from dossier.db import ensure_schema, get_engine
from dossier.store.base import ObjectStore
from dossier.store.keys import feed_manifest_key
from tasks.feeds.batch import import_batch
from tasks.feeds.store import fetched_batch


def import_feed_batch(store: ObjectStore, prefix: str) -> dict[str, Any]:
    """Import the batch under ``prefix`` (``feeds/<batch>/`` or its ``_READY`` key)."""
    ensure_schema()
    with fetched_batch(store, prefix) as (batch, folder):
        manifest = import_batch(get_engine(), folder, batch,
                                source=f"{store.description}/feeds/{batch}/")
    store.put_json(feed_manifest_key(batch), manifest)
    return manifest

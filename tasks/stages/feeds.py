"""Stage: import one feed batch, plain Python, keeping its files in the object store.

A batch is complete when its ``_READY`` marker is there (``tasks.feeds.store``);
its files are fetched, checked against the marker's sha256, imported
(``tasks.feeds.batch``) and the import manifest is written to
``manifests/feeds/<batch>.json``.

A batch imported from a local folder (``dossier feeds import``) is put into the
store too, under the same keys and with the same marker, so that what the library
holds can always be traced to the files it came from: ``dossier audit --feeds``
compares rows with them and ``dossier leads rekey`` reads their ID numbers after a
key rotation. Its marker says it was imported already; the import the marker
triggers on a deployed stack then finds the same files recorded and does nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dossier.db import ensure_schema, get_engine
from dossier.store.base import ObjectStore
from dossier.store.keys import feed_batch_prefix, feed_manifest_key
from tasks.feeds.batch import import_batch, recorded_manifest
from tasks.feeds.store import batch_of, fetched_batch, put_batch_files, put_marker, read_marker

IMPORTED_HERE = "dossier feeds import"


def import_feed_batch(store: ObjectStore, prefix: str, force: bool = False) -> dict[str, Any]:
    """Import the batch under ``prefix`` (``feeds/<batch>/`` or its ``_READY`` key).

    Skipped (the recorded manifest returned, with ``skipped`` saying why) when the
    marker says the batch was imported from a local folder and the library's record
    of that import names the same files by sha256; ``force`` imports anyway.
    """
    ensure_schema()
    batch = batch_of(prefix)
    if not force and (done := _already_imported(store, batch)) is not None:
        return done
    with fetched_batch(store, prefix) as (batch, folder):
        manifest = import_batch(get_engine(), folder, batch, source=_source(store, batch))
    store.put_json(feed_manifest_key(batch), manifest)
    return manifest


def import_local_batch(store: ObjectStore, folder: Path, batch: str) -> dict[str, Any]:
    """Import a batch folder and keep its files in the store (see the module's note).

    The files go in first, the import reads the local copy (the same bytes: the
    manifest records each file's sha256, which the audit checks against the stored
    object), the marker goes in last so that a watcher's import sees a finished one.
    """
    ensure_schema()
    files = put_batch_files(store, folder, batch)
    manifest = import_batch(get_engine(), folder, batch, source=_source(store, batch))
    store.put_json(feed_manifest_key(batch), manifest)
    put_marker(store, batch, files, imported_by=IMPORTED_HERE)
    return manifest


def _source(store: ObjectStore, batch: str) -> str:
    return f"{store.description}/{feed_batch_prefix(batch)}"


def _already_imported(store: ObjectStore, batch: str) -> dict[str, Any] | None:
    marker = read_marker(store, batch)
    if not marker or marker.get("imported_by") != IMPORTED_HERE:
        return None
    with get_engine().connect() as connection:
        recorded = recorded_manifest(connection, batch)
    if not recorded:
        return None
    imported = {e.get("file"): e.get("sha256") for e in (recorded.get("files") or {}).values()}
    if imported != dict(marker.get("files") or {}):
        return None
    return {**recorded, "skipped": f"imported by {IMPORTED_HERE} from the same files"}

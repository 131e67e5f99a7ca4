"""Feed batches in the object store: ``feeds/<batch>/<feed>.csv`` and the ``_READY`` marker.

A batch is complete when its ``_READY`` marker exists: the sender puts the CSV
files first and the marker last (``dossier feeds upload`` does). The marker is
JSON naming each file with its sha256 (an empty marker means "every CSV under
the prefix"), so an import never reads a half-uploaded batch and a file that
differs from what the sender announced is refused. The watcher turns the
marker's creation into a ``dossier.feeds.ready`` event, which triggers the
``import-feeds`` deployment with the batch's prefix; uploads of the CSV files
themselves trigger nothing.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dossier.store.base import ObjectNotFoundError, ObjectStore, sha256_of_file
from dossier.store.keys import feed_batch_prefix, validate_key
from schemas.feeds import FEEDS

READY = "_READY"
FEEDS_PREFIX = "feeds/"


class BatchNotReadyError(RuntimeError):
    """No ``_READY`` marker, or a file differs from the marker's sha256."""


def batch_of(key: str) -> str:
    """``feeds/2026-06/_READY`` or ``feeds/2026-06/`` → ``2026-06``."""
    parts = key.removeprefix(FEEDS_PREFIX).strip("/").split("/")
    if not key.startswith(FEEDS_PREFIX) or not parts[0]:
        raise ValueError(f"{key!r} is not under {FEEDS_PREFIX}<batch>/")
    return parts[0]


def put_batch_files(store: ObjectStore, folder: Path, batch: str) -> dict[str, str]:
    """Put every feed file of ``folder`` under ``feeds/<batch>/``: ``{file: sha256}``."""
    prefix = feed_batch_prefix(batch)
    files = {}
    for spec in FEEDS.values():
        path = Path(folder) / spec.file
        if path.exists():
            info = store.put_file(prefix + spec.file, path, content_type="text/csv")
            files[spec.file] = info.sha256
    return files


def put_marker(store: ObjectStore, batch: str, files: dict[str, str],
               imported_by: str | None = None) -> str:
    """Write the batch's ``_READY`` marker last; returns its key. ``imported_by``: the
    batch was already imported from these very files (``dossier feeds import``), so
    the import the marker triggers has nothing to do (``tasks.stages.feeds``)."""
    marker = validate_key(feed_batch_prefix(batch) + READY)
    body: dict[str, object] = {"batch": batch, "files": files}
    if imported_by:
        body["imported_by"] = imported_by
    store.put_json(marker, body)
    return marker


def upload_batch(store: ObjectStore, folder: Path, batch: str) -> str:
    """Put every feed file of ``folder``, then the marker; returns the marker's key."""
    return put_marker(store, batch, put_batch_files(store, folder, batch))


def read_marker(store: ObjectStore, batch: str) -> dict | None:
    """The batch's ``_READY`` marker; None when the batch is not complete."""
    try:
        return store.get_json(feed_batch_prefix(batch) + READY) or {}
    except ObjectNotFoundError:
        return None


@contextmanager
def fetched_batch(store: ObjectStore, prefix: str) -> Iterator[tuple[str, Path]]:
    """Download a ready batch into a temporary folder: (batch id, folder)."""
    batch = batch_of(prefix)
    prefix = feed_batch_prefix(batch)
    marker = read_marker(store, batch)
    if marker is None:
        raise BatchNotReadyError(f"{prefix}{READY} is missing: the batch is not complete")
    announced = dict((marker or {}).get("files") or {})
    with tempfile.TemporaryDirectory(prefix="feeds-") as tmp:
        folder = Path(tmp)
        for info in store.list(prefix):
            name = info.key.removeprefix(prefix)
            if "/" in name or not name.endswith(".csv"):
                continue
            if announced and name not in announced:
                continue
            path = folder / name
            store.download(info.key, path)
            digest = sha256_of_file(path)
            if announced and announced[name] != digest:
                raise BatchNotReadyError(f"{info.key}: sha256 differs from the _READY marker")
        missing = [n for n in announced if not (folder / n).exists()]
        if missing:
            raise BatchNotReadyError(f"{prefix}: announced but missing: {', '.join(missing)}")
        (folder / "_marker.json").write_text(json.dumps(marker), encoding="utf-8")
        yield batch, folder

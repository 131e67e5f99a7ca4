"""A local working copy of a dossier's original, shared by the page tasks of one worker.

pypdfium2, PIL and zipfile want a seekable local file; MinIO gives a stream.
The copy is named by the sha256 of its bytes, so it is verified once, reused
by every page task on the machine, and never confused with another dossier.

``finish-pages`` removes the copy on the machine where it runs. On a Dask
cluster the other OCR machines (and the flow's machine, where ``retrieve``
counted the pages) keep theirs; so every use touches a copy, and a machine
making a new copy first removes those nobody used for ``work_copy_ttl_s``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path

from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore, sha256_of_file

_lock = threading.Lock()
log = logging.getLogger(__name__)


def work_dir(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.data_dir / "work"


def local_original(
    store: ObjectStore, key: str, sha256: str, settings: Settings | None = None
) -> Path:
    """Path of a verified local copy of ``key``; downloaded on first use only."""
    settings = settings or get_settings()
    folder = work_dir(settings) / sha256[:2]
    target = folder / sha256
    with _lock:
        if target.exists():
            _touch(target)
            return target
        prune_stale_copies(settings)
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{sha256}.{os.getpid()}.{threading.get_ident()}.part"
        try:  # a full disk or a failed read leaves no partial copy behind
            store.download(key, partial)
            if sha256_of_file(partial) != sha256:
                raise ValueError(f"{key}: downloaded bytes do not match the dossier's sha256")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return target


def release_original(sha256: str, settings: Settings | None = None) -> None:
    """Drop the working copy once the dossier's pages are all written."""
    (work_dir(settings) / sha256[:2] / sha256).unlink(missing_ok=True)


def _touch(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):  # pruned elsewhere this instant: refetched
        os.utime(path)


def prune_stale_copies(settings: Settings | None = None, now: float | None = None) -> int:
    """Remove working copies (and abandoned partial downloads) unused for the TTL.

    Safe beside running page tasks: a copy in use is touched by each of them, and a
    process that already opened a removed file keeps reading it (POSIX unlink).
    """
    settings = settings or get_settings()
    limit = (now if now is not None else time.time()) - settings.work_copy_ttl_s
    removed = 0
    for path in work_dir(settings).glob("*/*"):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    if removed:
        log.info("removed %d working copies unused for %.0f s", removed, settings.work_copy_ttl_s)
    return removed

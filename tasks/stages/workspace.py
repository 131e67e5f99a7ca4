"""A local working copy of a dossier's original, shared by the page tasks of one worker.

pypdfium2, PIL and zipfile want a seekable local file; MinIO gives a stream.
The copy is named by the sha256 of its bytes, so it is verified once, reused
by every page task on the machine, and never confused with another dossier.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore, sha256_of_file

_lock = threading.Lock()


def work_dir(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.data_dir / "work"


def local_original(
    store: ObjectStore, key: str, sha256: str, settings: Settings | None = None
) -> Path:
    """Path of a verified local copy of ``key``; downloaded on first use only."""
    folder = work_dir(settings) / sha256[:2]
    target = folder / sha256
    with _lock:
        if target.exists():
            return target
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{sha256}.{os.getpid()}.{threading.get_ident()}.part"
        store.download(key, partial)
        actual = sha256_of_file(partial)
        if actual != sha256:
            partial.unlink(missing_ok=True)
            raise ValueError(f"{key}: downloaded bytes do not match the dossier's sha256")
        os.replace(partial, target)
        return target


def release_original(sha256: str, settings: Settings | None = None) -> None:
    """Drop the working copy once the dossier's pages are all written."""
    (work_dir(settings) / sha256[:2] / sha256).unlink(missing_ok=True)

"""Working copies of originals: fetched once per machine, verified, and not kept forever.

On a Dask cluster ``finish-pages`` clears the copy on one machine only; the
others must not pile up every dossier they ever read.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from dossier.settings import Settings
from dossier.store.local import LocalStore
from tasks.stages.workspace import local_original, prune_stale_copies, release_original

HOUR = 3600.0


def _upload(store: LocalStore, key: str, data: bytes) -> str:
    store.put_bytes(key, data)
    return hashlib.sha256(data).hexdigest()


def test_copies_unused_for_the_ttl_go_when_the_next_one_is_made(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", work_copy_ttl_s=HOUR)
    store = LocalStore(tmp_path / "store")
    old = _upload(store, "originals/old.pdf", b"old dossier")
    used = _upload(store, "originals/used.pdf", b"dossier still being read")
    new = _upload(store, "originals/new.pdf", b"new dossier")

    old_copy = local_original(store, "originals/old.pdf", old, settings)
    used_copy = local_original(store, "originals/used.pdf", used, settings)
    two_hours_ago = time.time() - 2 * HOUR
    for path in (old_copy, used_copy):
        os.utime(path, (two_hours_ago, two_hours_ago))
    # A page task on this machine uses the second copy again: that keeps it.
    assert local_original(store, "originals/used.pdf", used, settings) == used_copy

    new_copy = local_original(store, "originals/new.pdf", new, settings)
    assert new_copy.read_bytes() == b"new dossier"
    assert not old_copy.exists()
    assert used_copy.read_bytes() == b"dossier still being read"
    # Nothing left to prune; the dossier's own finish removes its copy at once.
    assert prune_stale_copies(settings) == 0
    release_original(new, settings)
    assert not new_copy.exists()


def test_a_copy_whose_bytes_differ_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = LocalStore(tmp_path / "store")
    store.put_bytes("originals/a.pdf", b"what the store holds")
    with pytest.raises(ValueError, match="do not match"):
        local_original(store, "originals/a.pdf", hashlib.sha256(b"other").hexdigest(), settings)
    assert list((tmp_path / "data" / "work").glob("*/*")) == []

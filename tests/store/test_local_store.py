"""What only the directory backend has to get right: atomic files and honest sidecars."""

from __future__ import annotations

import hashlib
import os

import pytest

from dossier.store.keys import InvalidKeyError
from dossier.store.local import LocalStore


def test_layout_and_no_leftover_temp_files(tmp_path) -> None:
    store = LocalStore(tmp_path)
    store.put_bytes("ocr/d1/page-0001.json", b"{}")
    assert (tmp_path / "objects/ocr/d1/page-0001.json").read_bytes() == b"{}"
    assert (tmp_path / "meta/ocr/d1/page-0001.json.json").is_file()
    assert os.listdir(tmp_path / "tmp") == []


def test_url_is_a_file_uri(tmp_path) -> None:
    store = LocalStore(tmp_path)
    store.put_bytes("nlp/卷宗/case.json", b"{}")
    assert store.url("nlp/卷宗/case.json").startswith("file:///")


def test_a_sidecar_for_other_bytes_is_not_trusted(tmp_path) -> None:
    """A crash between the rename and the sidecar write must not leave a wrong hash."""
    store = LocalStore(tmp_path)
    store.put_bytes("ocr/d1/page-0001.json", b"first")
    path = tmp_path / "objects/ocr/d1/page-0001.json"
    replacement = tmp_path / "replacement"
    replacement.write_bytes(b"other")  # same size, other bytes, other inode
    os.replace(replacement, path)
    assert store.stat("ocr/d1/page-0001.json").sha256 == hashlib.sha256(b"other").hexdigest()


def test_missing_sidecar_is_rebuilt_from_the_bytes(tmp_path) -> None:
    store = LocalStore(tmp_path)
    store.put_bytes("a/b", b"bytes")
    (tmp_path / "meta/a/b.json").unlink()
    assert store.stat("a/b").sha256 == hashlib.sha256(b"bytes").hexdigest()


def test_an_object_cannot_also_be_a_folder(tmp_path) -> None:
    """S3 allows ``a/b`` and ``a/b/c`` side by side; a directory cannot, so it says so."""
    store = LocalStore(tmp_path)
    store.put_bytes("a/b", b"x")
    with pytest.raises(InvalidKeyError):
        store.put_bytes("a/b/c", b"y")
    assert store.get_bytes("a/b") == b"x"


def test_immutable_keys_are_placed_atomically(tmp_path) -> None:
    """Even past the check (a racing writer), other bytes never replace an original."""
    import io

    from dossier.store.base import ImmutableObjectError

    store = LocalStore(tmp_path)
    store.put_bytes("originals/d1/卷宗.pdf", b"first")
    other = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(ImmutableObjectError):
        store._put("originals/d1/卷宗.pdf", io.BytesIO(b"other"), 5, other, "x", {})
    assert store.get_bytes("originals/d1/卷宗.pdf") == b"first"
    same = hashlib.sha256(b"first").hexdigest()
    store._put("originals/d1/卷宗.pdf", io.BytesIO(b"first"), 5, same, "x", {})
    assert store.stat("originals/d1/卷宗.pdf").sha256 == same
    assert os.listdir(tmp_path / "tmp") == []

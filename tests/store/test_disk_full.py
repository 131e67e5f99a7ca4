"""A disk that fills up while the local store or the work folder writes: the write fails
clearly, and no half-written file is ever taken for a finished one.

The disk is made "full" for a child process with RLIMIT_FSIZE: every write past
1 MiB fails (EFBIG, SIGXFSZ ignored) exactly where a full disk fails with ENOSPC,
in the middle of a file, and no privileges are needed to set it up.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dossier.store.base import CorruptObjectError
from dossier.store.local import LocalStore

LIMIT = 1024 * 1024
TESTS = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import json, os, resource, signal, sys
    from pathlib import Path
    from dossier.settings import Settings
    from dossier.store.local import LocalStore
    from tasks.stages.workspace import local_original

    root, big, sha = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[4]), int(sys.argv[4])))
    store = LocalStore(root / "store")
    errors = {}
    try:
        store.put_file("pages/d1/page-0001.png", big)
    except OSError as error:
        errors["put"] = type(error).__name__ + ": " + os.strerror(error.errno or 0)
    try:
        store.put_stream("ocr/d1/page-0001.json", open(big, "rb"))
    except OSError as error:
        errors["put_stream"] = type(error).__name__ + ": " + os.strerror(error.errno or 0)
    try:
        local_original(store, "originals/d1/big.pdf", sha, Settings(data_dir=root / "data"))
    except OSError as error:
        errors["work_copy"] = type(error).__name__ + ": " + os.strerror(error.errno or 0)
    print(json.dumps(errors))
""")


def test_a_full_disk_leaves_no_half_written_object(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    big.write_bytes(os.urandom(2 * LIMIT))
    store = LocalStore(tmp_path / "store")
    kept = store.put_file("originals/d1/big.pdf", big)  # before the disk fills

    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), str(big), kept.sha256 or "", str(LIMIT)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(TESTS.parent)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    errors = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(errors) == {"put", "put_stream", "work_copy"}, errors
    assert all("File too large" in message for message in errors.values()), errors

    # Nothing under the keys, no temporary file left, no partial working copy.
    assert [info.key for info in store.list()] == ["originals/d1/big.pdf"]
    assert list((tmp_path / "store" / "tmp").iterdir()) == []
    work = tmp_path / "data" / "work"
    assert not work.exists() or [p for p in work.rglob("*") if p.is_file()] == []
    # With room again, the same writes succeed and read back whole.
    assert store.put_file("pages/d1/page-0001.png", big).size == big.stat().st_size
    assert store.get_bytes("pages/d1/page-0001.png") == big.read_bytes()


def test_a_local_object_cut_short_behind_the_store_is_refused(tmp_path: Path) -> None:
    """The same inode with fewer bytes than written: cut in place (a disk error, a
    hand edit). Reading it fails; it is not rehashed and trusted."""
    store = LocalStore(tmp_path / "store")
    store.put_bytes("ocr/d1/page-0001.json", b'{"text": "' + b"x" * 1000 + b'"}')
    path = tmp_path / "store" / "objects" / "ocr" / "d1" / "page-0001.json"
    with open(path, "r+b") as fh:
        fh.truncate(100)
    for read in (store.stat, store.get_bytes):
        with pytest.raises(CorruptObjectError, match="100 bytes on disk"):
            read("ocr/d1/page-0001.json")

"""Where an upload's bytes come from: an object key in the store, or a local path.

A local path is taken only when it names a regular file, decided by ``lstat``
(the link itself, never what it points to): a symbolic link to
``/etc/passwd`` or to ``data/services.env`` must not be copied into the store,
and opening a named pipe would block the batch forever. Every later open uses
``O_NOFOLLOW | O_NONBLOCK`` and checks ``fstat`` again, so a link or a pipe
swapped in after the check is refused too instead of followed or waited on.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from dossier.store.base import CHUNK, ObjectStore
from tasks.intake.detect import HEAD_BYTES
from tasks.intake.rejection import RejectedInput

Source = Path | str  # a local file, or a key in the store (usually incoming/<name>)

_NODE_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class InputNotFoundError(FileNotFoundError):
    """The path given does not exist: a typo, not a dossier to quarantine or review."""


def node_kind(mode: int) -> str:
    """What a non-regular path is, for the reason file."""
    return next((kind for test, kind in _NODE_KINDS if test(mode)), "not a regular file")


def check_local_upload(path: Path) -> os.stat_result:
    """The ``lstat`` of a regular file; :class:`RejectedInput` (``not_regular_file``) else.

    Raises :class:`InputNotFoundError` for a path that does not exist.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError as exc:
        raise InputNotFoundError(errno.ENOENT, "no such file", str(path)) from exc
    if not stat.S_ISREG(st.st_mode):
        raise RejectedInput(
            "not_regular_file", f"the path is {node_kind(st.st_mode)}, not a regular file"
        )
    return st


def node_fingerprint(path: Path) -> str:
    """What identifies a refused non-regular path without reading it: its kind, and for
    a link the text of its target (read with ``readlink``, never followed)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "missing"
    described = node_kind(st.st_mode)
    if stat.S_ISLNK(st.st_mode):
        with contextlib.suppress(OSError):
            described += " -> " + os.readlink(path)
    return hashlib.sha256(described.encode("utf-8", "surrogateescape")).hexdigest()


def open_local_upload(path: Path) -> BinaryIO:
    """Open a local upload for reading, refusing anything but a regular file."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError as exc:
        raise InputNotFoundError(errno.ENOENT, "no such file", str(path)) from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            raise RejectedInput(
                "not_regular_file", "the path is a symbolic link, not a regular file"
            ) from exc
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise RejectedInput(
            "not_regular_file", f"the path is {node_kind(st.st_mode)}, not a regular file"
        )
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


@contextlib.contextmanager
def utf8_named(path: Path, work_dir: Path) -> Iterator[Path]:
    """``path`` itself, or a hard link to it under a UTF-8 name while the block runs.

    A file name that is not UTF-8 (a GBK name from a Windows share) cannot travel as
    a flow parameter (JSON); the link gives the same inode a name that can, decoded
    as :func:`~dossier.store.keys.safe_filename` decodes it. A link or a pipe is
    linked as itself (never followed), so it is refused as it would be anyway.
    Falls back to a copy when ``work_dir`` is on another file system.
    """
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        yield path
        return
    from dossier.store.keys import safe_filename

    folder = work_dir / "names" / hashlib.sha256(os.fsencode(path)).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    alias = folder / safe_filename(path.name)
    alias.unlink(missing_ok=True)
    try:
        os.link(path, alias, follow_symlinks=False)
    except OSError:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            raise
        with open_local_upload(path) as src, open(alias, "wb") as dst:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                dst.write(chunk)
    try:
        yield alias
    finally:
        alias.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()


def source_size(store: ObjectStore, source: Source) -> int:
    if isinstance(source, Path):
        return check_local_upload(source).st_size
    return store.stat(source).size


@contextlib.contextmanager
def open_source(store: ObjectStore, source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, Path):
        with open_local_upload(source) as fh:
            yield fh
    else:
        with store.open(source) as fh:
            yield fh


def read_head(store: ObjectStore, source: Source, limit: int) -> bytes:
    """At most ``limit`` bytes from the start, reading no further."""
    with open_source(store, source) as fh:
        head = b""
        while len(head) < limit:
            chunk = fh.read(min(CHUNK, limit - len(head)))
            if not chunk:
                break
            head += chunk
        return head


class Digest:
    """sha256 and size of a stream, and its first bytes (for the format)."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.size = 0
        self.head = b""


def hash_stream(stream: BinaryIO, limit: int | None) -> Digest:
    """Hash to the end; :class:`RejectedInput` (``too_large``) once past ``limit`` bytes."""
    digest = Digest()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        if len(digest.head) < HEAD_BYTES:
            digest.head += chunk[: HEAD_BYTES - len(digest.head)]
        digest.sha.update(chunk)
        digest.size += len(chunk)
        if limit is not None and digest.size > limit:
            raise RejectedInput("too_large", f"more than {limit:,} bytes")
    return digest


def hash_source(store: ObjectStore, source: Source, limit: int | None) -> Digest:
    with open_source(store, source) as fh:
        return hash_stream(fh, limit)


def put_source(store: ObjectStore, source: Source, key: str, sha256: str) -> None:
    """Server-side copy for an object already in the store; an upload for a local file.

    ``sha256`` is what was hashed before: the bytes put must be those (a file
    rewritten or swapped meanwhile is not kept under a key named after others).
    """
    if isinstance(source, Path):
        check_local_upload(source)
        kept = store.put_file(key, source)
    else:
        kept = store.copy(source, key)
    if kept.sha256 is not None and kept.sha256 != sha256:  # None: put by another client
        raise RuntimeError(f"{key}: the upload changed while it was taken in")

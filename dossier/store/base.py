"""The object-store interface both backends implement.

Every object carries the sha256 of its bytes in its metadata, written at put
time: lineage records and dedupe read it back without downloading the object.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from dossier.store.keys import is_immutable, validate_key, validate_prefix

CHUNK = 1024 * 1024
# Above this a stream of unknown length is spooled to disk, so a large upload is
# never held in memory (the backends then read it back in parts).
SPOOL_IN_MEMORY = 8 * 1024 * 1024
SHA256_METADATA = "sha256"
_METADATA_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class ObjectNotFoundError(KeyError):
    """No object under that key."""


class CorruptObjectError(OSError):
    """The bytes under a key are not the ones the store wrote (cut short, changed in place)."""


class ImmutableObjectError(PermissionError):
    """Objects under originals/ are never deleted or replaced by other bytes."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    sha256: str | None
    last_modified: datetime | None = None
    content_type: str = "application/octet-stream"
    metadata: dict[str, str] = field(default_factory=dict)


def clean_metadata(metadata: dict[str, str] | None) -> dict[str, str]:
    """Lower-case names that survive as HTTP headers; ``sha256`` belongs to the store.

    S3 folds header names to lower case and allows few characters in them, so a
    name the local backend would keep could come back changed from MinIO.
    """
    cleaned: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        lowered = str(name).lower()
        if not _METADATA_NAME.match(lowered):
            raise ValueError(f"metadata name {name!r}: use a-z, 0-9 and '-'")
        if lowered == SHA256_METADATA:
            raise ValueError("metadata 'sha256' is written by the store itself")
        if not isinstance(value, str):
            raise TypeError(f"metadata {lowered!r} must be a str")
        cleaned[lowered] = value
    return cleaned


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(key: str, info: ObjectInfo, size: int, sha256: str) -> None:
    """Raise :class:`CorruptObjectError` unless the bytes read are those recorded at put."""
    if size != info.size:
        raise CorruptObjectError(f"{key}: read {size} bytes, the store recorded {info.size}")
    if info.sha256 is not None and sha256 != info.sha256:
        raise CorruptObjectError(f"{key}: the bytes read do not match their recorded sha256")


def spool_with_sha256(stream: BinaryIO) -> tuple[BinaryIO, int, str]:
    """Copy a stream of unknown length to a spooled temp file, hashing on the way.

    The hash must be known before the put, because it goes into the object's
    metadata; spooling keeps large uploads out of memory.
    """
    digest = hashlib.sha256()
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
        spool.write(chunk)
        size += len(chunk)
    spool.seek(0)
    return spool, size, digest.hexdigest()  # type: ignore[return-value]


class ObjectStore(ABC):
    """Keys are validated here, once, for both backends."""

    # --- writing -----------------------------------------------------------
    def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> ObjectInfo:
        key = validate_key(key)
        metadata = clean_metadata(metadata)
        sha = hashlib.sha256(data).hexdigest()
        self._guard_immutable(key, sha)
        return self._put(key, io.BytesIO(data), len(data), sha, content_type, metadata)

    def put_stream(
        self, key: str, stream: BinaryIO, content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> ObjectInfo:
        key = validate_key(key)
        metadata = clean_metadata(metadata)
        spool, size, sha = spool_with_sha256(stream)
        with spool:
            self._guard_immutable(key, sha)
            return self._put(key, spool, size, sha, content_type, metadata)

    def put_file(
        self, key: str, path: str | Path, content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> ObjectInfo:
        key = validate_key(key)
        metadata = clean_metadata(metadata)
        path = Path(path)
        sha = sha256_of_file(path)
        self._guard_immutable(key, sha)
        with open(path, "rb") as fh:
            return self._put(key, fh, path.stat().st_size, sha, content_type, metadata)

    def put_json(
        self, key: str, document: object, metadata: dict[str, str] | None = None
    ) -> ObjectInfo:
        """JSON as UTF-8 with Chinese kept readable, keys sorted for stable hashes."""
        data = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1).encode()
        return self.put_bytes(key, data, content_type="application/json", metadata=metadata)

    def copy(self, src: str, dst: str) -> ObjectInfo:
        src, dst = validate_key(src), validate_key(dst)
        info = self.stat(src)
        self._guard_immutable(dst, info.sha256)
        return self._copy(src, dst)

    def delete(self, key: str) -> None:
        key = validate_key(key)
        if is_immutable(key):
            raise ImmutableObjectError(f"{key} is immutable")
        self._delete(key)

    # --- reading -----------------------------------------------------------
    def get_bytes(self, key: str) -> bytes:
        """The object's bytes, checked against the size and sha256 recorded at put.

        A mismatch is read once more: the object may have been replaced (whole, never
        torn) between looking it up and reading it.
        """
        for attempt in (1, 2):
            info = self.stat(key)
            with self.open(key) as fh:
                data = fh.read()
            try:
                verify(key, info, len(data), hashlib.sha256(data).hexdigest())
            except CorruptObjectError:
                if attempt == 2:
                    raise
                continue
            return data
        raise AssertionError("unreachable")

    def get_json(self, key: str) -> object:
        return json.loads(self.get_bytes(key))

    def download(self, key: str, path: str | Path) -> Path:
        """Copy the object to ``path`` through a temporary name beside it, checked
        against the object's size and sha256 before it takes the name: a full disk
        or a dropped connection leaves no half-written file under ``path``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        info = self.stat(key)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            digest = hashlib.sha256()
            with self.open(key) as src, open(partial, "wb") as dst:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    digest.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            verify(key, info, partial.stat().st_size, digest.hexdigest())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return path

    def open(self, key: str) -> AbstractContextManager[BinaryIO]:
        """A readable stream of the object, for bytes too large to hold."""
        return self._open(validate_key(key))

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except ObjectNotFoundError:
            return False
        return True

    def stat(self, key: str) -> ObjectInfo:
        return self._stat(validate_key(key))

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every object whose key starts with ``prefix``, in key order."""
        return self._list(validate_prefix(prefix))

    @abstractmethod
    def url(self, key: str, expires_s: int = 3600) -> str:
        """A link a person can open: presigned for MinIO, file:// for a directory."""

    @property
    @abstractmethod
    def description(self) -> str:
        """Where the objects live, for people (no secrets)."""

    # --- backend hooks -----------------------------------------------------
    def _guard_immutable(self, key: str, sha256: str | None) -> None:
        if not is_immutable(key):
            return
        try:
            existing = self._stat(key)
        except ObjectNotFoundError:
            return
        if existing.sha256 != sha256:
            raise ImmutableObjectError(f"{key} exists with other content")

    @abstractmethod
    def _put(
        self, key: str, stream: BinaryIO, size: int, sha256: str, content_type: str,
        metadata: dict[str, str],
    ) -> ObjectInfo: ...

    @abstractmethod
    def _open(self, key: str) -> AbstractContextManager[BinaryIO]: ...

    @abstractmethod
    def _stat(self, key: str) -> ObjectInfo: ...

    @abstractmethod
    def _list(self, prefix: str) -> Iterator[ObjectInfo]: ...

    @abstractmethod
    def _copy(self, src: str, dst: str) -> ObjectInfo: ...

    @abstractmethod
    def _delete(self, key: str) -> None: ...

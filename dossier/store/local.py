"""The local-directory object store: the embedded default when no MinIO is configured.

Layout under ``root``::

    objects/<key>         the bytes
    meta/<key>.json       sha256, content type, user metadata, and the inode it describes
    tmp/                  writes in progress (same file system, so ``os.replace`` is atomic)

A reader never sees half an object: bytes are written to ``tmp/`` and moved into
place in one rename. The sidecar names the inode of the object it was written
for; if a crash or a concurrent writer leaves a sidecar that belongs to other
bytes, :meth:`stat` notices and hashes the file instead of trusting it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from dossier.store.base import (
    CHUNK,
    CorruptObjectError,
    ImmutableObjectError,
    ObjectInfo,
    ObjectNotFoundError,
    ObjectStore,
    clean_metadata,
    sha256_of_file,
)
from dossier.store.keys import InvalidKeyError, is_immutable, validate_key

SIDECAR_SUFFIX = ".json"


class LocalStore(ObjectStore):
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self._objects = self.root / "objects"
        self._meta = self.root / "meta"
        self._tmp = self.root / "tmp"
        for folder in (self._objects, self._meta, self._tmp):
            folder.mkdir(parents=True, exist_ok=True)

    @property
    def description(self) -> str:
        return f"local directory {self.root}"

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    # --- paths -------------------------------------------------------------
    def _object_path(self, key: str) -> Path:
        return self._objects / key

    def _meta_path(self, key: str) -> Path:
        return self._meta / (key + SIDECAR_SUFFIX)

    def _temp_file(self) -> tuple[BinaryIO, Path]:
        fd, name = tempfile.mkstemp(dir=self._tmp, prefix="put-")
        return os.fdopen(fd, "wb"), Path(name)

    # --- writing -----------------------------------------------------------
    def put_stream(
        self, key: str, stream: BinaryIO, content_type: str = "application/octet-stream",
        metadata: dict[str, str] | None = None,
    ) -> ObjectInfo:
        """Hash while writing straight into ``tmp/``: no spool, the bytes are written once."""
        key = validate_key(key)
        metadata = clean_metadata(metadata)
        digest = hashlib.sha256()
        fh, temp = self._temp_file()
        try:
            with fh:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    digest.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            sha = digest.hexdigest()
            self._guard_immutable(key, sha)
            return self._install(key, temp, sha, content_type, metadata)
        finally:
            temp.unlink(missing_ok=True)

    def _put(
        self, key: str, stream: BinaryIO, size: int, sha256: str, content_type: str,
        metadata: dict[str, str],
    ) -> ObjectInfo:
        fh, temp = self._temp_file()
        try:
            with fh:
                shutil.copyfileobj(stream, fh, CHUNK)
                fh.flush()
                os.fsync(fh.fileno())
            if temp.stat().st_size != size:
                raise OSError(f"{key}: wrote {temp.stat().st_size} bytes, expected {size}")
            return self._install(key, temp, sha256, content_type, metadata)
        finally:
            temp.unlink(missing_ok=True)

    def _install(
        self, key: str, temp: Path, sha256: str, content_type: str, metadata: dict[str, str],
    ) -> ObjectInfo:
        """Move a finished temp file into place, then write its sidecar."""
        target = self._object_path(key)
        self._make_parent(target, key)
        st = temp.stat()
        sidecar = {
            "sha256": sha256,
            "size": st.st_size,
            "inode": st.st_ino,
            "content_type": content_type,
            "metadata": metadata,
        }
        if is_immutable(key):
            self._link_once(key, temp, target, sha256)
        else:
            os.replace(temp, target)
        self._write_sidecar(key, sidecar)
        return self._info(key, target.stat(), sidecar)

    def _link_once(self, key: str, temp: Path, target: Path, sha256: str) -> None:
        """Place an immutable object only if the key is free, atomically.

        ``os.link`` fails when the name exists, so two writers racing with
        different bytes cannot both pass the check in ``_guard_immutable``.
        """
        try:
            os.link(temp, target)
        except FileExistsError:
            if sha256_of_file(target) != sha256:
                raise ImmutableObjectError(f"{key} exists with other content") from None
            # The same bytes are already there: the sidecar below describes them.
            os.replace(temp, target)

    def _write_sidecar(self, key: str, sidecar: dict) -> None:
        path = self._meta_path(key)
        self._make_parent(path, key)
        fh, temp = self._temp_file()
        try:
            with fh:
                fh.write(json.dumps(sidecar, ensure_ascii=False, sort_keys=True).encode())
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)

    @staticmethod
    def _make_parent(path: Path, key: str) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            # S3 allows both "a/b" and "a/b/c"; a directory tree cannot hold both.
            raise InvalidKeyError(f"{key}: a parent segment is already an object") from exc

    def _copy(self, src: str, dst: str) -> ObjectInfo:
        source = self._object_path(src)
        fh, temp = self._temp_file()
        fh.close()
        try:
            shutil.copyfile(source, temp)
            sidecar = self._sidecar(src, source.stat())
            return self._install(
                dst, temp, sidecar["sha256"], sidecar["content_type"], sidecar["metadata"]
            )
        finally:
            temp.unlink(missing_ok=True)

    def _delete(self, key: str) -> None:
        target = self._object_path(key)
        try:
            target.unlink()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return
        finally:
            self._meta_path(key).unlink(missing_ok=True)
        self._prune(target.parent, self._objects)
        self._prune(self._meta_path(key).parent, self._meta)

    @staticmethod
    def _prune(folder: Path, stop: Path) -> None:
        """Remove folders left empty, so listings and ``a/b`` vs ``a/b/c`` stay clean."""
        while folder != stop and stop in folder.parents:
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent

    # --- reading -----------------------------------------------------------
    def _open(self, key: str) -> AbstractContextManager[BinaryIO]:
        try:
            return open(self._object_path(key), "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise ObjectNotFoundError(key) from exc

    def _stat(self, key: str) -> ObjectInfo:
        path = self._object_path(key)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise ObjectNotFoundError(key) from exc
        if not path.is_file():
            raise ObjectNotFoundError(key)
        return self._info(key, st, self._sidecar(key, st))

    def _sidecar(self, key: str, st: os.stat_result) -> dict:
        """The sidecar if it describes these bytes; rebuilt from the file otherwise."""
        try:
            sidecar = json.loads(self._meta_path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            sidecar = {}
        if sidecar.get("inode") == st.st_ino:
            if sidecar.get("size") != st.st_size:
                # Every write goes to a new inode (temp file, then rename): the same inode
                # with another size was cut or changed in place, behind the store's back.
                raise CorruptObjectError(
                    f"{key}: {st.st_size} bytes on disk, {sidecar.get('size')} written")
            return sidecar
        return {  # a crash between the rename and the sidecar: the bytes are whole
            "sha256": sha256_of_file(self._object_path(key)),
            "size": st.st_size,
            "inode": st.st_ino,
            "content_type": sidecar.get("content_type", "application/octet-stream"),
            "metadata": sidecar.get("metadata", {}),
        }

    def _info(self, key: str, st: os.stat_result, sidecar: dict) -> ObjectInfo:
        return ObjectInfo(
            key=key,
            size=st.st_size,
            sha256=sidecar["sha256"],
            last_modified=datetime.fromtimestamp(st.st_mtime, tz=UTC),
            content_type=sidecar.get("content_type", "application/octet-stream"),
            metadata=dict(sidecar.get("metadata", {})),
        )

    def _list(self, prefix: str) -> Iterator[ObjectInfo]:
        # Only the folder the prefix pins down needs walking.
        base = prefix.rsplit("/", 1)[0] + "/" if "/" in prefix else ""
        start = self._objects / base if base else self._objects
        if not start.is_dir():
            return
        keys = []
        for dirpath, _dirnames, filenames in os.walk(start):
            rel = Path(dirpath).relative_to(self._objects).as_posix()
            for name in filenames:
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        for key in sorted(keys):
            with contextlib.suppress(ObjectNotFoundError):
                yield self._stat(key)

    def url(self, key: str, expires_s: int = 3600) -> str:
        """A ``file://`` URI; it does not expire, so ``expires_s`` is ignored."""
        key = validate_key(key)
        self._stat(key)
        return self._object_path(key).as_uri()

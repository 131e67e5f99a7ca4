"""The MinIO object store: one bucket per environment (``dossiers-<environment>``).

User metadata travels as ``x-amz-meta-*`` headers, which must be US-ASCII; values
are percent-encoded on the way in and decoded on the way out so a Chinese file
name can be kept in metadata as well as in the key.
"""

from __future__ import annotations

import math
import os
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

import urllib3
from minio import Minio
from minio.commonconfig import GOVERNANCE, ComposeSource, CopySource
from minio.error import S3Error
from minio.retention import Retention
from urllib3.util import Retry, Timeout

from dossier.store.base import (
    SHA256_METADATA,
    ObjectInfo,
    ObjectNotFoundError,
    ObjectStore,
)
from dossier.store.keys import is_immutable, validate_key

META_PREFIX = "x-amz-meta-"
_NOT_FOUND = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}
# The smallest S3 part: with one upload thread at most two parts are in memory at
# once, so a large object is never held whole.
PART_SIZE = 5 * 1024 * 1024
MAX_PARTS = 10_000
MAX_COPY_BYTES = 5 * 1024**3
# A request MinIO does not answer (stopped, restarting, "server not initialized") is
# retried with backoff 0.5 s doubling to 10 s: 10 connection attempts wait ~65 s in all,
# long enough for a restart, so a short outage delays a run instead of failing its pages.
# Connection errors are retried whatever the method (the request never reached the
# server); read errors and 5xx answers only for idempotent methods (urllib3's default).
CONNECT_RETRIES = 10
BACKOFF_S, BACKOFF_MAX_S = 0.5, 10.0
REQUEST_TIMEOUT_S = 300
# Printable ASCII but '%', so encoding is reversible and plain values stay readable.
_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")


def _encode(value: str) -> str:
    return urllib.parse.quote(value, safe=_SAFE)


def _decode(value: str) -> str:
    return urllib.parse.unquote(value)


def _user_metadata(headers: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
    """Split ``x-amz-meta-*`` headers (or listing metadata) into sha256 and the rest."""
    sha: str | None = None
    metadata: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if not lowered.startswith(META_PREFIX):
            continue
        short = lowered[len(META_PREFIX):]
        if short == SHA256_METADATA:
            sha = value
        else:
            metadata[short] = _decode(value)
    return sha, metadata


def http_client(connect_retries: int = CONNECT_RETRIES) -> urllib3.PoolManager:
    """minio-py's own pool settings, with retries that outlast a MinIO restart."""
    import certifi

    return urllib3.PoolManager(
        timeout=Timeout(connect=REQUEST_TIMEOUT_S, read=REQUEST_TIMEOUT_S),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=Retry(
            total=None, connect=connect_retries, read=2, status=5, other=0,
            backoff_factor=BACKOFF_S, backoff_max=BACKOFF_MAX_S,
            status_forcelist=[500, 502, 503, 504],
        ),
    )


def _part_size(size: int) -> int:
    """5 MiB parts unless the object would need more than S3's 10,000."""
    needed = math.ceil(size / MAX_PARTS) if size > 0 else PART_SIZE
    mib = 1024 * 1024
    return max(PART_SIZE, math.ceil(needed / mib) * mib)


class MinioStore(ObjectStore):
    def __init__(
        self, endpoint: str, access_key: str, secret_key: str, bucket: str,
        secure: bool = False, originals_retention_days: int = 3650,
    ) -> None:
        self.endpoint = endpoint
        self.bucket = bucket
        self.secure = secure
        self.originals_retention_days = originals_retention_days
        self._client = Minio(endpoint, access_key=access_key, secret_key=secret_key,
                             secure=secure, http_client=http_client())
        self.ensure_bucket()
        self.locked = self._has_object_lock()

    def _has_object_lock(self) -> bool:
        """Whether the bucket was made with object locking (then originals get retention)."""
        try:
            self._client.get_object_lock_config(self.bucket)
        except S3Error as exc:
            if exc.code in ("ObjectLockConfigurationNotFoundError", "AccessDenied"):
                return False
            raise
        return True

    def _retention(self, key: str) -> Retention | None:
        """GOVERNANCE retention for an original in a locked bucket, else None."""
        if not (self.locked and is_immutable(key)):
            return None
        until = datetime.now(UTC).replace(microsecond=0) + timedelta(
            days=self.originals_retention_days)
        return Retention(GOVERNANCE, until)

    @property
    def client(self) -> Minio:
        """The underlying client, for bucket notifications and administration."""
        return self._client

    @property
    def description(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"MinIO {scheme}://{self.endpoint}/{self.bucket}"

    def __repr__(self) -> str:
        return f"MinioStore({self.endpoint!r}, bucket={self.bucket!r})"

    def ensure_bucket(self) -> None:
        try:
            if self._client.bucket_exists(self.bucket):
                return
        except S3Error as exc:
            # A component without the right to look (the watcher lists incoming/ only)
            # has no right to make buckets either: the bucket is the services' to make.
            if exc.code == "AccessDenied":
                return
            raise
        try:
            self._client.make_bucket(self.bucket)
        except S3Error as exc:
            # Another process made it between the check and the call.
            if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise

    # --- writing -----------------------------------------------------------
    def _put(
        self, key: str, stream: BinaryIO, size: int, sha256: str, content_type: str,
        metadata: dict[str, str],
    ) -> ObjectInfo:
        headers = {name: _encode(value) for name, value in metadata.items()}
        headers[SHA256_METADATA] = sha256
        self._client.put_object(
            self.bucket, key, stream, size, content_type=content_type, metadata=headers,
            part_size=_part_size(size), num_parallel_uploads=1, retention=self._retention(key),
        )
        return self._stat(key)

    def _copy(self, src: str, dst: str) -> ObjectInfo:
        source = self._stat(src)
        if source.size <= MAX_COPY_BYTES:
            # The default metadata directive is COPY: sha256 and user metadata carry over.
            self._client.copy_object(self.bucket, dst, CopySource(self.bucket, src),
                                     retention=self._retention(dst))
        else:
            headers = {name: _encode(value) for name, value in source.metadata.items()}
            headers[SHA256_METADATA] = source.sha256 or ""
            headers["Content-Type"] = source.content_type
            self._client.compose_object(
                self.bucket, dst, [ComposeSource(self.bucket, src)], metadata=headers,
                retention=self._retention(dst),
            )
        return self._stat(dst)

    def _delete(self, key: str) -> None:
        self._client.remove_object(self.bucket, key)

    # --- reading -----------------------------------------------------------
    def _open(self, key: str) -> AbstractContextManager[BinaryIO]:
        try:
            response = self._client.get_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _NOT_FOUND:
                raise ObjectNotFoundError(key) from exc
            raise
        return self._closing(response)

    @staticmethod
    @contextmanager
    def _closing(response) -> Iterator[BinaryIO]:
        """Release the pooled connection whatever the reader did with the stream."""
        try:
            yield response
        finally:
            response.close()
            response.release_conn()

    def _stat(self, key: str) -> ObjectInfo:
        try:
            obj = self._client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _NOT_FOUND:
                raise ObjectNotFoundError(key) from exc
            raise
        sha, metadata = _user_metadata(obj.metadata or {})
        return ObjectInfo(
            key=key,
            size=obj.size or 0,
            sha256=sha,
            last_modified=obj.last_modified,
            content_type=obj.content_type or "application/octet-stream",
            metadata=metadata,
        )

    def _list(self, prefix: str) -> Iterator[ObjectInfo]:
        # S3 lists in UTF-8 byte order, which is code-point order: the local order.
        for obj in self._client.list_objects(
            self.bucket, prefix=prefix or None, recursive=True, include_user_meta=True
        ):
            if obj.is_dir or obj.object_name is None:
                continue
            listed = obj.metadata or {}
            sha, metadata = _user_metadata(listed)
            # MinIO puts the content type among the listed metadata, not in its own field.
            content_type = obj.content_type or next(
                (v for k, v in listed.items() if k.lower() == "content-type"),
                "application/octet-stream",
            )
            yield ObjectInfo(
                key=obj.object_name,
                size=obj.size or 0,
                sha256=sha,
                last_modified=obj.last_modified,
                content_type=content_type,
                metadata=metadata,
            )

    def url(self, key: str, expires_s: int = 3600) -> str:
        """A presigned GET, valid ``expires_s`` seconds (S3 allows at most 7 days)."""
        key = validate_key(key)
        self._stat(key)
        return self._client.presigned_get_object(
            self.bucket, key, expires=timedelta(seconds=expires_s)
        )

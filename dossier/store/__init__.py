"""Object storage: one interface, a MinIO backend and a local-directory backend."""

from __future__ import annotations

from dossier.settings import Settings, get_settings
from dossier.store.base import (
    CorruptObjectError,
    ImmutableObjectError,
    ObjectInfo,
    ObjectNotFoundError,
    ObjectStore,
)
from dossier.store.keys import InvalidKeyError

__all__ = [
    "CorruptObjectError",
    "ImmutableObjectError",
    "InvalidKeyError",
    "ObjectInfo",
    "ObjectNotFoundError",
    "ObjectStore",
    "get_store",
]


def get_store(settings: Settings | None = None) -> ObjectStore:
    """MinIO when ``minio_endpoint`` is set, the local directory otherwise.

    Imports are deferred so the embedded default never loads the MinIO client.
    """
    settings = settings or get_settings()
    if settings.uses_minio:
        from dossier.store.minio_store import MinioStore

        if not settings.minio_access_key or settings.minio_secret_key is None:
            raise ValueError(
                "DOSSIER_MINIO_ENDPOINT is set but the access key or secret key is missing"
            )
        return MinioStore(
            endpoint=settings.minio_endpoint or "",
            access_key=settings.minio_access_key,
            secret_key=settings.minio_secret_key.get_secret_value(),
            bucket=settings.bucket or f"dossiers-{settings.environment}",
            secure=settings.minio_secure,
            originals_retention_days=settings.originals_retention_days,
        )
    from dossier.store.local import LocalStore

    assert settings.store_dir is not None  # resolved by Settings
    return LocalStore(settings.store_dir)

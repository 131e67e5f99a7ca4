"""A MinIO store on a bucket of its own for one test or session, removed afterwards.

Shared by the store contract suite and the intake tests: both need the real
server (``services_env``) without touching each other's objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from dossier.store.minio_store import MinioStore


def empty_bucket(store: MinioStore) -> None:
    """Remove every object with the raw client: originals/ is immutable through the store."""
    from minio.deleteobjects import DeleteObject

    client = store.client
    names = [
        DeleteObject(obj.object_name)
        for obj in client.list_objects(store.bucket, recursive=True)
        if obj.object_name
    ]
    errors = list(client.remove_objects(store.bucket, names)) if names else []
    assert errors == [], errors


@contextmanager
def temporary_bucket_store(env: dict[str, str], prefix: str) -> Iterator[MinioStore]:
    store = MinioStore(
        endpoint=env["DOSSIER_MINIO_ENDPOINT"],
        access_key=env["DOSSIER_MINIO_ACCESS_KEY"],
        secret_key=env["DOSSIER_MINIO_SECRET_KEY"],
        bucket=f"{prefix}-{uuid.uuid4().hex[:12]}",
    )
    try:
        yield store
    finally:
        empty_bucket(store)
        store.client.remove_bucket(store.bucket)

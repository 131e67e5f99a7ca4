"""Both object-store backends, for one contract suite.

The MinIO side runs against the real server from ``dossier services up``
(``services_env`` in tests/conftest.py), in a bucket of its own that is removed
when the session ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dossier.store.base import ObjectStore
from dossier.store.local import LocalStore


def _empty_bucket(store) -> None:
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


@pytest.fixture(scope="session")
def minio_session_store(services_env: dict[str, str]) -> Iterator[ObjectStore]:
    from dossier.store.minio_store import MinioStore

    store = MinioStore(
        endpoint=services_env["DOSSIER_MINIO_ENDPOINT"],
        access_key=services_env["DOSSIER_MINIO_ACCESS_KEY"],
        secret_key=services_env["DOSSIER_MINIO_SECRET_KEY"],
        bucket=f"test-store-{uuid.uuid4().hex[:12]}",
    )
    try:
        yield store
    finally:
        _empty_bucket(store)
        store.client.remove_bucket(store.bucket)


@pytest.fixture(params=["local", pytest.param("minio", marks=pytest.mark.services)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    """An empty store of each backend."""
    if request.param == "local":
        yield LocalStore(tmp_path / "store")
        return
    minio_store = request.getfixturevalue("minio_session_store")
    _empty_bucket(minio_store)
    yield minio_store

"""Both object-store backends, for one contract suite.

The MinIO side runs against the real server from ``dossier services up``
(``services_env`` in tests/conftest.py), in a bucket of its own that is removed
when the session ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from minio_buckets import empty_bucket, temporary_bucket_store

from dossier.store.base import ObjectStore
from dossier.store.local import LocalStore


@pytest.fixture(scope="session")
def minio_session_store(services_env: dict[str, str]) -> Iterator[ObjectStore]:
    with temporary_bucket_store(services_env, "test-store") as store:
        yield store


@pytest.fixture(params=["local", pytest.param("minio", marks=pytest.mark.services)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    """An empty store of each backend."""
    if request.param == "local":
        yield LocalStore(tmp_path / "store")
        return
    minio_store = request.getfixturevalue("minio_session_store")
    empty_bucket(minio_store)
    yield minio_store

"""``get_store`` picks the backend from settings."""

from __future__ import annotations

import uuid

import pytest

from dossier.settings import Settings
from dossier.store import get_store
from dossier.store.local import LocalStore


def test_local_directory_without_minio(tmp_path) -> None:
    store = get_store(Settings(data_dir=tmp_path, store_dir=None, minio_endpoint=None))
    assert isinstance(store, LocalStore)
    assert store.root == (tmp_path / "store").resolve()


def test_minio_endpoint_without_credentials_is_an_error(tmp_path) -> None:
    settings = Settings(
        data_dir=tmp_path, minio_endpoint="127.0.0.1:1", minio_access_key=None,
        minio_secret_key=None,
    )
    with pytest.raises(ValueError, match="access key or secret key"):
        get_store(settings)


@pytest.mark.services
def test_minio_when_an_endpoint_is_set(tmp_path, services_env) -> None:
    from dossier.store.minio_store import MinioStore

    bucket = f"test-factory-{uuid.uuid4().hex[:12]}"
    settings = Settings(
        data_dir=tmp_path,
        minio_endpoint=services_env["DOSSIER_MINIO_ENDPOINT"],
        minio_access_key=services_env["DOSSIER_MINIO_ACCESS_KEY"],
        minio_secret_key=services_env["DOSSIER_MINIO_SECRET_KEY"],
        bucket=bucket,
    )
    store = get_store(settings)
    try:
        assert isinstance(store, MinioStore)
        assert store.client.bucket_exists(bucket)
        store.put_bytes("incoming/x", b"x")
        assert store.get_bytes("incoming/x") == b"x"
    finally:
        store.client.remove_object(bucket, "incoming/x")
        store.client.remove_bucket(bucket)

"""Fixtures of the intake tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from minio_buckets import temporary_bucket_store
from PIL import Image

from dossier.settings import Settings
from dossier.store.base import ObjectStore
from dossier.store.local import LocalStore
from intake.marks import DPI, marked_page


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", render_dpi=DPI)


@pytest.fixture(scope="session")
def pages() -> list[Image.Image]:
    """Twelve marked pages: page 10-12 catch a string sort of page1..page12."""
    return [marked_page(number) for number in range(1, 13)]


@pytest.fixture(params=["local", pytest.param("minio", marks=pytest.mark.services)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    """An empty store of each backend (MinIO: a bucket of the test's own)."""
    if request.param == "local":
        yield LocalStore(tmp_path / "store")
        return
    with temporary_bucket_store(request.getfixturevalue("services_env"), "test-intake") as s:
        yield s

"""Fixtures of the intake tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from dossier.settings import Settings
from intake.marks import DPI, marked_page


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", render_dpi=DPI)


@pytest.fixture(scope="session")
def pages() -> list[Image.Image]:
    """Twelve marked pages: page 10-12 catch a string sort of page1..page12."""
    return [marked_page(number) for number in range(1, 13)]

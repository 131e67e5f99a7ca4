"""Random access (``load_page``) gives the same pages as streaming (``iter_pages``).

The page tasks of the ingest flow load their page by number, in parallel; a
mismatch here would put page 11's text under page 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops

from dossier.samples import formats
from dossier.settings import Settings
from intake.marks import DPI, read_mark
from intake.test_paginate_formats import MULTI_PAGE
from tasks.intake.paginate import count_pages, iter_pages, load_page


@pytest.mark.parametrize("kind", sorted(MULTI_PAGE))
def test_load_page_matches_iter_pages(
    kind: str, pages: list[Image.Image], tmp_path: Path, settings: Settings
) -> None:
    name, write = MULTI_PAGE[kind]
    path = write(pages, tmp_path / name)
    streamed = list(iter_pages(path, settings))
    for number in (len(pages), 1, 10, 2):  # out of order, as parallel tasks ask
        loaded = load_page(path, number, settings)
        assert loaded.page == number
        assert read_mark(loaded.image) == number
        same = streamed[number - 1]
        assert loaded.image.size == same.image.size
        assert ImageChops.difference(loaded.image, same.image).getbbox() is None
        assert loaded.dpi == same.dpi


def test_zip_holding_a_multi_page_tiff(
    pages: list[Image.Image], tmp_path: Path, settings: Settings
) -> None:
    tiff = formats.write_tiff(pages[:3], tmp_path / "volume.tif", dpi=DPI)
    single = tmp_path / "page.png"
    formats.write_image(pages[3], single, dpi=DPI)
    archive = tmp_path / "dossier.zip"
    import zipfile

    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(tiff, "a-volume.tif")
        zf.write(single, "b-page.png")
    assert count_pages(archive, settings) == 4
    assert [read_mark(load_page(archive, n, settings).image) for n in (4, 1, 3, 2)] == [4, 1, 3, 2]


def test_page_out_of_range(pages: list[Image.Image], tmp_path: Path, settings: Settings) -> None:
    path = formats.write_tiff(pages[:2], tmp_path / "two.tif", dpi=DPI)
    with pytest.raises(IndexError):
        load_page(path, 3, settings)

"""Pages stream: a dossier's page images are never all held at once.

The check is on object lifetimes, not on timing or RSS: with every previous
page dropped by the consumer, no earlier page image may survive a garbage
collection, and the generator itself keeps none alive between pages.
"""

from __future__ import annotations

import gc
import inspect
import weakref
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from dossier.samples import formats
from dossier.settings import Settings
from intake.marks import DPI, marked_page
from tasks.intake.paginate import iter_pages
from tasks.intake.rejection import RejectedInput

PAGES = 12


def _write(kind: str, tmp_path: Path) -> Path:
    pages = (marked_page(number) for number in range(1, PAGES + 1))  # lazily made, too
    if kind == "tiff":
        return formats.write_tiff(pages, tmp_path / "x.tif", dpi=DPI)
    if kind == "pdf":
        return formats.write_scanned_pdf(pages, tmp_path / "x.pdf", dpi=DPI)
    return formats.write_zip(pages, tmp_path / "x.zip", dpi=DPI)


@pytest.mark.parametrize("kind", ["tiff", "pdf", "zip"])
def test_one_page_image_alive_at_a_time(kind: str, tmp_path: Path, settings: Settings) -> None:
    path = _write(kind, tmp_path)
    pages = iter_pages(path, settings)
    assert inspect.isgenerator(pages)
    refs: list[weakref.ref[Image.Image]] = []
    for page in pages:
        refs.append(weakref.ref(page.image))
        # Every earlier page was dropped (checked below), so only this one is alive.
        assert sum(ref() is not None for ref in refs) == 1, f"page {page.page}"
        del page
        gc.collect()
        # Dropped by the consumer, so gone: the generator holds no page between pages.
        assert all(ref() is None for ref in refs)
    assert len(refs) == PAGES


def test_pages_arrive_before_the_rest_is_read(tmp_path: Path, settings: Settings) -> None:
    """A corrupt last member is only met after the good pages were handed out."""
    path = formats.write_zip(
        [marked_page(number) for number in range(1, 4)], tmp_path / "x.zip", reverse_order=False
    )
    with zipfile.ZipFile(path, "a") as archive:
        broken = formats.encode_image(marked_page(4))
        archive.writestr("page4.png", broken[: len(broken) // 2])
    seen = []
    with pytest.raises(RejectedInput) as rejected:
        for page in iter_pages(path, settings):
            seen.append(page.page)
    assert seen == [1, 2, 3]
    assert rejected.value.reason == "truncated"


def test_a_consumer_that_keeps_pages_keeps_them(tmp_path: Path, settings: Settings) -> None:
    """The check above can fail: held pages stay alive (weakrefs see real objects)."""
    path = _write("tiff", tmp_path)
    held = list(iter_pages(path, settings))
    refs = [weakref.ref(page.image) for page in held]
    gc.collect()
    assert all(ref() is not None for ref in refs)

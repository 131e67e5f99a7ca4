"""Cut a dossier file into pages, one at a time (分页).

The format comes from the magic bytes. Pages stream: a 300-page scan never
has more than one page image decoded here, so memory does not grow with the
dossier. Every refusal is a :class:`RejectedInput` with a reason code; the
checks that need no decoding run before the first page is produced.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from PIL import Image

from dossier.settings import Settings, get_settings
from schemas.ocr import PageSource
from tasks.intake.archive import count_zip_pages, iter_zip_pages, load_zip_page
from tasks.intake.detect import InputFormat, detect_format
from tasks.intake.images import (
    count_frames,
    iter_frames,
    iter_single,
    load_frame,
    open_image,
    read_single,
)
from tasks.intake.pdf import PdfPage, count_pdf_pages, iter_pdf_pages, load_pdf_page
from tasks.intake.rejection import RejectedInput, masked_filename

T = TypeVar("T")


@dataclass(eq=False)
class PageInput:
    """One page ready for OCR (or already read, when ``text_layer`` is set)."""

    page: int  # 1-based, in reading order
    image: Image.Image  # mode "RGB" or "L"
    text_layer: str | None
    source: PageSource  # "text-layer" when text_layer is used, else "ocr"
    dpi: int | None  # of ``image``; None when an image file does not say


def count_pages(path: Path, settings: Settings | None = None) -> int:
    """Pages in the file, checking every limit that needs no page decoded.

    Raises :class:`RejectedInput`. Cheap: PDF page sizes come from the page
    tree, TIFF and ZIP members from their image headers.
    """
    settings = settings or get_settings()
    path = Path(path)
    what = masked_filename(path.name)  # for messages: no names of people
    kind = detect_format(path)
    if kind == "pdf":
        return count_pdf_pages(path, settings)
    if kind == "zip":
        return count_zip_pages(path, settings)
    if kind == "tiff":
        return count_frames(path, settings, what, max_frames=settings.max_pages)
    open_image(path, settings, what).close()
    return 1


def iter_pages(path: Path, settings: Settings | None = None) -> Iterator[PageInput]:
    """Pages in reading order, decoded one at a time (a generator).

    Raises :class:`RejectedInput`, at the first ``next()`` for anything found
    before decoding, or later for a page that turns out corrupt.
    """
    settings = settings or get_settings()
    path = Path(path)
    what = masked_filename(path.name)  # for messages: no names of people
    kind: InputFormat = detect_format(path)
    if kind == "pdf":
        yield from _numbered(iter_pdf_pages(path, settings), _from_pdf)
        return
    if kind == "zip":
        frames = iter_zip_pages(path, settings)
    elif kind == "tiff":
        frames = iter_frames(path, settings, what, max_frames=settings.max_pages)
    else:
        frames = iter_single(path, settings, what)
    yield from _numbered(frames, _from_frame)


def _from_pdf(number: int, pdf_page: PdfPage) -> PageInput:
    return PageInput(
        page=number,
        image=pdf_page.image,
        text_layer=pdf_page.text_layer,
        source="text-layer" if pdf_page.text_layer is not None else "ocr",
        dpi=pdf_page.dpi,
    )


def _from_frame(number: int, frame: tuple[Image.Image, int | None]) -> PageInput:
    image, dpi = frame
    return PageInput(page=number, image=image, text_layer=None, source="ocr", dpi=dpi)


def _numbered(items: Iterator[T], make: Callable[[int, T], PageInput]) -> Iterator[PageInput]:
    """Number pages without holding one: a ``for`` variable would keep the last page
    alive while the next is decoded, doubling the peak."""
    for number in itertools.count(1):
        try:
            yield make(number, next(items))
        except StopIteration:
            return


def load_page(path: Path, page: int, settings: Settings | None = None) -> PageInput:
    """Page ``page`` (1-based) alone, for page tasks that run in parallel.

    Same pages as :func:`iter_pages`, by random access: a PDF page is rendered,
    a TIFF frame sought, a ZIP member inflated (under the bomb limits) on its
    own. Raises :class:`RejectedInput` for a corrupt page, ``IndexError`` for a
    page that does not exist.
    """
    settings = settings or get_settings()
    path = Path(path)
    what = masked_filename(path.name)  # for messages: no names of people
    kind: InputFormat = detect_format(path)
    if kind == "pdf":
        pdf_page = load_pdf_page(path, page - 1, settings)
        return PageInput(
            page=page,
            image=pdf_page.image,
            text_layer=pdf_page.text_layer,
            source="text-layer" if pdf_page.text_layer is not None else "ocr",
            dpi=pdf_page.dpi,
        )
    if kind == "zip":
        image, dpi = load_zip_page(path, page, settings)
    elif kind == "tiff":
        image, dpi = load_frame(path, page - 1, settings, what)
    elif page == 1:
        image, dpi = read_single(path, settings, what)
    else:
        raise IndexError(f"page {page} of a single image")
    return PageInput(page=page, image=image, text_layer=None, source="ocr", dpi=dpi)


__all__ = ["PageInput", "RejectedInput", "count_pages", "iter_pages", "load_page"]

"""PDF pages with pypdfium2: the text layer where a page has real text, a render otherwise.

A page's text layer is trusted only when it is real text a reader sees:
enough letters, digits or 汉字, little garbage (fonts without a Unicode map
extract as control or private-use characters), and no scan underneath. A
page mostly covered by images is a scan even if it carries some text (an
OCR sandwich, a typed header over a scanned sheet): it is rendered and OCR'd,
because a text layer there says nothing about the rest of the page.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from dossier.settings import Settings
from tasks.intake.images import check_page_pixels
from tasks.intake.rejection import RejectedInput

POINTS_PER_INCH = 72
TEXT_LAYER_DPI = 150  # the page image beside a text layer is for people, not OCR
MIN_TEXT_CHARS = 20  # letters, digits and 汉字 a page needs before its text layer counts
MAX_GARBAGE_SHARE = 0.1  # of non-space characters: U+FFFD, control, private use, unassigned
SCAN_COVERAGE = 0.5  # share of the page area under images that makes it a scan
EOF_WINDOW = 2048  # bytes at the end searched for %%EOF
MAX_FORM_DEPTH = 15  # form XObjects inside form XObjects searched for images (pypdfium2's default)

# PDFium is not thread-safe, not even across documents (pypdfium2's docs: "it is not
# allowed to call pdfium functions simultaneously across different threads"), and page
# tasks run in threads. Every call into PDFium from this module holds this lock.
PDFIUM_LOCK = threading.RLock()


@dataclass(frozen=True)
class PdfPage:
    image: Image.Image
    text_layer: str | None
    dpi: int


def _has_eof_marker(path: Path) -> bool:
    """A complete PDF ends with ``%%EOF``; a cut-off upload does not."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(max(0, size - EOF_WINDOW))
        return b"%%EOF" in fh.read()


def open_pdf(path: Path) -> pdfium.PdfDocument:
    """Open, mapping PDFium's load errors to rejection reasons."""
    complete = _has_eof_marker(path)
    try:
        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise RejectedInput("encrypted", "the PDF is password-protected") from exc
        if not complete:
            raise RejectedInput("truncated", "the PDF is cut off (no %%EOF)") from exc
        raise RejectedInput("unreadable", f"PDFium cannot read the PDF: {exc}") from exc
    if not complete:
        with PDFIUM_LOCK:
            pdf.close()
        raise RejectedInput("truncated", "the PDF is cut off (no %%EOF at its end)")
    return pdf


def _render_size(width_pt: float, height_pt: float, dpi: int) -> tuple[int, int]:
    scale = dpi / POINTS_PER_INCH
    # PDFium sizes the bitmap with ceil(); the limit must see the same numbers.
    return math.ceil(width_pt * scale), math.ceil(height_pt * scale)


def check_pdf(pdf: pdfium.PdfDocument, settings: Settings) -> int:
    """Page count, after checking the page limit, then each page against the pixel limit.

    The count comes first: a page tree may declare 100,000 pages it does not hold,
    or contain itself, and only the count says so without touching a page. Then
    every page is loaded (its objects parsed, nothing rendered): a page missing
    from a lying tree is refused as ``unreadable``, and an image drawn on a page
    is held to the same pixel limit as a page (a 50,000 x 50,000 image on an A4
    page costs seconds of inflating per render, whatever the page's size).
    """
    with PDFIUM_LOCK:
        count = len(pdf)
    if count == 0:
        raise RejectedInput("empty", "the PDF has no pages")
    if count > settings.max_pages:
        raise RejectedInput(
            "too_many_pages", f"the PDF has {count} pages, limit {settings.max_pages}"
        )
    for index in range(count):
        check_pdf_page(pdf, index, settings)
    return count


def check_pdf_page(pdf: pdfium.PdfDocument, index: int, settings: Settings) -> None:
    """One page's render size and embedded images against the pixel limit."""
    label = f"page {index + 1}"
    with PDFIUM_LOCK:
        try:
            size = pdf.get_page_size(index)
            page = pdf[index]
        except pdfium.PdfiumError as exc:
            raise RejectedInput(
                "unreadable", f"{label} of {len(pdf)} cannot be loaded (broken page tree)"
            ) from exc
        try:
            images = [obj.get_px_size() for obj in page.get_objects(
                filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=MAX_FORM_DEPTH)]
        finally:
            page.close()
    width, height = _render_size(*size, settings.render_dpi)
    check_page_pixels(width, height, settings, f"{label} at {settings.render_dpi} dpi")
    for number, (image_width, image_height) in enumerate(images, start=1):
        if image_width and image_height:  # an empty image object draws nothing
            check_page_pixels(image_width, image_height, settings, f"{label} image {number}")


def count_pdf_pages(path: Path, settings: Settings) -> int:
    pdf = open_pdf(path)
    try:
        return check_pdf(pdf, settings)
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def is_real_text(text: str) -> bool:
    """Enough readable characters, and little that extraction mangled."""
    visible = [ch for ch in text if not ch.isspace()]
    meaningful = sum(ch.isalnum() for ch in visible)
    if meaningful < MIN_TEXT_CHARS:
        return False
    garbage = sum(
        ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") for ch in visible
    )
    return garbage <= MAX_GARBAGE_SHARE * len(visible)


def _image_coverage(page: pdfium.PdfPage) -> float:
    """Share of the page area under image objects (overlaps counted twice, capped at 1).

    Measured in the page's own (unrotated) space, where object bounds live, so a
    page turned by ``/Rotate`` compares like with like.
    """
    page_left, page_bottom, page_right, page_top = page.get_bbox()
    area = (page_right - page_left) * (page_top - page_bottom)
    if area <= 0:
        return 0.0
    covered = 0.0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = obj.get_bounds()
        covered += max(0.0, min(right, page_right) - max(left, page_left)) * max(
            0.0, min(top, page_top) - max(bottom, page_bottom)
        )
    return min(1.0, covered / area)


def page_text_layer(page: pdfium.PdfPage) -> str | None:
    """The page's text when it is the page's real content, else None (render and OCR)."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_bounded()
    finally:
        textpage.close()
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not is_real_text(text):
        return None
    if _image_coverage(page) >= SCAN_COVERAGE:
        return None
    return text


def _render(page: pdfium.PdfPage, dpi: int) -> Image.Image:
    bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True)
    try:
        # RGB from a 3-byte bitmap is copied by Pillow, so the bitmap can go.
        image = bitmap.to_pil()
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    finally:
        bitmap.close()


def _load_page(pdf: pdfium.PdfDocument, index: int, settings: Settings) -> PdfPage:
    with PDFIUM_LOCK:
        try:
            page = pdf[index]
        except pdfium.PdfiumError as exc:
            raise RejectedInput("unreadable", f"page {index + 1}: {exc}") from exc
        try:
            text = page_text_layer(page)
            dpi = settings.render_dpi
            if text is not None:
                dpi = min(TEXT_LAYER_DPI, dpi)
            return PdfPage(image=_render(page, dpi), text_layer=text, dpi=dpi)
        finally:
            page.close()


def iter_pdf_pages(path: Path, settings: Settings) -> Iterator[PdfPage]:
    """Pages in order, one rendered at a time; the document stays open while iterating.

    The lock is held per page, not across a ``yield``: other threads may use
    PDFium between pages.
    """
    pdf = open_pdf(path)
    try:
        count = check_pdf(pdf, settings)
        with PDFIUM_LOCK:
            pdf.init_forms()  # filled-in form fields are part of what the page shows
        for index in range(count):
            # Yielded straight from the call: no local keeps the page alive.
            yield _load_page(pdf, index, settings)
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def load_pdf_page(path: Path, index: int, settings: Settings) -> PdfPage:
    """Page ``index`` (0-based) alone: parallel page tasks each open the document.

    Opening is cheap (PDFium reads the cross-reference table lazily), so random
    access costs little more than iterating. Rendering holds :data:`PDFIUM_LOCK`,
    so threads render one page at a time; processes render in parallel.
    """
    pdf = open_pdf(path)
    try:
        with PDFIUM_LOCK:
            count = len(pdf)
            if count > settings.max_pages:
                raise RejectedInput(
                    "too_many_pages", f"the PDF has {count} pages, limit {settings.max_pages}"
                )
            if not 0 <= index < count:
                raise IndexError(f"page {index + 1} of {count}")
            check_pdf_page(pdf, index, settings)
            pdf.init_forms()
            return _load_page(pdf, index, settings)
    finally:
        with PDFIUM_LOCK:
            pdf.close()

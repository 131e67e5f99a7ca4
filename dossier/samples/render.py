"""Scanned-looking test pages rendered from real judgment text.

OCR accuracy can only be measured against known text, and real dossier scans
carry personal data, so tests and benchmarks print real published judgments
(``../shared/data/cases``) as A4 pages the way a printed 判决书 or 起诉书 looks
— one column, wrapped, indented paragraphs — and then spoil them like a
scanner does: a page laid on the glass turned or slightly askew, blur, grain,
JPEG. Everything is deterministic for a seed so a failing case can be replayed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from dossier.samples import fonts

A4_300DPI = (2480, 3508)
DEFAULT_FONT = fonts.SERIF  # Noto Serif SC from a Python package: no system fonts needed
# Face index of "Noto Serif/Sans CJK SC" inside Debian's .ttc collections
# (0 JP, 1 KR, 2 SC, 3 TC, 4 HK), for a caller that passes one as ``font_path``.
SC_FACE_INDEX = 2
DEFAULT_FONT_SIZE = 50  # px at 300 dpi ≈ 12 pt, a little smaller than 公文 三号
DEFAULT_MARGINS = (230, 250, 230, 250)  # left, top, right, bottom in px

# Characters that may not start a line (避头点): they hang at the end of the previous one.
_NO_LINE_START = set("，。、；：？！）》」』”’…,.;:?!)]")


@dataclass(frozen=True)
class _Layout:
    font: ImageFont.FreeTypeFont
    title_font: ImageFont.FreeTypeFont
    page_size: tuple[int, int]
    margins: tuple[int, int, int, int]
    line_height: int
    indent: int

    @property
    def text_width(self) -> int:
        return self.page_size[0] - self.margins[0] - self.margins[2]

    def lines_per_page(self, title: str | None) -> int:
        usable = self.page_size[1] - self.margins[1] - self.margins[3]
        if title:
            usable -= self.title_height
        return max(1, usable // self.line_height)

    @property
    def title_height(self) -> int:
        return int(self.line_height * 2.2)


@lru_cache(maxsize=32)
def _font(path: Path | str | None, size: int) -> ImageFont.FreeTypeFont:
    font_path = Path(path) if path else DEFAULT_FONT
    index = SC_FACE_INDEX if font_path.suffix.lower() == ".ttc" else 0
    return ImageFont.truetype(str(font_path), size, index=index)


def _layout(
    page_size: tuple[int, int],
    font_path: Path | str | None,
    font_size: int,
    margins: tuple[int, int, int, int],
    line_spacing: float,
) -> _Layout:
    return _Layout(
        font=_font(font_path, font_size),
        title_font=_font(font_path, int(font_size * 1.5)),
        page_size=page_size,
        margins=margins,
        line_height=int(font_size * line_spacing),
        indent=2 * font_size,  # 首行缩进两字
    )


@lru_cache(maxsize=65536)
def _advance(font: ImageFont.FreeTypeFont, ch: str) -> float:
    """Advance width of one character; CJK faces do not kern, so widths add up."""
    return font.getlength(ch)


def _wrap(text: str, layout: _Layout) -> list[tuple[str, bool]]:
    """Lines of ``text`` as (line, starts_paragraph); paragraphs are split on newlines."""
    out: list[tuple[str, bool]] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        first = True
        line = ""
        used = 0.0
        for ch in paragraph:
            advance = _advance(layout.font, ch)
            width = layout.text_width - (layout.indent if first else 0)
            if line and used + advance > width and ch not in _NO_LINE_START:
                out.append((line, first))
                first = False
                line = ""
                used = 0.0
            line += ch
            used += advance
        if line:
            out.append((line, first))
    return out


def paginate_text(
    text: str,
    *,
    page_size: tuple[int, int] = A4_300DPI,
    font_path: Path | str | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    margins: tuple[int, int, int, int] = DEFAULT_MARGINS,
    line_spacing: float = 1.6,
    title: str | None = None,
) -> list[str]:
    """Split ``text`` into the texts of consecutive pages.

    Each page text renders onto exactly one page with the same arguments
    (``title`` applies to the first page only). A paragraph cut by a page
    break continues on the next page as its own paragraph, so the page texts
    joined with newlines keep every character of ``text``.
    """
    layout = _layout(page_size, font_path, font_size, margins, line_spacing)
    queue = list(reversed(_wrap(text, layout)))  # popped from the end: first line last
    pages: list[str] = []
    capacity = layout.lines_per_page(title)
    while queue:
        current = [queue.pop() for _ in range(min(capacity, len(queue)))]
        # A page that opens inside a paragraph prints that piece as a paragraph of its
        # own, indented, so it can wrap to one line more than it took here: hand lines
        # back to the next page until the page text renders within the page.
        while len(current) > 1 and len(_wrap(_join(current), layout)) > capacity:
            queue.append(current.pop())
        pages.append(_join(current))
        capacity = layout.lines_per_page(None)
    return pages


def _join(lines: list[tuple[str, bool]]) -> str:
    out = ""
    for i, (line, starts) in enumerate(lines):
        if i and starts:
            out += "\n"
        out += line
    return out


def render_text_page(
    text: str,
    *,
    page_size: tuple[int, int] = A4_300DPI,
    font_path: Path | str | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    margins: tuple[int, int, int, int] = DEFAULT_MARGINS,
    line_spacing: float = 1.6,
    title: str | None = None,
) -> Image.Image:
    """One clean grayscale page (mode ``L``) of ``text``; a centred ``title`` on top.

    Raises ``ValueError`` when the text does not fit: use ``paginate_text`` first,
    so the known text of a page is exactly what is printed on it.
    """
    layout = _layout(page_size, font_path, font_size, margins, line_spacing)
    lines = _wrap(text, layout)
    if len(lines) > layout.lines_per_page(title):
        raise ValueError(
            f"{len(lines)} lines do not fit on one page "
            f"({layout.lines_per_page(title)}); use paginate_text"
        )
    image = Image.new("L", page_size, 255)
    draw = ImageDraw.Draw(image)
    left, top = layout.margins[0], layout.margins[1]
    y = top
    if title:
        width = layout.title_font.getlength(title)
        draw.text(((page_size[0] - width) / 2, y), title, font=layout.title_font, fill=0)
        y += layout.title_height
    for line, starts in lines:
        x = left + (layout.indent if starts else 0)
        draw.text((x, y), line, font=layout.font, fill=0)
        y += layout.line_height
    return image


def printed_lines(
    text: str,
    *,
    page_size: tuple[int, int] = A4_300DPI,
    font_path: Path | str | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    margins: tuple[int, int, int, int] = DEFAULT_MARGINS,
    line_spacing: float = 1.6,
    title: str | None = None,
) -> str:
    """The page rendered from ``text`` as an OCR engine reads it back: the title, then
    one line per printed line. Paragraphs wrapped by the layout come back cut where the
    lines end (第二⏎百四十五条), which is what the structure stage has to put together."""
    layout = _layout(page_size, font_path, font_size, margins, line_spacing)
    lines = [line for line, _ in _wrap(text, layout)]
    return "\n".join([title, *lines] if title else lines)


def page_reference(text: str, title: str | None = None) -> str:
    """The text a reader sees on a page rendered from ``text`` and ``title``."""
    return f"{title}\n{text}" if title else text


def degrade(
    image: Image.Image,
    *,
    rotation: int = 0,
    skew_degrees: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    jpeg_quality: int | None = None,
    seed: int,
) -> Image.Image:
    """Spoil a clean page the way a scanner does.

    ``rotation`` (0/90/180/270) is how far the sheet lies turned
    counter-clockwise on the glass — PIL's convention — so reading it needs
    the same number of degrees clockwise, which is what ``PageOcr.rotation``
    reports. ``skew_degrees`` is a small counter-clockwise tilt, ``blur`` a
    Gaussian radius in px, ``noise`` the standard deviation of grain in grey
    levels (plus a few dust specks), ``jpeg_quality`` a JPEG round trip.
    """
    if rotation % 90 or not 0 <= rotation < 360:
        raise ValueError(f"rotation must be 0, 90, 180 or 270, got {rotation}")
    rng = np.random.default_rng(seed)
    page = image.convert("L")
    if skew_degrees:
        page = page.rotate(
            skew_degrees, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255
        )
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        pixels = np.asarray(page, dtype=np.float32)
        pixels = pixels + rng.normal(0.0, noise, pixels.shape)
        _specks(pixels, rng, count=int(10 + noise * 2))
        page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    if rotation:
        page = page.rotate(rotation, expand=True)
    if jpeg_quality is not None:
        buffer = io.BytesIO()
        page.save(buffer, format="JPEG", quality=jpeg_quality)
        page = Image.open(io.BytesIO(buffer.getvalue()))
        page.load()
    return page


def _specks(pixels: np.ndarray, rng: np.random.Generator, *, count: int) -> None:
    """Dust and toner dots of 1–4 px, dark, scattered anywhere on the page."""
    height, width = pixels.shape
    for _ in range(count):
        radius = int(rng.integers(1, 5))
        cy = int(rng.integers(radius, height - radius))
        cx = int(rng.integers(radius, width - radius))
        pixels[cy - radius : cy + radius, cx - radius : cx + radius] = rng.uniform(20, 120)


def blank_page(
    *,
    page_size: tuple[int, int] = A4_300DPI,
    noise: float = 8.0,
    specks: int = 60,
    edge_shadow: bool = True,
    seed: int,
) -> Image.Image:
    """A scanned blank separator sheet: off-white paper, grain, dust, a dark scanner edge.

    Blank-page detection must see through exactly this, so it is made as dirty
    as real scans of empty sheets are.
    """
    rng = np.random.default_rng(seed)
    width, height = page_size
    paper = float(rng.uniform(232, 248))
    pixels = np.full((height, width), paper, dtype=np.float32)
    # Uneven illumination: a gentle gradient across the sheet.
    pixels += np.linspace(-6, 6, width, dtype=np.float32)[None, :]
    pixels += rng.normal(0.0, noise, pixels.shape)
    _specks(pixels, rng, count=specks)
    if edge_shadow:
        band = int(rng.integers(8, 30))
        side = int(rng.integers(0, 4))
        shade = rng.uniform(40, 110)
        if side == 0:
            pixels[:band, :] = shade
        elif side == 1:
            pixels[-band:, :] = shade
        elif side == 2:
            pixels[:, :band] = shade
        else:
            pixels[:, -band:] = shade
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")


def judgment_documents(path: Path | None = None, limit: int | None = None) -> Iterator[str]:
    """Full judgments (``fd``) from JuDGE, sections as newline-separated paragraphs.

    The dataset separates sections with spaces; a page printed from it reads
    better — and OCR line order is checkable — with those as paragraphs. Without
    ``path``, the repository's copy of ``judge_dev.jsonl`` (same texts, same order:
    ``tests/data/real_texts``), so a fresh clone needs no ``../shared/data``.
    """
    if path is None:
        from dossier.samples.real_texts import load_real_texts

        documents: Iterator[str] = (t.text for t in load_real_texts("judge"))
    else:
        documents = (json.loads(line)["fd"] for line in path.open(encoding="utf-8"))
    for count, document in enumerate(documents):
        if limit is not None and count >= limit:
            return
        yield "\n".join(part for part in document.split() if part)


def judgment_pages(
    count: int, *, start: int = 0, min_chars: int = 200, **layout: object
) -> list[tuple[str | None, str]]:
    """``count`` (title, page text) pairs from consecutive judgments, first pages titled.

    A judgment's first paragraph names the court; it becomes the page title,
    as printed judgments carry it. Pages with fewer than ``min_chars``
    characters (the tail of a judgment, often a lone artefact like "PAGE")
    are skipped so every page has enough text to measure OCR on.
    """
    pages: list[tuple[str | None, str]] = []
    for document in judgment_documents():
        if len(document) < 300:  # a few records hold only a placeholder
            continue
        if start > 0:
            start -= 1
            continue
        head, _, body = document.partition("\n")
        title = head if len(head) <= 30 else None
        if title is None:
            body = document
        for number, text in enumerate(paginate_text(body, title=title, **layout)):  # type: ignore[arg-type]
            if len(text) < min_chars:
                continue
            pages.append((title if number == 0 else None, text))
            if len(pages) == count:
                return pages
    return pages


def ink_fraction(image: Image.Image) -> float:
    """Share of dark pixels; lets tests check a render is not empty without OCR."""
    pixels = np.asarray(image.convert("L"))
    return float((pixels < 128).mean())


__all__ = [
    "A4_300DPI",
    "DEFAULT_FONT",
    "blank_page",
    "degrade",
    "ink_fraction",
    "judgment_documents",
    "judgment_pages",
    "page_reference",
    "paginate_text",
    "printed_lines",
    "render_text_page",
]

"""Real text turned into the page texts a dossier's pages could give the structure stage.

Every function takes a text and a ``random.Random`` and returns a list of page texts.
The cuts are what OCR and PDF text layers really hand over — printed lines with page
numbers, blank lines between paragraphs, blank pages, page breaks inside a line or a
number, a born-digital PDF's text runs on lines of their own with ``\\r\\n`` endings — and
the spoilers are what goes wrong with them: truncation, misread, dropped or doubled
characters, stray spaces, width and control characters, a stamp or a margin note read as
a line of its own.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable

from tasks.nlp.doc_classifier_build import add_ocr_noise

Pages = list[str]
Cut = Callable[[str, random.Random], Pages]

LINE = 38  # characters on a printed A4 line (the sample renderer's layout)
LINES_PER_PAGE = 37


def _paragraphs(text: str) -> list[str]:
    """The data sets separate paragraphs by a newline or a space (JuDGE's ``fd``)."""
    return text.split() or [text]


def _wrap(paragraph: str, width: int = LINE) -> list[str]:
    return [paragraph[i : i + width] for i in range(0, len(paragraph), width)] or [""]


def printed(text: str, rng: random.Random) -> Pages:
    """OCR of printed pages: wrapped lines, 37 to a page, a page number at the foot (in
    one of the usual forms) and a running header on some."""
    lines = [line for p in _paragraphs(text) for line in _wrap(p)]
    chunks = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    header = rng.choice(["", "", "刑事判决书", "卷宗 第{n}页"])
    pages = []
    for n, chunk in enumerate(chunks or [[]], 1):
        foot = rng.choice([f"第 {n} 页 共 {len(chunks)} 页", f"- {n} -", f"{n}", ""])
        top = [header.format(n=n)] if header else []
        pages.append("\n".join([*top, *chunk, foot]))
    return pages


def blank_lines(text: str, rng: random.Random) -> Pages:
    """Paragraphs separated by blank lines, pages cut between paragraphs, a few pages of
    nothing but whitespace."""
    pages: Pages = []
    current = ""
    size = rng.randint(600, 1800)
    for paragraph in _paragraphs(text):
        current += paragraph + "\n\n"
        if len(current) >= size:
            pages.append(current)
            current = ""
            if rng.random() < 0.2:
                pages.append(rng.choice(["\n\n", "   \n \n", "\u3000\n"]))
    return [*pages, current] if current else pages or [""]


def empty_pages(text: str, rng: random.Random) -> Pages:
    """Pages of a fixed size with empty pages before, between and after them."""
    size = rng.randint(400, 1500)
    body = [text[i : i + size] for i in range(0, len(text), size)]
    pages: Pages = [""]
    for page in body:
        pages.append(page)
        if rng.random() < 0.3:
            pages += [""] * rng.randint(1, 2)
    return [*pages, ""]


def mid_line(text: str, rng: random.Random) -> Pages:
    """Page breaks anywhere: inside a line, a word, a number, a case number."""
    pages = []
    start = 0
    while start < len(text):
        end = start + rng.randint(1, 1200)
        pages.append(text[start:end])
        start = end
    return pages or [""]


def pdf_text_layer(text: str, rng: random.Random) -> Pages:
    """A born-digital PDF's text layer: ``\\r\\n`` line ends, each printed line broken into
    the layout's text runs (a right-aligned case number on a line of its own: （2019） then
    沪0105刑初655号), trailing spaces, a form feed, a page that ends mid-line."""
    out_lines = []
    for paragraph in _paragraphs(text):
        for line in _wrap(paragraph, rng.choice([28, LINE, 45])):
            while line:
                cut = rng.randint(1, len(line)) if rng.random() < 0.15 else len(line)
                out_lines.append(line[:cut] + rng.choice(["", "", " ", "  "]))
                line = line[cut:]
    pages = []
    size = rng.randint(20, 50)
    for i in range(0, len(out_lines), size):
        page = "\r\n".join(out_lines[i : i + size])
        if rng.random() < 0.1:
            page += "\x0c"
        pages.append(page)
    return pages or [""]


def one_page(text: str, rng: random.Random) -> Pages:
    return [text]


def tiny_pages(text: str, rng: random.Random) -> Pages:
    """A page for every few characters (a torn, mostly unreadable dossier)."""
    pages = []
    start = 0
    while start < len(text):
        end = start + rng.randint(1, 12)
        pages.append(text[start:end])
        start = end
    return pages or [""]


CUTS: dict[str, Cut] = {
    "printed": printed,
    "blank_lines": blank_lines,
    "empty_pages": empty_pages,
    "mid_line": mid_line,
    "pdf_text_layer": pdf_text_layer,
    "one_page": one_page,
}

# Lines a page can carry on its own: stamps, margin notes, pieces of a header, leftovers
# of a torn title (（此页无正文） and a bare （2019） empty a title line once the trailing
# note is taken off).
STRAY_LINES = (
    "（此页无正文）", "（2019）", "(2019)", "（印）", "（副本）", "（）", "()", "（", "）",
    "。", "，", "·", "1", "0", "第", "页", "书", "笔录", "判决书", "刑事判决书", "起诉书",
    "问：", "答：", "：", "—", "……", "卷", "号", "年", "罪", "×", "×××", "Ⅰ", "①", "※",
)
# Characters a text layer or OCR engine hands over besides text.
ODD_CHARS = (
    "\x00", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u200b", "\ufeff", "\ufffd",
    "\u3000", "\xa0", "\t", "\r", "\ue000", "\U0002a6a5", "\u0301", "ﬁ", "①", "Ⅸ", "㈠",
)


def truncate(text: str, rng: random.Random) -> str:
    """The text up to a random point: a short scan, a failed upload, a torn last page."""
    return text[: rng.choice([1, 2, 5, 17, rng.randint(0, len(text))])]


def corrupt(text: str, rng: random.Random) -> str:
    """OCR-like damage at a random rate: misread, dropped and doubled characters, spaces
    between characters, width folding, odd characters and stray lines."""
    rate = rng.choice([0.03, 0.1, 0.3])
    text = add_ocr_noise(text, rng, rate)
    out = []
    for ch in text:
        roll = rng.random()
        if roll < rate * 0.2:
            out.append(ch + " ")
        elif roll < rate * 0.25:
            out.append(unicodedata.normalize("NFKC", ch) if ch in "，：；（）" else ch)
        elif roll < rate * 0.27:
            out.append(ch + rng.choice(ODD_CHARS))
        elif roll < rate * 0.28:
            out.append(f"\n{rng.choice(STRAY_LINES)}\n{ch}")
        elif ch == "\n" and roll < 0.3:
            out.append(rng.choice(["", " ", "\n\n", "\n \n"]))
        else:
            out.append(ch)
    return "".join(out)


def stray_line_pages(rng: random.Random) -> Pages:
    """Pages of nothing but stray lines."""
    return ["\n".join(rng.sample(STRAY_LINES, rng.randint(1, 4))) for _ in range(rng.randint(1, 5))]

"""Pagination of printed pages: every page text renders onto exactly one page."""

from __future__ import annotations

from dossier.samples.render import paginate_text, render_text_page

# The default A4 layout holds 40 CJK characters a line (38 after the first line's
# two-character indent) and 37 lines a page.
LINE, INDENT, LINES = 40, 2, 37


def _overflowing_text() -> str:
    """Page one full of one-line paragraphs, then a paragraph that breaks at the foot of
    page one so that its rest fills exactly two lines on page two, then page two full.
    Printed on its own, page two's first piece is indented and needs a third line."""
    fill = ["甲" * 10 for _ in range(LINES - 1)]
    cut = "乙" * (LINE - INDENT + 2 * LINE)
    after = ["丙" * 10 for _ in range(LINES - 2)]
    tail = ["丁" * 10 for _ in range(3)]
    return "\n".join([*fill, cut, *after, *tail])


def test_every_page_fits_the_page_it_is_printed_on() -> None:
    text = _overflowing_text()
    pages = paginate_text(text)
    for page in pages:
        render_text_page(page)  # raises ValueError when the text needs more lines
    assert "".join("".join(p.split()) for p in pages) == "".join(text.split())
    # the line that would not fit went to the next page instead of overflowing
    assert pages[1].startswith("乙" * LINE * 2) and pages[1].count("\n") == LINES - 3


def test_pages_that_fit_are_unchanged() -> None:
    """A break between whole paragraphs needs no repair: the pages are the plain greedy
    cut, so renders made before stay true to their page texts."""
    text = "\n".join("戊" * 10 for _ in range(2 * LINES + 5))
    pages = paginate_text(text)
    assert [p.count("\n") + 1 for p in pages] == [LINES, LINES, 5]
    title_pages = paginate_text(text, title="某某人民法院")
    assert len(title_pages[0].splitlines()) < LINES

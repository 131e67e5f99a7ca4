"""PDFium is not thread-safe; page tasks run in threads. The intake serialises it.

Without ``PDFIUM_LOCK`` this test fails: concurrent opens and renders from
several threads make PDFium report errors on valid files ("Failed to get page
size by index"), or crash. With it, every page comes back right.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dossier.samples import formats
from dossier.settings import Settings
from intake.marks import DPI, marked_page, read_mark
from tasks.intake.paginate import count_pages, load_page

PAGES = 100
RENDER_DPI = 30  # tiny renders: many PDFium calls, little work each


def test_pdf_pages_from_many_threads(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", render_dpi=RENDER_DPI)
    path = formats.write_scanned_pdf(
        (marked_page(number) for number in range(1, PAGES + 1)), tmp_path / "scan.pdf", dpi=DPI
    )

    def work(number: int) -> tuple[int, int]:
        assert count_pages(path, settings) == PAGES
        return number, read_mark(load_page(path, number, settings).image)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, [n % PAGES + 1 for n in range(2 * PAGES)]))
    assert all(number == mark for number, mark in results)

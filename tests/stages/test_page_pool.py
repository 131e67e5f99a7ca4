"""Page work in worker processes: a page over its time limit is stopped and recorded failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.samples import formats
from dossier.samples.render import render_text_page
from dossier.settings import Settings
from dossier.store import get_store
from dossier.store.keys import ocr_key
from tasks.stages.page_pool import read_page_isolated, shutdown_pool


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    page = render_text_page("上海市奉贤区人民检察院起诉书\n被告人张某，男，汉族。")
    return formats.write_tiff([page], tmp_path / "one.tif", dpi=300)


def test_page_read_in_a_worker(scan: Path, isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir, ocr_concurrency=1)
    record = read_page_isolated("dtest", scan, 1, engine="tesseract", settings=settings)
    assert record.status == "ok" and "检察院" in record.text
    assert get_store(settings).exists(ocr_key("dtest", 1))


def test_page_over_its_time_limit_is_failed_not_hung(scan: Path, isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir, ocr_concurrency=1, ocr_page_timeout_s=0.05)
    record = read_page_isolated("dslow", scan, 1, engine="rapidocr", settings=settings)
    assert record.status == "failed" and "timed out" in (record.error or "")
    stored = get_store(settings).get_json(ocr_key("dslow", 1))
    assert stored["status"] == "failed"
    # The pool replaced the killed worker: the next page is read normally.
    settings = Settings(data_dir=isolated_data_dir, ocr_concurrency=1)
    assert read_page_isolated("dslow", scan, 1, engine="tesseract",
                              settings=settings).status == "ok"
    shutdown_pool()

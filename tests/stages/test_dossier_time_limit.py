"""The dossier's time limit: pages whose turn comes after it fail at once, and a page
running into it is stopped there, so no upload holds a worker for good."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dossier.samples import formats
from dossier.samples.render import render_text_page
from dossier.settings import Settings
from dossier.store import get_store
from dossier.store.keys import ocr_key
from tasks.stages.page_pool import (
    dossier_deadline,
    pool_running,
    read_page_isolated,
    shutdown_pool,
)


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    page = render_text_page("上海市奉贤区人民检察院起诉书\n被告人张某，男，汉族。")
    return formats.write_tiff([page], tmp_path / "one.tif", dpi=300)


def test_pages_after_the_dossier_time_limit(scan: Path, isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir, ocr_concurrency=1, dossier_timeout_s=60)
    assert 59 < dossier_deadline(settings) - time.time() <= 60

    shutdown_pool()
    late = read_page_isolated("dlate", scan, 1, engine="tesseract", settings=settings,
                              deadline=time.time() - 1)
    assert late.status == "failed" and "time limit (60 s) was reached" in (late.error or "")
    assert not pool_running()  # no worker was even asked
    assert get_store(settings).get_json(ocr_key("dlate", 1))["status"] == "failed"

    # A page that is still being read when the limit comes is stopped there.
    cut = read_page_isolated("dcut", scan, 1, engine="rapidocr", settings=settings,
                             deadline=time.time() + 0.05)
    assert cut.status == "failed" and "dossier's time limit" in (cut.error or "")
    shutdown_pool()

"""Page work in worker processes: a page over its time limit, or over its dossier's, is
stopped and recorded failed."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
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
    release_free_heap,
    shutdown_pool,
    warm_pool,
)


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    page = render_text_page("上海市奉贤区人民检察院起诉书\n被告人张某，男，汉族。")
    return formats.write_tiff([page], tmp_path / "one.tif", dpi=300)


def test_page_read_in_a_worker(scan: Path, isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir, ocr_concurrency=1)
    record = read_page_isolated("dtest", scan, 1, engine="tesseract", settings=settings)
    assert record.status == "ok" and "检察院" in record.text
    assert get_store(settings).exists(ocr_key("dtest", 1))


def test_a_warmed_pool_is_the_one_the_page_uses(scan: Path, isolated_data_dir: Path) -> None:
    """``warm_pool`` starts the workers (fork server and one worker) before any page is
    asked for; the page then goes to that pool instead of a new one."""
    from tasks.stages import page_pool

    shutdown_pool()
    settings = Settings(data_dir=isolated_data_dir, ocr_concurrency=1)
    warm = warm_pool("tesseract", settings)
    warm.join(timeout=300)
    assert not warm.is_alive() and pool_running()
    warmed = page_pool._pool
    started = [p for p in psutil.Process().children(recursive=True)
               if "forkserver" in " ".join(p.cmdline())]
    assert len(started) >= 2, started  # the fork server and the worker it forked
    record = read_page_isolated("dwarm", scan, 1, engine="tesseract", settings=settings)
    assert record.status == "ok" and "检察院" in record.text
    assert page_pool._pool is warmed
    shutdown_pool()


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


def test_freed_page_buffers_go_back_to_the_system() -> None:
    """glibc keeps a freed heap for reuse: without the trim a page worker held the buffers
    of its largest page for good (RSS ~180 -> ~420 MiB over ten pages, measured)."""
    process = psutil.Process()
    chunks = [bytearray(64 * 1024) for _ in range(3200)]  # ~200 MiB of heap, below mmap size
    keep = chunks[-1]  # the top of the heap stays in use, so plain free() cannot shrink it
    del chunks
    held = process.memory_info().rss
    release_free_heap()
    released = held - process.memory_info().rss
    assert released > 100 * 1024**2, f"{released / 1024**2:.0f} MiB released"
    assert len(keep) == 64 * 1024


def test_shutdown_stops_the_page_workers(scan: Path, isolated_data_dir: Path) -> None:
    settings = Settings(data_dir=isolated_data_dir, ocr_concurrency=1)
    read_page_isolated("dstop", scan, 1, engine="tesseract", settings=settings)
    assert pool_running()
    shutdown_pool()
    assert not pool_running()


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

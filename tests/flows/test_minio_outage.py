"""MinIO stopped while a dossier's pages are being read, and started again: the page
writes wait (retried with backoff) instead of failing, the run completes, every page is
read once, no object is duplicated and the library holds each row once.

The MinIO is the test's own (free ports, temporary folder); the shared one is untouched.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from own_services import own_minio

from dossier.db import session_scope
from dossier.samples import formats
from dossier.samples.dossier import make_sample_dossier
from dossier.samples.render import render_text_page
from dossier.settings import reset_settings
from dossier.store import get_store
from schemas.tables import Dossier, Page

pytestmark = [pytest.mark.services, pytest.mark.slow]

PAGES = 3


def test_minio_stopped_during_ocr(
    services_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest_dossier import ingest_dossier
    from tasks.stages.page_pool import shutdown_pool

    texts = [t for t in make_sample_dossier(4).pages if t][:PAGES]
    scan = formats.write_tiff([render_text_page(t) for t in texts], tmp_path / "scan.tif")
    with own_minio(tmp_path / "minio") as minio:
        for name, value in minio.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("DOSSIER_OCR_CONCURRENCY", "1")
        reset_settings()
        shutdown_pool()  # page workers start again with this test's settings
        store = get_store()
        result: dict = {}

        def run() -> None:
            try:
                result["outcome"] = ingest_dossier(path=str(scan), engine="tesseract")
            except BaseException as error:
                result["error"] = error

        flow = threading.Thread(target=run)
        flow.start()
        deadline = time.monotonic() + 600
        while not any(True for _ in store.list("ocr/")):  # the first page is written
            assert flow.is_alive() and time.monotonic() < deadline, result
            time.sleep(0.2)
        written_before = {info.key for info in store.list("ocr/")}
        minio.stop()
        time.sleep(8)  # pages keep being read; their writes wait for MinIO
        assert flow.is_alive(), result  # the outage fell inside the run
        minio.start()
        flow.join(timeout=900)
        shutdown_pool()

        assert "error" not in result, result
        outcome = result["outcome"]
        assert outcome.pages_failed == [], outcome.reason
        dossier_id = outcome.dossier_id
        expected = {f"{kind}/{dossier_id}/page-{n:04d}.{ext}"
                    for kind, ext in (("pages", "png"), ("ocr", "json"))
                    for n in range(1, PAGES + 1)}
        written = {info.key for prefix in ("pages/", "ocr/") for info in store.list(prefix)}
        assert written == expected
        assert {k for k in expected if k.startswith("ocr/")} - written_before  # after it
        assert [i.key for i in store.list("originals/")] == [f"originals/{dossier_id}/scan.tif"]
        assert list(store.list("quarantine/")) == []
        with session_scope() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Page)) == PAGES
            assert session.get(Dossier, dossier_id).status == outcome.status

        # Delivered again: one dossier, nothing added.
        again = ingest_dossier(path=str(scan), engine="tesseract")
        assert again.duplicate and again.dossier_id == dossier_id
        with session_scope() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Page)) == PAGES
        assert {info.key for p in ("pages/", "ocr/") for info in store.list(p)} == expected
        reset_settings()

"""Settings whose defaults are decisions: how many page workers a dossier gets."""

from __future__ import annotations

import pytest

from dossier.settings import FLOW_MIB, PAGE_WORKER_MIB, Settings, default_page_workers


def test_the_memory_budget_caps_the_page_workers() -> None:
    # The default budget (1 GiB, issue 3's target for a 300-page dossier) holds one
    # rapidocr worker beside the flow process, or two lighter tesseract workers.
    assert default_page_workers(cores=2, memory_budget_mib=1024, engine="rapidocr") == 1
    assert default_page_workers(cores=2, memory_budget_mib=1024, engine="tesseract") == 2
    two = FLOW_MIB + 2 * PAGE_WORKER_MIB["rapidocr"]
    assert default_page_workers(cores=2, memory_budget_mib=two, engine="rapidocr") == 2
    assert default_page_workers(cores=16, memory_budget_mib=4096, engine="rapidocr") == 9
    # Never more than the cores, never fewer than one.
    assert default_page_workers(cores=2, memory_budget_mib=64 * 1024, engine="rapidocr") == 2
    assert default_page_workers(cores=8, memory_budget_mib=256, engine="rapidocr") == 1


def test_workers_and_their_threads_share_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    for name in ("DOSSIER_OCR_CONCURRENCY", "DOSSIER_MEMORY_BUDGET_MIB", "DOSSIER_OCR_ENGINE",
                 "DOSSIER_OCR_ENGINE_THREADS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert (settings.page_workers(), settings.threads_per_page()) == (1, 4)
    assert (settings.page_workers("tesseract"), settings.threads_per_page("tesseract")) == (2, 2)
    monkeypatch.setenv("DOSSIER_MEMORY_BUDGET_MIB", "4096")
    assert (Settings().page_workers(), Settings().threads_per_page()) == (4, 1)
    # An explicit count wins over the budget, for either engine.
    monkeypatch.setenv("DOSSIER_OCR_CONCURRENCY", "3")
    assert (Settings().page_workers("tesseract"), Settings().threads_per_page()) == (3, 1)

"""Settings whose defaults are decisions: how many page workers a dossier gets."""

from __future__ import annotations

import pytest

from dossier.settings import BASE_MIB, PAGE_WORKER_MIB, Settings, default_page_workers


def test_the_memory_budget_caps_the_page_workers() -> None:
    # The default budget (1 GiB, issue 3's target for a 300-page dossier) holds one
    # worker beside the flow and the embedded API; each further worker needs its share.
    assert default_page_workers(cores=2, memory_budget_mib=1024) == 1
    assert default_page_workers(cores=2, memory_budget_mib=BASE_MIB + 2 * PAGE_WORKER_MIB) == 2
    assert default_page_workers(cores=16, memory_budget_mib=4096) == 8
    # Never more than the cores, never fewer than one.
    assert default_page_workers(cores=2, memory_budget_mib=64 * 1024) == 2
    assert default_page_workers(cores=8, memory_budget_mib=256) == 1


def test_a_single_worker_gets_every_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    monkeypatch.delenv("DOSSIER_OCR_CONCURRENCY", raising=False)
    monkeypatch.delenv("DOSSIER_MEMORY_BUDGET_MIB", raising=False)
    settings = Settings()
    assert (settings.ocr_concurrency, settings.threads_per_page) == (1, 4)
    monkeypatch.setenv("DOSSIER_MEMORY_BUDGET_MIB", "4096")
    assert (Settings().ocr_concurrency, Settings().threads_per_page) == (4, 1)
    # An explicit count wins over the budget.
    monkeypatch.setenv("DOSSIER_OCR_CONCURRENCY", "2")
    assert (Settings().ocr_concurrency, Settings().threads_per_page) == (2, 2)

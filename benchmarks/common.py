"""Shared benchmark output: the machine a number was measured on, and ratios to a baseline.

A speed figure means nothing without the machine and a baseline measured in
the same run; every benchmark prints both.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

import psutil


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_line() -> str:
    """One line: cores, CPU model, memory, load — the context of every timing below it."""
    memory = psutil.virtual_memory().total / 1024**3
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} cores, {cpu_model()}, {memory:.1f} GiB RAM, "
        f"load average {load}, Python {platform.python_version()}"
    )


def print_machine() -> None:
    print(machine_line())


def ratio_line(label: str, value: float, baseline: float, baseline_label: str, unit: str) -> str:
    """``label: value unit vs baseline_label baseline unit = ratio x`` (higher value is better)."""
    ratio = value / baseline if baseline else float("nan")
    return f"{label}: {value:.3f} {unit} vs {baseline_label} {baseline:.3f} {unit} = {ratio:.2f}x"


# Settings that would point a benchmark at real services instead of its own data dir.
SERVICE_VARIABLES = ("DOSSIER_MINIO_ENDPOINT", "DOSSIER_DATABASE_URL", "PREFECT_API_URL")


def use_embedded_default(data_dir: Path) -> None:
    """This process on a fresh embedded default under ``data_dir``: SQLite, the local
    store and Prefect's ephemeral API (call before the settings are first read)."""
    os.environ["DOSSIER_DATA_DIR"] = str(data_dir)
    for name in SERVICE_VARIABLES:
        os.environ.pop(name, None)

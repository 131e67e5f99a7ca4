"""Peak memory of the whole pipeline on a long scanned dossier (issue 3). Not a test.

    .venv/bin/python -u -m benchmarks.memory_bench --pages 300 [--engine rapidocr]

The dossier is a scanned PDF of about ``--pages`` pages: the chain benchmark's
100-page sample dossier (``benchmarks.chain_bench.sample_pdf``, cached) repeated
until it is long enough, so rendering stays cheap while every page is still a
300-dpi degraded scan that has to be rendered from the PDF and OCR'd.

``dossier process`` runs it end to end (all stages) in a child process on a fresh
embedded default. Every half second the benchmark sums the memory of the child's
whole process tree — the flow process, the page worker processes and the
forkserver, and Prefect's ephemeral API server — and prints the peak, with and
without the Prefect server (infrastructure a deployed stack runs once, not per
dossier). PSS is used where the kernel gives it (shared pages counted once,
split between the processes sharing them); RSS, which counts a shared page in
every process, is printed beside it as the pessimistic figure.

Target (issue 3): peak <= 1 GB on a 300-page dossier.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_BYTES = 1024**3
MiB = 1024**2


@dataclass
class Peak:
    """The largest tree total seen, and what each process held at that moment."""

    pss: int = 0
    rss: int = 0
    pss_without_server: int = 0
    rss_without_server: int = 0
    processes: int = 0
    at_seconds: float = 0.0
    parts: dict[str, int] = field(default_factory=dict)
    # Each kind of process's own largest total over the run (not necessarily simultaneous).
    largest: dict[str, int] = field(default_factory=dict)
    samples: int = 0


def _label(process: psutil.Process) -> str:
    try:
        line = " ".join(process.cmdline())
    except (psutil.Error, OSError):
        return "?"
    if ("prefect" in line and "server" in line) or "uvicorn" in line:
        return "prefect-api"
    if "forkserver" in line:
        return "page-worker/forkserver"
    if "resource_tracker" in line:
        return "resource-tracker"
    if "dossier" in line:
        return "flow process"
    return Path(process.name()).name


def _is_server(label: str) -> bool:
    return label == "prefect-api"


def sample_tree(root: psutil.Process, peak: Peak, started: float) -> None:
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    pss = rss = pss_ns = rss_ns = 0
    parts: dict[str, int] = {}
    for process in processes:
        try:
            info = process.memory_full_info()
        except (psutil.Error, OSError):
            continue
        label = _label(process)
        proc_pss = getattr(info, "pss", info.rss)
        pss += proc_pss
        rss += info.rss
        if not _is_server(label):
            pss_ns += proc_pss
            rss_ns += info.rss
        parts[label] = parts.get(label, 0) + proc_pss
    peak.samples += 1
    for label, value in parts.items():
        peak.largest[label] = max(peak.largest.get(label, 0), value)
    if pss > peak.pss:
        peak.pss, peak.rss, peak.parts = pss, rss, parts
        peak.processes = len(processes)
        peak.at_seconds = time.perf_counter() - started
    peak.pss_without_server = max(peak.pss_without_server, pss_ns)
    peak.rss_without_server = max(peak.rss_without_server, rss_ns)


def long_pdf(pages: int, cache: Path, seed: int) -> tuple[Path, int]:
    """The cached 100-page sample PDF repeated to at least ``pages`` pages."""
    import pypdfium2 as pdfium

    from benchmarks.chain_bench import sample_pdf

    base, count = sample_pdf(seed, 100, cache)
    target = cache / f"seed{seed}-repeated{pages}.pdf"
    if target.exists():
        with pdfium.PdfDocument(target) as document:
            return target, len(document)
    source = pdfium.PdfDocument(base)
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        take = min(count, pages - len(out))
        out.import_pages(source, list(range(take)), index=len(out))
    out.save(str(target))
    total = len(out)
    out.close()
    source.close()
    return target, total


def main(argv: list[str] | None = None) -> int:
    from benchmarks.chain_bench import DEFAULT_CACHE
    from benchmarks.common import print_machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", choices=("rapidocr", "tesseract"), default=None)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between samples")
    args = parser.parse_args(argv)

    print_machine()
    pdf, count = long_pdf(args.pages, args.cache, args.seed)
    print(f"dossier: {count} pages, scanned PDF ({pdf.stat().st_size / MiB:.0f} MiB) {pdf}")
    work = Path(tempfile.mkdtemp(prefix="dossier-memory-bench-"))
    env = {k: v for k, v in os.environ.items()
           if k not in ("DOSSIER_MINIO_ENDPOINT", "DOSSIER_DATABASE_URL", "PREFECT_API_URL")}
    env["DOSSIER_DATA_DIR"] = str(work / "data")
    command = [str(Path(sys.executable).with_name("dossier")), "process", str(pdf),
               "--out", str(work / "out")]
    if args.engine:
        command += ["--engine", args.engine]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=open(work / "stderr.log", "w"))  # noqa: SIM115
    root = psutil.Process(child.pid)
    peak = Peak()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            sample_tree(root, peak, started)
            done.wait(args.interval)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    code = child.wait()
    done.set()
    watcher.join()
    seconds = time.perf_counter() - started
    index = work / "out" / "index.jsonl"
    lines = [json.loads(x) for x in index.read_text(encoding="utf-8").splitlines()] \
        if index.exists() else []
    status = lines[0]["status"] if lines else "no index"
    print(f"dossier process: exit {code}, status {status}, {seconds:.0f} s "
          f"({count / seconds:.3f} pages/s), {peak.samples} samples; outputs in {work}")
    print(f"peak memory of the process tree ({peak.processes} processes, at "
          f"{peak.at_seconds:.0f} s): PSS {peak.pss / MiB:.0f} MiB, RSS {peak.rss / MiB:.0f} MiB")
    for label, value in sorted(peak.parts.items(), key=lambda kv: -kv[1]):
        print(f"  {label:28s}{value / MiB:8.0f} MiB PSS   (its own largest in the run: "
              f"{peak.largest.get(label, 0) / MiB:.0f})")
    print(f"peak without the Prefect API server: PSS {peak.pss_without_server / MiB:.0f} MiB, "
          f"RSS {peak.rss_without_server / MiB:.0f} MiB")
    verdict = "ok" if peak.pss <= TARGET_BYTES else "ABOVE"
    print(f"target <= {TARGET_BYTES / MiB:.0f} MiB (whole tree, PSS): {verdict}")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

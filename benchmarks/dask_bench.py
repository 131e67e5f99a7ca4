"""The ingest flow on the threads runner against the Dask runner, same dossiers. Not a test.

    .venv/bin/python -u -m benchmarks.dask_bench [--pages 6] [--seed 1] [--engine rapidocr]

Two scans of the last ``--pages`` pages of a sample dossier (``make_sample_dossier(seed)``,
rendered twice with different scanner noise, so two dossier ids) go through ``dossier process`` in a
child process per configuration, each with its own data dir, all reporting to one
Prefect test server started here:

- ``threads``: the default runner (``DOSSIER_TASK_RUNNER=threads``);
- ``dask, own LocalCluster``: ``DOSSIER_TASK_RUNNER=dask``; each flow run starts and
  stops a LocalCluster of ``ocr_concurrency`` workers (``--skip-own`` leaves it out);
- ``dask, by address``: a LocalCluster of the same shape started here beforehand
  (``DOSSIER_DASK_ADDRESS``), as a standing cluster would be, with
  ``--worker-threads`` page tasks in flight per worker (its page pool: 1 process).

For each flow run it prints the run time Prefect recorded (start to end of the
run) and the ratio to the threads run of the same dossier; the first dossier of a
process starts its page workers cold, the second finds them warm (threads, by
address) or not (own LocalCluster). The child process's wall time is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DOSSIER = Path(sys.executable).with_name("dossier")
CONCURRENCY = os.cpu_count() or 2


def scans(seed: int, pages: int, work: Path) -> list[Path]:
    """The last ``pages`` sheets of the sample (the closing documents: 起诉书, 判决书 …),
    scanned twice with different noise: two dossiers of the same text."""
    from dossier.samples import formats, render
    from dossier.samples.dossier import make_sample_dossier

    sheets = make_sample_dossier(seed, blank_separators=False).sheets[-pages:]
    clean = [render.render_text_page(s.body, title=s.title) for s in sheets]
    return [formats.write_scanned_pdf(
                (render.degrade(image, blur=0.5, noise=5, jpeg_quality=80, seed=noise * 100 + n)
                 for n, image in enumerate(clean)), work / f"scan{noise}.pdf")
            for noise in (1, 2)]


def run(inputs: list[Path], data_dir: Path, api_url: str, **env: str) -> tuple[float, list]:
    """``dossier process`` in a child process; (wall seconds, index lines)."""
    out = data_dir / "out"
    environment = os.environ | {
        "DOSSIER_DATA_DIR": str(data_dir),
        "DOSSIER_OCR_CONCURRENCY": str(CONCURRENCY),
        "PREFECT_API_URL": api_url,
    } | env
    start = time.perf_counter()
    result = subprocess.run([str(DOSSIER), "process", *map(str, inputs), "--out", str(out)],
                            env=environment, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-4000:])
        raise SystemExit(f"dossier process failed ({result.returncode})")
    lines = [json.loads(line) for line in (out / "index.jsonl").read_text("utf-8").splitlines()]
    return wall, lines


def flow_run_seconds(data_dir: Path, dossier_id: str) -> tuple[float, int, int]:
    """(run time Prefect recorded, pages, failed pages) of the dossier's flow run."""
    from prefect.client.orchestration import get_client

    from dossier.settings import Settings
    from dossier.store import get_store

    store = get_store(Settings(data_dir=data_dir))
    manifest = store.get_json(f"manifests/{dossier_id}.json")
    pages = json.loads((data_dir / "out" / dossier_id / "pages.json").read_text("utf-8"))
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(manifest["stages"]["ocr"]["flow_run_id"])
    seconds = (flow_run.end_time - flow_run.start_time).total_seconds()
    return seconds, len(pages), sum(p["status"] == "failed" for p in pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pages", type=int, default=6, help="pages per dossier")
    parser.add_argument("--worker-threads", type=int, nargs="+", default=[1, 2],
                        help="threads (page tasks in flight) per worker of the standing "
                             "cluster; its page pool stays at one process per worker")
    parser.add_argument("--skip-own", action="store_true",
                        help="leave out the flow's own LocalCluster")
    parser.add_argument("--engine", choices=("rapidocr", "tesseract"), default="rapidocr")
    args = parser.parse_args(argv)

    from distributed import Client
    from prefect.settings import get_current_settings
    from prefect.testing.utilities import prefect_test_harness

    from benchmarks.common import print_machine
    from dossier.settings import Settings
    from tasks.orchestration.runners import local_cluster_kwargs, page_cluster, page_worker_env

    os.environ["DOSSIER_OCR_ENGINE"] = args.engine
    for name in ("DOSSIER_MINIO_ENDPOINT", "DOSSIER_DATABASE_URL", "DOSSIER_TASK_RUNNER",
                 "DOSSIER_DASK_ADDRESS"):
        os.environ.pop(name, None)
    work = Path(tempfile.mkdtemp(prefix="dossier-dask-bench-"))
    print_machine()
    inputs = scans(args.seed, args.pages, work)
    print(f"dossiers: 2 scans of the last {args.pages} pages of sample {args.seed}; "
          f"engine {args.engine}; "
          f"{CONCURRENCY} pages at once (threads, or Dask workers x 1 thread)")

    results: dict[str, list[tuple[float, int, int]]] = {}
    walls: dict[str, float] = {}
    with prefect_test_harness(server_startup_timeout=180):
        api_url = str(get_current_settings().api.url)
        configs: list[tuple[str, str, dict[str, str]]] = [
            ("threads", "threads", {"DOSSIER_TASK_RUNNER": "threads"}),
        ]
        if not args.skip_own:
            configs.append(("dask, own LocalCluster", "dask-own", {"DOSSIER_TASK_RUNNER": "dask"}))
        for label, folder, env in configs:
            data_dir = work / folder / "data"
            walls[label], lines = run(inputs, data_dir, api_url, **env)
            results[label] = [flow_run_seconds(data_dir, line["dossier_id"]) for line in lines]
        for threads in args.worker_threads:
            label = f"dask, by address ({threads} thread(s) per worker)"
            data_dir = work / f"dask-address-{threads}" / "data"
            settings = Settings(data_dir=data_dir, ocr_concurrency=CONCURRENCY)
            env = page_worker_env(settings) | {"DOSSIER_DATA_DIR": str(data_dir)}
            shape = {"env": env, "threads_per_worker": threads}
            start = time.perf_counter()
            with page_cluster(**local_cluster_kwargs(settings) | shape) as cluster, \
                    Client(cluster):
                print(f"standing LocalCluster ({len(cluster.workers)} workers x {threads} "
                      f"threads) started in {time.perf_counter() - start:.1f} s")
                walls[label], lines = run(inputs, data_dir, api_url,
                                          DOSSIER_TASK_RUNNER="dask",
                                          DOSSIER_DASK_ADDRESS=cluster.scheduler_address)
                results[label] = [flow_run_seconds(data_dir, line["dossier_id"])
                                  for line in lines]

    baseline = results["threads"]
    for label, runs in results.items():
        print(f"{label}: dossier process wall {walls[label]:.1f} s")
        for number, ((seconds, pages, failed), (base, _, _)) in enumerate(
                zip(runs, baseline, strict=True), start=1):
            print(f"  dossier {number} ({pages} pages, {failed} failed): flow run {seconds:.1f} s"
                  f" = {seconds / base:.2f}x threads ({base:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

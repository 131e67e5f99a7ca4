"""A burst of uploads through MinIO, the watcher and the deployment: each processed once?

Needs the local stack (``dossier services up``). Everything the run creates is its
own, as in tests/ops: a bucket, a schema in the test database, a work pool,
deployments with a name suffix (from prefect.yaml, so with its concurrency limits:
``ingest-dossier/on-upload`` runs two dossiers at once, ENQUEUE), a worker and a
watcher started through the same service classes as ``dossier services up --all``.
The sweep's schedule is paused: every run here comes from a watcher event.

N distinct one-page born-digital dossiers (each the 拘留证 of a sample dossier,
``single_page_sample``, so no OCR time) are put into ``incoming/`` at once from threads. Every few
seconds the ingest deployment's runs are counted by state; the backlog is the
uploads not yet running or finished (no run yet, or a run scheduled or pending).

Printed: the burst's upload time, the time until every upload had a finished run,
the throughput (dossiers per minute), the largest backlog, the most runs running at
once (must not exceed the deployment's limit), and the exactly-once checks: one run
per key, one library row per upload, every one ``ok``/``needs_review``.

    python benchmarks/load_bench.py --uploads 200
    python benchmarks/load_bench.py --uploads 20 --keep   # leave the stack for a look

Each flow run is a process of its own on the worker (Prefect's process worker), so
on a 2-core machine the per-run start (imports, the API's round trips) dominates a
one-page dossier: the throughput is the pipeline's floor, not OCR's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
BACKLOG_STATES = {"SCHEDULED", "PENDING"}


def _uploads(folder: Path, count: int) -> list[Path]:
    from dossier.samples import formats
    from dossier.samples.dossier import single_page_sample

    return [formats.write_text_pdf(single_page_sample(1000 + seed).pages,
                                   folder / f"load-{seed:04d}.pdf") for seed in range(count)]


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(errors="replace").splitlines()
    except OSError:
        return []


def _runs(client, deployment_id) -> list:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    runs, offset = [], 0
    while True:
        page = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
            limit=200, offset=offset)
        runs += page
        offset += len(page)
        if len(page) < 200:
            return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=3 * 3600.0)
    parser.add_argument("--poll", type=float, default=5.0)
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    args = parser.parse_args()

    from benchmarks.common import print_machine
    from benchmarks.ops_stack import bench_stack

    print_machine()
    with bench_stack("load", keep=args.keep) as stack:
        return _burst(stack, args)


def _burst(stack, args: argparse.Namespace) -> int:
    from prefect.client.orchestration import get_client

    store, folder, database_url = stack.store(), stack.folder, stack.database_url
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(stack.target.ingest_deployment)
    limit = deployment.concurrency_limit or (
        deployment.global_concurrency_limit.limit
        if deployment.global_concurrency_limit else None)
    files = _uploads(folder, args.uploads)
    keys = [f"incoming/{f.name}" for f in files]
    print(f"{len(files)} one-page uploads; deployment {stack.target.ingest_deployment} "
          f"concurrency limit {limit}")

    start = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda f: store.put_file(f"incoming/{f.name}", f), files))
    uploaded = time.monotonic() - start
    print(f"burst: {len(files)} uploads put in {uploaded:.1f} s")

    largest_backlog, most_running, finished_at = 0, 0, None
    while time.monotonic() - start < args.timeout:
        with get_client(sync_client=True) as client:
            runs = _runs(client, deployment.id)
        states = Counter(r.state_type.value for r in runs if r.state_type)
        keyed = {stack.upload_of(r) for r in runs}
        backlog = (len(set(keys) - keyed) + sum(states[s] for s in BACKLOG_STATES))
        largest_backlog = max(largest_backlog, backlog)
        most_running = max(most_running, states["RUNNING"])
        done = sum(states[s] for s in TERMINAL)
        print(f"  t={time.monotonic() - start:7.0f} s  backlog {backlog:4d}  running "
              f"{states['RUNNING']}  finished {done}", flush=True)
        if done >= len(keys) and not (set(keys) - keyed):
            finished_at = time.monotonic() - start
            break
        time.sleep(args.poll)

    with get_client(sync_client=True) as client:
        runs = _runs(client, deployment.id)
    per_key = Counter(stack.upload_of(r) for r in runs)
    states = Counter(r.state_type.value for r in runs if r.state_type)
    durations = [r.total_run_time.total_seconds() for r in runs if r.total_run_time]
    import sqlalchemy as sa

    from schemas.tables import Case, Dossier

    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        statuses = Counter(connection.scalars(sa.select(Dossier.status)))
        cases = connection.scalar(sa.select(sa.func.count()).select_from(Case))
    engine.dispose()

    print(f"runs: {len(runs)} for {len(keys)} uploads; states {dict(states)}")
    twice = {k: n for k, n in per_key.items() if n > 1}
    missing = set(keys) - set(per_key)
    print(f"exactly once: {'yes' if not twice and not missing else 'NO'} "
          f"(keys with two or more runs: {len(twice)}, without a run: {len(missing)})")
    print(f"library: dossiers {sum(statuses.values())} {dict(statuses)}, cases {cases}")
    print(f"most runs running at once: {most_running} (limit {limit})")
    print(f"largest backlog: {largest_backlog}")
    if finished_at:
        print(f"all finished in {finished_at:.0f} s: "
              f"{len(keys) / finished_at * 60:.1f} dossiers/min")
    else:
        print(f"NOT all finished within {args.timeout:.0f} s")
    if durations:
        print(f"run time per dossier: median {statistics.median(durations):.1f} s, "
              f"max {max(durations):.1f} s")
    spans = [(r.start_time, r.end_time) for r in runs if r.start_time and r.end_time]
    if spans and limit:
        # The slots' share of time spent running a dossier, first start to last end. The
        # rest is a slot free while uploads waited: a run refused a slot is tried again
        # after the server's PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS
        # (30 s), then its process starts and imports before it counts as running.
        window = (max(e for _, e in spans) - min(s for s, _ in spans)).total_seconds()
        busy = sum((e - s).total_seconds() for s, e in spans)
        print(f"slot utilisation: {busy / (limit * window):.0%} of {limit} slots over "
              f"{window:.0f} s")
    worker_dir = folder / "services" / "worker"
    forked = sum(1 for line in _lines(worker_dir / "flow-starter.log")
                 if "run process" in line and line.rstrip().endswith("started"))
    cold = sum(1 for line in _lines(worker_dir / "worker.log") if "starting the run cold" in line)
    print(f"flow-run processes: {forked} forked by the pre-warmed starter, {cold} started cold "
          "(all of the stack's runs, the sweep's included)")
    ok = (not twice and not missing and finished_at is not None
          and sum(statuses.values()) == len(keys) and most_running <= (limit or 10**6)
          and set(statuses) <= {"ok", "needs_review"})
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

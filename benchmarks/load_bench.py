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
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
BACKLOG_STATES = {"SCHEDULED", "PENDING"}


def _pause_sweep(client, name: str) -> None:
    deployment = client.read_deployment_by_name(name)
    for schedule in deployment.schedules:
        client.update_deployment_schedule(deployment.id, schedule.id, active=False)


def _uploads(folder: Path, count: int) -> list[Path]:
    from dossier.samples import formats
    from dossier.samples.dossier import single_page_sample

    return [formats.write_text_pdf(single_page_sample(1000 + seed).pages,
                                   folder / f"load-{seed:04d}.pdf") for seed in range(count)]


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
    from benchmarks.supervision_bench import _drop as _drop_schema
    from benchmarks.supervision_bench import _schema_url
    from dossier.settings import get_settings
    from infra.context import ServiceContext, ServicePorts
    from infra.deployments import DeployTarget, deploy, remove
    from infra.services_env import (
        BUCKET,
        DATABASE_URL,
        MINIO_ACCESS_KEY,
        MINIO_ENDPOINT,
        MINIO_SECRET_KEY,
        PREFECT_API_URL,
        TEST_DATABASE_URL,
        read_services_env,
    )
    from infra.watcher_service import WatcherService
    from infra.worker_service import WorkerService

    services = read_services_env(get_settings().services_env_file)
    if not services:
        print("no data/services.env: run `dossier services up` first", file=sys.stderr)
        return 2
    os.environ[PREFECT_API_URL] = services[PREFECT_API_URL]
    from prefect.client.orchestration import get_client

    from dossier.store.minio_store import MinioStore
    from tasks.intake.upload_ref import run_upload

    print_machine()
    uid = f"{os.getpid()}{secrets.token_hex(2)}"
    schema, base_url = f"load_{uid}", services[TEST_DATABASE_URL]
    folder = Path(tempfile.mkdtemp(prefix="load-bench-"))
    target = DeployTarget(api_url=services[PREFECT_API_URL], bucket=f"dossiers-load-{uid}",
                          pool=f"dossier-load-{uid}", suffix=f"-load{uid}")
    store = MinioStore(endpoint=services[MINIO_ENDPOINT], access_key=services[MINIO_ACCESS_KEY],
                       secret_key=services[MINIO_SECRET_KEY], bucket=target.bucket)
    database_url = _schema_url(base_url, schema)
    env = {
        **{k: services[k] for k in (MINIO_ENDPOINT, MINIO_ACCESS_KEY, MINIO_SECRET_KEY)},
        BUCKET: target.bucket, DATABASE_URL: database_url, PREFECT_API_URL: target.api_url,
        "DOSSIER_WORK_POOL": target.pool, "DOSSIER_DATA_DIR": str(folder / "data"),
        "DOSSIER_OCR_CONCURRENCY": "1", "PREFECT_WORKER_QUERY_SECONDS": "3",
        "DOSSIER_ID_HASH_KEY": secrets.token_hex(32),
    }
    secret = env["DOSSIER_ID_HASH_KEY"].encode()  # opens the runs' sealed upload parameter
    ctx = ServiceContext(services_dir=folder / "services", env_file=folder / "services.env",
                         cache_dir=Path("~/.cache/dossier").expanduser(), bucket=target.bucket,
                         ports=ServicePorts())
    worker, watcher = WorkerService(), WatcherService()
    try:
        from dossier import db

        db.upgrade(database_url)
        db.dispose_engines()
        deploy(target)
        with get_client(sync_client=True) as client:
            _pause_sweep(client, target.sweep_deployment)
            deployment = client.read_deployment_by_name(target.ingest_deployment)
        limit = deployment.concurrency_limit or (
            deployment.global_concurrency_limit.limit
            if deployment.global_concurrency_limit else None)
        worker.up(ctx, env)
        watcher.up(ctx, env)
        files = _uploads(folder, args.uploads)
        keys = [f"incoming/{f.name}" for f in files]
        print(f"{len(files)} one-page uploads; deployment {target.ingest_deployment} "
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
            keyed = {run_upload(r.parameters, secret=secret) for r in runs}
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
        per_key = Counter(run_upload(r.parameters, secret=secret) for r in runs)
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
        ok = (not twice and not missing and finished_at is not None
              and sum(statuses.values()) == len(keys) and most_running <= (limit or 10**6)
              and set(statuses) <= {"ok", "needs_review"})
        return 0 if ok else 1
    finally:
        if not args.keep:
            for cleanup in (lambda: watcher.stop(ctx, env), lambda: worker.stop(ctx, env),
                            lambda: remove(target), lambda: _drop_schema(base_url, schema),
                            lambda: _empty(store)):
                try:
                    cleanup()
                except Exception as error:  # reported; the next step runs
                    print(f"cleanup failed: {error!r}", file=sys.stderr)


def _empty(store) -> None:
    client = store.client
    for obj in client.list_objects(store.bucket, recursive=True):
        client.remove_object(store.bucket, obj.object_name)
    client.remove_bucket(store.bucket)


if __name__ == "__main__":
    raise SystemExit(main())

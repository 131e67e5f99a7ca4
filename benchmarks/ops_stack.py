"""A deployed pipeline of the benchmark's own on the local stack (as tests/ops builds one).

Everything it makes is its own and removed afterwards: a bucket, a schema in the
test database, a work pool, deployments from prefect.yaml with a name suffix (their
trigger matches only this bucket's uploads), a worker and a watcher started through
the same service classes as ``dossier services up --all``. The sweep's schedule is
paused: every run comes from a watcher event (or the benchmark starts it).
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class BenchStack:
    env: dict[str, str]
    target: object  # infra.deployments.DeployTarget
    ctx: object  # infra.context.ServiceContext
    database_url: str
    folder: Path
    store: object  # dossier.store.minio_store.MinioStore

    def ingest_deployment_id(self):
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            return client.read_deployment_by_name(self.target.ingest_deployment).id

    def upload_of(self, run) -> str | None:
        """The key an ingest run was started for: its ``upload`` parameter is a sealed
        reference (tasks.intake.upload_ref), opened with the stack's secret."""
        from tasks.intake.upload_ref import run_upload

        return run_upload(run.parameters, secret=self.env["DOSSIER_ID_HASH_KEY"].encode())


def _pause_sweep(name: str) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(name)
        for schedule in deployment.schedules:
            client.update_deployment_schedule(deployment.id, schedule.id, active=False)


def _empty(store) -> None:
    client = store.client
    for obj in client.list_objects(store.bucket, recursive=True):
        client.remove_object(store.bucket, obj.object_name)
    client.remove_bucket(store.bucket)


@contextmanager
def bench_stack(prefix: str, keep: bool = False, extra_env: dict[str, str] | None = None,
                ) -> Iterator[BenchStack]:
    """The stack, up (worker and watcher running); torn down on exit unless ``keep``."""
    from dossier import db
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
        raise SystemExit("no data/services.env: run `dossier services up` first")
    os.environ[PREFECT_API_URL] = services[PREFECT_API_URL]
    from dossier.store.minio_store import MinioStore

    uid = f"{os.getpid()}{secrets.token_hex(2)}"
    schema, base_url = f"{prefix}_{uid}", services[TEST_DATABASE_URL]
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-bench-"))
    target = DeployTarget(api_url=services[PREFECT_API_URL], bucket=f"dossiers-{prefix}-{uid}",
                          pool=f"dossier-{prefix}-{uid}", suffix=f"-{prefix}{uid}")
    store = MinioStore(endpoint=services[MINIO_ENDPOINT], access_key=services[MINIO_ACCESS_KEY],
                       secret_key=services[MINIO_SECRET_KEY], bucket=target.bucket)
    database_url = db.schema_url(base_url, schema)
    env = {
        **{k: services[k] for k in (MINIO_ENDPOINT, MINIO_ACCESS_KEY, MINIO_SECRET_KEY)},
        BUCKET: target.bucket, DATABASE_URL: database_url, PREFECT_API_URL: target.api_url,
        "DOSSIER_WORK_POOL": target.pool, "DOSSIER_DATA_DIR": str(folder / "data"),
        "DOSSIER_OCR_CONCURRENCY": "1", "PREFECT_WORKER_QUERY_SECONDS": "3",
        "DOSSIER_ID_HASH_KEY": secrets.token_hex(32),
        **(extra_env or {}),
    }
    ctx = ServiceContext(services_dir=folder / "services", env_file=folder / "services.env",
                         cache_dir=Path("~/.cache/dossier").expanduser(), bucket=target.bucket,
                         ports=ServicePorts())
    worker, watcher = WorkerService(), WatcherService()
    try:
        db.upgrade(database_url)
        db.dispose_engines()
        deploy(target)
        _pause_sweep(target.sweep_deployment)
        worker.up(ctx, env)
        watcher.up(ctx, env)
        yield BenchStack(env=env, target=target, ctx=ctx, database_url=database_url,
                         folder=folder, store=store)
    finally:
        if not keep:
            for cleanup in (lambda: watcher.stop(ctx, env), lambda: worker.stop(ctx, env),
                            lambda: remove(target), lambda: db.drop_schema(base_url, schema),
                            lambda: _empty(store)):
                try:
                    cleanup()
                except Exception as error:  # reported; the next step runs
                    print(f"cleanup failed: {error!r}", file=sys.stderr)

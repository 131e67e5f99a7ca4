"""A throwaway deployed pipeline on the local services: what tests/ops and the benches use.

Everything it makes is its own and removed afterwards: a bucket, a schema in the
test database, a work pool, the deployments of prefect.yaml with a name suffix
(their trigger matches only this bucket's uploads), and a worker and a watcher
started through the same service classes as ``dossier services up --all``. The
sweep's schedule is paused: every run comes from a watcher event, or the caller
starts it. The shared MinIO, PostgreSQL and Prefect server are used as they are.

Deploying and starting take over a minute, so callers build one stack and reuse it
(tests/ops: one per package, emptied between modules).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
)
from infra.watcher_service import WatcherService
from infra.worker_service import WorkerService

__all__ = ["TERMINAL", "DeployedStack", "build_stack", "deployed_stack", "teardown"]

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class DeployedStack:
    env: dict[str, str]  # what the worker, the watcher and their flow runs see
    target: DeployTarget
    ctx: ServiceContext
    database_url: str  # the stack's schema in the test database
    base_url: str  # the test database, without the stack's schema
    schema: str
    folder: Path
    worker: WorkerService = field(default_factory=WorkerService)
    watcher: WatcherService = field(default_factory=WatcherService)

    @property
    def bucket(self) -> str:
        return self.target.bucket

    def store(self) -> Any:
        """A MinioStore on the stack's bucket (it makes the bucket when missing)."""
        from dossier.store.minio_store import MinioStore

        return MinioStore(endpoint=self.env[MINIO_ENDPOINT],
                          access_key=self.env[MINIO_ACCESS_KEY],
                          secret_key=self.env[MINIO_SECRET_KEY], bucket=self.bucket)

    def upload_of(self, run: Any) -> str | None:
        """The key an ingest run was started for: its ``upload`` parameter is a sealed
        reference (tasks.intake.upload_ref), opened with the stack's secret."""
        from tasks.intake.upload_ref import run_upload

        return run_upload(run.parameters, secret=self.env["DOSSIER_ID_HASH_KEY"].encode())

    def ingest_deployment_id(self) -> Any:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            return client.read_deployment_by_name(self.target.ingest_deployment).id

    def ingest_runs(self) -> list:
        """Every flow run of this stack's ingest deployment."""
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(self.target.ingest_deployment)
            return client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                limit=200)

    def wait_for_runs(self, keys: list[str], timeout: float, poll: float = 2.0) -> dict:
        """The finished ingest run of each key, waiting at most ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            finished = {}
            for run in self.ingest_runs():
                key = self.upload_of(run)
                if key in keys and run.state_type and run.state_type.value in TERMINAL:
                    finished[key] = run
            if len(finished) == len(keys) or time.monotonic() > deadline:
                return finished
            time.sleep(poll)


def _pause_sweep(name: str) -> None:
    """The caller triggers the sweep itself: a scheduled one due meanwhile would take the
    deployment's single slot and cancel the caller's run (CANCEL_NEW, as designed)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(name)
        for schedule in deployment.schedules:
            client.update_deployment_schedule(deployment.id, schedule.id, active=False)
        for run in client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
            limit=200,
        ):
            client.delete_flow_run(run.id)


def _empty_bucket(stack: DeployedStack) -> None:
    client = stack.store().client
    for obj in client.list_objects(stack.bucket, recursive=True):
        client.remove_object(stack.bucket, obj.object_name)
    client.remove_bucket(stack.bucket)


def build_stack(prefix: str, services: dict[str, str], folder: Path,
                extra_env: dict[str, str] | None = None) -> DeployedStack:
    """Make the stack named ``prefix`` on ``services`` (a services.env mapping) and start
    its worker and watcher; their files go under ``folder``. On failure whatever was
    made is removed again before the error goes on."""
    from dossier import db

    uid = f"{os.getpid()}{secrets.token_hex(2)}"
    schema, base_url = f"{prefix}_{uid}", services[TEST_DATABASE_URL]
    api = services[PREFECT_API_URL]
    target = DeployTarget(api_url=api, bucket=f"dossiers-{prefix}-{uid}".replace("_", "-"),
                          pool=f"dossier-{prefix}-{uid}", suffix=f"-{prefix}{uid}")
    database_url = db.schema_url(base_url, schema)
    env = {
        **{k: services[k] for k in (MINIO_ENDPOINT, MINIO_ACCESS_KEY, MINIO_SECRET_KEY)},
        BUCKET: target.bucket, DATABASE_URL: database_url, PREFECT_API_URL: api,
        "DOSSIER_WORK_POOL": target.pool, "DOSSIER_DATA_DIR": str(folder / "data"),
        "DOSSIER_OCR_CONCURRENCY": "1", "PREFECT_WORKER_QUERY_SECONDS": "3",
        # The stack's own key: the caller (which hashes an expected value or opens a
        # sealed upload) and the worker's flow runs must agree.
        "DOSSIER_ID_HASH_KEY": secrets.token_hex(32),
        **(extra_env or {}),
    }
    ctx = ServiceContext(services_dir=folder / "services", env_file=folder / "services.env",
                         cache_dir=Path("~/.cache/dossier").expanduser(), bucket=target.bucket,
                         ports=ServicePorts())
    stack = DeployedStack(env=env, target=target, ctx=ctx, database_url=database_url,
                          base_url=base_url, schema=schema, folder=folder)
    try:
        db.upgrade(database_url)
        db.dispose_engines()
        stack.store()  # makes the bucket
        deploy(target)
        _pause_sweep(target.sweep_deployment)
        stack.worker.up(ctx, env)
        stack.watcher.up(ctx, env)
    except BaseException:
        teardown(stack, lambda message: None)
        raise
    return stack


def teardown(stack: DeployedStack, report: Callable[[str], None]) -> None:
    """Remove everything the stack made; each step on its own, a failure reported and the
    next step run anyway."""
    from dossier import db

    ctx, env = stack.ctx, stack.env
    for cleanup in (lambda: stack.watcher.stop(ctx, env), lambda: stack.worker.stop(ctx, env),
                    lambda: remove(stack.target),
                    lambda: db.drop_schema(stack.base_url, stack.schema),
                    lambda: _empty_bucket(stack)):
        try:
            cleanup()
        except Exception as error:  # reported; the next step runs
            report(f"stack cleanup failed: {error!r}")


@contextmanager
def deployed_stack(prefix: str, services: dict[str, str], folder: Path, *,
                   keep: bool = False, extra_env: dict[str, str] | None = None,
                   report: Callable[[str], None] = print) -> Iterator[DeployedStack]:
    """:func:`build_stack`, torn down on exit unless ``keep``."""
    stack = build_stack(prefix, services, folder, extra_env)
    try:
        yield stack
    finally:
        if not keep:
            teardown(stack, report)

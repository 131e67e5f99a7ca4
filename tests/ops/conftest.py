"""A deployed pipeline of the tests' own on the real local stack.

The shared MinIO, PostgreSQL and Prefect server (on PostgreSQL) are used, but
everything the tests create is their own: a bucket, a schema in the test
database, a work pool, deployments with a name suffix (whose trigger matches
only this bucket's uploads), and a worker and watcher started through the
same service classes as ``dossier services up --all``. All of it is removed
afterwards, so the tests are repeatable and never touch the shared pipeline.

The stack is built once for the package (deploying and starting it takes over a
minute) and handed to each module emptied: no flow run of its deployments, an
empty bucket, a fresh schema, its worker and watcher up. So every module starts
from the same state as with a stack of its own. A module that stops the stack's
worker (to start others) starts it again when it is done.
"""

from __future__ import annotations

import os
import secrets
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dossier import db
from infra.context import ServiceContext, ServicePorts
from infra.deployments import DeployTarget, deploy, remove
from infra.health import http_ok
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

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class OpsStack:
    env: dict[str, str]
    target: DeployTarget
    ctx: ServiceContext
    database_url: str
    base_url: str  # the test database, without the stack's schema
    schema: str
    worker: WorkerService = field(default_factory=WorkerService)
    watcher: WatcherService = field(default_factory=WatcherService)

    @property
    def bucket(self) -> str:
        return self.target.bucket

    def store(self):  # a MinioStore on the test's bucket
        from dossier.store.minio_store import MinioStore

        return MinioStore(endpoint=self.env[MINIO_ENDPOINT],
                          access_key=self.env[MINIO_ACCESS_KEY],
                          secret_key=self.env[MINIO_SECRET_KEY], bucket=self.bucket)

    def upload_of(self, run) -> str | None:
        """The key an ingest run was started for: its ``upload`` parameter is a sealed
        reference (tasks.intake.upload_ref), opened with the stack's secret."""
        from tasks.intake.upload_ref import run_upload

        return run_upload(run.parameters, secret=self.env["DOSSIER_ID_HASH_KEY"].encode())

    def ingest_runs(self) -> list:
        """Every flow run of this stack's ingest deployment."""
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(self.target.ingest_deployment)
            return client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
                limit=200)

    def wait_for_runs(self, keys: list[str], timeout: float) -> dict[str, object]:
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
            time.sleep(3)


def _prefect_api(env: dict[str, str]) -> str:
    api = env.get(PREFECT_API_URL, "")
    if not api or not http_ok(api.rstrip("/") + "/health"):
        pytest.skip(f"the Prefect server ({api or 'PREFECT_API_URL unset'}) is not answering; "
                    "start it with: .venv/bin/dossier services up")
    return api


def _empty_bucket(stack: OpsStack) -> None:
    client = stack.store().client
    for obj in client.list_objects(stack.bucket, recursive=True):
        client.remove_object(stack.bucket, obj.object_name)
    client.remove_bucket(stack.bucket)


def _pause_sweep_schedule(target: DeployTarget) -> None:
    """The test triggers the sweep itself: a scheduled one due meanwhile would take the
    deployment's single slot and cancel the test's run (CANCEL_NEW, as designed)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(target.sweep_deployment)
        assert [s.schedule.cron for s in deployment.schedules] == ["*/5 * * * *"]
        assert deployment.schedules[0].schedule.timezone == "Asia/Shanghai"
        for schedule in deployment.schedules:
            client.update_deployment_schedule(deployment.id, schedule.id, active=False)
        from prefect.client.schemas.filters import (
            DeploymentFilter,
            DeploymentFilterId,
            FlowRunFilter,
            FlowRunFilterState,
            FlowRunFilterStateType,
        )
        from prefect.client.schemas.objects import StateType

        for run in client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
            limit=200,
        ):
            client.delete_flow_run(run.id)


def _delete_flow_runs(stack: OpsStack) -> int:
    """Delete every flow run on the stack's work pool (its deployments' runs)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import WorkPoolFilter, WorkPoolFilterName

    deleted = 0
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(work_pool_filter=WorkPoolFilter(
                name=WorkPoolFilterName(any_=[stack.target.pool])), limit=200)
            for run in runs:
                client.delete_flow_run(run.id)
            deleted += len(runs)
            if len(runs) < 200:
                return deleted


def _reset(stack: OpsStack) -> None:
    """The stack as freshly made: no runs, an empty bucket and schema, worker and watcher up.

    The watcher's heartbeat object stays (it would put it back anyway).
    """
    _delete_flow_runs(stack)
    client = stack.store().client
    for obj in client.list_objects(stack.bucket, recursive=True):
        if not obj.object_name.startswith("watcher/"):
            client.remove_object(stack.bucket, obj.object_name)
    db.dispose_engines()
    db.schema_url(stack.base_url, stack.schema, fresh=True)
    db.upgrade(stack.database_url)
    db.dispose_engines()
    stack.worker.up(stack.ctx, stack.env)  # no-ops when up
    stack.watcher.up(stack.ctx, stack.env)


@pytest.fixture(scope="module")
def ops_stack(package_ops_stack: OpsStack) -> OpsStack:
    """The package's stack, emptied for this module (see the module note)."""
    _reset(package_ops_stack)
    return package_ops_stack


@pytest.fixture(scope="package")
def package_ops_stack(
    services_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpsStack]:
    from prefect.settings import PREFECT_API_URL as API_SETTING
    from prefect.settings import temporary_settings

    api = _prefect_api(services_env)
    # This process asks the same server about runs (Prefect may be imported already).
    settings = temporary_settings(updates={API_SETTING: api})
    settings.__enter__()
    uid = f"{os.getpid()}{secrets.token_hex(2)}"
    schema = f"ops_e2e_{uid}"
    base_url = services_env[TEST_DATABASE_URL]
    database_url = db.schema_url(base_url, schema)
    db.upgrade(database_url)
    db.dispose_engines()
    folder = tmp_path_factory.mktemp("ops")
    target = DeployTarget(api_url=api, bucket=f"dossiers-ops-{uid}", pool=f"dossier-ops-{uid}",
                          suffix=f"-ops{uid}")
    env = {
        **{k: services_env[k] for k in (MINIO_ENDPOINT, MINIO_ACCESS_KEY, MINIO_SECRET_KEY)},
        BUCKET: target.bucket,
        DATABASE_URL: database_url,
        PREFECT_API_URL: api,
        "DOSSIER_WORK_POOL": target.pool,
        "DOSSIER_DATA_DIR": str(folder / "data"),
        "DOSSIER_OCR_CONCURRENCY": "1",
        "PREFECT_WORKER_QUERY_SECONDS": "3",
        # The stack's own key: this process (which imports feeds or hashes an expected
        # value with its own data folder) and the worker's flow runs must agree.
        "DOSSIER_ID_HASH_KEY": secrets.token_hex(32),
    }
    ctx = ServiceContext(services_dir=folder / "services", env_file=folder / "services.env",
                         cache_dir=Path("~/.cache/dossier").expanduser(), bucket=target.bucket,
                         ports=ServicePorts())
    stack = OpsStack(env=env, target=target, ctx=ctx, database_url=database_url,
                     base_url=base_url, schema=schema)
    stack.store()  # makes the bucket
    try:
        deploy(target)
        _pause_sweep_schedule(target)
        stack.worker.up(ctx, env)
        stack.watcher.up(ctx, env)
        yield stack
    finally:  # every step on its own: one failing must not leave the others behind
        for cleanup in (lambda: stack.watcher.stop(ctx, env), lambda: stack.worker.stop(ctx, env),
                        lambda: remove(target), lambda: db.drop_schema(base_url, schema),
                        lambda: _empty_bucket(stack)):
            try:
                cleanup()
            except Exception as error:  # reported, then the next step runs
                warnings.warn(f"ops stack cleanup failed: {error!r}", stacklevel=1)
        settings.__exit__(None, None, None)

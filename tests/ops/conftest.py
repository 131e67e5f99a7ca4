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

import warnings
from collections.abc import Iterator

import pytest

from dossier import db
from infra.deployed_stack import TERMINAL, DeployedStack, build_stack, teardown
from infra.deployments import automations_of
from infra.health import http_ok
from infra.services_env import PREFECT_API_URL

__all__ = ["TERMINAL", "OpsStack"]

OpsStack = DeployedStack  # the tests' name for it (infra/deployed_stack.py builds it)


def _prefect_api(env: dict[str, str]) -> str:
    api = env.get(PREFECT_API_URL, "")
    if not api or not http_ok(api.rstrip("/") + "/health"):
        pytest.skip(f"the Prefect server ({api or 'PREFECT_API_URL unset'}) is not answering; "
                    "start it with: .venv/bin/dossier services up")
    return api


def _check_sweep_schedule(stack: OpsStack) -> None:
    """The sweep is deployed on its schedule (paused by the stack: the tests start it)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(stack.target.sweep_deployment)
    assert [s.schedule.cron for s in deployment.schedules] == ["*/5 * * * *"]
    assert deployment.schedules[0].schedule.timezone == "Asia/Shanghai"
    assert not any(s.active for s in deployment.schedules)


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
    with temporary_settings(updates={API_SETTING: api}):
        stack = build_stack("ops", services_env, tmp_path_factory.mktemp("ops"))
        try:
            _check_sweep_schedule(stack)
            yield stack
        finally:
            teardown(stack, lambda message: warnings.warn(message, stacklevel=1))
            # Deleting a deployment left its triggers' automations on the server.
            assert automations_of(stack.target) == []

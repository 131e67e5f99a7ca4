"""A feed batch uploaded to MinIO ends in the library and the nightly run finds its leads.

On the real local stack with deployments made from prefect.yaml: ``dossier feeds
upload`` puts the CSV files and then the ``_READY`` marker; the watcher turns the
marker into ``dossier.feeds.ready``, the ``import-feeds/on-batch`` trigger starts
a run on the worker, and the batch's rows land in the test's PostgreSQL schema.
The ``run-supervision/daily`` deployment (its schedule checked, then run by hand
as an operator would) leaves a table artifact with new and existing leads per
model, and the leads files of the run in the bucket.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from supervision import scenario

from ops.conftest import TERMINAL
from schemas.feeds_tables import FeedJudgment
from schemas.leads_tables import Lead

if TYPE_CHECKING:
    from ops.conftest import OpsStack

# Two flow runs on a worker, each ~1.5 min to start on a loaded 2-core machine, plus the
# stack: more than the suite-wide 900 s timeout when the machine is busy.
pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(1800)]
RUN_TIMEOUT_S = 900  # a flow run starts in ~1.5 min on a loaded 2-core machine


def _runs(deployment_name: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(deployment_name)
        return client.read_flow_runs(deployment_filter=DeploymentFilter(
            id=DeploymentFilterId(any_=[deployment.id])), limit=50)


def _wait(deployment_name: str, timeout: float) -> object | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [r for r in _runs(deployment_name)
                if r.state_type and r.state_type.value in TERMINAL]
        if done:
            return done[0]
        time.sleep(3)
    return None


def test_uploaded_batch_is_imported_and_supervised(ops_stack: OpsStack, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.deployments import run_deployment

    folder = scenario.write(tmp_path / "2026-06")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env.update(ops_stack.env)
    dossier = Path(sys.executable).with_name("dossier")
    done = subprocess.run([str(dossier), "feeds", "upload", str(folder), "--batch", "2026-06"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr

    run = _wait(ops_stack.target.feeds_deployment, RUN_TIMEOUT_S)
    assert run is not None, "no import-feeds run was triggered by the batch's _READY marker"
    assert run.state_type.value == "COMPLETED", run.state
    assert run.parameters["prefix"] == "feeds/2026-06/"
    engine = sa.create_engine(ops_stack.database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        judgments = connection.scalar(sa.select(sa.func.count()).select_from(FeedJudgment))
    assert judgments == len(scenario.rows()["judgments"])
    assert ops_stack.store().exists("manifests/feeds/2026-06.json")

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(ops_stack.target.supervision_deployment)
        assert [s.schedule.cron for s in deployment.schedules] == ["30 2 * * *"]
    flow_run = run_deployment(ops_stack.target.supervision_deployment, timeout=RUN_TIMEOUT_S,
                              parameters={"as_of": scenario.AS_OF.isoformat()}, poll_interval=1)
    assert flow_run.state.is_completed(), flow_run.state
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id])))
    table = next(a for a in artifacts if a.type == "table")
    assert "new leads" in str(table.data) and "custody_overdue" in str(table.data)
    with engine.connect() as connection:
        leads = connection.scalar(sa.select(sa.func.count()).select_from(Lead))
        run_id = connection.scalar(sa.select(Lead.last_run_id).limit(1))
    engine.dispose()
    assert leads == sum(len(v) for v in scenario.EXPECTED.values())
    keys = [i.key for i in ops_stack.store().list(f"leads/runs/{run_id}/")]
    assert len(keys) == len(scenario.EXPECTED)

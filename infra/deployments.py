"""``prefect deploy --all`` for this project: the pool, the ``ocr`` limit, then prefect.yaml.

``prefect deploy`` refuses to create a work pool without a prompt and knows
nothing of tag concurrency limits, so both are made here first when missing
(never changed when present: an operator may have tuned them in the UI).
The placeholders of prefect.yaml are filled from :class:`DeployTarget`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dossier.settings import PROJECT_ROOT
from infra.prefect_server import prefect_executable
from infra.processes import ServiceError

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient

log = logging.getLogger("infra.deploy")

DEFAULT_POOL = "dossier-pool"
OCR_TAG = "ocr"
DEFAULT_OCR_LIMIT = 4
INGEST_DEPLOYMENT = "ingest-dossier/on-upload"
SWEEP_DEPLOYMENT = "sweep-incoming/every-5-minutes"
REPROCESS_DEPLOYMENT = "reprocess/by-hand"
FEEDS_DEPLOYMENT = "import-feeds/on-batch"
SUPERVISION_DEPLOYMENT = "run-supervision/daily"
# Lead review and recommendations (issue 12).
REVIEW_DEPLOYMENT = "review-leads/on-demand"
RECOMMENDATION_DEPLOYMENTS = ("issue-recommendations/daily",
                              "deliver-recommendations/every-10-minutes",
                              "follow-up-recommendations/daily")
IMPORT_DEPLOYMENT = "import-judgments/on-import"
# Case management (issue 16): deadlines, quality evaluation, the analysis report.
CASE_MANAGEMENT_DEPLOYMENTS = ("check-deadlines/daily", "evaluate-quality/monthly",
                               "analysis-report/weekly")


@dataclass(frozen=True)
class DeployTarget:
    """Where the deployments go: the pool, the bucket whose uploads trigger, a name suffix.

    A suffix gives a second, independent set of deployments on the same server
    (a test, a staging bucket) beside the usual one.
    """

    api_url: str
    bucket: str
    pool: str = DEFAULT_POOL
    suffix: str = ""
    ocr_limit: int = DEFAULT_OCR_LIMIT
    project_dir: Path = PROJECT_ROOT

    @property
    def ingest_deployment(self) -> str:
        return INGEST_DEPLOYMENT + self.suffix

    @property
    def sweep_deployment(self) -> str:
        return SWEEP_DEPLOYMENT + self.suffix

    @property
    def reprocess_deployment(self) -> str:
        return REPROCESS_DEPLOYMENT + self.suffix

    @property
    def feeds_deployment(self) -> str:
        return FEEDS_DEPLOYMENT + self.suffix

    @property
    def supervision_deployment(self) -> str:
        return SUPERVISION_DEPLOYMENT + self.suffix

    @property
    def review_deployment(self) -> str:
        return REVIEW_DEPLOYMENT + self.suffix

    @property
    def import_deployment(self) -> str:
        return IMPORT_DEPLOYMENT + self.suffix

    @property
    def deployments(self) -> tuple[str, ...]:
        return (self.ingest_deployment, self.sweep_deployment, self.reprocess_deployment,
                self.feeds_deployment, self.supervision_deployment, self.review_deployment,
                *(name + self.suffix for name in RECOMMENDATION_DEPLOYMENTS),
                self.import_deployment,
                *(name + self.suffix for name in CASE_MANAGEMENT_DEPLOYMENTS))

    def environment(self) -> dict[str, str]:
        return {
            "PREFECT_API_URL": self.api_url,
            "DOSSIER_WORK_POOL": self.pool,
            "DOSSIER_BUCKET": self.bucket,
            "DOSSIER_DEPLOY_SUFFIX": self.suffix,
            "DOSSIER_PROJECT_DIR": str(self.project_dir),
        }


@contextmanager
def prefect_client(api_url: str) -> Iterator[SyncPrefectClient]:
    """A client of ``api_url`` even when Prefect was imported (and read its settings) earlier."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: api_url}), \
            get_client(sync_client=True) as client:
        yield client


def flow_run_command(project_dir: Path = PROJECT_ROOT) -> str:
    """How the pool's worker starts a run: the pre-warmed starter's client
    (infra.flow_starter), with this interpreter; it starts the run cold by itself
    wherever no starter runs beside the worker."""
    return shlex.join([sys.executable, "-I", "-S",
                       str(project_dir / "infra" / "flow_starter_client.py")])


def ensure_work_pool(api_url: str, name: str, project_dir: Path = PROJECT_ROOT) -> bool:
    """Create the process work pool unless it exists; True when it was created.

    Its runs start through :func:`flow_run_command`. A pool that exists keeps what
    an operator set; one whose command was never set (made before the starter
    existed) is given it.
    """
    from prefect.client.schemas.actions import WorkPoolCreate, WorkPoolUpdate
    from prefect.exceptions import ObjectNotFound
    from prefect.workers.process import ProcessWorker

    command = flow_run_command(project_dir)
    with prefect_client(api_url) as client:
        try:
            pool = client.read_work_pool(name)
        except ObjectNotFound:
            template = ProcessWorker.get_default_base_job_template()
            template["variables"]["properties"]["command"]["default"] = command
            client.create_work_pool(WorkPoolCreate(name=name, type="process",
                                                   base_job_template=template))
            log.info("created process work pool %s", name)
            return True
        template = pool.base_job_template
        setting = template.get("variables", {}).get("properties", {}).get("command")
        if pool.type == "process" and setting is not None and setting.get("default") is None:
            setting["default"] = command
            client.update_work_pool(name, WorkPoolUpdate(base_job_template=template))
            log.info("work pool %s: runs now start through the flow starter", name)
        return False


def ensure_tag_limit(api_url: str, tag: str, limit: int) -> bool:
    """Create the task-run concurrency limit of ``tag`` unless it exists."""
    from prefect.exceptions import ObjectNotFound

    with prefect_client(api_url) as client:
        try:
            client.read_concurrency_limit_by_tag(tag)
            return False
        except ObjectNotFound:
            client.create_concurrency_limit(tag=tag, concurrency_limit=limit)
            log.info("created concurrency limit %s=%d", tag, limit)
            return True


def deploy(target: DeployTarget, timeout: float = 300) -> str:
    """Pool and limit first, then ``prefect deploy --all``; returns its output."""
    ensure_work_pool(target.api_url, target.pool, target.project_dir)
    ensure_tag_limit(target.api_url, OCR_TAG, target.ocr_limit)
    env = {**os.environ, **target.environment(), "PREFECT_CLI_PROMPT": "false"}
    argv = [prefect_executable(), "--no-prompt", "deploy", "--all",
            "--prefect-file", str(target.project_dir / "prefect.yaml")]
    done = subprocess.run(argv, cwd=target.project_dir, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise ServiceError(f"prefect deploy failed ({done.returncode}):\n"
                           + (done.stdout + done.stderr)[-3000:])
    return done.stdout


def _named_automations(client: SyncPrefectClient, target: DeployTarget) -> list:
    """The automations of the target's deployment triggers, by the name ``prefect
    deploy`` gives them ("<deployment name>__automation_<n>")."""
    names = {name.split("/", 1)[1] + "__automation" for name in target.deployments}
    return [a for a in client.read_automations() if a.name.rsplit("_", 1)[0] in names]


def automations_of(target: DeployTarget) -> list[str]:
    """Names of the target's automations on the server (none once it is removed)."""
    with prefect_client(target.api_url) as client:
        return [a.name for a in _named_automations(client, target)]


def remove(target: DeployTarget) -> None:
    """Delete this target's deployments with their triggers' automations (deleting a
    deployment leaves them on the server, where every event is still matched against
    them), their scheduled runs, and the pool."""
    from prefect.exceptions import ObjectNotFound

    with prefect_client(target.api_url) as client:
        for name in target.deployments:
            with contextlib.suppress(ObjectNotFound):
                deployment = client.read_deployment_by_name(name)
                client.delete_resource_owned_automations(f"prefect.deployment.{deployment.id}")
                client.delete_deployment(deployment.id)
        for automation in _named_automations(client, target):  # left by older removals
            with contextlib.suppress(ObjectNotFound):
                client.delete_automation(automation.id)
        if target.pool != DEFAULT_POOL:
            with contextlib.suppress(ObjectNotFound):
                client.delete_work_pool(target.pool)

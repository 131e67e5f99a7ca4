"""What the ops tests share: sample uploads, the library's counts, the run artifacts
an operator reads, and the headless browser that reads them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from dossier import db
from dossier.samples.dossier import make_sample_dossier
from schemas.tables import Case, Dossier

if TYPE_CHECKING:
    from ops.conftest import OpsStack


def sample_pages(seed: int, count: int = 2) -> list[str]:
    """The last pages of a sample dossier (its indictment and judgment): a case card."""
    return [text for text in make_sample_dossier(seed).pages if text][-count:]


def upload(stack: OpsStack, *files: Path) -> None:
    """``dossier upload`` as an operator runs it, against the test's bucket."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env.update(stack.env)
    dossier = Path(sys.executable).with_name("dossier")
    done = subprocess.run([str(dossier), "upload", *map(str, files)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "起诉" not in done.stdout  # names are masked in the command's output


def library_counts(stack: OpsStack) -> tuple[int, dict[str, str]]:
    with db.get_engine(stack.database_url).connect() as connection:
        cases = connection.scalar(sa.select(sa.func.count()).select_from(Case))
        statuses = dict(connection.execute(sa.select(Dossier.dossier_id, Dossier.status)).all())
    return cases or 0, statuses


def summary_artifact(flow_run_id) -> object | None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return next((a for a in artifacts if a.type == "markdown"
                 and (a.key or "").endswith("-summary")), None)


def sweep_report(flow_run_id) -> str:
    """The sweep's counts, from its markdown artifact (results stay on the worker)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return "\n".join(str(a.data) for a in artifacts if a.type == "markdown")


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1400,1000")


def browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()):
        pytest.skip("Debian's chromium and chromium-driver are not installed "
                    "(dossier services up installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

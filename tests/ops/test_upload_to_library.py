"""An upload alone ends in the library: watcher → event → trigger → worker → ingest.

On the real local stack (MinIO, PostgreSQL, the Prefect server on PostgreSQL)
with deployments made by ``prefect deploy`` from prefect.yaml. Three uploads
(one with a Chinese file name, one encrypted PDF that must be quarantined),
then the watcher is killed and a fourth upload is caught by the sweep.
Dossiers are 1–2 born-digital pages, so no OCR time is spent.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dossier.samples import formats
from ops.helpers import (
    SCREENSHOTS,
    browser,
    library_counts,
    sample_pages,
    summary_artifact,
    sweep_report,
    upload,
)

if TYPE_CHECKING:
    from ops.conftest import OpsStack

pytestmark = [pytest.mark.services, pytest.mark.slow]

RUN_TIMEOUT_S = 300


def test_uploads_become_runs_and_the_sweep_catches_what_the_watcher_missed(
    ops_stack: OpsStack, tmp_path: Path
) -> None:
    chinese = formats.write_text_pdf(sample_pages(21), tmp_path / "起诉书 样本一.pdf")
    plain = formats.write_text_pdf(sample_pages(22, 1), tmp_path / "dossier-b.pdf")
    locked = formats.write_encrypted_pdf(sample_pages(23, 1), tmp_path / "locked.pdf")
    keys = [f"incoming/{p.name}" for p in (chinese, plain, locked)]

    upload(ops_stack, chinese, plain, locked)
    runs = ops_stack.wait_for_runs(keys, RUN_TIMEOUT_S)
    assert set(runs) == set(keys), f"runs within {RUN_TIMEOUT_S} s: {sorted(runs)}"
    # A quarantined upload is a completed run with status rejected, not a failed run.
    assert {k: runs[k].state_type.value for k in keys} == dict.fromkeys(keys, "COMPLETED")
    assert runs[keys[0]].name.startswith("ingest-") and "起诉" not in runs[keys[0]].name
    # Started by the pool's command through the worker's pre-warmed starter, not cold.
    starter_log = (ops_stack.folder / "services" / "worker" / "flow-starter.log").read_text()
    forked = [line for line in starter_log.splitlines() if line.endswith(" started")]
    assert len(forked) >= len(keys), starter_log[-2000:]  # (a run ends after its state)

    cases, statuses = library_counts(ops_stack)
    assert cases == 2
    assert sorted(statuses.values()).count("rejected") == 1
    assert len(statuses) == 3
    store = ops_stack.store()
    [reason] = [store.get_json(o.key) for o in store.list("quarantine/")
                if o.key.endswith("/reason.json")]
    assert (reason["reason"], reason["upload"]) == ("encrypted", "locked.pdf")

    # Operators see a summary on every run, the quarantined one included.
    for key in keys:
        artifact = summary_artifact(runs[key].id)
        assert artifact is not None, f"no summary artifact on the run of {key}"
    assert "隔离 rejected" in summary_artifact(runs[keys[2]].id).data

    # One run per upload: the watcher's events were not doubled into runs.
    per_key = [ops_stack.upload_of(r) for r in ops_stack.ingest_runs()]
    assert sorted(per_key) == sorted(keys)

    # The watcher dies; an upload arrives anyway; the sweep picks it up.
    pid = ops_stack.watcher._pid(ops_stack.ctx)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert ops_stack.watcher.status(ops_stack.ctx, ops_stack.env).state == "down" or (
        _wait_down(ops_stack))
    fourth = formats.write_text_pdf(sample_pages(24), tmp_path / "第四份 卷宗.pdf")
    upload(ops_stack, fourth)
    fourth_key = f"incoming/{fourth.name}"

    from prefect.deployments import run_deployment

    sweep = run_deployment(ops_stack.target.sweep_deployment, timeout=RUN_TIMEOUT_S,
                           poll_interval=1)
    assert sweep.state.is_completed(), sweep.state
    assert "uploads 4 · done 3 · in flight 0 · started 1 · failed 0" in sweep_report(sweep.id)
    runs = ops_stack.wait_for_runs([fourth_key], RUN_TIMEOUT_S)
    assert runs[fourth_key].state_type.value == "COMPLETED"
    cases, statuses = library_counts(ops_stack)
    assert cases == 3 and len(statuses) == 4

    # A second sweep finds nothing to do: everything is done.
    again = run_deployment(ops_stack.target.sweep_deployment, timeout=RUN_TIMEOUT_S,
                           poll_interval=1)
    assert "uploads 4 · done 4 · in flight 0 · started 0" in sweep_report(again.id)


def _wait_down(stack: OpsStack, timeout: float = 10) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.watcher.status(stack.ctx, stack.env).state == "down":
            return True
        time.sleep(0.2)
    return False


# --- what operators see -------------------------------------------------------------

def _completed_run_with_summary(stack: OpsStack, tmp_path: Path):
    """A finished ingest run of this stack (the first test's); else upload one and wait."""
    for run in stack.ingest_runs():
        if run.state_type and run.state_type.value == "COMPLETED":
            artifact = summary_artifact(run.id)
            if artifact is not None and "隔离 rejected" not in str(artifact.data):
                return run, artifact
    sample = formats.write_text_pdf(sample_pages(22, 2), tmp_path / "界面 样本.pdf")
    upload(stack, sample)
    key = f"incoming/{sample.name}"
    run = stack.wait_for_runs([key], RUN_TIMEOUT_S)[key]
    return run, summary_artifact(run.id)


def test_an_operator_finds_the_run_and_its_summary_in_the_prefect_ui(
    ops_stack: OpsStack, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    run, artifact = _completed_run_with_summary(ops_stack, tmp_path)
    assert artifact is not None
    dossier_id = artifact.key.removesuffix("-summary")
    ui = ops_stack.env["PREFECT_API_URL"].removesuffix("/api").rstrip("/")
    driver = browser(tmp_path / "chromium-profile")
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "ops-ui-failure.png").unlink(missing_ok=True)
    try:
        wait = WebDriverWait(driver, 90)
        driver.get(f"{ui}/runs/flow-run/{run.id}")
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), run.name))
        assert "Completed" in driver.find_element(By.TAG_NAME, "body").text
        driver.save_screenshot(str(SCREENSHOTS / "ops-ui-run.png"))
        # The summary belongs to the run's summarise task (its node in the graph):
        # that task run's Artifacts tab lists it; its card opens the rendered markdown.
        driver.get(f"{ui}/runs/task-run/{artifact.task_run_id}")
        tab = wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//li[contains(@class,'p-tab')][normalize-space()='Artifacts']")))
        tab.click()
        card = wait.until(ec.element_to_be_clickable(
            (By.XPATH, f"//*[contains(@class,'artifact-card__title')]"
                       f"[normalize-space()='{artifact.key}']")))
        card.click()
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), "卷宗 dossier"))
        # The page names the flow run it belongs to once the UI has fetched the run (a
        # request of its own, after the markdown: read at once under load, it was not yet).
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), run.name))
        body = driver.find_element(By.TAG_NAME, "body").text
        assert dossier_id in body
        assert "入库 ok" in body or "待复核 needs review" in body
        driver.save_screenshot(str(SCREENSHOTS / "ops-ui-summary.png"))
    except Exception:
        driver.save_screenshot(str(SCREENSHOTS / "ops-ui-failure.png"))
        raise
    finally:
        driver.quit()
    assert (SCREENSHOTS / "ops-ui-summary.png").stat().st_size > 10_000

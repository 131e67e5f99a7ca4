"""Scale-out and recovery on the real stack: two workers share the runs; a failed run
retried from the Prefect UI completes and duplicates nothing; a run whose process is
killed (SIGKILL) mid-OCR ends Crashed, and the sweep finishes its dossier once.

The stack's worker gives way to two workers on the same pool, each running one
flow run at a time (``--limit 1``); the ingest deployment allows two runs at
once, so overlapping uploads must be spread over both. Which worker ran a run
is read from what Prefect records: the ``prefect.worker.name`` label the worker
puts on the run, the run's own logs, and each worker's log file.
"""

from __future__ import annotations

import hashlib
import re
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest
import sqlalchemy as sa

from dossier import db
from dossier.samples import formats
from dossier.samples.render import render_text_page
from infra.worker_service import WorkerService
from ops.helpers import (
    SCREENSHOTS,
    browser,
    sample_pages,
    summary_artifact,
    sweep_report,
    upload,
)
from schemas.tables import Case, Dossier, Lineage, Page
from tasks.intake.retrieve import dossier_id_for

if TYPE_CHECKING:
    from ops.conftest import OpsStack

pytestmark = [pytest.mark.services, pytest.mark.slow]

RUN_TIMEOUT_S = 480
WORKER_LABEL = "prefect.worker.name"
SUBMITTED = re.compile(r"Flow run '([^']+)' submitted to infrastructure")
# A flow run's process writes its own lines into its worker's log, this one among them.
EXECUTED = re.compile(r"View at \S+/runs/flow-run/([0-9a-f-]{36})")
DONE = {"ok", "needs_review"}


@pytest.fixture(scope="module")
def two_workers(ops_stack: OpsStack) -> Iterator[tuple[WorkerService, WorkerService]]:
    """Workers ``a`` and ``b`` on the stack's pool, one run at a time each."""
    ctx, env = ops_stack.ctx, ops_stack.env
    ops_stack.worker.stop(ctx, env)
    workers = (WorkerService(instance="a", limit=1), WorkerService(instance="b", limit=1))
    try:
        for worker in workers:
            worker.up(ctx, env)
        yield workers
    finally:
        for worker in workers:
            try:
                worker.stop(ctx, env)
            except Exception as error:  # the other one must still stop
                warnings.warn(f"worker {worker.instance} did not stop: {error!r}", stacklevel=1)
        ops_stack.worker.up(ctx, env)  # the package's stack, as the next module expects it


def _dossier_id(path: Path) -> str:
    return dossier_id_for(hashlib.sha256(path.read_bytes()).hexdigest())


def _run_logs(flow_run_id, timeout: float = 60.0, expected: re.Pattern = SUBMITTED) -> list[str]:
    """The run's log messages once one matching ``expected`` (by default the worker's
    submission line) has reached the API.

    Workers and flow processes ship logs in batches, after the state changes: a run
    can be COMPLETED before its logs arrive (seen in CI: none yet for one run).
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + timeout
    while True:
        messages: list[str] = []
        with get_client(sync_client=True) as client:
            while True:  # the API answers 200 at a time; a retried run has more
                logs = client.read_logs(
                    log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                    limit=200, offset=len(messages))
                messages += [log.message for log in logs]
                if len(logs) < 200:
                    break
        if any(expected.search(m) for m in messages) or time.monotonic() > deadline:
            return messages
        time.sleep(2)


def _states(flow_run_id) -> list:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run_states(flow_run_id)


def _read_run(flow_run_id):
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run_id)


def _task_runs(flow_run_id, name: str) -> list:
    """The runs of task ``name`` (named ``name-<n>`` by Prefect) in the flow run, oldest first."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
            sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=200)
    return [r for r in runs if re.fullmatch(rf"{re.escape(name)}(-\w+)?", r.name)]


def _executed_in_log(worker: WorkerService, stack: OpsStack) -> set[str]:
    """Ids of the flow runs whose process ran under this worker, from its own log file
    (at submission the run still has the trigger's random name, so ids, not names)."""
    text = worker.log_path(stack.ctx).read_text(encoding="utf-8", errors="replace")
    return set(EXECUTED.findall(text))


def _cases_per_dossier(stack: OpsStack) -> dict[str, int]:
    with db.get_engine(stack.database_url).connect() as connection:
        rows = connection.execute(
            sa.select(Case.dossier_id, sa.func.count()).group_by(Case.dossier_id)).all()
    return dict(rows)


def _count(stack: OpsStack, table, dossier_id: str) -> int:
    with db.get_engine(stack.database_url).connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(table)
                                 .where(table.dossier_id == dossier_id)) or 0


def _dossier_status(stack: OpsStack, dossier_id: str) -> str | None:
    with db.get_engine(stack.database_url).connect() as connection:
        return connection.scalar(sa.select(Dossier.status)
                                 .where(Dossier.dossier_id == dossier_id))


def test_two_workers_on_the_pool_share_the_runs(
    ops_stack: OpsStack, two_workers: tuple[WorkerService, WorkerService], tmp_path: Path
) -> None:
    # Two uploads at once: each worker takes one run at a time, so the second run waits
    # for (and goes to) the other worker: more uploads would only add rounds.
    files = [formats.write_text_pdf(sample_pages(seed), tmp_path / f"分担 {seed}.pdf")
             for seed in (31, 32)]
    keys = [f"incoming/{f.name}" for f in files]
    ids = {_dossier_id(f) for f in files}
    assert len(ids) == len(files)  # different dossiers, not duplicates of each other

    upload(ops_stack, *files)
    runs = ops_stack.wait_for_runs(keys, RUN_TIMEOUT_S)
    assert set(runs) == set(keys), f"runs within {RUN_TIMEOUT_S} s: {sorted(runs)}"
    assert {k: r.state_type.value for k, r in runs.items()} == dict.fromkeys(keys, "COMPLETED")

    # One run per upload, and each ran once: one process, one Running state.
    assert Counter(ops_stack.upload_of(r) for r in ops_stack.ingest_runs()) == Counter(keys)
    names = {w.worker_name(ops_stack.ctx, ops_stack.env): w for w in two_workers}
    ran_on: dict[str, str] = {}
    for key, run in runs.items():
        assert run.run_count == 1, (key, run.run_count)
        assert [s.type.value for s in _states(run.id)].count("RUNNING") == 1
        logs = _run_logs(run.id)
        assert sum(bool(SUBMITTED.search(m)) for m in logs) == 1, logs
        worker = run.labels.get(WORKER_LABEL)
        assert worker in names, (key, run.labels)
        assert f"Worker '{worker}' submitting flow run '{run.id}'" in logs
        ran_on[str(run.id)] = worker

    # Both workers ran runs; their own logs agree with the server, and no run is in both.
    split = Counter(ran_on.values())
    assert set(split) == set(names), f"runs per worker: {dict(split)}"
    seen = {name: _executed_in_log(w, ops_stack) & set(ran_on) for name, w in names.items()}
    for name, run_names in seen.items():
        assert run_names == {r for r, w in ran_on.items() if w == name}, (name, seen)
    print(f"runs per worker: {dict(split)}")

    # The library holds exactly one case per dossier.
    per_dossier = _cases_per_dossier(ops_stack)
    assert {i: per_dossier.get(i, 0) for i in ids} == dict.fromkeys(ids, 1)
    assert all(_dossier_status(ops_stack, i) in DONE for i in ids)


# --- retry of a failed run from the UI ---------------------------------------------

def _case_rights(stack: OpsStack, grant: bool) -> None:
    """The fault and its fix: the library role loses, then regains, its rights on ``cases``
    (what a DBA tightening permissions does). The role owns the table but is no superuser,
    so the revoke bites; ``dossiers`` and ``pages`` stay writable."""
    statement = ("GRANT ALL ON TABLE cases TO CURRENT_USER" if grant
                 else "REVOKE ALL ON TABLE cases FROM CURRENT_USER")
    engine = sa.create_engine(stack.database_url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()


def _object_keys(stack: OpsStack, dossier_id: str) -> list[str]:
    """Every key in the bucket that belongs to the dossier (its id is in every such key)."""
    return sorted(o.key for o in stack.store().list("") if dossier_id in o.key)


def _shape(keys: list[str], dossier_id: str) -> list[str]:
    """Keys with the dossier id, the original's file name and Data Docs run times
    generalised, so two dossiers of the same make-up have the same list (duplicates stay)."""
    shaped = []
    for key in keys:
        key = key.replace(dossier_id, "<id>")
        key = re.sub(r"^originals/<id>/.+$", "originals/<id>/<file>", key)
        key = re.sub(r"\d{8}T\d{6}(\.\d+)?Z", "<time>", key)
        shaped.append(key)
    return sorted(shaped)


def _wait_finished_after(flow_run_id, since: datetime, timeout: float):
    """The run once it reaches a final state entered after ``since``."""
    deadline = time.monotonic() + timeout
    while True:
        run = _read_run(flow_run_id)
        state = run.state
        if (state is not None and state.is_final() and state.timestamp > since) or (
                time.monotonic() > deadline):
            return run
        time.sleep(3)


def test_a_failed_run_retried_from_the_ui_completes_and_duplicates_nothing(
    ops_stack: OpsStack, two_workers: tuple[WorkerService, WorkerService], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    failing = formats.write_text_pdf(sample_pages(43), tmp_path / "重试 样本.pdf")
    control = formats.write_text_pdf(sample_pages(42), tmp_path / "对照 样本.pdf")
    dossier_id, control_id = _dossier_id(failing), _dossier_id(control)
    key, control_key = f"incoming/{failing.name}", f"incoming/{control.name}"

    # The fault: loading the case is refused, after every stage before it has written.
    _case_rights(ops_stack, grant=False)
    try:
        upload(ops_stack, failing)
        run = ops_stack.wait_for_runs([key], RUN_TIMEOUT_S)[key]
    finally:
        _case_rights(ops_stack, grant=True)  # the fix (also when the wait went wrong)
    assert run.state_type.value == "FAILED", run.state
    (load,) = _task_runs(run.id, "load")
    assert load.state_type.value == "FAILED" and load.run_count == 3  # its 2 retries spent
    assert "permission denied for table cases" in str(load.state.message)
    assert _dossier_status(ops_stack, dossier_id) == "processing"
    assert _count(ops_stack, Case, dossier_id) == 0
    failed_keys = _object_keys(ops_stack, dossier_id)
    assert any(k.startswith(f"nlp/{dossier_id}/") for k in failed_keys)  # structure had run
    assert any(k.startswith(f"quality/{dossier_id}/") for k in failed_keys)  # validate too

    ui = ops_stack.env["PREFECT_API_URL"].removesuffix("/api").rstrip("/")
    driver = browser(tmp_path / "chromium-profile")
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "ops-retry-failure.png").unlink(missing_ok=True)
    try:
        wait = WebDriverWait(driver, 90)
        driver.get(f"{ui}/runs/flow-run/{run.id}")
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), run.name))
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), "Failed"))
        driver.save_screenshot(str(SCREENSHOTS / "ops-retry-before.png"))
        clicked_at = datetime.now(UTC)
        wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//button[normalize-space()='Retry']"))).click()
        wait.until(ec.text_to_be_present_in_element(
            (By.TAG_NAME, "body"), f"This will retry flow run {run.name}"))
        driver.save_screenshot(str(SCREENSHOTS / "ops-retry-confirm.png"))
        # The dialog's own Retry: beside the dialog's Close button.
        wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//button[contains(@class,'p-modal__close-button')]"
                       "/ancestor::*[.//button[normalize-space()='Retry']][1]"
                       "//button[normalize-space()='Retry']"))).click()
        # An uninterrupted run of a dossier of the same make-up, beside the retried one.
        upload(ops_stack, control)
        retried = _wait_finished_after(run.id, clicked_at, RUN_TIMEOUT_S)
        driver.refresh()
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), run.name))
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), "Completed"))
        driver.save_screenshot(str(SCREENSHOTS / "ops-retry-after.png"))
    except Exception:
        driver.save_screenshot(str(SCREENSHOTS / "ops-retry-failure.png"))
        raise
    finally:
        driver.quit()

    # The same flow run ran a second time, because of the UI's Retry.
    assert retried.state_type.value == "COMPLETED", retried.state
    assert retried.run_count == 2
    retry_states = [s for s in _states(run.id) if s.name == "AwaitingRetry"]
    assert [s.message for s in retry_states] == ["Retry from the UI"]
    assert [ops_stack.upload_of(r) for r in ops_stack.ingest_runs()].count(key) == 1
    redone = {name: [r.state_type.value for r in _task_runs(run.id, name)]
              for name in ("retrieve", "page", "structure", "validate", "load", "summarise")}
    print(f"task runs of the retried flow run: {redone}")
    # The retry runs the stage tasks again, and each finds its record in the manifest:
    # no page is read again (the page tasks are the first attempt's two), structure and
    # validate skip themselves, load runs.
    assert redone["retrieve"] == redone["structure"] == redone["validate"] == ["COMPLETED"] * 2
    assert redone["page"] == ["COMPLETED"] * 2  # two pages, in the first attempt only
    assert redone["load"] == ["FAILED", "COMPLETED"] and redone["summarise"] == ["COMPLETED"]
    logs = _run_logs(run.id, expected=re.compile("stage load ran"))
    for stage in ("ocr", "structure", "validate"):
        assert any(f"stage {stage} skipped" in m for m in logs), (stage, logs)
    assert any("stage load ran" in m for m in logs), logs
    summary = summary_artifact(run.id)
    assert summary is not None and "skipped: ocr, structure, validate" in str(summary.data)

    # The library: one dossier row, one case, each page once.
    assert _dossier_status(ops_stack, dossier_id) in DONE
    assert _count(ops_stack, Case, dossier_id) == 1
    assert _count(ops_stack, Page, dossier_id) == 2
    control_run = ops_stack.wait_for_runs([control_key], RUN_TIMEOUT_S)[control_key]
    assert control_run.state_type.value == "COMPLETED"
    assert _count(ops_stack, Lineage, dossier_id) == _count(ops_stack, Lineage, control_id)

    # The store: the keys an uninterrupted run writes, nothing twice, nothing left over.
    retried_keys = _object_keys(ops_stack, dossier_id)
    assert _shape(retried_keys, dossier_id) == _shape(_object_keys(ops_stack, control_id),
                                                      control_id)
    assert len(retried_keys) == len(set(_shape(retried_keys, dossier_id)))
    print(f"retry: {len(failed_keys)} objects after the failed attempt, {len(retried_keys)} "
          f"after the retry; click to Completed {(retried.state.timestamp - clicked_at)}")
    assert (SCREENSHOTS / "ops-retry-after.png").stat().st_size > 10_000


# --- a run's process killed mid-run -------------------------------------------------

def _run_process(flow_run_id) -> psutil.Process | None:
    """The process a worker started for the flow run (it has the run's id in its env)."""
    for process in psutil.process_iter():
        try:
            if process.environ().get("PREFECT__FLOW_RUN_ID") == str(flow_run_id):
                return process
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return None


def _wait_run_of(stack: OpsStack, key: str, timeout: float, *, state: str | None = None,
                 other_than: object = None):
    """The (first) run of ``key`` other than ``other_than``, once in ``state`` (any state
    when None, any final state when "final")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for run in stack.ingest_runs():
            if stack.upload_of(run) != key or run.id == other_than:
                continue
            kind = run.state_type.value if run.state_type else None
            if state is None or kind == state or (
                    state == "final" and kind in ("COMPLETED", "FAILED", "CRASHED",
                                                  "CANCELLED")):
                return run
        time.sleep(1)
    raise AssertionError(f"no {state or ''} run of {key} within {timeout} s")


@pytest.mark.timeout(2 * 900)  # two runs of the dossier, one after the other
def test_a_run_killed_mid_run_ends_crashed_and_the_sweep_finishes_it_once(
    ops_stack: OpsStack, two_workers: tuple[WorkerService, WorkerService], tmp_path: Path
) -> None:
    from prefect.deployments import run_deployment

    texts = sample_pages(51, 2)
    scan = formats.write_tiff([render_text_page(t) for t in texts], tmp_path / "中断 样本.tif")
    dossier_id, key = _dossier_id(scan), f"incoming/{scan.name}"
    store = ops_stack.store()
    upload(ops_stack, scan)

    run = _wait_run_of(ops_stack, key, RUN_TIMEOUT_S, state="RUNNING")
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not any(True for _ in store.list(f"ocr/{dossier_id}/")):  # mid-OCR
        assert time.monotonic() < deadline, "no page was read"
        time.sleep(0.5)
    process = _run_process(run.id)
    assert process is not None, "the run's process was not found"
    tree = [process, *process.children(recursive=True)]
    for member in tree:  # the machine's view of a kill -9: the run and its page workers
        member.kill()
    psutil.wait_procs(tree, timeout=30)

    crashed = _wait_finished_after(run.id, datetime.now(UTC) - timedelta(minutes=30),
                                   RUN_TIMEOUT_S)
    assert crashed.state_type.value == "CRASHED", crashed.state
    assert _dossier_status(ops_stack, dossier_id) == "processing"  # not finished, not lost

    # The sweep sees an upload neither done nor in flight, and starts it again.
    sweep = run_deployment(ops_stack.target.sweep_deployment, timeout=RUN_TIMEOUT_S,
                           poll_interval=1)
    assert sweep.state.is_completed(), sweep.state
    assert "started 1" in sweep_report(sweep.id)
    again = _wait_run_of(ops_stack, key, RUN_TIMEOUT_S, state="final", other_than=run.id)
    assert again.state_type.value == "COMPLETED", again.state

    # Finished once: one dossier row, each page once, one case, each object once.
    assert _dossier_status(ops_stack, dossier_id) in DONE
    assert _count(ops_stack, Page, dossier_id) == len(texts)
    assert _count(ops_stack, Case, dossier_id) == 1
    pages = sorted(o.key for p in ("pages/", "ocr/") for o in store.list(f"{p}{dossier_id}/"))
    assert pages == sorted(f"{kind}/{dossier_id}/page-{n:04d}.{ext}"
                           for kind, ext in (("pages", "png"), ("ocr", "json"))
                           for n in range(1, len(texts) + 1))
    assert [ops_stack.upload_of(r) for r in ops_stack.ingest_runs()].count(key) == 2

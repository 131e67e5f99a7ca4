"""From generated feeds to a delivered 检察建议, on the real stack.

Generated feeds are imported into the stack's PostgreSQL (a schema of the test's
own), the supervision models run, then the deployed ``review-leads`` flow runs on
the stack's worker and suspends with its form. The first review is answered through
the Prefect API (``resume_flow_run`` with the run input); the second in headless
Chromium through the UI's resume form (screenshots under test-artifacts/). Each
resumed run records the decisions, issues the 检察建议书 (row, .docx and .txt in
MinIO, outbox) and delivers it to the case-management database: a second database
on the local PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import docx
import pytest
import sqlalchemy as sa
from recommendations.targets import second_database

from dossier import db
from infra.worker_service import WorkerService
from ops.helpers import SCREENSHOTS, browser
from schemas.leads_tables import Lead, LeadHistory
from schemas.recommendations_tables import Recommendation, RecommendationOutbox

if TYPE_CHECKING:
    from ops.conftest import OpsStack

# Two reviews on the stack's worker: four flow-run processes to start, plus the stack's
# own deployments; on a loaded 2-core machine that took over 15 minutes.
pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(1800)]

AS_OF = dt.date(2026, 6, 30)
PEOPLE = 600
RUN_TIMEOUT_S = 420
TARGET_URL = "DOSSIER_RECOMMENDATION_TARGET_URL"


@pytest.fixture(scope="module")
def review_stack(
    ops_stack: OpsStack, services_env: dict[str, str], real_data_dir: Path
) -> Iterator[tuple[OpsStack, str]]:
    """The ops stack with its worker started again knowing the target database."""
    ctx = ops_stack.ctx
    with second_database(real_data_dir, services_env,
                         name=f"dossier_cms_e2e_{ops_stack.target.pool[-8:]}") as target:
        ops_stack.worker.stop(ctx, ops_stack.env)
        env = {**ops_stack.env, TARGET_URL: target}
        worker = WorkerService(instance="review")
        worker.up(ctx, env)
        try:
            yield ops_stack, target
        finally:
            worker.stop(ctx, env)
            ops_stack.worker.up(ctx, ops_stack.env)  # the package's stack, as it was


def _use_stack(stack: OpsStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process reads and writes the stack's database and bucket (import, models)."""
    from dossier.settings import reset_settings

    for key, value in stack.env.items():
        if key.startswith("DOSSIER_") and key != "DOSSIER_DATA_DIR":
            monkeypatch.setenv(key, value)
    reset_settings()


def _wait(flow_run_id, done, timeout: float = RUN_TIMEOUT_S):
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    while True:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(flow_run_id)
        if done(run) or time.monotonic() > deadline:
            return run
        time.sleep(2)


def _suspended(run) -> bool:
    return bool(run.state and run.state.is_paused() and run.state.name == "Suspended")


def _final(run) -> bool:
    return bool(run.state and run.state.is_final())


def _start_review(stack: OpsStack, **parameters):
    from prefect.deployments import run_deployment

    run = run_deployment(f"review-leads/on-demand{stack.target.suffix}", parameters=parameters,
                         timeout=0)
    run = _wait(run.id, lambda r: _suspended(r) or _final(r))
    assert _suspended(run), f"review-leads did not suspend: {run.state}"
    return run


def _form(flow_run_id) -> dict:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return json.loads(client.read_flow_run_input(flow_run_id, "suspended-review-schema"))


def _issued(stack: OpsStack) -> list[sa.Row]:
    with db.get_engine(stack.database_url).connect() as connection:
        return connection.execute(
            sa.select(Recommendation.number, Recommendation.recipient, Recommendation.status,
                      Recommendation.docx_key, Recommendation.txt_key, Recommendation.lead_count,
                      RecommendationOutbox.status.label("outbox"))
            .join(RecommendationOutbox, isouter=True).order_by(Recommendation.id)).all()


def _delivered(target: str) -> list[str]:
    engine = sa.create_engine(target, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        numbers = list(connection.scalars(sa.text(
            "SELECT number FROM incoming_recommendations ORDER BY number")))
    engine.dispose()
    return numbers


def _prop(title: str) -> str:
    """The UI form's field whose label starts with ``title``."""
    return ("//div[contains(concat(' ', normalize-space(@class), ' '), ' schema-form-property ')]"
            f"[.//span[contains(@class,'schema-form-property__label') and "
            f"starts-with(normalize-space(), '{title}')]]")


def _answer_in_the_ui(stack: OpsStack, run, lead_id: int, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    ui = stack.env["PREFECT_API_URL"].removesuffix("/api").rstrip("/")
    driver = browser(tmp_path / "chromium-profile")
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "review-leads-failure.png").unlink(missing_ok=True)
    try:
        wait = WebDriverWait(driver, 90)
        driver.get(f"{ui}/runs/flow-run/{run.id}")
        wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), run.name))
        wait.until(ec.element_to_be_clickable(
            (By.XPATH, "//button[normalize-space()='Resume']"))).click()
        wait.until(ec.presence_of_element_located((By.XPATH, _prop("审查人"))))
        driver.find_element(By.XPATH, _prop("审查人") + "//textarea").send_keys("张检察官")
        driver.find_element(By.XPATH, _prop("审查意见") + "//textarea").send_keys(
            "经调阅原始材料核实")
        choice = driver.find_element(
            By.XPATH, _prop(f"线索 {lead_id} v") + "//select[not(contains(@class,'placeholder'))]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", choice)
        Select(choice).select_by_value("confirm")
        driver.save_screenshot(str(SCREENSHOTS / "review-leads-form.png"))
        driver.find_element(By.XPATH, "//button[normalize-space()='Submit']").click()
        wait.until(ec.invisibility_of_element_located(
            (By.XPATH, "//button[normalize-space()='Submit']")))
        driver.save_screenshot(str(SCREENSHOTS / "review-leads-submitted.png"))
    except Exception:
        driver.save_screenshot(str(SCREENSHOTS / "review-leads-failure.png"))
        raise
    finally:
        driver.quit()


def test_generated_feeds_to_a_delivered_recommendation(
    review_stack: tuple[OpsStack, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from prefect.flow_runs import resume_flow_run

    from dossier.store import get_store
    from tasks.feeds.batch import import_batch
    from tasks.feeds.generate import generate_batch
    from tasks.supervision.run import supervise_database

    stack, target = review_stack
    _use_stack(stack, monkeypatch)
    engine = db.get_engine(stack.database_url)

    # Generated feeds → import → models.
    generate_batch(PEOPLE, 12, tmp_path / "batch", AS_OF)
    manifest = import_batch(engine, tmp_path / "batch", "e2e")
    assert manifest["rows_loaded"] > PEOPLE
    supervise_database(engine, as_of=AS_OF, store=get_store())
    with engine.connect() as connection:
        pending = Counter(connection.scalars(sa.select(Lead.model_id)
                                             .where(Lead.status == "new")))
    assert sum(pending.values()) >= 3, pending
    model = pending.most_common(1)[0][0]

    # Review 1: suspended on the worker, answered through the API.
    run = _start_review(stack, models=[model], limit=5)
    form = _form(run.id)
    shown = sorted(int(name[5:]) for name in form["properties"] if name.startswith("lead_"))
    assert shown and all(form["properties"][f"lead_{i}"]["enum"] == ["later", "confirm", "dismiss"]
                         for i in shown)
    answer = {"reviewer": "王检察官", "note": "逐条核对原始数据，问题属实",
              **{f"lead_{i}": "confirm" for i in shown}}
    resume_flow_run(run.id, run_input=answer)
    run = _wait(run.id, _final)
    assert run.state.type.value == "COMPLETED", run.state
    first = _issued(stack)
    assert len(first) >= 1 and {r.status for r in first} == {"issued"}
    assert {r.outbox for r in first} == {"delivered"}
    assert _delivered(target) == sorted(r.number for r in first)
    rec = first[0]
    document = docx.Document(io.BytesIO(stack.store().get_bytes(rec.docx_key)))
    paragraphs = [p.text for p in document.paragraphs]
    assert rec.number in paragraphs and f"{rec.recipient}：" in paragraphs
    assert stack.store().get_bytes(rec.txt_key).decode("utf-8").count(rec.number) == 1
    with engine.connect() as connection:
        actors = set(connection.scalars(sa.select(LeadHistory.actor)
                                        .where(LeadHistory.to_status == "confirmed")))
    assert actors == {"王检察官 via prefect-ui"}
    print(f"review 1: {len(shown)} leads of {model} → {[r.number for r in first]}")

    # Review 2: the next pending leads, answered in the UI's form.
    run = _start_review(stack, limit=3)
    lead_id = min(int(n[5:]) for n in _form(run.id)["properties"] if n.startswith("lead_"))
    _answer_in_the_ui(stack, run, lead_id, tmp_path)
    run = _wait(run.id, _final)
    assert run.state.type.value == "COMPLETED", run.state
    second = _issued(stack)
    assert len(second) == len(first) + 1
    assert _delivered(target) == sorted(r.number for r in second)
    with engine.connect() as connection:
        decided = connection.execute(sa.select(LeadHistory.actor, LeadHistory.note)
                                     .where(LeadHistory.lead_id == lead_id,
                                            LeadHistory.to_status == "confirmed")).one()
    assert tuple(decided) == ("张检察官 via prefect-ui", "经调阅原始材料核实")
    print(f"review 2 (UI): lead {lead_id} → {second[-1].number}")

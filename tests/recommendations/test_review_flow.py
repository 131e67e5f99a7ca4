"""review-leads on Prefect's API: paused with a typed form, resumed with the reviewer's
answers, decisions recorded on the versions shown, then issued and delivered.

Run in process against the local stack's Prefect server (no deployment: the flow
pauses rather than suspends; the suspended path through a worker is the end-to-end
test's, tests/ops/test_recommendations_e2e.py).
"""

from __future__ import annotations

import contextvars
import json
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from dossier.db import get_engine
from dossier.settings import get_settings, reset_settings
from recommendations.helpers import MASKED_ID, confirm, plant
from schemas.leads_tables import Lead, LeadHistory
from schemas.recommendations_tables import LeadReviewSession
from tasks.stages.library import ensure_schema
from tasks.supervision.findings import Finding
from tasks.supervision.leads import record_findings

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _paused_run(runner: threading.Thread, engine: sa.Engine, timeout: float = 120.0):
    """The run, once paused: its id is the review session's (the server is shared)."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and runner.is_alive():
        with engine.connect() as connection:
            session_id = connection.scalar(sa.select(LeadReviewSession.id))
        if session_id:
            with get_client(sync_client=True) as client:
                run = client.read_flow_run(session_id)
            if run.state and run.state.is_paused():
                return run
        time.sleep(0.5)
    raise AssertionError("review-leads never paused")


def _change(engine: sa.Engine, lead_id: int) -> None:
    """What a later supervision run does when a lead's evidence changed: version + 1."""
    with engine.begin() as connection:
        row = connection.execute(sa.select(Lead.__table__).where(Lead.id == lead_id)).one()
        changed = Finding(model=row.model_id, model_version=row.model_version,
                          severity=row.severity, subject=row.subject, case_no=row.case_no,
                          records=row.records, explanation=row.explanation + "（已更正）",
                          agency=row.agency, facts=row.evidence["facts"])
        record_findings(connection, [changed], "run-later", row.as_of)
        assert connection.scalar(sa.select(Lead.version).where(Lead.id == lead_id)) == 2


def test_review_in_the_form_then_issue_and_deliver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_api: str
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.flow_runs import resume_flow_run

    from flows.review_leads import review_leads

    target = tmp_path / "cms.sqlite3"
    monkeypatch.setenv("DOSSIER_RECOMMENDATION_TARGET_URL", f"sqlite:///{target}")
    reset_settings()
    ensure_schema()
    engine = get_engine()
    court = "示范市示范区人民法院"
    fines = plant(engine, "fine_missing", 3, agency=court)
    other = plant(engine, "bail_overdue", 2)
    already = plant(engine, "detention_overdue", 1)
    confirm(engine, already)  # decided earlier: not pending, not shown

    results: dict[str, object] = {}
    context = contextvars.copy_context()  # the thread talks to the same server (settings)
    runner = threading.Thread(target=lambda: context.run(lambda: results.update(
        out=review_leads(limit=10, poll_s=1))))
    runner.start()
    run = _paused_run(runner, engine)
    with get_client(sync_client=True) as client:
        schema = client.read_flow_run_input(run.id, "paused-review-schema")
        description = client.read_flow_run_input(run.id, "paused-review-description")
    fields = json.loads(schema)["properties"]
    shown = fines + other
    assert {f"lead_{i}" for i in shown} <= set(fields)
    assert f"lead_{already[0]}" not in fields
    assert fields[f"lead_{fines[0]}"]["enum"] == ["later", "confirm", "dismiss"]
    assert "(2026)示0101刑初1号" in fields[f"lead_{fines[0]}"]["title"]
    assert MASKED_ID in description or "***" in description  # masked, never raw
    with engine.connect() as connection:
        statuses = dict(connection.execute(sa.select(Lead.id, Lead.status)).all())
    assert {statuses[i] for i in shown} == {"under_review"}

    _change(engine, fines[2])  # changed while the form was open: v2
    answer = {"reviewer": "王检察官", "note": "经审查判决书，确认未并处罚金",
              f"lead_{fines[0]}": "confirm", f"lead_{fines[1]}": "confirm",
              f"lead_{fines[2]}": "confirm", f"lead_{other[0]}": "dismiss",
              f"note_{other[0]}": "已于期限内变更强制措施"}
    resume_flow_run(run.id, run_input=answer)
    runner.join(timeout=240)
    assert not runner.is_alive()
    out = results["out"]
    assert out["shown"] == 5 and out["decided"] == 3 and out["confirmed"] == 2
    # Two recommendations: the two fines to the court, and the detention confirmed earlier.
    assert sorted(out["issued"]) == ["示范检刑执建〔2026〕1号", "示范检刑执建〔2026〕2号"]

    with engine.connect() as connection:
        statuses = dict(connection.execute(sa.select(Lead.id, Lead.status)).all())
        history = connection.execute(
            sa.select(LeadHistory.actor, LeadHistory.note, LeadHistory.version,
                      LeadHistory.to_status)
            .where(LeadHistory.lead_id == other[0], LeadHistory.to_status == "dismissed")).one()
    assert statuses[fines[0]] == statuses[fines[1]] == "referred"  # cited by the recommendation
    assert statuses[fines[2]] == "under_review"  # stale: not decided on v1
    assert statuses[other[0]] == "dismissed" and statuses[other[1]] == "under_review"
    assert tuple(history) == ("王检察官 via prefect-ui", "已于期限内变更强制措施", 1, "dismissed")
    # The recommendation reached the target database once.
    target_engine = sa.create_engine(f"sqlite:///{target}")
    with target_engine.connect() as connection:
        numbers = list(connection.scalars(sa.text("SELECT number FROM incoming_recommendations")))
    target_engine.dispose()
    assert sorted(numbers) == sorted(out["issued"])
    assert get_settings().recommendation_target_url

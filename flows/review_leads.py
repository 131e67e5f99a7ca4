"""review-leads: a prosecutor confirms or dismisses pending leads in the Prefect UI.

The run picks the pending leads once (a review session keyed by the flow run id),
shows them masked in a table artifact, and waits for the reviewer's typed input:
suspended when it runs from a deployment (the worker is free meanwhile; the run
starts again from the top when resumed, and the session gives it the same leads),
paused in its process otherwise. The UI's resume form is built from the leads: per
lead later / confirm / dismiss and a note, the reviewer's name and a general note.
The decisions are recorded on the versions shown (a lead changed since is refused),
then, if any lead was confirmed, ``issue-recommendations`` runs as a subflow.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, pause_flow_run, suspend_flow_run
from prefect.artifacts import create_markdown_artifact
from prefect.input import RunInput
from prefect.runtime import deployment, flow_run

from flows.issue_recommendations import issue_recommendations
from tasks.lead_review.form import requests_from, review_form
from tasks.orchestration.recommendations import open_review, record_decisions
from tasks.recommendations.reports import review_markdown

PAUSE_KEY = "review"


@flow(name="review-leads", log_prints=False)
def review_leads(
    models: list[str] | None = None,
    limit: int = 20,
    issue_after: bool = True,
    timeout_s: int | None = None,
    poll_s: int = 10,
) -> dict[str, object]:
    """Review up to ``limit`` pending leads (of ``models``, else all), then issue.

    ``timeout_s``: how long to wait for the reviewer (suspended: no limit by default;
    paused in process: one hour by default). ``poll_s``: how often a paused run looks.
    """
    logger = get_run_logger()
    session_id = str(flow_run.get_id())
    session = open_review(session_id, models, limit)
    if not session.shown:
        create_markdown_artifact(markdown="# 线索审查\n\nno pending leads\n", key="review-leads",
                                 description="Nothing to review")
        return {"shown": 0, "decided": 0, "confirmed": 0}
    if session.outcome is None:
        form = review_form(session.shown, base=RunInput).with_initial_data(
            description=review_markdown(session.shown))
        if deployment.get_id():
            answer = suspend_flow_run(wait_for_input=form, timeout=timeout_s, key=PAUSE_KEY)
        else:
            answer = pause_flow_run(wait_for_input=form, timeout=timeout_s or 3600,
                                    poll_interval=poll_s, key=PAUSE_KEY)
        requests = requests_from(answer, session.shown)
        session = record_decisions(session_id, requests, answer.reviewer,
                                   len(session.shown) - len(requests))
    outcome = session.outcome or []
    decided = [r for r in outcome if r.outcome == "decided"]
    confirmed = [r for r in decided if r.status == "confirmed"]
    logger.info("decided %d of %d shown, %d confirmed", len(decided), len(session.shown),
                len(confirmed))
    issued: dict[str, object] = {}
    if issue_after and confirmed:
        issued = issue_recommendations()
    return {"shown": len(session.shown), "decided": len(decided), "confirmed": len(confirmed),
            "issued": issued.get("issued", [])}

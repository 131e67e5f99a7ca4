"""Lead review and recommendations as Prefect tasks: the work is in ``tasks.lead_review``
and ``tasks.recommendations``; these add retries, names and the UI's artifacts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import task_run

from dossier.db import ensure_schema, get_engine, masked_url
from dossier.settings import get_settings
from dossier.store import get_store
from tasks.lead_review.decisions import DecisionRequest
from tasks.lead_review.sessions import ReviewSession, close_session, open_session
from tasks.recommendations import reports
from tasks.recommendations.dates import local_today
from tasks.recommendations.delivery import DeliveryReport, deliver_pending
from tasks.recommendations.follow_up import list_recommendations, mark_overdue
from tasks.recommendations.issue import issue_recommendations


def _engine():
    ensure_schema()
    return get_engine()


@task(name="open-review", retries=2, retry_delay_seconds=5)
def open_review(session_id: str, models: list[str] | None, limit: int) -> ReviewSession:
    """The session's leads (the same ones when the run resumes), shown in a table artifact."""
    session = open_session(_engine(), session_id, models, limit)
    if session.opened_now:
        create_table_artifact(table=reports.review_rows(session.shown), key="review-leads",
                              description=f"{len(session.shown)} pending leads shown for review "
                                          "(masked)")
    get_run_logger().info("review session %s: %d leads", session_id, len(session.shown))
    return session


@task(name="record-decisions", retries=2, retry_delay_seconds=5)
def record_decisions(session_id: str, requests: list[DecisionRequest], reviewer: str,
                     undecided: int) -> ReviewSession:
    session = close_session(_engine(), session_id, requests, reviewer=reviewer)
    outcome = session.outcome or []
    create_markdown_artifact(markdown=reports.outcome_markdown(outcome, reviewer, undecided),
                             key="review-outcome", description="What the reviewer decided")
    get_run_logger().info("review session %s: %s", session_id,
                          {r.outcome: sum(1 for x in outcome if x.outcome == r.outcome)
                           for r in outcome})
    return session


@task(name="issue", retries=1, retry_delay_seconds=10)
def issue(issued_on: dt.date | None, draft_only: bool) -> dict[str, Any]:
    report = issue_recommendations(_engine(), get_store(), issued_on=issued_on,
                                   draft_only=draft_only)
    create_markdown_artifact(markdown=reports.issue_markdown(report), key="recommendations",
                             description="检察建议 drafted and issued by this run")
    get_run_logger().info("recommendations: drafted %d, issued %d (%s)", len(report.drafted),
                          len(report.issued), ", ".join(i.number for i in report.issued))
    return {"drafted": report.drafted, "issued": [i.number for i in report.issued],
            "withdrawn": report.withdrawn}


@task(name="deliver")
def deliver(include_waiting: bool) -> dict[str, Any]:
    """One delivery attempt; raises while the target is down, so the task's retries (with
    backoff, set by the flow) try again. Retries take messages not due yet as well."""
    settings = get_settings()
    url = settings.recommendation_target_url
    logger = get_run_logger()
    if not url:
        logger.warning("no DOSSIER_RECOMMENDATION_TARGET_URL: nothing delivered")
        report = DeliveryReport()
    else:
        retrying = (task_run.run_count or 1) > 1
        report = deliver_pending(_engine(), url, include_waiting=include_waiting or retrying)
        logger.info("delivered %d to %s", len(report.delivered), masked_url(url))
    create_markdown_artifact(
        markdown=reports.delivery_markdown(report, masked_url(url) if url else None),
        key="deliver-recommendations", description="Recommendations delivered to the "
                                                   "case-management system")
    return {"delivered": report.delivered, "already_there": report.already_there}


@task(name="follow-up", retries=2, retry_delay_seconds=10)
def follow_up(as_of: dt.date | None) -> dict[str, Any]:
    as_of = as_of or local_today()
    engine = _engine()
    marked = mark_overdue(engine, as_of)
    with engine.connect() as connection:
        overdue = list_recommendations(connection, overdue_only=True, as_of=as_of)
    create_table_artifact(table=reports.overdue_rows(overdue), key="overdue-recommendations",
                          description=f"检察建议 without a reply past their due date, as of "
                                      f"{as_of.isoformat()} ({len(marked)} newly overdue)")
    get_run_logger().info("overdue: %d (%d new)", len(overdue), len(marked))
    return {"newly_overdue": marked, "overdue": [v.number for v in overdue]}

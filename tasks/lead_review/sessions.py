"""Review sessions: what one ``review-leads`` run showed, and what was decided on it.

A suspended flow run starts again from the top when it is resumed, so the leads it
shows must not be chosen twice: :func:`open_session` picks the pending leads once,
records them (masked views, with their versions) under the session id (the flow run
id) and returns that same record ever after. :func:`close_session` applies the
reviewer's answers once; run again, it returns the outcome it recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from pydantic import BaseModel

from dossier.db import write_transaction
from schemas.recommendations_tables import LeadReviewSession
from tasks.lead_review.decisions import DecisionRequest, DecisionResult, decide_all, take_up
from tasks.lead_review.leads import LeadView, list_leads

SESSION_ACTOR = "review-leads"


class ReviewSession(BaseModel):
    id: str
    shown: list[LeadView]
    outcome: list[DecisionResult] | None = None
    reviewer: str | None = None
    decided_at: dt.datetime | None = None
    opened_now: bool = False  # chosen by this call (not stored): the first pass of a run


def get_session(connection: sa.Connection, session_id: str) -> ReviewSession | None:
    row = connection.execute(sa.select(LeadReviewSession.__table__)
                             .where(LeadReviewSession.id == session_id)).mappings().one_or_none()
    if row is None:
        return None
    return ReviewSession(id=row["id"], shown=row["shown"], outcome=row["outcome"],
                         reviewer=row["reviewer"], decided_at=row["decided_at"])


def open_session(
    engine: sa.Engine,
    session_id: str,
    model_ids: Sequence[str] | None = None,
    limit: int = 20,
) -> ReviewSession:
    """The session's leads: chosen now if it is new, else exactly those chosen before."""
    with engine.connect() as connection:
        existing = get_session(connection, session_id)
    if existing is not None:
        return existing
    with engine.connect() as connection:
        shown = list_leads(connection, "pending", model_ids, limit)
    take_up(engine, [v.id for v in shown if v.status == "new"], actor=SESSION_ACTOR,
            note=f"shown in review session {session_id}")
    shown = [v.model_copy(update={"status": "under_review"}) for v in shown]
    with write_transaction(engine) as connection:
        existing = get_session(connection, session_id)
        if existing is not None:  # a second process of the same run got here first
            return existing
        connection.execute(sa.insert(LeadReviewSession).values(
            id=session_id, shown=[v.model_dump(mode="json") for v in shown]))
    return ReviewSession(id=session_id, shown=shown, opened_now=True)


def close_session(
    engine: sa.Engine,
    session_id: str,
    requests: Sequence[DecisionRequest],
    *,
    reviewer: str,
    channel: str = "prefect-ui",
) -> ReviewSession:
    """Decide on the versions shown; recorded once (a rerun returns the recorded outcome)."""
    with engine.connect() as connection:
        session = get_session(connection, session_id)
    if session is None:
        raise LookupError(f"review session {session_id} does not exist")
    if session.outcome is not None:
        return session
    shown = {v.id: v.version for v in session.shown}
    unknown = [r.lead_id for r in requests if r.lead_id not in shown]
    if unknown:
        raise ValueError(f"leads {unknown} were not shown in session {session_id}")
    pinned = [r.model_copy(update={"version": shown[r.lead_id]}) for r in requests]
    results = decide_all(engine, pinned, actor=actor_name(reviewer, channel))
    decided_at = dt.datetime.now(dt.UTC)
    with write_transaction(engine) as connection:
        connection.execute(sa.update(LeadReviewSession)
                           .where(LeadReviewSession.id == session_id)
                           .values(outcome=[r.model_dump(mode="json") for r in results],
                                   reviewer=reviewer, decided_at=decided_at))
    return session.model_copy(update={"outcome": results, "reviewer": reviewer,
                                      "decided_at": decided_at})


def actor_name(who: str, channel: str) -> str:
    """Who decided and through what: ``wang via cli``, ``li via prefect-ui``."""
    return f"{who.strip()} via {channel}"

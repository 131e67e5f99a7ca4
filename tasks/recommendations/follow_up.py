"""After issuing: receipt, reply, overdue (督促落实).

* :func:`mark_overdue` — issued recommendations whose reply is due before ``as_of``
  become ``overdue`` (the daily ``follow-up-recommendations`` flow).
* :func:`record_received` — the recipient's receipt date; the reply period starts
  there (see ``tasks.recommendations.dates``); an overdue one whose new due date is
  not past yet goes back to ``issued``.
* :func:`record_reply` — the reply's date and text: ``replied`` (late or not: a late
  reply is still a reply; ``replied_date > reply_due_date`` tells it was late). The
  text is kept in the row and under ``recommendations/<number>/reply.txt``.

Every change is a ``recommendation_events`` row with who and when.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pydantic import BaseModel

from dossier.db import write_transaction
from dossier.store.base import ObjectStore
from dossier.store.keys import recommendation_reply_key
from schemas.recommendations_tables import (
    Recommendation,
    RecommendationEvent,
    RecommendationOutbox,
)
from tasks.recommendations.dates import reply_due
from tasks.recommendations.legal_basis import reply_months

OPEN = ("issued", "overdue")


class RecommendationView(BaseModel):
    id: int
    number: str | None
    status: str
    recipient: str
    model_id: str
    kind: str
    title: str
    lead_count: int
    issued_date: dt.date | None
    received_date: dt.date | None
    reply_due_date: dt.date | None
    replied_date: dt.date | None
    days_overdue: int | None
    delivered: bool
    docx_key: str | None
    txt_key: str | None


def list_recommendations(connection: sa.Connection, *, overdue_only: bool = False,
                         as_of: dt.date | None = None) -> list[RecommendationView]:
    r = Recommendation
    delivered = (sa.select(sa.func.count()).select_from(RecommendationOutbox)
                 .where(RecommendationOutbox.recommendation_id == r.id,
                        RecommendationOutbox.status == "delivered").scalar_subquery())
    query = sa.select(r.__table__, delivered.label("delivered")).order_by(r.id)
    if overdue_only:
        query = query.where(r.status == "overdue")
    views = []
    for row in connection.execute(query).mappings():
        due, status = row["reply_due_date"], row["status"]
        late = None
        if due is not None and status in OPEN and as_of is not None and as_of > due:
            late = (as_of - due).days
        views.append(RecommendationView(**{k: row[k] for k in RecommendationView.model_fields
                                           if k in row and k != "delivered"},
                                        days_overdue=late, delivered=bool(row["delivered"])))
    return views


def _event(connection: sa.Connection, rec_id: int, event: str, from_status: str | None,
           to_status: str | None, actor: str, note: str | None = None) -> None:
    connection.execute(sa.insert(RecommendationEvent).values(
        recommendation_id=rec_id, event=event, from_status=from_status, to_status=to_status,
        actor=actor, note=note))


def mark_overdue(engine: sa.Engine, as_of: dt.date, *,
                 actor: str = "follow-up-recommendations") -> list[str]:
    """Issued recommendations past their reply due date → ``overdue``; their numbers."""
    marked = []
    with write_transaction(engine) as connection:
        rows = connection.execute(
            sa.select(Recommendation.id, Recommendation.number, Recommendation.reply_due_date)
            .where(Recommendation.status == "issued", Recommendation.reply_due_date < as_of)
            .order_by(Recommendation.id).with_for_update()).all()
        for row in rows:
            connection.execute(sa.update(Recommendation).where(Recommendation.id == row.id)
                               .values(status="overdue"))
            _event(connection, row.id, "overdue", "issued", "overdue", actor,
                   f"reply was due {row.reply_due_date.isoformat()}, none by {as_of.isoformat()}")
            marked.append(row.number)
    return marked


def _open_by_number(connection: sa.Connection, number: str) -> sa.RowMapping:
    row = connection.execute(sa.select(Recommendation.__table__)
                             .where(Recommendation.number == number)
                             .with_for_update()).mappings().one_or_none()
    if row is None:
        raise LookupError(f"no recommendation numbered {number}")
    return row


def record_received(engine: sa.Engine, number: str, received: dt.date, *, actor: str,
                    as_of: dt.date) -> dt.date:
    """The receipt date; returns the reply due date it gives."""
    with write_transaction(engine) as connection:
        row = _open_by_number(connection, number)
        if row["status"] not in OPEN:
            raise ValueError(f"{number} is {row['status']}: receipt applies to issued ones")
        if received < row["issued_date"]:
            raise ValueError(f"received {received} before issued {row['issued_date']}")
        due = reply_due(row["issued_date"], received, reply_months())
        status = "overdue" if as_of > due else "issued"
        connection.execute(sa.update(Recommendation).where(Recommendation.id == row["id"])
                           .values(received_date=received, reply_due_date=due, status=status))
        _event(connection, row["id"], "received", row["status"], status, actor,
               f"received {received.isoformat()}, reply due {due.isoformat()}")
    return due


def record_reply(engine: sa.Engine, store: ObjectStore, number: str, replied: dt.date,
                 text: str, *, actor: str) -> RecommendationView:
    with write_transaction(engine) as connection:
        row = _open_by_number(connection, number)
        if row["status"] not in OPEN:
            raise ValueError(f"{number} is {row['status']}: only issued or overdue ones take "
                             "a reply")
        if replied < row["issued_date"]:
            raise ValueError(f"reply dated {replied} before the issue date {row['issued_date']}")
        if not text.strip():
            raise ValueError("the reply text is empty")
        store.put_bytes(recommendation_reply_key(number), text.encode("utf-8"),
                        content_type="text/plain; charset=utf-8")
        connection.execute(sa.update(Recommendation).where(Recommendation.id == row["id"])
                           .values(status="replied", replied_date=replied, reply_text=text))
        late = replied > row["reply_due_date"]
        _event(connection, row["id"], "replied", row["status"], "replied", actor,
               f"replied {replied.isoformat()}" + (" (late)" if late else ""))
    with engine.connect() as connection:
        (view,) = [v for v in list_recommendations(connection) if v.number == number]
    return view

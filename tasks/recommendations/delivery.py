"""The outbox delivered to the case-management system: exactly once, whatever fails.

The target is another database (``Settings.recommendation_target_url``), table
``incoming_recommendations`` keyed by the recommendation's number (the idempotency
key). A message is inserted there with ``ON CONFLICT DO NOTHING``, then marked
delivered in the outbox. If the process dies between the two, the next attempt's
insert does nothing and the mark follows: the target holds every message once.

While the target is unreachable a message stays ``pending`` with its attempts, the
last error (the URL's password never shown) and ``next_attempt_at`` pushed back
exponentially (``backoff_s`` doubling up to ``max_backoff_s``), so a scheduled run
does not hammer a target that is down; :func:`deliver_pending` raises
:class:`TargetUnavailable` after recording the failure, for the caller to retry.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError

from dossier.db import masked_url, write_transaction
from schemas.recommendations_tables import (
    Recommendation,
    RecommendationEvent,
    RecommendationOutbox,
)

TARGET_TABLE = "incoming_recommendations"
BACKOFF_S = 30.0
MAX_BACKOFF_S = 3600.0

target_metadata = sa.MetaData()
incoming_recommendations = sa.Table(
    TARGET_TABLE, target_metadata,
    sa.Column("number", sa.String(255), primary_key=True),
    sa.Column("procuratorate", sa.String(255), nullable=False),
    sa.Column("recipient", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("issued_date", sa.Date, nullable=False),
    sa.Column("reply_due_date", sa.Date, nullable=False),
    sa.Column("case_refs", sa.JSON, nullable=False),
    sa.Column("body_text", sa.Text, nullable=False),
    sa.Column("document", sa.LargeBinary, nullable=False),
    sa.Column("document_sha256", sa.String(64), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
              nullable=False),
)


class TargetUnavailable(RuntimeError):
    """The target database did not answer; the messages stay pending."""


@dataclass
class DeliveryReport:
    delivered: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)  # inserted by an earlier attempt
    pending: int = 0
    error: str | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def target_engine(url: str) -> sa.Engine:
    """A short connect timeout: an unreachable target must fail fast, not hang the flow."""
    parsed = sa.make_url(url)
    args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    return sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=args)


def ensure_target_table(engine: sa.Engine) -> None:
    """Create ``incoming_recommendations`` where it is missing (a test database, a new
    system); an existing table of the case-management system is left as it is."""
    target_metadata.create_all(engine, checkfirst=True)


def _insert_once(connection: sa.Connection, row: dict) -> bool:
    """Insert unless the number is there; True when this call inserted it."""
    table = incoming_recommendations
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(table).values(row).on_conflict_do_nothing(
            index_elements=["number"])
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(row).on_conflict_do_nothing(
            index_elements=["number"])
    else:
        exists = connection.scalar(sa.select(sa.func.count()).select_from(table)
                                   .where(table.c.number == row["number"]))
        if exists:
            return False
        statement = sa.insert(table).values(row)
    # RETURNING, not rowcount: drivers disagree on rowcount for ON CONFLICT DO NOTHING.
    return connection.execute(statement.returning(table.c.number)).first() is not None


def _target_row(payload: dict) -> dict:
    return {
        "number": payload["number"], "procuratorate": payload["procuratorate"],
        "recipient": payload["recipient"], "kind": payload["kind"], "title": payload["title"],
        "issued_date": dt.date.fromisoformat(payload["issued_date"]),
        "reply_due_date": dt.date.fromisoformat(payload["reply_due_date"]),
        "case_refs": payload["case_refs"], "body_text": payload["text"],
        "document": base64.b64decode(payload["docx_base64"]),
        "document_sha256": payload["docx_sha256"],
    }


def due_messages(engine: sa.Engine, now: dt.datetime, *, include_waiting: bool = False,
                 limit: int = 500) -> list[tuple[int, str, dict]]:
    query = (sa.select(RecommendationOutbox.id, RecommendationOutbox.idempotency_key,
                       RecommendationOutbox.payload)
             .where(RecommendationOutbox.status == "pending")
             .order_by(RecommendationOutbox.id).limit(limit))
    if not include_waiting:
        query = query.where(RecommendationOutbox.next_attempt_at <= now)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _record_failure(engine: sa.Engine, outbox_ids: list[int], error: str, backoff_s: float,
                    max_backoff_s: float) -> None:
    now = _now()
    with write_transaction(engine) as connection:
        for outbox_id in outbox_ids:
            attempts = connection.scalar(sa.select(RecommendationOutbox.attempts)
                                         .where(RecommendationOutbox.id == outbox_id)
                                         .with_for_update()) or 0
            wait = min(backoff_s * 2 ** attempts, max_backoff_s)
            connection.execute(sa.update(RecommendationOutbox)
                               .where(RecommendationOutbox.id == outbox_id)
                               .values(attempts=attempts + 1, last_error=error[:2000],
                                       next_attempt_at=now + dt.timedelta(seconds=wait)))


def _mark_delivered(engine: sa.Engine, outbox_id: int, number: str, inserted: bool) -> None:
    now = _now()
    with write_transaction(engine) as connection:
        changed = connection.execute(
            sa.update(RecommendationOutbox)
            .where(RecommendationOutbox.id == outbox_id, RecommendationOutbox.status == "pending")
            .values(status="delivered", delivered_at=now,
                    attempts=RecommendationOutbox.attempts + 1, last_error=None)).rowcount
        if changed:
            rec_id = connection.scalar(sa.select(RecommendationOutbox.recommendation_id)
                                       .where(RecommendationOutbox.id == outbox_id))
            connection.execute(sa.insert(RecommendationEvent).values(
                recommendation_id=rec_id, event="delivered", actor="deliver-recommendations",
                note=f"{number} in {TARGET_TABLE}" + ("" if inserted else " (already there)")))


def _describe(error: Exception, url: str) -> str:
    text = f"{type(error).__name__}: {getattr(error, 'orig', None) or error}"
    return text.replace(sa.make_url(url).password or "\x00", "***")


def deliver_pending(
    engine: sa.Engine,
    target_url: str,
    *,
    include_waiting: bool = False,
    backoff_s: float = BACKOFF_S,
    max_backoff_s: float = MAX_BACKOFF_S,
) -> DeliveryReport:
    """Deliver every due message; raises :class:`TargetUnavailable` when the target is down.

    ``include_waiting`` also takes messages whose next attempt is not due yet (a retry
    within one flow run, an operator's ``dossier recommendations deliver``).
    """
    report = DeliveryReport()
    messages = due_messages(engine, _now(), include_waiting=include_waiting)
    if not messages:
        return report
    target = target_engine(target_url)
    try:
        for index, (outbox_id, number, payload) in enumerate(messages):
            try:
                if index == 0:
                    ensure_target_table(target)
                with target.begin() as connection:
                    inserted = _insert_once(connection, _target_row(payload))
            except DBAPIError as error:
                if not (isinstance(error, OperationalError) or error.connection_invalidated):
                    raise  # the target answered and refused: a bug or a schema mismatch
                waiting = [m[0] for m in messages[index:]]
                report.error, report.pending = _describe(error, target_url), len(waiting)
                _record_failure(engine, waiting, report.error, backoff_s, max_backoff_s)
                raise TargetUnavailable(f"{masked_url(target_url)}: {report.error}; "
                                        f"{len(waiting)} pending") from error
            _mark_delivered(engine, outbox_id, number, inserted)
            (report.delivered if inserted else report.already_there).append(number)
    finally:
        target.dispose()
    return report


def pending_count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(RecommendationOutbox)
                                 .where(RecommendationOutbox.status == "pending")) or 0


def delivered_numbers(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(
            sa.select(Recommendation.number).join(RecommendationOutbox)
            .where(RecommendationOutbox.status == "delivered").order_by(Recommendation.id)))

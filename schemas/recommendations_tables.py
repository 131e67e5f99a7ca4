"""Review sessions of leads, and prosecutorial recommendations (检察建议) written back.

Tables
------
``lead_review_sessions``
    One review of pending leads in the Prefect UI: which leads, at which version
    and status, were shown to the reviewer (``shown``), and, once decided, what
    became of each (``outcome``). The review flow suspends and runs again from its
    start when resumed; the session row (keyed by the flow run id) is what makes
    the second pass show and decide exactly what the first pass showed.
``recommendation_sequences``
    The last serial number issued per procuratorate (its 简称) and year. Issuing
    takes this row's lock (SELECT … FOR UPDATE on PostgreSQL, the write lock on
    SQLite) and updates it in the transaction that writes the recommendation, so
    numbers are never reused and have no gaps, whatever runs at once.
``recommendations``
    One 检察建议: the group of confirmed leads it answers (``group_key`` =
    recipient + model + lead ids), its number once issued
    (``<简称>检<部门>建〔YYYY〕N号``), recipient, status (draft → issued → replied |
    overdue), dates (issued, received by the recipient when known, reply due,
    replied), the reply, and the documents' keys in the store. ``context`` is
    what the documents were rendered from, so a document can be rendered again.
``recommendation_leads``
    The leads a recommendation cites, with the version that was cited. A lead is
    cited by one recommendation at most (unique ``lead_id``): two runs drafting at
    once cannot both take it.
``recommendation_events``
    Every change of a recommendation (drafted, issued, received, overdue,
    replied, delivered), who made it and when (全程留痕).
``recommendation_outbox``
    The message for the case-management system, written in the issuing
    transaction; ``idempotency_key`` is the number. The delivery flow copies it
    to the target database (``incoming_recommendations``) and marks it
    delivered; attempts, the last error and the next attempt time are kept while
    the target is unreachable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from schemas.tables import ID, KEY, NAME, SHORT, Base, _in, _now

RECOMMENDATION_STATUSES = ("draft", "issued", "replied", "overdue")
OUTBOX_STATUSES = ("pending", "delivered")


class LeadReviewSession(Base):
    __tablename__ = "lead_review_sessions"

    id: Mapped[str] = mapped_column(sa.String(ID), primary_key=True)
    shown: Mapped[list[Any]] = mapped_column()  # [{"id", "version", "status"}]
    outcome: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    reviewer: Mapped[str | None] = mapped_column(sa.String(NAME))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    decided_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RecommendationSequence(Base):
    __tablename__ = "recommendation_sequences"

    procuratorate: Mapped[str] = mapped_column(sa.String(SHORT), primary_key=True)  # 简称
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, onupdate=_now, server_default=sa.func.now()
    )


class Recommendation(Base):
    __tablename__ = "recommendations"
    __table_args__ = (
        sa.CheckConstraint(_in("status", RECOMMENDATION_STATUSES), name="status"),
        sa.UniqueConstraint("procuratorate_abbr", "year", "serial"),
        sa.Index("ix_recommendations_status_due", "status", "reply_due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(sa.String(ID), unique=True)
    number: Mapped[str | None] = mapped_column(sa.String(NAME), unique=True)
    procuratorate: Mapped[str] = mapped_column(sa.String(NAME))
    procuratorate_abbr: Mapped[str] = mapped_column(sa.String(SHORT))
    department: Mapped[str] = mapped_column(sa.String(SHORT))
    year: Mapped[int | None] = mapped_column(sa.Integer)
    serial: Mapped[int | None] = mapped_column(sa.Integer)
    model_id: Mapped[str] = mapped_column(sa.String(SHORT * 2))
    kind: Mapped[str] = mapped_column(sa.String(SHORT))
    recipient: Mapped[str] = mapped_column(sa.String(NAME))
    title: Mapped[str] = mapped_column(sa.String(NAME))
    status: Mapped[str] = mapped_column(sa.String(SHORT), default="draft")
    lead_count: Mapped[int] = mapped_column(sa.Integer)
    context: Mapped[dict[str, Any]] = mapped_column()
    issued_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    received_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    reply_due_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    replied_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    reply_text: Mapped[str | None] = mapped_column(sa.Text)
    docx_key: Mapped[str | None] = mapped_column(sa.String(KEY))
    txt_key: Mapped[str | None] = mapped_column(sa.String(KEY))
    docx_sha256: Mapped[str | None] = mapped_column(sa.String(ID))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, onupdate=_now, server_default=sa.func.now()
    )


class RecommendationLead(Base):
    __tablename__ = "recommendation_leads"

    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id"), primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    lead_version: Mapped[int] = mapped_column(sa.Integer)


class RecommendationEvent(Base):
    __tablename__ = "recommendation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(sa.String(SHORT))
    from_status: Mapped[str | None] = mapped_column(sa.String(SHORT))
    to_status: Mapped[str | None] = mapped_column(sa.String(SHORT))
    actor: Mapped[str | None] = mapped_column(sa.String(NAME))
    note: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )


class RecommendationOutbox(Base):
    __tablename__ = "recommendation_outbox"
    __table_args__ = (
        sa.CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        sa.Index("ix_recommendation_outbox_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(NAME), unique=True)
    recommendation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("recommendations.id", ondelete="CASCADE")
    )
    payload: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(SHORT), default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    delivered_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))

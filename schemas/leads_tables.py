"""Supervision leads (监督线索) and the runs that found them.

Tables
------
``supervision_runs``
    One run of the supervision models (over the database, or over case cards):
    its ``as_of`` date, the models run and per model the new and existing leads
    and the seconds it took.
``leads``
    One lead. Its identity is model + subject + evidence records
    (``fingerprint`` = sha256 of the three, unique): the same finding in a later
    run is the same row (``last_run_id``/``last_seen_at`` move), never a second
    one. ``version`` starts at 1 and is incremented whenever the lead's content
    (explanation, evidence, severity, model version, case number, agency)
    changes; ``content_sha256`` is what is compared. ``status`` is the review
    state: new → under_review → confirmed | dismissed, confirmed → referred
    (the review work builds on ``set_status`` in ``tasks.supervision.leads``).
    ``evidence`` is JSON: ``{"records": [...], "facts": {...}}``, the evidence
    rows' ids and the values the rule read (ID numbers masked, no names).
    ``agency`` is the responsible agency where the evidence names one (the court
    of a judgment, the administrative agency of a penalty), else null.
``lead_history``
    Every event of a lead: ``found`` (first run), ``updated`` (content changed,
    new version), ``status`` (a reviewer moved it), with the run, the version
    after the event, who and a note. Found again unchanged adds nothing.
``supervision_card_sentences`` / ``supervision_card_statutes``
    The library's case cards flattened into the shape of ``feed_judgments`` (one
    row per defendant and charge) and their cited articles, so the case-card
    models run the same SQL over cards as over the judgments feed. They are
    derived data, rebuilt from ``cases`` at the start of a database run; a card
    run without a database fills them in an in-memory SQLite.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from schemas.tables import ID, KEY, NAME, SHORT, Base, _in, _now

LEAD_STATUSES = ("new", "under_review", "confirmed", "dismissed", "referred")
SEVERITIES = ("high", "medium", "low")
RUN_SOURCES = ("database", "cards")


class SupervisionRun(Base):
    __tablename__ = "supervision_runs"
    __table_args__ = (sa.CheckConstraint(_in("source", RUN_SOURCES), name="source"),)

    run_id: Mapped[str] = mapped_column(sa.String(ID), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(SHORT))
    as_of: Mapped[dt.date] = mapped_column(sa.Date)
    models: Mapped[list[Any]] = mapped_column()
    summary: Mapped[list[Any]] = mapped_column(default=list)  # per model: new, existing, seconds
    flow_run_id: Mapped[str | None] = mapped_column(sa.String(ID))
    started_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    finished_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (
        sa.CheckConstraint(_in("status", LEAD_STATUSES), name="status"),
        sa.CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        sa.Index("ix_leads_model_status", "model_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(ID), unique=True)
    model_id: Mapped[str] = mapped_column(sa.String(SHORT * 2))
    model_version: Mapped[str] = mapped_column(sa.String(SHORT))
    subject: Mapped[str] = mapped_column(sa.String(ID), index=True)
    records: Mapped[list[Any]] = mapped_column()
    case_no: Mapped[str | None] = mapped_column(sa.String(NAME), index=True)
    agency: Mapped[str | None] = mapped_column(sa.String(NAME))
    severity: Mapped[str] = mapped_column(sa.String(SHORT))
    explanation: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[dict[str, Any]] = mapped_column()
    as_of: Mapped[dt.date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(SHORT), default="new")
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    content_sha256: Mapped[str] = mapped_column(sa.String(ID))
    first_run_id: Mapped[str] = mapped_column(sa.String(ID))
    last_run_id: Mapped[str] = mapped_column(sa.String(ID))
    first_seen_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    last_seen_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, onupdate=_now, server_default=sa.func.now()
    )


class LeadHistory(Base):
    __tablename__ = "lead_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(sa.String(SHORT))
    version: Mapped[int] = mapped_column(sa.Integer)
    from_status: Mapped[str | None] = mapped_column(sa.String(SHORT))
    to_status: Mapped[str | None] = mapped_column(sa.String(SHORT))
    run_id: Mapped[str | None] = mapped_column(sa.String(ID))
    actor: Mapped[str | None] = mapped_column(sa.String(NAME))
    note: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )


class CardSentence(Base):
    """A case card's sentence, one row per charge it covers, shaped like ``feed_judgments``."""

    __tablename__ = "supervision_card_sentences"

    judgment_id: Mapped[str] = mapped_column(sa.String(KEY), primary_key=True)
    dossier_id: Mapped[str] = mapped_column(sa.String(KEY), index=True)
    case_no: Mapped[str | None] = mapped_column(sa.String(NAME))
    person_key: Mapped[str] = mapped_column(sa.String(ID))
    person_masked: Mapped[str | None] = mapped_column(sa.String(NAME))
    court: Mapped[str | None] = mapped_column(sa.String(NAME))
    charge: Mapped[str] = mapped_column(sa.String(NAME))
    article: Mapped[str | None] = mapped_column(sa.String(SHORT))
    penalty: Mapped[str | None] = mapped_column(sa.String(SHORT))
    months: Mapped[int | None] = mapped_column(sa.Integer)
    probation_months: Mapped[int | None] = mapped_column(sa.Integer)
    fine_yuan: Mapped[float | None] = mapped_column(sa.Float)
    recidivist: Mapped[bool | None] = mapped_column(sa.Boolean)
    effective_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    charges_in_sentence: Mapped[int] = mapped_column(sa.Integer, default=1)
    amount_yuan: Mapped[float | None] = mapped_column(sa.Float)


class CardStatute(Base):
    """An article a case card cites, as a label (``264``, ``133之一``)."""

    __tablename__ = "supervision_card_statutes"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "article"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(sa.String(KEY))
    article: Mapped[str] = mapped_column(sa.String(SHORT))

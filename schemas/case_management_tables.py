"""Case management (issue 16): intake events, notices to departments, quality evaluations.

Tables
------
``intake_events``
    One row per upload the ingest flow took in: accepted (a new or resumed dossier),
    duplicate (bytes already ingested) or rejected (quarantined, with its reason code).
    The ``dossiers`` table keeps one row per distinct dossier, so it cannot say how
    often the same bytes came again; this can (the report's duplicate rate). No file
    name: an upload's name may hold a defendant's name.
``case_notifications``
    The outbox of notices to handling departments (承办部门): one per kind (``deadlines``),
    department and day, with the markdown an operator reads and the items it lists.
    A second run on the same day replaces that day's notice (``status`` back to
    ``pending``); ``dossier notices`` lists them and marks them read.
``case_evaluations``
    The 质量评查 of a closed case: its score, grade and every deduction with its reason,
    by rubric version; evaluated again, the row is replaced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from schemas.tables import ID, NAME, SHORT, Base, _in, _now

INTAKE_OUTCOMES = ("accepted", "duplicate", "rejected")
NOTICE_STATUSES = ("pending", "read")


class IntakeEvent(Base):
    __tablename__ = "intake_events"
    __table_args__ = (sa.CheckConstraint(_in("outcome", INTAKE_OUTCOMES), name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now(), index=True
    )
    dossier_id: Mapped[str] = mapped_column(sa.String(ID), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(SHORT))
    reason: Mapped[str | None] = mapped_column(sa.String(SHORT))  # rejection reason code
    flow_run_id: Mapped[str | None] = mapped_column(sa.String(ID))


class CaseNotification(Base):
    __tablename__ = "case_notifications"
    __table_args__ = (
        sa.CheckConstraint(_in("status", NOTICE_STATUSES), name="status"),
        sa.UniqueConstraint("kind", "department", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(SHORT))
    department: Mapped[str] = mapped_column(sa.String(NAME))
    as_of: Mapped[dt.date] = mapped_column(sa.Date)
    subject: Mapped[str] = mapped_column(sa.String(NAME))
    body: Mapped[str] = mapped_column(sa.Text)
    items: Mapped[list[Any]] = mapped_column()
    item_count: Mapped[int] = mapped_column(sa.Integer)
    key: Mapped[str | None] = mapped_column(sa.String(1024))  # the copy in the object store
    status: Mapped[str] = mapped_column(sa.String(SHORT), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    read_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    read_by: Mapped[str | None] = mapped_column(sa.String(NAME))


class CaseEvaluation(Base):
    __tablename__ = "case_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        sa.ForeignKey("dossiers.dossier_id", ondelete="CASCADE"), unique=True
    )
    month: Mapped[str] = mapped_column(sa.String(7), index=True)  # YYYY-MM of the closing
    closed_date: Mapped[dt.date] = mapped_column(sa.Date)
    score: Mapped[float] = mapped_column(sa.Float)
    grade: Mapped[str] = mapped_column(sa.String(SHORT))
    deductions: Mapped[list[Any]] = mapped_column()
    rubric_version: Mapped[str] = mapped_column(sa.String(SHORT))
    evaluated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, onupdate=_now, server_default=sa.func.now()
    )

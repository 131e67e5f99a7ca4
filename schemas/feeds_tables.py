"""Agency feeds in the SQL library: one table per feed of FEEDS.md, batches and rejects.

A feed row's primary key is its record id within the feed, so a record
delivered again replaces its row (a correction), never adds one. The person's
resident ID number is never stored: ``person_key`` is its keyed hash (the same
``dossier.privacy.hash_id_number`` the case cards use, so feeds and cards match
on it) and ``person_masked`` its masked form. ``batch_id`` names the batch that
last delivered the row.

Charge and offence names are stored as the official charge name (盗窃 → 盗窃罪,
贩卖毒品罪 → 走私、贩卖、运输、制造毒品罪) so the supervision models compare one
spelling. A pension's ``month`` is kept with the first and last day of that month,
so "a month wholly inside a prison term" is a plain date comparison on both
databases. Indexes are the ones the supervision models' joins and filters use
(see ``benchmarks/supervision_bench.py`` for the plans).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from schemas.tables import ID, NAME, SHORT, Base, _now

RECORD = 64  # record ids of a feed
PERSON_MASK = 32


class FeedRow:
    """Columns every feed row has: the person (hashed and masked) and its batch."""

    person_key: Mapped[str | None] = mapped_column(sa.String(ID), index=True, sort_order=10)
    person_masked: Mapped[str | None] = mapped_column(sa.String(PERSON_MASK), sort_order=11)
    batch_id: Mapped[str] = mapped_column(sa.String(NAME), sort_order=20)


class FeedPerson(Base):
    """people.csv: the person register; the key is the hashed ID number."""

    __tablename__ = "feed_people"

    person_key: Mapped[str] = mapped_column(sa.String(ID), primary_key=True)
    person_masked: Mapped[str] = mapped_column(sa.String(PERSON_MASK))
    name: Mapped[str | None] = mapped_column(sa.String(NAME))
    birth_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    batch_id: Mapped[str] = mapped_column(sa.String(NAME))


class FeedPoliceCase(FeedRow, Base):
    """police_cases.csv: 受案 / 立案 / 撤案."""

    __tablename__ = "feed_police_cases"
    __table_args__ = (sa.Index("ix_feed_police_cases_unfiled", "received_date", "offence"),)

    case_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    offence: Mapped[str] = mapped_column(sa.String(NAME))
    amount_yuan: Mapped[float | None] = mapped_column(sa.Float)
    received_date: Mapped[dt.date] = mapped_column(sa.Date)
    filed_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    withdrawn_date: Mapped[dt.date | None] = mapped_column(sa.Date)


class FeedMeasure(FeedRow, Base):
    """measures.csv: 拘留, 提请逮捕, 逮捕, 延长羁押, 取保候审, 监视居住, 释放."""

    __tablename__ = "feed_measures"
    __table_args__ = (
        sa.Index("ix_feed_measures_kind_person", "kind", "person_key", "start_date"),
    )

    measure_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(sa.String(RECORD))
    kind: Mapped[str] = mapped_column(sa.String(SHORT))
    start_date: Mapped[dt.date] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    extension: Mapped[int | None] = mapped_column(sa.Integer)


class FeedAdminPenalty(FeedRow, Base):
    """admin_penalties.csv: 行政处罚, and when the case went to the police as a crime."""

    __tablename__ = "feed_admin_penalties"

    penalty_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    agency: Mapped[str | None] = mapped_column(sa.String(NAME))
    offence: Mapped[str] = mapped_column(sa.String(NAME), index=True)
    amount_yuan: Mapped[float | None] = mapped_column(sa.Float)
    penalty: Mapped[str | None] = mapped_column(sa.String(NAME))
    decided_date: Mapped[dt.date] = mapped_column(sa.Date)
    transferred_date: Mapped[dt.date | None] = mapped_column(sa.Date)


class FeedJudgment(FeedRow, Base):
    """judgments.csv: one row per defendant and charge."""

    __tablename__ = "feed_judgments"
    __table_args__ = (sa.Index("ix_feed_judgments_case_person", "case_no", "person_key"),)

    judgment_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    case_no: Mapped[str] = mapped_column(sa.String(NAME))
    court: Mapped[str | None] = mapped_column(sa.String(NAME))
    charge: Mapped[str] = mapped_column(sa.String(NAME))
    article: Mapped[str | None] = mapped_column(sa.String(SHORT))
    penalty: Mapped[str | None] = mapped_column(sa.String(SHORT))
    months: Mapped[int | None] = mapped_column(sa.Integer)
    probation_months: Mapped[int | None] = mapped_column(sa.Integer)
    fine_yuan: Mapped[float | None] = mapped_column(sa.Float)
    recidivist: Mapped[bool | None] = mapped_column(sa.Boolean)
    effective_date: Mapped[dt.date] = mapped_column(sa.Date)


class FeedNonProsecution(FeedRow, Base):
    """non_prosecutions.csv: 不起诉决定 (blood alcohol for 危险驾驶)."""

    __tablename__ = "feed_non_prosecutions"

    decision_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    charge: Mapped[str] = mapped_column(sa.String(NAME), index=True)
    blood_alcohol_mg: Mapped[float | None] = mapped_column(sa.Float)
    decided_date: Mapped[dt.date] = mapped_column(sa.Date)


class FeedLicenceRevocation(FeedRow, Base):
    """licence_revocations.csv: 吊销机动车驾驶证."""

    __tablename__ = "feed_licence_revocations"

    revocation_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    revoked_date: Mapped[dt.date] = mapped_column(sa.Date)


class FeedCorrection(FeedRow, Base):
    """corrections.csv: 社区矫正 (缓刑, 管制, 假释, 暂予监外执行) and the first check-in."""

    __tablename__ = "feed_corrections"

    correction_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    case_no: Mapped[str | None] = mapped_column(sa.String(NAME))
    kind: Mapped[str] = mapped_column(sa.String(SHORT))
    effective_date: Mapped[dt.date] = mapped_column(sa.Date, index=True)
    checkin_date: Mapped[dt.date | None] = mapped_column(sa.Date)


class FeedPrison(FeedRow, Base):
    """prison.csv: 收监 and 释放 dates."""

    __tablename__ = "feed_prison"

    record_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    admitted_date: Mapped[dt.date] = mapped_column(sa.Date)
    released_date: Mapped[dt.date | None] = mapped_column(sa.Date)


class FeedPension(FeedRow, Base):
    """pensions.csv: a month's 养老金 payment; ``month`` is ``YYYY-MM``."""

    __tablename__ = "feed_pensions"

    payment_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    month: Mapped[str] = mapped_column(sa.String(7))
    month_start: Mapped[dt.date] = mapped_column(sa.Date)
    month_end: Mapped[dt.date] = mapped_column(sa.Date)
    amount_yuan: Mapped[float | None] = mapped_column(sa.Float)


class FeedFineEnforcement(FeedRow, Base):
    """fine_enforcement.csv: 罚金 enforcement cases of a judgment."""

    __tablename__ = "feed_fine_enforcement"
    __table_args__ = (sa.Index("ix_feed_fine_enforcement_case_person", "case_no", "person_key"),)

    enforcement_id: Mapped[str] = mapped_column(sa.String(RECORD), primary_key=True)
    case_no: Mapped[str] = mapped_column(sa.String(NAME))
    filed_date: Mapped[dt.date] = mapped_column(sa.Date)


FEED_TABLES: dict[str, type[Base]] = {
    "people": FeedPerson,
    "police_cases": FeedPoliceCase,
    "measures": FeedMeasure,
    "admin_penalties": FeedAdminPenalty,
    "judgments": FeedJudgment,
    "non_prosecutions": FeedNonProsecution,
    "licence_revocations": FeedLicenceRevocation,
    "corrections": FeedCorrection,
    "prison": FeedPrison,
    "pensions": FeedPension,
    "fine_enforcement": FeedFineEnforcement,
}


class FeedBatch(Base):
    """One imported batch: its source, and the manifest (files, sha256, row counts).

    Importing the same batch again updates this row; ``manifest`` is the last import's.
    """

    __tablename__ = "feed_batches"

    batch_id: Mapped[str] = mapped_column(sa.String(NAME), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(1024))
    manifest: Mapped[dict[str, Any]] = mapped_column()
    rows_loaded: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(sa.Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )


class FeedReject(Base):
    """A row the quality gates refused, with its reasons; the rest of its batch loaded.

    ``row`` is the refused row as delivered except the ID number, which is kept
    masked and hashed like everywhere else. A reimport of the batch replaces its
    rejects.
    """

    __tablename__ = "feed_rejects"
    __table_args__ = (sa.Index("ix_feed_rejects_batch_feed", "batch_id", "feed"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(sa.String(NAME))
    feed: Mapped[str] = mapped_column(sa.String(SHORT))
    line: Mapped[int] = mapped_column(sa.Integer)
    record_id: Mapped[str | None] = mapped_column(sa.String(RECORD))
    reasons: Mapped[list[Any]] = mapped_column()
    row: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )

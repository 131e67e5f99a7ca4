"""The SQL library: SQLAlchemy 2.0 models of dossiers, pages, documents and case cards.

The tables mirror the stage schemas (``schemas.manifest``, ``schemas.ocr``,
``schemas.case_card``) so the load stage is a plain copy. Types are the portable
ones (``sa.JSON``, not JSONB) because the same code runs on the embedded SQLite
file and on PostgreSQL; constraints carry explicit names so Alembic can drop
them on both.

A case's child rows (persons, charges, statutes, …) hang off ``cases.id`` and go
with it (ON DELETE CASCADE): a changed case card replaces them as a whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DOSSIER_STATUSES = ("received", "processing", "ok", "needs_review", "rejected")
REVIEW_STATES = ("trusted", "held")
PAGE_SOURCES = ("text-layer", "ocr")
PAGE_STATUSES = ("ok", "blank", "failed")

KEY = 1024  # object keys (dossier.store.keys.MAX_KEY_BYTES)
ID = 64  # sha256 hex and ids derived from it
SHORT = 32  # enumerated values
NAME = 255


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it from the class)
        dict[str, Any]: sa.JSON,
        list[Any]: sa.JSON,
    }


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, onupdate=_now, server_default=sa.func.now()
    )


# --- dossiers and their pages -------------------------------------------------------


class Dossier(Timestamps, Base):
    """One uploaded file (卷宗); ``dossier_id`` derives from its sha256."""

    __tablename__ = "dossiers"
    __table_args__ = (sa.CheckConstraint(_in("status", DOSSIER_STATUSES), name="status"),)

    dossier_id: Mapped[str] = mapped_column(sa.String(ID), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(ID), unique=True)
    filename: Mapped[str] = mapped_column(sa.String(KEY))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(SHORT), default="received", index=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    original_key: Mapped[str | None] = mapped_column(sa.String(KEY))
    page_count: Mapped[int | None] = mapped_column(sa.Integer)
    flow_run_id: Mapped[str | None] = mapped_column(sa.String(ID))

    pages: Mapped[list[Page]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Page.page",
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Document.seq",
    )
    case: Mapped[Case | None] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", passive_deletes=True
    )


class Page(Base):
    """One page's OCR outcome (``schemas.ocr.PageOcr`` without the text and boxes)."""

    __tablename__ = "pages"
    __table_args__ = (
        sa.UniqueConstraint("dossier_id", "page"),
        sa.CheckConstraint(_in("source", PAGE_SOURCES), name="source"),
        sa.CheckConstraint(_in("status", PAGE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        sa.ForeignKey("dossiers.dossier_id", ondelete="CASCADE"), index=True
    )
    page: Mapped[int] = mapped_column(sa.Integer)
    source: Mapped[str] = mapped_column(sa.String(SHORT))
    engine: Mapped[str | None] = mapped_column(sa.String(SHORT))
    engine_version: Mapped[str | None] = mapped_column(sa.String(SHORT))
    status: Mapped[str] = mapped_column(sa.String(SHORT))
    error: Mapped[str | None] = mapped_column(sa.Text)
    blank: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    rotation: Mapped[int] = mapped_column(sa.Integer, default=0)
    skew_degrees: Mapped[float] = mapped_column(sa.Float, default=0.0)
    width: Mapped[int] = mapped_column(sa.Integer, default=0)
    height: Mapped[int] = mapped_column(sa.Integer, default=0)
    mean_confidence: Mapped[float | None] = mapped_column(sa.Float)
    chars: Mapped[int] = mapped_column(sa.Integer, default=0)
    seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)
    image_key: Mapped[str | None] = mapped_column(sa.String(KEY))
    ocr_key: Mapped[str | None] = mapped_column(sa.String(KEY))

    dossier: Mapped[Dossier] = relationship(back_populates="pages")


class Document(Base):
    """A part of a dossier with one type (文书): ``schemas.case_card.DocumentRef``."""

    __tablename__ = "documents"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        sa.ForeignKey("dossiers.dossier_id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(sa.Integer)
    type: Mapped[str] = mapped_column(sa.String(SHORT), index=True)
    title: Mapped[str] = mapped_column(sa.String(KEY))
    page_from: Mapped[int] = mapped_column(sa.Integer)
    page_to: Mapped[int] = mapped_column(sa.Integer)
    confidence: Mapped[float] = mapped_column(sa.Float)

    dossier: Mapped[Dossier] = relationship(back_populates="documents")


# --- the case card ------------------------------------------------------------------


class Case(Timestamps, Base):
    """The case card (案件信息卡) of one dossier: ``schemas.case_card.Case``.

    ``review_state`` is ``held`` while a critical quality check failed: the row
    exists for review but supervision models read only ``trusted`` cases.
    ``card_sha256`` lets a reload of an unchanged card leave every row alone.
    """

    __tablename__ = "cases"
    __table_args__ = (
        sa.CheckConstraint(_in("review_state", REVIEW_STATES), name="review_state"),
        sa.Index("uq_cases_source_source_id", "source", "source_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        sa.ForeignKey("dossiers.dossier_id", ondelete="CASCADE"), unique=True
    )
    case_no: Mapped[str | None] = mapped_column(sa.String(NAME), index=True)
    court: Mapped[str | None] = mapped_column(sa.String(NAME))
    procuratorate: Mapped[str | None] = mapped_column(sa.String(NAME))
    indictment_no: Mapped[str | None] = mapped_column(sa.String(NAME), index=True)
    judgment_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    amounts_yuan: Mapped[list[Any]] = mapped_column(default=list)
    review_state: Mapped[str] = mapped_column(sa.String(SHORT), index=True)
    quality: Mapped[dict[str, Any] | None] = mapped_column()
    card_sha256: Mapped[str] = mapped_column(sa.String(ID))
    # where the case came from: "dossier" (an uploaded 卷宗) or "published" (a judgment
    # imported as text, issue 13), and its id there (the dataset's text_id)
    source: Mapped[str] = mapped_column(
        sa.String(SHORT), default="dossier", server_default="dossier", index=True
    )
    source_id: Mapped[str | None] = mapped_column(sa.String(NAME))

    dossier: Mapped[Dossier] = relationship(back_populates="case")
    persons: Mapped[list[Person]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Person.seq"
    )
    charges: Mapped[list[Charge]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Charge.seq"
    )
    statutes: Mapped[list[Statute]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Statute.seq"
    )
    coercive_measures: Mapped[list[CoerciveMeasure]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="CoerciveMeasure.seq"
    )
    sentences: Mapped[list[Sentence]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Sentence.seq"
    )
    circumstances: Mapped[list[Circumstance]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="Circumstance.seq"
    )


class CaseChild:
    """Rows of a list on the case card, in card order (``seq`` from 0)."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-3)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True, sort_order=-2
    )
    seq: Mapped[int] = mapped_column(sa.Integer, sort_order=-1)


class Person(CaseChild, Base):
    """A party; the raw ID number is never stored, only its mask and salted hash."""

    __tablename__ = "persons"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq"),)

    name: Mapped[str] = mapped_column(sa.String(NAME), index=True)
    role: Mapped[str] = mapped_column(sa.String(SHORT))
    gender: Mapped[str | None] = mapped_column(sa.String(SHORT))
    birth_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    ethnicity: Mapped[str | None] = mapped_column(sa.String(SHORT))
    id_number_masked: Mapped[str | None] = mapped_column(sa.String(SHORT))
    id_number_sha256: Mapped[str | None] = mapped_column(sa.String(ID), index=True)
    id_number_valid: Mapped[bool | None] = mapped_column(sa.Boolean)


class Charge(CaseChild, Base):
    """A charge (罪名) named on the card: its catalogue name, and as decided (written).

    One row per charge as written (贩卖毒品罪 and 运输毒品罪 are two rows with the one
    catalogue name 走私、贩卖、运输、制造毒品罪); a card without written forms gives one
    row per catalogue name with ``written`` NULL.
    """

    __tablename__ = "charges"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq"),)

    name: Mapped[str] = mapped_column(sa.String(NAME), index=True)
    written: Mapped[str | None] = mapped_column(sa.String(NAME), index=True)


class Statute(CaseChild, Base):
    """第一百三十三条之一第二款第（三）项 → article 133, sub 1, paragraph 2, item 3."""

    __tablename__ = "statutes"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq"),)

    law: Mapped[str] = mapped_column(sa.String(NAME))
    article: Mapped[int] = mapped_column(sa.Integer, index=True)
    sub: Mapped[int | None] = mapped_column(sa.Integer)
    paragraph: Mapped[int | None] = mapped_column(sa.Integer)
    item: Mapped[int | None] = mapped_column(sa.Integer)


class CoerciveMeasure(CaseChild, Base):
    """强制措施: 刑事拘留, 逮捕, 取保候审, 监视居住, …"""

    __tablename__ = "coercive_measures"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq"),)

    person: Mapped[str] = mapped_column(sa.String(NAME))
    kind: Mapped[str] = mapped_column(sa.String(SHORT))
    date: Mapped[dt.date | None] = mapped_column(sa.Date)


class Sentence(CaseChild, Base):
    """One defendant's sentence; ``charges`` is the list of charge names it covers."""

    __tablename__ = "sentences"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq"),)

    person: Mapped[str] = mapped_column(sa.String(NAME))
    charges: Mapped[list[Any]] = mapped_column(default=list)
    # the charges as the verdict writes them (issue 13); [] on rows loaded before
    charges_written: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    penalty: Mapped[str | None] = mapped_column(sa.String(SHORT))
    months: Mapped[int | None] = mapped_column(sa.Integer)
    probation_months: Mapped[int | None] = mapped_column(sa.Integer)
    fine_yuan: Mapped[float | None] = mapped_column(sa.Float)


class Circumstance(CaseChild, Base):
    """量刑情节: 自首, 坦白, 认罪认罚, 累犯, …"""

    __tablename__ = "circumstances"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq"),)

    person: Mapped[str | None] = mapped_column(sa.String(NAME))
    kind: Mapped[str] = mapped_column(sa.String(SHORT))


# --- lineage ------------------------------------------------------------------------


class Lineage(Base):
    """全程留痕: which stage wrote which object with which bytes, by which code and run.

    Not a foreign key to ``dossiers``: the audit trail outlives a deleted dossier
    row and also covers uploads that were quarantined before they got one. A row
    per distinct output (``sha256``); recording the same output again adds nothing.
    """

    __tablename__ = "lineage"
    __table_args__ = (sa.UniqueConstraint("dossier_id", "stage", "key", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(sa.String(ID), index=True)
    stage: Mapped[str] = mapped_column(sa.String(SHORT))
    key: Mapped[str] = mapped_column(sa.String(KEY))
    sha256: Mapped[str] = mapped_column(sa.String(ID))
    code_version: Mapped[str] = mapped_column(sa.String(NAME))
    flow_run_id: Mapped[str | None] = mapped_column(sa.String(ID))
    task_run_id: Mapped[str | None] = mapped_column(sa.String(ID))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )


metadata = Base.metadata

# Tables kept in modules of their own, imported here so that the metadata and Alembic see
# them: agency feeds and supervision leads (issue 11), lead review and recommendations
# (issue 12), the legal library's search tables (issue 13), review points (issue 14),
# case management (issue 16).
from schemas import (  # noqa: E402, F401
    case_management_tables,
    feeds_tables,
    leads_tables,
    library_tables,
    recommendations_tables,
    review_tables,
)

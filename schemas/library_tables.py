"""The legal library's search tables (issue 13): the texts of every case, tokenised.

``case_texts`` holds one row per document of a case (a dossier's 起诉书, 判决书 …; a
published judgment's whole text) with its jieba tokens (:mod:`tasks.library.tokenizer`,
index mode, space-separated) and where its facts section lies. The full-text index
over ``tokens`` is database-specific and lives outside the model, made by migration
``0005``:

* PostgreSQL: a stored generated column ``tsv = to_tsvector('simple', tokens)`` with a
  GIN index (the 'simple' configuration keeps every jieba token as a lexeme);
* SQLite: an FTS5 table ``case_texts_fts`` (external content = ``case_texts``, the
  default unicode61 tokenizer splits the pre-tokenised text on its spaces) kept in step
  by triggers.

``facets`` are the search filters copied onto each text of a case (``charge:<catalogue
name>``, ``charge:<as written>``, ``source:…``, ``doc:…``, the character pairs of its court
and procuratorate ``court:上海`` for their substring filters; written by
:func:`tasks.library.texts.case_facets` whenever a case's texts are written, which every
load does after its charges): on PostgreSQL (``text[]``) they share one GIN index with
``tsv`` (migration ``0012``), so a filter is applied inside the index scan, before any
row is read or ranked. SQLite keeps them as JSON, unused by its search.

:func:`include_object` tells Alembic's comparison to leave those alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from schemas.tables import KEY, SHORT, Base

FTS_TABLE = "case_texts_fts"
TSV_COLUMN = "tsv"
TSV_INDEX = "ix_case_texts_tsv"  # migration 0005; 0012 replaced it by SEARCH_INDEX
SEARCH_INDEX = "ix_case_texts_search"  # GIN (tsv, facets), PostgreSQL only
FACETS = sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")
CASE_SOURCES = ("dossier", "published")


class CaseText(Base):
    """One document's text of a case, with its retrieval tokens (全文检索)."""

    __tablename__ = "case_texts"
    __table_args__ = (sa.UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(sa.Integer)
    doc_type: Mapped[str] = mapped_column(sa.String(SHORT), index=True)
    title: Mapped[str] = mapped_column(sa.String(KEY))
    text: Mapped[str] = mapped_column(sa.Text)
    tokens: Mapped[str] = mapped_column(sa.Text)
    # the facts section (案件事实: from the charge or 经审理查明 to 本院认为) as offsets in text
    facts_start: Mapped[int] = mapped_column(sa.Integer, default=0)
    facts_end: Mapped[int] = mapped_column(sa.Integer, default=0)
    facts_tokens: Mapped[str] = mapped_column(sa.Text, default="")  # BM25's document
    # the case's equality filters (see the module docstring): charge:…, source:…, doc:…
    facets: Mapped[list[str]] = mapped_column(FACETS, default=list)


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    """Alembic: skip the database-specific full-text objects (see the module docstring)."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == TSV_COLUMN and getattr(obj, "table", None) is not None:
        return obj.table.name != CaseText.__tablename__  # type: ignore[attr-defined]
    return not (type_ == "index" and name in (TSV_INDEX, SEARCH_INDEX))

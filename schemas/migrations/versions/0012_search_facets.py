"""legal library search: filters inside the full-text index (facets, issue 13)

``case_texts.facets`` holds each text's filters (``charge:<catalogue name>``,
``charge:<as written>``, ``source:<source>``, ``doc:<doc_type>``, and the character pairs of
the court and procuratorate, ``court:上海``, for their substring filters): on PostgreSQL a
``text[]``
indexed with ``tsv`` in one GIN index, so that a selective filter is applied inside the
index scan instead of after reading and ranking every text that matches the words (a broad
query filtered to a rare charge read 14,000 rows for 50); on SQLite JSON, unused by search.
The facets of existing texts are filled from their cases here; the loaders write them from
then on (tasks.library.texts.case_facets).

Revision ID: 0012
Revises: 0010
Create Date: 2026-11-30 21:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FACETS_SQL = """
UPDATE case_texts SET facets = f.facets FROM (
    SELECT t.id,
           ARRAY(SELECT DISTINCT v FROM unnest(
               ARRAY['source:' || c.source, 'doc:' || t.doc_type]
               || ARRAY(SELECT 'charge:' || ch.name FROM charges ch WHERE ch.case_id = c.id)
               || ARRAY(SELECT 'charge:' || ch.written FROM charges ch
                        WHERE ch.case_id = c.id AND ch.written IS NOT NULL)
               || ARRAY(SELECT 'court:' || substr(c.court, i, 2)
                        FROM generate_series(1, length(c.court) - 1) AS i)
               || ARRAY(SELECT 'procuratorate:' || substr(c.procuratorate, i, 2)
                        FROM generate_series(1, length(c.procuratorate) - 1) AS i)) AS v
                 ORDER BY v) AS facets
    FROM case_texts t JOIN cases c ON c.id = t.case_id
) AS f WHERE f.id = case_texts.id
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.add_column("case_texts", sa.Column(
            "facets", postgresql.ARRAY(sa.Text()), nullable=False, server_default="{}"))
        op.execute(_FACETS_SQL)
        op.execute("DROP INDEX IF EXISTS ix_case_texts_tsv")
        op.execute("CREATE INDEX ix_case_texts_search ON case_texts USING gin (tsv, facets)")
        op.alter_column("case_texts", "facets", server_default=None)
    else:
        op.add_column("case_texts", sa.Column("facets", sa.JSON(), nullable=False,
                                              server_default="[]"))
        # SQLite search does not read them; the equality ones are filled (the court's and
        # procuratorate's pairs are written by the loaders from now on)
        op.execute(
            "UPDATE case_texts SET facets = (SELECT json_group_array(v) FROM ("
            " SELECT DISTINCT v FROM ("
            "  SELECT 'source:' || c.source AS v FROM cases c WHERE c.id = case_texts.case_id"
            "  UNION SELECT 'doc:' || case_texts.doc_type"
            "  UNION SELECT 'charge:' || ch.name FROM charges ch"
            "   WHERE ch.case_id = case_texts.case_id"
            "  UNION SELECT 'charge:' || ch.written FROM charges ch"
            "   WHERE ch.case_id = case_texts.case_id AND ch.written IS NOT NULL)"
            " ORDER BY v))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_case_texts_search")
        op.execute("CREATE INDEX ix_case_texts_tsv ON case_texts USING gin (tsv)")
    op.execute("ALTER TABLE case_texts DROP COLUMN facets")

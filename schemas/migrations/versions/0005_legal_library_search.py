"""legal library: case source, charges as written, case texts with full-text search

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 14:00:00

Columns are added with plain ADD COLUMN (no table rebuild): on SQLite a rebuilt
``cases`` would be dropped with foreign keys on, and its child rows with it.
The full-text index is database-specific (schemas/library_tables.py): a generated
tsvector column with a GIN index on PostgreSQL, an FTS5 table with triggers on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS_TRIGGERS = {
    "case_texts_fts_ai": "AFTER INSERT ON case_texts BEGIN "
    "INSERT INTO case_texts_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "case_texts_fts_ad": "AFTER DELETE ON case_texts BEGIN "
    "INSERT INTO case_texts_fts(case_texts_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); END",
    "case_texts_fts_au": "AFTER UPDATE OF tokens ON case_texts BEGIN "
    "INSERT INTO case_texts_fts(case_texts_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO case_texts_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
}


def upgrade() -> None:
    op.add_column(
        "cases",
        sa.Column("source", sa.String(length=32), server_default="dossier", nullable=False),
    )
    op.add_column("cases", sa.Column("source_id", sa.String(length=255), nullable=True))
    op.create_index(op.f("ix_cases_source"), "cases", ["source"], unique=False)
    op.create_index("uq_cases_source_source_id", "cases", ["source", "source_id"], unique=True)
    op.add_column("charges", sa.Column("written", sa.String(length=255), nullable=True))
    op.create_index(op.f("ix_charges_written"), "charges", ["written"], unique=False)
    op.add_column(
        "sentences",
        sa.Column("charges_written", sa.JSON(), server_default="[]", nullable=False),
    )

    op.create_table(
        "case_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=1024), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("facts_start", sa.Integer(), nullable=False),
        sa.Column("facts_end", sa.Integer(), nullable=False),
        sa.Column("facts_tokens", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_texts_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_texts")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_case_texts_case_id_seq")),
    )
    op.create_index(op.f("ix_case_texts_case_id"), "case_texts", ["case_id"], unique=False)
    op.create_index(op.f("ix_case_texts_doc_type"), "case_texts", ["doc_type"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE case_texts ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED"
        )
        op.execute("CREATE INDEX ix_case_texts_tsv ON case_texts USING gin (tsv)")
    elif dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE case_texts_fts USING fts5("
            "tokens, content='case_texts', content_rowid='id')"
        )
        for name, body in _FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS case_texts_fts")
    op.drop_index(op.f("ix_case_texts_doc_type"), table_name="case_texts")
    op.drop_index(op.f("ix_case_texts_case_id"), table_name="case_texts")
    op.drop_table("case_texts")  # the tsv column and its index go with it
    op.drop_index(op.f("ix_charges_written"), table_name="charges")
    op.drop_index("uq_cases_source_source_id", table_name="cases")
    op.drop_index(op.f("ix_cases_source"), table_name="cases")
    # native DROP COLUMN (SQLite >= 3.35), not a batch rebuild: see the module docstring
    for table, column in (("sentences", "charges_written"), ("charges", "written"),
                          ("cases", "source_id"), ("cases", "source")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

"""initial: dossiers, pages, documents, case cards, lineage

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:37:17.475950
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dossiers",
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("original_key", sa.String(length=1024), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('received', 'processing', 'ok', 'needs_review', 'rejected')",
            name=op.f("ck_dossiers_status"),
        ),
        sa.PrimaryKeyConstraint("dossier_id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("sha256", name=op.f("uq_dossiers_sha256")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossiers_status"), ["status"], unique=False)

    op.create_table(
        "lineage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("code_version", sa.String(length=255), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lineage")),
        sa.UniqueConstraint(
            "dossier_id",
            "stage",
            "key",
            "sha256",
            name=op.f("uq_lineage_dossier_id_stage_key_sha256"),
        ),
    )
    with op.batch_alter_table("lineage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lineage_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("case_no", sa.String(length=255), nullable=True),
        sa.Column("court", sa.String(length=255), nullable=True),
        sa.Column("procuratorate", sa.String(length=255), nullable=True),
        sa.Column("indictment_no", sa.String(length=255), nullable=True),
        sa.Column("judgment_date", sa.Date(), nullable=True),
        sa.Column("amounts_yuan", sa.JSON(), nullable=False),
        sa.Column("review_state", sa.String(length=32), nullable=False),
        sa.Column("quality", sa.JSON(), nullable=True),
        sa.Column("card_sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "review_state IN ('trusted', 'held')", name=op.f("ck_cases_review_state")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.dossier_id"],
            name=op.f("fk_cases_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_cases_dossier_id")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_case_no"), ["case_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_indictment_no"), ["indictment_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_review_state"), ["review_state"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=1024), nullable=False),
        sa.Column("page_from", sa.Integer(), nullable=False),
        sa.Column("page_to", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.dossier_id"],
            name=op.f("fk_documents_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("dossier_id", "seq", name=op.f("uq_documents_dossier_id_seq")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_type"), ["type"], unique=False)

    op.create_table(
        "pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("engine", sa.String(length=32), nullable=True),
        sa.Column("engine_version", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("blank", sa.Boolean(), nullable=False),
        sa.Column("rotation", sa.Integer(), nullable=False),
        sa.Column("skew_degrees", sa.Float(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("mean_confidence", sa.Float(), nullable=True),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("image_key", sa.String(length=1024), nullable=True),
        sa.Column("ocr_key", sa.String(length=1024), nullable=True),
        sa.CheckConstraint("source IN ('text-layer', 'ocr')", name=op.f("ck_pages_source")),
        sa.CheckConstraint("status IN ('ok', 'blank', 'failed')", name=op.f("ck_pages_status")),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.dossier_id"],
            name=op.f("fk_pages_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pages")),
        sa.UniqueConstraint("dossier_id", "page", name=op.f("uq_pages_dossier_id_page")),
    )
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pages_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "charges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_charges_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charges")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_charges_case_id_seq")),
    )
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charges_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_charges_name"), ["name"], unique=False)

    op.create_table(
        "circumstances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_circumstances_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circumstances")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_circumstances_case_id_seq")),
    )
    with op.batch_alter_table("circumstances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_circumstances_case_id"), ["case_id"], unique=False)

    op.create_table(
        "coercive_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_coercive_measures_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coercive_measures")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_coercive_measures_case_id_seq")),
    )
    with op.batch_alter_table("coercive_measures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coercive_measures_case_id"), ["case_id"], unique=False)

    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("gender", sa.String(length=32), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("ethnicity", sa.String(length=32), nullable=True),
        sa.Column("id_number_masked", sa.String(length=32), nullable=True),
        sa.Column("id_number_sha256", sa.String(length=64), nullable=True),
        sa.Column("id_number_valid", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_persons_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_persons_case_id_seq")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_persons_id_number_sha256"), ["id_number_sha256"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_persons_name"), ["name"], unique=False)

    op.create_table(
        "sentences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=255), nullable=False),
        sa.Column("charges", sa.JSON(), nullable=False),
        sa.Column("penalty", sa.String(length=32), nullable=True),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("probation_months", sa.Integer(), nullable=True),
        sa.Column("fine_yuan", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_sentences_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sentences")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_sentences_case_id_seq")),
    )
    with op.batch_alter_table("sentences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sentences_case_id"), ["case_id"], unique=False)

    op.create_table(
        "statutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("law", sa.String(length=255), nullable=False),
        sa.Column("article", sa.Integer(), nullable=False),
        sa.Column("sub", sa.Integer(), nullable=True),
        sa.Column("paragraph", sa.Integer(), nullable=True),
        sa.Column("item", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_statutes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statutes")),
        sa.UniqueConstraint("case_id", "seq", name=op.f("uq_statutes_case_id_seq")),
    )
    with op.batch_alter_table("statutes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statutes_article"), ["article"], unique=False)
        batch_op.create_index(batch_op.f("ix_statutes_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("statutes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statutes_case_id"))
        batch_op.drop_index(batch_op.f("ix_statutes_article"))

    op.drop_table("statutes")
    with op.batch_alter_table("sentences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sentences_case_id"))

    op.drop_table("sentences")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_name"))
        batch_op.drop_index(batch_op.f("ix_persons_id_number_sha256"))
        batch_op.drop_index(batch_op.f("ix_persons_case_id"))

    op.drop_table("persons")
    with op.batch_alter_table("coercive_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coercive_measures_case_id"))

    op.drop_table("coercive_measures")
    with op.batch_alter_table("circumstances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_circumstances_case_id"))

    op.drop_table("circumstances")
    with op.batch_alter_table("charges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charges_name"))
        batch_op.drop_index(batch_op.f("ix_charges_case_id"))

    op.drop_table("charges")
    with op.batch_alter_table("pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pages_dossier_id"))

    op.drop_table("pages")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_type"))
        batch_op.drop_index(batch_op.f("ix_documents_dossier_id"))

    op.drop_table("documents")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_review_state"))
        batch_op.drop_index(batch_op.f("ix_cases_indictment_no"))
        batch_op.drop_index(batch_op.f("ix_cases_case_no"))

    op.drop_table("cases")
    with op.batch_alter_table("lineage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lineage_dossier_id"))

    op.drop_table("lineage")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossiers_status"))

    op.drop_table("dossiers")

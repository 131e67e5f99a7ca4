"""feeds and supervision leads: one table per agency feed (FEEDS.md), batches, rejects,
leads with their history, supervision runs, and case cards flattened for the models

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-30 13:28:31.313509
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "feed_admin_penalties",
        sa.Column("penalty_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=255), nullable=True),
        sa.Column("offence", sa.String(length=255), nullable=False),
        sa.Column("amount_yuan", sa.Float(), nullable=True),
        sa.Column("penalty", sa.String(length=255), nullable=True),
        sa.Column("decided_date", sa.Date(), nullable=False),
        sa.Column("transferred_date", sa.Date(), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("penalty_id", name=op.f("pk_feed_admin_penalties")),
    )
    with op.batch_alter_table("feed_admin_penalties", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_admin_penalties_offence"), ["offence"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feed_admin_penalties_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "feed_batches",
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=1024), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column(
            "imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_feed_batches")),
    )
    op.create_table(
        "feed_corrections",
        sa.Column("correction_id", sa.String(length=64), nullable=False),
        sa.Column("case_no", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("checkin_date", sa.Date(), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("correction_id", name=op.f("pk_feed_corrections")),
    )
    with op.batch_alter_table("feed_corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_corrections_effective_date"), ["effective_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feed_corrections_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "feed_fine_enforcement",
        sa.Column("enforcement_id", sa.String(length=64), nullable=False),
        sa.Column("case_no", sa.String(length=255), nullable=False),
        sa.Column("filed_date", sa.Date(), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("enforcement_id", name=op.f("pk_feed_fine_enforcement")),
    )
    with op.batch_alter_table("feed_fine_enforcement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_fine_enforcement_case_person", ["case_no", "person_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feed_fine_enforcement_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "feed_judgments",
        sa.Column("judgment_id", sa.String(length=64), nullable=False),
        sa.Column("case_no", sa.String(length=255), nullable=False),
        sa.Column("court", sa.String(length=255), nullable=True),
        sa.Column("charge", sa.String(length=255), nullable=False),
        sa.Column("article", sa.String(length=32), nullable=True),
        sa.Column("penalty", sa.String(length=32), nullable=True),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("probation_months", sa.Integer(), nullable=True),
        sa.Column("fine_yuan", sa.Float(), nullable=True),
        sa.Column("recidivist", sa.Boolean(), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("judgment_id", name=op.f("pk_feed_judgments")),
    )
    with op.batch_alter_table("feed_judgments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_judgments_case_person", ["case_no", "person_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feed_judgments_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "feed_licence_revocations",
        sa.Column("revocation_id", sa.String(length=64), nullable=False),
        sa.Column("revoked_date", sa.Date(), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("revocation_id", name=op.f("pk_feed_licence_revocations")),
    )
    with op.batch_alter_table("feed_licence_revocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_licence_revocations_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "feed_measures",
        sa.Column("measure_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("extension", sa.Integer(), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("measure_id", name=op.f("pk_feed_measures")),
    )
    with op.batch_alter_table("feed_measures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_measures_kind_person", ["kind", "person_key", "start_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feed_measures_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "feed_non_prosecutions",
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("charge", sa.String(length=255), nullable=False),
        sa.Column("blood_alcohol_mg", sa.Float(), nullable=True),
        sa.Column("decided_date", sa.Date(), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_feed_non_prosecutions")),
    )
    with op.batch_alter_table("feed_non_prosecutions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_non_prosecutions_charge"), ["charge"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feed_non_prosecutions_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "feed_pensions",
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("month_start", sa.Date(), nullable=False),
        sa.Column("month_end", sa.Date(), nullable=False),
        sa.Column("amount_yuan", sa.Float(), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_feed_pensions")),
    )
    with op.batch_alter_table("feed_pensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_pensions_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "feed_people",
        sa.Column("person_key", sa.String(length=64), nullable=False),
        sa.Column("person_masked", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("person_key", name=op.f("pk_feed_people")),
    )
    op.create_table(
        "feed_police_cases",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("offence", sa.String(length=255), nullable=False),
        sa.Column("amount_yuan", sa.Float(), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("filed_date", sa.Date(), nullable=True),
        sa.Column("withdrawn_date", sa.Date(), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_feed_police_cases")),
    )
    with op.batch_alter_table("feed_police_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_police_cases_person_key"), ["person_key"], unique=False
        )
        batch_op.create_index(
            "ix_feed_police_cases_unfiled", ["received_date", "offence"], unique=False
        )

    op.create_table(
        "feed_prison",
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("admitted_date", sa.Date(), nullable=False),
        sa.Column("released_date", sa.Date(), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("person_masked", sa.String(length=32), nullable=True),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_feed_prison")),
    )
    with op.batch_alter_table("feed_prison", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_prison_person_key"), ["person_key"], unique=False)

    op.create_table(
        "feed_rejects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=255), nullable=False),
        sa.Column("feed", sa.String(length=32), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("row", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_rejects")),
    )
    with op.batch_alter_table("feed_rejects", schema=None) as batch_op:
        batch_op.create_index("ix_feed_rejects_batch_feed", ["batch_id", "feed"], unique=False)

    op.create_table(
        "leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("model_id", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("case_no", sa.String(length=255), nullable=True),
        sa.Column("agency", sa.String(length=255), nullable=True),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("first_run_id", sa.String(length=64), nullable=False),
        sa.Column("last_run_id", sa.String(length=64), nullable=False),
        sa.Column(
            "first_seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "last_seen_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("severity IN ('high', 'medium', 'low')", name=op.f("ck_leads_severity")),
        sa.CheckConstraint(
            "status IN ('new', 'under_review', 'confirmed', 'dismissed', 'referred')",
            name=op.f("ck_leads_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leads")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_leads_fingerprint")),
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leads_case_no"), ["case_no"], unique=False)
        batch_op.create_index("ix_leads_model_status", ["model_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_leads_subject"), ["subject"], unique=False)

    op.create_table(
        "supervision_card_sentences",
        sa.Column("judgment_id", sa.String(length=1024), nullable=False),
        sa.Column("dossier_id", sa.String(length=1024), nullable=False),
        sa.Column("case_no", sa.String(length=255), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=False),
        sa.Column("person_masked", sa.String(length=255), nullable=True),
        sa.Column("court", sa.String(length=255), nullable=True),
        sa.Column("charge", sa.String(length=255), nullable=False),
        sa.Column("article", sa.String(length=32), nullable=True),
        sa.Column("penalty", sa.String(length=32), nullable=True),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("probation_months", sa.Integer(), nullable=True),
        sa.Column("fine_yuan", sa.Float(), nullable=True),
        sa.Column("recidivist", sa.Boolean(), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("charges_in_sentence", sa.Integer(), nullable=False),
        sa.Column("amount_yuan", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("judgment_id", name=op.f("pk_supervision_card_sentences")),
    )
    with op.batch_alter_table("supervision_card_sentences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_card_sentences_dossier_id"), ["dossier_id"], unique=False
        )

    op.create_table(
        "supervision_card_statutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=1024), nullable=False),
        sa.Column("article", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_card_statutes")),
        sa.UniqueConstraint(
            "dossier_id", "article", name=op.f("uq_supervision_card_statutes_dossier_id_article")
        ),
    )
    op.create_table(
        "supervision_runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "source IN ('database', 'cards')", name=op.f("ck_supervision_runs_source")
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_supervision_runs")),
    )
    op.create_table(
        "lead_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["leads.id"],
            name=op.f("fk_lead_history_lead_id_leads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_history")),
    )
    with op.batch_alter_table("lead_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_history_lead_id"), ["lead_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("lead_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_history_lead_id"))

    op.drop_table("lead_history")
    op.drop_table("supervision_runs")
    op.drop_table("supervision_card_statutes")
    with op.batch_alter_table("supervision_card_sentences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_card_sentences_dossier_id"))

    op.drop_table("supervision_card_sentences")
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leads_subject"))
        batch_op.drop_index("ix_leads_model_status")
        batch_op.drop_index(batch_op.f("ix_leads_case_no"))

    op.drop_table("leads")
    with op.batch_alter_table("feed_rejects", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_rejects_batch_feed")

    op.drop_table("feed_rejects")
    with op.batch_alter_table("feed_prison", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_prison_person_key"))

    op.drop_table("feed_prison")
    with op.batch_alter_table("feed_police_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_police_cases_unfiled")
        batch_op.drop_index(batch_op.f("ix_feed_police_cases_person_key"))

    op.drop_table("feed_police_cases")
    op.drop_table("feed_people")
    with op.batch_alter_table("feed_pensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_pensions_person_key"))

    op.drop_table("feed_pensions")
    with op.batch_alter_table("feed_non_prosecutions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_non_prosecutions_person_key"))
        batch_op.drop_index(batch_op.f("ix_feed_non_prosecutions_charge"))

    op.drop_table("feed_non_prosecutions")
    with op.batch_alter_table("feed_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_measures_person_key"))
        batch_op.drop_index("ix_feed_measures_kind_person")

    op.drop_table("feed_measures")
    with op.batch_alter_table("feed_licence_revocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_licence_revocations_person_key"))

    op.drop_table("feed_licence_revocations")
    with op.batch_alter_table("feed_judgments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_judgments_person_key"))
        batch_op.drop_index("ix_feed_judgments_case_person")

    op.drop_table("feed_judgments")
    with op.batch_alter_table("feed_fine_enforcement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_fine_enforcement_person_key"))
        batch_op.drop_index("ix_feed_fine_enforcement_case_person")

    op.drop_table("feed_fine_enforcement")
    with op.batch_alter_table("feed_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_corrections_person_key"))
        batch_op.drop_index(batch_op.f("ix_feed_corrections_effective_date"))

    op.drop_table("feed_corrections")
    op.drop_table("feed_batches")
    with op.batch_alter_table("feed_admin_penalties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_admin_penalties_person_key"))
        batch_op.drop_index(batch_op.f("ix_feed_admin_penalties_offence"))

    op.drop_table("feed_admin_penalties")

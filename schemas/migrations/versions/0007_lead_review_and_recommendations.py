"""lead review sessions and prosecutorial recommendations (检察建议): number sequences,
recommendations with the leads they cite, their events, and the delivery outbox

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:37:15.505792
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lead_review_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("shown", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.Column("reviewer", sa.String(length=255), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_review_sessions")),
    )
    op.create_table(
        "recommendation_sequences",
        sa.Column("procuratorate", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("procuratorate", "year", name=op.f("pk_recommendation_sequences")),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=255), nullable=True),
        sa.Column("procuratorate", sa.String(length=255), nullable=False),
        sa.Column("procuratorate_abbr", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("serial", sa.Integer(), nullable=True),
        sa.Column("model_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("lead_count", sa.Integer(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("issued_date", sa.Date(), nullable=True),
        sa.Column("received_date", sa.Date(), nullable=True),
        sa.Column("reply_due_date", sa.Date(), nullable=True),
        sa.Column("replied_date", sa.Date(), nullable=True),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("docx_key", sa.String(length=1024), nullable=True),
        sa.Column("txt_key", sa.String(length=1024), nullable=True),
        sa.Column("docx_sha256", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'issued', 'replied', 'overdue')",
            name=op.f("ck_recommendations_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint("group_key", name=op.f("uq_recommendations_group_key")),
        sa.UniqueConstraint("number", name=op.f("uq_recommendations_number")),
        sa.UniqueConstraint(
            "procuratorate_abbr",
            "year",
            "serial",
            name=op.f("uq_recommendations_procuratorate_abbr_year_serial"),
        ),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendations_status_due", ["status", "reply_due_date"], unique=False
        )

    op.create_table(
        "recommendation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_events_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_events")),
    )
    with op.batch_alter_table("recommendation_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_events_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )

    op.create_table(
        "recommendation_leads",
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("lead_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_recommendation_leads_lead_id_leads")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_leads_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_recommendation_leads")),
    )
    with op.batch_alter_table("recommendation_leads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_leads_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )

    op.create_table(
        "recommendation_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered')", name=op.f("ck_recommendation_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_outbox_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_outbox")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_recommendation_outbox_idempotency_key")
        ),
    )
    with op.batch_alter_table("recommendation_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_outbox_status_next", ["status", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("recommendation_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_outbox_status_next")

    op.drop_table("recommendation_outbox")
    with op.batch_alter_table("recommendation_leads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_leads_recommendation_id"))

    op.drop_table("recommendation_leads")
    with op.batch_alter_table("recommendation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_events_recommendation_id"))

    op.drop_table("recommendation_events")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_status_due")

    op.drop_table("recommendations")
    op.drop_table("recommendation_sequences")
    op.drop_table("lead_review_sessions")

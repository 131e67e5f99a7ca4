"""case management (issue 16): intake events (accepted / duplicate / rejected uploads), the
notices to handling departments (outbox), and the quality evaluations of closed cases

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 16:31:04.520889
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=255), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'read')", name=op.f("ck_case_notifications_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notifications")),
        sa.UniqueConstraint(
            "kind", "department", "as_of", name=op.f("uq_case_notifications_kind_department_as_of")
        ),
    )
    op.create_table(
        "intake_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("flow_run_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'duplicate', 'rejected')",
            name=op.f("ck_intake_events_outcome"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_events")),
    )
    with op.batch_alter_table("intake_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_events_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_intake_events_dossier_id"), ["dossier_id"], unique=False
        )

    op.create_table(
        "case_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("closed_date", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("deductions", sa.JSON(), nullable=False),
        sa.Column("rubric_version", sa.String(length=32), nullable=False),
        sa.Column(
            "evaluated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.dossier_id"],
            name=op.f("fk_case_evaluations_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_evaluations")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_case_evaluations_dossier_id")),
    )
    with op.batch_alter_table("case_evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_evaluations_month"), ["month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_evaluations_month"))

    op.drop_table("case_evaluations")
    with op.batch_alter_table("intake_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_events_dossier_id"))
        batch_op.drop_index(batch_op.f("ix_intake_events_at"))

    op.drop_table("intake_events")
    op.drop_table("case_notifications")

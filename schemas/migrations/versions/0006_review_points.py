"""review points: the case review assistant's findings per dossier

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("person", sa.String(length=255), nullable=True),
        sa.Column("charge", sa.String(length=255), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('review', 'conclusion', 'document')", name=op.f("ck_review_points_kind")
        ),
        sa.CheckConstraint(
            "severity IN ('high', 'medium', 'low')", name=op.f("ck_review_points_severity")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.dossier_id"],
            name=op.f("fk_review_points_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_points")),
        sa.UniqueConstraint("dossier_id", "seq", name=op.f("uq_review_points_dossier_id_seq")),
    )
    with op.batch_alter_table("review_points", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_points_dossier_id"), ["dossier_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_review_points_rule"), ["rule"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_points_rule"))
        batch_op.drop_index(batch_op.f("ix_review_points_dossier_id"))
    op.drop_table("review_points")

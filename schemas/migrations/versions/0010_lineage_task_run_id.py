"""lineage: the task run beside the flow run that wrote each output (全程留痕, issue 15)

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-30 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lineage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("task_run_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lineage", schema=None) as batch_op:
        batch_op.drop_column("task_run_id")

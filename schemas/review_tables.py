"""Review points in the SQL library: one row per point of a dossier's review report
(``schemas.review.ReviewPoint``), replaced as a whole when the dossier is reviewed again."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from schemas.review import RULE_KINDS
from schemas.tables import ID, NAME, SHORT, Base, _in, _now

SEVERITIES = ("high", "medium", "low")


class ReviewPointRow(Base):
    """审查要点: a rule's finding on one dossier; ``person`` is masked."""

    __tablename__ = "review_points"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", RULE_KINDS), name="kind"),
        sa.CheckConstraint(_in("severity", SEVERITIES), name="severity"),
        sa.UniqueConstraint("dossier_id", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[str] = mapped_column(
        sa.ForeignKey("dossiers.dossier_id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(sa.Integer)
    rule: Mapped[str] = mapped_column(sa.String(SHORT * 2), index=True)
    kind: Mapped[str] = mapped_column(sa.String(SHORT))
    severity: Mapped[str] = mapped_column(sa.String(SHORT))
    person: Mapped[str | None] = mapped_column(sa.String(NAME))
    charge: Mapped[str | None] = mapped_column(sa.String(NAME))
    message: Mapped[str] = mapped_column(sa.Text)
    basis: Mapped[str] = mapped_column(sa.Text)
    rules_version: Mapped[str] = mapped_column(sa.String(ID))
    created_at: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), default=_now, server_default=sa.func.now()
    )

"""Run every registered rule over a case card: the review report."""

from __future__ import annotations

import datetime as dt

from schemas.case_card import CaseCard
from schemas.review import ReviewPoint, ReviewReport
from tasks.review.context import ReviewContext
from tasks.review.registry import load_rules, rules_version

__all__ = ["review_card"]


def review_card(
    card: CaseCard, *, as_of: dt.date | None = None, kinds: tuple[str, ...] | None = None
) -> ReviewReport:
    """Every rule (or those of ``kinds``) over ``card``; points in rule order."""
    ctx = ReviewContext(card=card, as_of=as_of or dt.date.today())
    points: list[ReviewPoint] = []
    for rule in load_rules().values():
        if kinds and rule.kind not in kinds:
            continue
        for finding in rule.check(ctx):
            point = ReviewPoint(
                rule=rule.id,
                kind=rule.kind,  # type: ignore[arg-type]
                severity=(finding.severity or rule.severity),  # type: ignore[arg-type]
                person=finding.person,
                message=finding.message,
                basis=rule.basis,
                charge=finding.charge,
            )
            if point not in points:
                points.append(point)
    return ReviewReport(
        dossier_id=card.dossier_id,
        case_no=card.case.case_no,
        as_of=ctx.as_of,
        rules_version=rules_version(),
        points=points,
    )

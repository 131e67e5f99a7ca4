"""evaluate-quality: monthly, the 质量评查 of the cases closed in a month.

By the rubric of ``tasks/case_management/data/quality_rubric.yaml``; the scores are
kept in ``case_evaluations``, the table and every deduction's reason are artifacts.
Scheduled on the 2nd for the month before; a run by hand may name any month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from tasks.orchestration.case_management import evaluate_quality as evaluate


@flow(name="evaluate-quality", log_prints=False)
def evaluate_quality(month: str | None = None, as_of: dt.date | None = None) -> dict[str, Any]:
    """``month`` YYYY-MM (default: the month before ``as_of``, default today)."""
    return evaluate(month, as_of)

"""The review stage's Prefect artifact: the dossier's review points as a table.

The stage itself is registered in the chain (``tasks.stages.review.STAGE``) and run by
``run_stage_task`` like every stage after ``load``; this task only shows its output
(``review/<id>.json``) in the Prefect UI, names masked.
"""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_table_artifact

from dossier.store import get_store
from dossier.store.keys import review_key
from schemas.review import ReviewReport

__all__ = ["review_artifact", "review_table"]

_COLUMNS = ("规则", "类别", "严重程度", "人员", "审查意见")


def review_table(report: ReviewReport) -> list[dict[str, str]]:
    """The points as artifact rows; persons are already masked."""
    return [
        dict(zip(_COLUMNS, (p.rule, p.kind, p.severity, p.person or "", p.message), strict=True))
        for p in report.points
    ]


@task(name="review-artifact")
def review_artifact(dossier_id: str) -> int:
    store = get_store()
    key = review_key(dossier_id)
    if not store.exists(key):
        return 0
    raw = store.get_json(key)
    report = ReviewReport.model_validate({k: v for k, v in raw.items() if k != "card_sha256"})  # type: ignore[union-attr]
    rows = review_table(report) or [dict.fromkeys(_COLUMNS, "") | {"审查意见": "未发现问题"}]
    create_table_artifact(table=rows, key=f"{dossier_id}-review",
                          description=f"审查要点 (review points): {len(report.points)}")
    return len(report.points)

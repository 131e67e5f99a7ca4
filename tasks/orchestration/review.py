"""The review stage as a Prefect task: review points, their rows and a table artifact.

Ready for the ingest flow to call after ``load`` (the dossier row must exist for the
``review_points`` rows): ``review(dossier_id)``. Not yet wired into
``flows/ingest_dossier.py``: the stage contract (branch i10a) registers stages, and the
integrator wires it there.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import task
from prefect.artifacts import create_table_artifact

from dossier.store import get_store
from dossier.store.keys import review_key
from schemas.review import ReviewReport
from tasks.orchestration.ingest import _record

__all__ = ["review", "review_table"]


def review_table(report: ReviewReport) -> list[dict[str, str]]:
    """The points as artifact rows; persons are already masked."""
    return [
        {"规则": p.rule, "类别": p.kind, "严重程度": p.severity, "人员": p.person or "",
         "审查意见": p.message}
        for p in report.points
    ]


@task(name="review", retries=1)
def review(dossier_id: str) -> ReviewReport:
    from dossier.db import session_scope
    from tasks.stages.review import review_dossier

    started = datetime.now(UTC)
    with session_scope() as session:
        report = review_dossier(get_store(), dossier_id, session=session)
    rows = review_table(report)
    create_table_artifact(
        table=rows or [{"规则": "", "类别": "", "严重程度": "", "人员": "", "审查意见": "未发现问题"}],
        key=f"{dossier_id}-review",
        description=f"审查要点 (review points): {len(rows)}",
    )
    _record(dossier_id, "review", [review_key(dossier_id)], started,
            note=f"{len(report.points)} points")
    return report

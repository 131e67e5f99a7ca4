"""The reprocess flow's tasks: choose the dossiers, rerun one, report what changed."""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from dossier.store import get_store
from tasks.orchestration.runtime import current_flow_run_id, current_task_run_id
from tasks.stages.reprocess import (
    DossierReprocess,
    ReprocessSummary,
    Selection,
    reprocess_dossier,
    select_dossiers,
    summary_markdown,
)


@task(name="select-dossiers")
def select_task(
    dossier_ids: list[str] | None, all_dossiers: bool, from_stage: str, if_older: bool
) -> Selection:
    selection = select_dossiers(get_store(), dossier_ids, all_dossiers, from_stage, if_older)
    get_run_logger().info("reprocess from %s: %d selected, %d passed over", from_stage,
                          len(selection.selected), len(selection.passed))
    return selection


@task(name="reprocess-dossier", task_run_name="reprocess-{dossier_id}")
def reprocess_task(
    dossier_id: str, from_stage: str, number: int, total: int, echo: bool = False
) -> DossierReprocess:
    """One dossier; its line goes to the run's log (and to stdout for the command line)."""
    result = reprocess_dossier(get_store(), dossier_id, from_stage,
                               flow_run_id=current_flow_run_id(),
                               task_run_id=current_task_run_id())
    line = f"[{number}/{total}] {result.line()}"
    get_run_logger().info(line)
    if echo:
        print(line, flush=True)
    return result


@task(name="report-changes")
def report_task(summary: ReprocessSummary) -> ReprocessSummary:
    """The artifacts: per card field how many cards changed, and per dossier what ran."""
    counts = summary.field_counts()
    create_table_artifact(
        table=[{"field": name, "cards changed": count} for name, count in counts.items()],
        key="reprocess-changes",
        description=f"Reprocess from {summary.from_stage}: cards changed per field "
                    f"({summary.cards_changed()} of {len(summary.dossiers)} cards)")
    create_markdown_artifact(markdown=summary_markdown(summary), key="reprocess-summary",
                             description="Reprocess: what ran and what changed")
    return summary

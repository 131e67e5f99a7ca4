"""reprocess: rerun stages of already-ingested dossiers from their stored outputs.

When the extraction code improves, ``from_stage="structure"`` rebuilds the case
cards from the stored OCR and replaces the library rows of each dossier whose card
changed; nothing is uploaded again. The same stage functions and records as
ingest (``tasks.stages.contract.run_stage``); the from-stage is forced, later
stages run where their inputs changed. A progress artifact advances per dossier,
and a table artifact says per card field how many cards changed.
"""

from __future__ import annotations

from prefect import flow
from prefect.artifacts import create_progress_artifact, update_progress_artifact

from tasks.orchestration.ingest import failure_of
from tasks.orchestration.reprocess import report_task, reprocess_task, select_task
from tasks.stages.reprocess import DossierReprocess, ReprocessSummary


@flow(name="reprocess", log_prints=False)
def reprocess(
    dossier_ids: list[str] | None = None,
    all_dossiers: bool = False,
    from_stage: str = "structure",
    if_older: bool = False,
    echo: bool = False,
) -> ReprocessSummary:
    """Rerun ``from_stage`` and the stages after it for the named dossiers (or all).

    ``if_older``: only dossiers whose record of ``from_stage`` was made by other code.
    ``echo``: print a line per dossier (the command line).
    """
    selection = select_task(dossier_ids, all_dossiers, from_stage, if_older)
    summary = ReprocessSummary(from_stage=from_stage, selection=selection)
    total = len(selection.selected)
    progress = create_progress_artifact(progress=0.0 if total else 100.0,
                                        description=f"Reprocess of {total} dossiers")
    for number, dossier_id in enumerate(selection.selected, start=1):
        state = reprocess_task(dossier_id, from_stage, number, total, echo, return_state=True)
        summary.dossiers.append(
            state.result() if state.is_completed()
            else DossierReprocess(dossier_id=dossier_id, error=failure_of(state)))
        update_progress_artifact(progress, 100.0 * number / total)
    return report_task(summary)

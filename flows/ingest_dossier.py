"""ingest-dossier: one upload from ``incoming/`` (or a local file) to the library.

retrieve → pages (mapped, under the ``ocr`` concurrency tag) → structure →
validate → load → every stage registered after load (``tasks.stages.chain``).
The flow only wires tasks and passes dossier ids: each stage reads its inputs from
the store, and skips itself when its manifest record says its inputs were already
turned into outputs by the same code (a retry after a late failure reads no page).
``until`` stops after a stage (``dossier process --until ocr``): the dossier is
then not finished, and its next run goes on from there.
"""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.futures import as_completed
from prefect.runtime import flow_run

from tasks.intake.rejection import masked_filename
from tasks.orchestration.ingest import (
    conclude,
    failure_of,
    finish_pages,
    load,
    mark_failed_pages,
    plan_pages,
    read_page_task,
    record_ocr,
    retrieve,
    run_stage_task,
    structure,
    summarise,
    validate,
)
from tasks.orchestration.review import review_artifact
from tasks.orchestration.runners import ingest_task_runner
from tasks.orchestration.runtime import current_flow_run_id, run_name_for, upload_ref_of
from tasks.stages.chain import position, stage_names, stages_after
from tasks.stages.outcome import DossierOutcome
from tasks.stages.page_pool import dossier_deadline


def run_name() -> str:
    """Names carry no personal data (see :func:`run_name_for`)."""
    params = flow_run.parameters
    return run_name_for(upload_ref_of(params.get("upload"), params.get("key"), params.get("path")))


@flow(
    name="ingest-dossier",
    flow_run_name=run_name,
    task_runner=ingest_task_runner(),  # threads or Dask: DOSSIER_TASK_RUNNER
    log_prints=False,
)
def ingest_dossier(
    upload: str | None = None,
    key: str | None = None,
    path: str | None = None,
    until: str | None = None,
    engine: str | None = None,
) -> DossierOutcome:
    """Ingest one dossier: ``upload``, the sealed reference of an object under
    ``incoming/`` or of a local file (``tasks.intake.upload_ref``: what the watcher's
    event, the sweep and ``dossier process`` give), or else a ``key`` or local ``path``
    given as it is (scripts and tests: the run's parameters then show it).

    ``until``: the last stage to run (ocr, structure, validate, load, …); the whole
    chain when None.
    """
    if sum(x is not None for x in (upload, key, path)) != 1:
        raise ValueError("give exactly one of upload (a reference), key (incoming/...) or path")
    names = stage_names()
    last = names[-1] if until is None else until
    if last not in names[1:]:
        raise ValueError(f"until takes one of {', '.join(names[1:])}")

    def reached(stage: str) -> bool:
        return position(last) >= position(stage)

    logger = get_run_logger()
    deadline = dossier_deadline()  # pages not read by then fail at once: the run ends
    intake = retrieve(upload_ref_of(upload, key, path), engine)
    outcome = DossierOutcome(
        upload=masked_filename(intake.upload), dossier_id=intake.dossier_id,
        page_count=intake.page_count,
        status="rejected" if intake.status == "rejected" else "ok",
        reason=intake.reason, flow_run_id=current_flow_run_id(), resumed=intake.resumed,
    )
    if intake.status == "rejected":
        return summarise(outcome)
    if intake.status == "duplicate":
        logger.info("dossier %s was already ingested (%s): its outputs are in the store",
                    intake.dossier_id, intake.previous_status)
        return summarise(outcome.as_duplicate(intake.previous_status))
    assert intake.dossier_id is not None
    dossier_id = intake.dossier_id
    outcome.stages["retrieve"] = "ran (" + (
        "resumed: an earlier run stopped or failed" if intake.resumed else "new dossier") + ")"

    # Pages: one task per page still to read, as many at once as the ocr tag allows.
    started = datetime.now(UTC)
    plan = plan_pages(dossier_id, engine)
    if plan.todo:
        progress = create_progress_artifact(
            progress=0.0, key=f"{dossier_id}-ocr-progress",
            description=f"OCR of {len(plan.todo)} of {plan.page_count} pages")
        futures = {read_page_task.submit(dossier_id, plan.original_key, plan.sha256, page,
                                         plan.engine, deadline): page for page in plan.todo}
        failures: dict[int, str] = {}
        for done, future in enumerate(as_completed(list(futures)), start=1):
            future.wait()  # fixes the final state locally; .state alone may read a lagging API
            if not future.state.is_completed():  # timed out or crashed: the page is failed
                failures[futures[future]] = failure_of(future.state)
            if done % max(1, len(futures) // 20) == 0 or done == len(futures):
                update_progress_artifact(progress, 100.0 * done / len(futures))
        if failures:
            mark_failed_pages(plan, failures)
        finish_pages.submit(plan.sha256).wait()
    outcome.pages_read = len(plan.todo)
    outcome.note_stage(record_ocr(plan, started))

    # A stage that fails outright sends the dossier to review; it never loses it.
    errors: list[str] = []
    structured = False
    if reached("structure"):
        state = structure(dossier_id, return_state=True)
        if state.is_completed():
            structured = True
            outcome.note_stage(state.result())
        else:
            errors.append(f"structure failed: {failure_of(state)}")
            outcome.stages["structure"] = f"failed ({failure_of(state)})"
    if structured and reached("validate"):
        state = validate(dossier_id, return_state=True)
        if state.is_completed():
            outcome.note_stage(state.result())
        else:
            errors.append(f"validate failed: {failure_of(state)}")
            outcome.stages["validate"] = f"failed ({failure_of(state)})"
    if reached("load"):
        outcome.note_stage(load(dossier_id, errors))
        for stage in stages_after("load"):
            if reached(stage.name):
                outcome.note_stage(run_stage_task(dossier_id, stage.name))
        if reached("review"):
            review_artifact(dossier_id)
    outcome.status, outcome.reason = conclude(
        dossier_id, stopped_after=None if last == names[-1] else last)
    return summarise(outcome)

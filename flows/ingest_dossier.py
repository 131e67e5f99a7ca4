"""ingest-dossier: one upload from ``incoming/`` (or a local file) to the library.

retrieve → pages (mapped, under the ``ocr`` concurrency tag) → structure →
validate → load. The flow only wires tasks; every stage's work is in
``tasks.stages``. ``until`` stops early (``dossier process --until ocr``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import PurePath

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.futures import as_completed
from prefect.runtime import flow_run

from schemas.ocr import PageOcr
from tasks.orchestration.ingest import (
    current_flow_run_id,
    failure_of,
    finish_pages,
    load,
    read_page_task,
    record_stage_task,
    retrieve,
    structure,
    summarise,
    validate,
)
from tasks.orchestration.runners import ingest_task_runner
from tasks.stages.outcome import STAGES, DossierOutcome, Stage, defendant_lines
from tasks.stages.page_pool import dossier_deadline
from tasks.stages.pages import failed_page


def run_name() -> str:
    """Names carry no personal data: a hash of the upload's name, and its extension.

    An upload's file name may hold a defendant's name; the dossier id (from the
    bytes) is what every output is keyed by, and the summary artifact shows it.
    """
    params = flow_run.parameters
    return run_name_for(params.get("key") or params.get("path") or "upload")


def run_name_for(name: str) -> str:
    """The masked run name of an upload (the sweep finds runs in flight by it)."""
    digest = hashlib.sha256(str(name).encode()).hexdigest()[:8]
    suffix = PurePath(str(name)).suffix.lower().lstrip(".")[:5] or "bin"
    return f"ingest-{digest}-{suffix}"


def _reached(until: Stage, stage: Stage) -> bool:
    return STAGES.index(until) >= STAGES.index(stage)


@flow(
    name="ingest-dossier",
    flow_run_name=run_name,
    task_runner=ingest_task_runner(),  # threads or Dask: DOSSIER_TASK_RUNNER
    log_prints=False,
)
def ingest_dossier(
    key: str | None = None,
    path: str | None = None,
    until: Stage = "load",
    engine: str | None = None,
) -> DossierOutcome:
    """Ingest one dossier: ``key`` of an object under ``incoming/``, or a local ``path``."""
    if (key is None) == (path is None):
        raise ValueError("give exactly one of key (incoming/...) or path")
    logger = get_run_logger()
    deadline = dossier_deadline()  # pages not read by then fail at once: the run ends
    intake = retrieve(key=key, path=path)
    outcome = DossierOutcome(
        upload=intake.upload, dossier_id=intake.dossier_id, page_count=intake.page_count,
        status="rejected" if intake.status == "rejected" else "ok",
        reason=intake.reason, flow_run_id=current_flow_run_id(),
    )
    if intake.status == "rejected":
        return summarise(outcome, None, None)
    if intake.status == "duplicate":
        outcome.duplicate = True
        outcome.status = "needs_review" if intake.previous_status == "needs_review" else (
            "rejected" if intake.previous_status == "rejected" else "ok")
        logger.info("dossier %s was already ingested (%s): nothing to do",
                    intake.dossier_id, intake.previous_status)
        return outcome
    assert intake.dossier_id and intake.original_key and intake.sha256 and intake.page_count
    dossier_id, count = intake.dossier_id, intake.page_count

    # Pages: one task per page, as many at once as the ocr tag and the runner allow.
    started = datetime.now(UTC)
    progress = create_progress_artifact(progress=0.0, key=f"{dossier_id}-ocr-progress",
                                        description=f"OCR of {count} pages")
    futures = {
        read_page_task.submit(dossier_id, intake.original_key, intake.sha256, page, engine,
                              deadline): page
        for page in range(1, count + 1)
    }
    pages: list[PageOcr] = []
    for done, future in enumerate(as_completed(list(futures)), start=1):
        page = futures[future]
        future.wait()  # fixes the final state locally; .state alone may read a lagging API
        if future.state.is_completed():
            pages.append(future.result())
        else:  # timed out or crashed: recorded as failed, the dossier goes to review
            pages.append(failed_page(dossier_id, page, engine, failure_of(future.state)))
        if done % max(1, count // 20) == 0 or done == count:
            update_progress_artifact(progress, 100.0 * done / count)
    pages.sort(key=lambda p: p.page)
    finish_pages.submit(intake.sha256).wait()
    failed = sum(p.status == "failed" for p in pages)
    record_stage_task(dossier_id, "ocr", [], started, note=f"{failed} failed",
                      prefixes=[f"pages/{dossier_id}/", f"ocr/{dossier_id}/"])
    outcome.pages_failed = [p.page for p in pages if p.status == "failed"]
    outcome.pages_blank = [p.page for p in pages if p.status == "blank"]

    # A stage that fails outright sends the dossier to review; it never loses it.
    card = report = None
    errors: list[str] = []
    if _reached(until, "structure"):
        structured_state = structure(dossier_id, pages, return_state=True)
        if structured_state.is_completed():
            structured = structured_state.result()
            card = structured.card
            outcome.documents = [d.type for d in structured.documents]
            outcome.defendants = defendant_lines(card)
            outcome.charges = list(card.case.charges)
        else:
            errors.append(f"structure failed: {failure_of(structured_state)}")
    if card is not None and _reached(until, "validate"):
        report_state = validate(dossier_id, pages, structured.documents, card, count,
                                return_state=True)
        if report_state.is_completed():
            report = report_state.result()
            outcome.quality_verdict = report.verdict
        else:
            errors.append(f"validate failed: {failure_of(report_state)}")
    status, reason = load(dossier_id, pages, card, report, errors)
    outcome.status, outcome.reason = status, reason
    return summarise(outcome, card, report)

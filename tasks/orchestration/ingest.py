"""The ingest chain's stages as Prefect tasks: retries, tags, names and artifacts.

Thin by design: each task runs one stage of ``tasks.stages`` by dossier id through
the stage contract (``run_stage``: skipped when its record matches) and adds what
only orchestration knows (the flow and task run ids, the UI artifacts). Tasks take
and return ids and small records, never page texts or case cards: every stage
reads its inputs from the store. Operators see masked names only.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from pydantic import BaseModel

from dossier.settings import get_settings
from dossier.store import get_store
from dossier.store.keys import case_card_key, documents_key, validation_key
from tasks.case_management.intake_log import record_intake
from tasks.intake.upload_ref import source_of
from tasks.orchestration.runtime import current_flow_run_id, current_task_run_id
from tasks.quality.summary import failures_table, report_markdown
from tasks.stages import page_ocr
from tasks.stages.chain import get_stage
from tasks.stages.contract import (
    StageResult,
    StageRun,
    context,
    object_refs,
    record_run,
    run_stage,
)
from tasks.stages.intake import IntakeOutcome, take_in
from tasks.stages.library import register_intake
from tasks.stages.outcome import DossierOutcome, fill_from_store, summary_markdown
from tasks.stages.page_pool import read_page_isolated, shutdown_pool, warm_pool
from tasks.stages.pages import failed_page, keep_page_record
from tasks.stages.progress import RunStatus, conclude_run
from tasks.stages.quality import data_docs_index
from tasks.stages.stored import load_report
from tasks.stages.workspace import local_original, release_original

OCR_TAG = "ocr"


def _log(run: StageRun) -> StageRun:
    get_run_logger().info("dossier %s: stage %s", run.dossier_id, run.line())
    return run


def _run(dossier_id: str, name: str, params: dict[str, object] | None = None,
         force: bool = False) -> StageRun:
    return _log(run_stage(get_store(), dossier_id, get_stage(name), force, params=params,
                          flow_run_id=current_flow_run_id(),
                          task_run_id=current_task_run_id()))


@task(name="retrieve", retries=2, retry_delay_seconds=5)
def retrieve(upload: str, engine: str | None = None) -> IntakeOutcome:
    """The upload a sealed reference names, from ``incoming/`` or a local file (opened
    here: a task's inputs are not shown, but nothing needs the name outside); refused
    input is quarantined.

    A new dossier's pages will all be read: its page workers (for ``engine``) start now,
    in other processes, while its intake is recorded (tasks.stages.page_pool.warm_pool).
    """
    outcome = take_in(get_store(), source_of(upload),
                      run_ids=(current_flow_run_id(), current_task_run_id()))
    if (outcome.status == "accepted" and not outcome.resumed and outcome.page_count
            and get_settings().task_runner == "threads"):
        warm_pool(engine)
    register_intake(outcome, current_flow_run_id())
    record_intake(outcome, current_flow_run_id())  # the intake rates of the report (issue 16)
    logger = get_run_logger()
    if outcome.status == "rejected":
        logger.warning("dossier %s quarantined: %s", outcome.dossier_id, outcome.reason)
    else:
        logger.info("dossier %s %s%s, %s pages", outcome.dossier_id, outcome.status,
                    " (resumed: the stages already done are skipped)" if outcome.resumed
                    else "", outcome.page_count)
    return outcome


class PagePlan(BaseModel):
    """The pages this run must read (those whose stored OCR does not answer for them)."""

    dossier_id: str
    engine: str
    page_count: int
    todo: list[int]
    original_key: str
    sha256: str


class PageRead(BaseModel):
    """What a page task reports to the flow: no text, the record is in ``ocr/``."""

    page: int
    status: str
    error: str | None = None


@task(name="plan-pages")
def plan_pages(dossier_id: str, engine: str | None = None) -> PagePlan:
    store, settings = get_store(), get_settings()
    manifest = context(store, dossier_id, page_ocr.STAGE).manifest
    chosen = page_ocr.resolve_engine(manifest, engine, settings)
    todo = page_ocr.pending_pages(store, manifest, chosen)
    assert manifest.original_key is not None and manifest.page_count is not None
    get_run_logger().info("dossier %s: %d of %d pages to read with %s", dossier_id, len(todo),
                          manifest.page_count, chosen)
    return PagePlan(dossier_id=dossier_id, engine=chosen, page_count=manifest.page_count,
                    todo=todo, original_key=manifest.original_key, sha256=manifest.sha256)


@task(name="read-page", tags=[OCR_TAG], task_run_name="page-{page:04d}")
def read_page_task(
    dossier_id: str, original_key: str, sha256: str, page: int, engine: str | None = None,
    deadline: float | None = None,
) -> PageRead:
    """Cut, keep and OCR one page in a worker process, under the page timeout and the
    dossier's ``deadline`` (epoch seconds)."""
    original = local_original(get_store(), original_key, sha256)
    record = read_page_isolated(dossier_id, original, page, engine=engine,
                                original_sha256=sha256, deadline=deadline)
    return PageRead(page=page, status=record.status, error=record.error)


@task(name="mark-failed-pages")
def mark_failed_pages(plan: PagePlan, failures: dict[int, str]) -> None:
    """Pages whose task died (crashed, cancelled) are recorded failed: the dossier goes to
    review, and the next run reads them again."""
    store = get_store()
    for page, error in failures.items():
        keep_page_record(store, failed_page(plan.dossier_id, page, plan.engine, error),
                         plan.engine, plan.sha256)


@task(name="finish-pages")
def finish_pages(sha256: str) -> None:
    """The OCR stage is over: drop this worker's copy of the original and, on the thread
    runner, stop the page workers, so that structure and validation (spaCy, pandas, GX)
    do not load beside ~400 MiB of idle OCR engines. The next dossier in the same process
    starts them again (a few seconds against minutes of OCR). Dask workers keep theirs:
    they belong to the cluster and serve other dossiers' pages too."""
    release_original(sha256)
    if get_settings().task_runner == "threads":
        shutdown_pool()


@task(name="record-ocr")
def record_ocr(plan: PagePlan, started_at: datetime) -> StageRun:
    """The OCR stage's record, once its page tasks are over; skipped when no page needed
    reading and the stage is already recorded."""
    store = get_store()
    stage = page_ocr.STAGE
    ctx = context(store, plan.dossier_id, stage, params={"engine": plan.engine},
                  flow_run_id=current_flow_run_id(), task_run_id=current_task_run_id())
    if not plan.todo and stage.name in ctx.manifest.stages:
        return _log(StageRun(stage=stage.name, dossier_id=plan.dossier_id, ran=False,
                             reason=f"all {plan.page_count} pages already read",
                             note=ctx.manifest.stages[stage.name].note))
    note = page_ocr.ocr_note(store, plan.dossier_id, len(plan.todo))
    record_run(ctx, stage, inputs=object_refs(store, stage.inputs(ctx)), started_at=started_at,
               result=StageResult(note=note))
    reason = (f"{len(plan.todo)} of {plan.page_count} pages to read" if plan.todo
              else "pages read, stage not recorded")
    return _log(StageRun(stage=stage.name, dossier_id=plan.dossier_id, ran=True, reason=reason,
                         seconds=round((datetime.now(UTC) - started_at).total_seconds(), 3),
                         note=note))


@task(name="structure", retries=1)
def structure(dossier_id: str) -> StageRun:
    return _run(dossier_id, "structure")


@task(name="validate", retries=1)
def validate(dossier_id: str) -> StageRun:
    """Quality gates; the failures table, the summary and a Data Docs link go to the UI
    (from the stored report, also when the stage was skipped)."""
    run = _run(dossier_id, "validate")
    store = get_store()
    report = load_report(store, dossier_id)
    if report is None:
        raise RuntimeError(f"dossier {dossier_id}: validate left no report")
    docs_key = data_docs_index(dossier_id)
    if store.exists(docs_key):
        create_link_artifact(link=store.url(docs_key), link_text="Data Docs",
                             key=f"{dossier_id}-data-docs",
                             description="Great Expectations Data Docs of this dossier")
    rows = failures_table(report)
    if rows:
        create_table_artifact(table=rows, key=f"{dossier_id}-quality-failures",
                              description="Failed quality expectations")
    create_markdown_artifact(markdown=report_markdown(report), key=f"{dossier_id}-quality",
                             description="Quality verdict")
    return run


@task(name="load", retries=2, retry_delay_seconds=5)
def load(dossier_id: str, errors: list[str] | None = None) -> StageRun:
    """Into the library; ``errors`` are stages that failed outright (the dossier goes to
    review with them as its reason)."""
    params = {"errors": json.dumps(errors, ensure_ascii=False)} if errors else None
    return _run(dossier_id, "load", params)


@task(name="run-stage", task_run_name="{stage}")
def run_stage_task(dossier_id: str, stage: str, force: bool = False) -> StageRun:
    """A registered stage after ``load`` (supervision, suggestions, review …), and its
    artifact when it declares one and ran."""
    run = _run(dossier_id, stage, force=force)
    declared = get_stage(stage)
    if declared.artifact is not None and run.ran:
        markdown = declared.artifact(get_store(), dossier_id)
        if markdown:
            create_markdown_artifact(markdown=markdown, key=f"{dossier_id}-{stage}",
                                     description=declared.description[:200])
    return run


@task(name="conclude")
def conclude(dossier_id: str, stopped_after: str | None = None) -> tuple[RunStatus, str | None]:
    """Finished, or stopped early (``--until``): the next run goes on from the records."""
    status, reason = conclude_run(get_store(), dossier_id, stopped_after, current_flow_run_id())
    if stopped_after:
        get_run_logger().info("dossier %s stopped after %s: not finished, the next run goes on",
                              dossier_id, stopped_after)
    return status, reason


@task(name="summarise")
def summarise(outcome: DossierOutcome) -> DossierOutcome:
    """Pages, documents, defendants and verdict from the store; links; the closing
    markdown summary for operators (it lists the stages this run ran and skipped)."""
    store = get_store()
    card = report = None
    if outcome.dossier_id and outcome.status != "rejected":
        card, report = fill_from_store(store, outcome)
        for label, key in (("case card", case_card_key(outcome.dossier_id)),
                           ("documents", documents_key(outcome.dossier_id)),
                           ("quality report", validation_key(outcome.dossier_id))):
            if store.exists(key):
                outcome.links[label] = store.url(key)
    create_markdown_artifact(
        markdown=summary_markdown(outcome, card, report),
        key=f"{outcome.dossier_id}-summary" if outcome.dossier_id else None,
        description="Ingest summary",
    )
    if outcome.skipped:
        get_run_logger().info("dossier %s: skipped %s (already done)", outcome.dossier_id,
                              ", ".join(outcome.skipped))
    return outcome


def failure_of(state: object) -> str:
    """A failed task's state as one short line for the dossier's reason."""
    message = getattr(state, "message", None) or getattr(state, "name", "failed")
    return str(message).splitlines()[0][:200]

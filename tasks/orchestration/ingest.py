"""The ingest chain's stages as Prefect tasks: retries, tags, names and artifacts.

Thin by design: each task calls one stage function from ``tasks.stages`` and
adds what only orchestration knows (the flow run id, the UI artifacts).
Operators see masked names only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.runtime import flow_run

from dossier.settings import get_settings
from dossier.store import get_store
from dossier.store.keys import case_card_key, documents_key, validation_key
from schemas.case_card import CaseCard, DocumentRef
from schemas.manifest import Manifest
from schemas.ocr import PageOcr
from tasks.lineage import load_manifest, record_stage
from tasks.quality.report import QualityReport
from tasks.quality.summary import failures_table, report_markdown
from tasks.stages.intake import IntakeOutcome, take_in
from tasks.stages.library import load_dossier, register_intake
from tasks.stages.outcome import DossierOutcome, summary_markdown
from tasks.stages.page_pool import read_page_isolated, shutdown_pool
from tasks.stages.quality import check_dossier, publish_data_docs
from tasks.stages.structure import Structured, structure_dossier
from tasks.stages.workspace import local_original, release_original

OCR_TAG = "ocr"


def current_flow_run_id() -> str | None:
    run_id = flow_run.get_id()
    return str(run_id) if run_id else None


def _manifest(dossier_id: str) -> Manifest:
    manifest = load_manifest(get_store(), dossier_id)
    if manifest is None:
        raise RuntimeError(f"dossier {dossier_id} has no manifest: was it retrieved?")
    return manifest


@task(name="retrieve", retries=2, retry_delay_seconds=5)
def retrieve(key: str | None = None, path: str | None = None) -> IntakeOutcome:
    """From ``incoming/`` (key) or a local file (path); quarantines refused input."""
    source: Path | str = Path(path) if path else str(key)
    outcome = take_in(get_store(), source)
    register_intake(outcome, current_flow_run_id())
    logger = get_run_logger()
    if outcome.status == "rejected":
        logger.warning("dossier %s quarantined: %s", outcome.dossier_id, outcome.reason)
    else:
        logger.info("dossier %s %s, %s pages", outcome.dossier_id, outcome.status,
                    outcome.page_count)
    return outcome


@task(name="read-page", tags=[OCR_TAG], task_run_name="page-{page:04d}")
def read_page_task(
    dossier_id: str, original_key: str, sha256: str, page: int, engine: str | None = None,
    deadline: float | None = None,
) -> PageOcr:
    """Cut, keep and OCR one page in a worker process, under the page timeout and the
    dossier's ``deadline`` (epoch seconds).

    Returns the record without word boxes (they are in ``ocr/``).
    """
    original = local_original(get_store(), original_key, sha256)
    return read_page_isolated(dossier_id, original, page, engine=engine, deadline=deadline)


def _record(
    dossier_id: str, stage: str, keys: list[str], started_at: datetime, note: str | None = None,
    prefixes: list[str] | None = None,
) -> Manifest:
    store = get_store()
    infos = [store.stat(k) for k in keys]
    for prefix in prefixes or []:
        infos += list(store.list(prefix))
    return record_stage(store, _manifest(dossier_id), stage, infos, started_at=started_at,
                        flow_run_id=current_flow_run_id(), note=note)


@task(name="record-stage")
def record_stage_task(
    dossier_id: str, stage: str, keys: list[str], started_at: datetime, note: str | None = None,
    prefixes: list[str] | None = None,
) -> Manifest:
    """The manifest's record of a stage the flow ran as many tasks (the pages)."""
    return _record(dossier_id, stage, keys, started_at, note, prefixes)


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


@task(name="structure", retries=1)
def structure(dossier_id: str, pages: list[PageOcr]) -> Structured:
    started = datetime.now(UTC)
    result = structure_dossier(get_store(), dossier_id, pages)
    _record(dossier_id, "structure",
                         [documents_key(dossier_id), case_card_key(dossier_id)], started)
    get_run_logger().info("dossier %s: %d documents, %d charges", dossier_id,
                          len(result.documents), len(result.card.case.charges))
    return result


@task(name="validate", retries=1)
def validate(
    dossier_id: str, pages: list[PageOcr], documents: list[DocumentRef], card: CaseCard,
    page_count: int,
) -> QualityReport:
    """Quality gates; the failures table, the summary and a Data Docs link go to the UI."""
    started = datetime.now(UTC)
    store = get_store()
    report = check_dossier(store, dossier_id, pages, documents, card, page_count)
    keys = [validation_key(dossier_id)]
    try:
        docs_key = publish_data_docs(store, report)
        keys.append(docs_key)
        create_link_artifact(link=store.url(docs_key), link_text="Data Docs",
                             key=f"{dossier_id}-data-docs",
                             description="Great Expectations Data Docs of this dossier")
    except Exception as error:  # the verdict stands without the HTML rendering
        get_run_logger().warning("Data Docs not built for %s: %s", dossier_id, error)
    rows = failures_table(report)
    if rows:
        create_table_artifact(table=rows, key=f"{dossier_id}-quality-failures",
                              description="Failed quality expectations")
    create_markdown_artifact(markdown=report_markdown(report), key=f"{dossier_id}-quality",
                             description="Quality verdict")
    _record(dossier_id, "validate", keys, started, note=report.verdict)
    return report


@task(name="load", retries=2, retry_delay_seconds=5)
def load(
    dossier_id: str, pages: list[PageOcr], card: CaseCard | None, report: QualityReport | None,
    errors: list[str] | None = None,
) -> tuple[str, str | None]:
    manifest = _manifest(dossier_id)
    status, reason = load_dossier(manifest, pages, card, report, current_flow_run_id(),
                                  errors or [])
    manifest.status = status
    manifest.reason = reason
    record_stage(get_store(), manifest, "load", [], started_at=datetime.now(UTC),
                 flow_run_id=current_flow_run_id(), status=status, reason=reason)
    return status, reason


@task(name="summarise")
def summarise(
    outcome: DossierOutcome, card: CaseCard | None, report: QualityReport | None
) -> DossierOutcome:
    """Links to the outputs and the closing markdown summary for operators."""
    store = get_store()
    if outcome.dossier_id and outcome.status != "rejected":
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
    return outcome


def failure_of(state: object) -> str:
    """A failed task's state as one short line for the dossier's reason."""
    message = getattr(state, "message", None) or getattr(state, "name", "failed")
    return str(message).splitlines()[0][:200]



"""Validate stage: the quality gates on one dossier, kept under ``quality/<dossier_id>/``."""

from __future__ import annotations

import logging
import mimetypes
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dossier.store.base import ObjectStore
from dossier.store.keys import case_card_key, documents_key, validate_key, validation_key
from schemas.case_card import CaseCard, DocumentRef
from schemas.ocr import PageOcr
from tasks.quality.report import QualityReport
from tasks.stages.contract import Stage, StageContext, StageResult
from tasks.stages.stored import (
    load_card,
    load_documents,
    load_pages,
    page_count_of,
    page_keys,
)

log = logging.getLogger(__name__)


def data_docs_prefix(dossier_id: str) -> str:
    return f"quality/{dossier_id}/docs/"


def check_dossier(
    store: ObjectStore,
    dossier_id: str,
    pages: Sequence[PageOcr],
    documents: Sequence[DocumentRef],
    card: CaseCard,
    page_count: int,
) -> QualityReport:
    # pandas and Great Expectations load when a dossier is validated, not when a
    # flow run imports its stages (they would delay the first page by seconds).
    from tasks.quality.validate import validate_dossier

    report = validate_dossier(pages, documents, card, page_count)
    store.put_json(validation_key(dossier_id), report.model_dump(mode="json"))
    return report


def publish_data_docs(store: ObjectStore, report: QualityReport) -> str:
    """Build the GX Data Docs site and upload it; returns the key of its index page.

    The new site replaces the old one whole: its validation pages are named by
    the GX run time, so a retried run would otherwise leave the failed attempt's
    pages beside its own (orphans the index no longer links).
    """
    prefix = data_docs_prefix(report.dossier_id)
    written: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="dossier-docs-") as tmp:
        from tasks.quality.docs import build_data_docs

        index = build_data_docs(report, Path(tmp))
        root = index.parent
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            key = validate_key(prefix + path.relative_to(root).as_posix())
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            store.put_file(key, path, content_type=content_type)
            written.add(key)
    for stale in [info.key for info in store.list(prefix) if info.key not in written]:
        store.delete(stale)
    return prefix + "index.html"


def data_docs_index(dossier_id: str) -> str:
    return data_docs_prefix(dossier_id) + "index.html"


def validate_by_id(ctx: StageContext) -> StageResult:
    """The stage's run: the stored pages, documents and card in; the report and Data Docs out.

    The verdict stands without the HTML rendering: a Data Docs failure is logged and noted.
    """
    if "structure" not in ctx.manifest.stages:
        raise RuntimeError(f"dossier {ctx.dossier_id} has no structure record to validate")
    store, dossier_id = ctx.store, ctx.dossier_id
    count = page_count_of(store, ctx.manifest)
    card, documents = load_card(store, dossier_id), load_documents(store, dossier_id)
    if card is None or documents is None:
        raise RuntimeError(f"dossier {dossier_id}: case card or documents missing")
    report = check_dossier(store, dossier_id, load_pages(store, dossier_id, count), documents,
                           card, count)
    note = report.verdict
    try:
        publish_data_docs(store, report)
    except Exception as error:
        log.warning("Data Docs not built for %s: %s", dossier_id, error)
        note += "; Data Docs not built"
    return StageResult(note=note)


STAGE = Stage(
    name="validate",
    description="quality gates on pages, documents and the case card (quality/)",
    code=("tasks.stages.quality", "tasks.stages.stored", "tasks.quality", "tasks.nlp.lexicon",
          "schemas.case_card", "schemas.ocr", "dossier.privacy", "expectations/gx"),
    libraries=("great-expectations", "pandas"),
    inputs=lambda ctx: [*page_keys(ctx.dossier_id, page_count_of(ctx.store, ctx.manifest)),
                        documents_key(ctx.dossier_id), case_card_key(ctx.dossier_id)],
    outputs=lambda ctx: [validation_key(ctx.dossier_id), data_docs_prefix(ctx.dossier_id)],
    run=validate_by_id,
)

"""Validate stage: the quality gates on one dossier, kept under ``quality/<dossier_id>/``."""

from __future__ import annotations

import mimetypes
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dossier.store.base import ObjectStore
from dossier.store.keys import validate_key, validation_key
from schemas.case_card import CaseCard, DocumentRef
from schemas.ocr import PageOcr
from tasks.quality.report import QualityReport


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

"""A dossier's stage outputs read back from the store by id: what each stage starts from.

Stages are handed a dossier id, not the previous stage's objects, so a stage can
run in another task, process or machine than the one before it, and again later
(a retry, ``dossier reprocess``) from what is stored.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from dossier.store.base import ObjectNotFoundError, ObjectStore
from dossier.store.keys import case_card_key, documents_key, ocr_key, validation_key
from schemas.case_card import CaseCard, DocumentRef
from schemas.manifest import Manifest
from schemas.ocr import PageOcr
from tasks.quality.report import QualityReport

MISSING_PAGE = "no OCR output"
_READERS = 8  # pages fetched at once: MinIO answers each GET in a round trip


def page_count_of(store: ObjectStore, manifest: Manifest) -> int:
    """The page count taken at intake; for manifests older than that field, the pages kept."""
    if manifest.page_count is not None:
        return manifest.page_count
    return sum(1 for _ in store.list(f"ocr/{manifest.dossier_id}/"))


def page_keys(dossier_id: str, page_count: int) -> list[str]:
    return [ocr_key(dossier_id, page) for page in range(1, page_count + 1)]


def page_statuses(store: ObjectStore, dossier_id: str, page_count: int) -> dict[int, str]:
    """Each page's status from one listing (kept beside the record); records without it
    (written before) are read. A page without a record is failed."""
    listed = {info.key: info.metadata.get("status") for info in store.list(f"ocr/{dossier_id}/")}
    statuses = {}
    for page in range(1, page_count + 1):
        key = ocr_key(dossier_id, page)
        status = listed.get(key)
        if status is None:
            status = load_page(store, dossier_id, page).status if key in listed else "failed"
        statuses[page] = status
    return statuses


def load_page(store: ObjectStore, dossier_id: str, page: int) -> PageOcr:
    """A page's OCR record; a page without one counts as failed (its task died)."""
    try:
        return PageOcr.model_validate(store.get_json(ocr_key(dossier_id, page)))
    except ObjectNotFoundError:
        return PageOcr(dossier_id=dossier_id, page=page, source="ocr", status="failed",
                       error=MISSING_PAGE)


def load_pages(store: ObjectStore, dossier_id: str, page_count: int) -> list[PageOcr]:
    """Every page's record in page order (word boxes included)."""
    with ThreadPoolExecutor(_READERS, thread_name_prefix="load-page") as pool:
        return list(pool.map(lambda page: load_page(store, dossier_id, page),
                             range(1, page_count + 1)))


def load_card(store: ObjectStore, dossier_id: str) -> CaseCard | None:
    try:
        return CaseCard.model_validate(store.get_json(case_card_key(dossier_id)))
    except ObjectNotFoundError:
        return None


def load_documents(store: ObjectStore, dossier_id: str) -> list[DocumentRef] | None:
    """The documents of ``documents.json`` as references (their texts left out)."""
    try:
        stored = store.get_json(documents_key(dossier_id))
    except ObjectNotFoundError:
        return None
    assert isinstance(stored, dict)
    fields = set(DocumentRef.model_fields)
    return [DocumentRef.model_validate({k: v for k, v in d.items() if k in fields})
            for d in stored["documents"]]


def load_report(store: ObjectStore, dossier_id: str) -> QualityReport | None:
    try:
        return QualityReport.model_validate(store.get_json(validation_key(dossier_id)))
    except ObjectNotFoundError:
        return None

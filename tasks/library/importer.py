"""Import published judgments (JSON lines of text) into the library as ``published`` cases.

Each judgment is structured by the same extractor as an ingested dossier
(:func:`tasks.nlp.case_card.extract_case`; no OCR, no document split: the text is one
judgment) and loaded as a case of source ``published`` with its text indexed for
search. Idempotent by source id: the case's id is derived from it
(``p`` + 16 hex of sha256("published:" + id)), an unchanged text is skipped and a
changed one replaces its case.

A published judgment has no upload, but a case hangs off a ``dossiers`` row (the
library's unit of source material), so each gets one: status ``ok``, ``sha256`` of its
text, ``filename`` = ``<file>#<source id>``. Its ``cases.source`` says it is published,
so anything about the procuratorate's own dossiers filters on ``source = 'dossier'``.

Throughput: judgments are read, structured and written in batches, one transaction per
batch (``batch_size``) with one multi-row INSERT per table; structuring (spaCy rules +
jieba tokens) is the cost, and can run in ``workers`` processes, structuring the next
batch while the parent writes the last.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from schemas.case_card import CaseCard, DocumentRef
from schemas.library_tables import CaseText
from schemas.tables import Case, Document, Dossier
from tasks.library.load import _insert, card_sha256, case_fields, child_rows, document_rows
from tasks.library.texts import TextDoc, rows_for, with_facets

log = logging.getLogger(__name__)

SOURCE = "published"
_TITLE = re.compile(r"刑事(?:附带民事)?(判决书|裁定书)|(起诉书|不起诉决定书)")


@dataclass
class ImportReport:
    """What one import did; ``failed`` lists (line number, reason) without any text."""

    read: int = 0
    loaded: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0
    dossier_ids: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "loaded": self.loaded, "unchanged": self.unchanged,
                "duplicates": self.duplicates, "failed": len(self.failed),
                "failed_lines": self.failed[:20], "seconds": round(self.seconds, 2),
                "per_second": round(self.per_second, 1)}


@dataclass(frozen=True)
class Judgment:
    line: int
    source_id: str
    text: str

    @property
    def dossier_id(self) -> str:
        return published_dossier_id(self.source_id)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def published_dossier_id(source_id: str) -> str:
    """The library id of a published judgment: stable for its source id."""
    return "p" + hashlib.sha256(f"{SOURCE}:{source_id}".encode()).hexdigest()[:16]


def read_judgments(
    lines: Iterable[str | bytes], text_field: str = "fd", id_field: str = "text_id",
    failed: list[tuple[int, str]] | None = None, id_prefix: str = "",
) -> Iterator[Judgment]:
    """Judgments of a JSON-lines stream; a bad line is recorded in ``failed`` and skipped.
    ``id_prefix`` keeps the ids of two sources apart (LeCaRD's ``ridx`` and LeCaRDv2's
    ``id`` are both small numbers)."""
    for number, raw in enumerate(lines, start=1):
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row[text_field]
            source_id = id_prefix + str(row[id_field])
        except (ValueError, KeyError, TypeError) as error:
            if failed is not None:
                failed.append((number, f"{type(error).__name__}: {str(error)[:80]}"))
            continue
        if not isinstance(text, str) or not text.strip() or source_id == id_prefix:
            if failed is not None:
                failed.append((number, f"empty {text_field} or {id_field}"))
            continue
        yield Judgment(number, source_id, text)


def document_ref(text: str) -> DocumentRef:
    m = _TITLE.search(text[:300])
    kind = (m.group(1) or m.group(2)) if m else "判决书"
    title = text[: m.end()].strip() if m else kind
    return DocumentRef(type=kind, title=title[:200], pages=(1, 1), confidence=1.0)  # type: ignore[arg-type]


def structure(judgment: Judgment) -> tuple[Judgment, CaseCard, list[dict]]:
    """The card and the (not yet case-bound) text rows of one judgment: the CPU part."""
    from tasks.nlp.case_card import extract_case

    ref = document_ref(judgment.text)
    card = CaseCard(dossier_id=judgment.dossier_id, case=extract_case(judgment.text),
                    documents=[ref])
    rows = rows_for(0, [TextDoc(ref.type, ref.title, judgment.text)])
    return judgment, card, rows


def _batches(items: Iterable[Judgment], size: int) -> Iterator[list[Judgment]]:
    batch: list[Judgment] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def import_judgments(
    session_factory: Callable[[], Any],
    judgments: Iterable[Judgment],
    *,
    origin: str = "import",
    original_key: str | None = None,
    batch_size: int = 200,
    workers: int = 1,
    progress: Callable[[ImportReport], None] | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Structure and load every judgment; one transaction per batch.

    ``session_factory`` gives a context manager yielding a session that commits on exit
    (:func:`dossier.db.session_scope`). ``origin`` names the input (a file name) in each
    row's ``filename``.
    """
    report = report or ImportReport()
    started = time.perf_counter()
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None

    def write(done: Iterable[tuple[Judgment, CaseCard, list[dict]]]) -> None:
        with session_factory() as session:
            write_structured(session, list(done), origin, original_key, report)
        report.seconds = time.perf_counter() - started
        if progress is not None:
            progress(report)

    # With workers, one batch is structured while the one before it is written (the
    # parent's writes and the workers' structuring overlap); ``in_flight`` is that batch.
    in_flight: tuple[dict[str, str], Iterable] | None = None
    try:
        for batch in _batches(judgments, batch_size):
            report.read += len(batch)
            with session_factory() as session:
                todo = _changed(session, batch, report, in_flight[0] if in_flight else {})
            if pool is None:
                write([structure(j) for j in todo])
                continue
            results = pool.map(structure, todo, chunksize=max(1, len(todo) // 8))
            if in_flight is not None:
                write(in_flight[1])
            in_flight = ({j.dossier_id: j.sha256 for j in todo}, results)
        if in_flight is not None:
            write(in_flight[1])
    finally:
        if pool is not None:
            pool.shutdown()
    report.seconds = time.perf_counter() - started
    return report


def _changed(
    session: Session, batch: list[Judgment], report: ImportReport,
    pending: dict[str, str] | None = None,
) -> list[Judgment]:
    """The judgments of ``batch`` that are new or whose text changed (the others are done);
    ``pending`` (dossier id → sha256) is the batch being structured, not yet written."""
    pending = pending or {}
    seen: dict[str, Judgment] = {}
    for j in batch:  # the same id twice in a batch: the last line wins
        seen[j.dossier_id] = j
    duplicates_in_batch = len(batch) - len(seen)
    known = dict(session.execute(
        sa.select(Dossier.dossier_id, Dossier.sha256).where(Dossier.dossier_id.in_(list(seen)))
    ).all())
    known.update({k: v for k, v in pending.items() if k in seen})
    todo = [j for j in seen.values() if known.get(j.dossier_id) != j.sha256]
    report.unchanged += len(seen) - len(todo) + duplicates_in_batch
    # the same text under another id (or an uploaded dossier's bytes): one case is enough
    shas = {j.sha256 for j in todo}
    taken = set(session.execute(
        sa.select(Dossier.sha256).where(Dossier.sha256.in_(list(shas)),
                                        Dossier.dossier_id.not_in(list(seen)))
    ).scalars())
    taken |= {sha for key, sha in pending.items() if key not in seen}
    kept, texts = [], set()
    for j in todo:
        if j.sha256 in taken or j.sha256 in texts:
            report.duplicates += 1
            continue
        texts.add(j.sha256)
        kept.append(j)
    return kept


def bulk_insert(model: type) -> sa.Insert:
    """An ORM bulk INSERT whose ``None`` values are sent as NULL: by default the ORM leaves
    a row's ``None`` columns out, so rows that differ in which columns are empty (a
    defendant with a birth date, a lawyer without) cannot share a statement, and on
    PostgreSQL each became its own round trip (172 INSERTs for the persons of 100
    judgments). None of these tables has a server default that a ``None`` should yield."""
    return sa.insert(model).execution_options(render_nulls=True)


def write_structured(
    session: Session, done: list[tuple[Judgment, CaseCard, list[dict]]], origin: str,
    original_key: str | None, report: ImportReport,
) -> None:
    if not done:
        return
    rows = [
        {"dossier_id": j.dossier_id, "sha256": j.sha256,
         "filename": f"{origin}#{j.source_id}"[:1000],
         "size": len(j.text.encode("utf-8")), "status": "ok", "original_key": original_key,
         "page_count": 1}
        for j, _, _ in done
    ]
    stmt = _insert(session, Dossier)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["dossier_id"],
            set_={k: stmt.excluded[k] for k in ("sha256", "filename", "size", "status",
                                                 "original_key")},
        ),
        rows,
    )
    # A changed judgment replaces its case whole (its child rows and texts go by cascade);
    # then every table gets one multi-row INSERT for the batch: the ORM's per-case unit of
    # work cost ~5x the structuring itself.
    ids = [j.dossier_id for j, _, _ in done]
    session.execute(sa.delete(Case).where(Case.dossier_id.in_(ids)))
    session.execute(sa.delete(Document).where(Document.dossier_id.in_(ids)))
    case_rows = [
        {**case_fields(card), "dossier_id": j.dossier_id, "review_state": "trusted",
         "card_sha256": card_sha256(card), "source": SOURCE, "source_id": j.source_id}
        for j, card, _ in done
    ]
    returned = session.execute(
        bulk_insert(Case).returning(Case.id, Case.dossier_id, sort_by_parameter_order=True),
        case_rows,
    ).all()
    case_ids = {dossier_id: case_id for case_id, dossier_id in returned}
    children: dict[type, list[dict]] = {}
    texts: list[dict] = []
    documents: list[dict] = []
    for judgment, card, text_rows in done:
        case_id = case_ids[judgment.dossier_id]
        for model, row in child_rows(card):
            children.setdefault(model, []).append({**row, "case_id": case_id})
        texts += [{**row, "case_id": case_id} for row in text_rows]
        documents += document_rows(card)
        report.dossier_ids.append(judgment.dossier_id)
    for model, model_rows in children.items():
        session.execute(bulk_insert(model), model_rows)
    if documents:
        session.execute(bulk_insert(Document), documents)
    if texts:  # after the charges: the texts carry them as search facets
        session.execute(bulk_insert(CaseText), with_facets(session, texts))
    report.loaded += len(done)


def published_case_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Case)
                          .where(Case.source == SOURCE)) or 0

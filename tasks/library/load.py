"""The load stage: stage outputs into the SQL library, as idempotent upserts.

Every function here can run twice with the same input and leave the same rows:
flows retry, events arrive twice, and a rerun of a dossier must not duplicate
its pages or its case. The caller owns the transaction (``session_scope``).

Race-free where parallel tasks may write at once (pages are recorded per page
by mapped OCR tasks; lineage by every stage): those use INSERT … ON CONFLICT,
which SQLite and PostgreSQL both speak.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dossier.store.keys import ocr_key
from schemas.case_card import CaseCard
from schemas.manifest import DossierStatus, StageRecord
from schemas.ocr import PageOcr
from schemas.tables import (
    Base,
    Case,
    Charge,
    Circumstance,
    CoerciveMeasure,
    Document,
    Dossier,
    Lineage,
    Page,
    Person,
    Sentence,
    Statute,
)

ReviewState = Literal["trusted", "held"]
CASE_CHILDREN: tuple[type[Base], ...] = (
    Person, Charge, Statute, CoerciveMeasure, Sentence, Circumstance,
)


class DossierMismatchError(ValueError):
    """The input names another dossier, or the same id with other bytes."""


def _insert(session: Session, model: type[Base]):
    """INSERT with ON CONFLICT for the session's dialect (same API on both)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise NotImplementedError(f"no upsert for {dialect}")
    return insert(model)


# --- dossiers -----------------------------------------------------------------------


def register_dossier(
    session: Session,
    *,
    dossier_id: str,
    sha256: str,
    filename: str,
    size: int,
    original_key: str | None = None,
    status: DossierStatus | None = None,
    reason: str | None = None,
    page_count: int | None = None,
    flow_run_id: str | None = None,
) -> Dossier:
    """Create the dossier's row, or bring an existing one up to date.

    ``status`` None means "received" for a new dossier and "leave it" for a
    known one: a duplicate upload must not knock a finished dossier back. The
    first upload's ``filename`` stays (``original_key`` is made from it). Fields
    given as None never erase what an earlier stage recorded.
    """
    session.execute(
        _insert(session, Dossier)
        .values(
            dossier_id=dossier_id, sha256=sha256, filename=filename, size=size,
            status=status or "received",
        )
        .on_conflict_do_nothing(index_elements=["dossier_id"])
    )
    dossier = session.execute(
        sa.select(Dossier).where(Dossier.dossier_id == dossier_id),
        execution_options={"populate_existing": True},
    ).scalar_one()
    if dossier.sha256 != sha256:
        raise DossierMismatchError(f"dossier {dossier_id} is registered with other bytes")
    updates = {
        "original_key": original_key, "status": status, "reason": reason,
        "page_count": page_count, "flow_run_id": flow_run_id,
    }
    for field, value in updates.items():
        if value is not None:
            setattr(dossier, field, value)
    session.flush()
    return dossier


def set_dossier_status(
    session: Session,
    dossier_id: str,
    status: DossierStatus,
    *,
    reason: str | None = None,
    flow_run_id: str | None = None,
) -> Dossier:
    """Move a known dossier to ``status``; the reason is replaced (cleared if None)."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise LookupError(f"dossier {dossier_id} is not registered")
    dossier.status = status
    dossier.reason = reason
    if flow_run_id is not None:
        dossier.flow_run_id = flow_run_id
    session.flush()
    return dossier


# --- pages --------------------------------------------------------------------------

_PAGE_FIELDS = (
    "source", "engine", "engine_version", "status", "error", "blank", "rotation",
    "skew_degrees", "width", "height", "mean_confidence", "chars", "seconds", "image_key",
)


def record_pages(session: Session, dossier_id: str, pages: Sequence[PageOcr]) -> int:
    """Upsert one row per page on (dossier_id, page); returns how many were written.

    The text and boxes stay in ``ocr/``; the row points there (``ocr_key``).
    """
    rows: list[dict[str, Any]] = []
    for page in pages:
        if page.dossier_id != dossier_id:
            raise DossierMismatchError(f"page {page.page} belongs to another dossier")
        row = {field: getattr(page, field) for field in _PAGE_FIELDS}
        row.update(dossier_id=dossier_id, page=page.page, ocr_key=ocr_key(dossier_id, page.page))
        rows.append(row)
    if not rows:
        return 0
    if len({row["page"] for row in rows}) != len(rows):
        raise ValueError("the same page twice in one call")
    stmt = _insert(session, Page)
    stmt = stmt.on_conflict_do_update(
        index_elements=["dossier_id", "page"],
        set_={field: stmt.excluded[field] for field in (*_PAGE_FIELDS, "ocr_key")},
    )
    session.execute(stmt, rows)
    session.expire_all()
    return len(rows)


# --- the case card ------------------------------------------------------------------


def card_sha256(card: CaseCard) -> str:
    """A hash of the card's content, independent of key order and formatting."""
    canonical = json.dumps(
        card.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_case_card(
    session: Session,
    card: CaseCard,
    review_state: ReviewState,
    quality: dict[str, Any] | None = None,
) -> Case:
    """Upsert the case of ``card.dossier_id`` with its child rows and documents.

    An unchanged card leaves every row as it was (only ``review_state`` and
    ``quality`` may move); a changed card replaces the child rows and documents
    as a whole, because list positions carry no identity to match on.
    """
    if review_state not in ("trusted", "held"):
        raise ValueError(f"review_state {review_state!r}: trusted or held")
    if session.get(Dossier, card.dossier_id) is None:
        raise LookupError(f"dossier {card.dossier_id} is not registered")
    digest = card_sha256(card)
    case = session.execute(
        sa.select(Case).where(Case.dossier_id == card.dossier_id)
    ).scalar_one_or_none()
    if case is None:
        case = Case(dossier_id=card.dossier_id, card_sha256="")
        session.add(case)
    case.review_state = review_state
    case.quality = quality
    if case.card_sha256 == digest:
        session.flush()
        return case

    for name, value in case_fields(card).items():
        setattr(case, name, value)
    case.card_sha256 = digest
    session.flush()  # the case has its id now

    # Old rows go first, in statements of their own: the unit of work would
    # insert the new (case_id, seq) rows before deleting the old ones.
    for child in CASE_CHILDREN:
        session.execute(sa.delete(child).where(child.case_id == case.id))
    session.execute(sa.delete(Document).where(Document.dossier_id == card.dossier_id))
    session.expire(case)

    session.add_all(_children(case.id, card))
    session.add_all(Document(**row) for row in document_rows(card))
    session.flush()
    return case


def case_fields(card: CaseCard) -> dict[str, Any]:
    """The ``cases`` columns a card sets (the bulk import writes the same)."""
    c = card.case
    return {
        "case_no": c.case_no, "court": c.court, "procuratorate": c.procuratorate,
        "indictment_no": c.indictment_no, "judgment_date": c.judgment_date,
        "amounts_yuan": list(c.amounts_yuan),
    }


def document_rows(card: CaseCard) -> list[dict[str, Any]]:
    return [
        {"dossier_id": card.dossier_id, "seq": seq, "type": doc.type, "title": doc.title,
         "page_from": doc.pages[0], "page_to": doc.pages[1], "confidence": doc.confidence}
        for seq, doc in enumerate(card.documents)
    ]


def charge_rows(names: Sequence[str], written: Sequence[str]) -> list[tuple[str, str | None]]:
    """(catalogue name, as written) per charge row: each written form with its catalogue
    name, then any catalogue name no written form gave (older cards: all, written None)."""
    from tasks.nlp.lexicon import canonical_charge

    rows: list[tuple[str, str | None]] = []
    for form in written:
        name = canonical_charge(form)
        if name:
            rows.append((name, form))
    covered = {name for name, _ in rows}
    rows += [(name, None) for name in names if name not in covered]
    return rows


def child_rows(card: CaseCard) -> Iterable[tuple[type[Base], dict[str, Any]]]:
    """(table, row without case_id) of every list on the card, in card order."""
    c = card.case
    for seq, p in enumerate(c.persons):
        yield Person, {"seq": seq, **p.model_dump()}
    for seq, (name, written) in enumerate(charge_rows(c.charges, c.charges_written)):
        yield Charge, {"seq": seq, "name": name, "written": written}
    for seq, s in enumerate(c.statutes):
        yield Statute, {"seq": seq, **s.model_dump()}
    for seq, m in enumerate(c.coercive_measures):
        yield CoerciveMeasure, {"seq": seq, **m.model_dump()}
    for seq, s in enumerate(c.sentences):
        yield Sentence, {"seq": seq, **s.model_dump()}
    for seq, ci in enumerate(c.circumstances):
        yield Circumstance, {"seq": seq, **ci.model_dump()}


def _children(case_id: int, card: CaseCard) -> Iterable[Base]:
    for model, row in child_rows(card):
        yield model(case_id=case_id, **row)


# --- lineage ------------------------------------------------------------------------


def record_lineage(
    session: Session,
    *,
    dossier_id: str,
    stage: str,
    key: str,
    sha256: str,
    code_version: str,
    flow_run_id: str | None = None,
    task_run_id: str | None = None,
) -> Lineage:
    """One output of one stage (全程留痕). Recording the same bytes again adds nothing:
    the row keeps the run and code version that first produced them."""
    if not sha256:
        raise ValueError(f"{stage}: {key} has no sha256; lineage needs the hash")
    session.execute(
        _insert(session, Lineage)
        .values(
            dossier_id=dossier_id, stage=stage, key=key, sha256=sha256,
            code_version=code_version, flow_run_id=flow_run_id, task_run_id=task_run_id,
        )
        .on_conflict_do_nothing(index_elements=["dossier_id", "stage", "key", "sha256"])
    )
    return session.execute(
        sa.select(Lineage).where(
            Lineage.dossier_id == dossier_id, Lineage.stage == stage, Lineage.key == key,
            Lineage.sha256 == sha256,
        )
    ).scalar_one()


def record_stage_lineage(session: Session, dossier_id: str, record: StageRecord) -> list[Lineage]:
    """Every output of a manifest's stage record (``schemas.manifest.StageRecord``)."""
    return [
        record_lineage(
            session, dossier_id=dossier_id, stage=record.stage, key=output.key,
            sha256=output.sha256 or "", code_version=record.code_version,
            flow_run_id=record.flow_run_id, task_run_id=record.task_run_id,
        )
        for output in record.outputs
    ]

"""全程留痕, verified: a dossier's chain stage by stage, every stored hash checked.

The manifest (``manifests/<id>.json``) records, per stage, what it read and wrote
with sha256 and size, its code and model versions, the build, and the flow and task
run that did it; the library's ``lineage`` table keeps the same per output. The
audit reads every recorded object's bytes as they are now (not the store's own
metadata, which whoever rewrote an object could have rewritten too) and compares
their sha256 with the record; then it rebuilds the library rows the load stage
derives from those objects (``dossiers``, ``pages``, ``cases`` and its child rows,
``documents``) with the loader's own functions and compares them, column by
column, with the rows as stored; and it looks up each recorded output in the
lineage table. A row is compared only when the object it was loaded from verified:
a tampered object is reported once, not with every row built from it.

Findings name keys, tables and columns, never values: a value may be a name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from dossier.store.base import CHUNK, ObjectNotFoundError, ObjectStore
from dossier.store.keys import case_card_key, ocr_key
from schemas.case_card import CaseCard
from schemas.manifest import Manifest, StageOutput, StageRecord
from schemas.ocr import PageOcr
from schemas.tables import Case, Document, Dossier, Lineage, Page
from tasks.library.load import (
    _PAGE_FIELDS,
    CASE_CHILDREN,
    card_sha256,
    case_fields,
    child_rows,
    document_rows,
)
from tasks.lineage import load_manifest

FindingKind = Literal["tampered", "missing", "stale"]
# Stale is not tampering: a stage ran on bytes its producer has since replaced (a run
# stopped half-way). Reported, but the exit status is about tampered and missing.
FAILING: frozenset[str] = frozenset({"tampered", "missing"})


class Finding(BaseModel):
    kind: FindingKind
    stage: str
    where: str = Field(description="An object key, or table.column of a library row.")
    problem: str


class ObjectCheck(BaseModel):
    key: str
    recorded: str | None
    actual: str | None = Field(None, description="sha256 of the bytes as they are now.")
    ok: bool


class StageAudit(BaseModel):
    stage: str
    code_version: str
    model_versions: dict[str, str] = Field(default_factory=dict)
    build: str | None = None
    params: dict[str, str] = Field(default_factory=dict)
    flow_run_id: str | None = None
    task_run_id: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    note: str | None = None
    inputs: list[StageOutput] = Field(default_factory=list)
    outputs: list[ObjectCheck] = Field(default_factory=list)


class LibraryCheck(BaseModel):
    table: str
    rows: int
    ok: bool
    detail: str = ""


class AuditReport(BaseModel):
    dossier_id: str
    store: str
    status: str
    sha256: str
    stages: list[StageAudit] = Field(default_factory=list)
    library: list[LibraryCheck] = Field(default_factory=list)
    lineage_rows: int = 0
    findings: list[Finding] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.kind in FAILING for f in self.findings)


def object_sha256(store: ObjectStore, key: str) -> str | None:
    """The sha256 of the object's bytes as read now; None when there is no object."""
    digest = hashlib.sha256()
    try:
        with store.open(key) as stream:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                digest.update(chunk)
    except ObjectNotFoundError:
        return None
    return digest.hexdigest()


def audit_dossier(store: ObjectStore, session: Session | None, dossier_id: str) -> AuditReport:
    """Verify the dossier's chain in ``store`` and, given a session, in the library.

    Raises ``LookupError`` when the store has no manifest for the dossier.
    """
    manifest = load_manifest(store, dossier_id)
    if manifest is None:
        raise LookupError(f"dossier {dossier_id} has no manifest in {store.description}")
    report = AuditReport(dossier_id=dossier_id, store=store.description,
                         status=manifest.status, sha256=manifest.sha256)
    verified = _verify_objects(store, manifest, report)
    if session is not None:
        _verify_library(store, session, manifest, verified, report)
    return report


def _verify_objects(store: ObjectStore, manifest: Manifest, report: AuditReport) -> dict[str, bool]:
    """Each stage's outputs against their recorded hashes; each input against what its
    producer recorded. Returns key → whether its bytes match the record."""
    actual: dict[str, str | None] = {}

    def sha_of(key: str) -> str | None:
        if key not in actual:
            actual[key] = object_sha256(store, key)
        return actual[key]

    produced: dict[str, tuple[str, str | None]] = {}
    verified: dict[str, bool] = {}
    for record in in_chain_order(manifest):
        audit = _stage_audit(record)
        for output in record.outputs:
            now = sha_of(output.key)
            ok = now is not None and now == output.sha256
            audit.outputs.append(ObjectCheck(key=output.key, recorded=output.sha256, actual=now,
                                             ok=ok))
            verified[output.key] = ok
            produced[output.key] = (record.stage, output.sha256)
            if now is None:
                report.findings.append(Finding(kind="missing", stage=record.stage,
                                               where=output.key, problem="the object is gone"))
            elif not ok:
                report.findings.append(Finding(
                    kind="tampered", stage=record.stage, where=output.key,
                    problem="its bytes do not match the sha256 the stage recorded"))
        report.stages.append(audit)
    original = produced.get(manifest.original_key or "")
    if original is not None and original[1] != manifest.sha256:
        report.findings.append(Finding(
            kind="tampered", stage="retrieve", where=str(manifest.original_key),
            problem="the manifest's sha256 of the upload is not the original's record"))
    for record in manifest.stages.values():
        for read in record.inputs:
            producer = produced.get(read.key)
            if producer is not None and producer[1] != read.sha256:
                report.findings.append(Finding(
                    kind="stale", stage=record.stage, where=read.key,
                    problem=f"read with other bytes than {producer[0]} last recorded"))
    return verified


def in_chain_order(manifest: Manifest) -> list[StageRecord]:
    """The manifest's records in the chain's order (``tasks.stages.chain``); a record of
    no registered stage (``quarantine``) after them."""
    from tasks.stages.chain import stage_names

    order = {name: i for i, name in enumerate(stage_names())}
    return sorted(manifest.stages.values(), key=lambda r: order.get(r.stage, len(order)))


def _stage_audit(record: StageRecord) -> StageAudit:
    return StageAudit(
        stage=record.stage, code_version=record.code_version,
        model_versions=record.model_versions, build=record.build, params=record.params,
        flow_run_id=record.flow_run_id, task_run_id=record.task_run_id,
        started_at=record.started_at, finished_at=record.finished_at, note=record.note,
        inputs=record.inputs,
    )


# --- the library ----------------------------------------------------------------------

_NOT_COMPARED = frozenset({"id", "case_id", "created_at", "updated_at"})


def _canonical(value: Any) -> str:
    """One spelling per value, whatever the database returned (dates, floats, JSON)."""
    if isinstance(value, float):
        return repr(round(value, 9))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return json.dumps(value, ensure_ascii=False, default=str)


def _differences(expected: dict[str, Any], row: Any) -> list[str]:
    return [column for column, value in expected.items() if column not in _NOT_COMPARED
            and _canonical(value) != _canonical(getattr(row, column))]


def _compare_rows(
    report: AuditReport, stage: str, table: str, expected: list[dict[str, Any]], rows: list[Any],
    name_of: str = "seq",
) -> LibraryCheck:
    problems: list[str] = []
    by_position = {getattr(row, name_of): row for row in rows}
    wanted = {e[name_of] for e in expected}
    for entry in expected:
        row = by_position.get(entry[name_of])
        if row is None:
            problems.append(f"{table}[{name_of}={entry[name_of]}] missing")
            report.findings.append(Finding(kind="missing", stage=stage,
                                           where=f"{table}[{name_of}={entry[name_of]}]",
                                           problem="no row for what the object holds"))
            continue
        for column in _differences(entry, row):
            problems.append(f"{table}.{column}[{name_of}={entry[name_of]}]")
            report.findings.append(Finding(
                kind="tampered", stage=stage, where=f"{table}.{column}",
                problem=f"row {name_of}={entry[name_of]} differs from what it was loaded from"))
    for extra in sorted(set(by_position) - wanted):
        problems.append(f"{table}[{name_of}={extra}] extra")
        report.findings.append(Finding(kind="tampered", stage=stage,
                                       where=f"{table}[{name_of}={extra}]",
                                       problem="a row nothing in the store accounts for"))
    return LibraryCheck(table=table, rows=len(rows), ok=not problems,
                        detail="; ".join(problems[:20]))


def _verify_library(
    store: ObjectStore, session: Session, manifest: Manifest, verified: dict[str, bool],
    report: AuditReport,
) -> None:
    dossier_id = manifest.dossier_id
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        report.findings.append(Finding(kind="missing", stage="load", where="dossiers",
                                       problem="the library has no row for the dossier"))
        return
    expected = {"sha256": manifest.sha256, "original_key": manifest.original_key,
                "page_count": manifest.page_count}
    differs = [c for c in _differences(expected, dossier) if expected[c] is not None]
    for column in differs:
        report.findings.append(Finding(kind="tampered", stage="load", where=f"dossiers.{column}",
                                       problem="differs from the manifest"))
    report.library.append(LibraryCheck(table="dossiers", rows=1, ok=not differs,
                                       detail=", ".join(differs)))
    if "load" not in manifest.stages:
        return  # nothing loaded yet: no rows, no lineage to compare

    verify_lineage(session, manifest, report)
    unverified = _unverified_pages(dossier_id, manifest, verified)  # reported as objects
    expected_pages: list[dict[str, Any]] = []
    for number in range(1, (manifest.page_count or 0) + 1):
        if number in unverified:
            continue
        key = ocr_key(dossier_id, number)
        page = _read_json(store, key, PageOcr)
        row = {field: getattr(page, field) for field in _PAGE_FIELDS}
        expected_pages.append({**row, "page": number, "ocr_key": key})
    pages = [p for p in session.scalars(sa.select(Page).where(Page.dossier_id == dossier_id))
             if p.page not in unverified]
    check = _compare_rows(report, "load", "pages", expected_pages, pages, name_of="page")
    if unverified:
        check.detail = "; ".join(x for x in (check.detail, f"{len(unverified)} page(s) not "
                                             "compared: their OCR record did not verify") if x)
    report.library.append(check)

    key = case_card_key(dossier_id)
    case = session.scalar(sa.select(Case).where(Case.dossier_id == dossier_id))
    if "structure" not in manifest.stages:
        return
    if not verified.get(key):
        report.library.append(LibraryCheck(table="cases", rows=int(case is not None), ok=False,
                                           detail=f"not compared: {key} did not verify"))
        return
    card = _read_json(store, key, CaseCard)
    if case is None:
        report.findings.append(Finding(kind="missing", stage="load", where="cases",
                                       problem="the library has no case for the card"))
        return
    _verify_case(report, session, card, case)


def _unverified_pages(dossier_id: str, manifest: Manifest, verified: dict[str, bool]) -> set[int]:
    return {n for n in range(1, (manifest.page_count or 0) + 1)
            if not verified.get(ocr_key(dossier_id, n))}


def _verify_case(report: AuditReport, session: Session, card: CaseCard, case: Case) -> None:
    problems = []
    if case.card_sha256 != card_sha256(card):
        problems.append("card_sha256")
        report.findings.append(Finding(kind="tampered", stage="load", where="cases.card_sha256",
                                       problem="not the hash of the stored card"))
    for column in _differences(case_fields(card), case):
        problems.append(column)
        report.findings.append(Finding(kind="tampered", stage="load", where=f"cases.{column}",
                                       problem="differs from the stored card"))
    report.library.append(LibraryCheck(table="cases", rows=1, ok=not problems,
                                       detail=", ".join(problems)))
    wanted: dict[type, list[dict[str, Any]]] = {model: [] for model in CASE_CHILDREN}
    for model, row in child_rows(card):
        wanted[model].append(row)
    for model in CASE_CHILDREN:
        rows = list(session.scalars(sa.select(model).where(model.case_id == case.id)))
        report.library.append(_compare_rows(report, "load", model.__tablename__, wanted[model],
                                            rows))
    documents = list(session.scalars(sa.select(Document)
                                     .where(Document.dossier_id == card.dossier_id)))
    report.library.append(_compare_rows(report, "load", "documents", document_rows(card),
                                        documents))


def _read_json(store: ObjectStore, key: str, model: type[BaseModel]) -> Any:
    with store.open(key) as stream:
        return model.model_validate_json(stream.read())


def verify_lineage(session: Session, manifest: Manifest, report: AuditReport) -> None:
    """Each output the manifest records has its lineage row with the same hash."""
    rows = list(session.scalars(sa.select(Lineage)
                                .where(Lineage.dossier_id == manifest.dossier_id)))
    report.lineage_rows = len(rows)
    kept = {(r.stage, r.key, r.sha256) for r in rows}
    if "load" not in manifest.stages:
        return  # lineage is written from the load on
    for record in manifest.stages.values():
        for output in _hashed(record.outputs):
            if (record.stage, output.key, output.sha256) not in kept:
                report.findings.append(Finding(
                    kind="tampered", stage=record.stage, where=f"lineage:{output.key}",
                    problem="no lineage row with the recorded sha256"))


def _hashed(outputs: Iterable[StageOutput]) -> list[StageOutput]:
    return [o for o in outputs if o.sha256]

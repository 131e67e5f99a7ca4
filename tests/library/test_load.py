"""The load stage on SQLite and on the real PostgreSQL: reruns leave the same rows.

The case card below is fictitious (made-up names and numbers).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from schemas.case_card import (
    Case as CaseModel,
)
from schemas.case_card import (
    CaseCard,
    Circumstance,
    CoerciveMeasure,
    DocumentRef,
    Person,
    Sentence,
    Statute,
)
from schemas.manifest import StageOutput, StageRecord
from schemas.ocr import PageOcr
from schemas.tables import (
    Case,
    Charge,
    Document,
    Dossier,
    Lineage,
    Page,
    metadata,
)
from schemas.tables import Person as PersonRow
from schemas.tables import (
    Statute as StatuteRow,
)
from tasks.library.load import (
    DossierMismatchError,
    card_sha256,
    load_case_card,
    record_lineage,
    record_pages,
    record_stage_lineage,
    register_dossier,
    set_dossier_status,
)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


SHA_A, SHA_B = _sha("dossier a"), _sha("dossier b")
ID_A, ID_B = SHA_A[:16], SHA_B[:16]


def snapshot(session: Session) -> dict[str, list[tuple]]:
    """Every row of every table, ids and timestamps included."""
    session.flush()
    tables = {}
    for table in metadata.sorted_tables:
        order = list(table.primary_key.columns)
        tables[table.name] = [tuple(r) for r in session.execute(table.select().order_by(*order))]
    return tables


def count(session: Session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def register(session: Session, dossier_id: str = ID_A, sha256: str = SHA_A, **kwargs) -> Dossier:
    return register_dossier(
        session, dossier_id=dossier_id, sha256=sha256, filename="（2023）卷宗.pdf",
        size=123_456, **kwargs,
    )


def page(dossier_id: str, number: int, **kwargs) -> PageOcr:
    values = {
        "dossier_id": dossier_id, "page": number, "source": "ocr", "engine": "rapidocr",
        "engine_version": "3.10", "status": "ok", "text": "起诉书", "chars": 3,
        "mean_confidence": 0.97, "width": 2480, "height": 3508,
    }
    values.update(kwargs)
    return PageOcr(**values)


def card(dossier_id: str = ID_A, **case_changes) -> CaseCard:
    case = CaseModel(
        case_no="（2023）豫0001刑初1号",
        court="某某县人民法院",
        procuratorate="某某县人民检察院",
        indictment_no="某检刑诉〔2023〕1号",
        charges=["盗窃罪"],
        statutes=[Statute(article=264), Statute(article=67, paragraph=3)],
        persons=[
            Person(name="甲某", role="被告人", gender="男", birth_date=dt.date(1990, 1, 2),
                   id_number_masked="410***********123X", id_number_valid=True),
            Person(name="乙某", role="被害人"),
        ],
        coercive_measures=[
            CoerciveMeasure(person="甲某", kind="刑事拘留", date=dt.date(2023, 3, 1)),
            CoerciveMeasure(person="甲某", kind="逮捕", date=dt.date(2023, 3, 20)),
        ],
        sentences=[Sentence(person="甲某", charges=["盗窃罪"], penalty="有期徒刑", months=18,
                            fine_yuan=5000.0)],
        circumstances=[Circumstance(person="甲某", kind="坦白")],
        amounts_yuan=[12_345.5],
        judgment_date=dt.date(2023, 9, 1),
    )
    case = case.model_copy(update=case_changes)
    return CaseCard(
        dossier_id=dossier_id,
        case=case,
        documents=[
            DocumentRef(type="起诉书", title="起诉书", pages=(1, 3), confidence=0.9),
            DocumentRef(type="判决书", title="刑事判决书", pages=(4, 9), confidence=0.8),
        ],
    )


# --- dossiers -----------------------------------------------------------------------


def test_register_twice_leaves_one_row(session: Session) -> None:
    register(session, original_key="originals/a/卷宗.pdf")
    session.commit()
    before = snapshot(session)
    register(session, original_key="originals/a/卷宗.pdf")
    session.commit()
    assert snapshot(session) == before
    dossier = session.get(Dossier, ID_A)
    assert (dossier.status, dossier.size, dossier.original_key) == (
        "received", 123_456, "originals/a/卷宗.pdf",
    )


def test_a_duplicate_upload_does_not_reset_a_finished_dossier(session: Session) -> None:
    register(session, original_key="originals/a/卷宗.pdf")
    set_dossier_status(session, ID_A, "ok", flow_run_id="run-1")
    # The same bytes uploaded again under another name: no status, no key given.
    register_dossier(session, dossier_id=ID_A, sha256=SHA_A, filename="copy.pdf", size=123_456)
    dossier = session.get(Dossier, ID_A)
    assert (dossier.status, dossier.original_key, dossier.flow_run_id, dossier.filename) == (
        "ok", "originals/a/卷宗.pdf", "run-1", "（2023）卷宗.pdf",
    )
    register(session, status="processing", page_count=9)
    assert (dossier.status, dossier.page_count) == ("processing", 9)


def test_register_refuses_other_bytes_under_the_same_id(session: Session) -> None:
    register(session)
    with pytest.raises(DossierMismatchError):
        register(session, sha256=SHA_B)


def test_status_changes(session: Session) -> None:
    register(session)
    set_dossier_status(session, ID_A, "needs_review", reason="page 3 failed")
    assert session.get(Dossier, ID_A).reason == "page 3 failed"
    set_dossier_status(session, ID_A, "ok")
    assert session.get(Dossier, ID_A).reason is None
    with pytest.raises(LookupError):
        set_dossier_status(session, "unknown", "ok")
    with pytest.raises(sa.exc.IntegrityError):
        set_dossier_status(session, ID_A, "lost")  # type: ignore[arg-type]


# --- pages --------------------------------------------------------------------------


def test_record_pages_is_an_upsert(session: Session) -> None:
    register(session)
    assert record_pages(session, ID_A, [page(ID_A, n) for n in (1, 2, 3)]) == 3
    session.commit()
    before = snapshot(session)
    record_pages(session, ID_A, [page(ID_A, n) for n in (1, 2, 3)])
    session.commit()
    assert snapshot(session) == before

    # Page 2 redone by another engine, page 4 added by a later task.
    record_pages(session, ID_A, [
        page(ID_A, 2, engine="tesseract", engine_version="5.3", mean_confidence=0.6,
             rotation=180),
        page(ID_A, 4, status="blank", blank=True, source="text-layer", engine=None, chars=0,
             mean_confidence=None, text=""),
    ])
    session.commit()
    rows = session.scalars(sa.select(Page).order_by(Page.page)).all()
    assert [(r.page, r.engine, r.status, r.blank, r.rotation) for r in rows] == [
        (1, "rapidocr", "ok", False, 0),
        (2, "tesseract", "ok", False, 180),
        (3, "rapidocr", "ok", False, 0),
        (4, None, "blank", True, 0),
    ]
    assert rows[1].id == next(r for r in before["pages"] if r[2] == 2)[0]  # same row, updated
    assert rows[0].ocr_key == f"ocr/{ID_A}/page-0001.json"


def test_record_pages_refuses_mixed_input(session: Session) -> None:
    register(session)
    register(session, dossier_id=ID_B, sha256=SHA_B)
    with pytest.raises(DossierMismatchError):
        record_pages(session, ID_A, [page(ID_A, 1), page(ID_B, 2)])
    with pytest.raises(ValueError):
        record_pages(session, ID_A, [page(ID_A, 1), page(ID_A, 1)])
    assert record_pages(session, ID_A, []) == 0
    assert count(session, Page) == 0


def test_pages_of_an_unregistered_dossier_are_refused(session: Session) -> None:
    with pytest.raises(sa.exc.IntegrityError):
        record_pages(session, "nobody", [page("nobody", 1)])


# --- the case card ------------------------------------------------------------------


def test_load_case_card_writes_every_part(session: Session) -> None:
    register(session)
    case = load_case_card(session, card(), "trusted", quality={"critical_failed": 0})
    session.commit()
    assert (case.case_no, case.review_state, case.quality) == (
        "（2023）豫0001刑初1号", "trusted", {"critical_failed": 0},
    )
    assert case.judgment_date == dt.date(2023, 9, 1)
    assert case.amounts_yuan == [12_345.5]
    assert [(p.seq, p.name, p.role) for p in case.persons] == [
        (0, "甲某", "被告人"), (1, "乙某", "被害人"),
    ]
    assert case.persons[0].birth_date == dt.date(1990, 1, 2)
    assert [c.name for c in case.charges] == ["盗窃罪"]
    assert [(s.law, s.article, s.paragraph) for s in case.statutes] == [
        ("中华人民共和国刑法", 264, None), ("中华人民共和国刑法", 67, 3),
    ]
    assert [(m.kind, m.date) for m in case.coercive_measures] == [
        ("刑事拘留", dt.date(2023, 3, 1)), ("逮捕", dt.date(2023, 3, 20)),
    ]
    [sentence] = case.sentences
    assert (sentence.charges, sentence.penalty, sentence.months, sentence.fine_yuan) == (
        ["盗窃罪"], "有期徒刑", 18, 5000.0,
    )
    assert [c.kind for c in case.circumstances] == ["坦白"]
    documents = session.scalars(sa.select(Document).order_by(Document.seq)).all()
    assert [(d.type, d.page_from, d.page_to) for d in documents] == [
        ("起诉书", 1, 3), ("判决书", 4, 9),
    ]
    assert case.card_sha256 == card_sha256(card())


def test_loading_the_same_card_twice_changes_nothing(session: Session) -> None:
    register(session)
    load_case_card(session, card(), "trusted")
    session.commit()
    before = snapshot(session)
    load_case_card(session, card(), "trusted")
    session.commit()
    assert snapshot(session) == before


def test_a_changed_card_replaces_the_child_rows(session: Session) -> None:
    register(session)
    load_case_card(session, card(), "trusted")
    session.commit()
    changed = card(
        charges=["诈骗罪", "盗窃罪"],
        persons=[Person(name="丙某", role="被告人")],
        statutes=[Statute(article=266)],
        circumstances=[],
    )
    changed.documents = changed.documents[:1]
    case = load_case_card(session, changed, "held", quality={"critical_failed": 1})
    session.commit()
    assert count(session, Case) == 1
    assert [c.name for c in case.charges] == ["诈骗罪", "盗窃罪"]
    assert [p.name for p in case.persons] == ["丙某"]
    assert [s.article for s in case.statutes] == [266]
    assert case.circumstances == []
    assert count(session, PersonRow) == 1
    assert count(session, Charge) == 2
    assert count(session, StatuteRow) == 1
    assert count(session, Document) == 1
    assert (case.review_state, case.quality) == ("held", {"critical_failed": 1})
    # And back: the first card again gives the first content.
    load_case_card(session, card(), "trusted")
    session.commit()
    assert count(session, PersonRow) == 2 and count(session, Document) == 2


def test_review_state_alone_moves_without_touching_children(session: Session) -> None:
    register(session)
    load_case_card(session, card(), "held")
    session.commit()
    persons_before = snapshot(session)["persons"]
    case = load_case_card(session, card(), "trusted")
    session.commit()
    assert case.review_state == "trusted"
    assert snapshot(session)["persons"] == persons_before


def test_cases_of_two_dossiers_stay_apart(session: Session) -> None:
    register(session)
    register(session, dossier_id=ID_B, sha256=SHA_B)
    load_case_card(session, card(ID_A), "trusted")
    load_case_card(session, card(ID_B, persons=[Person(name="丁某", role="被告人")]), "trusted")
    session.commit()
    before_a = [r for r in snapshot(session)["persons"] if r[3] == "甲某"]
    load_case_card(session, card(ID_B, persons=[]), "trusted")
    session.commit()
    assert [r for r in snapshot(session)["persons"] if r[3] == "甲某"] == before_a
    assert count(session, PersonRow) == 2  # A's two; B has none now
    assert count(session, Document) == 4


def test_card_rules(session: Session) -> None:
    with pytest.raises(LookupError):
        load_case_card(session, card("nobody"), "trusted")
    register(session)
    with pytest.raises(ValueError):
        load_case_card(session, card(), "maybe")  # type: ignore[arg-type]


def test_deleting_a_dossier_takes_its_rows_along(session: Session) -> None:
    register(session)
    record_pages(session, ID_A, [page(ID_A, 1)])
    load_case_card(session, card(), "trusted")
    record_lineage(session, dossier_id=ID_A, stage="load", key="nlp/x/case.json",
                   sha256=SHA_A, code_version="0.1.0")
    session.commit()
    session.execute(sa.delete(Dossier).where(Dossier.dossier_id == ID_A))
    session.commit()
    rows = snapshot(session)
    assert {name: len(r) for name, r in rows.items() if r} == {"lineage": 1}


# --- lineage ------------------------------------------------------------------------


def test_lineage_records_each_output_once(session: Session) -> None:
    kwargs = {"dossier_id": ID_A, "stage": "ocr", "key": f"ocr/{ID_A}/page-0001.json",
              "code_version": "0.1.0+gabc"}
    first = record_lineage(session, sha256=SHA_A, flow_run_id="run-1", **kwargs)
    session.commit()
    again = record_lineage(session, sha256=SHA_A, flow_run_id="run-2", **kwargs)
    session.commit()
    assert again.id == first.id and again.flow_run_id == "run-1"
    other = record_lineage(session, sha256=SHA_B, flow_run_id="run-3", **kwargs)
    session.commit()
    assert other.id != first.id
    assert count(session, Lineage) == 2
    with pytest.raises(ValueError):
        record_lineage(session, sha256="", **kwargs)


def test_stage_lineage_from_a_manifest_record(session: Session) -> None:
    record = StageRecord(
        stage="structure",
        outputs=[
            StageOutput(key=f"nlp/{ID_A}/documents.json", sha256=SHA_A, size=10),
            StageOutput(key=f"nlp/{ID_A}/case.json", sha256=SHA_B, size=20),
        ],
        code_version="0.1.0",
        flow_run_id="run-9",
    )
    rows = record_stage_lineage(session, ID_A, record)
    record_stage_lineage(session, ID_A, record)
    session.commit()
    assert [(r.stage, r.key, r.flow_run_id) for r in rows] == [
        ("structure", f"nlp/{ID_A}/documents.json", "run-9"),
        ("structure", f"nlp/{ID_A}/case.json", "run-9"),
    ]
    assert count(session, Lineage) == 2


def test_parallel_page_tasks_all_land(session: Session, migrated_url: str) -> None:
    """Mapped OCR tasks record their pages at the same time, on both databases."""
    from concurrent.futures import ThreadPoolExecutor

    from dossier.db import session_scope

    register(session)
    session.commit()

    def task(start: int) -> None:
        for number in range(start, start + 10):
            with session_scope(migrated_url) as s:
                record_pages(s, ID_A, [page(ID_A, number)])
                record_pages(s, ID_A, [page(ID_A, number, rotation=90)])

    with ThreadPoolExecutor(max_workers=4) as pool:
        for result in [pool.submit(task, start) for start in (1, 11, 21, 31)]:
            result.result()
    rows = session.execute(sa.select(Page.page, Page.rotation).order_by(Page.page)).all()
    assert rows == [(n, 90) for n in range(1, 41)]

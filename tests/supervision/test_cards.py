"""The case-card models over cards: in memory (``--card``, the supervise stage) and in the
library (a database run over loaded case cards), with the same rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from dossier import db
from dossier.cli import app
from dossier.store.local import LocalStore
from schemas.case_card import (
    Case,
    CaseCard,
    Circumstance,
    Person,
    Sentence,
    Statute,
)
from schemas.tables import Case as CaseRow
from tasks.library.load import load_case_card, register_dossier
from tasks.stages.supervise import supervise_dossier
from tasks.supervision.cards import supervise_cards
from tasks.supervision.run import supervise_database

AS_OF = dt.date(2026, 6, 30)


def card(dossier_id: str, **case) -> CaseCard:
    return CaseCard(dossier_id=dossier_id, case=Case(
        case_no=case.pop("case_no", f"（2025）沪0105刑初{len(dossier_id)}号"),
        court="上海市长宁区人民法院", judgment_date=dt.date(2025, 12, 1), **case))


def cards() -> list[tuple[str, CaseCard]]:
    theft = [Statute(article=264), Statute(article=67)]
    return [
        # 累犯 on probation, and no fine under art. 264: two models, one card.
        ("d-recidivist", card("d-recidivist", charges=["盗窃罪"], statutes=theft,
                              persons=[Person(name="张三丰", role="被告人")],
                              sentences=[Sentence(person="张三丰", charges=["盗窃罪"],
                                                  penalty="有期徒刑", months=10,
                                                  probation_months=12)],
                              circumstances=[Circumstance(person="张三丰", kind="累犯")])),
        # Charged with 危险驾驶罪 but the card cites only art. 133; 有期徒刑 above 拘役.
        ("d-dui", card("d-dui", charges=["危险驾驶罪"], statutes=[Statute(article=133)],
                       persons=[Person(name="李四", role="被告人")],
                       sentences=[Sentence(person="李四", charges=["危险驾驶罪"],
                                           penalty="有期徒刑", months=4, fine_yuan=2000)])),
        # Near misses: all in order (art. 133之一 cited, 拘役 6 months at the maximum, a fine,
        # probation within 2-12 months), and a combined sentence over the maximum of one of
        # its charges (数罪并罚): not compared with a single charge's range.
        ("d-fine", card("d-fine", charges=["危险驾驶罪", "盗窃罪"],
                        statutes=[Statute(article=133, sub=1), Statute(article=264)],
                        persons=[Person(name="王五", role="被告人"),
                                 Person(name="赵六", role="被告人")],
                        sentences=[Sentence(person="王五", charges=["危险驾驶罪"],
                                            penalty="拘役", months=6, probation_months=6,
                                            fine_yuan=3000),
                                   Sentence(person="赵六", charges=["危险驾驶罪", "盗窃罪"],
                                            penalty="有期徒刑", months=14, fine_yuan=5000)])),
    ]


EXPECTED = {("probation_ineligible", "card:d-recidivist"), ("fine_missing", "card:d-recidivist"),
            ("article_charge_mismatch", "card:d-dui"), ("sentence_out_of_range", "card:d-dui")}


def test_case_card_models_in_memory() -> None:
    findings = supervise_cards(cards(), AS_OF)
    assert {(f.model, f.records[0]) for f in findings} == EXPECTED
    for f in findings:
        assert "张三丰" not in f.explanation and "李四" not in f.explanation
    recidivist = next(f for f in findings if f.model == "probation_ineligible")
    assert "累犯" in recidivist.explanation and "张**" in recidivist.explanation
    assert recidivist.agency == "上海市长宁区人民法院"


def test_supervise_card_files_prints_leads_json(tmp_path: Path) -> None:
    paths = []
    for ref, c in cards():
        path = tmp_path / f"{ref}.json"
        path.write_text(c.model_dump_json(), encoding="utf-8")
        paths += ["--card", str(path)]
    result = CliRunner().invoke(app, ["supervise", *paths, "--json", "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["as_of"] == "2026-06-30"
    assert {(lead["model"], lead["records"][0]) for lead in document["leads"]} == EXPECTED
    assert set(document["leads"][0]) == {"model", "model_version", "severity", "subject",
                                         "case_no", "records", "explanation"}
    assert "张三丰" not in result.output
    assert not (tmp_path / "dossier.sqlite3").exists()


def test_supervise_stage_writes_the_dossiers_leads(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    ref, c = cards()[0]
    store.put_json(f"nlp/{ref}/case.json", c.model_dump(mode="json"))
    document = supervise_dossier(store, ref)
    assert store.get_json(f"leads/{ref}.json") == document
    assert {lead["model"] for lead in document["leads"]} == {"probation_ineligible",
                                                            "fine_missing"}
    assert document["as_of"] == "2025-12-01"  # the card's judgment date


def test_library_cards_in_a_database_run(migrated_url: str) -> None:
    engine = db.get_engine(migrated_url)
    with db.session_factory(migrated_url)() as session:
        for ref, c in cards():
            register_dossier(session, dossier_id=ref, sha256=ref, filename=f"{ref}.pdf", size=1)
            load_case_card(session, c, "held" if ref == "d-dui" else "trusted")
        # A published judgment imported for search, with the same defects as a card that
        # has findings: not a case of ours, never screened.
        ref, c = cards()[0]
        published = c.model_copy(update={"dossier_id": "p-published"})
        register_dossier(session, dossier_id="p-published", sha256="p-published",
                         filename="p.json", size=1)
        load_case_card(session, published, "trusted")
        session.execute(sa.update(CaseRow).where(CaseRow.dossier_id == "p-published")
                        .values(source="published"))
        session.commit()
    result = supervise_database(engine, None, AS_OF)
    found = {(m, f.records[0]) for m, fs in result["findings"].items() for f in fs}
    # The held dossier stays out of supervision until a reviewer clears it.
    assert found == {e for e in EXPECTED if e[1] != "card:d-dui"}
    with engine.begin() as connection:
        for table in ("lead_history", "leads", "supervision_runs", "supervision_card_statutes",
                      "supervision_card_sentences", "persons", "sentences", "statutes",
                      "charges", "circumstances", "cases", "dossiers"):
            connection.execute(sa.text(f"DELETE FROM {table}"))


def test_supervise_runs_as_a_registered_stage_and_skips_when_unchanged(tmp_path: Path) -> None:
    from schemas.manifest import Manifest
    from tasks.lineage import save_manifest
    from tasks.stages.chain import get_stage
    from tasks.stages.contract import run_stage

    store = LocalStore(tmp_path / "store")
    ref, c = cards()[1]
    save_manifest(store, Manifest(dossier_id=ref, sha256="0" * 64, filename="卷.pdf", size=1))
    store.put_json(f"nlp/{ref}/case.json", c.model_dump(mode="json"))
    stage = get_stage("supervise")
    first = run_stage(store, ref, stage)
    again = run_stage(store, ref, stage)
    assert first.ran and not again.ran
    assert "2 leads" in (first.note or "")
    leads = store.get_json(f"leads/{ref}.json")
    assert {lead["model"] for lead in leads["leads"]} == {"article_charge_mismatch",
                                                          "sentence_out_of_range"}

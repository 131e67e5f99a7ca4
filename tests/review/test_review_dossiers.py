"""End to end on sample dossiers: pages → structure path → rules, clean and with each
planted defect; the review stage on a store and a database; the CLI on a card file."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dossier.samples.dossier import PLANTED_DEFECTS, make_review_dossier
from tasks.review.engine import review_card
from tasks.stages.structure import structure_texts

SEEDS = (3101,)  # the evaluation (dossier review-eval) runs 20 seeds


def _card(seed: int, defect: str | None):
    sample = make_review_dossier(seed, defect)
    return structure_texts(sample.name, sample.pages)[1]


@pytest.mark.parametrize("defect", [None, *PLANTED_DEFECTS])
def test_planted_defect_raises_exactly_its_point(defect: str | None) -> None:
    for seed in SEEDS:
        got = {(p.kind, p.rule) for p in review_card(_card(seed, defect)).points}
        assert got == ({PLANTED_DEFECTS[defect]} if defect else set()), (seed, defect)


def test_the_facts_the_rules_read_are_extracted() -> None:
    card = _card(3103, "alcohol_below_80")
    assert card.case.alcohol and all(a.mg_per_100ml < 80 for a in card.case.alcohol
                                     if a.method == "血液")
    assert {"血液酒精含量鉴定", "呼气酒精检测", "讯问笔录", "户籍证明"} <= {
        k for d in card.documents for k in d.evidence}


def test_review_stage_writes_its_key_and_rows(tmp_path) -> None:
    from dossier.db import get_engine, upgrade
    from dossier.store.keys import case_card_key, review_key
    from dossier.store.local import LocalStore
    from schemas.review_tables import ReviewPointRow
    from schemas.tables import Dossier
    from tasks.stages.review import review_dossier

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    store = LocalStore(tmp_path / "store")
    card = _card(3104, "birth_date_mismatch")
    card = card.model_copy(update={"dossier_id": "d0000000000000001"})
    store.put_json(case_card_key(card.dossier_id), card.model_dump(mode="json"))
    from sqlalchemy.orm import Session

    with Session(get_engine(url)) as session:
        session.add(Dossier(dossier_id=card.dossier_id, sha256="0" * 64, filename="x.pdf",
                            size=1, status="ok"))
        session.flush()
        report = review_dossier(store, card.dossier_id, session=session)
        session.commit()
        rows = session.scalars(sa.select(ReviewPointRow)).all()
    assert [p.rule for p in report.points] == ["identity_consistent"]
    assert [(r.rule, r.kind, r.person) for r in rows] == [
        ("identity_consistent", "document", report.points[0].person)]
    stored = store.get_json(review_key(card.dossier_id))
    assert stored["points"][0]["rule"] == "identity_consistent"
    again = review_dossier(store, card.dossier_id)  # unchanged card and rules: the stored one
    assert again.points == report.points
    name = next(p.name for p in card.case.persons if p.role in ("被告人", "犯罪嫌疑人"))
    assert name not in json.dumps(stored, ensure_ascii=False)


def test_cli_review_card_json(tmp_path) -> None:
    from dossier.cli import app

    path = tmp_path / "case.json"
    path.write_text(_card(3105, "amount_below_tier").model_dump_json(), encoding="utf-8")
    result = CliRunner().invoke(app, ["review", "--card", str(path), "--json"])
    assert result.exit_code == 0, result.output
    points = json.loads(result.output)["points"]
    assert [set(p) for p in points] == [{"rule", "kind", "severity", "person", "message"}]
    assert points[0]["rule"] == "amount_below_tier" and points[0]["kind"] == "conclusion"

"""Every model on a hand-written batch: planted positives found, near misses left alone.

Runs on SQLite and on the real PostgreSQL (the ``db_url`` fixture's two
databases): the rules' SQL, and the month arithmetic compiled per dialect, must
give the same answers on both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from supervision import scenario

from dossier import db
from schemas.leads_tables import Lead, LeadHistory
from tasks.feeds.batch import import_batch
from tasks.supervision.leads import set_status
from tasks.supervision.registry import all_models
from tasks.supervision.run import supervise_database


@pytest.fixture(scope="module")
def supervised(migrated_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = scenario.write(tmp_path_factory.mktemp("scenario") / "b1")
    engine = db.get_engine(migrated_url)
    manifest = import_batch(engine, folder)
    assert manifest["rows_rejected"] == 0, manifest
    first = supervise_database(engine, None, scenario.AS_OF)
    second = supervise_database(engine, None, scenario.AS_OF)
    return {"engine": engine, "first": first, "second": second, "folder": folder}


def _found(result: dict, model: str) -> set[tuple[str, ...]]:
    return {tuple(sorted(f.records)) for f in result["findings"][model]}


def test_every_model_is_covered() -> None:
    assert set(scenario.EXPECTED) == set(all_models())


@pytest.mark.parametrize("model", sorted(scenario.EXPECTED))
def test_model_finds_planted_and_spares_near_misses(supervised: dict, model: str) -> None:
    found = _found(supervised["first"], model)
    assert found == scenario.EXPECTED[model]
    for finding in supervised["first"]["findings"][model]:
        assert finding.explanation and "{" not in finding.explanation
        assert "测试人" not in finding.explanation  # no names
        assert not any(c.isdigit() for c in finding.explanation.split("110105")[1][:11]) \
            if "110105" in finding.explanation else True


def test_found_again_is_the_same_lead(supervised: dict) -> None:
    first = {m["model"]: m for m in supervised["first"]["models"]}
    second = {m["model"]: m for m in supervised["second"]["models"]}
    for model, row in first.items():
        assert row["new"] == len(scenario.EXPECTED[model])
        assert second[model]["new"] == 0
        assert second[model]["existing"] == row["new"]
    with supervised["engine"].connect() as connection:
        leads = connection.scalar(sa.select(sa.func.count()).select_from(Lead))
        events = connection.execute(sa.select(LeadHistory.event, sa.func.count())
                                    .group_by(LeadHistory.event)).all()
    assert leads == sum(len(v) for v in scenario.EXPECTED.values())
    assert dict(events) == {"found": leads}


def test_changed_content_is_a_new_version_and_status_moves_with_history(
        supervised: dict, tmp_path: Path) -> None:
    engine = supervised["engine"]
    data = scenario.rows()
    corrected = [r for r in data["admin_penalties"] if r["penalty_id"] == "AP-POS-2"]
    corrected[0]["amount_yuan"] = "6000"  # a correction of the same record
    scenario.write(tmp_path / "b2", {"admin_penalties": corrected})
    import_batch(engine, tmp_path / "b2")
    result = supervise_database(engine, ["penalty_instead_of_prosecution"], scenario.AS_OF)
    assert result["models"][0]["new"] == 0 and result["models"][0]["existing"] == 2
    with engine.begin() as connection:
        lead = connection.execute(sa.select(Lead).where(
            Lead.records == sa.func.json_array("admin_penalties:AP-POS-2")
            if engine.dialect.name == "sqlite" else
            sa.cast(Lead.records, sa.Text) == '["admin_penalties:AP-POS-2"]')).one()
        assert lead.version == 2 and "6000" in lead.explanation and lead.status == "new"
        assert lead.agency == "北京市公安局朝阳分局"
        set_status(connection, lead.id, "under_review", actor="检察官甲")
        set_status(connection, lead.id, "confirmed", actor="检察官甲", note="属实")
        with pytest.raises(ValueError):
            set_status(connection, lead.id, "new", actor="检察官甲")
        history = connection.execute(
            sa.select(LeadHistory.event, LeadHistory.version, LeadHistory.to_status)
            .where(LeadHistory.lead_id == lead.id).order_by(LeadHistory.id)).all()
    assert [tuple(h) for h in history] == [("found", 1, "new"), ("updated", 2, None),
                                           ("status", 2, "under_review"),
                                           ("status", 2, "confirmed")]
    # A later run leaves the review status alone.
    supervise_database(engine, ["penalty_instead_of_prosecution"], scenario.AS_OF)
    with engine.connect() as connection:
        assert connection.scalar(sa.select(Lead.status).where(Lead.id == lead.id)) == "confirmed"

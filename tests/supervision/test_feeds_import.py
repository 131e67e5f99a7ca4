"""Importing feed batches: refused rows with reasons, idempotency, the manifest (both databases)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from supervision import scenario

from dossier import db
from dossier.privacy import hash_id_number
from schemas.feeds_tables import FeedAdminPenalty, FeedBatch, FeedJudgment, FeedPerson, FeedReject
from tasks.feeds.batch import import_batch

BAD_ID = scenario.pid(1)[:-1] + ("0" if scenario.pid(1)[-1] != "0" else "1")


def _count(engine: sa.Engine, table) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(table))


def test_bad_rows_are_refused_with_reasons_and_the_rest_loads(
        migrated_url: str, tmp_path: Path) -> None:
    engine = db.get_engine(migrated_url)
    good = scenario.rows()["admin_penalties"][:2]
    bad = [
        {**good[0], "penalty_id": "AP-BAD-ID", "person_id": BAD_ID},
        {**good[0], "penalty_id": "AP-BAD-DATE", "decided_date": "2026-02-30"},
        {**good[0], "penalty_id": "AP-BAD-ORDER", "transferred_date": "2026-01-01"},
        {**good[0], "penalty_id": "AP-BAD-AMOUNT", "amount_yuan": "-5"},
        {**good[0], "penalty_id": "", "offence": ""},
    ]
    judgment = {**scenario.rows()["judgments"][0], "judgment_id": "J-BAD-ENUM",
                "penalty": "劳动教养", "recidivist": "yes"}
    folder = scenario.write(tmp_path / "rejects", {"admin_penalties": good + bad,
                                                  "judgments": [judgment]})
    (folder / "notes.txt").write_text("not a feed", encoding="utf-8")
    manifest = import_batch(engine, folder)

    entry = manifest["files"]["admin_penalties"]
    assert (entry["rows"], entry["loaded"], entry["rejected"]) == (7, 2, 5)
    assert len(entry["sha256"]) == 64 and manifest["ignored_files"] == ["notes.txt"]
    assert manifest["files"]["judgments"]["rejected"] == 1
    assert manifest["files"]["people"]["rows"] == 0
    with engine.connect() as connection:
        rejects = {r.record_id or f"line {r.line}": r for r in connection.execute(
            sa.select(FeedReject).where(FeedReject.batch_id == "rejects"))}
        batch = connection.execute(sa.select(FeedBatch.__table__)).one()
    assert batch.rows_loaded == 2 and batch.rows_rejected == 6
    assert batch.manifest["files"]["admin_penalties"]["sha256"] == entry["sha256"]
    assert rejects["AP-BAD-ID"].reasons == ["身份证号码格式或校验位错误。"]
    assert rejects["AP-BAD-DATE"].reasons == ["日期不是有效的 YYYY-MM-DD。"]
    assert rejects["AP-BAD-ORDER"].reasons[0].startswith("日期先后顺序不合理")
    assert rejects["AP-BAD-AMOUNT"].reasons == ["金额或数值不是非负数。"]
    assert set(rejects["line 8"].reasons) == {"记录编号为空。",
                                              "必填项为空（offence、decided_date）。"}
    assert len(rejects["J-BAD-ENUM"].reasons) == 2  # penalty not allowed, flag not true/false
    # The refused row keeps its content but never the raw ID number.
    row = rejects["AP-BAD-ID"].row
    assert "person_id" not in row and row["person_masked"].startswith("110105")
    assert BAD_ID not in str(row)


def test_a_redelivered_record_replaces_its_row(migrated_url: str, tmp_path: Path) -> None:
    engine = db.get_engine(migrated_url)
    data = scenario.rows()
    first = {"admin_penalties": data["admin_penalties"], "people": data["people"][:5],
             "judgments": data["judgments"][:3]}
    scenario.write(tmp_path / "b1", first)
    import_batch(engine, tmp_path / "b1")
    import_batch(engine, tmp_path / "b1")  # the same batch twice changes nothing
    assert _count(engine, FeedAdminPenalty) == len(data["admin_penalties"])
    assert _count(engine, FeedPerson) == 5
    corrected = dict(data["admin_penalties"][0], amount_yuan="4321", offence="诈骗")
    again = [corrected, dict(corrected)]  # twice in one file: the last wins
    again[1]["amount_yuan"] = "4322"
    scenario.write(tmp_path / "b2", {"admin_penalties": again})
    manifest = import_batch(engine, tmp_path / "b2")
    assert manifest["files"]["admin_penalties"]["loaded"] == 1
    assert _count(engine, FeedAdminPenalty) == len(data["admin_penalties"])
    with engine.connect() as connection:
        row = connection.execute(sa.select(FeedAdminPenalty).where(
            FeedAdminPenalty.penalty_id == corrected["penalty_id"])).one()
        person = connection.execute(sa.select(FeedPerson).limit(1)).one()
        judgment = connection.execute(sa.select(FeedJudgment).limit(1)).one()
        batches = connection.scalars(sa.select(FeedBatch.batch_id)).all()
    assert (row.amount_yuan, row.offence, row.batch_id) == (4322.0, "诈骗罪", "b2")
    assert row.person_key == hash_id_number(corrected["person_id"])
    assert row.person_masked == corrected["person_id"][:6] + "*" * 11 + corrected["person_id"][-1]
    assert person.person_key == hash_id_number(person.person_key) or len(person.person_key) == 64
    assert judgment.recidivist in (True, False) and judgment.effective_date is not None
    assert {"b1", "b2"} <= set(batches)


def test_a_file_missing_a_column_is_refused_whole(migrated_url: str, tmp_path: Path) -> None:
    engine = db.get_engine(migrated_url)
    folder = tmp_path / "header"
    folder.mkdir()
    (folder / "prison.csv").write_text("record_id,person_id,admitted_date\nPR-9,x,2026-01-01\n",
                                       encoding="utf-8")
    manifest = import_batch(engine, folder)
    assert manifest["files"]["prison"]["loaded"] == 0
    assert "released_date" in manifest["files"]["prison"]["error"]


@pytest.fixture(autouse=True)
def _empty(migrated_url: str) -> None:
    from schemas.tables import metadata

    with db.get_engine(migrated_url).begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())

"""After an ID-number key rotation an open finding stays one lead (dossier leads rekey).

The feed batch is imported from a folder (``dossier feeds import``, which keeps its
files in the store as ``dossier feeds upload`` does); the models find their leads
and a reviewer takes one up. Then the key is rotated. Carried over with the old key,
every lead keeps its id, status and history and the next run finds nothing new;
without it, every open finding would come back as a second lead. Run both ways: the
operator carries over before the next run, or after a run already found the
duplicates (they are merged).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa
from supervision import scenario
from typer.testing import CliRunner

from dossier import db
from dossier.cli import app
from dossier.privacy import hash_id_number
from dossier.settings import reset_settings
from dossier.store import get_store
from schemas.feeds_tables import FEED_TABLES, FeedBatch, FeedReject
from schemas.leads_tables import Lead, LeadHistory, SupervisionRun
from tasks.feeds.batch import import_batch
from tasks.stages.feeds import import_local_batch
from tasks.supervision.leads import set_status
from tasks.supervision.rekey import key_map, rekey
from tasks.supervision.run import supervise_database


def _found(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
           ) -> tuple[sa.Engine, int, int, str]:
    """Empty tables, the scenario batch in the store and imported, leads found, one
    taken up by a reviewer: (engine, leads, the reviewed lead's id, its person's ID
    number)."""
    monkeypatch.setenv("DOSSIER_DATABASE_URL", url)
    reset_settings()
    engine = db.get_engine(url)
    with engine.begin() as connection:
        for table in (LeadHistory, Lead, SupervisionRun, FeedReject, FeedBatch,
                      *FEED_TABLES.values()):
            connection.execute(sa.delete(table))
    folder = scenario.write(tmp_path / "b1")
    import_local_batch(get_store(), folder, "b1")  # `dossier feeds import`: files kept in the store
    result = supervise_database(engine, None, scenario.AS_OF)
    total = sum(m["new"] for m in result["models"])
    assert total == sum(len(v) for v in scenario.EXPECTED.values())
    people = {hash_id_number(p["person_id"]): p["person_id"] for p in scenario.rows()["people"]}
    with engine.begin() as connection:
        lead_id, subject = connection.execute(
            sa.select(Lead.id, Lead.subject).where(Lead.subject.in_(people))
            .order_by(Lead.id)).first()
        set_status(connection, lead_id, "under_review", actor="检察官甲")
    return engine, total, lead_id, people[subject]


def _rotate(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A new key in the settings; returns the old one."""
    old = os.environ["DOSSIER_ID_HASH_KEY"]
    monkeypatch.setenv("DOSSIER_ID_HASH_KEY", secrets.token_hex(32))
    reset_settings()
    return old.encode()


def _leads(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(Lead)) or 0


def _history(engine: sa.Engine, lead_id: int) -> list[tuple[str, str | None]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            sa.select(LeadHistory.event, LeadHistory.to_status)
            .where(LeadHistory.lead_id == lead_id).order_by(LeadHistory.id))]


def test_carried_over_before_the_next_run_the_finding_stays_one_lead(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, total, lead_id, number = _found(migrated_url, tmp_path, monkeypatch)
    old = _rotate(monkeypatch)

    mapping, sources = key_map(get_store(), old)
    assert sources["feeds"] >= len(scenario.rows()["people"])
    assert mapping[hash_id_number(number, old)] == hash_id_number(number)
    dry = rekey(engine, mapping, dry_run=True)
    assert dry.leads == total and dry.feed_rows > 0
    with engine.connect() as connection:  # a dry run writes nothing
        assert connection.scalar(sa.select(Lead.subject).where(Lead.id == lead_id)) == \
            hash_id_number(number, old)

    report = rekey(engine, mapping)
    assert (report.leads, report.unmapped, report.merged, report.conflicts) == (total, 0, [], [])
    again = supervise_database(engine, None, scenario.AS_OF)
    assert sum(m["new"] for m in again["models"]) == 0, again["models"]
    assert _leads(engine) == total
    with engine.connect() as connection:
        lead = connection.execute(sa.select(Lead).where(Lead.id == lead_id)).one()
    assert lead.subject == hash_id_number(number) and lead.status == "under_review"
    assert lead.last_run_id == again["run_id"]
    assert _history(engine, lead_id) == [("found", "new"), ("status", "under_review"),
                                         ("rekeyed", None)]
    # Idempotent: a second carry-over finds nothing left to do.
    assert rekey(engine, key_map(get_store(), old)[0]).leads == 0


def test_duplicates_found_after_the_rotation_are_merged_into_the_reviewed_lead(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, total, lead_id, number = _found(migrated_url, tmp_path, monkeypatch)
    old = _rotate(monkeypatch)
    # The documented re-import, then a run before the carry-over: every finding twice.
    import_batch(engine, tmp_path / "b1")
    late = supervise_database(engine, None, scenario.AS_OF)
    assert sum(m["new"] for m in late["models"]) == total
    assert _leads(engine) == 2 * total

    key_file = tmp_path / "old.key"
    key_file.write_text(old.decode() + "\n")
    runner = CliRunner()
    dry = runner.invoke(app, ["leads", "rekey", "--old-key-file", str(key_file), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"duplicate leads would be merged into the older one: {total}" in dry.output
    assert _leads(engine) == 2 * total
    done = runner.invoke(app, ["leads", "rekey", "--old-key-file", str(key_file)])
    assert done.exit_code == 0, done.output
    assert f"duplicate leads merged into the older one: {total}" in done.output
    assert _leads(engine) == total
    with engine.connect() as connection:
        lead = connection.execute(sa.select(Lead).where(Lead.id == lead_id)).one()
    assert lead.subject == hash_id_number(number) and lead.status == "under_review"
    assert lead.last_run_id == late["run_id"]  # it was seen by the later run
    assert _history(engine, lead_id)[-1] == ("rekeyed", None)
    again = supervise_database(engine, None, scenario.AS_OF)
    assert sum(m["new"] for m in again["models"]) == 0

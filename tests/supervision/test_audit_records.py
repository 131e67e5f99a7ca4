"""`dossier audit --feeds BATCH` and `--leads`: records no dossier's chain covers, verified.

A feed batch goes through the store as the deployment imports it (marker, files,
import manifest), the models find their leads; the audit passes. Then a batch file,
a feed row, a lead's explanation and a row a lead cites as evidence are tampered
with, and the audit names each one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from recommendations.helpers import clear
from supervision import scenario
from typer.testing import CliRunner

from dossier.cli import app
from dossier.settings import reset_settings
from dossier.store import get_store
from schemas.feeds_tables import FeedAdminPenalty, FeedBatch, FeedMeasure
from schemas.leads_tables import Lead
from tasks.audit_records import audit_feed_batch, audit_leads
from tasks.feeds.store import upload_batch
from tasks.stages.feeds import import_feed_batch
from tasks.supervision.run import supervise_database


def _where(report) -> set[tuple[str, str]]:
    return {(f.kind, f.where) for f in report.findings}


def test_feed_batches_and_leads_verify_and_tampering_is_named(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = clear(migrated_url)
    monkeypatch.setenv("DOSSIER_DATABASE_URL", migrated_url)
    reset_settings()
    store = get_store()
    marker = upload_batch(store, scenario.write(tmp_path / "b1"), "b1")
    import_feed_batch(store, marker.removesuffix("_READY"))
    supervise_database(engine, None, scenario.AS_OF)

    with engine.connect() as connection:
        batch, leads = audit_feed_batch(store, connection, "b1"), audit_leads(connection)
    assert batch.ok and not batch.findings, batch.findings
    assert batch.checked["files"] == len(scenario.rows())
    assert batch.checked["feed rows"] >= sum(map(len, scenario.rows().values())) - 5
    assert leads.ok and not leads.findings, leads.findings
    assert leads.checked["evidence records"] >= leads.checked["leads"] > 0

    # A batch file rewritten in the store, a row changed, a lead's explanation edited,
    # a row a lead cites removed.
    penalties = "feeds/b1/admin_penalties.csv"
    store.put_bytes(penalties, store.get_bytes(penalties).replace(b"1000", b"9000", 1))
    with engine.begin() as connection:
        connection.execute(sa.update(FeedMeasure).where(FeedMeasure.measure_id == "M-POS-D1")
                           .values(kind="逮捕"))
        lead_id = connection.scalar(sa.select(Lead.id).order_by(Lead.id))
        connection.execute(sa.update(Lead).where(Lead.id == lead_id)
                           .values(explanation="已核实，无问题。"))
        cited = next(r for r in connection.scalars(sa.select(Lead.records)) if any(
            x.startswith("admin_penalties:") for x in r))
        penalty_id = next(x for x in cited if x.startswith("admin_penalties:")).split(":")[1]
        connection.execute(sa.delete(FeedAdminPenalty)
                           .where(FeedAdminPenalty.penalty_id == penalty_id))

    with engine.connect() as connection:
        batch, leads = audit_feed_batch(store, connection, "b1"), audit_leads(connection)
    assert not batch.ok
    assert ("tampered", penalties) in _where(batch)
    assert ("tampered", "feed_measures.kind") in _where(batch)
    assert not leads.ok
    assert ("tampered", f"leads[id={lead_id}].content_sha256") in _where(leads)
    assert any(f.kind == "missing" and f.where.endswith(".records") for f in leads.findings)
    assert not any("9000" in f.problem or "逮捕" in f.problem for f in batch.findings)

    runner = CliRunner()
    done = runner.invoke(app, ["audit", "--feeds", "b1"])
    assert done.exit_code == 1, done.output
    assert f"TAMPERED: [feeds] {penalties}" in done.output
    assert runner.invoke(app, ["audit", "--feeds", "no-such-batch"]).exit_code == 2
    done = runner.invoke(app, ["audit", "--leads"])
    assert done.exit_code == 1 and f"leads[id={lead_id}].content_sha256" in done.output


def test_a_batch_imported_from_a_folder_is_kept_in_the_store_and_audited(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dossier feeds import FOLDER` puts the files and a marker saying so into the store:
    the audit compares the rows with them, and the import the marker triggers on a
    deployed stack does nothing (the same files are recorded), unless forced."""
    engine = clear(migrated_url)
    monkeypatch.setenv("DOSSIER_DATABASE_URL", migrated_url)
    reset_settings()
    store = get_store()
    folder = scenario.write(tmp_path / "local")
    runner = CliRunner()
    done = runner.invoke(app, ["feeds", "import", str(folder), "--batch", "b2"])
    assert done.exit_code == 0, done.output
    assert f"files kept in {store.description}/feeds/b2/" in done.output
    assert sorted(i.key for i in store.list("feeds/b2/")) == sorted(
        [f"feeds/b2/{name}.csv" for name in scenario.rows()] + ["feeds/b2/_READY"])

    with engine.connect() as connection:
        batch = audit_feed_batch(store, connection, "b2")
    assert batch.ok and not batch.findings, batch.findings
    assert batch.checked["feed rows"] >= sum(map(len, scenario.rows().values())) - 5

    triggered = import_feed_batch(store, "feeds/b2/_READY")
    assert triggered["skipped"].startswith("imported by dossier feeds import")
    with engine.connect() as connection:
        imported_at = connection.scalar(sa.select(FeedBatch.imported_at))
    forced = import_feed_batch(store, "feeds/b2/_READY", force=True)
    assert "skipped" not in forced and forced["rows_loaded"] == triggered["rows_loaded"]
    with engine.connect() as connection:
        assert connection.scalar(sa.select(FeedBatch.imported_at)) > imported_at

    # A file changed after the import: the triggered import no longer trusts the record.
    penalties = folder / "admin_penalties.csv"
    penalties.write_bytes(penalties.read_bytes().replace(b"1000", b"9000", 1))
    upload_batch(store, folder, "b2")
    assert "skipped" not in import_feed_batch(store, "feeds/b2/_READY")

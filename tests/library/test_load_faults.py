"""PostgreSQL restarted in the middle of a load: the transaction rolls back whole, and
the rerun (the load task's retry) loads the dossier exactly once.

The cluster is the test's own (free port, temporary folder): restarting it disturbs
no other test.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from own_services import own_postgres

from dossier import db
from dossier.settings import reset_settings
from infra.services_env import DATABASE_URL
from library.test_load import ID_A, SHA_A, card, count, page, snapshot
from schemas.manifest import Manifest, StageOutput, StageRecord
from schemas.tables import Case, Dossier, Lineage, Page
from tasks.library.load import register_dossier
from tasks.stages.library import load_dossier

pytestmark = [pytest.mark.services, pytest.mark.slow]


def manifest_for(dossier_id: str = ID_A, sha256: str = SHA_A) -> Manifest:
    """A retrieved dossier's manifest, as the load stage gets it."""
    manifest = Manifest(dossier_id=dossier_id, sha256=sha256, filename="卷宗.pdf", size=1000,
                        original_key=f"originals/{dossier_id}/卷宗.pdf")
    manifest.stages["retrieve"] = StageRecord(
        stage="retrieve", code_version="test",
        outputs=[StageOutput(key=f"originals/{dossier_id}/卷宗.pdf", sha256=sha256, size=1000)])
    return manifest


def _waiting_for_a_lock(url: str) -> bool:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        waiting = connection.scalar(sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))
    engine.dispose()
    return bool(waiting)


def test_postgres_restarted_during_load(
    services_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with own_postgres(tmp_path / "pg") as postgres:
        url = postgres.env[DATABASE_URL]
        monkeypatch.setenv("DOSSIER_DATABASE_URL", url)
        reset_settings()
        db.upgrade(url)
        with db.session_scope(url) as session:
            register_dossier(session, dossier_id=ID_A, sha256=SHA_A, filename="卷宗.pdf",
                             size=1000, status="processing")
        pages = [page(ID_A, number) for number in range(1, 10)]

        # Hold the cases table, so the load writes its pages and then waits inside its
        # transaction; restart the server while it waits.
        blocker = sa.create_engine(url, poolclass=sa.pool.NullPool).connect()
        blocker.begin()
        blocker.execute(sa.text("LOCK TABLE cases IN ACCESS EXCLUSIVE MODE"))
        failure: list[BaseException] = []

        def first_load() -> None:
            try:
                load_dossier(manifest_for(), pages, card(ID_A), None, "run-1")
            except BaseException as error:  # what the flow's load task would see
                failure.append(error)

        loader = threading.Thread(target=first_load)
        loader.start()
        deadline = time.monotonic() + 60
        while not _waiting_for_a_lock(url):
            assert time.monotonic() < deadline, "the load never reached the locked table"
            time.sleep(0.2)
        postgres.stop()
        postgres.start()
        loader.join(timeout=120)
        assert not loader.is_alive()
        assert failure and isinstance(failure[0], sa.exc.DBAPIError), failure
        with contextlib.suppress(sa.exc.DBAPIError):  # its server went away
            blocker.close()

        with db.session_scope(url) as session:  # rolled back whole: no page, no case
            assert (count(session, Page), count(session, Case), count(session, Lineage)) == (
                0, 0, 0)
            assert session.get(Dossier, ID_A).status == "processing"

        # The rerun (the load task retries) loads it, and a further rerun changes nothing.
        assert load_dossier(manifest_for(), pages, card(ID_A), None, "run-1")[0] == "ok"
        with db.session_scope(url) as session:
            assert (count(session, Page), count(session, Case), count(session, Lineage)) == (
                9, 1, 1)
            once = snapshot(session)
        load_dossier(manifest_for(), pages, card(ID_A), None, "run-1")
        with db.session_scope(url) as session:
            after = snapshot(session)
        changed = [table for table in once if once[table] != after[table]]
        assert changed in ([], ["dossiers"]), changed  # at most its updated_at moved
        assert len(after["dossiers"]) == 1
        db.dispose_engines()

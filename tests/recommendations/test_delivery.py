"""The outbox into a second PostgreSQL database, once per number, whatever is retried."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from dossier.db import get_engine
from dossier.store.local import LocalStore
from recommendations.helpers import confirm, plant
from recommendations.targets import second_database
from schemas.recommendations_tables import RecommendationEvent, RecommendationOutbox
from tasks.recommendations.delivery import TargetUnavailable, deliver_pending, pending_count
from tasks.recommendations.issue import issue_recommendations
from tasks.stages.library import ensure_schema


def _target_rows(url: str) -> list[tuple]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT number, recipient, document, document_sha256, body_text "
            "FROM incoming_recommendations ORDER BY number")).all()
    engine.dispose()
    return rows


@pytest.mark.services
def test_each_number_reaches_the_target_once(
    services_env: dict[str, str], real_data_dir: Path, tmp_path: Path
) -> None:
    ensure_schema()
    engine = get_engine()
    store = LocalStore(tmp_path / "store")
    leads = plant(engine, "fine_unenforced", 2, agency="甲县人民法院")
    leads += plant(engine, "fine_unenforced", 1, agency="乙县人民法院", start=10)
    leads += plant(engine, "pension_while_imprisoned", 2, start=20)
    confirm(engine, leads)
    issued = issue_recommendations(engine, store, issued_on=dt.date(2026, 8, 3)).issued
    assert len(issued) == 3

    with second_database(real_data_dir, services_env) as target:
        first = deliver_pending(engine, target)
        assert sorted(first.delivered) == sorted(i.number for i in issued)
        rows = _target_rows(target)
        assert [r.number for r in rows] == sorted(i.number for i in issued)
        for row in rows:  # the document itself travelled, intact
            assert hashlib.sha256(row.document).hexdigest() == row.document_sha256
            assert row.number in row.body_text
        assert {r.recipient for r in rows} == {"甲县人民法院", "乙县人民法院",
                                               "示范市示范区人力资源和社会保障局"}
        assert pending_count(engine) == 0

        # Nothing left: a second delivery does nothing.
        second = deliver_pending(engine, target, include_waiting=True)
        assert (second.delivered, second.already_there) == ([], [])

        # The process died after the target committed but before the outbox was marked:
        # the next attempt finds the number there, inserts nothing, and marks it.
        with engine.begin() as connection:
            connection.execute(sa.update(RecommendationOutbox)
                               .where(RecommendationOutbox.idempotency_key == issued[0].number)
                               .values(status="pending", delivered_at=None))
        third = deliver_pending(engine, target)
        assert third.already_there == [issued[0].number] and third.delivered == []
        assert len(_target_rows(target)) == 3
        with engine.connect() as connection:
            notes = list(connection.scalars(sa.select(RecommendationEvent.note)
                                            .where(RecommendationEvent.event == "delivered")
                                            .order_by(RecommendationEvent.id)))
        assert len(notes) == 4 and notes[-1].endswith("(already there)")
        assert pending_count(engine) == 0


def test_a_failed_attempt_is_recorded_without_the_password(
    tmp_path: Path,
) -> None:
    ensure_schema()
    engine = get_engine()
    confirm(engine, plant(engine, "bail_overdue", 1))
    issue_recommendations(engine, LocalStore(tmp_path / "store"), issued_on=dt.date(2026, 9, 1))
    url = "postgresql+psycopg://dossier:s3cret-pw@127.0.0.1:9/nowhere"  # nothing listens on 9
    before = dt.datetime.now(dt.UTC)
    with pytest.raises(TargetUnavailable) as raised:
        deliver_pending(engine, url, backoff_s=30)
    assert "s3cret-pw" not in str(raised.value)
    with engine.connect() as connection:
        row = connection.execute(sa.select(
            RecommendationOutbox.attempts, RecommendationOutbox.last_error,
            RecommendationOutbox.next_attempt_at, RecommendationOutbox.status)).one()
    assert row.status == "pending" and row.attempts == 1
    assert "s3cret-pw" not in row.last_error
    next_at = row.next_attempt_at.replace(tzinfo=dt.UTC) if row.next_attempt_at.tzinfo is None \
        else row.next_attempt_at
    assert next_at >= before + dt.timedelta(seconds=29)  # backed off
    # Not due yet: a scheduled run leaves it alone; a second failure doubles the wait.
    assert deliver_pending(engine, url).delivered == []
    with pytest.raises(TargetUnavailable):
        deliver_pending(engine, url, include_waiting=True, backoff_s=30)
    with engine.connect() as connection:
        attempts, later = connection.execute(sa.select(
            RecommendationOutbox.attempts, RecommendationOutbox.next_attempt_at)).one()
    later = later.replace(tzinfo=dt.UTC) if later.tzinfo is None else later
    assert attempts == 2 and later >= before + dt.timedelta(seconds=59)

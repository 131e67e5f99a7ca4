"""deliver-recommendations while the case-management database is down: the task retries
with backoff, the outbox keeps the attempts, and when the database returns each
recommendation arrives once.

The target is a PostgreSQL cluster of the test's own (free ports, temporary data),
stopped before the flow starts and started again once two attempts have failed.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from dossier.db import get_engine
from dossier.settings import reset_settings
from dossier.store import get_store
from recommendations.helpers import confirm, plant
from recommendations.targets import throwaway_postgres
from schemas.recommendations_tables import RecommendationOutbox
from tasks.recommendations.issue import issue_recommendations
from tasks.stages.library import ensure_schema

pytestmark = [pytest.mark.services, pytest.mark.slow]

FAILURES_BEFORE_RESTART = 2
WAIT_S = 300.0


def _start_after_failures(cluster, engine: sa.Engine) -> None:
    """… and comes back once the delivery has failed twice (whatever the machine's load)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            attempts = connection.scalar(sa.select(sa.func.min(RecommendationOutbox.attempts)))
        if attempts and attempts >= FAILURES_BEFORE_RESTART:
            break
        time.sleep(0.2)
    cluster.start()


def test_delivery_waits_out_a_stopped_target_and_delivers_once(
    services_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    prefect_api: str,
) -> None:
    from flows.deliver_recommendations import deliver_recommendations

    with throwaway_postgres(tmp_path / "cms") as cluster:
        monkeypatch.setenv("DOSSIER_RECOMMENDATION_TARGET_URL", cluster.url)
        reset_settings()
        ensure_schema()
        engine = get_engine()
        leads = plant(engine, "custody_overdue", 2) + plant(engine, "fine_missing", 2,
                                                             agency="丙县人民法院", start=30)
        confirm(engine, leads)
        numbers = sorted(i.number for i in issue_recommendations(
            engine, get_store(), issued_on=dt.date(2026, 9, 1)).issued)
        assert len(numbers) == 2

        cluster.stop()  # the case-management database goes down …
        restarted = threading.Thread(target=_start_after_failures, args=(cluster, engine))
        started = time.monotonic()
        restarted.start()
        try:
            result = deliver_recommendations(retries=6, backoff_s=1.0)
        finally:
            restarted.join()
        print(f"delivered {time.monotonic() - started:.1f} s after the target stopped")
        assert sorted(result["delivered"]) == numbers

        with engine.connect() as connection:
            outbox = connection.execute(sa.select(
                RecommendationOutbox.idempotency_key, RecommendationOutbox.status,
                RecommendationOutbox.attempts, RecommendationOutbox.last_error)).all()
        assert {row.status for row in outbox} == {"delivered"}
        # failed while it was down, then arrived
        assert all(row.attempts > FAILURES_BEFORE_RESTART for row in outbox)
        assert all(row.last_error is None for row in outbox)

        target = sa.create_engine(cluster.url, poolclass=sa.pool.NullPool)
        with target.connect() as connection:
            arrived = sorted(connection.scalars(sa.text(
                "SELECT number FROM incoming_recommendations")))
        target.dispose()
        assert arrived == numbers  # each once

        again = deliver_recommendations(retries=0, include_waiting=True)
        assert again["delivered"] == [] and again["already_there"] == []


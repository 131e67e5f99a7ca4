"""Two issuing runs at once: every group issued once, numbers 1..N, none twice, no gap.

Both runs see the same confirmed leads, so both try to draft the same groups and to
issue the same drafts; the unique lead citation, the draft's status check and the
locked sequence row must sort that out. On PostgreSQL (row locks) and SQLite (the
write lock), each run on its own connections, started together by a barrier.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import sqlalchemy as sa

from dossier.store.local import LocalStore
from recommendations.helpers import clear, confirm, plant
from schemas.recommendations_tables import (
    Recommendation,
    RecommendationLead,
    RecommendationOutbox,
    RecommendationSequence,
)
from tasks.recommendations.issue import IssueReport, issue_recommendations

GROUPS = [("fine_missing", "甲县人民法院"), ("fine_missing", "乙县人民法院"),
          ("probation_term_invalid", "甲县人民法院"), ("fine_unenforced", "乙县人民法院"),
          ("detention_overdue", None), ("custody_overdue", None), ("bail_overdue", None),
          ("corrections_missed", None), ("pension_while_imprisoned", None),
          ("penalty_instead_of_prosecution", "示范区市场监督管理局")]


def test_two_runs_at_once_number_every_group_once_without_gaps(migrated_url: str,
                                                                tmp_path: Path) -> None:
    engine = clear(migrated_url)
    store = LocalStore(tmp_path / "store")
    leads: list[int] = []
    for n, (model_id, agency) in enumerate(GROUPS):
        leads += plant(engine, model_id, 3, agency=agency, start=100 * n + 1)
    confirm(engine, leads)

    barrier = threading.Barrier(2)
    reports: list[IssueReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            reports.append(issue_recommendations(engine, store, issued_on=dt.date(2026, 7, 1)))
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    issued = [i.number for r in reports for i in r.issued]
    print(f"issued per run: {[len(r.issued) for r in reports]}, "
          f"drafted per run: {[len(r.drafted) for r in reports]}, "
          f"skipped (the other run's): {[r.contended for r in reports]}")
    expected = [f"示范检刑执建〔2026〕{n}号" for n in range(1, len(GROUPS) + 1)]
    assert sorted(issued, key=lambda x: int(x.split("〕")[1][:-1])) == expected

    with engine.connect() as connection:
        serials = sorted(connection.scalars(sa.select(Recommendation.serial)))
        statuses = set(connection.scalars(sa.select(Recommendation.status)))
        cited = connection.scalar(sa.select(sa.func.count()).select_from(RecommendationLead))
        outbox = sorted(connection.scalars(sa.select(RecommendationOutbox.idempotency_key)))
        last = connection.scalar(sa.select(RecommendationSequence.last_serial))
    assert serials == list(range(1, len(GROUPS) + 1)) and statuses == {"issued"}
    assert cited == len(leads) and last == len(GROUPS)
    assert outbox == sorted(expected)
    docx = sorted(o.key for o in store.list("recommendations/") if o.key.endswith(".docx"))
    assert len(docx) == len(GROUPS)

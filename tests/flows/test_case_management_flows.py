"""check-deadlines, evaluate-quality and analysis-report as flows (ephemeral API, SQLite,
local store), on a sample dossier through the structure stage and a case under review.

The case under 审查起诉 is due the day after the as-of date: the daily flow lists it in
its table artifact (name masked) and sends one notice, to the department the settings
give its charge, as an outbox row and a file in the store. The monthly flow scores the
sample's case (closed in May 2019); the report flow stores the page and its figures
under the day's keys and links the page from an artifact.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from case_management import scenario

from dossier.db import get_engine
from dossier.settings import get_settings, reset_settings
from dossier.store import get_store
from schemas.case_management_tables import CaseEvaluation, CaseNotification

pytestmark = pytest.mark.slow


def _artifact(key: str):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        (latest, *_) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    return latest


def test_the_case_management_flows(monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.analysis_report import analysis_report
    from flows.check_deadlines import check_deadlines
    from flows.evaluate_quality import evaluate_quality
    from tasks.stages.library import ensure_schema

    monkeypatch.setenv("DOSSIER_CASE_DEPARTMENTS", '{"诈骗罪": "第二检察部"}')
    reset_settings()
    ensure_schema()
    store = get_store()
    scenario.load_dossiers(get_settings().database_url or "", store, seeds=(42,))

    result = check_deadlines(as_of=scenario.AS_OF, within=3)
    assert result["pressing"] == 1
    (notice,) = result["notices"]
    assert notice["department"] == "第二检察部" and notice["items"] == 1
    body = store.get_bytes(notice["key"]).decode("utf-8")
    assert scenario.PENDING_CASE_NO in body and "2026-07-01" in body
    assert scenario.PENDING_NAME not in body
    table = _artifact("deadlines")
    (row,) = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert table.type == "table" and row["case"] == scenario.PENDING_CASE_NO
    assert row["due"] == "2026-07-01" and row["person"] != scenario.PENDING_NAME
    check_deadlines(as_of=scenario.AS_OF, within=3)  # the same day again: replaced
    with get_engine().connect() as connection:
        rows = connection.execute(sa.select(CaseNotification.department,
                                            CaseNotification.status)).all()
    assert rows == [("第二检察部", "pending")]

    quality = evaluate_quality(month="2019-05", as_of=scenario.AS_OF)
    assert quality["cases"] == 1
    with get_engine().connect() as connection:
        assert connection.scalar(sa.select(CaseEvaluation.month)) == "2019-05"
    assert _artifact("quality-deductions").type == "markdown"

    built = analysis_report(as_of=scenario.AS_OF)
    assert built["keys"]["html"] == "reports/case-management/2026-06-30.html"
    assert store.get_bytes(built["keys"]["html"]).startswith(b"<!DOCTYPE html>")
    assert store.get_json(built["keys"]["json"])["totals"]["cases"] == 2
    link = _artifact("analysis-report")
    assert "2026-06-30.html" in str(link.data)  # Prefect keeps a link artifact as markdown
    assert "reports/case-management/2026-06-30.json" in str(
        _artifact("analysis-report-summary").data)

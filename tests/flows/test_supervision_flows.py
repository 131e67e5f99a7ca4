"""import-feeds and run-supervision as flows (ephemeral API, SQLite, local store).

A batch is put under ``feeds/<batch>/`` with its ``_READY`` marker the way
``dossier feeds upload`` does; the import flow takes the prefix, the
supervision flow runs two models and leaves its table artifact and the leads
files of the run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dossier.store import get_store
from dossier.store.keys import feed_manifest_key, leads_key
from tasks.feeds.store import BatchNotReadyError, upload_batch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from supervision import scenario  # noqa: E402


def test_import_then_supervise(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.import_feeds import import_feeds
    from flows.run_supervision import run_supervision

    store = get_store()
    folder = scenario.write(tmp_path / "2026-06")
    # Files without the marker are an incomplete batch: nothing is imported.
    store.put_file("feeds/early/people.csv", folder / "people.csv")
    with pytest.raises(BatchNotReadyError):
        import_feeds(prefix="feeds/early/")

    marker = upload_batch(store, folder, "2026-06")
    assert marker == "feeds/2026-06/_READY"
    summary = import_feeds(prefix=marker)
    assert summary["batch_id"] == "2026-06" and summary["rows_rejected"] == 0
    manifest = store.get_json(feed_manifest_key("2026-06"))
    assert manifest["files"]["judgments"]["rows"] == len(scenario.rows()["judgments"])

    models = ["fine_missing", "bail_overdue"]
    result = run_supervision(models=models, as_of=scenario.AS_OF)
    assert [m["model"] for m in result["models"]] == models
    assert [m["new"] for m in result["models"]] == [len(scenario.EXPECTED[m]) for m in models]
    leads = store.get_json(leads_key(result["run_id"], "bail_overdue"))
    assert leads["as_of"] == "2026-06-30"
    assert {tuple(lead["records"]) for lead in leads["leads"]} == scenario.EXPECTED["bail_overdue"]
    assert set(leads["leads"][0]) == {"model", "model_version", "severity", "subject",
                                      "case_no", "records", "explanation"}
    again = run_supervision(models=models, as_of=scenario.AS_OF)
    assert [m["new"] for m in again["models"]] == [0, 0]
    assert [m["existing"] for m in again["models"]] == [len(scenario.EXPECTED[m]) for m in models]

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=["run-supervision"])))
    assert artifacts and artifacts[0].type == "table"
    table = artifacts[0].data
    assert "new leads" in str(table) and "bail_overdue" in str(table)

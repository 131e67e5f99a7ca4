"""Feed import and supervision runs as Prefect tasks (retries, artifacts, run ids).

Thin wrappers: the work is in ``tasks.stages.feeds`` and ``tasks.supervision.run``;
what only orchestration knows (the flow run id, the UI table) is added here.
Artifacts carry counts and model ids only, never personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from dossier.db import ensure_schema, get_engine
from dossier.store import get_store
from tasks.orchestration.runtime import current_flow_run_id
from tasks.stages.feeds import import_feed_batch
from tasks.supervision.run import supervise_database


@task(name="import-feed-batch", retries=1, retry_delay_seconds=10)
def import_feeds_task(prefix: str) -> dict[str, Any]:
    manifest = import_feed_batch(get_store(), prefix)
    logger = get_run_logger()
    if manifest.get("skipped"):
        logger.info("batch %s not imported again: %s", manifest["batch_id"], manifest["skipped"])
    rows = []
    for name, entry in manifest["files"].items():
        rows.append({"feed": name, "rows": entry["rows"], "loaded": entry["loaded"],
                     "refused": entry["rejected"], "error": entry.get("error", "")})
        logger.info("feed %s: %d rows, %d loaded, %d refused", name, entry["rows"],
                    entry["loaded"], entry["rejected"])
    create_table_artifact(table=rows, key="import-feeds",
                          description=f"Feed batch {manifest['batch_id']}: rows per feed")
    return {k: v for k, v in manifest.items() if k != "files"}


@task(name="run-supervision-models", retries=1, retry_delay_seconds=10)
def supervise_task(models: list[str] | None, as_of: dt.date | None) -> dict[str, Any]:
    ensure_schema()
    result = supervise_database(get_engine(), models, as_of, store=get_store(),
                                flow_run_id=current_flow_run_id())
    table = [{"model": m["model"], "name": m["name_zh"], "new leads": m["new"],
              "existing leads": m["existing"], "seconds": m["seconds"]}
             for m in result["models"]]
    create_table_artifact(table=table, key="run-supervision",
                          description=f"Supervision run {result['run_id']} as of "
                                      f"{result['as_of']}")
    create_markdown_artifact(
        key="run-supervision-leads",
        markdown=(f"# run-supervision {result['run_id']}\n\nas of {result['as_of']} · "
                  f"{sum(m['new'] for m in result['models'])} new · "
                  f"{sum(m['existing'] for m in result['models'])} existing\n\n"
                  f"leads: `leads/runs/{result['run_id']}/<model>.json`\n"),
        description="Where the run's leads are")
    get_run_logger().info("supervision run %s: %s", result["run_id"],
                          {m["model"]: m["new"] for m in result["models"]})
    return {"run_id": result["run_id"], "as_of": result["as_of"], "models": result["models"]}

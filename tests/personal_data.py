"""Searching what operators and log readers see for personal data (issue 15).

Shared by the in-process end-to-end check (tests/flows/test_personal_data.py) and the
deployed one (tests/ops/test_personal_data_ops.py: worker and watcher log files,
event-triggered runs, the events themselves). Each ``*_views`` function returns
``{where: text}``; :func:`leaks` names every needle found in any of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

# A person's name in an upload's file name, nowhere in its pages: wherever it turns up
# but the upload's own key and its original's, the file name leaked.
NAMED_UPLOAD = "张三伟 盗窃案 起诉意见书.pdf"
NAME_IN_UPLOAD = "张三伟"


def leaks(views: dict[str, str], needles: Iterable[str]) -> list[str]:
    """``where: needle`` for every needle in every view, sorted."""
    needles = [n for n in needles if n]
    return sorted(f"{where}: {needle}" for where, text in views.items()
                  for needle in needles if needle in text)


def prefect_views(flow_run_ids: Iterable[object] | None = None,
                  since: datetime | None = None) -> dict[str, str]:
    """What the Prefect API shows: run names, parameters and states, task-run names, log
    lines, artifacts, and (with ``since``) every event since then. ``flow_run_ids``
    limits runs, logs and artifacts to those runs (a shared server has others')."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )

    ids = None if flow_run_ids is None else [str(i) for i in flow_run_ids]
    seen: dict[str, str] = {}
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)) if ids else None,
            limit=200)
        for run in runs:
            seen[f"flow run {run.id} name"] = run.name
            seen[f"flow run {run.id} parameters"] = json.dumps(run.parameters, default=str,
                                                               ensure_ascii=False)
            seen[f"flow run {run.id} state"] = f"{run.state_name} {run.state and run.state.message}"
        for task_run in client.read_task_runs(
                task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=ids))
                if ids else None, limit=200):
            seen[f"task run {task_run.id} name"] = task_run.name
        offset = 0
        while True:
            logs = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=ids)) if ids else None,
                limit=200, offset=offset)
            for log in logs:
                seen[f"log {log.flow_run_id}/{log.task_run_id} #{offset}"] = log.message
                offset += 1
            if len(logs) < 200:
                break
        for artifact in client.read_artifacts(
                artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=ids))
                if ids else None, limit=200):
            seen[f"artifact {artifact.key or artifact.id}"] = " ".join(
                str(x) for x in (artifact.key, artifact.description, artifact.data))
        if since is not None:
            seen |= _event_views(client, since)
    return seen


def _event_views(client: object, since: datetime, most: int = 5000) -> dict[str, str]:
    """Every event since ``since`` (the UI's event feed shows them, payload included)."""
    from prefect.events.filters import EventFilter, EventOccurredFilter

    seen: dict[str, str] = {}
    page = client.read_events(EventFilter(occurred=EventOccurredFilter(since=since)),
                              limit=50)  # the API's most per page
    while True:
        for event in page.events:
            seen[f"event {event.event} {event.id}"] = event.model_dump_json()
        if page.next_page is None or len(seen) >= most:
            return seen
        page = client.read_events_page(page.next_page)


def file_views(paths: Iterable[Path], root: Path) -> dict[str, str]:
    """Each file's text, named by its path under ``root``."""
    return {f"file {path.relative_to(root)}": path.read_bytes().decode("utf-8", errors="replace")
            for path in paths if path.is_file()}

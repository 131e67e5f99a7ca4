"""Precision and recall of the supervision models against a generated batch's ``planted.jsonl``.

Found leads are those of one database run (the latest, unless named) whose
evidence records come from feeds (leads of case cards, ``card:…``, are not the
batch's). A lead matches a planted one on model and records.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from schemas.leads_tables import Lead, SupervisionRun

Key = tuple[str, tuple[str, ...]]


def planted_leads(folder: Path) -> set[Key]:
    lines = (Path(folder) / "planted.jsonl").read_text(encoding="utf-8").splitlines()
    return {(d["model"], tuple(sorted(d["records"]))) for d in map(json.loads, lines) if d}


def latest_run(connection: sa.Connection) -> str | None:
    return connection.execute(
        sa.select(SupervisionRun.run_id).where(SupervisionRun.source == "database")
        .order_by(SupervisionRun.started_at.desc()).limit(1)).scalar_one_or_none()


def found_leads(connection: sa.Connection, run_id: str) -> tuple[set[Key], list[str]]:
    models = connection.execute(
        sa.select(SupervisionRun.models).where(SupervisionRun.run_id == run_id)).scalar_one()
    found = set()
    for model, records in connection.execute(
            sa.select(Lead.model_id, Lead.records).where(Lead.last_run_id == run_id)):
        if any(str(r).startswith("card:") for r in records):
            continue
        found.add((model, tuple(sorted(records))))
    return found, list(models)


def evaluate(connection: sa.Connection, folder: Path, run_id: str | None = None) -> dict[str, Any]:
    run_id = run_id or latest_run(connection)
    if run_id is None:
        raise LookupError("no supervision run in this database: run `dossier supervise` first")
    planted = planted_leads(folder)
    found, models = found_leads(connection, run_id)
    per: dict[str, dict[str, int]] = defaultdict(lambda: {"planted": 0, "found": 0, "tp": 0})
    for model, _ in planted:
        per[model]["planted"] += 1
    for model, _ in found:
        per[model]["found"] += 1
    for model, _ in planted & found:
        per[model]["tp"] += 1
    rows = []
    for model in models:
        c = per[model]
        precision = c["tp"] / c["found"] if c["found"] else (1.0 if not c["planted"] else 0.0)
        recall = c["tp"] / c["planted"] if c["planted"] else (1.0 if not c["found"] else 0.0)
        rows.append({"model": model, **c, "precision": round(precision, 4),
                     "recall": round(recall, 4)})
    missed = sorted(planted - found)[:20]
    extra = sorted(found - planted)[:20]
    return {"run_id": run_id, "models": rows, "missed": missed, "unexpected": extra}

"""``dossier feeds``: agency feed batches (FEEDS.md) — generate, import, upload, evaluate.

    dossier feeds generate --people 10000 --seed 1 --out batch/ [--as-of 2026-06-30]
    dossier feeds import batch/                 # into DOSSIER_DATABASE_URL
    dossier supervise --as-of 2026-06-30        # the models over the database
    dossier feeds evaluate batch/               # precision and recall vs planted.jsonl
    dossier feeds upload batch/ --batch 2026-06 # to feeds/2026-06/ in the store: triggers import
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Agency feed batches: generate, import, upload, evaluate.",
                  no_args_is_help=True)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the batch into.")],
    people: Annotated[int, typer.Option("--people", min=1)] = 10_000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")]
    = None,
) -> None:
    """Write a realistic batch with planted anomalies and planted.jsonl."""
    from tasks.feeds.generate import generate_batch

    info = generate_batch(people, seed, out, _date(as_of))
    typer.echo(f"{out}: as of {info['as_of']}, " + ", ".join(
        f"{k} {v}" for k, v in info["rows"].items()))
    typer.echo("planted: " + ", ".join(f"{k} {v}" for k, v in sorted(info["planted"].items())))


@app.command("import")
def import_(
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
    batch: Annotated[str | None, typer.Option("--batch", help="Batch id (default: folder name)")]
    = None,
) -> None:
    """Import a batch folder: validate each file, refuse bad rows with reasons, upsert the
    rest. The files are kept in the store under feeds/<batch>/ (audit and rekey read them)."""
    from dossier.store import get_store
    from tasks.stages.feeds import import_local_batch

    manifest = import_local_batch(get_store(), folder, batch or folder.name)
    for name, entry in manifest["files"].items():
        extra = f"  ({entry['error']})" if entry.get("error") else ""
        typer.echo(f"{name:22} rows {entry['rows']:>9}  loaded {entry['loaded']:>9}  "
                   f"refused {entry['rejected']:>6}{extra}")
    typer.echo(f"batch {manifest['batch_id']}: {manifest['rows_loaded']} rows loaded, "
               f"{manifest['rows_rejected']} refused, {manifest['seconds']} s; "
               f"files kept in {manifest['source']}")


@app.command()
def upload(
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
    batch: Annotated[str | None, typer.Option("--batch", help="Batch id (default: folder name)")]
    = None,
) -> None:
    """Put the batch's CSV files under feeds/<batch>/, then the _READY marker that starts
    its import (the marker lists each file's sha256)."""
    from dossier.store import get_store
    from tasks.feeds.store import upload_batch

    key = upload_batch(get_store(), folder, batch or folder.name)
    typer.echo(f"uploaded; marker {key}")


@app.command()
def evaluate(
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
    run_id: Annotated[str | None, typer.Option("--run-id")] = None,
    minimum: Annotated[float, typer.Option("--min", help="Exit 1 below this")] = 0.0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Per-model precision and recall of a supervision run against planted.jsonl."""
    from dossier.db import get_engine
    from tasks.feeds.evaluate import evaluate as run_evaluate

    with get_engine().connect() as connection:
        report = run_evaluate(connection, folder, run_id)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"run {report['run_id']}")
        typer.echo(f"{'model':34} {'planted':>8} {'found':>7} {'tp':>6} {'precision':>10} "
                   f"{'recall':>7}")
        for r in report["models"]:
            typer.echo(f"{r['model']:34} {r['planted']:>8} {r['found']:>7} {r['tp']:>6} "
                       f"{r['precision']:>10.4f} {r['recall']:>7.4f}")
    worst = min([min(r["precision"], r["recall"]) for r in report["models"]] or [1.0])
    if worst < minimum:
        raise typer.Exit(1)

"""``dossier supervise``: the supervision models over the database, or over case-card files.

    dossier supervise [--models a,b] [--as-of 2026-06-30] [--json]
    dossier supervise --card nlp/d1/case.json --card other.json --json

Over the database, leads are stored (found again = the same lead) and written to
``leads/runs/<run_id>/<model>.json`` in the store. With ``--card`` the case-card
models read only the given files, in memory, and nothing is written anywhere.
Output: FEEDS.md "Leads as JSON" with ``--json``, else a table per model.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer


def _models(value: str | None) -> list[str] | None:
    return [m for m in value.split(",") if m.strip()] if value else None


def supervise(
    models: Annotated[str | None, typer.Option("--models", help="Comma-separated model ids")]
    = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the leads as JSON")] = False,
    card: Annotated[list[Path] | None, typer.Option(
        "--card", exists=True, dir_okay=False,
        help="A case-card file (nlp/<id>/case.json); repeatable. No database is used.")] = None,
) -> None:
    """Run the supervision models (大数据法律监督模型) and print their leads."""
    from tasks.supervision.registry import get_models
    from tasks.supervision.run import leads_document

    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    try:
        get_models(_models(models))
    except KeyError as error:
        typer.secho(str(error.args[0]), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from error
    if card:
        from schemas.case_card import CaseCard
        from tasks.supervision.cards import supervise_cards
        from tasks.supervision.run import thresholds

        cards = []
        for path in card:
            parsed = CaseCard.model_validate_json(path.read_text(encoding="utf-8"))
            cards.append((parsed.dossier_id or path.stem, parsed))
        findings = supervise_cards(cards, day, _models(models), thresholds())
        if as_json:
            typer.echo(json.dumps(leads_document(day, findings), ensure_ascii=False, indent=1))
        else:
            for f in findings:
                typer.echo(f"[{f.model}] {f.case_no or '—'} {' '.join(f.records)}\n  {f.explanation}")
            typer.echo(f"{len(findings)} leads from {len(cards)} card(s)")
        return

    from dossier.db import get_engine, upgrade
    from dossier.store import get_store
    from tasks.supervision.run import supervise_database

    upgrade()
    result = supervise_database(get_engine(), _models(models), day, store=get_store())
    if as_json:
        findings = [f for fs in result["findings"].values() for f in fs]
        typer.echo(json.dumps(leads_document(day, findings), ensure_ascii=False, indent=1))
        return
    typer.echo(f"run {result['run_id']} as of {result['as_of']}")
    typer.echo(f"{'model':34} {'leads':>7} {'new':>7} {'existing':>9} {'seconds':>8}")
    for row in result["models"]:
        typer.echo(f"{row['model']:34} {row['leads']:>7} {row['new']:>7} {row['existing']:>9} "
                   f"{row['seconds']:>8.2f}")

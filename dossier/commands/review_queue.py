"""``dossier review-queue``: what waits for a reviewer, and why."""

from __future__ import annotations

import json
from typing import Annotated

import typer


def review_queue(
    include_rejected: Annotated[
        bool, typer.Option("--rejected", help="Also list quarantined (rejected) uploads.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List dossiers held back from the trusted library, with their reasons."""
    from dossier.db import session_scope
    from tasks.library.review_queue import review_queue as queue_of
    from tasks.stages.library import ensure_schema

    ensure_schema()
    with session_scope() as session:
        held = queue_of(session, include_rejected=include_rejected)
    if as_json:
        for item in held:
            typer.echo(json.dumps(item.model_dump(mode="json"), ensure_ascii=False))
        return
    if not held:
        typer.echo("review queue is empty")
        return
    for item in held:
        when = item.updated_at.strftime("%Y-%m-%d %H:%M") if item.updated_at else "—"
        typer.echo(f"{item.dossier_id}  {item.status:<12} {when}  {item.filename_masked}")
        if item.reason:
            typer.echo(f"    reason: {item.reason}")
        if item.critical_checks:
            typer.echo(f"    critical checks: {', '.join(item.critical_checks)}")

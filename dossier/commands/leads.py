"""``dossier leads list|show|confirm|dismiss``: reviewing supervision leads in batches;
``dossier leads rekey``: carrying them over to a rotated ID-number key.

Who decided is the OS user running the command (``getpass.getuser()``) unless
``--by NAME`` says otherwise; it is recorded as ``NAME via cli`` in the lead's
history with the note and the lead's version. A lead is given as ``ID`` (decided on
the version it has now) or ``ID@VERSION`` (the version you were shown, e.g. by
``leads list``/``leads show``: refused if the lead changed since).
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer

app = typer.Typer(help="Supervision leads (监督线索): list, show, confirm, dismiss.",
                  no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="JSON instead of lines.")]


def _engine():
    from dossier.db import get_engine
    from tasks.stages.library import ensure_schema

    ensure_schema()
    return get_engine()


def parse_lead_ref(text: str) -> tuple[int, int | None]:
    """``12`` → (12, None); ``12@3`` → (12, 3)."""
    lead, _, version = text.partition("@")
    try:
        return int(lead), (int(version) if version else None)
    except ValueError:
        raise typer.BadParameter(f"{text!r}: a lead is ID or ID@VERSION") from None


@app.command("list")
def list_leads(
    status: Annotated[str, typer.Option(
        "--status", help="pending (new and under_review), all, or one status: new, "
                         "under_review, confirmed, dismissed, referred.")] = "pending",
    model: Annotated[list[str] | None, typer.Option(
        "--model", help="Only this model's leads (repeatable, or comma-separated).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many (0: all).")] = 200,
    as_json: JsonOption = False,
) -> None:
    """Leads in review order (most severe first, then oldest); names and IDs masked."""
    from tasks.lead_review.leads import list_leads as query

    models = [m.strip() for item in (model or []) for m in item.split(",") if m.strip()]
    try:
        with _engine().connect() as connection:
            views = query(connection, status, models or None, limit or None)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    if as_json:
        typer.echo(json.dumps([v.model_dump(mode="json") for v in views], ensure_ascii=False,
                              indent=1))
        return
    if not views:
        typer.echo(f"no {status} leads")
        return
    for v in views:
        where = v.case_no or ", ".join(v.records[:2])
        typer.echo(f"{v.id}@{v.version}  {v.status:<12} {v.severity:<6} {v.model_id:<30} {where}")
        typer.echo(f"    {v.explanation}")


@app.command()
def show(lead_id: Annotated[int, typer.Argument(help="The lead's id.")],
         as_json: JsonOption = False) -> None:
    """One lead: its content at the current version, evidence records and history."""
    from tasks.lead_review.leads import get_lead, lead_history

    with _engine().connect() as connection:
        view = get_lead(connection, lead_id)
        history = lead_history(connection, lead_id) if view else []
    if view is None:
        typer.echo(f"no lead {lead_id}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps({**view.model_dump(mode="json"),
                               "history": [h.model_dump(mode="json") for h in history]},
                              ensure_ascii=False, indent=1))
        return
    typer.echo(view.headline())
    typer.echo(f"status {view.status} · severity {view.severity} · agency {view.agency or '—'}"
               f" · as of {view.as_of}")
    typer.echo(f"records: {', '.join(view.records)}")
    typer.echo(view.explanation)
    typer.echo("history:")
    for h in history:
        move = f"{h.from_status or ''}→{h.to_status}" if h.to_status else ""
        typer.echo(f"  {h.at:%Y-%m-%d %H:%M} {h.event:<8} v{h.version} {move:<24} "
                   f"{h.actor or h.run_id or ''}  {h.note or ''}")


def _decide(decision: str, leads: list[str], note: str, by: str | None) -> None:
    from tasks.lead_review.decisions import DecisionRequest, decide_all
    from tasks.lead_review.sessions import actor_name

    if not note.strip():
        raise typer.BadParameter("--note must say why")
    who = by or getpass.getuser()
    requests = []
    for ref in leads:
        lead_id, version = parse_lead_ref(ref)
        requests.append(DecisionRequest(lead_id=lead_id, decision=decision, version=version,
                                        note=note))
    results = decide_all(_engine(), requests, actor=actor_name(who, "cli"))
    for r in results:
        typer.echo(f"{r.lead_id}: {r.outcome} — {r.message}")
    if any(r.outcome != "decided" for r in results):
        raise typer.Exit(1)


Leads = Annotated[list[str], typer.Argument(help="Lead ids, as ID or ID@VERSION.")]
Note = Annotated[str, typer.Option("--note", help="Why (recorded with the decision).")]
By = Annotated[str | None, typer.Option("--by", help="Who decides (default: the OS user).")]


@app.command()
def confirm(leads: Leads, note: Note, by: By = None) -> None:
    """Confirm leads (确认): they go on to a 检察建议. Exit code 1 if any was refused."""
    _decide("confirm", leads, note, by)


@app.command()
def dismiss(leads: Leads, note: Note, by: By = None) -> None:
    """Dismiss leads (排除). Exit code 1 if any was refused."""
    _decide("dismiss", leads, note, by)


OLD_KEY_VARIABLE = "DOSSIER_OLD_ID_HASH_KEY"


@app.command()
def rekey(
    old_key_file: Annotated[str | None, typer.Option(
        "--old-key-file", help="A file holding the key before the rotation (the old "
        "data/id_hash.key, or the old DOSSIER_ID_HASH_KEY value on one line); else the "
        f"{OLD_KEY_VARIABLE} variable. Never on the command line: shells keep history.")]
    = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Count what would change; write nothing.")] = False,
) -> None:
    """Carry leads and feed rows over to a rotated ID-number key (docs/OPERATIONS.md).

    Maps every old hash to the new one for each ID number the store can still read
    (feed batch files, OCR text) and each card stand-in, then rewrites leads (one lead
    stays one lead, with its history) and feed rows. Idempotent."""
    import os
    from pathlib import Path

    from dossier.store import get_store
    from tasks.supervision.rekey import key_map
    from tasks.supervision.rekey import rekey as carry_over

    if old_key_file:
        old = Path(old_key_file).read_text(encoding="utf-8").strip()
    else:
        old = os.environ.get(OLD_KEY_VARIABLE, "").strip()
    if not old:
        raise typer.BadParameter(f"give --old-key-file or set {OLD_KEY_VARIABLE}")
    mapping, sources = key_map(get_store(), old.encode("utf-8"))
    report = carry_over(_engine(), mapping, dry_run=dry_run,
                        actor=f"{getpass.getuser()} via cli")
    report.sources = dict(sources)
    for line in report.lines():
        typer.echo(line)
    if dry_run:
        typer.echo("dry run: nothing written")

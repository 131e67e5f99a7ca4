"""``dossier recommendations ...``: 检察建议 issued from confirmed leads, and followed up.

``issue`` drafts and issues (what the ``issue-recommendations`` flow does, without
Prefect), ``deliver`` makes one delivery attempt to the case-management database,
``list`` shows them (``--overdue``: past the reply period), ``show`` prints one
document, ``received`` records the recipient's receipt (the reply period starts
there), ``reply`` records the reply, ``follow-up`` marks the overdue ones.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Prosecutorial recommendations (检察建议): issue, list, reply.",
                  no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="JSON instead of lines.")]
By = Annotated[str | None, typer.Option("--by", help="Who records it (default: the OS user).")]


def _engine():
    from dossier.db import get_engine
    from tasks.stages.library import ensure_schema

    ensure_schema()
    return get_engine()


def _date(text: str | None, name: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{name} takes a date YYYY-MM-DD, not {text!r}") from None


def _today(text: str | None, name: str) -> dt.date:
    from tasks.recommendations.dates import local_today

    return _date(text, name) or local_today()


@app.command()
def issue(
    date: Annotated[str | None, typer.Option(
        "--date", help="Date on the documents (default: today, Asia/Shanghai).")] = None,
    draft_only: Annotated[bool, typer.Option(
        "--draft-only", help="Group and draft; issue later.")] = False,
) -> None:
    """Draft a recommendation per recipient and problem from the confirmed leads, and issue."""
    from dossier.store import get_store
    from tasks.recommendations.issue import issue_recommendations

    report = issue_recommendations(_engine(), get_store(), issued_on=_date(date, "--date"),
                                   draft_only=draft_only)
    typer.echo(f"drafted {len(report.drafted)}, issued {len(report.issued)}, "
               f"withdrawn {len(report.withdrawn)}")
    for i in report.issued:
        typer.echo(f"{i.number}  {i.recipient}  {i.model_id}  {i.lead_count} cases  "
                   f"reply due {i.reply_due_date}  {i.docx_key}")


@app.command()
def deliver(
    waiting: Annotated[bool, typer.Option(
        "--all", help="Also messages whose next attempt is not due yet.")] = False,
) -> None:
    """One delivery attempt of the outbox to DOSSIER_RECOMMENDATION_TARGET_URL."""
    from dossier.db import masked_url
    from dossier.settings import get_settings
    from tasks.recommendations.delivery import TargetUnavailable, deliver_pending

    url = get_settings().recommendation_target_url
    if not url:
        typer.echo("DOSSIER_RECOMMENDATION_TARGET_URL is not set", err=True)
        raise typer.Exit(2)
    try:
        report = deliver_pending(_engine(), url, include_waiting=waiting)
    except TargetUnavailable as error:
        typer.echo(f"target unavailable: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"delivered {len(report.delivered)} to {masked_url(url)}"
               + (f", {len(report.already_there)} were already there"
                  if report.already_there else ""))


@app.command("list")
def list_(
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones.")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Count days overdue as of this date (default: today).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Recommendations: number, status, recipient, dates, delivered or not."""
    from tasks.recommendations.follow_up import list_recommendations

    with _engine().connect() as connection:
        views = list_recommendations(connection, overdue_only=overdue,
                                     as_of=_today(as_of, "--as-of"))
    if as_json:
        typer.echo(json.dumps([v.model_dump(mode="json") for v in views], ensure_ascii=False,
                              indent=1))
        return
    if not views:
        typer.echo("no overdue recommendations" if overdue else "no recommendations")
        return
    for v in views:
        late = f" ({v.days_overdue} days overdue)" if v.days_overdue else ""
        typer.echo(f"{v.number or f'draft {v.id}'}  {v.status:<8} {v.recipient}  {v.model_id}  "
                   f"{v.lead_count} cases  issued {v.issued_date or '—'}  due "
                   f"{v.reply_due_date or '—'}{late}  "
                   f"{'delivered' if v.delivered else 'not delivered'}")


@app.command()
def show(number: Annotated[str, typer.Argument(help="The document number.")]) -> None:
    """Print the 检察建议书 (its text version, from the store)."""
    import sqlalchemy as sa

    from dossier.store import get_store
    from schemas.recommendations_tables import Recommendation

    with _engine().connect() as connection:
        key = connection.scalar(sa.select(Recommendation.txt_key)
                                .where(Recommendation.number == number))
    if not key:
        typer.echo(f"no issued recommendation {number}", err=True)
        raise typer.Exit(1)
    typer.echo(get_store().get_bytes(key).decode("utf-8"))


@app.command()
def received(
    number: Annotated[str, typer.Argument(help="The document number.")],
    date: Annotated[str, typer.Option("--date", help="Day the recipient received it.")],
    by: By = None,
) -> None:
    """Record the receipt (送达): the two-month reply period runs from this date."""
    from tasks.recommendations.dates import local_today
    from tasks.recommendations.follow_up import record_received

    try:
        due = record_received(_engine(), number, _date(date, "--date"),
                              actor=f"{by or getpass.getuser()} via cli", as_of=local_today())
    except (LookupError, ValueError) as error:
        typer.echo(str(error).strip("'\""), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{number}: received {date}, reply due {due}")


@app.command()
def reply(
    number: Annotated[str, typer.Argument(help="The document number.")],
    date: Annotated[str, typer.Option("--date", help="Date of the reply.")],
    text_file: Annotated[Path, typer.Option(
        "--text-file", exists=True, dir_okay=False, help="The reply's text (UTF-8).")],
    by: By = None,
) -> None:
    """Record the recipient's written reply (书面回复); the recommendation is replied."""
    from dossier.store import get_store
    from tasks.recommendations.follow_up import record_reply

    try:
        view = record_reply(_engine(), get_store(), number, _date(date, "--date"),
                            text_file.read_text(encoding="utf-8"),
                            actor=f"{by or getpass.getuser()} via cli")
    except (LookupError, ValueError) as error:
        typer.echo(str(error).strip("'\""), err=True)
        raise typer.Exit(1) from None
    late = view.replied_date > view.reply_due_date if view.reply_due_date else False
    typer.echo(f"{number}: replied {view.replied_date}" + (" (late)" if late else ""))


@app.command("follow-up")
def follow_up(as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Mark as of this date (default: today).")] = None) -> None:
    """Mark issued recommendations past their reply due date as overdue."""
    from tasks.recommendations.follow_up import mark_overdue

    marked = mark_overdue(_engine(), _today(as_of, "--as-of"))
    typer.echo(f"{len(marked)} newly overdue" + (": " + ", ".join(marked) if marked else ""))

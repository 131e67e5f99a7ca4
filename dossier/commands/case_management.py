"""Case management (issue 16): ``dossier deadlines``, ``evaluate-quality``, ``report``, ``notices``.

    dossier deadlines --within 3 [--as-of 2026-06-30] [--notify] [--json]
    dossier evaluate-quality --month 2026-05 [--dry-run] [--json]
    dossier report --out report.html [--json figures.json]
    dossier notices [--all] [--read ID ...]

What the daily, monthly and scheduled flows do, without Prefect. Every command works
on the configured library (migrated first, as the other commands do) and the store;
an empty library or an unreachable database is said in one line, not a traceback.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="JSON instead of a table.")]
AsOf = Annotated[str | None, typer.Option(
    "--as-of", help="YYYY-MM-DD (default: today, Asia/Shanghai).")]
F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def _library_errors(command: F) -> F:
    """The database down or the store unreachable: one line saying so (no traceback)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        import sqlalchemy as sa

        from dossier.db import masked_url

        try:
            return command(*args, **kwargs)
        except sa.exc.OperationalError as error:
            raise _fail(f"cannot reach the library database {masked_url()}: "
                        f"{str(error.orig or error).splitlines()[0]} "
                        "(is it running? `dossier services up`)") from None
        except ConnectionError as error:
            raise _fail(f"cannot reach the object store: {error}") from None

    return run  # type: ignore[return-value]


def _library():
    """The migrated library's engine and the store."""
    from dossier.db import get_engine
    from dossier.store import get_store
    from tasks.stages.library import ensure_schema

    ensure_schema()
    return get_engine(), get_store()


def _day(text: str | None, name: str = "--as-of") -> dt.date:
    from tasks.recommendations.dates import local_today

    if text is None:
        return local_today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{name} takes a date YYYY-MM-DD, not {text!r}") from None


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=1, default=str))


@_library_errors
def deadlines(
    within: Annotated[int, typer.Option(
        "--within", min=0, help="List periods due within this many days (and those past).")] = 3,
    as_of: AsOf = None,
    notify: Annotated[bool, typer.Option(
        "--notify", help="Also send each handling department its notice (the outbox, and "
                         "notices/deadlines/<date>/ in the store), as the daily flow does.")]
    = False,
    as_json: JsonOption = False,
) -> None:
    """流程监控: cases near or past a procedural deadline (审查逮捕, 审查起诉, 退回补充侦查)."""
    from tasks.case_management.monitor import compute_deadlines
    from tasks.case_management.notices import row, send_notices

    day = _day(as_of)
    engine, store = _library()
    report = compute_deadlines(engine, store, day, within)
    pressing = report.pressing()
    sent = send_notices(engine, store, day, pressing, within) if notify else []
    if as_json:
        _echo_json({"as_of": day.isoformat(), "within": within, "cases": report.cases,
                    "periods": len(report.periods), "counts": report.counts(),
                    "pressing": [p.model_dump(mode="json") for p in pressing],
                    "cases_missing_events": len(report.missing),
                    "notices": [s.model_dump() for s in sent]})
        return
    if report.cases == 0:
        typer.echo("no cases in the library yet (dossiers are taken in by `dossier process` "
                   "or the ingest flow; feeds by `dossier feeds import`)")
        return
    typer.echo(f"as of {day}: {report.cases} cases, {len(report.periods)} periods; "
               f"{len(pressing)} due within {within} days or past")
    for p in pressing:
        r = row(p)
        left = f"{r['days_left']} days left" if r["days_left"] != "" else f"{r['days_late']} late"
        typer.echo(f"{r['status']:<14} {r['case']:<28} {r['period']:<18} due {r['due']}"
                   f"{' (extension ' + r['extended_due'] + ')' if r['extended_due'] else ''}  "
                   f"{left}  {r['department']}")
    if report.missing:
        typer.echo(f"{len(report.missing)} cases lack an event a period needs "
                   "(--json lists the counts; the card says what is missing)")
    for s in sent:
        typer.echo(f"notice to {s.department}: {s.items} items  {s.key}")


@_library_errors
def evaluate_quality(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM: the cases closed that month.")],
    as_of: AsOf = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Score without keeping the scores in case_evaluations.")] = False,
    as_json: JsonOption = False,
) -> None:
    """质量评查: score every case closed in MONTH by the rubric, with each deduction's reason."""
    from tasks.case_management.evaluation import evaluate_month, month_bounds

    try:
        month_bounds(month)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    engine, store = _library()
    result = evaluate_month(engine, store, month, as_of=_day(as_of), persist=not dry_run)
    if as_json:
        _echo_json({**result.model_dump(mode="json"), "grades": result.grades(),
                    "mean_score": result.mean_score()})
        return
    if not result.cases:
        typer.echo(f"no case closed in {month} (a case closes with its 起诉书 or 不起诉决定书, "
                   "else its judgment)")
        return
    typer.echo(f"{month}: {len(result.cases)} cases, mean {result.mean_score()}, "
               f"grades {result.grades()} (rubric v{result.rubric_version})")
    for case in result.cases:
        typer.echo(f"{case.score:6.1f} {case.grade:<4} {case.case_no or case.dossier_id:<28} "
                   f"closed {case.closed}  {case.department}")
        for d in case.deductions:
            typer.echo(f"       -{d.points:g}  {d.reason}")


@_library_errors
def report(
    out: Annotated[Path, typer.Option("--out", dir_okay=False,
                                      help="The self-contained HTML report to write.")],
    figures_json: Annotated[Path | None, typer.Option(
        "--json", dir_okay=False, help="Also write the figures as JSON here.")] = None,
    as_of: AsOf = None,
) -> None:
    """数据研判: the analysis report (charts, aggregates only) as one HTML file that opens
    offline, and its figures as JSON."""
    from tasks.case_management.figures import build_figures
    from tasks.case_management.report import render_html

    engine, store = _library()
    figures = build_figures(engine, store, _day(as_of))
    if figures.is_empty():
        raise _fail("nothing to report: the library has no cases, leads, recommendations or "
                    "intake events yet")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(figures), encoding="utf-8")
    typer.echo(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    if figures_json is not None:
        figures_json.parent.mkdir(parents=True, exist_ok=True)
        figures_json.write_text(figures.model_dump_json(indent=1), encoding="utf-8")
        typer.echo(f"wrote {figures_json}")


@_library_errors
def notices(
    show_all: Annotated[bool, typer.Option("--all", help="Also the notices already read.")]
    = False,
    department: Annotated[str | None, typer.Option("--department", help="Only this one.")]
    = None,
    read: Annotated[list[int] | None, typer.Option(
        "--read", help="Mark this notice read (repeatable).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who read it (default: OS user).")]
    = None,
    as_json: JsonOption = False,
) -> None:
    """The notices to handling departments (办案期限提醒): the pending ones, or mark them read."""
    from tasks.case_management.notices import list_notices, mark_read

    engine, _ = _library()
    if read:
        done = mark_read(engine, read, by or getpass.getuser())
        typer.echo(f"marked {done} notice(s) read")
        return
    with engine.connect() as connection:
        items = list_notices(connection, department=department, pending_only=not show_all)
    if as_json:
        _echo_json(items)
        return
    if not items:
        typer.echo("no pending notices" if not show_all else "no notices")
        return
    for n in items:
        typer.echo(f"#{n['id']:<5} {n['as_of']}  {n['status']:<7} {n['department']}: "
                   f"{n['subject']}  {n['key']}")


def register(app: typer.Typer) -> None:
    """The commands on the ``dossier`` app (called from ``dossier.cli``)."""
    app.command("deadlines")(deadlines)
    app.command("evaluate-quality")(evaluate_quality)
    app.command("report")(report)
    app.command("notices")(notices)

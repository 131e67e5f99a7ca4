"""``dossier services up|down|status``: the local MinIO, PostgreSQL and Prefect server.

Everything listens on 127.0.0.1 and keeps its data, logs and pid files under
``data/services``; credentials go once into ``data/services.env``.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

app = typer.Typer(
    help="Local services for development and tests (MinIO, PostgreSQL, Prefect server).",
    no_args_is_help=True,
)

Only = Annotated[
    list[str] | None,
    typer.Option("--only", help="Act on this service only (repeatable): system, postgres, …"),
]

All = Annotated[
    bool,
    typer.Option("--all", help="Also the agents: a Prefect worker and the upload watcher."),
]

EXIT_NOT_ALL_UP = 3


def _quiet_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")


def _table(statuses) -> str:  # list[infra.services.ServiceStatus]
    rows = [("SERVICE", "STATE", "PID", "ADDRESS", "DETAIL")]
    rows += [(s.name, s.state, str(s.pid or "-"), s.address, s.detail) for s in statuses]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in rows
    )


def _names(only: list[str] | None, all_: bool) -> list[str] | None:
    """``--all``: every registered service; default: the stack without the agents."""
    from infra import services

    return services.service_names() if all_ and not only else (only or None)


def _run(action: str, only: list[str] | None, all_: bool = False) -> None:
    from infra import services
    from infra.processes import ServiceError

    _quiet_logging()
    try:
        statuses = getattr(services, action)(_names(only, all_))
    except ServiceError as exc:
        typer.secho(f"services {action} failed: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    typer.echo(_table(statuses))


@app.command()
def up(only: Only = None, all_: All = False) -> None:
    """Install what is missing, start the services, return once all are healthy."""
    _run("up", only, all_)


@app.command()
def down(only: Only = None) -> None:
    """Stop the services (and those depending on the ones named)."""
    _run("down", only)


@app.command()
def status(only: Only = None, all_: All = False) -> None:
    """Show each service's real state; exit 3 unless every one is up."""
    from infra import services
    from infra.processes import ServiceError

    try:
        statuses = services.status(_names(only, all_))
    except ServiceError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    typer.echo(_table(statuses))
    if not all(s.is_up for s in statuses):
        raise typer.Exit(EXIT_NOT_ALL_UP)

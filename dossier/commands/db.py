"""``dossier db upgrade|downgrade|current``: the SQL library's schema (Alembic migrations)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="The SQL library's schema: Alembic migrations.", no_args_is_help=True)

Url = Annotated[
    str | None,
    typer.Option("--url", help="SQLAlchemy URL; default: DOSSIER_DATABASE_URL or the SQLite file."),
]


@app.command()
def upgrade(
    url: Url = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Bring the database up to REVISION (the latest by default)."""
    from dossier import db

    db.upgrade(url, revision)
    typer.echo(f"{db.masked_url(url)} at {db.current_revision(url)}")


@app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. base or -1.")],
    url: Url = None,
) -> None:
    """Step the schema back (drops tables and their data)."""
    from dossier import db

    db.downgrade(url, revision)
    typer.echo(f"{db.masked_url(url)} at {db.current_revision(url) or 'base'}")


@app.command()
def current(url: Url = None) -> None:
    """Print the revision the database is at, and whether it is the latest."""
    from dossier import db

    revision = db.current_revision(url)
    head = db.head_revision()
    state = "up to date" if revision == head else f"behind (head is {head})"
    typer.echo(f"{db.masked_url(url)} at {revision or 'base'}: {state}")
    if revision != head:
        raise typer.Exit(1)

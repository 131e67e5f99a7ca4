"""``dossier upload-ref``: an upload's sealed reference and run name, or what a reference names.

Ingest runs show an upload only by its sealed reference (tasks/intake/upload_ref.py):
the file name may hold a person's name. An operator who knows the file finds its run
by the run name this prints (search the Prefect UI's flow runs), and one who has a
run's ``upload`` parameter opens it with ``--open``.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

import typer


def upload_ref(
    value: Annotated[str, typer.Argument(
        help="An incoming/ key or a file name (taken as incoming/<name>); a local path "
             "with --path; a reference (up1-…) with --open.")],
    open_: Annotated[bool, typer.Option("--open", help="Print what a reference names.")] = False,
    path: Annotated[bool, typer.Option(
        "--path", help="VALUE is a local file as given to `dossier process`.")] = False,
) -> None:
    """Print the reference and the run name of an upload (or, with --open, its key)."""
    from dossier.store.keys import incoming_key, safe_filename
    from tasks.intake.upload_ref import BadUploadRef, seal, unseal
    from tasks.orchestration.runtime import run_name_for

    if open_:
        try:
            kind, opened = unseal(value.strip())
        except BadUploadRef as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
        typer.echo(f"{kind} {opened}")
        return
    if path:
        from pathlib import Path

        ref = seal(str(Path(value).absolute()), "path")
    else:
        name = unicodedata.normalize("NFC", value)
        key = name if name.startswith("incoming/") else incoming_key(safe_filename(name))
        ref = seal(key, "key")
    typer.echo(f"{ref}  run {run_name_for(ref)}")

"""``dossier models``: build, check and list the model artifacts shipped in the package.

A model is fitted here, from data in the repository, and committed; a pipeline run only
loads it (``tasks.models``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Model artifacts: build them from the repository's data, check, list.",
                  no_args_is_help=True)

Names = Annotated[
    list[str] | None, typer.Argument(help="Models to act on (default: every registered one).")
]


def _names(names: list[str] | None) -> list[str]:
    from tasks.models import BUILDERS

    chosen = names or sorted(BUILDERS)
    unknown = [n for n in chosen if n not in BUILDERS]
    if unknown:
        raise typer.BadParameter(f"unknown model {', '.join(unknown)}; known: "
                                 + ", ".join(sorted(BUILDERS)))
    return chosen


@app.command("build")
def build(
    names: Names = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", file_okay=False,
                     help="Write here instead of into the package (to compare builds)."),
    ] = None,
) -> None:
    """Fit each model from the repository's data and write its artifact (deterministic)."""
    from tasks.models import artifact_path, build_artifact, write_artifact

    for name in _names(names):
        typer.echo(f"building {name} …")
        data = build_artifact(name)
        path = (out / artifact_path(name).name) if out else artifact_path(name)
        write_artifact(path, data)
        typer.echo(f"{name}: {path} sha256 {hashlib.sha256(data).hexdigest()} "
                   f"({len(data)} bytes)")


@app.command("check")
def check(names: Names = None) -> None:
    """Exit 1 when an artifact no longer matches its training data or code."""
    from tasks.models import stale_reasons

    failed = False
    for name in _names(names):
        reasons = stale_reasons(name)
        failed |= bool(reasons)
        typer.echo(f"{name}: " + ("stale: " + "; ".join(reasons) + f" — run `dossier models "
                                  f"build {name}` and commit the artifact" if reasons else "ok"))
    if failed:
        raise typer.Exit(1)


@app.command("list")
def list_models() -> None:
    """Each shipped model: version, artifact hash, what it was built from and with."""
    from tasks.models import BUILDERS, artifact_path, read_artifact

    for name in sorted(BUILDERS):
        path = artifact_path(name)
        if not path.exists():
            typer.echo(f"{name}: missing ({path})")
            continue
        artifact = read_artifact(path)
        built = ", ".join(f"{k} {v}" for k, v in sorted(artifact.built_with.items()))
        typer.echo(f"{name} {artifact.version}  sha256 {artifact.sha256}\n  built with {built}")
        for key, value in sorted(artifact.inputs.items()):
            typer.echo(f"  {key} {value}")

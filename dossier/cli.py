"""The ``dossier`` command line. Each command group lives in ``dossier.commands``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from dossier import __version__
from dossier.settings import reset_settings

app = typer.Typer(
    name="dossier",
    help="Case dossiers (卷宗) from scans to validated, structured case data.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main(
    env_file: Annotated[
        Path | None,
        typer.Option(
            "--env-file",
            help="Read DOSSIER_* settings from this file (e.g. data/services.env).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    if env_file is not None:
        from dotenv import load_dotenv

        load_dotenv(env_file, override=True)
        os.environ["DOSSIER_ENV_FILE"] = str(env_file)
        reset_settings()


@app.command()
def version(
    stages: Annotated[
        bool, typer.Option("--stages", help="Also each stage's code version (what reruns compare).")
    ] = False,
) -> None:
    """Print the package version; with --stages, each stage's current code version."""
    typer.echo(__version__)
    if stages:
        from tasks.stages.chain import stages as chain

        for stage in chain():
            typer.echo(f"{stage.name:12s} {stage.code_version}  {stage.description}")


def _register() -> None:
    """Command groups, each in its own module; imported here so ``--help`` lists them all."""
    from dossier.commands import (
        audit,
        db,
        demo,
        models,
        process,
        reprocess,
        review_queue,
        samples,
        services,
    )

    app.add_typer(services.app, name="services")
    app.add_typer(db.app, name="db")
    app.add_typer(models.app, name="models")
    app.command("samples")(samples.samples)
    app.command("process")(process.process)
    app.command("reprocess")(reprocess.reprocess)
    _register_operations()
    app.command("demo")(demo.demo)
    app.command("review-queue")(review_queue.review_queue)
    app.command("audit")(audit.audit)
    _register_supervision()
    _register_library()
    _register_review()
    _register_lead_review()
    from dossier.commands import case_management  # flow monitoring, 质量评查, report (issue 16)
    case_management.register(app)


def _register_supervision() -> None:
    """Agency feeds and supervision models (issue 11)."""
    from dossier.commands import feeds, supervise

    app.add_typer(feeds.app, name="feeds")
    app.command("supervise")(supervise.supervise)


def _register_review() -> None:
    """The case review assistant (issue 14): review points, drafts, their evaluation."""
    from dossier.commands import review

    app.command("review")(review.review)
    app.command("draft")(review.draft)
    app.command("review-eval")(review.review_eval)


def _register_operations() -> None:
    """Deployments, the upload watcher and uploads (operations, issue 6)."""
    from dossier.commands import deploy, upload, upload_ref, watch

    app.command("deploy")(deploy.deploy)
    app.command("upload")(upload.upload)
    app.command("upload-ref")(upload_ref.upload_ref)
    app.command("watch")(watch.watch)


def _register_lead_review() -> None:
    """Lead review and prosecutorial recommendations (issue 12)."""
    from dossier.commands import leads, recommendations

    app.add_typer(leads.app, name="leads")
    app.add_typer(recommendations.app, name="recommendations")


def _register_library() -> None:
    """The legal library: import, search, similar cases, sentencing suggestions (issue 13)."""
    from dossier.commands import library, search

    app.add_typer(library.app, name="library")
    app.command("search")(search.search)
    app.command("similar")(search.similar)
    app.command("suggest-sentence")(search.suggest_sentence)


_register()

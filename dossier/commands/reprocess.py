"""``dossier reprocess``: rebuild case cards and the library from stored outputs."""

from __future__ import annotations

from typing import Annotated

import typer

from dossier.prefect_env import configure_prefect, quiet_shutdown


def reprocess(
    dossier_ids: Annotated[
        list[str] | None, typer.Argument(help="Dossier ids (d + 16 hex), or --all.")
    ] = None,
    all_dossiers: Annotated[
        bool, typer.Option("--all", help="Every finished dossier in the store.")
    ] = False,
    from_stage: Annotated[
        str, typer.Option("--from", help="First stage to rerun: structure, validate, load, …")
    ] = "structure",
    if_older: Annotated[
        bool, typer.Option("--if-older",
                           help="Only dossiers whose record of that stage is from other code.")
    ] = False,
) -> None:
    """Rerun a stage and those after it on the stored outputs (no upload, no OCR).

    The from-stage is run again; later stages run again where their inputs changed.
    Each dossier's library rows are replaced when its card changed, nothing else.
    Prints a line per dossier, then per card field how many cards changed.
    Exit code 1 when a dossier failed.
    """
    from tasks.stages.reprocess import check_from_stage

    try:
        check_from_stage(from_stage)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    if bool(dossier_ids) == all_dossiers:
        raise typer.BadParameter("name dossier ids or give --all (not both)")
    configure_prefect()
    from flows.reprocess import reprocess as reprocess_flow

    summary = reprocess_flow(dossier_ids=dossier_ids or None, all_dossiers=all_dossiers,
                             from_stage=from_stage, if_older=if_older, echo=True)
    for dossier_id, why in sorted(summary.selection.passed.items()):
        typer.echo(f"passed over {dossier_id}: {why}")
    typer.echo(f"reprocessed {len(summary.dossiers)} dossiers from {from_stage}: "
               f"{summary.cards_changed()} cards changed, {len(summary.failed)} failed")
    for name, count in summary.field_counts().items():
        if count:
            typer.echo(f"  {name}: {count} cards changed")
    quiet_shutdown()
    if summary.failed:
        raise typer.Exit(1)

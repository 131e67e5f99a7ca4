"""``dossier audit DOSSIER_ID [--json]``: the chain of one dossier, every hash verified.

Exit status: 0 when every recorded object and library row matches, 1 when something
was tampered with or is missing (each named), 2 when the store has no such dossier.
"""

from __future__ import annotations

from typing import Annotated

import typer

EXIT_TAMPERED = 1
EXIT_UNKNOWN = 2


def _short(value: str | None, width: int = 12) -> str:
    return (value or "—")[:width]


def _print(report) -> None:  # tasks.audit.AuditReport
    typer.echo(f"dossier {report.dossier_id}  status {report.status}  "
               f"sha256 {_short(report.sha256)}  store {report.store}")
    for stage in report.stages:
        when = stage.finished_at.strftime("%Y-%m-%d %H:%M:%S") if stage.finished_at else "—"
        models = ", ".join(f"{k} {v}" for k, v in stage.model_versions.items())
        typer.echo(f"{stage.stage:<10} {when}  code {_short(stage.code_version)}  "
                   f"build {stage.build or '—'}  flow run {stage.flow_run_id or '—'}  "
                   f"task run {stage.task_run_id or '—'}")
        if models:
            typer.echo(f"    models {models}")
        bad = [o for o in stage.outputs if not o.ok]
        typer.echo(f"    in {len(stage.inputs)}  out {len(stage.outputs)}  "
                   + ("verified" if not bad else f"{len(bad)} NOT MATCHING"))
        for output in bad:
            typer.echo(f"      {output.key}: recorded {_short(output.recorded)}, "
                       f"now {_short(output.actual) if output.actual else 'gone'}")
    for check in report.library:
        typer.echo(f"library {check.table:<18} rows {check.rows:<5} "
                   + ("verified" if check.ok else f"NOT MATCHING {check.detail}"))
    typer.echo(f"lineage rows {report.lineage_rows}")
    for finding in report.findings:
        typer.echo(f"{finding.kind.upper()}: [{finding.stage}] {finding.where}: {finding.problem}")
    typer.echo("audit: every hash verified" if report.ok
               else f"audit: {sum(f.kind != 'stale' for f in report.findings)} problem(s)")


def audit(
    dossier_id: Annotated[str, typer.Argument(help="The dossier id (d + 16 hex).")],
    as_json: Annotated[bool, typer.Option("--json", help="The report as one JSON object.")]
    = False,
) -> None:
    """Print the dossier's chain stage by stage (hashes, code and model versions, flow and
    task runs) and verify every stored hash against the objects and the library rows."""
    from dossier.db import session_scope
    from dossier.store import get_store
    from tasks.audit import audit_dossier
    from tasks.stages.library import ensure_schema

    ensure_schema()
    try:
        with session_scope() as session:
            report = audit_dossier(get_store(), session, dossier_id)
    except LookupError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_UNKNOWN) from error
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(EXIT_TAMPERED)

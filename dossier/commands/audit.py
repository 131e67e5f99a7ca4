"""``dossier audit DOSSIER_ID [--json]``: the chain of one dossier, every hash verified;
``dossier audit --leads | --feeds BATCH | --recommendation NUMBER``: the records no
dossier's chain covers (tasks/audit_records.py).

Exit status: 0 when every recorded object and library row matches, 1 when something
was tampered with or is missing (each named), 2 when the store has no such dossier
(batch, recommendation).
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


def _print_records(report) -> None:  # tasks.audit_records.RecordsAudit
    checked = ", ".join(f"{what} {n}" for what, n in report.checked.items()) or "nothing"
    typer.echo(f"{report.subject}: checked {checked}")
    for finding in report.findings:
        typer.echo(f"{finding.kind.upper()}: [{finding.stage}] {finding.where}: {finding.problem}")
    typer.echo("audit: every hash verified" if report.ok
               else f"audit: {sum(f.kind != 'stale' for f in report.findings)} problem(s)")


def audit(
    dossier_id: Annotated[str | None, typer.Argument(help="The dossier id (d + 16 hex).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="The report as one JSON object.")]
    = False,
    leads: Annotated[bool, typer.Option(
        "--leads", help="Every lead: its hashes, history and evidence rows.")] = False,
    feeds: Annotated[str | None, typer.Option(
        "--feeds", metavar="BATCH", help="A feed batch: its files and its rows.")] = None,
    recommendation: Annotated[str | None, typer.Option(
        "--recommendation", metavar="NUMBER",
        help="An issued 检察建议: its documents, outbox message and cited leads.")] = None,
) -> None:
    """Print the dossier's chain stage by stage (hashes, code and model versions, flow and
    task runs) and verify every stored hash against the objects and the library rows;
    or verify leads, a feed batch or a recommendation the same way."""
    from dossier.db import session_scope
    from dossier.store import get_store
    from tasks.audit import audit_dossier
    from tasks.stages.library import ensure_schema

    chosen = [x for x in (dossier_id, leads or None, feeds, recommendation) if x]
    if len(chosen) != 1:
        raise typer.BadParameter("give one of DOSSIER_ID, --leads, --feeds BATCH, "
                                 "--recommendation NUMBER")
    ensure_schema()
    try:
        with session_scope() as session:
            if dossier_id:
                report = audit_dossier(get_store(), session, dossier_id)
            else:
                report = _audit_records(session.connection(), leads, feeds, recommendation)
    except LookupError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_UNKNOWN) from error
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    elif dossier_id:
        _print(report)
    else:
        _print_records(report)
    if not report.ok:
        raise typer.Exit(EXIT_TAMPERED)


def _audit_records(connection, leads: bool, feeds: str | None, recommendation: str | None):
    from dossier.store import get_store
    from tasks.audit_records import audit_feed_batch, audit_leads, audit_recommendation

    if leads:
        return audit_leads(connection)
    if feeds:
        return audit_feed_batch(get_store(), connection, feeds)
    return audit_recommendation(get_store(), connection, str(recommendation))

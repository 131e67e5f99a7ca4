"""``dossier library``: published judgments in, the similar-case index, the evaluation."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="The legal library: import judgments, rebuild the index, evaluate.",
                  no_args_is_help=True)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="JSON lines, one judgment a line.",
                                         exists=True, dir_okay=False)],
    text_field: Annotated[str, typer.Option("--text-field", help="Field with the text.")] = "fd",
    id_field: Annotated[str, typer.Option("--id-field", help="Field with the source id.")] = (
        "text_id"),
    workers: Annotated[int, typer.Option("--workers", help="Structuring processes.")] = 1,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Judgments a transaction.")] = (
        200),
) -> None:
    """Structure each judgment (same extractor as ingest, no OCR) and load it as a
    ``published`` case; idempotent by source id. Prints a JSON summary."""
    from tasks.library.importer import ImportReport

    def progress(report: ImportReport) -> None:
        typer.echo(f"[{report.read}] loaded {report.loaded}, unchanged {report.unchanged}, "
                   f"failed {len(report.failed)} — {report.per_second:.1f}/s", err=True)

    from tasks.library.jobs import import_file

    with open(path, "rb") as handle:
        report = import_file(handle, origin=path.name, text_field=text_field,
                             id_field=id_field, workers=workers, batch_size=batch_size,
                             progress=progress)
    typer.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    if report.failed and not report.loaded and not report.unchanged:
        raise typer.Exit(1)


@app.command("reindex")
def reindex() -> None:
    """Rebuild the similar-case index in the object store from the library."""
    from dossier.db import session_scope
    from dossier.store import get_store
    from tasks.library import similar_index
    from tasks.stages.library import ensure_schema

    ensure_schema()
    with session_scope() as session:
        count = similar_index.rebuild(get_store(), session)
    typer.echo(f"similar-case index: {count} cases")


@app.command("evaluate")
def evaluate(
    judgments: Annotated[Path | None, typer.Option(
        "--judgments", help="JSON lines with text_id and fd (default: shared judge_dev).")] = None,
    labels: Annotated[Path | None, typer.Option(
        "--labels", help="Silver labels (default: judge_dev_labels.jsonl beside it).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="First N judgments only.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Leave-one-out over real judgments: similar cases (P@10, NDCG@10) and sentences
    (CAIL2018 term score, share inside the range, fine accuracy)."""
    from tasks.library.evaluate import SHARED_CASES
    from tasks.library.evaluate import evaluate as run

    judgments = judgments or SHARED_CASES / "judge_dev.jsonl"
    labels = labels or judgments.with_name("judge_dev_labels.jsonl")
    if not judgments.exists():
        typer.secho(f"{judgments} not found", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    report = run(judgments, labels if labels.exists() else None, limit,
                 echo=lambda m: typer.echo(m, err=True))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        return
    typer.echo(f"library: {report.cases} judgments, {report.queries} labelled queries "
               f"({report.seconds:.0f} s)")
    typer.echo(f"similar cases  P@10 {report.p_at_10:.3f} (ceiling of this corpus "
               f"{report.p_at_10_ceiling:.3f}; {report.p_at_10_full:.3f} over the "
               f"{report.full_queries} queries with >= 10 same-charge cases)  "
               f"NDCG@10 {report.ndcg_at_10:.3f}")
    for variant, s in report.sentencing.items():
        typer.echo(f"sentences [{variant:9}] term score {s['term_score']:.3f}  inside range "
                   f"{s['inside_range']:.1%}  fine within 20% {s['fine_within_20pct']:.1%} "
                   f"({s['fines_suggested']} suggested of {s['fines_actual']})  "
                   f"n={s['defendants']}")
    for charge, c in list(report.by_charge.items())[:12]:
        typer.echo(f"  {charge:<24} n={c['n']:<3} term score {c['term_score']:.3f}  median "
                   f"actual {c['actual_median']} / suggested {c['suggested_median']} months")
    sys.stdout.flush()

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
    id_prefix: Annotated[str, typer.Option(
        "--id-prefix", help="Put before each source id (two sources with the same ids).")] = "",
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
                             progress=progress, id_prefix=id_prefix)
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
    extra_library: Annotated[list[str] | None, typer.Option(
        "--extra-library", help="Also measure similar cases against judge_dev plus these real "
        "cases (lecard, lecardv2, all; only under ../shared/data).")] = None,
    folds: Annotated[int, typer.Option("--folds", help="Folds of the cross-validation.")] = 5,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Leave-one-out over real judgments: similar cases (P@10, NDCG@10) and sentences
    (CAIL2018 term score, share inside the range, fine accuracy), the fitted parameters
    cross-validated (k folds) beside their in-sample figure, and where the error lies."""
    from tasks.library import extra_library as extras
    from tasks.library.evaluate import SHARED_CASES
    from tasks.library.evaluate import evaluate as run

    judgments = judgments or SHARED_CASES / "judge_dev.jsonl"
    labels = labels or judgments.with_name("judge_dev_labels.jsonl")
    if not judgments.exists():
        typer.secho(f"{judgments} not found", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    try:
        sources = extras.sources(extra_library or [])
    except KeyError as error:
        typer.secho(str(error.args[0]), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    missing = [p for s in sources for p in s.missing()]
    if missing:
        typer.secho(f"{', '.join(str(p) for p in missing)} not found: the extra libraries "
                    f"live only under ../shared/data (not in the repository)",
                    fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    report = run(judgments, labels if labels.exists() else None, limit,
                 echo=lambda m: typer.echo(m, err=True), extra=sources, folds=folds)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        return
    typer.echo(f"library: {report.cases} judgments, {report.queries} labelled queries "
               f"({report.seconds:.0f} s)")
    typer.echo(f"similar cases  P@10 {report.p_at_10:.3f} (ceiling of this corpus "
               f"{report.p_at_10_ceiling:.3f}; {report.p_at_10_full:.3f} over the "
               f"{report.full_queries} queries with >= 10 same-charge cases)  "
               f"NDCG@10 {report.ndcg_at_10:.3f}")
    for name, r in report.extra_library.items():
        typer.echo(f"  [{name:9}] {r['library']} cases: P@10 {r['p_at_10']:.3f} (ceiling "
                   f"{r['p_at_10_ceiling']:.3f})  NDCG@10 {r['ndcg_at_10']:.3f}  — {r['note']}")
    for variant, s in report.sentencing.items():
        typer.echo(f"sentences [{variant:9}] term score {s['term_score']:.3f}  inside range "
                   f"{s['inside_range']:.1%}  fine within 20% {s['fine_within_20pct']:.1%} "
                   f"({s['fines_suggested']} suggested of {s['fines_actual']}; "
                   f"{s['fine_within_20pct_all']:.1%} of all fined)  n={s['defendants']}  "
                   f"[in-sample: shipped parameters]")
    cv = report.cross_validation
    h = cv["held_out"]
    typer.echo(f"sentences [{cv['folds']}-fold CV] term score {h['term_score']:.3f}  inside range "
               f"{h['inside_range']:.1%}  fine within 20% {h['fine_within_20pct']:.1%} "
               f"({h['fines_suggested']} suggested of {h['fines_actual']}; "
               f"{h['fine_within_20pct_all']:.1%} of all fined)  [held out: parameters fitted "
               f"on the other folds]")
    typer.echo(f"  shipped parameters {_params(report.params)}")
    for i, p in enumerate(cv["chosen"]):
        typer.echo(f"  fold {i} fitted      {_params(p)}")
    a = cv["fitted_on_all_in_sample"]
    typer.echo(f"  fitted on all      {_params(cv['fitted_on_all'])} (in-sample term score "
               f"{a['term_score']:.3f}, fine {a['fine_within_20pct_all']:.1%} of all fined)")
    typer.echo("where the term's error is (signed mean ln((suggested+1)/(actual+1)) after step 2 "
               "base / steps 1-5 / blend; > 0: too heavy):")
    for group, rows in report.breakdown.items():
        typer.echo(f" by {group}:")
        for key, r in list(rows.items())[:14]:
            typer.echo(f"  {key[:22]:<24} n={r['n']:<3} score steps {r['score_steps']:.3f} "
                       f"blend {r['score_blend']:.3f}  bias {_signed(r['bias_base'])} / "
                       f"{_signed(r['bias_steps'])} / {_signed(r['bias_blend'])}  |err| "
                       f"{_signed(r['abs_steps'])} / {_signed(r['abs_blend'])}")
    sys.stdout.flush()


def _params(p: dict) -> str:
    return (f"w {p['weight_guideline']:g}/{p['weight_other']:g} k {p['neighbours']} "
            f"shrink {p['shrink']:g}{' weighted' if p['weighted'] else ''}  fine "
            f"share {p['fine_share']:g} weight {p['fine_weight']:g}")


def _signed(value: float | None) -> str:
    return "   —" if value is None else f"{value:+.2f}"

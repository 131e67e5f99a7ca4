"""``dossier demo``: the main job on the embedded default, on fictitious sample dossiers.

Makes a few sample dossiers (one born-digital PDF, one scanned PDF, one scanned
TIFF by default), runs the whole ingest chain on them — SQLite, the local
object store and Prefect's ephemeral API, nothing to configure — and prints
what a prosecutor would want to see first. Names are masked in the output.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from dossier.settings import get_settings

DEFAULT_PLAN = (("pdf-text", 1), ("pdf", 0), ("tiff", 2))  # (format, sample seed)


def _make_inputs(folder: Path, plan: list[tuple[str, int]]) -> list[Path]:
    """Samples are deterministic by seed: made once, reused by later demos."""
    from dossier.samples.dossier import FORMAT_EXTENSIONS, make_sample_dossier, write_sample

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt, seed in plan:
        sample = make_sample_dossier(seed)
        suffix = "-text" if fmt == "pdf-text" else ""
        path = folder / f"{sample.name}{suffix}.{FORMAT_EXTENSIONS[fmt]}"  # type: ignore[index]
        if not path.exists():
            typer.echo(f"  rendering {path.name} ({len(sample.sheets)} pages) …")
            path = write_sample(sample, folder, fmt)  # type: ignore[arg-type]
        paths.append(path)
    return paths


def _print_summary(lines: list[dict], out: Path) -> None:
    for line in lines:
        outcome = line.get("outcome") or {}
        typer.echo("")
        typer.echo(f"■ {Path(line['input']).name}  →  {line['status']}"
                   + (f"  ({line['reason']})" if line.get("reason") else ""))
        if not outcome:
            continue
        typer.echo(f"  dossier id : {outcome['dossier_id']}"
                   + ("  (already ingested)" if outcome.get("duplicate") else ""))
        pages = outcome.get("page_count") or 0
        typer.echo(f"  pages      : {pages} (blank {len(outcome['pages_blank'])}, "
                   f"failed {len(outcome['pages_failed'])})")
        if outcome.get("documents"):
            counts = Counter(outcome["documents"])
            typer.echo("  documents  : " + "、".join(
                f"{kind}×{n}" if n > 1 else kind for kind, n in counts.items()))
        if outcome.get("charges"):
            typer.echo(f"  charges    : {'、'.join(outcome['charges'])}")
        for defendant in outcome.get("defendants", []):
            typer.echo(f"  defendant  : {defendant['name_masked']}  "
                       f"{'、'.join(defendant['charges']) or ''}  {defendant['sentence'] or ''}")
        if outcome.get("quality_verdict"):
            typer.echo(f"  quality    : {outcome['quality_verdict']}")
        if outcome.get("dossier_id") and (out / outcome["dossier_id"]).exists():
            typer.echo(f"  outputs    : {out / outcome['dossier_id']}/"
                       " (text.txt, pages.json, documents.json, case.json)")


def demo(
    engine: Annotated[
        str | None, typer.Option("--engine", help="OCR engine: rapidocr (default) or tesseract.")
    ] = None,
) -> None:
    """Run the whole chain on three sample dossiers and print a summary."""
    from dossier.commands.process import run_batch

    settings = get_settings()
    folder = settings.data_dir / "demo"
    out = folder / "out"
    typer.echo(f"Embedded default: database {settings.database_url}, store {settings.store_dir}")
    typer.echo(f"Making sample dossiers in {folder / 'inputs'}")
    inputs = _make_inputs(folder / "inputs", list(DEFAULT_PLAN))
    typer.echo(f"Ingesting {len(inputs)} dossiers (OCR takes a few seconds a page) …")
    started = time.perf_counter()
    lines = run_batch(inputs, out, engine=engine)
    _print_summary(lines, out)
    typer.echo("")
    typer.echo(f"Done in {time.perf_counter() - started:.0f} s. Index: {out / 'index.jsonl'}; "
               f"every stage output under {settings.store_dir}.")
    if any(line.get("error") for line in lines):
        raise typer.Exit(1)

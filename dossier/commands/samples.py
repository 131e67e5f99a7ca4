"""``dossier samples``: fictitious sample dossiers, rendered as scans, with their ground truth."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Annotated, get_args

import typer

from dossier.samples.dossier import SampleFormat

FORMATS: tuple[str, ...] = get_args(SampleFormat)


def _formats(value: str) -> list[str]:
    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise typer.BadParameter(f"choose from {', '.join(FORMATS)}; got {value!r}")
    return chosen


def samples(
    out: Annotated[Path, typer.Option("--out", help="Directory for the files.", file_okay=False)],
    n: Annotated[int, typer.Option("--n", min=1, help="How many dossiers.")] = 3,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the first; the rest follow.")] = 0,
    formats: Annotated[
        str, typer.Option("--formats", help=f"Comma-separated: {','.join(FORMATS)}.")
    ] = "pdf",
    pages: Annotated[
        int | None,
        typer.Option("--pages", min=3, help="Grow each dossier to about this many pages."),
    ] = None,
    pages_min: Annotated[int | None, typer.Option("--pages-min", min=3)] = None,
    pages_max: Annotated[int | None, typer.Option("--pages-max", min=3)] = None,
    degrade: Annotated[
        bool, typer.Option("--degrade/--clean", help="Spoil scans as a scanner does.")
    ] = True,
    text_only: Annotated[
        bool,
        typer.Option("--text-only", help="Write only the ground truth (page texts), no rendering."),
    ] = False,
) -> None:
    """Make N fictitious multi-document dossiers (卷宗) as scans, each with <name>.truth.json.

    A single image (png) holds one page, so that format gets a one-page sample of its
    own (<name>-page.png, a 拘留证). Without a page target a dossier has its natural
    length (about 12–30 pages); --pages, or a size drawn between --pages-min and
    --pages-max, adds interrogation sessions and statements until it is that long.
    """
    import json

    from dossier.samples.dossier import (
        make_sample_dossier,
        single_page_sample,
        write_sample_formats,
    )

    chosen = _formats(formats)
    if (pages_min is None) != (pages_max is None):
        raise typer.BadParameter("--pages-min and --pages-max go together")
    if pages_min is not None and pages_max is not None and pages_min > pages_max:
        raise typer.BadParameter("--pages-min is above --pages-max")
    out.mkdir(parents=True, exist_ok=True)
    sizes = random.Random(seed)
    for index in range(n):
        sample_seed = seed + index
        target = pages
        if pages_min is not None and pages_max is not None:
            target = sizes.randint(pages_min, pages_max)
        sample = make_sample_dossier(sample_seed, target_pages=target)
        if text_only:
            path = out / f"{sample.name}.truth.json"
            path.write_text(
                json.dumps(sample.truth(), ensure_ascii=False, indent=1), encoding="utf-8"
            )
            written = [path]
        else:
            multi = [f for f in chosen if f != "png"]
            written = write_sample_formats(sample, out, multi, degrade=degrade)  # type: ignore[arg-type]
            if "png" in chosen:  # a single image holds one page: a photographed 拘留证
                written += write_sample_formats(
                    single_page_sample(sample_seed), out, ["png"], degrade=degrade
                )
        kinds = len(sample.documents)
        typer.echo(
            f"{sample.name}: {len(sample.pages)} pages, {kinds} documents -> "
            + ", ".join(p.name for p in written)
        )

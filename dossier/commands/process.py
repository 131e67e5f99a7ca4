"""``dossier process``: run the ingest chain on local files, one flow run per dossier."""

from __future__ import annotations

import json
import os
import signal
import stat
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from dossier.console import path_text, printable_path
from dossier.prefect_env import configure_prefect, quiet_shutdown

SUPPORTED_SUFFIXES = frozenset(
    {".pdf", ".tif", ".tiff", ".zip", ".png", ".jpg", ".jpeg", ".bmp", ".webp"}
)
INDEX_FIELDS = ("input", "dossier_id", "status", "reason", "stages", "flow_run_id")


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Paths as given; a directory means each supported name directly in it, sorted.

    In a directory a link or a pipe with a supported name is listed too (by
    ``lstat``: nothing is followed or opened here), so that it is refused with
    its reason rather than silently left out or, worse, followed.
    """
    inputs: list[Path] = []
    for path in paths:
        if path.is_dir():
            inputs += sorted(
                p for p in path.iterdir()
                if not stat.S_ISDIR(os.lstat(p).st_mode) and not p.name.startswith(".")
                and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        else:
            inputs.append(path)
    return inputs


def process(
    paths: Annotated[list[Path], typer.Argument(help="Dossier files, or directories of them.")],
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="Where to write results.")],
    until: Annotated[
        str | None,
        typer.Option("--until", help="Stop after this stage (ocr, structure, validate, load, "
                     "…); the dossier's next run goes on from there."),
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="OCR engine: rapidocr or tesseract.")
    ] = None,
) -> None:
    """Ingest each dossier; write DIR/index.jsonl and DIR/<dossier_id>/ outputs.

    A dossier ingested before is not processed again: its outputs are written from the
    store (reason ``duplicate``). A dossier whose earlier run stopped (``--until``) or
    failed goes on from the stages already done. One bad file never stops the batch.
    The exit code is 1 when any input was rejected (or failed unexpectedly), 0 otherwise.
    """
    from tasks.stages.chain import stage_names

    if until is not None and until not in stage_names()[1:]:
        raise typer.BadParameter(f"--until takes {', '.join(stage_names()[1:])}")
    if engine not in (None, "rapidocr", "tesseract"):
        raise typer.BadParameter("--engine takes rapidocr or tesseract")
    inputs = expand_inputs(paths)
    if not inputs:
        typer.echo("no dossier files found", err=True)
        raise typer.Exit(2)
    outcomes = run_batch(inputs, out, until=until, engine=engine)  # type: ignore[arg-type]
    bad = [o for o in outcomes if o["status"] == "rejected" or o.get("error")]
    raise typer.Exit(1 if bad else 0)


_terminated = threading.Event()


def _stop_workers_on_sigterm() -> None:
    """SIGTERM ends the batch: the page workers are killed, not restarted by their pool,
    and no further input is started (the Prefect API the batch started is going too)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, frame: object) -> None:
        from tasks.stages.page_pool import shutdown_pool

        _terminated.set()
        shutdown_pool(now=True)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def run_batch(
    inputs: list[Path], out: Path, *, until: str | None = None, engine: str | None = None,
    echo: bool = True,
) -> list[dict]:
    """Run the flow per input; the index line is written as soon as each one ends, and the
    dossier's outputs (from the store) with it — on every run, a duplicate's too."""
    configure_prefect()
    _stop_workers_on_sigterm()
    from dossier.store import get_store
    from flows.ingest_dossier import ingest_dossier
    from tasks.intake.rejection import masked_filename
    from tasks.intake.source import utf8_named
    from tasks.intake.upload_ref import seal
    from tasks.stages.export import export_dossier
    from tasks.stages.workspace import work_dir

    out.mkdir(parents=True, exist_ok=True)
    store = get_store()
    lines: list[dict] = []
    with open(out / "index.jsonl", "w", encoding="utf-8") as index:
        for number, path in enumerate(inputs, start=1):
            line: dict = {"input": path_text(path), "dossier_id": None}
            missing = _missing(path)
            if missing:  # a typo is not a dossier: no flow run, no quarantine
                line |= {"status": "not_found", "reason": missing, "error": True}
            else:
                try:
                    # absolute(), not resolve(): a link is refused by the flow, not followed
                    with utf8_named(path.absolute(), work_dir()) as given:
                        # The run shows a sealed reference, never the path (names in it).
                        outcome = ingest_dossier(upload=seal(str(given), "path"), until=until,
                                                 engine=engine)
                except Exception as error:  # a bug or an outage: record it, go on
                    if _terminated_by(error):  # Prefect's own SIGTERM handler ran instead
                        _terminated.set()
                    line |= {"status": "needs_review",
                             "reason": f"flow failed: {error}"[:300], "error": True}
                else:
                    line |= {"dossier_id": outcome.dossier_id, "status": outcome.status,
                             "reason": outcome.reason, "flow_run_id": outcome.flow_run_id,
                             "stages": {k: v.split(" ", 1)[0]
                                        for k, v in outcome.stages.items()}}
                    if (outcome.dossier_id and outcome.status != "rejected"
                            and outcome.page_count):
                        export_dossier(store, outcome.dossier_id, outcome.page_count, out)
                    line["outcome"] = outcome.model_dump(mode="json")
            if _terminated.is_set():
                line |= {"status": "interrupted", "reason": "the batch was stopped (SIGTERM)"}
            index.write(json.dumps({k: line.get(k) for k in INDEX_FIELDS},
                                   ensure_ascii=False) + "\n")
            index.flush()
            lines.append(line)
            if echo:
                typer.echo(f"[{number}/{len(inputs)}] "
                           f"{masked_filename(printable_path(path.name))}: "
                           f"{line['status']}"
                           + (f" ({printable_path(line['reason'])})" if line.get("reason")
                              else "")
                           + _skipped_note(line), err=False)
            sys.stdout.flush()
            if _terminated.is_set():
                typer.echo(f"stopped: {len(inputs) - number} inputs not started", err=True)
                break
    quiet_shutdown()
    return lines


def _skipped_note(line: dict) -> str:
    skipped = [name for name, action in (line.get("stages") or {}).items()
               if action == "skipped"]
    return f" [skipped, already done: {', '.join(skipped)}]" if skipped else ""


def _terminated_by(error: BaseException) -> bool:
    """Whether a SIGTERM lies behind ``error``: during a flow run Prefect's handler takes
    the signal and raises TerminationSignal, and reporting the crash to the API the
    signal also ended raises what reaches us (Connection refused) in its stead."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if type(current).__name__ == "TerminationSignal":
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _missing(path: Path) -> str | None:
    """Why ``path`` cannot be an upload at all (it does not exist), else None."""
    from tasks.intake.rejection import RejectedInput
    from tasks.intake.source import InputNotFoundError, check_local_upload

    try:
        check_local_upload(path)
    except InputNotFoundError:
        return "input not found: no such file"
    except RejectedInput:  # a link, a pipe: the flow refuses it and keeps the record
        return None
    return None

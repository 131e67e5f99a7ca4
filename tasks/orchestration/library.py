"""The import-judgments flow's task: a JSON-lines object under ``imports/`` into the library.

One task for the whole file: the import batches its own transactions, so a Prefect task
per judgment would only add ~10 ms of orchestration to each (issue 13: no flow run, Data
Docs build or transaction per judgment). Progress is a progress artifact; the summary
artifact holds counts and failed line numbers only (no text, no names).
"""

from __future__ import annotations

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    update_progress_artifact,
)

from dossier.store import get_store
from tasks.library.importer import ImportReport


@task(name="import-judgments-file", retries=1, retry_delay_seconds=10)
def import_object(key: str, text_field: str = "fd", id_field: str = "text_id",
                  workers: int = 1) -> dict:
    from tasks.library.jobs import import_file

    store = get_store()
    logger = get_run_logger()
    info = store.stat(key)
    progress_id = create_progress_artifact(progress=0.0, description=f"import of {key}")

    def progress(report: ImportReport) -> None:
        # bytes are not known per line: report judgments done against an estimate
        logger.info("%d judgments read, %d loaded, %d unchanged, %.1f/s", report.read,
                    report.loaded, report.unchanged, report.per_second)
        estimate = max(report.read, info.size // 6000 or 1)
        update_progress_artifact(progress_id, min(99.0, 100.0 * report.read / estimate))

    with store.open(key) as handle:
        report = import_file(handle, origin=key.rsplit("/", 1)[-1], original_key=key,
                             text_field=text_field, id_field=id_field, workers=workers,
                             progress=progress)
    update_progress_artifact(progress_id, 100.0)
    summary = report.as_dict()
    failed = ", ".join(str(n) for n, _ in report.failed[:20]) or "—"
    create_markdown_artifact(
        key="import-judgments-summary",
        markdown=(f"## 导入判决 import of `{key}`\n\n| read | loaded | unchanged | duplicates "
                  f"| failed | per second |\n|---|---|---|---|---|---|\n| {report.read} | "
                  f"{report.loaded} | {report.unchanged} | {report.duplicates} | "
                  f"{len(report.failed)} | {report.per_second:.1f} |\n\nfailed lines: {failed}\n"),
        description="Published judgments imported into the library",
    )
    return summary


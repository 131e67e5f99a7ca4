"""Library jobs the command line and the flows share: import a JSON-lines file."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

from tasks.library.importer import ImportReport, import_judgments, read_judgments


def import_file(
    handle: BinaryIO, *, origin: str, text_field: str = "fd", id_field: str = "text_id",
    original_key: str | None = None, workers: int = 1, batch_size: int = 200,
    progress: Callable[[ImportReport], None] | None = None, id_prefix: str = "",
) -> ImportReport:
    """Import every judgment of a JSON-lines stream into the configured library, then bring
    the similar-case index up to date with the cases it loaded (one re-index per file)."""
    from dossier.db import session_scope
    from dossier.store import get_store
    from tasks.library import similar_index
    from tasks.stages.library import ensure_schema

    ensure_schema()
    report = ImportReport()
    lines = io.TextIOWrapper(handle, encoding="utf-8")
    import_judgments(
        session_scope, read_judgments(lines, text_field, id_field, report.failed, id_prefix),
        origin=origin, original_key=original_key, workers=workers, batch_size=batch_size,
        progress=progress, report=report,
    )
    if report.dossier_ids:
        with session_scope() as session:
            similar_index.update(get_store(), session, report.dossier_ids)
    return report

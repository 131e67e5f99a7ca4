"""``dossier upload FILE...``: put dossiers into ``incoming/`` of the configured store.

With MinIO configured (``--env-file data/services.env``) the watcher sees each
object and an ingest run starts; with the local store, run the sweep or
``dossier process``. Only masked names are printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def upload(
    files: Annotated[list[Path], typer.Argument(help="Dossier files to upload.",
                                                exists=True, dir_okay=False)],
) -> None:
    """Upload each file as ``incoming/<file name>`` (the name NFC-normalised)."""
    from dossier.store import get_store
    from dossier.store.keys import incoming_key, safe_filename
    from tasks.intake.rejection import masked_filename
    from tasks.intake.upload_ref import seal
    from tasks.orchestration.runtime import run_name_for

    store = get_store()
    for path in files:
        key = incoming_key(safe_filename(path.name))
        info = store.put_file(key, path)
        sha = (info.sha256 or "-")[:12]
        typer.echo(f"{masked_filename(key)}  {info.size} bytes  sha256 {sha}  → "
                   f"{store.description}  (run {run_name_for(seal(key))})")

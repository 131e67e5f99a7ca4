"""``dossier watch``: the long-running upload watcher (MinIO notifications → Prefect events).

Usually run as a service (``dossier services up --all``). Needs MinIO
(``DOSSIER_MINIO_*``) and a Prefect API (``PREFECT_API_URL``); stops on
SIGTERM or Ctrl-C after sending the events it still holds.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import Annotated

import typer

from dossier.prefect_env import configure_prefect


def watch(
    prefix: Annotated[str, typer.Option("--prefix", help="Key prefix to watch.")] = "incoming/",
    flush_interval: Annotated[
        float, typer.Option("--flush-interval", help="Seconds between buffer-flush HEADs (0: off).")
    ] = 2.0,
) -> None:
    """Emit ``dossier.uploaded`` for every object created under the prefix."""
    from dossier.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call otherwise
    settings = get_settings()
    if not settings.uses_minio:
        typer.secho("dossier watch needs MinIO: set DOSSIER_MINIO_* (--env-file "
                    "data/services.env)", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    configure_prefect()
    if not os.environ.get("PREFECT_API_URL"):
        typer.secho("dossier watch needs PREFECT_API_URL (the Prefect server the triggers "
                    "live on)", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    from dossier.store import get_store
    from infra.watcher import flush_events
    from infra.watcher import watch as run_watch

    store = get_store()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        run_watch(store.client, store.bucket, prefix=prefix,  # type: ignore[attr-defined]
                  flush_interval_s=flush_interval)
    except KeyboardInterrupt:
        pass
    finally:
        flush_events()
        logging.getLogger("infra.watcher").info("watcher stopped")

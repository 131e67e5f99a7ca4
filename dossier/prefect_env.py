"""Prefect's environment for the command line: the embedded default and quiet logs.

Must run before ``prefect`` is imported: Prefect reads its settings at import.
With no ``PREFECT_API_URL``, runs go to Prefect's ephemeral API, whose home is
kept under the data directory so the embedded default leaves nothing elsewhere.
"""

from __future__ import annotations

import logging
import os

from dossier.settings import get_settings

QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    # The ephemeral server starts in ~5 s idle but far slower on a busy 2-core box.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def configure_prefect() -> None:
    for name, value in QUIET.items():
        os.environ.setdefault(name, value)
    if not os.environ.get("PREFECT_API_URL"):
        home = get_settings().data_dir / "prefect"
        home.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("PREFECT_HOME", str(home))


def quiet_shutdown() -> None:
    """The ephemeral server logs cancelled background work as errors while it stops.

    Those messages concern Prefect's own bookkeeping after our runs finished, so
    they are dropped rather than shown to someone reading the command's output.
    """
    for name in ("prefect.server", "uvicorn", "uvicorn.error", "prefect._internal"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

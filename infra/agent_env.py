"""The environment of the long-running agents (worker, watcher) started as services.

They must reach the same MinIO, PostgreSQL and Prefect server as everything
else, so their settings come from the services.env values handed to the
service, never from whatever the shell that ran ``services up`` had exported.
"""

from __future__ import annotations

import os
from pathlib import Path

import psutil

from infra.processes import read_pid

DEFAULT_POOL = "dossier-pool"
WORK_POOL = "DOSSIER_WORK_POOL"
# Settings that would point a child at something other than the services.env values.
_INHERITED_OVERRIDES = ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE", "PREFECT_HOME")


def agent_environment(env: dict[str, str], home: str) -> dict[str, str]:
    """The parent's environment minus DOSSIER_*/Prefect API settings, plus ``env``."""
    child = {k: v for k, v in os.environ.items()
             if not k.startswith("DOSSIER_") and k not in _INHERITED_OVERRIDES}
    keep_data_dir = os.environ.get("DOSSIER_DATA_DIR")
    if keep_data_dir:
        child["DOSSIER_DATA_DIR"] = keep_data_dir
    child.update(env)
    child.update(PREFECT_HOME=home, PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    return child


def work_pool(env: dict[str, str]) -> str:
    return env.get(WORK_POOL) or DEFAULT_POOL


def still_starting_or_alive(pid_path: Path) -> bool:
    """The spawned process exists and is no zombie, whatever its command line says yet.

    Right after ``spawn`` the child may not have exec'd: its command line is
    still the parent's, so the usual marker check would call it dead.
    """
    pid = read_pid(pid_path)
    if pid is None:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False

"""The environment of the long-running agents (worker, watcher) started as services.

They must reach the same MinIO, PostgreSQL and Prefect server as everything
else, so their settings come from the services.env values handed to the
service, never from whatever the shell that ran ``services up`` had exported.
"""

from __future__ import annotations

import os

DEFAULT_POOL = "dossier-pool"
WORK_POOL = "DOSSIER_WORK_POOL"
# Settings that would point a child at something other than the services.env values.
_INHERITED_OVERRIDES = ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_PROFILE", "PREFECT_HOME")
# A shell (or a test process) that ran a quiet ``dossier`` command carries
# PREFECT_LOGGING_LEVEL=WARNING; inherited by a worker, that hides the worker's and the
# flow runs' INFO lines from the Prefect UI, which is where operators read what happened.
_INHERITED_PREFIXES = ("DOSSIER_", "PREFECT_LOGGING_")
AGENT_LOG_LEVEL = "INFO"


def agent_environment(env: dict[str, str], home: str) -> dict[str, str]:
    """The parent's environment minus DOSSIER_*, Prefect API and logging settings, plus
    ``env``; agents log at INFO unless ``env`` (services.env) says otherwise."""
    child = {k: v for k, v in os.environ.items()
             if not k.startswith(_INHERITED_PREFIXES) and k not in _INHERITED_OVERRIDES}
    keep_data_dir = os.environ.get("DOSSIER_DATA_DIR")
    if keep_data_dir:
        child["DOSSIER_DATA_DIR"] = keep_data_dir
    child["PREFECT_LOGGING_LEVEL"] = AGENT_LOG_LEVEL
    child.update(env)
    child.update(PREFECT_HOME=home, PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    return child


def work_pool(env: dict[str, str]) -> str:
    return env.get(WORK_POOL) or DEFAULT_POOL



"""The benchmarks' deployed pipeline: ``infra.deployed_stack`` on the services of
``dossier services up`` (the same helper tests/ops builds its stack with).

Everything it makes is its own and removed afterwards (unless ``keep``): a bucket, a
schema in the test database, a work pool, deployments from prefect.yaml with a name
suffix, a worker and a watcher. The sweep's schedule is paused: every run comes from a
watcher event (or the benchmark starts it).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def bench_stack(prefix: str, keep: bool = False, extra_env: dict[str, str] | None = None,
                ) -> Iterator:
    """The stack (an ``infra.deployed_stack.DeployedStack``), worker and watcher running."""
    from dossier.settings import get_settings
    from infra.deployed_stack import deployed_stack
    from infra.services_env import PREFECT_API_URL, read_services_env

    services = read_services_env(get_settings().services_env_file)
    if not services:
        raise SystemExit("no data/services.env: run `dossier services up` first")
    os.environ[PREFECT_API_URL] = services[PREFECT_API_URL]  # this process asks it too
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-bench-"))
    with deployed_stack(prefix, services, folder, keep=keep, extra_env=extra_env,
                        report=lambda message: print(message, file=sys.stderr)) as stack:
        yield stack

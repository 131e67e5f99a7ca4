"""Dask worker preload for page work: ``dask worker ... --preload tasks.orchestration.dask_worker``.

The LocalCluster of ``tasks.orchestration.runners`` loads it too. It does two things
the page pool (``tasks.stages.page_pool``) needs inside a Dask worker:

- says so at start when the worker is daemonic: its page pool could not start a
  process, and every page it took would come back failed ("daemonic processes
  are not allowed to have children"). Dask logs the error ("Failed to start
  preload") but starts the worker anyway; start the workers with
  ``DASK_DISTRIBUTED__WORKER__DAEMON=False``;
- stops the page pool when the worker closes. The pool's processes are not
  daemonic, so a worker leaving them running waits for them at exit until its
  nanny kills it (4 s per worker, measured).
"""

from __future__ import annotations

import multiprocessing
from typing import Any

DAEMON_HINT = (
    "this Dask worker process is daemonic, so the page pool cannot start its processes: "
    "start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False "
    "(dask config distributed.worker.daemon: false)"
)


def dask_setup(worker: Any) -> None:
    if multiprocessing.current_process().daemon:
        raise RuntimeError(DAEMON_HINT)


def dask_teardown(worker: Any) -> None:
    from tasks.stages.page_pool import shutdown_pool

    shutdown_pool(now=True)

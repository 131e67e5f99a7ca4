"""Where the ingest flow's page tasks run: threads of the flow run, or a Dask cluster.

Chosen by configuration alone (``DOSSIER_TASK_RUNNER``, ``DOSSIER_DASK_ADDRESS``), so
one flow and one deployment run the OCR stage on one machine or on many.

On Dask, a page task still hands its page to the page pool (``read_page_isolated``),
now inside its Dask worker: the page timeout still kills a stuck page, and a crash
in PDFium or onnxruntime takes down a pool process, not the Dask worker. That needs
Dask workers that may start processes: Dask makes its worker processes daemonic by
default, and multiprocessing refuses children to a daemon (every page would come
back failed with "daemonic processes are not allowed to have children"). The
LocalCluster made here has non-daemonic workers; remote ``dask worker`` processes
need ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` and the preload
``tasks.orchestration.dask_worker`` (docs/OPERATIONS.md).

A Dask worker reads its settings (store, page timeout, engine threads) from its own
environment, not from the flow run's: for a LocalCluster they are inherited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from dossier.settings import Settings, get_settings

if TYPE_CHECKING:
    from distributed import LocalCluster

# Loaded by every Dask worker that reads pages (``dask worker --preload ...``).
PAGE_WORKER_PRELOAD = "tasks.orchestration.dask_worker"


# Page tasks in flight per Dask worker (its page pool has one process). Two, as the
# threads runner keeps, was not faster on a standing 2-worker LocalCluster
# (benchmarks/dask_bench: 61.1 s / 30.2 s against 63.8 s / 26.2 s with one).
TASKS_PER_PAGE_PROCESS = 1


def page_worker_env(settings: Settings, processes: int = 1) -> dict[str, str]:
    """Settings of a Dask worker whose page pool has ``processes`` processes.

    Not ``page_workers()``: the cluster, not one worker, is as wide as that. Each
    page's OCR gets the share of the cores it would get under the threads runner.
    """
    return {
        "DOSSIER_OCR_CONCURRENCY": str(processes),
        "DOSSIER_OCR_ENGINE_THREADS": str(settings.threads_per_page()),
    }


def local_cluster_kwargs(settings: Settings) -> dict[str, Any]:
    """A LocalCluster as wide as the threads runner: ``page_workers()`` pages at once,
    one page process per Dask worker process."""
    return {
        "n_workers": settings.page_workers(),
        "threads_per_worker": TASKS_PER_PAGE_PROCESS,
        "processes": True,
        "dashboard_address": None,  # one cluster per flow run: no fixed port to fight over
        "env": page_worker_env(settings, processes=1),
        "preload": [PAGE_WORKER_PRELOAD],
    }


def page_cluster(**cluster_kwargs: Any) -> LocalCluster:
    """A LocalCluster whose worker processes may start the page pool.

    The nannies read ``distributed.worker.daemon`` each time they (re)start a
    worker, so it is set for this process for good, not only while the cluster
    starts: a worker restarted after a crash must be able to start its pool too.
    """
    import dask
    from distributed import LocalCluster

    dask.config.set({"distributed.worker.daemon": False})
    return LocalCluster(**cluster_kwargs)


def ingest_task_runner(settings: Settings | None = None) -> TaskRunner:
    """The ingest flow's task runner, as the settings say."""
    settings = settings or get_settings()
    if settings.task_runner == "threads":
        # Twice as many page tasks in flight as page workers: while one page's task
        # waits on Prefect's bookkeeping (task run, states, the ``ocr`` slot), the
        # next page is already queued at the pool, so no worker idles between pages.
        # (With one task per worker, a 105-page dossier spent 36 s more in its OCR
        # stage than the same pages fed straight to the pool: benchmarks/chain_bench.)
        # Sized for the default engine; a run with the other one still fills its pool.
        return ThreadPoolTaskRunner(max_workers=2 * settings.page_workers())
    from prefect_dask import DaskTaskRunner

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_class=page_cluster,
                          cluster_kwargs=local_cluster_kwargs(settings))

"""Page work in worker processes: a timeout that really stops a page, and true parallelism.

A page task that runs in a thread cannot be interrupted inside onnxruntime or
PDFium, and PDFium is not thread-safe (intake serialises it behind a lock). So
the page tasks hand their page to a small pool of worker processes, one page at
a time each: a page that overruns ``ocr_page_timeout_s`` has its process killed
(the pool starts a fresh one) and comes back as a failed page, and pages render
and OCR in parallel without sharing an interpreter lock.

Workers are started with ``forkserver`` (never ``fork``: the parent runs threads
and onnxruntime) and keep their OCR engine between pages. The fork server imports
this module (and with it the page code, ~4 s on a busy 2-core box) once, before it
forks any worker, so a second worker, a worker restarted after a page was killed,
and the next dossier's pool in the same process (``dossier process`` on a batch)
start without importing it again. :func:`warm_pool` starts the workers in the
background as soon as a run knows it has pages to read, so their start-up runs on
the other core while the run records its intake instead of after it. Each worker's engine gets
``cores // workers`` threads (``Settings.threads_per_page``; how many workers:
``Settings.page_workers``, from the memory budget and the engine), so the workers
fill the cores without oversubscribing them.

Memory: a page's buffers (the 300-dpi page, ~26 MB as RGB, its copies, the text
detector's activations, ~170 MB) are freed after the page, but glibc keeps the
freed heap, so a worker grew from ~180 to ~420 MiB RSS over ten pages and stayed
there. Each worker hands the free heap back after every page (``malloc_trim``):
it stays at ~175 MiB between pages, its peak drops from ~500 to ~440 MiB, for
~6% more CPU per page (the next page faults its pages in again). A fixed mmap
threshold instead cost 13-45% more CPU for a smaller gain.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from functools import cache
from pathlib import Path

from pebble import ProcessPool
from pebble.common import ProcessExpired

from dossier.settings import Settings, get_settings
from dossier.store import get_store
from schemas.ocr import PageOcr
from tasks.stages.pages import failed_page, keep_page_record, read_page

_pool: ProcessPool | None = None
_pool_shape = (0, 0)
_lock = threading.Lock()


def _init_worker(threads: int) -> None:
    from tasks.ocr.engines import set_engine_threads

    set_engine_threads(threads)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on a C library without it (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_free_heap() -> None:
    """Give the heap that the last page freed back to the system (see the module note)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _worker_context() -> multiprocessing.context.BaseContext:
    """The forkserver context, its server preloading this module (see the module note);
    a server already running keeps what it preloaded."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", __name__])  # __main__: the default
    return context


def _pool_for(size: int, threads: int) -> ProcessPool:
    global _pool, _pool_shape
    with _lock:
        if _pool is None or not _pool.active or _pool_shape != (size, threads):
            if _pool is not None:
                _pool.close()
            _pool = ProcessPool(max_workers=size, context=_worker_context(),
                                initializer=_init_worker, initargs=(threads,))
            _pool_shape = (size, threads)
        return _pool


def _start_pool(size: int, threads: int) -> None:
    """The pool of this shape with its workers started (``active`` starts them)."""
    _pool_for(size, threads).active  # noqa: B018 -- the property starts the workers


def warm_pool(engine: str | None = None, settings: Settings | None = None) -> threading.Thread:
    """Start the page workers for ``engine`` now, in a background thread, and return it.

    Starting them (the fork server, then each worker) is work in other processes; this
    thread only waits for them, so the caller goes on meanwhile. The page tasks then
    find the pool running (the same shape) instead of starting it.
    """
    settings = settings or get_settings()
    chosen = engine or settings.ocr_engine
    shape = (settings.page_workers(chosen), settings.threads_per_page(chosen))
    thread = threading.Thread(target=_start_pool, args=shape, name="page-pool-warm",
                              daemon=True)
    thread.start()
    return thread


def pool_running() -> bool:
    """Whether this process has page workers (started, not yet shut down)."""
    with _lock:
        return _pool is not None and _pool.active


def shutdown_pool(*, now: bool = False) -> None:
    """Close the pool: let running pages finish, or with ``now`` kill the workers."""
    global _pool
    with _lock:
        if _pool is not None:
            if now:
                _pool.stop()
            else:
                _pool.close()
            _pool.join(timeout=30)
            _pool = None


def _read_page_in_worker(
    settings_json: str, dossier_id: str, original: str, page: int, engine: str | None,
    original_sha256: str | None = None,
) -> PageOcr:
    """Runs in the worker: the settings travel with the call, not the environment."""
    settings = Settings.model_validate_json(settings_json)
    try:
        record = read_page(get_store(settings), dossier_id, Path(original), page,
                           engine=engine, settings=settings, original_sha256=original_sha256)
        return record.model_copy(update={"items": []})
    finally:
        release_free_heap()


def _dump_with_secret(settings: Settings) -> str:
    """JSON dumps mask secrets; the worker needs the MinIO secret to reach the store."""
    data = json.loads(settings.model_dump_json())
    if settings.minio_secret_key is not None:
        data["minio_secret_key"] = settings.minio_secret_key.get_secret_value()
    return json.dumps(data)


def dossier_deadline(settings: Settings | None = None) -> float:
    """When a dossier whose run starts now must be done with its pages (epoch seconds)."""
    settings = settings or get_settings()
    return time.time() + settings.dossier_timeout_s


def read_page_isolated(
    dossier_id: str,
    original: Path,
    page: int,
    *,
    engine: str | None = None,
    settings: Settings | None = None,
    original_sha256: str | None = None,
    deadline: float | None = None,
) -> PageOcr:
    """``read_page`` in a worker process, under the page timeout and the dossier's
    ``deadline`` (see :func:`dossier_deadline`); never raises for a page."""
    settings = settings or get_settings()
    engine = engine or settings.ocr_engine
    timeout = settings.ocr_page_timeout_s
    if deadline is not None:
        timeout = min(timeout, deadline - time.time())
    if timeout <= 0:
        return _failed(dossier_id, page, engine, settings, "not read: the dossier's time limit "
                       f"({settings.dossier_timeout_s:.0f} s) was reached", original_sha256)
    pool = _pool_for(settings.page_workers(engine), settings.threads_per_page(engine))
    future = pool.schedule(
        _read_page_in_worker,
        args=(_dump_with_secret(settings), dossier_id, str(original), page, engine,
              original_sha256),
        timeout=timeout,
    )
    try:
        return future.result()
    except FutureTimeout:
        error = (f"timed out after {timeout:.0f} s" if timeout >= settings.ocr_page_timeout_s
                 else f"stopped at the dossier's time limit ({settings.dossier_timeout_s:.0f} s)")
    except ProcessExpired as expired:
        error = f"worker process died (exit code {expired.exitcode})"
    except Exception as exc:  # recorded on the page; the dossier goes to review
        error = f"{type(exc).__name__}: {exc}"
    return _failed(dossier_id, page, engine, settings, error, original_sha256)


def _failed(
    dossier_id: str, page: int, engine: str, settings: Settings, error: str,
    original_sha256: str | None,
) -> PageOcr:
    record = failed_page(dossier_id, page, engine, error)
    keep_page_record(get_store(settings), record, engine, original_sha256)
    return record


"""Where a flow run's fixed cost goes: the process's imports, then a deployed run's phases.

Every flow run a process worker starts is a new Python process (``python -m
prefect.engine``): it imports Prefect, loads the flow's module (and everything that
module imports), asks the API for the run, then runs the stages. For a one-page
dossier that fixed cost is most of the run, so it is both the test suite's cost and
the pipeline's throughput floor (a burst of uploads waits on it, run after run).

Part 1 (always; no services): the wall time of ``python -c "import M"`` in a fresh
process for each flow module, the median of ``--repeat`` runs, as a ratio to the
same process importing Prefect's flow engine alone (what no flow of ours can avoid):
the ratio is what our own imports add. Then the packages whose import time (self
time, ``python -X importtime``) is largest for the ingest flow's process.

Part 2: one one-page dossier through every stage (no Prefect, a local store and
SQLite) in a fresh process, each stage timed cold, then a second dossier warm in the
same process: the difference is what loads once per process (models, the GX context).
(Loading those in a background thread while the pages are read was tried: on 2 busy
cores it gained nothing, 42.1 s against 42.1 s from intake to review: the loads are
CPU work, and the cores were already busy.)

Part 3 (``--deployed N``; needs ``dossier services up``): N one-page uploads through
a stack of the benchmark's own (``benchmarks/ops_stack.py``), one after another so
runs never overlap. For each run, from the states and task runs Prefect recorded:
upload → run created (watcher, event, trigger), created → pending (the worker's
poll), pending → running (the process starts, imports, loads the flow), each task
run (a stage) and the flow's own time between them, last task → completed.

    python benchmarks/startup_bench.py                 # imports only
    python benchmarks/startup_bench.py --deployed 3    # and three deployed runs
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENGINE = "prefect.flow_engine"  # what `python -m prefect.engine` imports before our flow
FLOW_MODULES = ("flows.ingest_dossier", "flows.sweep_incoming", "flows.import_feeds",
                "flows.run_supervision", "flows.review_leads", "flows.reprocess")
TASK_SUFFIX = re.compile(r"-\w+$")  # Prefect names a task run `<task>-<n>`
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def _import_seconds(modules: str, repeat: int) -> float:
    """Median wall time of a fresh interpreter importing ``modules`` (comma separated)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {modules}"], cwd=ROOT, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _import_profile(modules: str) -> Counter:
    """Self import time (seconds) per top-level package, from ``python -X importtime``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {modules}"],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    per_package: Counter = Counter()
    for line in done.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            per_package[match.group(4).split(".")[0]] += int(match.group(1)) / 1e6
    return per_package


def imports(repeat: int, modules: tuple[str, ...]) -> None:
    from benchmarks.common import ratio_line

    floor = _import_seconds("sys", repeat)
    engine = _import_seconds(ENGINE, repeat)
    print(f"python alone: {floor:.2f} s; python + {ENGINE}: {engine:.2f} s "
          f"(median of {repeat})")
    for module in modules:
        seconds = _import_seconds(f"{ENGINE}, {module}", repeat)
        print(ratio_line(f"{ENGINE} + {module}", seconds, engine, f"{ENGINE} alone", "s"))
    profile = _import_profile(f"{ENGINE}, flows.ingest_dossier")
    total = sum(profile.values())
    top = ", ".join(f"{name} {seconds:.2f}" for name, seconds in profile.most_common(15))
    print(f"ingest process imports, self time {total:.1f} s, largest (s): {top}")


_GX_IMPORT = """
import time
import numpy, pandas, sqlalchemy  # a validating run has these already
start = time.perf_counter()
if {deferred}:
    from tasks.quality.context import import_gx
    import_gx()
else:
    import great_expectations
print(time.perf_counter() - start)
"""


def gx_import(repeat: int) -> None:
    """Importing GX as it comes (it imports altair and scipy.stats) against
    ``import_gx`` (both deferred, dossier.deferred): the median of ``repeat`` fresh
    processes each, taken in turns so a change of load hits both alike."""
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeat):
        for deferred in (False, True):
            done = subprocess.run([sys.executable, "-c", _GX_IMPORT.format(deferred=deferred)],
                                  cwd=ROOT, check=True, capture_output=True, text=True)
            times[deferred].append(float(done.stdout.strip().splitlines()[-1]))
    from benchmarks.common import ratio_line

    print(ratio_line("import GX, altair and scipy.stats deferred",
                     statistics.median(times[True]), statistics.median(times[False]),
                     "import great_expectations as it comes", "s"))


# --- part 2: the stages, cold, without Prefect ---------------------------------------

def _timed(label: str, timings: list[tuple[str, float]], function):
    """``function`` wrapped to add its wall time to ``timings`` under ``label``."""
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            timings.append((label, time.perf_counter() - start))
    return wrapper


def cold_chain_child(folder: Path) -> None:
    """In a fresh process (what a flow run is): one one-page dossier through every
    stage on a local store and SQLite, each stage timed, then the same stages again on a
    second dossier (warm: what a long-lived process would pay)."""
    from benchmarks.common import use_embedded_default

    use_embedded_default(folder / "data")
    timings: list[tuple[str, float]] = []
    start = time.perf_counter()
    import tasks.stages.quality as quality
    from dossier import db
    from dossier.samples import formats
    from dossier.samples.dossier import single_page_sample
    from dossier.settings import get_settings
    from dossier.store import get_store
    from tasks.case_management.intake_log import record_intake
    from tasks.stages.chain import get_stage, stage_names
    from tasks.stages.contract import run_stage
    from tasks.stages.intake import take_in
    from tasks.stages.library import register_intake

    timings.append(("import the stages", time.perf_counter() - start))
    # the validate stage's parts (looked up by name when it runs)
    quality.check_dossier = _timed("  validate: gates (GX import, context, suites)", timings,
                                   quality.check_dossier)
    quality.publish_data_docs = _timed("  validate: Data Docs build and upload", timings,
                                       quality.publish_data_docs)
    settings = get_settings()
    start = time.perf_counter()
    db.upgrade(settings.database_url)
    timings.append(("database upgrade (not per run)", time.perf_counter() - start))
    store = get_store(settings)
    for round_ in ("cold", "warm"):
        seed = 3000 if round_ == "cold" else 3001
        path = formats.write_text_pdf(single_page_sample(seed).pages,
                                      folder / f"{round_}.pdf")
        started = start = time.perf_counter()
        outcome = take_in(store, path)
        register_intake(outcome, None)
        record_intake(outcome, None)
        timings.append((f"{round_} retrieve", time.perf_counter() - start))
        for name in stage_names()[1:]:
            start = time.perf_counter()
            run = run_stage(store, outcome.dossier_id, get_stage(name))
            assert run.ran, run
            timings.append((f"{round_} {name}", time.perf_counter() - start))
        timings.append((f"{round_} dossier, retrieve to review", time.perf_counter() - started))
        if round_ == "cold":
            from tasks.stages.page_pool import shutdown_pool

            shutdown_pool()
    for label, seconds in timings:
        print(f"  {seconds:7.2f} s  {label}")


def cold_chain() -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="startup-chain-") as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--cold-chain-child", tmp], cwd=ROOT,
                       check=True)
        print(f"  {time.perf_counter() - start:7.2f} s  the whole process (python start to exit)")


# --- part 2b: the page workers' start ----------------------------------------------

def pool_child(mode: str) -> None:
    """In a fresh process: how long until a page pool answers its first call, for two
    pools one after the other (as ``dossier process`` makes one per dossier). ``plain``
    is the forkserver without preloading (as before), ``preload`` the page pool's own
    (its fork server imports the page code once, tasks.stages.page_pool)."""
    import multiprocessing
    import os

    from pebble import ProcessPool

    from tasks.stages import page_pool

    for round_ in ("first pool", "second pool"):
        start = time.perf_counter()
        if mode == "plain":
            pool = ProcessPool(max_workers=1, context=multiprocessing.get_context("forkserver"),
                               initializer=page_pool._init_worker, initargs=(1,))
        else:
            pool = page_pool._pool_for(1, 1)
        pool.schedule(os.getpid).result()
        print(f"  {time.perf_counter() - start:7.2f} s  {mode}: {round_}, start to first answer")
        if mode == "plain":
            pool.close()
            pool.join()
        else:
            page_pool.shutdown_pool()


def pool_start() -> None:
    for mode in ("plain", "preload"):
        subprocess.run([sys.executable, __file__, "--pool-child", mode], cwd=ROOT, check=True)


# --- part 3: deployed runs ---------------------------------------------------------

def _wait_run(stack, key: str, timeout: float):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    deployment_id = stack.ingest_deployment_id()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(deployment_filter=DeploymentFilter(
                id=DeploymentFilterId(any_=[deployment_id])), limit=200)
        for run in runs:
            if stack.upload_of(run) == key and run.state and run.state.is_final():
                return run
        time.sleep(1)
    raise SystemExit(f"no finished run of {key} within {timeout} s")


def _phases(run, uploaded_at) -> list[tuple[str, float]]:
    """(phase, seconds) of one finished run, from its states and task runs."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    with get_client(sync_client=True) as client:
        states = client.read_flow_run_states(run.id)
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
            sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=200)
    first = {}
    for state in states:
        first.setdefault(state.type.value, state.timestamp)
    created, pending = run.created, first.get("PENDING")
    running, final = first.get("RUNNING"), states[-1].timestamp
    phases = [("upload → run created (watcher, event, trigger)",
               (created - uploaded_at).total_seconds()),
              ("created → pending (worker poll)", (pending - created).total_seconds()),
              ("pending → running (process start, imports, flow load)",
               (running - pending).total_seconds())]
    cursor = running
    for task in sorted((t for t in tasks if t.start_time), key=lambda t: t.start_time):
        end = task.end_time or task.start_time
        if task.start_time > cursor:
            phases.append(("  flow between tasks", (task.start_time - cursor).total_seconds()))
        phases.append((f"  task {TASK_SUFFIX.sub('', task.name)}",
                       (end - task.start_time).total_seconds()))
        cursor = max(cursor, end)
    phases.append(("last task → final state", (final - cursor).total_seconds()))
    return phases


def deployed(count: int, timeout: float) -> None:
    from datetime import UTC, datetime

    from benchmarks.ops_stack import bench_stack
    from dossier.samples import formats
    from dossier.samples.dossier import single_page_sample

    totals: dict[str, list[float]] = {}
    with bench_stack("startup") as stack:
        for n in range(count):
            path = formats.write_text_pdf(single_page_sample(2000 + n).pages,
                                          stack.folder / f"startup-{n:03d}.pdf")
            key = f"incoming/{path.name}"
            uploaded_at = datetime.now(UTC)
            stack.store().put_file(key, path)
            run = _wait_run(stack, key, timeout)
            phases = _phases(run, uploaded_at)
            whole = (run.state.timestamp - uploaded_at).total_seconds()
            print(f"run {n + 1}: {run.state_type.value}, upload → final {whole:.1f} s")
            merged: Counter = Counter()
            for name, seconds in phases:
                merged[name] += seconds
            for name, seconds in merged.items():
                print(f"  {seconds:7.2f} s  {name}")
                totals.setdefault(name, []).append(seconds)
            totals.setdefault("upload → final", []).append(whole)
    print(f"median of {count} runs:")
    for name, values in totals.items():
        print(f"  {statistics.median(values):7.2f} s  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="imports timed this many times")
    parser.add_argument("--modules", nargs="*", default=list(FLOW_MODULES))
    parser.add_argument("--deployed", type=int, default=0, metavar="N",
                        help="also time N one-page uploads through a deployed stack")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--no-chain", action="store_true", help="skip the stages' cold run")
    parser.add_argument("--cold-chain-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pool-child", choices=("plain", "preload"), help=argparse.SUPPRESS)
    parser.add_argument("--no-pool", action="store_true", help="skip the page pool's start")
    args = parser.parse_args()
    if args.cold_chain_child:
        cold_chain_child(args.cold_chain_child)
        return 0
    if args.pool_child:
        pool_child(args.pool_child)
        return 0

    from benchmarks.common import print_machine

    print_machine()
    imports(args.repeat, tuple(args.modules))
    gx_import(args.repeat)
    if not args.no_chain:
        print("one one-page dossier through every stage in a fresh process, no Prefect:")
        cold_chain()
    if not args.no_pool:
        print("page workers' start (one worker; two pools in one process):")
        pool_start()
    if args.deployed:
        deployed(args.deployed, args.timeout)
        print_machine()  # the load may have changed meanwhile
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

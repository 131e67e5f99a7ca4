"""Supervision models on PostgreSQL at 100k, 300k and 1M people: import time, model time, growth.

For each size: a generated batch (``tasks.feeds.generate``, cached under
``--data``), a fresh schema in the PostgreSQL of ``data/services.env``
(``DOSSIER_DATABASE_URL``), the import (GX gates + COPY upsert), ANALYZE, then
all 15 models over the database twice (first run: every lead new; second: all
found again), each model timed. Growth is the exponent k of time ~ n^k between
sizes (1 = linear; n log n between 300k and 1M is ~1.1). The plans of the
heaviest queries at the largest size are printed (EXPLAIN ANALYZE, first lines).
Precision/recall against planted.jsonl is checked at each size.

    .venv/bin/python benchmarks/supervision_bench.py [--sizes 100000,300000,1000000]
        [--data /tmp/supervision-bench] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from benchmarks.common import machine_line  # noqa: E402

AS_OF = dt.date(2026, 6, 30)
SEED = 11
PLANS = ("detention_overdue", "custody_overdue", "pension_while_imprisoned", "fine_unenforced",
         "sentence_deviation", "dui_no_licence_revocation")


def _batch(data: Path, people: int) -> tuple[Path, float]:
    from tasks.feeds.generate import generate_batch

    folder = data / f"people-{people}-seed-{SEED}"
    if (folder / "generated.json").exists():
        return folder, 0.0
    started = time.perf_counter()
    generate_batch(people, SEED, folder, AS_OF)
    return folder, time.perf_counter() - started


def _plans(engine: sa.Engine) -> None:
    from tasks.supervision.cards import card_source
    from tasks.supervision.models.sentencing import sentencing_population
    from tasks.supervision.registry import RuleContext, all_models
    from tasks.supervision.run import feed_source, thresholds

    models = all_models()
    feeds, cards = feed_source(), card_source()
    population = sa.union_all(sentencing_population(feeds),
                              sentencing_population(cards)).subquery("population")
    with engine.connect() as connection:
        for model_id in PLANS:
            model = models[model_id]
            ctx = RuleContext(as_of=AS_OF, thresholds=thresholds(), judgments=feeds,
                              population=population)
            statement = model.rule(ctx).compile(engine, compile_kwargs={"literal_binds": True})
            plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {statement}").all()
            print(f"  plan {model_id}:")
            for (line,) in plan[:14]:
                print(f"    {line}")


def run_size(base_url: str, data: Path, people: int, keep: bool, plans: bool) -> dict:
    from dossier import db
    from tasks.feeds.batch import import_batch
    from tasks.feeds.evaluate import evaluate
    from tasks.supervision.run import supervise_database

    folder, generated = _batch(data, people)
    schema = f"bench_supervision_{people}"
    url = db.schema_url(base_url, schema)
    db.upgrade(url)
    engine = db.get_engine(url)
    started, cpu = time.perf_counter(), time.process_time()
    manifest = import_batch(engine, folder)
    imported, import_cpu = time.perf_counter() - started, time.process_time() - cpu
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    gates = sum(f["seconds"]["gates"] for f in manifest["files"].values())
    load = sum(f["seconds"]["load"] for f in manifest["files"].values())
    runs = []
    cpu = time.process_time()
    for _ in range(2):
        began = time.perf_counter()
        result = supervise_database(engine, None, AS_OF)
        runs.append((time.perf_counter() - began, result))
    models_cpu = time.process_time() - cpu
    with engine.connect() as connection:
        report = evaluate(connection, folder, runs[-1][1]["run_id"])
    worst = min(min(r["precision"], r["recall"]) for r in report["models"])
    print(f"\n{people:,} people: {manifest['rows_loaded']:,} feed rows "
          f"(generated in {generated:.0f} s{' (cached)' if not generated else ''})")
    print(f"  import {imported:.1f} s wall, {import_cpu:.1f} s CPU of this process (quality gates "
          f"{gates:.1f} s, load {load:.1f} s); "
          + ", ".join(f"{k} {v['rows']:,}" for k, v in manifest["files"].items()))
    first, second = runs[0][0], runs[1][0]
    model_seconds = sum(m["seconds"] for m in runs[0][1]["models"])
    print(f"  all models: first run {first:.1f} s ({model_seconds:.1f} s in models incl. storing "
          f"{sum(m['new'] for m in runs[0][1]['models']):,} new leads), second run {second:.1f} s;"
          f" this process's CPU over both runs {models_cpu:.1f} s (the rest is PostgreSQL)")
    for m in runs[0][1]["models"]:
        again = next(x for x in runs[1][1]["models"] if x["model"] == m["model"])
        print(f"    {m['model']:32} {m['leads']:>7,} leads  {m['seconds']:>7.2f} s  "
              f"(again {again['seconds']:.2f} s)")
    print(f"  precision/recall vs planted: worst {worst:.4f}")
    for r in report["models"]:
        if min(r["precision"], r["recall"]) < 0.98:
            print(f"    {r}")
    if worst < 0.98:
        print(f"    missed {report['missed'][:5]}\n    unexpected {report['unexpected'][:5]}")
    if plans:
        _plans(engine)
    db.dispose_engines()
    if not keep:
        db.drop_schema(base_url, schema)
    return {"people": people, "import": imported, "first": first, "second": second}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--data", type=Path, default=Path("/tmp/supervision-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the schemas")
    args = parser.parse_args()
    from infra.services_env import DATABASE_URL, read_services_env

    env = read_services_env(ROOT / "data" / "services.env")
    base_url = os.environ.get(DATABASE_URL) or env.get(DATABASE_URL)
    if not base_url or not base_url.startswith("postgresql"):
        sys.exit("needs PostgreSQL: dossier services up (data/services.env)")
    args.data.mkdir(parents=True, exist_ok=True)
    print(machine_line())
    sizes = [int(s) for s in args.sizes.split(",")]
    results = [run_size(base_url, args.data, n, args.keep, plans=(n == sizes[-1]))
               for n in sizes]
    print("\ngrowth (time ~ n^k):")
    for a, b in itertools.pairwise(results):
        scale = math.log(b["people"] / a["people"])
        for key in ("import", "first", "second"):
            k = math.log(b[key] / a[key]) / scale if a[key] and b[key] else float("nan")
            print(f"  {a['people']:,} -> {b['people']:,}: {key:6} {a[key]:.1f} s -> "
                  f"{b[key]:.1f} s, k = {k:.2f}")
    print(machine_line())


if __name__ == "__main__":
    main()

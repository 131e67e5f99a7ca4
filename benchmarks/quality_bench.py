"""Quality-gate overhead: the one-time GX cost and the per-dossier cost once warm.

Inputs are real: case cards built from the silver labels of real judgments
(``../shared/data/cases/judge_dev_labels.jsonl``: defendants, charges, cited
articles, sentences) and pages cut from the same judgments' full text
(``judge_dev.jsonl``), about 600 characters a page, as OCR output. The baseline in
the same run is building the three dataframes (what validation costs beyond GX);
the target is <= 1 s per dossier once the context is warm.

    .venv/bin/python benchmarks/quality_bench.py [--dossiers 20] [--docs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from schemas.case_card import (  # noqa: E402
    Case,
    CaseCard,
    DocumentRef,
    Person,
    Sentence,
    Statute,
)
from schemas.ocr import PageOcr  # noqa: E402

CASES = ROOT.parent / "shared" / "data" / "cases"
PAGE_CHARS = 600


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cpu}; {psutil.cpu_count()} logical CPUs; "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM; load average {load}; "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )


def real_dossiers(n: int) -> list[tuple[list[PageOcr], list[DocumentRef], CaseCard, int]]:
    texts = {}
    for line in (CASES / "judge_dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts[row["text_id"]] = row["fd"]
    dossiers = []
    for line in (CASES / "judge_dev_labels.jsonl").read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        text = texts.get(label["text_id"])
        if not text:
            continue
        dossier_id = f"bench-{len(dossiers):03d}"
        chunks = [text[i : i + PAGE_CHARS] for i in range(0, len(text), PAGE_CHARS)]
        pages = [
            PageOcr(
                dossier_id=dossier_id, page=i, source="ocr", engine="rapidocr", status="ok",
                text=chunk, chars=len(chunk), mean_confidence=0.93,
            )
            for i, chunk in enumerate(chunks, start=1)
        ]
        page_count = len(pages)
        documents = [
            DocumentRef(type="判决书", title="刑事判决书", pages=(1, page_count), confidence=0.9)
        ]
        card = CaseCard(
            dossier_id=dossier_id,
            case=Case(
                case_no=label["case_no"],
                court=label["court"],
                procuratorate=label["procuratorate"],
                charges=label["charges"],
                statutes=[Statute(article=a) for a in label["statutes"]],
                persons=[Person(name=name, role="被告人") for name in label["defendants"]],
                sentences=[
                    Sentence(
                        person=s["name"], charges=s["charges"], penalty=s["penalty"],
                        months=s["months"], probation_months=s["probation_months"],
                        fine_yuan=s["fine_yuan"],
                    )
                    for s in label["sentences"]
                ],
            ),
            documents=documents,
        )
        dossiers.append((pages, documents, card, page_count))
        if len(dossiers) == n:
            break
    return dossiers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20)
    parser.add_argument("--docs", type=int, default=3, help="Data Docs builds to time")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    dossiers = real_dossiers(args.dossiers)
    pages_per = statistics.mean(d[3] for d in dossiers)
    print(f"inputs: {len(dossiers)} real judgments as dossiers, {pages_per:.1f} pages each")

    # A private copy of the project: runs write GX results, never into the checkout.
    workdir = Path(tempfile.mkdtemp(prefix="quality-bench-"))
    shutil.copytree(
        ROOT / "expectations", workdir / "expectations",
        ignore=shutil.ignore_patterns("uncommitted"),
    )

    started = time.perf_counter()
    import great_expectations  # noqa: F401

    import_s = time.perf_counter() - started

    from tasks.quality import context
    from tasks.quality.docs import build_data_docs
    from tasks.quality.frames import case_card_frame, documents_frame, pages_frame
    from tasks.quality.validate import validate_dossier

    context.use_project(workdir / "expectations")
    started = time.perf_counter()
    context.gx_context()
    context_s = time.perf_counter() - started

    first = dossiers[0]
    started = time.perf_counter()
    validate_dossier(*first)
    first_s = time.perf_counter() - started

    baseline, warm, verdicts = [], [], {}
    for pages, documents, card, page_count in dossiers:
        started = time.perf_counter()
        pages_frame(pages), documents_frame(documents, page_count), case_card_frame(card)
        baseline.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = validate_dossier(pages, documents, card, page_count)
        warm.append(time.perf_counter() - started)
        verdicts[report.verdict] = verdicts.get(report.verdict, 0) + 1

    docs = []
    for pages, documents, card, page_count in dossiers[: args.docs]:
        report = validate_dossier(pages, documents, card, page_count)
        started = time.perf_counter()
        build_data_docs(report, workdir / "docs" / card.dossier_id)
        docs.append(time.perf_counter() - started)

    median, worst = statistics.median(warm), max(warm)
    base = statistics.median(baseline)
    print("one-time (per process):")
    print(f"  import great_expectations   {import_s:6.2f} s")
    print(f"  file context                {context_s:6.2f} s")
    print(f"  first dossier (cold suites) {first_s:6.2f} s")
    print(f"per dossier, warm ({len(warm)} dossiers, 3 suites, 22 expectations):")
    print(f"  validate_dossier  median {median:.3f} s  p90 "
          f"{statistics.quantiles(warm, n=10)[-1]:.3f} s  max {worst:.3f} s  (target <= 1 s)")
    print(f"  baseline: frames alone median {base * 1000:.1f} ms; "
          f"validation / frames = {median / base:.0f}x")
    if docs:
        print(f"  Data Docs build   median {statistics.median(docs):.3f} s ({len(docs)} builds)")
    print(f"verdicts: {verdicts}")
    print(f"target met: {'yes' if median <= 1.0 else 'NO'} (median)")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Per-field accuracy of the case card end to end on rendered scans (issue 4). Not a test.

    .venv/bin/python -m benchmarks.nlp_scans_eval --limit 60 --samples 6 [--engine rapidocr]

(a) Gold judgments (``tests/data/labels/judge_gold.jsonl``) are rendered as degraded
scans — ``render.paginate_text`` + ``render_text_page`` + ``degrade`` (skew, blur,
grain, JPEG, about one page in eight turned 90/180/270) — written as scanned PDFs and
multi-page TIFFs, run through ``dossier process``'s ``run_batch`` (the real flow on the
embedded default, ``DOSSIER_DATA_DIR`` in a temporary directory), and each exported
``case.json`` is scored with ``benchmarks.nlp_eval.score``.
(b) Sample dossiers (``make_sample_dossier`` + ``write_sample`` as scanned PDF, TIFF and
ZIP) are scored against their ground-truth card, and their documents against the truth
documents (type and page range).

Three columns per field: ``clean`` is the extractor on the dataset's text
(``nlp_eval``'s figure, judgments only); ``pages`` is the structure stage on the exact
page texts that were rendered, line by printed line as an OCR engine returns them
(``render.printed_lines``; no OCR); ``scans`` is the whole chain on the rendered
files. Rendered inputs are cached (``--cache``), so a rerun only pays for OCR.
``--reuse-out DIR`` scores a previous (or interrupted) run's output folder again.

Only scores and counts are printed: names in the gold set are personal data.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIELDS = (
    "case_no", "court", "procuratorate", "indictment_no", "defendants_f1", "charges_f1",
    "articles_f1", "penalty_months", "fine", "probation", "defendant_gender",
    "defendant_birth_date", "defendant_ethnicity", "counsel_f1", "measures_f1",
    "circumstances_f1",
)
SAMPLE_FORMATS = ("pdf", "tiff", "zip")
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "dossier-nlp-scans-cache"
DOCUMENT_TYPE_TARGET = 0.95


@dataclass
class EvalCase:
    """One input of the run: its file, the page texts printed on it, and its truth."""

    key: str  # text_id of a gold judgment, or the sample's name
    kind: str  # "judgment" | "sample"
    path: Path
    page_texts: list[str]
    gold: dict
    documents: list[tuple[str, tuple[int, int]]]
    clean_text: str | None = None
    rotated_pages: int = 0
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------ rendering


def _judgment_pages(document: str) -> list[tuple[str | None, str]]:
    """(title, body) per page, as ``render.judgment_pages`` lays a judgment out: the
    court's name, its first paragraph, printed as the title of page one."""
    from dossier.samples.render import paginate_text

    head, _, body = document.partition("\n")
    title = head if len(head) <= 30 else None
    if title is None:
        body = document
    return [
        (title if i == 0 else None, text)
        for i, text in enumerate(paginate_text(body, title=title))
    ]


def _scan_options(rng: random.Random) -> dict:
    """A little harsher than the samples' scanner: some pages turned, all skewed and grainy."""
    return {
        "rotation": rng.choice((90, 180, 270)) if rng.random() < 0.125 else 0,
        "skew_degrees": round(rng.uniform(-1.5, 1.5), 3),
        "blur": round(rng.uniform(0.2, 1.0), 3),
        "noise": round(rng.uniform(3.0, 10.0), 3),
        "jpeg_quality": rng.randint(55, 85),
    }


def _render_judgment(
    pages: list[tuple[str | None, str]], options: list[dict], seed: int
) -> Iterator:
    from dossier.samples.render import degrade, render_text_page

    for number, ((title, text), opts) in enumerate(zip(pages, options, strict=True), 1):
        yield degrade(render_text_page(text, title=title), seed=seed * 1009 + number, **opts)


def _file_pages(path: Path) -> int:
    """Pages of a rendered scan (PDF or TIFF), without decoding the images."""
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        return len(pdfium.PdfDocument(path))
    from PIL import Image

    with Image.open(path) as image:
        return image.n_frames


def judgment_cases(limit: int, cache: Path, *, render: bool = True) -> list[EvalCase]:
    """The first ``limit`` gold judgments as scans, alternately a scanned PDF and a TIFF.

    The layout of each render is kept beside it (``<file>.pages.json``), so a cached scan
    is scored against the pages it really holds even after the pagination changed."""
    from benchmarks.nlp_eval import clean_texts, load_gold
    from dossier.samples import formats
    from dossier.samples.render import printed_lines

    gold = load_gold()[:limit]
    texts = clean_texts(gold)
    folder = cache / "judgments"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for index, (g, text) in enumerate(zip(gold, texts, strict=True)):
        document = "\n".join(part for part in text.split() if part)
        pages = _judgment_pages(document)
        suffix = ".pdf" if index % 2 == 0 else ".tif"
        path = folder / f"judgment-{index:03d}{suffix}"
        layout = path.with_name(path.name + ".pages.json")
        if path.exists() and layout.exists():
            pages = [(t, b) for t, b in json.loads(layout.read_text(encoding="utf-8"))]
        rng = random.Random(index * 7717 + 3)
        options = [_scan_options(rng) for _ in pages]
        if render and not path.exists():
            partial = path.with_name(path.name + ".part" + suffix)
            images = _render_judgment(pages, options, index)
            if suffix == ".pdf":
                formats.write_scanned_pdf(images, partial)
            else:
                formats.write_tiff(images, partial)
            layout.write_text(json.dumps(pages, ensure_ascii=False), encoding="utf-8")
            partial.rename(path)
        printed = len(pages)
        if render and path.exists() and not layout.exists():
            printed = _file_pages(path)  # rendered before layouts were kept
            if printed != len(pages):
                print(f"  note: {path.name} was rendered with another pagination "
                      f"({printed} pages, now {len(pages)}): its pages column is approximate")
        out.append(EvalCase(
            key=g["text_id"], kind="judgment", path=path,
            page_texts=[printed_lines(body, title=title) for title, body in pages], gold=g,
            documents=[("判决书", (1, printed))], clean_text=text,
            rotated_pages=sum(o["rotation"] != 0 for o in options),
        ))
    return out


def sample_cases(seeds: Sequence[int], cache: Path, *, render: bool = True) -> list[EvalCase]:
    """Sample dossiers in turn as scanned PDF, TIFF and ZIP, with their truth."""
    from benchmarks.nlp_eval import gold_from_case
    from dossier.samples.dossier import make_sample_dossier, write_sample
    from dossier.samples.render import printed_lines

    folder = cache / "samples"
    out = []
    for i, seed in enumerate(seeds):
        fmt = SAMPLE_FORMATS[i % len(SAMPLE_FORMATS)]
        sample = make_sample_dossier(seed)
        sub = folder / fmt
        expected = sub / f"{sample.name}.{'tiff' if fmt == 'tiff' else fmt}"
        rotated = 0
        path = expected
        documents = [(d.type, tuple(d.pages)) for d in sample.documents]
        page_texts = [
            printed_lines(s.body, title=s.title) if not s.blank else "" for s in sample.sheets
        ]
        if render:
            if not expected.exists():
                path = write_sample(sample, sub, fmt)  # type: ignore[arg-type]
            truth = json.loads(path.with_name(f"{path.stem}.truth.json").read_text("utf-8"))
            rotated = sum(r != 0 for r in truth["rotations"])
            if truth["pages"] != sample.pages:  # rendered by an older layout: its own truth
                print(f"  note: {path.name} was rendered with another pagination")
                page_texts = truth["pages"]
                documents = [(d["type"], tuple(d["pages"])) for d in truth["documents"]]
        out.append(EvalCase(
            key=sample.name, kind="sample", path=path, page_texts=page_texts,
            gold=gold_from_case(sample.case_card.case, sample.name),
            documents=documents,  # type: ignore[arg-type]
            rotated_pages=rotated, extra={"format": fmt},
        ))
    return out


# ------------------------------------------------------------------ predictions


def structure_pages(page_texts: list[str]):
    """The structure stage's work on page texts, without a store: (documents, case)."""
    from tasks.nlp.case_card import build_case_card
    from tasks.nlp.clean import clean_dossier_text
    from tasks.nlp.documents import split_documents

    cleaned = clean_dossier_text(page_texts)
    split = split_documents(cleaned)
    documents = [d.to_ref() for d in split]
    card = build_case_card("eval", "\n".join(cleaned), documents,
                           document_texts=[d.text for d in split])
    return [(d.type, tuple(d.pages)) for d in documents], card.case


def run_chain(cases: list[EvalCase], out: Path, engine: str | None) -> float:
    from dossier.commands.process import run_batch

    start = time.perf_counter()
    run_batch([c.path for c in cases], out, engine=engine, echo=True)
    return time.perf_counter() - start


def chain_results(
    cases: list[EvalCase], out: Path, *, restructure: bool = False
) -> dict[str, tuple[list, object, dict]]:
    """Per case key: (documents, Case, index line) from a run's output folder; cases the
    run did not reach (or could not structure) are left out and counted by the caller.

    ``restructure`` reads the run's OCR text (``text.txt``) with the structure code as it
    is now, instead of the run's ``case.json``: after a change to cleaning or extraction,
    the same scans are scored again without OCR'ing them again."""
    from schemas.case_card import Case

    by_input = {}
    index = out / "index.jsonl"
    if index.exists():
        for line in index.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            by_input[Path(row["input"]).resolve()] = row
    results = {}
    for c in cases:
        row = by_input.get(c.path.resolve())
        if not row or not row.get("dossier_id"):
            continue
        folder = out / row["dossier_id"]
        if restructure and (folder / "text.txt").exists():
            pages = (folder / "text.txt").read_text(encoding="utf-8").split("\f")
            documents, case = structure_pages(pages)
            results[c.key] = (documents, case, row)
            continue
        case_file, docs_file = folder / "case.json", folder / "documents.json"
        if not case_file.exists():
            results[c.key] = ([], Case(), row)
            continue
        card = json.loads(case_file.read_text(encoding="utf-8"))
        docs = json.loads(docs_file.read_text(encoding="utf-8"))["documents"] if (
            docs_file.exists()) else []
        results[c.key] = (
            [(d["type"], tuple(d["pages"])) for d in docs],
            Case.model_validate(card["case"]),
            row,
        )
    return results


# ------------------------------------------------------------------ scoring


def document_scores(pairs: list[tuple[list, list]]) -> dict[str, float]:
    """``documents``: share of truth documents found with the same type and page range;
    ``page_types``: share of pages whose predicted document type is the truth's."""
    found = total = page_hits = page_total = 0
    for truth, predicted in pairs:
        predicted_set = set(predicted)
        found += sum(d in predicted_set for d in truth)
        total += len(truth)
        predicted_type = {p: t for t, (a, b) in predicted for p in range(a, b + 1)}
        for t, (a, b) in truth:
            for p in range(a, b + 1):
                page_hits += predicted_type.get(p) == t
                page_total += 1
    return {
        "document_type+pages": found / total if total else float("nan"),
        "page_document_type": page_hits / page_total if page_total else float("nan"),
    }


def _column(cases: list[EvalCase], cases_pred: dict) -> dict[str, float]:
    from benchmarks.nlp_eval import score

    keys = [c for c in cases if c.key in cases_pred]
    if not keys:
        return {}
    scores = score([c.gold for c in keys], [cases_pred[c.key][1] for c in keys])
    scores |= document_scores([(c.documents, cases_pred[c.key][0]) for c in keys])
    return scores


def print_table(title: str, columns: dict[str, dict[str, float]], counts: dict[str, int]) -> None:
    from benchmarks.nlp_eval import TARGETS

    targets = dict(TARGETS) | {"document_type+pages": DOCUMENT_TYPE_TARGET}
    names = [n for n in columns if columns[n]]
    print(f"\n{title}")
    print("  " + f"{'field':24s}" + "".join(f"{n + f' (N={counts[n]})':>16s}" for n in names)
          + "   target on scans")
    for key in (*FIELDS, "document_type+pages", "page_document_type"):
        values = "".join(
            f"{columns[n].get(key, float('nan')):16.3f}" for n in names
        )
        target = targets.get(key)
        verdict = ""
        if target is not None and "scans" in columns and columns["scans"]:
            got = columns["scans"].get(key, float("nan"))
            verdict = f"   {target:.2f} " + ("ok" if got >= target else "BELOW")
        print(f"  {key:24s}{values}{verdict}")


def _mismatches(cases: list[EvalCase], pred: dict, limit: int) -> list[str]:
    """Which fields failed for which case (by key prefix, no names), for follow-up."""
    from benchmarks.nlp_eval import score

    lines = []
    for c in cases:
        if c.key not in pred:
            continue
        s = score([c.gold], [pred[c.key][1]])
        bad = [k for k in ("case_no", "court", "procuratorate", "defendants_f1", "charges_f1",
                           "articles_f1", "penalty_months", "fine") if s[k] == s[k] and s[k] < 1]
        wrong_docs = [d for d in c.documents if d not in set(pred[c.key][0])]
        if bad or wrong_docs:
            docs = f" docs missed {[(t, p) for t, p in wrong_docs][:4]}" if wrong_docs else ""
            lines.append(f"  {c.kind} {c.key[:12]} ({c.path.name}): {', '.join(bad)}{docs}")
        if len(lines) >= limit:
            break
    return lines


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=60, help="gold judgments to scan (<= 90)")
    parser.add_argument("--samples", type=int, default=6, help="sample dossiers to scan")
    parser.add_argument("--sample-seed", type=int, default=100, help="first sample seed")
    parser.add_argument("--engine", choices=("rapidocr", "tesseract"), default=None)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="rendered inputs are kept here across runs")
    parser.add_argument("--out", type=Path, default=None,
                        help="run output folder (default: a new folder under --cache)")
    parser.add_argument("--reuse-out", type=Path, default=None,
                        help="score this earlier output folder instead of running the chain")
    parser.add_argument("--examples", type=int, default=15, help="failing cases to list")
    parser.add_argument("--restructure", action="store_true",
                        help="score the run's OCR text with the current structure code")
    parser.add_argument("--text-only", action="store_true",
                        help="no rendering and no OCR: the clean and pages columns only")
    args = parser.parse_args(argv)

    # The embedded default in a throwaway data directory: a rerun OCRs again instead of
    # finding every upload already ingested, and the checkout's data/ stays untouched.
    data_dir = Path(tempfile.mkdtemp(prefix="dossier-scans-eval-"))
    os.environ["DOSSIER_DATA_DIR"] = str(data_dir)
    for name in ("DOSSIER_MINIO_ENDPOINT", "DOSSIER_DATABASE_URL", "PREFECT_API_URL"):
        os.environ.pop(name, None)

    from benchmarks.common import print_machine
    from benchmarks.nlp_eval import evaluate

    print_machine()
    started = time.perf_counter()
    render = not args.text_only
    judgments = judgment_cases(args.limit, args.cache, render=render) if args.limit else []
    samples = sample_cases(range(args.sample_seed, args.sample_seed + args.samples), args.cache,
                           render=render)
    cases = judgments + samples
    pages = sum(len(c.page_texts) for c in cases)
    print(f"inputs: {len(judgments)} judgments ({sum(len(c.page_texts) for c in judgments)} "
          f"pages, {sum(c.rotated_pages for c in judgments)} turned), {len(samples)} sample "
          f"dossiers ({sum(len(c.page_texts) for c in samples)} pages, "
          f"{sum(c.rotated_pages for c in samples)} turned); rendered or cached in "
          f"{time.perf_counter() - started:.0f} s under {args.cache}")

    if args.text_only:
        out = None
    elif args.reuse_out:
        out = args.reuse_out
    else:
        out = args.out or Path(tempfile.mkdtemp(prefix="run-", dir=args.cache))
        seconds = run_chain(cases, out, args.engine)
        print(f"chain: {len(cases)} dossiers, {pages} pages in {seconds:.0f} s "
              f"({seconds / max(pages, 1):.2f} s/page), engine "
              f"{args.engine or 'default'}; outputs in {out}")
    scanned = chain_results(cases, out, restructure=args.restructure) if out else {}
    if args.restructure:
        print("scans column: the run's OCR text structured again with the current code")
    statuses: dict[str, int] = {}
    for _, _, row in scanned.values():
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    print(f"scored {len(scanned)} of {len(cases)} inputs; statuses {statuses}")

    for kind, group in (("judgment", judgments), ("sample", samples)):
        if not group:
            continue
        columns: dict[str, dict[str, float]] = {}
        counts: dict[str, int] = {}
        if kind == "judgment":
            clean, _ = evaluate([c.clean_text or "" for c in group], [c.gold for c in group])
            columns["clean"], counts["clean"] = clean, len(group)
        paged = {c.key: structure_pages(c.page_texts) for c in group}
        columns["pages"], counts["pages"] = _column(group, paged), len(group)
        columns["scans"] = _column(group, scanned)
        counts["scans"] = sum(c.key in scanned for c in group)
        title = (f"gold judgments (N={len(group)}, one 判决书 each)" if kind == "judgment" else
                 f"sample dossiers (N={len(group)}, seeds {group[0].gold['text_id']}..., "
                 f"formats {'/'.join(SAMPLE_FORMATS)})")
        print_table(title, columns, counts)
        if kind == "judgment":
            print("  (clean has no document split: its document columns are blank)")
        lines = _mismatches(group, scanned, args.examples)
        if lines:
            print(f"  cases with a scan field below 1 (first {args.examples}):")
            print("\n".join(lines))
    everything = {c.key for c in cases}
    if everything & set(scanned):
        combined = _column(cases, scanned)
        print(f"\nall scanned inputs together (N={sum(k in scanned for k in everything)}):")
        for key in ("case_no", "court", "procuratorate", "defendants_f1", "charges_f1",
                    "articles_f1", "penalty_months", "fine", "document_type+pages"):
            print(f"  {key:24s}{combined[key]:8.3f}")
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

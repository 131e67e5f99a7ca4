"""OCR on the pages real dossiers hold, per kind of page (issue 17). Not a test.

    .venv/bin/python -m benchmarks.hard_pages_bench --pages 4
    .venv/bin/python -m benchmarks.hard_pages_bench --pages 4 --baseline   # today's path too

Pages are rendered from real judgments (``judge_dev.jsonl``) by
``dossier.samples.hard_pages``: clean office scans, phone photos, faxes, colour
scans with a red seal and form rules, handwriting-like 笔录 pages. Each kind
gets its own judgments. It prints per kind the CER of the body text (NFKC,
whitespace removed, summed edits over summed reference characters), what the
page steps found (straightened, seals and whether their text was read, pages
flagged for review) and the overall CER.

``--baseline`` also reads every page through ``ocr_page`` with no page-kind
step (``page_steps=()``, as before issue 17) for a before/after table.
``--speed N`` times clean pages N rounds, alternating the full path and the
path without page-kind steps in this one process, so the ratio holds under
whatever load the machine has (the load average is printed).

Measured (RapidOCR, 3 pages per kind, judgments 40+ of judge_dev.jsonl; "before"
is commit 7170242 run on the same cached pages):

    kind                 before    after
    clean                0.033%    0.033%
    photo               12.150%    0.000%   (5.99%, 31.37%, 0.00% before)
    fax                  0.095%    0.000%
    seal                 0.205%    0.059%   (seal text read exactly on 3/3)
    handwriting          0.286%    0.286%   (Kai face, jitter, ruled lines)
    overall (5 kinds)    3.11%     0.068%
    handwriting-joined   2.129%    2.129%   (连笔: not a target; lines flagged)

``handwriting-joined`` adds strokes joining characters; RapidOCR reads them as
"/" or "一" with high confidence, which is why handwritten lines are flagged
for review by their stroke irregularity, not by confidence.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from rapidfuzz.distance import Levenshtein

from benchmarks.common import print_machine, ratio_line
from dossier.samples.hard_pages import PAGE_KINDS, HardPage, hard_page, kai_font_path
from dossier.samples.render import judgment_pages
from schemas.ocr import PageOcr
from tasks.ocr.metrics import normalise_for_cer
from tasks.ocr.page import ocr_page


@dataclass
class Tally:
    edits: int = 0
    chars: int = 0
    pages: int = 0
    seconds: float = 0.0

    def add(self, reference: str, text: str, seconds: float) -> None:
        ref, hyp = normalise_for_cer(reference), normalise_for_cer(text)
        self.edits += Levenshtein.distance(ref, hyp)
        self.chars += len(ref)
        self.pages += 1
        self.seconds += seconds

    @property
    def cer(self) -> float:
        return self.edits / max(self.chars, 1)


def make_pages(kinds: list[str], per_kind: int, start: int = 40,
               cache: Path | None = None) -> list[HardPage]:
    """``per_kind`` pages of each kind, each kind from its own run of judgments.

    With ``cache``, rendered pages are kept there (lossless PNG and their known
    text and geometry) and reused by later runs with the same arguments.
    """
    texts = judgment_pages(per_kind * len(PAGE_KINDS), start=start)
    pages = []
    for k, kind in enumerate(PAGE_KINDS):
        if kind not in kinds:
            continue
        for i in range(per_kind):
            title, text = texts[k * per_kind + i]
            seed = 100 * k + i
            stem = cache / f"{kind}-{start}-{per_kind}-{i}" if cache else None
            if stem and stem.with_suffix(".json").exists():
                meta = json.loads(stem.with_suffix(".json").read_text("utf-8"))
                image = Image.open(stem.with_suffix(".png"))
                image.load()
                corners = np.array(meta["corners"]) if meta["corners"] else None
                seals = [(t, tuple(b)) for t, b in meta["seals"]]
                pages.append(HardPage(kind, image, meta["reference"], corners, seals,
                                      meta["dpi"], meta["font"],
                                      [tuple(b) for b in meta.get("hand_lines", [])]))
                continue
            page = hard_page(kind, text, title=title, seed=seed)
            if stem:
                stem.parent.mkdir(parents=True, exist_ok=True)
                page.image.save(stem.with_suffix(".png"))
                stem.with_suffix(".json").write_text(json.dumps({
                    "reference": page.reference, "dpi": page.dpi, "font": page.font,
                    "corners": None if page.corners is None else page.corners.tolist(),
                    "seals": [[t, [int(v) for v in b]] for t, b in page.seals],
                    "hand_lines": [list(b) for b in page.hand_lines],
                }, ensure_ascii=False), "utf-8")
            pages.append(page)
    return pages


def read(page: HardPage, number: int, engine: str, steps: tuple[str, ...] | None) -> PageOcr:
    kwargs = {} if steps is None else {"page_steps": steps}
    return ocr_page("bench", number, page.image, engine=engine, **kwargs)


def run(pages: list[HardPage], engine: str, steps: tuple[str, ...] | None,
        label: str, verbose: bool = False) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    seals_read = seals_total = straightened = flagged = 0
    hand_total = hand_flagged = false_hand = 0
    for number, page in enumerate(pages, start=1):
        started = time.perf_counter()
        record = read(page, number, engine, steps)
        seconds = time.perf_counter() - started
        if record.status != "ok":
            print(f"  page {number} ({page.kind}): {record.status} {record.error or ''}")
        tallies.setdefault(page.kind, Tally()).add(page.reference, record.text, seconds)
        if verbose:
            ref, hyp = normalise_for_cer(page.reference), normalise_for_cer(record.text)
            page_cer = Levenshtein.distance(ref, hyp) / max(len(ref), 1)
            print(f"  page {number:>3} {page.kind:<12} CER {page_cer:.3%} {seconds:.1f} s "
                  f"applied={getattr(record, 'applied', None)} "
                  f"review={len(getattr(record, 'review', []))}",
                  flush=True)
        straightened += bool(getattr(record, "straightened", False))
        review = getattr(record, "review", [])
        flagged += bool(review)
        written = [r.box for r in review if r.reason == "handwriting"]
        if page.hand_lines:
            hand_total += len(page.hand_lines)
            hand_flagged += sum(any(_centre_in(line, box) for box in written)
                                for line in page.hand_lines)
        else:
            false_hand += len(written)
        for seal_text, _ in page.seals:
            seals_total += 1
            found = [s.text for s in getattr(record, "seals", [])]
            seals_read += any(normalise_for_cer(seal_text) == normalise_for_cer(t) for t in found)
    total = Tally()
    print(f"{label} ({engine}):")
    print(f"  {'kind':<12} {'pages':>5} {'chars':>6} {'CER':>8} {'s/page':>7}")
    for kind in PAGE_KINDS:
        if kind in tallies:
            t = tallies[kind]
            print(f"  {kind:<12} {t.pages:>5} {t.chars:>6} {t.cer:>8.3%} "
                  f"{t.seconds / t.pages:>7.2f}")
            total.edits += t.edits
            total.chars += t.chars
            total.pages += t.pages
            total.seconds += t.seconds
    print(f"  {'overall':<12} {total.pages:>5} {total.chars:>6} {total.cer:>8.3%} "
          f"{total.seconds / max(total.pages, 1):>7.2f}")
    if steps is None:
        print(f"  photos straightened {straightened}; seals read exactly "
              f"{seals_read}/{seals_total}; pages with regions flagged for review {flagged}; "
              f"handwritten lines flagged {hand_flagged}/{hand_total}; lines on pages without "
              f"handwriting flagged as handwriting {false_hand}")
    return tallies


def _centre_in(line: tuple[int, int, int, int], box) -> bool:
    """Whether a review box covers part of a written line (upright pages, small skew)."""
    cy = (line[1] + line[3]) / 2
    return box.y0 <= cy <= box.y1 and box.x0 < line[2] and box.x1 > line[0]


def speed(pages: list[HardPage], engine: str, rounds: int) -> None:
    """Clean pages/s with and without page-kind steps, alternated in this process."""
    clean = [p for p in pages if p.kind == "clean"]
    if not clean:
        return
    read(clean[0], 1, engine, None)  # load the models before timing
    timed = {"with page steps": 0.0, "without": 0.0}
    for round_ in range(rounds):
        order = [None, ()] if round_ % 2 == 0 else [(), None]
        for steps in order:
            started = time.perf_counter()
            for number, page in enumerate(clean, start=1):
                read(page, number, engine, steps)
            timed["with page steps" if steps is None else "without"] += (
                time.perf_counter() - started
            )
    n = len(clean) * rounds
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(ratio_line(f"clean pages ({engine}) with page steps", n / timed["with page steps"],
                     n / timed["without"], "without", "pages/s") + f" (load average {load})")
    # The same question without the noise of whole-page timings on a busy machine:
    # what the page-kind detectors cost on a clean page, against the page's full time.
    from tasks.ocr.engines import get_engine
    from tasks.ocr.page import _direction_classifier
    from tasks.ocr.preprocess import prepare_page
    from tasks.ocr.steps import PageWork, run_steps

    reader = get_engine(engine)
    detect_seconds = 0.0
    for number, page in enumerate(clean, start=1):
        record = read(page, number, engine, ())
        upright = prepare_page(page.image, _direction_classifier()).image  # the boxes' frame
        for _ in range(rounds):
            started = time.perf_counter()
            work = PageWork(image=page.image, read_text=reader.read)
            run_steps("image", work)
            work.replace_image(upright)
            run_steps("result", work, record)
            detect_seconds += time.perf_counter() - started
    print(f"page-kind steps on clean pages: {detect_seconds / n * 1000:.0f} ms/page = "
          f"{detect_seconds / timed['without']:.1%} of a page's time without them "
          f"(load average {load})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4, help="pages per kind")
    parser.add_argument("--kinds", default=",".join(PAGE_KINDS))
    parser.add_argument("--engine", default="rapidocr")
    parser.add_argument("--baseline", action="store_true", help="also without page-kind steps")
    parser.add_argument("--speed", type=int, default=0, help="rounds of the clean-page timing")
    parser.add_argument("--cache", type=Path, help="keep rendered pages here and reuse them")
    parser.add_argument("--verbose", action="store_true", help="one line per page")
    parser.add_argument("--threads", type=int, help="engine threads (default: all cores)")
    args = parser.parse_args(argv)

    print_machine()
    if args.threads:
        from tasks.ocr.engines import set_engine_threads

        set_engine_threads(args.threads)
    kinds = [k for k in args.kinds.split(",") if k]
    pages = make_pages(kinds, args.pages, cache=args.cache)
    kai = kai_font_path()
    print(f"pages: {len(pages)} ({args.pages} per kind: {', '.join(kinds)}); "
          f"handwriting face: {kai.name if kai else 'default (no Kai face installed)'}")
    if args.baseline:
        run(pages, args.engine, (), "before: no page-kind steps", args.verbose)
    run(pages, args.engine, None, "with page-kind steps", args.verbose)
    if args.speed:
        speed(pages, args.engine, args.speed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

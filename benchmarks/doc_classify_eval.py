"""Document splitting and typing, scored on labelled held-out dossiers.

Labelled sets (none of them seen in training, see ``tasks.nlp.doc_classifier``):

- generated dossiers, seeds 900000+, paginated by the renderer (training used the fast
  character-count pagination, so page breaks differ too), as printed; then with OCR-like
  noise (substituted, dropped, doubled characters; spaces; page numbers) and cleaned;
- real judgments (the repository's JuDGE copy, ``tests/data/real_texts``, judgments
  150-199), ten to a dossier, each one 判决书 starting on a new page.

Per condition it prints document-type accuracy (a true document counts when a predicted
document has its exact page range and type), boundary precision/recall (exact ranges) and
page-level type accuracy, for the full splitter (titles + classifier) and for the
classifier alone. ``--ocr N`` also renders N small samples and runs them through the
project's OCR (``--ocr-engine tesseract|rapidocr``; slow: seconds per page).

    .venv/bin/python benchmarks/doc_classify_eval.py [--dossiers 30] [--ocr 0] [--artifact PATH]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tasks.nlp.doc_classifier as doc_classifier  # noqa: E402
from dossier.samples.dossier import make_sample_dossier  # noqa: E402
from dossier.samples.real_texts import load_real_texts  # noqa: E402
from schemas.case_card import DocumentRef  # noqa: E402
from tasks.nlp.clean import clean_dossier_text  # noqa: E402
from tasks.nlp.doc_classifier_build import TRAIN_JUDGMENTS, add_ocr_noise  # noqa: E402
from tasks.nlp.documents import split_documents  # noqa: E402

HELD_OUT_SEED = 900_000
HELD_OUT_JUDGMENTS = slice(TRAIN_JUDGMENTS.stop, 200)

Labelled = tuple[list[str], list[DocumentRef]]


def ocr_noise(pages: list[str], rate: float, seed: int) -> list[str]:
    """What a weak OCR engine returns: misread characters, stray spaces, page numbers."""
    rng = random.Random(seed)
    out = []
    for number, page in enumerate(pages, 1):
        if not page:
            out.append("")
            continue
        noisy = add_ocr_noise(page, rng, rate)
        noisy = "".join(ch + (" " if rng.random() < 0.02 else "") for ch in noisy)
        if rng.random() < 0.5:
            noisy += f"\n- {number} -"
        out.append(noisy)
    return out


def generated(n: int) -> list[Labelled]:
    sets = []
    for seed in range(HELD_OUT_SEED, HELD_OUT_SEED + n):
        sample = make_sample_dossier(seed)
        sets.append((sample.pages, sample.documents))
    return sets


def real_judgments(per_dossier: int = 10) -> list[Labelled]:
    from dossier.samples.render import paginate_text

    judgments = [t.text for t in load_real_texts("judge")[HELD_OUT_JUDGMENTS]]
    sets: list[Labelled] = []
    pages: list[str] = []
    docs: list[DocumentRef] = []
    for count, judgment in enumerate(judgments, 1):
        paragraphs = [p for p in judgment.split() if p]
        head, body = paragraphs[0], "\n".join(paragraphs[1:])
        title = head if len(head) <= 30 else None
        if title is None:
            body = "\n".join(paragraphs)
        doc_pages = paginate_text(body, title=title)
        doc_pages[0] = f"{title}\n{doc_pages[0]}" if title else doc_pages[0]
        first = len(pages) + 1
        pages += doc_pages
        docs.append(
            DocumentRef(
                type="判决书", title=title or "判决书", pages=(first, len(pages)), confidence=1.0
            )
        )
        if count % per_dossier == 0:
            sets.append((pages, docs))
            pages, docs = [], []
    return sets


def score(sets: list[Labelled], *, clean: bool, use_titles: bool = True) -> dict[str, float]:
    type_hits = truth_docs = range_hits = predicted_docs = page_hits = pages_total = 0
    for pages, truth in sets:
        text = clean_dossier_text(pages) if clean else pages
        found = split_documents(text, use_titles=use_titles)
        predicted = {d.pages: d.type for d in found}
        truth_docs += len(truth)
        predicted_docs += len(found)
        for ref in truth:
            if ref.pages in predicted:
                range_hits += 1
                type_hits += predicted[ref.pages] == ref.type
        page_type = {}
        for d in found:
            for p in range(d.pages[0], d.pages[1] + 1):
                page_type[p] = d.type
        for ref in truth:
            for p in range(ref.pages[0], ref.pages[1] + 1):
                if pages[p - 1]:
                    pages_total += 1
                    page_hits += page_type.get(p) == ref.type
    return {
        "document_type_accuracy": type_hits / truth_docs,
        "boundary_precision": range_hits / max(1, predicted_docs),
        "boundary_recall": range_hits / truth_docs,
        "page_type_accuracy": page_hits / pages_total,
        "documents": truth_docs,
        "pages": pages_total,
    }


def ocr_sets(n: int, engine_name: str) -> list[Labelled]:
    """Render, degrade and OCR ``n`` samples with one of the project's OCR engines."""
    from dossier.samples import render
    from tasks.ocr.engines import get_engine

    engine = get_engine(engine_name)
    sets = []
    for seed in range(HELD_OUT_SEED + 500, HELD_OUT_SEED + 500 + n):
        sample = make_sample_dossier(seed, blank_separators=False)
        texts = []
        for number, sheet in enumerate(sample.sheets, 1):
            image = render.degrade(
                render.render_text_page(sheet.body, title=sheet.title),
                blur=0.6,
                noise=6.0,
                jpeg_quality=70,
                seed=seed + number,
            )
            texts.append(engine.read(image).text if not sheet.blank else "")
        sets.append((texts, sample.documents))
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=30)
    parser.add_argument("--ocr", type=int, default=0, help="also OCR this many rendered samples")
    parser.add_argument("--ocr-engine", default="tesseract", choices=("tesseract", "rapidocr"))
    parser.add_argument(
        "--artifact", type=Path, help="score this classifier artifact instead of the shipped one"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.artifact:
        from tasks.models import read_artifact

        chosen = doc_classifier.from_artifact(read_artifact(args.artifact))
        doc_classifier.load_classifier = lambda: chosen  # split_documents looks it up per call
    classifier = doc_classifier.load_classifier()
    print(f"classifier {classifier.version} ready in {time.perf_counter() - started:.1f}s")
    gen = generated(args.dossiers)
    conditions: list[tuple[str, list[Labelled], bool]] = [
        ("generated, as printed", gen, False),
        ("generated, as printed, cleaned", gen, True),
    ]
    for rate in (0.03, 0.08):
        noisy = [(ocr_noise(p, rate, i), d) for i, (p, d) in enumerate(gen)]
        conditions.append((f"generated, OCR noise {rate:.0%}, cleaned", noisy, True))
    real = real_judgments()
    conditions.append(("real judgments (50), as printed", real, False))
    real_noisy = [(ocr_noise(p, 0.05, i), d) for i, (p, d) in enumerate(real)]
    conditions.append(("real judgments (50), OCR noise 5%, cleaned", real_noisy, True))
    if args.ocr:
        conditions.append(
            (
                f"generated, rendered + {args.ocr_engine} ({args.ocr})",
                ocr_sets(args.ocr, args.ocr_engine),
                True,
            )
        )
    header = (
        f"{'condition':48} {'mode':16} {'doc type acc':>12} {'bound P':>8} {'bound R':>8}"
        f" {'page acc':>8}"
    )
    print(header)
    for name, sets, clean in conditions:
        for mode, titles in (("titles+classifier", True), ("classifier only", False)):
            r = score(sets, clean=clean, use_titles=titles)
            print(
                f"{name:48} {mode:16} {r['document_type_accuracy']:12.3f} "
                f"{r['boundary_precision']:8.3f} {r['boundary_recall']:8.3f} "
                f"{r['page_type_accuracy']:8.3f}   ({r['documents']} docs, {r['pages']} pages)"
            )
    print(f"total {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()

"""OCR benchmark on generated scans of real judgments (issue 3). Not a test.

    .venv/bin/python -m benchmarks.ocr_bench --pages 12

On the same degraded pages (300 dpi, blur, grain, JPEG, skew, some turned
90/180/270, some blank) it prints:

- CER per engine through the flow's page path (NFKC, whitespace removed, summed edits
  over summed reference characters), rotation and blank-detection accuracy;
- pages/second of the flow's page path (``read_page_isolated``: the worker
  process pool, one page per worker, ``cores // workers`` engine threads each)
  against the raw engine on all cores: the tesseract CLI under
  ``xargs -P <cores>`` (same language and psm) and a bare RapidOCR loop (onnxruntime on all cores);
- OCRmyPDF (``--jobs <cores> -l chi_sim --force-ocr --sidecar``) on the same
  pages as one scanned PDF.

``--psm`` compares tesseract page segmentation modes on upright pages;
``--osd`` compares our orientation against tesseract OSD.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from benchmarks.common import print_machine, ratio_line
from dossier.samples.render import (
    blank_page,
    degrade,
    judgment_pages,
    page_reference,
    render_text_page,
)
from tasks.ocr.metrics import normalise_for_cer

CORES = os.cpu_count() or 1


@dataclass
class BenchPage:
    path: Path
    reference: str  # "" for a blank sheet
    rotation: int
    skew: float

    @property
    def blank(self) -> bool:
        return not self.reference


def make_pages(count: int, directory: Path, seed: int = 7) -> list[BenchPage]:
    """Every sixth page blank, every third text page turned (90/180/270 in turn)."""
    rng = random.Random(seed)
    texts = judgment_pages(count, start=20)
    pages: list[BenchPage] = []
    turns = [90, 180, 270]
    text_index = 0
    for number in range(count):
        path = directory / f"page-{number + 1:04d}.png"
        if number % 6 == 5:
            image = degrade(blank_page(seed=number), noise=10, jpeg_quality=60, seed=number)
            pages.append(BenchPage(path, "", 0, 0.0))
        else:
            title, text = texts[text_index]
            rotation = turns[(text_index // 3) % 3] if text_index % 3 == 2 else 0
            text_index += 1
            skew = round(rng.uniform(-3.0, 3.0), 1)
            image = degrade(
                render_text_page(text, title=title),
                rotation=rotation,
                skew_degrees=skew,
                blur=rng.uniform(0.8, 1.5),
                noise=rng.uniform(8, 16),
                jpeg_quality=rng.randint(50, 75),
                seed=number,
            )
            pages.append(BenchPage(path, page_reference(text, title), rotation, skew))
        image.save(path)
    return pages


def corpus_cer(pairs: list[tuple[str, str]]) -> float:
    """Summed edit distance over summed reference length, NFKC and whitespace-free."""
    from rapidfuzz.distance import Levenshtein

    edits = chars = 0
    for reference, hypothesis in pairs:
        ref, hyp = normalise_for_cer(reference), normalise_for_cer(hypothesis)
        edits += Levenshtein.distance(ref, hyp)
        chars += len(ref)
    return edits / max(chars, 1)


# --- our per-page function ------------------------------------------------------------


def run_ours(pages: list[BenchPage], engine: str, work: Path) -> tuple[list, float]:
    """The flow's page path: ``read_page_isolated`` from ``cores`` threads.

    Each page image is an original handed to the worker-process pool the flow's
    page tasks use (load, orientation, deskew, OCR, stage output written to a
    local store). The workers are started and their engines loaded on two
    warm-up pages before the clock starts, as long-lived pipeline workers are.
    """
    from dossier.settings import Settings
    from tasks.stages.page_pool import read_page_isolated, shutdown_pool

    settings = Settings(data_dir=work / f"pipeline-{engine}", ocr_engine=engine)
    warm = work / "warmup.png"
    render_text_page("判决如下").save(warm)

    def one(item: tuple[int, Path]):
        number, path = item
        return read_page_isolated(f"bench-{number}", path, 1, engine=engine, settings=settings)

    with ThreadPoolExecutor(CORES) as pool:
        list(pool.map(one, [(0, warm)] * CORES))
        start = time.perf_counter()
        records = list(pool.map(one, [(i, p.path) for i, p in enumerate(pages, start=1)]))
        seconds = time.perf_counter() - start
    shutdown_pool()
    return records, seconds


def straighten(pages: list[BenchPage], directory: Path) -> list[BenchPage]:
    """The pages as ``ocr_page`` hands them to the engine: upright and deskewed.

    A second raw baseline on these isolates our per-page overhead from the
    cost the raw engines pay (or the errors they make) on turned and skewed scans.
    """
    from tasks.ocr.engines import get_engine
    from tasks.ocr.preprocess import prepare_page

    classify = get_engine("rapidocr").text_direction  # type: ignore[attr-defined]
    directory.mkdir(exist_ok=True)
    out = []
    for page in pages:
        with Image.open(page.path) as image:
            prepared = prepare_page(image, classify)
            target = directory / page.path.name
            prepared.image.save(target)
        out.append(BenchPage(target, page.reference, 0, 0.0))
    return out


# --- raw engines ----------------------------------------------------------------------


def run_raw_tesseract(pages: list[BenchPage], out: Path) -> tuple[list[str], float]:
    out.mkdir(parents=True, exist_ok=True)
    listing = "\n".join(str(p.path) for p in pages)
    command = (
        f"xargs -P {CORES} -I{{}} sh -c "
        f'\'tesseract "$1" "$2/$(basename "$1" .png)" '
        f"-l chi_sim --psm 6 2>/dev/null' _ {{}} {shlex.quote(str(out))}"
    )
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    start = time.perf_counter()
    subprocess.run(command, shell=True, input=listing, text=True, check=True, env=env)
    seconds = time.perf_counter() - start
    texts = [(out / f"{p.path.stem}.txt").read_text(encoding="utf-8") for p in pages]
    return texts, seconds


def run_raw_rapidocr(pages: list[BenchPage]) -> tuple[list[str], float]:
    from rapidocr import RapidOCR

    from tasks.ocr.engines import rapidocr_model_paths

    params: dict[str, object] = {"Global.log_level": "warning"}
    params.update({f"{k}.model_path": str(v) for k, v in rapidocr_model_paths().items()})
    engine = RapidOCR(params=params)
    engine(str(pages[0].path))  # load all three models before timing
    start = time.perf_counter()
    texts = []
    for page in pages:
        result = engine(str(page.path))
        texts.append("\n".join(result.txts or ()))
    return texts, time.perf_counter() - start


def run_ocrmypdf(pages: list[BenchPage], work: Path) -> tuple[list[str], float]:
    import img2pdf

    source, target, sidecar = work / "scan.pdf", work / "ocr.pdf", work / "sidecar.txt"
    source.write_bytes(
        img2pdf.convert(
            [str(p.path) for p in pages], layout_fun=img2pdf.get_fixed_dpi_layout_fun((300, 300))
        )
    )
    ocrmypdf = Path(sys.executable).with_name("ocrmypdf")
    command = [
        str(ocrmypdf), "--jobs", str(CORES), "-l", "chi_sim", "--force-ocr",
        "--sidecar", str(sidecar), "--quiet", str(source), str(target),
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(command, check=True)
    seconds = time.perf_counter() - start
    texts = sidecar.read_text(encoding="utf-8").split("\f")
    texts += [""] * (len(pages) - len(texts))
    return texts[: len(pages)], seconds


# --- extras ---------------------------------------------------------------------------


def compare_psm(pages: list[BenchPage], modes: list[int]) -> None:
    """Tesseract CER per psm on the text pages after our orientation and deskew."""
    from tasks.ocr.engines import TesseractEngine, get_engine
    from tasks.ocr.preprocess import prepare_page

    classify = get_engine("rapidocr").text_direction  # type: ignore[attr-defined]
    text_pages = [p for p in pages if not p.blank]
    upright = [prepare_page(Image.open(p.path), classify).image for p in text_pages]
    for psm in modes:
        engine = TesseractEngine(psm=psm)
        start = time.perf_counter()
        pairs = [
            (p.reference, engine.read(img).text) for p, img in zip(text_pages, upright, strict=True)
        ]
        seconds = time.perf_counter() - start
        order = sum(_in_order(ref, hyp) for ref, hyp in pairs)
        print(
            f"tesseract --psm {psm}: CER {corpus_cer(pairs):.2%}, "
            f"{seconds / len(pairs):.2f} s/page (1 thread), "
            f"title line first on {order}/{len(pairs)} pages"
        )


def _in_order(reference: str, hypothesis: str) -> bool:
    first = normalise_for_cer(reference.splitlines()[0])[:6]
    return normalise_for_cer(hypothesis).startswith(first[:4])


def compare_osd(pages: list[BenchPage]) -> None:
    """Tesseract OSD against our orientation (line gaps + RapidOCR direction classifier)."""
    import pytesseract

    from tasks.ocr.engines import get_engine
    from tasks.ocr.preprocess import prepare_page

    classify = get_engine("rapidocr").text_direction  # type: ignore[attr-defined]
    osd_right = ours_right = refused = 0
    osd_seconds = ours_seconds = 0.0
    for page in pages:
        image = Image.open(page.path)
        image.load()
        start = time.perf_counter()
        try:
            osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT)
            # OSD's "rotate" is the clockwise turn that makes the page upright.
            osd_right += (
                (int(osd["rotate"]) == 0) if page.blank else (int(osd["rotate"]) == page.rotation)
            )
        except pytesseract.TesseractError:
            refused += 1
        osd_seconds += time.perf_counter() - start
        start = time.perf_counter()
        prepared = prepare_page(image, classify)
        ours_seconds += time.perf_counter() - start
        ours_right += prepared.blank if page.blank else (prepared.rotation == page.rotation)
    n = len(pages)
    print(
        f"orientation: tesseract OSD right on {osd_right}/{n} ({refused} refused, "
        f"{osd_seconds / n:.2f} s/page); ours (blank check, line gaps, direction classifier, "
        f"deskew) right on {ours_right}/{n} ({ours_seconds / n:.2f} s/page)"
    )


# --- main -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--no-ocrmypdf", action="store_true")
    parser.add_argument("--psm", default="", help="e.g. 3,4,6: compare tesseract psm modes")
    parser.add_argument("--osd", action="store_true", help="compare with tesseract OSD")
    parser.add_argument("--keep", type=Path, help="write the pages here and keep them")
    args = parser.parse_args(argv)

    print_machine()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pages = make_pages(args.pages, work)
    blanks = sum(p.blank for p in pages)
    turned = sum(p.rotation != 0 for p in pages)
    print(f"pages: {len(pages)} (A4 300 dpi, {blanks} blank, {turned} turned) in {work}")

    upright = straighten(pages, work / "upright")
    engines = [e for e in args.engines.split(",") if e]
    throughput: dict[str, float] = {}
    for engine in engines:
        records, seconds = run_ours(pages, engine, work)
        pairs = [(p.reference, r.text) for p, r in zip(pages, records, strict=True) if not p.blank]
        turned_pairs = [
            (p.reference, r.text) for p, r in zip(pages, records, strict=True) if p.rotation
        ]
        rotation_ok = sum(
            r.rotation == p.rotation for p, r in zip(pages, records, strict=True) if not p.blank
        )
        blank_ok = sum(
            (r.status == "blank") == p.blank for p, r in zip(pages, records, strict=True)
        )
        failed = sum(r.status == "failed" for r in records)
        ours = len(pages) / seconds
        throughput[engine] = ours
        print(
            f"{engine} pipeline: CER {corpus_cer(pairs):.3%} on {len(pairs)} text pages "
            f"(turned pages alone {corpus_cer(turned_pairs):.3%}); rotation right "
            f"{rotation_ok}/{len(pairs)}; blank right {blank_ok}/{len(pages)}; failed {failed}; "
            f"{seconds / len(pages):.2f} s/page wall"
        )
        for baseline, inputs in (("scans", pages), ("straightened", upright)):
            if engine == "tesseract":
                raw_texts, raw_seconds = run_raw_tesseract(inputs, work / "tesseract" / baseline)
                label = f"raw tesseract CLI (xargs -P {CORES}) on {baseline}"
            else:
                raw_texts, raw_seconds = run_raw_rapidocr(inputs)
                label = f"bare RapidOCR loop on {baseline}"
            raw_pairs = [
                (p.reference, t) for p, t in zip(inputs, raw_texts, strict=True) if not p.blank
            ]
            print(f"{label}: CER {corpus_cer(raw_pairs):.3%}")
            print(
                ratio_line(f"  {engine} pipeline", ours, len(pages) / raw_seconds, "raw", "pages/s")
            )

    if not args.no_ocrmypdf:
        texts, seconds = run_ocrmypdf(pages, work)
        pairs = [(p.reference, t) for p, t in zip(pages, texts, strict=True) if not p.blank]
        print(f"OCRmyPDF --jobs {CORES} -l chi_sim --force-ocr: CER {corpus_cer(pairs):.3%}")
        if "tesseract" in throughput:
            print(
                ratio_line(
                    "tesseract pipeline",
                    throughput["tesseract"],
                    len(pages) / seconds,
                    "OCRmyPDF",
                    "pages/s",
                )
            )
        else:
            print(f"OCRmyPDF: {len(pages) / seconds:.3f} pages/s")

    if args.psm:
        compare_psm(pages, [int(m) for m in args.psm.split(",")])
    if args.osd:
        compare_osd(pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

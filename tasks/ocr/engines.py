"""The two OCR engines behind one small interface.

``tesseract`` (pytesseract, chi_sim) returns words with boxes; ``rapidocr``
(RapidOCR 3.x, PP-OCR models packaged in its wheel) returns lines. Both give
``OcrItem``s in reading order; the page text is their lines joined by newlines.

Engines are expensive to create (RapidOCR loads three ONNX sessions), so
``get_engine`` keeps one per process; a Prefect task calling ``ocr_page`` in a
worker process reuses it across pages.
"""

from __future__ import annotations

import os
import tempfile
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from schemas.ocr import Box, OcrItem

# One OpenMP thread per tesseract process: parallelism comes from running
# pages side by side, which scales better than tesseract's own threads.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

ENGINE_NAMES = ("rapidocr", "tesseract")
RAPIDOCR_MODELS = "PP-OCRv6-small"  # the models rapidocr_model_paths() names
# Page images handed to the tesseract CLI go through RAM when /dev/shm exists.
_FAST_TMP = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


@dataclass
class EngineResult:
    """Items in reading order and the page text built from them."""

    items: list[OcrItem] = field(default_factory=list)
    text: str = ""

    @property
    def mean_confidence(self) -> float | None:
        if not self.items:
            return None
        weights = [max(1, len(i.text)) for i in self.items]
        return sum(i.confidence * w for i, w in zip(self.items, weights, strict=True)) / sum(
            weights
        )


class OcrEngine(Protocol):
    name: str

    @property
    def version(self) -> str: ...

    def read(self, image: Image.Image) -> EngineResult: ...


def nfkc(text: str) -> str:
    """Full-width digits, letters and brackets to their plain forms (（２０１７） → (2017))."""
    return unicodedata.normalize("NFKC", text)


def _lines_from_items(items: list[OcrItem], joiner: str) -> str:
    lines: dict[int, list[str]] = {}
    for item in items:
        lines.setdefault(item.line or 0, []).append(item.text)
    return "\n".join(joiner.join(parts) for _, parts in sorted(lines.items()))


class TesseractEngine:
    """Tesseract 5 through pytesseract; words with confidence from ``image_to_data``.

    ``--psm 6`` (one uniform block) keeps the single-column order of dossier
    pages; ``--psm 3`` splits a page into blocks and may emit them out of order.
    Measured on 10 upright degraded judgment pages: CER psm 3 4.1%, psm 4 4.6%,
    psm 6 3.4% (``benchmarks/ocr_bench.py --psm 3,4,6``).

    Language ``chi_sim`` alone, not ``chi_sim+eng``: chi_sim's model already reads
    digits and Latin letters (case numbers, the X of an ID number), and adding
    ``eng`` made it read some Chinese characters as Latin. On 10 degraded pages:
    CER 1.52% with 3.4-3.8 CPU s/page against 2.34% with 5.2 CPU s/page.
    """

    name = "tesseract"

    def __init__(self, lang: str = "chi_sim", psm: int = 6) -> None:
        import pytesseract

        self._pytesseract = pytesseract
        self.lang = lang
        self.psm = psm

    @property
    def version(self) -> str:
        return engine_version(self.name)

    def read(self, image: Image.Image) -> EngineResult:
        # pytesseract would re-encode a PIL image as PNG, which costs a good
        # share of a page's OCR time at 300 dpi; an uncompressed PGM/PPM in a
        # private temporary directory costs milliseconds.
        with tempfile.TemporaryDirectory(prefix="ocr-", dir=_FAST_TMP) as tmp:
            path = Path(tmp) / "page.pnm"
            image.convert("L" if image.mode in ("L", "1", "LA") else "RGB").save(path, "PPM")
            data = self._pytesseract.image_to_data(
                str(path),
                lang=self.lang,
                config=f"--psm {self.psm}",
                output_type=self._pytesseract.Output.DICT,
            )
        items: list[OcrItem] = []
        line_numbers: dict[tuple[int, int, int], int] = {}
        for i, raw in enumerate(data["text"]):
            text = nfkc(raw).strip()
            conf = float(data["conf"][i])
            if not text or conf < 0:
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            line = line_numbers.setdefault(key, len(line_numbers) + 1)
            left, top = int(data["left"][i]), int(data["top"][i])
            items.append(
                OcrItem(
                    text=text,
                    box=Box(
                        x0=left,
                        y0=top,
                        x1=left + int(data["width"][i]),
                        y1=top + int(data["height"][i]),
                    ),
                    confidence=min(1.0, conf / 100.0),
                    line=line,
                )
            )
        # Tesseract splits Chinese into one "word" per character or two.
        return EngineResult(items=items, text=_lines_from_items(items, ""))


def rapidocr_model_paths() -> dict[str, Path]:
    """The ONNX models shipped inside the rapidocr wheel, by pipeline stage.

    Naming them explicitly means RapidOCR never resolves a model by URL, so it
    cannot try to download one at run time.
    """
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    paths = {
        "Det": models / "PP-OCRv6_det_small.onnx",
        "Cls": models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
        "Rec": models / "PP-OCRv6_rec_small.onnx",
    }
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"rapidocr wheel lacks its packaged models: {missing}")
    return paths


class RapidOcrEngine:
    """RapidOCR 3.x on onnxruntime; one item per detected line.

    onnxruntime gets ``threads`` intra-op threads (default: all cores) and one
    inter-op thread: a page's detection and recognition are single large
    graphs, so intra-op parallelism is what speeds them up. Models load
    lazily: an engine used only for ``text_direction`` loads just the small
    classifier. Calls are serialised by a lock because RapidOCR keeps the
    use_det/use_cls/use_rec switches as object state.
    """

    name = "rapidocr"

    def __init__(self, threads: int | None = None) -> None:
        from rapidocr import RapidOCR

        self._lock = threading.Lock()
        threads = threads or os.cpu_count() or 1
        params: dict[str, object] = {
            "Global.log_level": "warning",
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            # Text detection on the page scaled to 960 px on its long side (PaddleOCR's
            # own default), recognition one line at a time on the full-size crops. The
            # package default (short side >= 736, i.e. ~1400x2000 for A4 at 300 dpi,
            # lines in batches of 6) peaked at 1159 MiB per page worker; this at 648 MiB,
            # with 48% less CPU per page and the same CER (0.336% on the bench pages).
            "Det.limit_type": "max",
            "Det.limit_side_len": 960,
            "Rec.rec_batch_num": 1,
        }
        for stage, path in rapidocr_model_paths().items():
            params[f"{stage}.model_path"] = str(path)
        self._ocr = RapidOCR(params=params)

    @property
    def version(self) -> str:
        return engine_version(self.name)

    def read(self, image: Image.Image) -> EngineResult:
        bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        with self._lock:
            out = self._ocr(bgr, use_det=True, use_cls=False, use_rec=True)
        if out.boxes is None or out.txts is None or out.scores is None:
            return EngineResult()
        raw = []
        for quad, text, score in zip(out.boxes, out.txts, out.scores, strict=True):
            text = nfkc(text).strip()
            if not text:
                continue
            xs, ys = quad[:, 0], quad[:, 1]
            raw.append(
                (
                    Box(x0=int(xs.min()), y0=int(ys.min()), x1=int(xs.max()), y1=int(ys.max())),
                    text,
                    float(score),
                )
            )
        items = [
            OcrItem(text=text, box=box, confidence=min(1.0, max(0.0, score)), line=line)
            for box, text, score, line in reading_order(raw)
        ]
        return EngineResult(items=items, text=_lines_from_items(items, " "))

    def text_direction(self, strips: list[np.ndarray]) -> list[tuple[str, float]]:
        """RapidOCR's 0/180 classifier on grey line strips: (label, score) each."""
        results = []
        for strip in strips:
            bgr = np.ascontiguousarray(np.stack([strip] * 3, axis=-1))
            with self._lock:
                out = self._ocr(bgr, use_det=False, use_cls=True, use_rec=False)
            results.append((out.cls_res[0][0], float(out.cls_res[0][1])))
        return results


def reading_order(
    boxes: list[tuple[Box, str, float]],
) -> list[tuple[Box, str, float, int]]:
    """Sort line boxes top to bottom, left to right within a visual row; number the rows.

    Boxes whose vertical centres fall within half a line height of each other
    belong to one row (a heading split in two, a date right of a signature).
    """
    if not boxes:
        return []
    ordered = sorted(boxes, key=lambda b: (b[0].y0 + b[0].y1) / 2)
    rows: list[list[tuple[Box, str, float]]] = []
    for entry in ordered:
        box = entry[0]
        centre = (box.y0 + box.y1) / 2
        if rows:
            last = rows[-1]
            ref = last[0][0]
            height = max(ref.y1 - ref.y0, box.y1 - box.y0, 1)
            if abs(centre - (ref.y0 + ref.y1) / 2) < height / 2:
                last.append(entry)
                continue
        rows.append([entry])
    return [
        (box, text, score, number)
        for number, row in enumerate(rows, start=1)
        for box, text, score in sorted(row, key=lambda e: e[0].x0)
    ]


@cache
def engine_version(name: str) -> str:
    """The version an engine's pages are recorded with, without loading the engine.

    A rerun compares it with the version stored beside each page's OCR
    (``tasks.stages.pages``): a page read by another version is read again.
    """
    if name == "rapidocr":
        from importlib.metadata import version

        return f"{version('rapidocr')} {RAPIDOCR_MODELS}"
    if name == "tesseract":
        import pytesseract

        return str(pytesseract.get_tesseract_version())
    raise ValueError(f"unknown OCR engine {name!r}; choose one of {ENGINE_NAMES}")


_engine_threads: int | None = None


def set_engine_threads(threads: int | None) -> None:
    """Threads for engines this process creates from now on (None: all cores).

    A page worker calls this once at start: two workers each running
    onnxruntime on all cores would fight over them (measured in
    ``benchmarks/ocr_bench.py``).
    """
    global _engine_threads
    _engine_threads = threads
    get_engine.cache_clear()


@cache
def get_engine(name: str) -> OcrEngine:
    """The process-wide engine called ``name`` ("rapidocr" or "tesseract")."""
    if name == "rapidocr":
        return RapidOcrEngine(threads=_engine_threads)
    if name == "tesseract":
        return TesseractEngine()
    raise ValueError(f"unknown OCR engine {name!r}; choose one of {ENGINE_NAMES}")

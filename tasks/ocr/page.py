"""OCR of one dossier page into a ``PageOcr`` record: the unit the OCR stage maps over.

Plain functions, no orchestration: the Prefect layer wraps ``ocr_page`` in a
task, maps it over pages and applies timeouts and concurrency limits. A bad
page must not sink the dossier, so ``ocr_page`` never raises for one: it
returns ``status="failed"`` with the error, and the flow flags the dossier for
review while the other pages finish.
"""

from __future__ import annotations

import time
import unicodedata

from PIL import Image

from schemas.ocr import PageOcr
from tasks.ocr.engines import RapidOcrEngine, get_engine
from tasks.ocr.preprocess import DirectionClassifier, prepare_page
from tasks.ocr.steps import PageWork, run_steps


def _direction_classifier() -> DirectionClassifier:
    """RapidOCR's 0/180 text-direction model, whichever engine reads the page.

    Only the small classifier session is loaded when the engine is tesseract.
    """
    engine = get_engine("rapidocr")
    assert isinstance(engine, RapidOcrEngine)
    return engine.text_direction


def _describe(error: BaseException) -> str:
    # Exception texts from image libraries carry sizes and modes, not page
    # content; cut them short all the same so no recognised text leaks into logs.
    message = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{type(error).__name__}: {message}".rstrip(": ")


def ocr_page(
    dossier_id: str,
    page: int,
    image: Image.Image,
    *,
    engine: str,
    image_key: str | None = None,
    min_glyphs: int = 3,
    page_steps: tuple[str, ...] | None = None,
) -> PageOcr:
    """Page-kind steps, blank check, orientation, deskew, then OCR one page with ``engine``.

    ``engine`` is "rapidocr" or "tesseract". First the registered page-kind
    steps (``tasks.ocr.steps``: photo, seal, fax) run where their detectors
    fire; ``page_steps`` limits them to those names (``()``: none). Blank
    pages come back with ``status="blank"`` and are not OCR'd. ``rotation``
    is the clockwise turn applied to read the page, ``skew_degrees`` the
    counter-clockwise tilt removed; boxes are in the coordinates of the
    turned, deskewed (and, for a photo, straightened) page. After reading,
    the result steps flag regions for review.
    """
    started = time.perf_counter()
    record = PageOcr(
        dossier_id=dossier_id,
        page=page,
        source="ocr",
        engine=engine,
        status="failed",
        image_key=image_key,
    )
    try:
        reader = get_engine(engine)
        record.engine_version = reader.version
        record.width, record.height = image.size
        work = PageWork(image=image, read_text=reader.read)
        run_steps("image", work, names=page_steps)
        prepared = prepare_page(work.image, _direction_classifier(), min_glyphs=min_glyphs)
        if prepared.blank:
            record.status = "blank"
            record.blank = True
        else:
            record.rotation = prepared.rotation
            record.skew_degrees = prepared.skew_degrees
            result = reader.read(prepared.image)
            record.items = result.items
            record.text = result.text
            record.mean_confidence = result.mean_confidence
            record.chars = count_chars(result.text)
            record.status = "ok"
            work.replace_image(prepared.image)
            run_steps("result", work, record, names=page_steps)
        record.applied = work.applied
        record.straightened = work.straightened
        record.seals = work.seals
        record.review = work.review
    except Exception as error:  # one bad page must not stop the dossier
        record.status = "failed"
        record.error = _describe(error)
    record.seconds = round(time.perf_counter() - started, 3)
    return record


def text_layer_page(
    dossier_id: str, page: int, text: str, *, width: int = 0, height: int = 0
) -> PageOcr:
    """A page whose PDF text layer already holds real text: no OCR, same record shape."""
    text = unicodedata.normalize("NFKC", text)
    lines = [line.strip() for line in text.splitlines()]
    text = "\n".join(line for line in lines if line)
    chars = count_chars(text)
    return PageOcr(
        dossier_id=dossier_id,
        page=page,
        source="text-layer",
        engine=None,
        status="ok" if chars else "blank",
        blank=not chars,
        width=width,
        height=height,
        text=text,
        chars=chars,
    )


def count_chars(text: str) -> int:
    """Characters that are not whitespace: what a reader would count on the page."""
    return sum(1 for ch in text if not ch.isspace())

"""Flag what the engine read with low confidence, and say when it looks handwritten.

Neither engine here was trained on handwriting (PP-OCR's small models and
tesseract's chi_sim read print); a handwritten answer in a 讯问笔录 or a
signature may come back plausible and wrong. So after the page is read,
every line read with low confidence becomes a ``ReviewRegion`` for a person
to check, and the region is called handwriting when its strokes are
irregular: printed characters of a line share one height and one centre
line, handwritten ones wander in both.

The measure: the line's box, less any ruled line, is cut into character
cells at the empty columns of its ink; over the cells, the spread of their vertical centres and of their
heights, relative to the line's height. Printed lines (even blurred, skewed
and JPEG'd) stay under ~0.04 and ~0.12; jittered hand-drawn lines go above.
"""

from __future__ import annotations

import cv2
import numpy as np

from schemas.ocr import Box, PageOcr, ReviewRegion
from tasks.ocr.steps import PageWork, register_step

LOW_CONFIDENCE = 0.85  # an engine line below this is checked by a person
_CENTRE_SPREAD = 0.05  # std of cell centres / line height above which strokes wander
_HEIGHT_SPREAD = 0.16  # coefficient of variation of cell heights above which sizes wander


def stroke_irregularity(gray: np.ndarray, box: Box) -> tuple[float, float]:
    """(centre spread, height spread) of the character cells in ``box``; (0, 0) if too few."""
    h, w = gray.shape
    x0, y0 = max(0, box.x0), max(0, box.y0)
    x1, y1 = min(w, box.x1), min(h, box.y1)
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0 or crop.shape[0] < 8:
        return 0.0, 0.0
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # A form's ruled line under the writing would join every column into one cell.
    rule_length = max(3, int(1.5 * crop.shape[0]))
    if crop.shape[1] > rule_length:
        rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, rule_length), np.uint8))
        ink = ink & (1 - rules)
    columns = ink.sum(axis=0) > 0
    edges = np.diff(np.concatenate(([0], columns.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    line_height = float(crop.shape[0])
    centres, heights = [], []
    for a, b in zip(starts, ends, strict=True):
        if b - a < 0.3 * line_height:
            continue  # punctuation and stroke fragments say nothing about the hand
        rows = np.flatnonzero(ink[:, a:b].any(axis=1))
        centres.append((rows[0] + rows[-1]) / 2)
        heights.append(rows[-1] - rows[0] + 1)
    if len(centres) < 3:
        return 0.0, 0.0
    spread = float(np.std(centres)) / line_height
    size = float(np.std(heights) / max(np.mean(heights), 1.0))
    return spread, size


class HandwritingReview:
    """Low-confidence lines become review regions; irregular ones are called handwriting."""

    name = "handwriting"
    point = "result"
    order = 10

    def detect(self, work: PageWork, record: PageOcr | None = None) -> list | None:
        if record is None:
            return None
        doubtful = [item for item in record.items if item.confidence < LOW_CONFIDENCE]
        return doubtful or None

    def apply(self, work: PageWork, doubtful: list, record: PageOcr | None = None) -> None:
        gray = work.gray
        for item in doubtful:
            spread, size = stroke_irregularity(gray, item.box)
            handwritten = spread > _CENTRE_SPREAD or size > _HEIGHT_SPREAD
            work.review.append(ReviewRegion(
                box=item.box, text=item.text, confidence=item.confidence,
                reason="handwriting" if handwritten else "low-confidence",
            ))


register_step(HandwritingReview())

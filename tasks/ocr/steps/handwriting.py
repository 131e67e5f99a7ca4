"""Flag what the engine read with low confidence, and say when it looks handwritten.

Neither engine here was trained on handwriting (PP-OCR's small models and
tesseract's chi_sim read print); a handwritten answer in a 讯问笔录 or a
signature may come back plausible and wrong. So after the page is read,
every line whose strokes are irregular (printed characters of a line share
one height and one centre line, handwritten ones wander in both) becomes a
``ReviewRegion`` called handwriting, and every other line read with low
confidence one called low-confidence.

The measure: the line's box, less any ruled line, is cut into character
cells at the empty columns of its ink; over the cells, the spread of their
vertical centres and of their heights (thresholds below).
"""

from __future__ import annotations

import cv2
import numpy as np

from schemas.ocr import Box, PageOcr, ReviewRegion
from tasks.ocr.steps import PageWork, register_step

LOW_CONFIDENCE = 0.85  # an engine line below this is checked by a person
# Robust spread of cell centres (/ line height) and of cell heights (/ their median)
# above which strokes wander. On rendered pages printed lines (scans, and photos
# after straightening) stayed <= 0.028 and <= 0.067; lines written with a jittered
# Kai face had medians ~0.04 and ~0.12 (lines of fewer than four characters
# cannot be judged and are never flagged).
_CENTRE_SPREAD = 0.035
_HEIGHT_SPREAD = 0.09


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
    xs, centres, heights = [], [], []
    for a, b in zip(starts, ends, strict=True):
        if b - a < 0.3 * line_height:
            continue  # punctuation and stroke fragments say nothing about the hand
        rows = np.flatnonzero(ink[:, a:b].any(axis=1))
        xs.append((a + b) / 2)
        centres.append((rows[0] + rows[-1]) / 2)
        heights.append(rows[-1] - rows[0] + 1)
    if len(centres) < 4:
        return 0.0, 0.0
    # A line on a curled or tilted sheet bends smoothly; a hand wanders from one
    # character to the next. Only what a gentle curve through the centres does
    # not explain counts.
    centre = np.array(centres)
    if len(centres) >= 6:
        centre = centre - np.polyval(np.polyfit(xs, centre, 2), xs)
    # Robust spreads (median absolute deviation): a bracket, a 一 or a digit among
    # printed characters sits off the common centre line without making it wander.
    spread = _mad(centre) / line_height
    size = _mad(np.array(heights)) / max(float(np.median(heights)), 1.0)
    return spread, size


def _mad(values: np.ndarray) -> float:
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


class HandwritingReview:
    """Handwritten lines and low-confidence lines become review regions.

    The engines here are confidently wrong on handwriting (RapidOCR gave
    joined strokes 0.9+), so a line whose strokes wander is flagged whatever
    its confidence; a printed line only when its confidence is low. The
    irregularity is first measured on a sample of up to ``SAMPLE`` lines: a
    printed page pays for those few crops only.
    """

    name = "handwriting"
    point = "result"
    order = 10
    SAMPLE = 8

    def detect(self, work: PageWork, record: PageOcr | None = None) -> list | None:
        if record is None or not record.items:
            return None
        low = any(item.confidence < LOW_CONFIDENCE for item in record.items)
        lines = [item for item in record.items if len(item.text) >= 4]
        step = max(1, len(lines) // self.SAMPLE)
        gray = work.gray
        hand = any(is_handwritten(gray, item.box) for item in lines[::step][: self.SAMPLE])
        return record.items if hand or low else None

    def apply(self, work: PageWork, items: list, record: PageOcr | None = None) -> None:
        gray = work.gray
        for item in items:
            if is_handwritten(gray, item.box):
                reason = "handwriting"
            elif item.confidence < LOW_CONFIDENCE:
                reason = "low-confidence"
            else:
                continue
            work.review.append(ReviewRegion(box=item.box, text=item.text,
                                            confidence=item.confidence, reason=reason))


def is_handwritten(gray: np.ndarray, box: Box) -> bool:
    spread, size = stroke_irregularity(gray, box)
    return spread > _CENTRE_SPREAD or size > _HEIGHT_SPREAD


register_step(HandwritingReview())

"""Faxes and other low-resolution or 1-bit pages: despeckle, then upscale to ~300 dpi.

A fax arrives at 150–200 dpi (often as a 1-bit Group 4 TIFF): glyphs are a
third smaller than the 300 dpi scans the engines do best on, their edges are
stair-stepped, and the line noise leaves speckles that the engine reads as
dots (、 。 ， and a stray · are all a few pixels there). So such a page gets:

1. despeckling: ink specks no larger than a pixel or two at the page's
   resolution (a fifth of the smallest punctuation mark) are removed, nothing
   bigger, so 、 and 。 survive;
2. upscaling to about 300 dpi with a smooth interpolation, which turns
   stair-stepped 1-bit edges into grey ramps like a scanner's.

The step fires for a page that is bilevel (nearly all pixels black or white)
or whose resolution, judged from its short side as an A4/Letter sheet, is
under ~230 dpi. A 300 dpi greyscale scan takes neither branch.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from schemas.ocr import PageOcr
from tasks.ocr.steps import PageWork, register_step

_A4_SHORT_INCHES = 8.27
_TARGET_DPI = 300
_LOW_DPI = 230  # below this a page is upscaled
_MIN_DPI = 96  # a sheet this coarse is not a page photographed whole at A4: leave it


@dataclass(frozen=True)
class FaxEvidence:
    dpi: float  # estimated from the short side
    bilevel: bool


def estimated_dpi(gray: np.ndarray) -> float:
    """Resolution if the image is an A4 or Letter sheet seen whole (short side ~8.3–8.5 in)."""
    return min(gray.shape) / _A4_SHORT_INCHES


def is_bilevel(gray: np.ndarray) -> bool:
    """Nearly every pixel pure black or white: a 1-bit page (fax, thresholded scan)."""
    sample = gray[::4, ::4]
    middle = ((sample > 40) & (sample < 215)).mean()
    dark = (sample <= 40).mean()
    return middle < 0.005 and dark > 0.001


def despeckle(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Remove isolated ink specks of at most ~2 px at 200 dpi (area and both sides)."""
    ink = (gray < 128).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return gray
    side = max(2, round(2 * dpi / 200))
    small = ((stats[1:, cv2.CC_STAT_WIDTH] <= side) & (stats[1:, cv2.CC_STAT_HEIGHT] <= side)
             & (stats[1:, cv2.CC_STAT_AREA] <= side * side))
    if not small.any():
        return gray
    drop = np.concatenate([[False], small])
    out = gray.copy()
    out[drop[labels]] = 255
    return out


def upscale(gray: np.ndarray, factor: float) -> np.ndarray:
    """Enlarge by ``factor`` with a cubic filter, then soften 1-bit stair steps."""
    h, w = gray.shape
    big = cv2.resize(gray, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_CUBIC)
    return cv2.GaussianBlur(big, (0, 0), 0.35 * factor)


class FaxStep:
    """Prepare low-resolution and 1-bit pages for the engine."""

    name = "fax"
    point = "image"
    order = 30

    def detect(self, work: PageWork, record: PageOcr | None = None) -> FaxEvidence | None:
        if work.straightened:
            return None  # a straightened photo is already at the photo's resolution
        gray = work.gray
        dpi = estimated_dpi(gray)
        bilevel = is_bilevel(gray)
        if dpi < _MIN_DPI or (not bilevel and dpi >= _LOW_DPI):
            return None
        return FaxEvidence(dpi=dpi, bilevel=bilevel)

    def apply(self, work: PageWork, evidence: FaxEvidence, record: PageOcr | None = None
              ) -> None:
        gray = work.gray
        if evidence.bilevel:
            gray = despeckle(gray, evidence.dpi)
        factor = _TARGET_DPI / evidence.dpi
        if factor > 1.15:
            gray = upscale(gray, factor)
        elif evidence.bilevel:
            gray = cv2.GaussianBlur(gray, (0, 0), 0.5)
        work.replace_image(Image.fromarray(gray, "L"))


register_step(FaxStep())

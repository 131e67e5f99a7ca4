"""Page preparation before OCR: blank detection, orientation (0/90/180/270) and deskew.

Order matters. Blank separator sheets come first: orientation detectors
happily answer "rotate 90" for an empty page (tesseract OSD did, see DESIGN.md),
and OCR on grain only produces garbage. Then the skew and the axis of the
text lines (0/180 versus 90/270) come from projection profiles: cheap, no
model. Finally which way up (0 versus 180) is decided by RapidOCR's
text-direction classifier voting over short strips cut from the lines. On 12
generated degraded pages (2 blank, 3 turned) this was right on 12 at ~0.5 s a
page; tesseract OSD on 10 at ~8.6 s a page (``benchmarks/ocr_bench.py --osd``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

# Working resolution for the cheap analyses: about 100 dpi for an A4 scan at 300.
_WORK_WIDTH = 830
_BORDER = 0.03  # fraction of each side ignored: scanner edges, punch holes, staples


@dataclass(frozen=True)
class PagePreparation:
    """What preprocessing found, and the upright, deskewed image to OCR."""

    image: Image.Image
    blank: bool
    rotation: int = 0  # degrees clockwise the page was turned to read it
    skew_degrees: float = 0.0  # counter-clockwise tilt that was removed
    glyphs: int = 0


def to_gray_array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"))


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark pixels as 1; scanner grain is smoothed away first.

    The threshold is Otsu's but never above 160: on an empty sheet Otsu splits
    the grain itself, and the cap keeps paper paper.
    """
    smooth = cv2.medianBlur(gray, 3)
    otsu, _ = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    threshold = min(float(otsu), 160.0)
    return (smooth < threshold).astype(np.uint8)


def count_glyphs(gray: np.ndarray) -> int:
    """Connected ink components the size of a character stroke or larger.

    Dust and toner dots (under ~1.2 mm) and anything in the border band are not
    counted; a character, even a comma at 300 dpi, is.
    """
    height, width = gray.shape
    scale = min(height, width) / 2480.0  # relative to A4 at 300 dpi
    factor = 2 if min(height, width) > 1600 else 1
    if factor > 1:
        gray = cv2.resize(gray, (width // factor, height // factor), interpolation=cv2.INTER_AREA)
    mask = ink_mask(gray)
    h, w = mask.shape
    by, bx = int(h * _BORDER), int(w * _BORDER)
    mask = mask[by : h - by, bx : w - bx]
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return 0
    sizes = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]) * factor
    min_size = 15 * scale
    max_size = 600 * scale  # larger blobs are shadows or folds, not writing
    return int(((sizes >= min_size) & (sizes <= max_size)).sum())


def is_blank(image: Image.Image, *, min_glyphs: int = 3) -> bool:
    """True for an empty or separator sheet, however grainy; one short line is not blank."""
    return count_glyphs(to_gray_array(image)) < min_glyphs


def _profile_score(mask: np.ndarray) -> float:
    """How strongly rows alternate between ink and gap: sum of squared row-sum steps."""
    rows = mask.sum(axis=1).astype(np.float64)
    return float(np.square(np.diff(rows)).sum())


def _rotate_mask(mask: np.ndarray, degrees: float) -> np.ndarray:
    if not degrees:
        return mask
    h, w = mask.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(mask, matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)


def line_axis_and_skew(gray: np.ndarray, *, max_skew: float = 5.0) -> tuple[bool, float, float]:
    """(lines_are_horizontal, skew_degrees, confidence) from projection profiles.

    The angle (within ``max_skew``) at which either profile is sharpest is the
    skew, counter-clockwise positive as in PIL. The axis comes from the gaps
    at that angle: between lines they are about half a line high, between
    characters a pixel or two. Confidence is the ratio of the two gap widths.
    """
    h, w = gray.shape
    factor = max(1.0, min(h, w) / _WORK_WIDTH)
    small = cv2.resize(gray, (int(w / factor), int(h / factor)), interpolation=cv2.INTER_AREA)
    mask = ink_mask(small)
    sh, sw = mask.shape
    by, bx = int(sh * _BORDER), int(sw * _BORDER)
    mask = mask[by : sh - by, bx : sw - bx]

    def search(m: np.ndarray, angles: np.ndarray) -> tuple[float, float]:
        return max((_profile_score(_rotate_mask(m, float(a))), float(a)) for a in angles)

    # Coarse search at half the working resolution on both axes, fine search
    # on the winning axis only: the whole analysis stays near 0.1 s a page.
    coarse_angles = np.arange(-max_skew, max_skew + 1e-9, 0.5)
    half = mask[::2, ::2]
    row_score, row_angle = search(half, coarse_angles)
    col_score, col_angle = search(np.ascontiguousarray(half.T), coarse_angles)
    on_rows = row_score >= col_score
    target = mask if on_rows else np.ascontiguousarray(mask.T)
    start = row_angle if on_rows else col_angle
    _, fine_angle = search(target, np.arange(start - 0.4, start + 0.4 + 1e-9, 0.1))
    if on_rows:
        row_angle = fine_angle
    else:
        col_angle = fine_angle

    # Sharpest profile gives the angle reliably, but not the axis: Chinese set
    # on a fixed pitch aligns characters in columns too. The gaps tell the axis:
    # between lines they are wide, between characters of a line narrow.
    angle = row_angle if on_rows else col_angle
    upright = _rotate_mask(mask, angle if on_rows else -angle)
    row_gap = _gap_width(upright.sum(axis=1))
    col_gap = _gap_width(upright.sum(axis=0))
    horizontal = row_gap >= col_gap
    skew = -angle if on_rows else angle
    confidence = max(row_gap, col_gap) / max(min(row_gap, col_gap), 1.0)
    return horizontal, round(float(skew), 2), float(confidence)


def _gap_width(profile: np.ndarray) -> float:
    """Median width of the empty runs inside the text block of a projection profile.

    The block is where the middle 99% of the ink lies, so a speck of dust in
    the margin does not open a wide false gap. Between lines every gap is about
    half a line high; between characters most gaps are a pixel or two.
    """
    total = float(profile.sum())
    if total <= 0:
        return 0.0
    cumulative = np.cumsum(profile) / total
    first = int(np.searchsorted(cumulative, 0.005))
    last = int(np.searchsorted(cumulative, 0.995))
    inner = profile[first : last + 1] <= 0.02 * profile.max()
    if not inner.any():
        return 0.0
    edges = np.diff(np.concatenate(([0], inner.view(np.int8), [0])))
    runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    return float(np.median(runs))


def rotate_clockwise(gray: np.ndarray, degrees: int) -> np.ndarray:
    """Quarter turns are exact pixel moves, no resampling."""
    return np.ascontiguousarray(np.rot90(gray, k=-(degrees // 90) % 4))


def deskew(gray: np.ndarray, skew_degrees: float) -> np.ndarray:
    """Undo a small counter-clockwise tilt, filling the corners with white paper."""
    if abs(skew_degrees) < 0.05:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -skew_degrees, 1.0)
    return cv2.warpAffine(
        gray,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )


def line_strips(gray: np.ndarray, *, max_strips: int = 12) -> list[np.ndarray]:
    """Short crops (about 4 characters wide) from the text lines of an upright-or-upside-down page.

    Strips come from the row profile's bands and cut only where there is ink,
    so the direction classifier sees characters, not margins.
    """
    mask = ink_mask(gray)
    h, w = mask.shape
    rows = mask.sum(axis=1)
    on = rows > max(2, 0.01 * w)
    bands: list[tuple[int, int]] = []
    start = None
    for y, flag in enumerate(on):
        if flag and start is None:
            start = y
        elif not flag and start is not None:
            bands.append((start, y))
            start = None
    if start is not None:
        bands.append((start, h))
    heights = [b - a for a, b in bands]
    if not heights:
        return []
    typical = float(np.median(heights))
    bands = [(a, b) for a, b in bands if 0.6 * typical <= b - a <= 1.6 * typical and b - a >= 8]
    if not bands:
        return []
    step = max(1, len(bands) // max_strips)
    strips: list[np.ndarray] = []
    for a, b in bands[::step][:max_strips]:
        pad = max(2, (b - a) // 6)
        y0, y1 = max(0, a - pad), min(h, b + pad)
        cols = np.flatnonzero(mask[a:b].any(axis=0))
        if cols.size == 0:
            continue
        x_mid = int((cols[0] + cols[-1]) / 2)
        width = 4 * (y1 - y0)
        x0 = max(int(cols[0]), x_mid - width // 2)
        x1 = min(int(cols[-1]) + 1, x0 + width)
        if x1 - x0 < (y1 - y0):
            continue
        strips.append(gray[y0:y1, x0:x1])
    return strips


DirectionClassifier = Callable[[list[np.ndarray]], list[tuple[str, float]]]


def upside_down(gray: np.ndarray, classify: DirectionClassifier) -> bool:
    """Whether horizontal lines read upside down, by score-weighted vote over line strips."""
    strips = line_strips(gray, max_strips=8)
    if not strips:
        return False
    vote = 0.0
    for label, score in classify(strips):
        vote += score if label == "180" else -score
    return vote > 0


def prepare_page(
    image: Image.Image, classify: DirectionClassifier, *, min_glyphs: int = 3
) -> PagePreparation:
    """Blank check, then turn the page upright and deskew it; returns a grey image to OCR."""
    gray = to_gray_array(image)
    # Every analysis runs on a half-resolution copy (150 dpi for a 300 dpi scan);
    # only the final turn and deskew touch the full page.
    h, w = gray.shape
    half = cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    glyphs = count_glyphs(half)
    if glyphs < min_glyphs:
        return PagePreparation(image=image, blank=True, glyphs=glyphs)
    horizontal, skew, _ = line_axis_and_skew(half)
    rotation = 0 if horizontal else 90
    half = deskew(rotate_clockwise(half, rotation), skew)
    if upside_down(half, classify):
        rotation += 180
    upright = deskew(rotate_clockwise(gray, rotation), skew)
    return PagePreparation(
        image=Image.fromarray(upright, "L"),
        blank=False,
        rotation=rotation,
        skew_degrees=skew,
        glyphs=glyphs,
    )

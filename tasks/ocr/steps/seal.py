"""Red official seals (公章) on colour pages: lift them off the text and read them apart.

A seal stamped over the last lines of a document put its words (人民, the
office's place name) into the body text. Seals are red; print and
handwriting are black or blue. So on a colour page the red ink is separated
by colour: "redness" is how much the red channel exceeds the larger of green
and blue (black text and its overlap with the seal are dark in all three and
stay text). Red blobs of a seal's size and shape (roughly round or oval, at
least ~1.3 cm across, not a long red headline of a 红头 document) are seals.

Inside each seal's box the red ink is turned to paper for the body text,
and the seal itself is read on its own: its rim text runs round a circle,
so the ring between half and nine tenths of the seal's radius is unrolled
into a straight strip (a polar transform), starting at the widest gap in the
ink round the rim so that a seal stamped at an angle still reads from its
first character. The seal becomes a page feature ``{text, box}``.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from schemas.ocr import Box, PageOcr, Seal
from tasks.ocr.steps import PageWork, register_step

_WORK_SCALE = 4  # detection runs at a quarter of the resolution
_RED = 50  # redness (R - max(G, B)) from which a pixel is seal ink
_MIN_RED_SHARE = 0.0004  # of the page's pixels: fewer red pixels, no seal to look for
_MIN_SIZE, _MAX_SIZE = 0.06, 0.5  # of the page's short side
_TEXT_BAND = (0.5, 0.93)  # of the seal's radius: where the rim text runs


def redness(rgb: np.ndarray) -> np.ndarray:
    """R - max(G, B), clipped at 0, as int16."""
    r = rgb[:, :, 0].astype(np.int16)
    gb = np.maximum(rgb[:, :, 1], rgb[:, :, 2]).astype(np.int16)
    return np.clip(r - gb, 0, 255)


def find_seals(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1, full-resolution px) of red seal-shaped blobs."""
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (max(1, w // _WORK_SCALE), max(1, h // _WORK_SCALE)),
                       interpolation=cv2.INTER_AREA)
    red = (redness(small) > _RED).astype(np.uint8)
    if red.mean() < _MIN_RED_SHARE:
        return []
    # Join the ring, the rim text and the star into one blob.
    joined = cv2.morphologyEx(red, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    short = min(small.shape[:2])
    boxes = []
    for x, y, bw, bh, area in stats[1:]:
        if not _MIN_SIZE * short <= max(bw, bh) <= _MAX_SIZE * short:
            continue
        if not 0.6 <= bw / max(bh, 1) <= 1.7:
            continue
        if area < 0.1 * bw * bh:  # a few scattered red marks, not a stamp
            continue
        pad = 2
        boxes.append((max(0, (x - pad) * _WORK_SCALE), max(0, (y - pad) * _WORK_SCALE),
                      min(w, (x + bw + pad) * _WORK_SCALE), min(h, (y + bh + pad) * _WORK_SCALE)))
    # A faint stamp can fall apart into its ring and its star: a blob inside
    # another blob's box is part of that seal.
    return [b for b in boxes if not any(o != b and _inside(b, o) for o in boxes)]


def _inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return (inner[0] >= outer[0] and inner[1] >= outer[1] and inner[2] <= outer[2]
            and inner[3] <= outer[3])


def lift_seals(rgb: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """The page in grey with the seals' red ink turned to paper (text under them kept)."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    for x0, y0, x1, y1 in boxes:
        part = rgb[y0:y1, x0:x1]
        # Fully red pixels become paper; partly red ones (ink edges) partly so.
        lift = np.clip((redness(part).astype(np.float32) - 10.0) / 30.0, 0.0, 1.0)
        g = gray[y0:y1, x0:x1].astype(np.float32)
        gray[y0:y1, x0:x1] = np.clip(g + (255.0 - g) * lift, 0, 255).astype(np.uint8)
    return gray


def unroll_rim(seal_ink: np.ndarray) -> np.ndarray | None:
    """The seal's rim text as a straight grey strip (dark text on white), or None.

    ``seal_ink`` is the seal's box as ink strength 0..255 (255 = full red).
    """
    mask = (seal_ink > 80).astype(np.uint8)
    points = cv2.findNonZero(mask)
    if points is None or len(points) < 50:
        return None
    (cx, cy), radius = cv2.minEnclosingCircle(points)
    if radius < 20:
        return None
    inner, outer = (int(radius * f) for f in _TEXT_BAND)
    text_radius = (inner + outer) / 2
    angles = max(90, int(2 * np.pi * text_radius))
    polar = cv2.warpPolar(seal_ink, (int(radius), angles), (cx, cy), radius,
                          cv2.WARP_POLAR_LINEAR + cv2.INTER_LINEAR)
    band = polar[:, inner:outer]  # rows: angle clockwise from +x; columns: radius outwards
    profile = np.convolve((band > 80).sum(axis=1).astype(np.float64),
                          np.ones(9) / 9, mode="same")
    empty = profile <= 0.02 * max(profile.max(), 1.0)
    start = _widest_gap_end(empty)
    band = np.roll(band, -start, axis=0)
    # Angle along x (clockwise = reading order), outward radius up.
    strip = np.ascontiguousarray(band.T[::-1])
    strip = 255 - strip
    pad = strip.shape[0] // 3
    return cv2.copyMakeBorder(strip, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def _widest_gap_end(empty: np.ndarray) -> int:
    """Index just after the longest circular run of True in ``empty`` (0 if none)."""
    n = len(empty)
    if not empty.any() or empty.all():
        return 0
    doubled = np.concatenate([empty, empty]).astype(np.int8)
    best_len, best_end, run = 0, 0, 0
    for i, flag in enumerate(doubled):
        run = run + 1 if flag else 0
        if run > best_len:
            best_len, best_end = run, i + 1
    middle = best_end - best_len // 2  # start in the middle of the gap: no clipped glyph
    return middle % n


class SealStep:
    """Separate red seals from the text; record each as ``{text, box}``."""

    name = "seal"
    point = "image"
    order = 20

    def detect(self, work: PageWork, record: PageOcr | None = None) -> list | None:
        if work.image.mode not in ("RGB", "RGBA", "P", "CMYK"):
            return None  # a grey or black-and-white page carries no colour to separate
        rgb = np.asarray(work.image.convert("RGB"))
        boxes = find_seals(rgb)
        return (rgb, boxes) if boxes else None

    def apply(self, work: PageWork, evidence: tuple, record: PageOcr | None = None) -> None:
        rgb, boxes = evidence
        for x0, y0, x1, y1 in boxes:
            ink = np.clip(redness(rgb[y0:y1, x0:x1]).astype(np.float32) * 2.0, 0, 255)
            text, confidence = "", None
            strip = unroll_rim(ink.astype(np.uint8))
            if strip is not None and work.read_text is not None:
                result = work.read_text(Image.fromarray(strip, "L"))
                text = "".join(item.text for item in result.items)
                confidence = result.mean_confidence
            work.seals.append(Seal(text=text, box=Box(x0=x0, y0=y0, x1=x1, y1=y1),
                                   confidence=confidence))
        work.replace_image(Image.fromarray(lift_seals(rgb, boxes), "L"))


register_step(SealStep())

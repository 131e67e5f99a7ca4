"""Phone photos of a page: find the sheet's four corners, undo the perspective, even the light.

A photographed page lies on a desk: the frame shows background round the
sheet, the sheet is a keystoned quadrilateral, and the light falls off across
it. Read as it is, its text lines rise and fall across the page and the lines
of a photo interleave in reading order (18% CER measured before this step).

Detection works on a ~600 px copy: the paper is the largest bright region
(Otsu on the blurred grey, closed over the text); when its outline simplifies
to a convex quadrilateral well inside the frame, covering 15–97% of it, the
page is a photo. A scan, whose paper fills the frame, or touches its edges,
never has such a quadrilateral. Each corner is then refined at full
resolution: along each side the paper edge is located at ~40 points (the
strongest brightness step across the coarse side), a line is fitted through
them, and adjacent lines are intersected — sub-pixel corners from a coarse
outline, so the straightened page is not sheared by a few pixels of error.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from schemas.ocr import PageOcr
from tasks.ocr.steps import PageWork, register_step

_DETECT_SIDE = 600  # px on the long side for finding the sheet
_MIN_AREA, _MAX_AREA = 0.15, 0.97  # of the frame
_EDGE_MARGIN = 0.004  # corners closer to the frame edge than this (of its size): not a photo


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(points, dtype=np.float64).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise from the left in image coordinates
    start = int(np.argmin(pts.sum(axis=1)))  # top-left has the smallest x + y
    return np.roll(pts, -start, axis=0)


def coarse_page_quad(gray: np.ndarray) -> np.ndarray | None:
    """The sheet's corners (TL, TR, BR, BL, full-resolution pixels, ±a few px), or None."""
    h, w = gray.shape
    scale = _DETECT_SIDE / max(h, w)
    small = cv2.resize(gray, (max(1, round(w * scale)), max(1, round(h * scale))),
                       interpolation=cv2.INTER_AREA)
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    sh, sw = mask.shape
    area = cv2.contourArea(sheet) / float(sh * sw)
    if not _MIN_AREA <= area <= _MAX_AREA:
        return None
    hull = cv2.convexHull(sheet)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4 or not cv2.isContourConvex(quad):
        return None
    corners = quad.reshape(4, 2).astype(np.float64)
    margin = _EDGE_MARGIN * max(sh, sw)
    inside = ((corners[:, 0] > margin) & (corners[:, 0] < sw - 1 - margin)
              & (corners[:, 1] > margin) & (corners[:, 1] < sh - 1 - margin))
    if not inside.all():
        return None  # the paper runs off the frame: a scan or a cropped photo
    return order_corners(corners / scale)


def refine_corners(gray: np.ndarray, corners: np.ndarray, *, search: float = 10.0) -> np.ndarray:
    """Corners from lines fitted to the paper edge found at full resolution near each side.

    ``search`` is how far (px) either side of the coarse side to look for the edge.
    """
    h, w = gray.shape
    smooth = cv2.GaussianBlur(gray, (0, 0), 1.5).astype(np.float32)
    lines = []
    for i in range(4):
        a, b = corners[i], corners[(i + 1) % 4]
        direction = (b - a) / max(np.linalg.norm(b - a), 1e-9)
        normal = np.array([direction[1], -direction[0]])  # points out of the sheet (clockwise)
        offsets = np.arange(-search, search + 0.5, 0.5)
        found = []
        for t in np.linspace(0.1, 0.9, 41):
            p = a + t * (b - a)
            xs = p[0] + offsets * normal[0]
            ys = p[1] + offsets * normal[1]
            if xs.min() < 1 or ys.min() < 1 or xs.max() > w - 2 or ys.max() > h - 2:
                continue
            values = cv2.remap(smooth, xs.reshape(1, -1).astype(np.float32),
                               ys.reshape(1, -1).astype(np.float32), cv2.INTER_LINEAR)[0]
            step = values[:-1] - values[1:]  # bright paper inside, darker outside
            k = int(np.argmax(step))
            if step[k] < 8:
                continue
            o = (offsets[k] + offsets[k + 1]) / 2
            found.append(p + o * normal)
        if len(found) < 8:
            lines.append(None)
            continue
        vx, vy, x0, y0 = cv2.fitLine(np.array(found, np.float32), cv2.DIST_HUBER, 0, 0.01,
                                     0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
    refined = corners.copy()
    for i in range(4):
        before, after = lines[(i - 1) % 4], lines[i]  # the sides meeting at corner i
        if before is None or after is None:
            continue
        point = _intersect(before, after)
        if point is not None and np.linalg.norm(point - corners[i]) < 3 * search:
            refined[i] = point
    return refined


def _intersect(l1: tuple[np.ndarray, np.ndarray], l2: tuple[np.ndarray, np.ndarray]
               ) -> np.ndarray | None:
    (p, r), (q, s) = l1, l2
    cross = r[0] * s[1] - r[1] * s[0]
    if abs(cross) < 1e-9:
        return None
    t = ((q[0] - p[0]) * s[1] - (q[1] - p[1]) * s[0]) / cross
    return p + t * r


def find_page_corners(gray: np.ndarray) -> np.ndarray | None:
    """The photographed sheet's corners TL, TR, BR, BL in pixels, or None for a scan."""
    coarse = coarse_page_quad(gray)
    if coarse is None:
        return None
    search = max(6.0, 3.0 * max(gray.shape) / _DETECT_SIDE)
    return refine_corners(gray, coarse, search=search)


def rectify(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The sheet cut out and warped to a rectangle as large as its longer sides."""
    tl, tr, br, bl = corners
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REPLICATE)


def even_light(image: np.ndarray) -> np.ndarray:
    """Divide out the paper's brightness (text removed by a max filter at 1/8 scale).

    Gradients and shadows across a photographed sheet become white paper
    again, so the engine and the ink threshold see the same contrast everywhere.
    """
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    paper = cv2.dilate(small, np.ones((9, 9), np.uint8))  # ink is darker than paper: gone
    paper = cv2.GaussianBlur(paper, (0, 0), 4)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    paper = np.maximum(paper, 1.0)
    if image.ndim == 3:
        paper = paper[:, :, None]
    return np.clip(image.astype(np.float32) * (245.0 / paper), 0, 255).astype(np.uint8)


class PhotoStep:
    """Straighten a photographed page (``PageOcr.straightened``)."""

    name = "photo"
    point = "image"
    order = 10

    def detect(self, work: PageWork, record: PageOcr | None = None) -> np.ndarray | None:
        return find_page_corners(work.gray)

    def apply(self, work: PageWork, corners: np.ndarray, record: PageOcr | None = None) -> None:
        pixels = np.asarray(work.image.convert("RGB" if work.image.mode != "L" else "L"))
        flat = even_light(rectify(pixels, corners))
        work.replace_image(Image.fromarray(flat, "L" if flat.ndim == 2 else "RGB"))
        work.straightened = True


register_step(PhotoStep())

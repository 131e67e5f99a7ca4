"""Pages that are not clean office scans, rendered from real judgment text.

Real dossiers hold phone photos of a page on a desk, faxes, colour scans with
a red official seal (公章) over the text, and forms filled in by hand (讯问笔录).
OCR on those is only measured, not assumed, if test pages of each kind exist
with their known text *and* their known geometry: where the page's corners lie
in a photo, where the seal sits and what it says. Each renderer here returns a
``HardPage`` carrying both. Everything is deterministic for a seed.

The degradations follow what such pages look like, not what a particular
engine finds hard:

- ``photo_page``: a 12-megapixel phone photo; the sheet lies on a desk with
  2–6% perspective, turned a little, lit unevenly (a gradient and a shadow),
  mildly blurred, saved as JPEG.
- ``fax_page``: 150–200 dpi, 1-bit (thresholded, as a fax machine sends it)
  through a Group 4 TIFF, skewed, with speckles.
- ``seal_page``: a colour scan of a page with form rules and a red round seal
  (text on the arc, a star in the middle) stamped over the last lines.
- ``handwriting_page``: a printed title and printed paragraphs mixed with
  paragraphs written by hand on ruled lines: a brush (Kai) face when the
  machine has one, every character jittered in size, angle and position,
  strokes of uneven weight and joined to the next character (连笔).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from dossier.samples.render import (
    A4_300DPI,
    DEFAULT_FONT_SIZE,
    DEFAULT_MARGINS,
    _font,
    _wrap,
    degrade,
    page_reference,
    render_text_page,
)

PAGE_KINDS = ("clean", "photo", "fax", "seal", "handwriting", "handwriting-joined")
# Brush (楷体) faces from Debian packages, tried in order; the handwriting renderer
# falls back to the default face (with the same jitter) when none is installed.
KAI_FONTS = (
    Path("/usr/share/fonts/truetype/arphic/ukai.ttc"),  # fonts-arphic-ukai
    Path("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf"),  # fonts-arphic-gkai00mp
)
SEAL_RED = (205, 28, 36)
# Offices whose seals the sample pages carry (fictitious pairings of real place names).
SEAL_NAMES = (
    "上海市浦东新区人民检察院",
    "北京市海淀区人民检察院",
    "江苏省南京市公安局",
    "广州市天河区人民法院",
    "浙江省杭州市司法局",
    "成都市武侯区人民检察院",
)


@dataclass
class HardPage:
    """A rendered page, the text a reader sees on it, and its known geometry."""

    kind: str
    image: Image.Image
    reference: str  # the body text; a seal's words are not part of it
    corners: np.ndarray | None = None  # photo: the sheet's corners TL, TR, BR, BL (x, y)
    seals: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)
    dpi: int = 300
    font: str = ""
    hand_lines: list[tuple[int, int, int, int]] = field(default_factory=list)  # boxes written
    printed_lines: list[tuple[int, int, int, int]] = field(default_factory=list)  # by hand/print


# --- photo --------------------------------------------------------------------------


def _desk(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A desk top: a brownish or greyish surface with grain and a gradient, RGB float."""
    width, height = size
    base = rng.choice([(120, 86, 58), (96, 92, 88), (150, 120, 90), (70, 60, 55)])
    grain = cv2.GaussianBlur(rng.normal(0, 1, (height // 8, width // 8)).astype(np.float32),
                             (0, 0), 3)
    grain = cv2.resize(grain, (width, height * 1), interpolation=cv2.INTER_LINEAR)
    streaks = cv2.resize(rng.normal(0, 1, (height // 4, 8)).astype(np.float32), (width, height))
    desk = np.empty((height, width, 3), np.float32)
    for c in range(3):
        desk[:, :, c] = base[c] + 10 * grain + 6 * streaks
    return desk


def _perspective_corners(
    page_size: tuple[int, int], canvas: tuple[int, int], rng: np.random.Generator
) -> np.ndarray:
    """Where the sheet's corners land: scaled into the frame, keystoned 2–6%, turned ±8°."""
    pw, ph = page_size
    cw, ch = canvas
    scale = rng.uniform(0.80, 0.90) * ch / ph
    w, h = pw * scale, ph * scale
    keystone = rng.uniform(0.02, 0.06) * w  # far edge narrower: the camera is tilted
    side = rng.uniform(-0.02, 0.02) * h  # and a little to one side
    far_top = rng.random() < 0.7
    top_in = keystone / 2 if far_top else 0.0
    bottom_in = 0.0 if far_top else keystone / 2
    corners = np.array(
        [[-w / 2 + top_in, -h / 2 + side], [w / 2 - top_in, -h / 2 - side],
         [w / 2 - bottom_in, h / 2], [-w / 2 + bottom_in, h / 2]],
        dtype=np.float64,
    )
    corners += rng.uniform(-0.008, 0.008, corners.shape) * np.array([w, h])
    angle = math.radians(rng.uniform(-8.0, 8.0))  # the sheet lies as it fell on the desk
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    corners = corners @ rot.T
    centre = np.array([cw / 2 + rng.uniform(-0.03, 0.03) * cw,
                       ch / 2 + rng.uniform(-0.02, 0.02) * ch])
    # The whole sheet is in the picture (a photo of a page, not of part of one):
    # shrink it about its centre until every corner is 1.5% inside the frame.
    low = np.array([0.015 * cw, 0.015 * ch])
    high = np.array([cw, ch]) - low
    reach = np.max(np.maximum((corners + centre - high) / np.maximum(corners, 1e-9),
                              (low - corners - centre) / np.maximum(-corners, 1e-9)))
    if reach > 0:
        corners *= 1 - reach
    return (corners + centre).astype(np.float32)


def _lighting(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A multiplicative light field: a gradient from one side, a soft shadow, vignetting.

    Light varies slowly, so it is computed at 1/8 scale and enlarged.
    """
    full = size
    width, height = size[0] // 8, size[1] // 8
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    ramp = (xx / width - 0.5) * math.cos(angle) + (yy / height - 0.5) * math.sin(angle)
    light = 0.88 + rng.uniform(0.15, 0.3) * ramp
    r2 = ((xx / width - 0.5) ** 2 + (yy / height - 0.5) ** 2)
    light -= rng.uniform(0.05, 0.15) * r2
    # A soft shadow (a hand or the phone) across one corner.
    sx, sy = rng.uniform(0, width), rng.uniform(0, height)
    radius = rng.uniform(0.2, 0.35) * width
    dist = np.sqrt((xx - sx) ** 2 + (yy - sy) ** 2)
    light *= 1 - rng.uniform(0.1, 0.22) * np.clip(1 - dist / radius, 0, 1)
    return cv2.resize(np.clip(light, 0.45, 1.1), full, interpolation=cv2.INTER_LINEAR)


def photo_page(
    text: str,
    *,
    title: str | None = None,
    canvas: tuple[int, int] = (3024, 4032),
    curl: float | None = None,
    seed: int,
) -> HardPage:
    """A phone photo of the printed page lying on a desk (portrait, 12 MP, JPEG).

    ``curl`` bows the printed lines (a sheet that does not lie flat): the middle
    of each line sits this fraction of the page height below its ends; default
    0.2–0.5%. The sheet's edges stay straight, so ``corners`` stay exact.
    """
    rng = np.random.default_rng(seed)
    page = render_text_page(text, title=title)
    paper = np.asarray(page, dtype=np.float32) / 255.0
    curl = rng.uniform(0.002, 0.005) if curl is None else curl
    if curl:
        h, w = paper.shape
        bow = (curl * h * np.sin(np.pi * np.arange(w) / (w - 1))).astype(np.float32)
        map_x = np.tile(np.arange(w, dtype=np.float32), (h, 1))
        map_y = np.arange(h, dtype=np.float32)[:, None] - bow[None, :]
        paper = cv2.remap(paper, map_x, map_y, cv2.INTER_LINEAR, borderValue=1.0)
    tint = np.array(rng.choice([(250, 248, 240), (245, 245, 245), (252, 246, 232)]), np.float32)
    page_rgb = (paper[:, :, None] * (tint - 25) + 25).astype(np.float32)  # ink ~25, not 0
    corners = _perspective_corners(page.size, canvas, rng)
    src = np.array([[0, 0], [page.width, 0], [page.width, page.height], [0, page.height]],
                   dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners)
    cw, ch = canvas
    warped = cv2.warpPerspective(page_rgb, matrix, (cw, ch), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones(page_rgb.shape[:2], np.float32), matrix, (cw, ch),
                               flags=cv2.INTER_LINEAR)[:, :, None]
    photo = warped * mask + _desk(canvas, rng) * (1 - mask)
    photo *= _lighting(canvas, rng)[:, :, None]
    photo = cv2.GaussianBlur(photo, (0, 0), rng.uniform(0.8, 1.5))
    photo += rng.normal(0, rng.uniform(2.5, 5.0), photo.shape).astype(np.float32)
    image = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8), "RGB")
    image = _jpeg(image, int(rng.integers(78, 92)))
    return HardPage("photo", image, page_reference(text, title), corners=corners)


# --- fax ----------------------------------------------------------------------------


def fax_page(text: str, *, title: str | None = None, dpi: int | None = None,
             seed: int) -> HardPage:
    """A faxed page: 150–200 dpi, thresholded to 1 bit, skewed, speckled, via G4 TIFF."""
    rng = np.random.default_rng(seed)
    dpi = dpi or int(rng.choice([150, 200, 200]))
    page = render_text_page(text, title=title)
    page = degrade(page, skew_degrees=round(float(rng.uniform(-1.5, 1.5)), 1), blur=0.8,
                   seed=seed)
    size = (round(page.width * dpi / 300), round(page.height * dpi / 300))
    small = np.asarray(page.resize(size, Image.Resampling.LANCZOS), dtype=np.float32)
    small = small + rng.normal(0, 18, small.shape)  # line noise decides the borderline pixels
    binary = np.where(small < rng.uniform(140, 175), 0, 255).astype(np.uint8)
    height, width = binary.shape
    for _ in range(int(rng.integers(300, 900))):  # speckles: 1–3 px dots
        r = int(rng.integers(1, 3))
        y, x = int(rng.integers(0, height - r)), int(rng.integers(0, width - r))
        binary[y : y + r, x : x + r] = 0
    # A transmission streak: a thin dark line across the page now and then.
    if rng.random() < 0.5:
        y = int(rng.integers(height // 10, height - height // 10))
        binary[y, :] = np.where(rng.random(width) < 0.6, 0, binary[y, :])
    buffer = io.BytesIO()
    Image.fromarray(binary, "L").convert("1").save(buffer, format="TIFF", compression="group4",
                                                   dpi=(dpi, dpi))
    faxed = Image.open(io.BytesIO(buffer.getvalue()))
    faxed.load()
    return HardPage("fax", faxed, page_reference(text, title), dpi=dpi)


# --- seal ---------------------------------------------------------------------------


def seal_image(text: str, *, diameter: int = 480, seed: int) -> Image.Image:
    """A round official seal in red on transparent: text on the upper arc, a star inside.

    Drawn as an RGBA stamp with uneven ink (the alpha has holes and soft spots),
    as an inked rubber or a printed e-seal looks after scanning.
    """
    rng = np.random.default_rng(seed)
    size = diameter
    scale = 4  # drawn large, shrunk for smooth edges
    big = Image.new("L", (size * scale, size * scale), 0)
    draw = ImageDraw.Draw(big)
    c = size * scale / 2
    ring = int(size * scale * 0.025)
    r = c - ring
    draw.ellipse((c - r, c - r, c + r, c + r), outline=255, width=ring)
    # Five-pointed star.
    star_r = size * scale * 0.17
    points = []
    for k in range(10):
        radius = star_r if k % 2 == 0 else star_r * 0.38
        a = -math.pi / 2 + k * math.pi / 5
        points.append((c + radius * math.cos(a), c + radius * math.sin(a)))
    draw.polygon(points, fill=255)
    # The name along the upper arc, left to right, character tops outward.
    char_size = int(size * scale * 0.13)
    font = _font(None, char_size)
    text_r = r - ring - char_size * 0.62
    span = min(math.radians(250), len(text) * math.radians(24))
    for i, ch in enumerate(text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(text)
        glyph = Image.new("L", (char_size * 2, char_size * 2), 0)
        ImageDraw.Draw(glyph).text((char_size, char_size), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
        gx = c + text_r * math.cos(a) - char_size
        gy = c + text_r * math.sin(a) - char_size
        big.paste(255, (int(gx), int(gy)), glyph)
    alpha = np.asarray(big.resize((size, size), Image.Resampling.LANCZOS), dtype=np.float32)
    texture = cv2.GaussianBlur(rng.uniform(0.55, 1.0, (size, size)).astype(np.float32), (0, 0), 2)
    alpha = np.clip(alpha * texture * rng.uniform(0.85, 1.0), 0, 255).astype(np.uint8)
    stamp = Image.new("RGBA", (size, size), (*SEAL_RED, 0))
    stamp.putalpha(Image.fromarray(alpha, "L"))
    return stamp


def _form_rules(draw: ImageDraw.ImageDraw, size: tuple[int, int], line_height: int,
                top: int, lines: int) -> None:
    """A form's frame and rules: a box round the text block, rules between some lines."""
    left, _, right, _ = DEFAULT_MARGINS
    width, _ = size
    x0, x1 = left - 30, width - right + 30
    y0, y1 = top - 25, top + lines * line_height + 5
    draw.rectangle((x0, y0, x1, y1), outline=0, width=4)
    # Glyphs of a line drawn at y reach down to about y + 1.2 x the font size; the
    # next line's start just below y + line_height: a rule between them touches neither.
    for k in range(3, lines, 4):
        y = top + k * line_height - int(DEFAULT_FONT_SIZE * 0.12)
        draw.line((x0, y, x1, y), fill=0, width=3)


def seal_page(
    text: str,
    *,
    title: str | None = None,
    seal_text: str | None = None,
    seed: int,
) -> HardPage:
    """A colour scan: the page inside a form frame, a red seal stamped over its last lines.

    ``seal_text`` is the office on the seal (default: one of ``SEAL_NAMES``).
    """
    rng = np.random.default_rng(seed)
    page = render_text_page(text, title=title)
    draw = ImageDraw.Draw(page)
    line_height = int(DEFAULT_FONT_SIZE * 1.6)
    top = DEFAULT_MARGINS[1] + (int(line_height * 2.2) if title else 0)
    lines = len(_wrap(text, _layout_for_text()))
    _form_rules(draw, page.size, line_height, top, lines)
    rgb = page.convert("RGB")
    seal_text = seal_text or str(rng.choice(SEAL_NAMES))
    diameter = int(rng.integers(440, 520))
    stamp = seal_image(seal_text, diameter=diameter, seed=seed)
    stamp = stamp.rotate(float(rng.uniform(-15, 15)), resample=Image.Resampling.BICUBIC)
    bottom = top + lines * line_height
    x = int(rng.uniform(0.45, 0.7) * (page.width - diameter))
    y = int(min(page.height - diameter - 60, max(top, bottom - diameter * rng.uniform(0.6, 1.0))))
    # Ink multiplies: black text under the seal stays black, paper turns red.
    base = np.asarray(rgb, dtype=np.float32) / 255.0
    alpha = np.asarray(stamp.getchannel("A"), dtype=np.float32)[:, :, None] / 255.0
    red = np.array(SEAL_RED, np.float32) / 255.0
    region = base[y : y + diameter, x : x + diameter]
    region *= 1 - alpha * (1 - red)
    scanned = np.clip(base * 255.0, 0, 255).astype(np.uint8)
    image = Image.fromarray(scanned, "RGB").filter(ImageFilter.GaussianBlur(0.7))
    noisy = np.asarray(image, dtype=np.float32) + rng.normal(0, 5, (page.height, page.width, 1))
    image = _jpeg(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB"), 80)
    return HardPage("seal", image, page_reference(text, title),
                    seals=[(seal_text, (x, y, x + diameter, y + diameter))])


@lru_cache(maxsize=1)
def _layout_for_text():
    from dossier.samples.render import _layout

    return _layout(A4_300DPI, None, DEFAULT_FONT_SIZE, DEFAULT_MARGINS, 1.6)


# --- handwriting --------------------------------------------------------------------


def kai_font_path() -> Path | None:
    """A brush (楷体) face if one is installed, else None."""
    return next((path for path in KAI_FONTS if path.is_file()), None)


@lru_cache(maxsize=8)
def _hand_font(size: int) -> tuple[ImageFont.FreeTypeFont, str]:
    path = kai_font_path()
    if path is None:
        font = _font(None, size)
        return font, "default face (no Kai face installed)"
    return ImageFont.truetype(str(path), size, index=0), path.name


def _hand_line(
    line: str, font: ImageFont.FreeTypeFont, height: int, width: int,
    rng: np.random.Generator, joined: float,
) -> np.ndarray:
    """One handwritten line as ink coverage 0..1: jittered glyphs joined by thin strokes."""
    canvas = np.zeros((height, width), np.float32)
    size = font.size
    x = 0.0
    prev_exit: tuple[float, float] | None = None
    baseline_drift = rng.uniform(-0.006, 0.006)  # the hand drifts up or down along a line
    natural = sum(font.getlength(ch) for ch in line)
    squeeze = min(1.0, (width - size * 0.2) / max(natural, 1.0))  # every character fits
    for ch in line:
        scale = rng.uniform(0.82, 1.1)
        cell = int(size * 1.6)
        glyph = Image.new("L", (cell, cell), 0)
        ImageDraw.Draw(glyph).text((cell / 2, cell / 2), ch, font=font, fill=255, anchor="mm")
        glyph = glyph.rotate(rng.uniform(-6, 6), resample=Image.Resampling.BICUBIC)
        g = np.asarray(glyph, dtype=np.float32) / 255.0
        shear = rng.uniform(-0.12, 0.12)
        half = cell / 2
        affine = np.array([[scale, shear * scale, (1 - scale) * half - shear * scale * half],
                           [0, scale, (1 - scale) * half]], np.float32)
        g = cv2.warpAffine(g, affine, (cell, cell), flags=cv2.INTER_LINEAR)
        weight = rng.choice([-1, 0, 0, 1, 1, 2])  # pen pressure: thinner or heavier strokes
        if weight > 0:
            g = cv2.dilate(g, np.ones((weight + 1, weight + 1), np.uint8))
        elif weight < 0:
            g = cv2.erode(g, np.ones((2, 2), np.uint8))
        advance = font.getlength(ch) * squeeze * rng.uniform(0.9, 1.0)
        cy = height / 2 + rng.uniform(-0.09, 0.09) * size + baseline_drift * x
        gx, gy = int(x + advance / 2 - cell / 2), int(cy - cell / 2)
        _paste_max(canvas, g, gx, gy)
        cols = np.flatnonzero(g.max(axis=0) > 0.5)
        if cols.size:
            entry = (gx + cols[0], gy + cell / 2 + rng.uniform(-0.3, 0.1) * size)
            # 连笔: the pen stays down from the last stroke into the next character.
            if prev_exit is not None and rng.random() < joined and ch not in "，。、；：！？":
                _stroke(canvas, prev_exit, entry, rng)
            prev_exit = (gx + cols[-1], gy + cell / 2 + rng.uniform(0.0, 0.35) * size)
        x += advance
    return canvas


def _paste_max(canvas: np.ndarray, glyph: np.ndarray, x: int, y: int) -> None:
    h, w = glyph.shape
    ch, cw = canvas.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(cw, x + w), min(ch, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    np.maximum(canvas[y0:y1, x0:x1], glyph[y0 - y : y1 - y, x0 - x : x1 - x],
               out=canvas[y0:y1, x0:x1])


def _stroke(canvas: np.ndarray, start: tuple[float, float], end: tuple[float, float],
            rng: np.random.Generator) -> None:
    """A thin curved connecting stroke (a quadratic Bézier with a sag)."""
    (x0, y0), (x1, y1) = start, end
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2 + rng.uniform(-12, 12)
    t = np.linspace(0, 1, 24)[:, None]
    pts = (1 - t) ** 2 * np.array([x0, y0]) + 2 * (1 - t) * t * np.array([mx, my]) \
        + t**2 * np.array([x1, y1])
    cv2.polylines(canvas, [np.round(pts).astype(np.int32)], False, 0.85, thickness=2,
                  lineType=cv2.LINE_AA)


def handwriting_page(
    text: str,
    *,
    title: str | None = None,
    joined: float = 0.0,
    seed: int,
) -> HardPage:
    """A 笔录-like sheet: ruled lines, printed title and paragraphs, others written by hand.

    Paragraphs alternate between print and hand (the first is printed), as a
    form's printed questions alternate with the answers written in. ``joined``
    is the share of characters the pen runs into from the one before (连笔):
    0 for a careful hand, ~0.45 for a hurried one.
    """
    rng = np.random.default_rng(seed)
    layout = _layout_for_text()
    width, height = A4_300DPI
    line_height = layout.line_height
    ruled = Image.new("RGB", (width, height), (250, 249, 244))
    draw = ImageDraw.Draw(ruled)
    left, top, right, _ = DEFAULT_MARGINS
    y = top
    if title:
        tw = layout.title_font.getlength(title)
        draw.text(((width - tw) / 2, y), title, font=layout.title_font, fill=(20, 20, 20))
        y += layout.title_height
    body_top = y
    lines = _wrap(text, layout)
    for k in range(len(lines) + 1):  # the form's rules: under every line
        ry = body_top + k * line_height + int(DEFAULT_FONT_SIZE * 1.2)
        draw.line((left - 20, ry, width - right + 20, ry), fill=(150, 170, 200), width=2)
    font, face = _hand_font(int(DEFAULT_FONT_SIZE * 1.05))
    ink = np.array(rng.choice([(25, 35, 90), (20, 20, 30), (30, 30, 60)]), np.float32)
    base = np.asarray(ruled, dtype=np.float32).copy()
    paragraph = -1
    hand_lines: list[tuple[int, int, int, int]] = []
    printed_lines: list[tuple[int, int, int, int]] = []
    for number, (line, starts) in enumerate(lines):
        if starts:
            paragraph += 1
        x = left + (layout.indent if starts else 0)
        ly = body_top + number * line_height
        if paragraph % 2 == 0:  # printed
            line_img = Image.new("L", (width, line_height), 0)
            ImageDraw.Draw(line_img).text((x, 0), line, font=layout.font, fill=255)
            c = np.asarray(line_img, dtype=np.float32)[:, :, None] / 255.0
            region = base[ly : ly + line_height]
            region[:] = region * (1 - c) + 20.0 * c
            rows = np.flatnonzero(c[:, :, 0].max(axis=1) > 0.5)
            cols = np.flatnonzero(c[:, :, 0].max(axis=0) > 0.5)
            if rows.size and cols.size:
                printed_lines.append((int(cols[0]), ly + int(rows[0]), int(cols[-1]) + 1,
                                      ly + int(rows[-1]) + 1))
        else:
            strip_h = int(line_height * 1.3)
            cover = _hand_line(line, font, strip_h, width - x - right // 2, rng, joined)
            y0 = ly + DEFAULT_FONT_SIZE // 2 - strip_h // 2
            region = base[y0 : y0 + strip_h, x : x + cover.shape[1]]
            c = cover[: region.shape[0], : region.shape[1], None]
            region[:] = region * (1 - c) + ink * c
            rows = np.flatnonzero(c[:, :, 0].max(axis=1) > 0.5)
            cols = np.flatnonzero(c[:, :, 0].max(axis=0) > 0.5)
            if rows.size and cols.size:
                hand_lines.append((x + int(cols[0]), y0 + int(rows[0]), x + int(cols[-1]) + 1,
                                   y0 + int(rows[-1]) + 1))
    image = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")
    image = image.filter(ImageFilter.GaussianBlur(0.8))
    noisy = np.asarray(image, dtype=np.float32) + rng.normal(0, 6, (height, width, 1))
    image = _jpeg(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB"), 75)
    kind = "handwriting-joined" if joined else "handwriting"
    return HardPage(kind, image, page_reference(text, title), font=face,
                    hand_lines=hand_lines, printed_lines=printed_lines)


# --- clean and shared ---------------------------------------------------------------


def clean_page(text: str, *, title: str | None = None, seed: int) -> HardPage:
    """An office scan as the existing OCR bench makes them: 300 dpi, skew, blur, grain, JPEG."""
    rng = np.random.default_rng(seed)
    image = degrade(
        render_text_page(text, title=title),
        skew_degrees=round(float(rng.uniform(-3.0, 3.0)), 1),
        blur=float(rng.uniform(0.8, 1.5)),
        noise=float(rng.uniform(8, 16)),
        jpeg_quality=int(rng.integers(50, 76)),
        seed=seed,
    )
    return HardPage("clean", image, page_reference(text, title))


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    out = Image.open(io.BytesIO(buffer.getvalue()))
    out.load()
    return out


RENDERERS = {
    "clean": clean_page,
    "photo": photo_page,
    "fax": fax_page,
    "seal": seal_page,
    "handwriting": handwriting_page,
    "handwriting-joined": lambda text, *, title=None, seed: handwriting_page(
        text, title=title, joined=0.45, seed=seed),
}


def hard_page(kind: str, text: str, *, title: str | None = None, seed: int) -> HardPage:
    """A page of ``kind`` (one of ``PAGE_KINDS``) rendered from ``text``."""
    try:
        renderer = RENDERERS[kind]
    except KeyError:
        raise ValueError(f"unknown page kind {kind!r}; choose one of {PAGE_KINDS}") from None
    return renderer(text, title=title, seed=seed)


__all__ = [
    "PAGE_KINDS",
    "HardPage",
    "clean_page",
    "fax_page",
    "handwriting_page",
    "hard_page",
    "kai_font_path",
    "photo_page",
    "seal_image",
    "seal_page",
]

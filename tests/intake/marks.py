"""Page fixtures whose page number can be read back from the pixels.

Each page carries its number as 8 black-or-white squares (binary) across the
top, big enough to survive JPEG, group-4 bilevel TIFF and a PDF render, so a
test can check order without OCR.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageStat

DPI = 100
PAGE_SIZE = (827, 1169)  # A4 at 100 dpi: small pages keep the tests fast
BITS = 8


def _square(width: int, height: int, bit: int) -> tuple[int, int, int, int]:
    side = width // 12
    x0 = side // 2 + bit * (side + side // 3)
    y0 = height // 20
    return x0, y0, x0 + side, y0 + side


def marked_page(number: int, size: tuple[int, int] = PAGE_SIZE, mode: str = "L") -> Image.Image:
    image = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(image)
    for bit in range(BITS):
        box = _square(*size, bit)
        draw.rectangle(box, outline="black", width=2)
        if number >> bit & 1:
            draw.rectangle(box, fill="black")
    draw.line((0, size[1] // 2, size[0], size[1] // 2), fill="black", width=3)
    return image


def read_mark(image: Image.Image) -> int:
    grey = image.convert("L")
    number = 0
    for bit in range(BITS):
        x0, y0, x1, y1 = _square(*grey.size, bit)
        centre = grey.crop((x0 + 8, y0 + 8, x1 - 8, y1 - 8))
        if ImageStat.Stat(centre).mean[0] < 128:
            number |= 1 << bit
    return number



"""Raster pages: single images, TIFF frames, and the checks every page image passes.

Pillow only refuses images beyond *twice* ``Image.MAX_IMAGE_PIXELS`` and merely
warns below that, so the pixel limit is checked here against the header, before
a single pixel is decoded; Pillow's own limit is set to the same value as a
second line of defence.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from dossier.settings import Settings
from tasks.intake.rejection import RejectedInput

# Decoders we let Pillow use: the formats we accept, nothing exotic.
ACCEPTED_PIL_FORMATS = ("PNG", "JPEG", "BMP", "WEBP", "TIFF")
# A resolution outside this range is a placeholder (72, 1, 0), not a scan setting.
PLAUSIBLE_DPI = range(50, 2401)


def apply_pixel_limit(settings: Settings) -> None:
    """Make Pillow's decompression-bomb guard match our page limit (process-wide)."""
    Image.MAX_IMAGE_PIXELS = settings.max_page_pixels


def check_page_pixels(width: int, height: int, settings: Settings, what: str) -> None:
    if width <= 0 or height <= 0:
        raise RejectedInput("unreadable", f"{what}: image has no pixels ({width}x{height})")
    if width * height > settings.max_page_pixels:
        raise RejectedInput(
            "image_too_large",
            f"{what}: {width}x{height} = {width * height:,} pixels, "
            f"limit {settings.max_page_pixels:,}",
        )


@contextlib.contextmanager
def decoding(what: str) -> Iterator[None]:
    """Turn Pillow's many failure types into rejection reasons."""
    try:
        yield
    except RejectedInput:
        raise
    except Image.DecompressionBombError as exc:
        raise RejectedInput("image_too_large", f"{what}: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise RejectedInput("unreadable", f"{what}: not a readable image") from exc
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
        text = str(exc)
        reason = "truncated" if "truncated" in text.lower() else "unreadable"
        raise RejectedInput(reason, f"{what}: {type(exc).__name__}: {text}") from exc


def open_image(source: Path | BinaryIO, settings: Settings, what: str) -> Image.Image:
    """Open (header only) with the pixel limit applied."""
    apply_pixel_limit(settings)
    with decoding(what):
        image = Image.open(source, formats=ACCEPTED_PIL_FORMATS)
        check_page_pixels(image.width, image.height, settings, what)
        return image


def image_dpi(image: Image.Image) -> int | None:
    dpi = image.info.get("dpi")
    if not dpi:
        return None
    try:
        value = round(float(dpi[0]))
    except (TypeError, ValueError, IndexError):
        return None
    return value if value in PLAUSIBLE_DPI else None


def page_image(image: Image.Image, what: str) -> Image.Image:
    """A decoded, upright copy in ``L`` or ``RGB``, detached from the file.

    The copy matters for streaming: a TIFF frame object is reused by the next
    ``seek``, and a detached page can be dropped as soon as OCR is done with it.
    EXIF orientation is applied because phones and some scanners store pages
    sideways and only flag it.
    """
    with decoding(what):
        image.load()
        upright = ImageOps.exif_transpose(image)
        assert upright is not None
        return _page_mode(upright)


def _page_mode(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in ("L", "RGB"):
        return image
    if mode == "1":
        return image.convert("L")
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit greyscale scans: scale to 8 bits instead of clipping at 255.
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        mode = image.mode
    if mode in ("RGBA", "RGBa", "LA", "La", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background if mode.startswith(("RGB", "P")) else background.convert("L")
    return image.convert("RGB")


def _frames(
    image: Image.Image, settings: Settings, what: str, max_frames: int
) -> Iterator[str]:
    """Seek frame by frame, checking each header; yields a label for each frame."""
    index = 0
    while True:
        label = f"{what} frame {index + 1}" if index else what
        if index:
            with decoding(label):
                try:
                    image.seek(index)
                except EOFError:
                    return
            check_page_pixels(image.width, image.height, settings, label)
        if index >= max_frames:
            raise RejectedInput("too_many_pages", f"{what}: more than {max_frames} pages")
        yield label
        index += 1


def iter_frames(
    source: Path | BinaryIO, settings: Settings, what: str, *, max_frames: int
) -> Generator[tuple[Image.Image, int | None], None, int]:
    """Every frame of an image file as ``(page image, dpi)``, one decoded at a time.

    Returns the number of frames (``n = yield from iter_frames(...)``).
    """
    count = 0
    with open_image(source, settings, what) as image:
        for label in _frames(image, settings, what, max_frames):
            # Yielded straight from the expression: no local keeps the page alive
            # once the consumer drops it.
            yield page_image(image, label), image_dpi(image)
            count += 1
    return count


def count_frames(
    source: Path | BinaryIO, settings: Settings, what: str, *, max_frames: int
) -> int:
    """Frames in an image file, checking each frame's size from its header only."""
    with open_image(source, settings, what) as image:
        return sum(1 for _ in _frames(image, settings, what, max_frames))


def read_single(
    source: Path | BinaryIO, settings: Settings, what: str
) -> tuple[Image.Image, int | None]:
    """A one-page image file; of an animated PNG or WebP only the first frame counts."""
    with open_image(source, settings, what) as image:
        return page_image(image, what), image_dpi(image)


def iter_single(
    source: Path | BinaryIO, settings: Settings, what: str
) -> Generator[tuple[Image.Image, int | None], None, int]:
    """:func:`read_single` shaped like :func:`iter_frames`."""
    yield read_single(source, settings, what)
    return 1


def load_frame(
    source: Path | BinaryIO, frame: int, settings: Settings, what: str
) -> tuple[Image.Image, int | None]:
    """Frame ``frame`` (0-based) of an image file as ``(page image, dpi)``."""
    with open_image(source, settings, what) as image:
        for index, label in enumerate(_frames(image, settings, what, max_frames=frame + 1)):
            if index == frame:
                return page_image(image, label), image_dpi(image)
    raise IndexError(f"{what}: no frame {frame + 1}")

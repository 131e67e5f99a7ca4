"""Which kind of file an upload is, from its first bytes (never from its name).

A clerk's ``.pdf`` may be a JPEG and a ``.zip`` may be a Word file; the magic
bytes decide which reader gets it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from tasks.intake.rejection import RejectedInput

InputFormat = Literal["pdf", "tiff", "zip", "png", "jpeg", "bmp", "webp"]
IMAGE_FORMATS: frozenset[str] = frozenset({"png", "jpeg", "bmp", "webp"})

HEAD_BYTES = 1024  # PDF allows junk before %PDF- within the first 1024 bytes

# Formats people send that we recognise, to say what they are when refusing them.
_KNOWN_OTHERS: tuple[tuple[bytes, str], ...] = (
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"GIF8", "GIF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"\x00\x00\x00\x0cjP  ", "JPEG 2000 image"),
    (b"{\\rtf", "RTF document"),
)


def sniff(head: bytes) -> InputFormat | None:
    """The format whose signature ``head`` starts with, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "tiff"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"BM") and len(head) >= 14:
        return "bmp"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if b"%PDF-" in head[:HEAD_BYTES]:
        return "pdf"
    return None


def describe_unknown(head: bytes) -> str:
    """A short name for a format we refuse, for the reason file."""
    for signature, name in _KNOWN_OTHERS:
        if head.startswith(signature):
            return name
    if head[4:8] == b"ftyp":
        return "ISO media file (HEIC/MP4)"
    return "unrecognised content"


def detect_format(path: Path) -> InputFormat:
    """The upload's format, or :class:`RejectedInput` (``empty``/``unsupported_format``)."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    return detect_head(head)


def detect_head(head: bytes) -> InputFormat:
    if not head:
        raise RejectedInput("empty", "the file is empty (0 bytes)")
    found = sniff(head)
    if found is None:
        raise RejectedInput(
            "unsupported_format",
            f"{describe_unknown(head)}: expected PDF, TIFF, ZIP of page images, "
            "PNG, JPEG, BMP or WebP",
        )
    return found

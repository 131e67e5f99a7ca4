"""The corpus of hostile uploads: everything an upload can be, and what intake must say.

Each entry is a file (or a path that is no file) and the outcome intake owes it:
a reason code (refused and quarantined), or ``accepted`` with its page count
(readable, so processed safely). Built in well under ten seconds.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dossier.samples import formats, hostile
from intake.marks import DPI, marked_page

SECRET = b"SECRET-i15-do-not-copy\n"  # in the file the hostile links point at


@dataclass(frozen=True)
class Hostile:
    name: str  # the test id
    path: Path
    expect: str  # a reason code, or "accepted"
    pages: int | None = None  # of an accepted one


def build_corpus(folder: Path, secret: Path) -> list[Hostile]:
    """Write every hostile upload into ``folder``; links point at ``secret``."""
    folder.mkdir(parents=True, exist_ok=True)
    page = marked_page(1)
    pages = [page, marked_page(2)]
    good_pdf = formats.write_scanned_pdf(pages, folder / "good.pdf", dpi=DPI)
    corpus = [
        Hostile("zero-bytes", _write(folder / "empty.pdf", b""), "empty"),
        Hostile("truncated-pdf", formats.write_truncated(good_pdf, folder / "cut.pdf", keep=0.6),
                "truncated"),
        Hostile("malformed-pdf", hostile.write_malformed_pdf(folder / "malformed.pdf"),
                "unreadable"),
        Hostile("encrypted-pdf", formats.write_encrypted_pdf(["加密的起诉意见书。" * 4],
                                                             folder / "locked.pdf"), "encrypted"),
        Hostile("page-tree-100000", hostile.write_lying_page_tree_pdf(folder / "lying.pdf"),
                "too_many_pages"),
        Hostile("page-tree-lies-under-limit",
                hostile.write_lying_page_tree_pdf(folder / "lying-1500.pdf", declared=1500),
                "unreadable"),
        Hostile("page-tree-cycle", hostile.write_page_tree_cycle_pdf(folder / "cycle.pdf"),
                "unreadable"),
        Hostile("page-box-huge-user-unit", hostile.write_page_box_pdf(
            folder / "user-unit.pdf", b"[0 0 14400 14400]", user_unit=75000), "image_too_large"),
        Hostile("page-box-1e30", hostile.write_page_box_pdf(folder / "box-1e30.pdf",
                                                            b"[0 0 1e30 1e30]"), "accepted", 1),
        Hostile("page-box-negative", hostile.write_page_box_pdf(folder / "box-negative.pdf",
                                                                b"[0 0 -5 -7]"), "accepted", 1),
        Hostile("page-box-speck", hostile.write_page_box_pdf(folder / "box-speck.pdf",
                                                             b"[0 0 0.01 0.01]"), "accepted", 1),
        Hostile("pdf-image-bomb", hostile.write_pdf_image_bomb(folder / "image-bomb.pdf"),
                "image_too_large"),
        Hostile("png-pixel-bomb", formats.write_oversized_png(folder / "pixels.png"),
                "image_too_large"),
        Hostile("tiff-ifd-loop", hostile.write_tiff_ifd_loop(folder / "loop.tif"), "accepted", 3),
        Hostile("zip-bomb", formats.write_zip_bomb(folder / "bomb.zip",
                                                   inflated_bytes=32 * 1024 * 1024), "zip_bomb"),
        Hostile("zip-member-lies-about-size",
                hostile.write_lying_member_zip(folder / "lying-member.zip"), "unreadable"),
        Hostile("zip-traversal", formats.write_traversal_zip(page, folder / "slip.zip"),
                "zip_traversal"),
        Hostile("zip-absolute", formats.write_traversal_zip(page, folder / "abs.zip",
                                                            member="/etc/cron.d/page2.png"),
                "zip_traversal"),
        Hostile("zip-nested", formats.write_nested_zip(page, folder / "nested.zip"), "zip_nested"),
        Hostile("zip-100000-entries", hostile.write_many_entries_zip(folder / "entries.zip"),
                "zip_bomb"),
        Hostile("unsupported-rar", _write(folder / "volume.pdf", b"Rar!\x1a\x07\x00" + bytes(64)),
                "unsupported_format"),
        Hostile("unsupported-docx", _docx(folder / "起诉书.docx"), "unsupported_format"),
        Hostile("control-characters-in-name",
                formats.write_image(page, folder / "page\n\x07\x1b[31mred.png"), "accepted", 1),
        Hostile("name-253-bytes", formats.write_image(page, folder / ("卷" * 83 + ".png")),
                "accepted", 1),
    ]
    link = folder / "passwd.pdf"
    link.symlink_to(secret)
    fifo = folder / "pipe.pdf"
    os.mkfifo(fifo)
    corpus += [
        Hostile("symlink-to-secret", link, "not_regular_file"),
        Hostile("named-pipe", fifo, "not_regular_file"),
    ]
    return corpus


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _docx(path: Path) -> Path:
    """A Word document: a ZIP, but of XML, not of page images."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>起诉书</w:document>")
    return path

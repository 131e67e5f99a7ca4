"""Crafted uploads a hostile sender could make, beyond the broken ones in ``formats``.

Test and benchmark material only. PDFs are written object by object (no PDF
library would write a page tree that lies), so each file is exactly the trick
it names and nothing else: a page tree declaring pages it does not hold, a page
tree containing itself, absurd page boxes, an image that inflates to billions
of pixels on an ordinary page. Plus a TIFF whose IFD chain loops and a ZIP of
100,000 entries. Every writer is fast (well under a second) and small on disk.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
A4_BOX = b"[0 0 595 842]"


def write_raw_pdf(objects: list[bytes], path: Path) -> Path:
    """Objects 1..n as given, a correct cross-reference table, object 1 as the root."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    path.write_bytes(out.getvalue())
    return path


def _page(extra: bytes = b"", box: bytes = A4_BOX) -> bytes:
    return b"<< /Type /Page /Parent 2 0 R /MediaBox %s %s >>" % (box, extra)


def write_lying_page_tree_pdf(path: Path, declared: int = 100_000) -> Path:
    """One page in the file, ``declared`` in the page tree's /Count."""
    return write_raw_pdf(
        [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % declared, _page()], path
    )


def write_page_tree_cycle_pdf(path: Path) -> Path:
    """A page tree whose inner node lists the root among its kids (2 -> 4 -> 2)."""
    return write_raw_pdf([
        CATALOG,
        b"<< /Type /Pages /Kids [4 0 R] /Count 3 >>",
        _page(),
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 2 >>",
    ], path)


def write_page_box_pdf(path: Path, box: bytes, user_unit: float | None = None) -> Path:
    """One page with the given /MediaBox (and /UserUnit): 1e30, negative, a speck."""
    extra = b"/UserUnit %g" % user_unit if user_unit is not None else b""
    return write_raw_pdf(
        [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", _page(extra, box)], path
    )


def write_pdf_image_bomb(path: Path, side: int = 20_000) -> Path:
    """An A4 page drawing one ``side`` x ``side`` 1-bit image of zeros.

    20,000 x 20,000 is 400 million pixels in a file of about 100 KB: a renderer
    inflates it (seconds per render) whatever size the page is drawn at.
    """
    row = bytes((side + 7) // 8)
    squeeze = zlib.compressobj(1)
    block = row * 256
    chunks = [squeeze.compress(block) for _ in range(side // 256)]
    chunks += [squeeze.compress(row * (side % 256)), squeeze.flush()]
    data = b"".join(chunks)
    image = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
             b"/BitsPerComponent 1 /Filter /FlateDecode /Length %d >>\nstream\n"
             % (side, side, len(data)) + data + b"\nendstream")
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    stream = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    return write_raw_pdf([
        CATALOG,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        _page(b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R"),
        image,
        stream,
    ], path)


def write_malformed_pdf(path: Path) -> Path:
    """Starts like a PDF and ends with %%EOF, with nothing a parser can use between."""
    path.write_bytes(b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog /Pages 9 0 R\n" * 40
                     + b"trailer << /Root 7 0 R >>\n%%EOF\n")
    return path


def write_tiff_ifd_loop(path: Path, frames: int = 3, loop_to: int = 1) -> Path:
    """A little-endian TIFF of ``frames`` 8x8 grey frames whose last IFD points back to
    IFD ``loop_to``: a reader that follows the chain naively never ends."""
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    ifds: list[int] = []
    next_fields: list[int] = []
    for _ in range(frames):
        strip = len(out)
        out += b"\x80" * 64
        ifds.append(len(out))
        entries = [(256, 3, 8), (257, 3, 8), (258, 3, 8), (259, 3, 1), (262, 3, 1),
                   (273, 4, strip), (277, 3, 1), (278, 3, 8), (279, 4, 64)]
        out += struct.pack("<H", len(entries))
        for tag, kind, value in entries:
            packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
            out += struct.pack("<HHI", tag, kind, 1) + packed
        next_fields.append(len(out))
        out += b"\x00\x00\x00\x00"
    struct.pack_into("<I", out, 4, ifds[0])
    for field, target in zip(next_fields, [*ifds[1:], ifds[loop_to]], strict=True):
        struct.pack_into("<I", out, field, target)
    path.write_bytes(bytes(out))
    return path


def write_many_entries_zip(path: Path, entries: int = 100_000) -> Path:
    """A ZIP of ``entries`` empty members: a central directory to exhaust a reader.

    Written by hand (``zipfile`` takes ~10 s for 100,000 members): stored, empty
    members, a zip64 end record since the count passes 65,535.
    """
    local, central = bytearray(), bytearray()
    for number in range(entries):
        name = b"p%06d.png" % number
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, 0, 0, 0,
                             len(name), 0) + name
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 20, 0, 0, 0, 0, 0, 0,
                               0, len(name), 0, 0, 0, 0, 0, offset) + name
    start = len(local)
    zip64_end = len(local) + len(central)
    tail = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, entries, entries,
                       len(central), start)
    tail += struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1)
    tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                        0xFFFFFFFF, 0)
    path.write_bytes(bytes(local + central + tail))
    return path


def write_lying_member_zip(path: Path, inflated_bytes: int = 32 * 1024 * 1024) -> Path:
    """A zip bomb whose central directory declares 1 KB for its one member: the declared
    size passes every limit, so only counting the inflated bytes can catch it."""
    from dossier.samples.formats import write_zip_bomb

    data = bytearray(write_zip_bomb(path, inflated_bytes=inflated_bytes).read_bytes())
    central = data.rfind(b"PK\x01\x02")
    name_len, extra_len = struct.unpack_from("<HH", data, central + 28)
    extra = central + 46 + name_len
    end = extra + extra_len
    while extra < end:
        tag, length = struct.unpack_from("<HH", data, extra)
        if tag == 0x0001:  # zip64: the uncompressed size comes first
            struct.pack_into("<Q", data, extra + 4, 1024)
            break
        extra += 4 + length
    else:
        struct.pack_into("<I", data, central + 24, 1024)
    path.write_bytes(bytes(data))
    return path

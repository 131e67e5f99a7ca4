"""Write page images (and page texts) as every upload format the intake accepts,
and as the broken uploads it must refuse.

Test and benchmark material only. The writers take iterables and write page
by page where the format allows (TIFF, ZIP), so a 300-page fixture does not
need 300 decoded pages in memory; the PDF writer keeps only each page's
compressed bytes until it writes the file.

pypdfium2 writes scanned (image-only) PDFs. fpdf2 writes born-digital PDFs
with a real CJK text layer (Noto Sans SC from a Python package, see
``dossier.samples.fonts``) and password-protected ones; fpdf2 comes with ocrmypdf,
a dev dependency, and is imported lazily.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PIL import Image, TiffImagePlugin

if TYPE_CHECKING:
    from fpdf import FPDF

POINTS_PER_INCH = 72
A4_POINTS = (595.28, 841.89)

PageFileFormat = Literal["PNG", "JPEG", "BMP", "WEBP"]
TiffCompression = Literal["tiff_deflate", "tiff_lzw", "jpeg", "group4", "raw"]
_SUFFIX = {"PNG": ".png", "JPEG": ".jpg", "BMP": ".bmp", "WEBP": ".webp"}


def encode_image(
    image: Image.Image, fmt: PageFileFormat = "PNG", *, dpi: int = 300, quality: int = 85
) -> bytes:
    """One page as file bytes, with its resolution recorded where the format can."""
    buffer = io.BytesIO()
    options: dict[str, object] = {}
    if fmt in ("PNG", "JPEG", "BMP"):
        options["dpi"] = (dpi, dpi)
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = quality
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def write_image(
    image: Image.Image, path: Path, fmt: PageFileFormat = "PNG", *, dpi: int = 300
) -> Path:
    """A single-page upload (a photographed or scanned sheet)."""
    path.write_bytes(encode_image(image, fmt, dpi=dpi))
    return path


def write_tiff(
    images: Iterable[Image.Image],
    path: Path,
    *,
    dpi: int = 300,
    compression: TiffCompression = "tiff_deflate",
) -> Path:
    """A multi-page TIFF, frame by frame (as a scanner's batch output)."""
    count = 0
    with TiffImagePlugin.AppendingTiffWriter(str(path), new=True) as tiff:
        for image in images:
            frame = image.convert("1") if compression == "group4" else image
            frame.save(tiff, format="TIFF", compression=compression, dpi=(dpi, dpi))
            tiff.newFrame()
            count += 1
    if count == 0:
        path.unlink(missing_ok=True)
        raise ValueError("a TIFF needs at least one page")
    return path


def page_member_names(count: int, fmt: PageFileFormat = "PNG", stem: str = "page") -> list[str]:
    """``page1.png`` … ``page10.png``: unpadded, so only a natural sort gets the order right."""
    return [f"{stem}{number}{_SUFFIX[fmt]}" for number in range(1, count + 1)]


def write_zip(
    images: Iterable[Image.Image],
    path: Path,
    *,
    fmt: PageFileFormat = "PNG",
    dpi: int = 300,
    stem: str = "page",
    folder: str = "",
    macosx_junk: bool = False,
    reverse_order: bool = True,
) -> Path:
    """A ZIP of page images named ``<folder><stem>N.<ext>``.

    ``reverse_order`` stores the members last page first, so a reader that
    trusts the archive order (or sorts names as plain strings) gets it wrong.
    ``macosx_junk`` adds what macOS's Archive Utility leaves: ``__MACOSX/._*``
    resource forks and a ``.DS_Store``.
    """
    encoded = [encode_image(image, fmt, dpi=dpi) for image in images]
    names = [folder + name for name in page_member_names(len(encoded), fmt, stem)]
    entries = list(zip(names, encoded, strict=True))
    if reverse_order:
        entries.reverse()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if folder:
            archive.writestr(zipfile.ZipInfo(folder), b"")
        for name, data in entries:
            archive.writestr(name, data)
            if macosx_junk:
                archive.writestr(f"__MACOSX/{folder}._{name[len(folder):]}", b"\x00\x05\x16\x07")
        if macosx_junk:
            archive.writestr(f"{folder}.DS_Store", b"\x00\x00\x00\x01Bud1" + b"\x00" * 64)
    return path


# --- PDFs ------------------------------------------------------------------
def _new_pdf() -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=A4_POINTS)
    pdf.set_auto_page_break(False)
    pdf.set_creator("dossier.samples.formats")
    return pdf


def write_scanned_pdf(
    images: Iterable[Image.Image],
    path: Path,
    *,
    dpi: int = 300,
    fmt: Literal["JPEG", "PNG"] = "JPEG",
    quality: int = 85,
) -> Path:
    """An image-only PDF (no text layer), one page per image, sized so ``dpi`` reproduces it.

    Written with pypdfium2, page by page: ``JPEG`` embeds the JPEG stream as a
    scanner does, ``PNG`` embeds the pixels losslessly.
    """
    import pypdfium2 as pdfium

    # PDFium is not thread-safe: share the intake's lock with any page task running.
    from tasks.intake.pdf import PDFIUM_LOCK

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument.new()
        try:
            count = 0
            for image in images:
                width, height = (side * POINTS_PER_INCH / dpi for side in image.size)
                page = pdf.new_page(width, height)
                picture = pdfium.PdfImage.new(pdf)
                if fmt == "JPEG":
                    data = io.BytesIO(encode_image(image, "JPEG", dpi=dpi, quality=quality))
                    picture.load_jpeg(data, inline=True)
                else:
                    frame = image if image.mode in ("L", "RGB") else image.convert("RGB")
                    picture.set_bitmap(pdfium.PdfBitmap.from_pil(frame))
                picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
                page.insert_obj(picture)
                page.gen_content()
                page.close()
                count += 1
            if count == 0:
                raise ValueError("a PDF needs at least one page")
            pdf.save(str(path))
        finally:
            pdf.close()
    return path


def write_text_pdf(
    pages: Sequence[str],
    path: Path,
    *,
    font_size: float = 14,
    margin: float = 56,
    user_password: str | None = None,
    background: Sequence[Image.Image | None] | None = None,
) -> Path:
    """A born-digital PDF: each string one A4 page of real, extractable CJK text.

    ``user_password`` encrypts it (RC4, which fpdf2 writes without extra
    packages and PDFium reads), as a court system's export might be.
    ``background`` puts a full-page image under a page's text: a scan with a
    text layer, which the intake must OCR rather than trust.
    """
    if not pages:
        raise ValueError("a PDF needs at least one page")
    from fpdf.enums import MethodReturnValue, WrapMode

    pdf = _new_pdf()
    from dossier.samples.fonts import SANS

    pdf.add_font("noto-sc", fname=str(SANS))
    pdf.set_font("noto-sc", size=font_size)
    pdf.set_margins(margin, margin, margin)
    line_height = font_size * 1.6
    usable_width = A4_POINTS[0] - 2 * margin
    usable_height = A4_POINTS[1] - 2 * margin
    for number, text in enumerate(pages):
        pdf.add_page()
        lines = pdf.multi_cell(
            usable_width, line_height, text, wrapmode=WrapMode.CHAR,
            dry_run=True, output=MethodReturnValue.LINES,
        )
        if len(lines) * line_height > usable_height:
            raise ValueError(f"page {number + 1}: {len(lines)} lines do not fit on one page")
        image = background[number] if background is not None else None
        if image is not None:
            pdf.image(io.BytesIO(encode_image(image, "JPEG")), x=0, y=0, w=A4_POINTS[0],
                      h=A4_POINTS[1])
        pdf.set_xy(margin, margin)
        pdf.multi_cell(usable_width, line_height, text, wrapmode=WrapMode.CHAR, align="L")
    if user_password is not None:
        pdf.set_encryption(owner_password=user_password + "-owner", user_password=user_password)
    pdf.output(str(path))
    return path


# --- by name ---------------------------------------------------------------
UploadKind = Literal[
    "scanned-pdf", "tiff", "tiff-group4", "zip-png", "zip-jpeg", "png", "jpeg", "bmp", "webp"
]
UPLOAD_KINDS: tuple[UploadKind, ...] = (
    "scanned-pdf", "tiff", "tiff-group4", "zip-png", "zip-jpeg", "png", "jpeg", "bmp", "webp"
)
UPLOAD_SUFFIX: dict[str, str] = {
    "scanned-pdf": ".pdf", "tiff": ".tif", "tiff-group4": ".tif", "zip-png": ".zip",
    "zip-jpeg": ".zip", "png": ".png", "jpeg": ".jpg", "bmp": ".bmp", "webp": ".webp",
}


def write_upload(
    kind: UploadKind, images: Iterable[Image.Image], path: Path, *, dpi: int = 300
) -> Path:
    """The same pages as any one upload format (single-image kinds take the first page)."""
    if kind == "scanned-pdf":
        return write_scanned_pdf(images, path, dpi=dpi)
    if kind in ("tiff", "tiff-group4"):
        compression: TiffCompression = "group4" if kind == "tiff-group4" else "tiff_deflate"
        return write_tiff(images, path, dpi=dpi, compression=compression)
    if kind in ("zip-png", "zip-jpeg"):
        return write_zip(images, path, fmt="PNG" if kind == "zip-png" else "JPEG", dpi=dpi,
                         macosx_junk=True)
    first = next(iter(images), None)
    if first is None:
        raise ValueError("no page to write")
    fmt: PageFileFormat = {"png": "PNG", "jpeg": "JPEG", "bmp": "BMP", "webp": "WEBP"}[kind]
    return write_image(first, path, fmt, dpi=dpi)


# --- broken uploads --------------------------------------------------------
def write_truncated(source: Path, path: Path, *, keep: float = 0.5) -> Path:
    """The first ``keep`` share of a file: an upload cut off in transfer."""
    data = source.read_bytes()
    path.write_bytes(data[: max(1, int(len(data) * keep))])
    return path


def write_encrypted_pdf(pages: Sequence[str], path: Path, password: str = "secret") -> Path:
    """A PDF that opens only with a password."""
    return write_text_pdf(pages, path, user_password=password)


def write_traversal_zip(
    image: Image.Image, path: Path, member: str = "../../etc/page1.png"
) -> Path:
    """A ZIP whose member name climbs out of the extraction folder (zip slip)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("page1.png", encode_image(image))
        archive.writestr(member, encode_image(image))
    return path


def write_nested_zip(image: Image.Image, path: Path, inner_name: str = "volume2.zip") -> Path:
    """A ZIP holding pages and another ZIP of pages."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("page1.png", encode_image(image))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("page1.png", encode_image(image))
        archive.writestr(inner_name, inner.getvalue())
    return path


def write_disguised_nested_zip(image: Image.Image, path: Path) -> Path:
    """A ZIP inside a ZIP under an image name: found by content, not by name."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("page1.png", encode_image(image))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("page1.png", encode_image(image))
        archive.writestr("page2.png", inner.getvalue())
    return path


def write_zip_bomb(path: Path, *, inflated_bytes: int = 64 * 1024 * 1024) -> Path:
    """A ZIP with one highly compressible member (a BMP header over zeros).

    Written in chunks with a streaming member, so building it costs no memory.
    64 MiB of zeros deflate about 1000:1.
    """
    width = 4096
    height = inflated_bytes // width
    header = _bmp_header(width, height)
    zeros = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("page1.bmp", "w", force_zip64=True) as member,
    ):
        member.write(header)
        remaining = width * height
        while remaining > 0:
            member.write(zeros[: min(len(zeros), remaining)])
            remaining -= len(zeros)
    return path


def _bmp_header(width: int, height: int) -> bytes:
    """An 8-bit greyscale BMP header with its palette, for a ``width`` x ``height`` image."""
    palette = b"".join(bytes((v, v, v, 0)) for v in range(256))
    offset = 14 + 40 + len(palette)
    size = offset + width * height
    file_header = b"BM" + struct.pack("<IHHI", size, 0, 0, offset)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 0, width * height, 11811, 11811,
                       256, 0)
    return file_header + info + palette


def write_oversized_png(path: Path, width: int = 40_000, height: int = 40_000) -> Path:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a pixel bomb).

    The header is enough to refuse it; the image data is a few bytes of a
    1-pixel image, so nothing here ever allocates the claimed size.
    """
    small = io.BytesIO()
    Image.new("L", (1, 1), 255).save(small, format="PNG")
    data = bytearray(small.getvalue())
    # IHDR is the first chunk: length(4) type(4) width(4) height(4) ... crc(4)
    ihdr_start = 8
    struct.pack_into(">II", data, ihdr_start + 8, width, height)
    crc = zlib.crc32(bytes(data[ihdr_start + 4 : ihdr_start + 8 + 13]))
    struct.pack_into(">I", data, ihdr_start + 8 + 13, crc)
    path.write_bytes(bytes(data))
    return path


def write_non_image_zip(image: Image.Image, path: Path) -> Path:
    """A ZIP with a page and a Word-like text member that is no page image."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("page1.png", encode_image(image))
        archive.writestr("notes.txt", "起诉意见书草稿".encode())
    return path

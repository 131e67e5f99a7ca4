"""Every accepted upload format paginates to the right pages, in order, at the right size."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from dossier.samples import formats
from dossier.samples.real_texts import load_real_texts
from dossier.settings import Settings
from intake.marks import DPI, PAGE_SIZE, marked_page, read_mark
from tasks.intake.archive import page_members
from tasks.intake.detect import detect_format
from tasks.intake.paginate import PageInput, count_pages, iter_pages
from tasks.intake.pdf import is_real_text

Writer = Callable[[list[Image.Image], Path], Path]

MULTI_PAGE: dict[str, tuple[str, Writer]] = {
    "scanned-pdf-jpeg": ("upload.pdf", lambda p, f: formats.write_scanned_pdf(p, f, dpi=DPI)),
    "scanned-pdf-lossless": (
        "upload.pdf", lambda p, f: formats.write_scanned_pdf(p, f, dpi=DPI, fmt="PNG")
    ),
    "tiff-deflate": ("upload.tif", lambda p, f: formats.write_tiff(p, f, dpi=DPI)),
    "tiff-group4": (
        "upload.tif", lambda p, f: formats.write_tiff(p, f, dpi=DPI, compression="group4")
    ),
    "tiff-jpeg": ("upload.tif", lambda p, f: formats.write_tiff(p, f, dpi=DPI, compression="jpeg")),
    "zip-png-macos": (
        "upload.zip",
        lambda p, f: formats.write_zip(p, f, dpi=DPI, folder="卷宗 第一卷/", macosx_junk=True),
    ),
    "zip-jpeg": ("upload.zip", lambda p, f: formats.write_zip(p, f, dpi=DPI, fmt="JPEG")),
    # The name lies: the intake must go by content.
    "tiff-named-pdf": ("upload.pdf", lambda p, f: formats.write_tiff(p, f, dpi=DPI)),
}


def _check_pages(result: list[PageInput], expected: int, tolerance: int = 0) -> None:
    assert [page.page for page in result] == list(range(1, expected + 1))
    assert [read_mark(page.image) for page in result] == list(range(1, expected + 1))
    for page in result:
        assert page.image.mode in ("L", "RGB")
        assert abs(page.image.width - PAGE_SIZE[0]) <= tolerance, page.image.size
        assert abs(page.image.height - PAGE_SIZE[1]) <= tolerance, page.image.size
        assert page.source == "ocr"
        assert page.text_layer is None
        assert page.dpi == DPI


@pytest.mark.parametrize("kind", sorted(MULTI_PAGE))
def test_multi_page_formats(
    kind: str, pages: list[Image.Image], tmp_path: Path, settings: Settings
) -> None:
    name, write = MULTI_PAGE[kind]
    path = write(pages, tmp_path / name)
    assert count_pages(path, settings) == len(pages)
    # PDFium sizes a render with ceil(), so a page may come back one pixel larger.
    _check_pages(list(iter_pages(path, settings)), len(pages), tolerance=1 if "pdf" in kind else 0)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "WEBP"])
def test_single_images(fmt: formats.PageFileFormat, tmp_path: Path, settings: Settings) -> None:
    path = formats.write_image(marked_page(5), tmp_path / "scan.bin", fmt, dpi=DPI)
    assert detect_format(path) == fmt.lower()
    assert count_pages(path, settings) == 1
    [page] = list(iter_pages(path, settings))
    assert page.page == 1
    assert read_mark(page.image) == 5
    assert page.image.size == PAGE_SIZE
    assert page.dpi == (None if fmt == "WEBP" else DPI)  # WebP records no resolution


def test_colour_and_alpha_pages_become_rgb(tmp_path: Path, settings: Settings) -> None:
    rgba = marked_page(3, mode="RGBA")
    rgba.putalpha(255)
    path = formats.write_image(rgba, tmp_path / "page.png", "PNG", dpi=DPI)
    [page] = list(iter_pages(path, settings))
    assert page.image.mode == "RGB"
    assert read_mark(page.image) == 3


def test_exif_orientation_is_applied(tmp_path: Path, settings: Settings) -> None:
    """A phone stores the sheet sideways and flags it; the page comes out upright."""
    upright = marked_page(6)
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # as the sensor saw it
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view"
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", exif=exif.tobytes(), quality=90)
    path = tmp_path / "photo.jpg"
    path.write_bytes(buffer.getvalue())
    [page] = list(iter_pages(path, settings))
    assert page.image.size == PAGE_SIZE
    assert read_mark(page.image) == 6


def test_zip_natural_order_with_chinese_names(tmp_path: Path, settings: Settings) -> None:
    """第2页 before 第10页, whatever order the archive stores them in."""
    pages = [marked_page(number) for number in range(1, 12)]
    path = formats.write_zip(pages, tmp_path / "卷宗.zip", dpi=DPI, stem="第", reverse_order=True)
    assert [read_mark(page.image) for page in iter_pages(path, settings)] == list(range(1, 12))


def _judgment_pages(count: int, chars: int = 380) -> list[str]:
    """Real judgment text (the repository's copy of JuDGE), cut into page-sized pieces."""
    text = "".join(load_real_texts("judge")[0].text.split())
    return [text[i * chars : (i + 1) * chars] for i in range(count)]


def _squash(text: str) -> str:
    return "".join(text.split())


def test_born_digital_pdf_uses_the_text_layer(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")  # default 300 dpi
    texts = _judgment_pages(3)
    path = formats.write_text_pdf(texts, tmp_path / "判决书.pdf")
    result = list(iter_pages(path, settings))
    assert [page.page for page in result] == [1, 2, 3]
    for page, expected in zip(result, texts, strict=True):
        assert page.source == "text-layer"
        assert page.text_layer is not None
        assert _squash(page.text_layer) == expected
        # The image beside a text layer is for people: 150 dpi A4.
        assert page.dpi == 150
        assert (page.image.width, page.image.height) in ((1240, 1754), (1241, 1754))


def test_scan_under_a_text_layer_is_ocrd(tmp_path: Path, settings: Settings) -> None:
    """An OCR sandwich or a typed line over a scan: that text layer is not the page.

    Decided page by page: the born-digital page beside it keeps its text layer.
    """
    texts = _judgment_pages(2)
    path = formats.write_text_pdf(texts, tmp_path / "mixed.pdf", background=[None, marked_page(2)])
    digital, scanned = list(iter_pages(path, settings))
    assert digital.source == "text-layer"
    assert scanned.source == "ocr"
    assert scanned.text_layer is None
    assert scanned.dpi == DPI
    assert read_mark(scanned.image) == 2


def test_a_few_characters_are_no_text_layer(tmp_path: Path, settings: Settings) -> None:
    """A page number or a stamp caption in text does not make a page born-digital."""
    path = formats.write_text_pdf(["第 3 页 共 10 页"], tmp_path / "footer.pdf")
    [page] = list(iter_pages(path, settings))
    assert page.source == "ocr"


@pytest.mark.parametrize("kind", formats.UPLOAD_KINDS)
def test_write_upload_by_name(
    kind: formats.UploadKind, pages: list[Image.Image], tmp_path: Path, settings: Settings
) -> None:
    path = formats.write_upload(kind, pages[:3], tmp_path / f"x{formats.UPLOAD_SUFFIX[kind]}",
                                dpi=DPI)
    expected = 1 if kind in ("png", "jpeg", "bmp", "webp") else 3
    assert count_pages(path, settings) == expected


@pytest.mark.parametrize(
    ("text", "real"),
    [
        ("", False),
        (" \n\t " * 50, False),
        ("第 3 页", False),
        # Enough 汉字, but most of the page came out as glyph codes (no ToUnicode map):
        ("\ue000\ue001\ue002" * 20 + "被告人张某犯盗窃罪" * 3, False),
        ("\x01\x02\x03\x04" * 10 + "公诉机关河南省巩义市人民检察院。" * 2, False),
        ("\x01" + "公诉机关河南省巩义市人民检察院。" * 2, True),  # a stray control char is fine
        ("公诉机关河南省巩义市人民检察院。被告人张某，男，1980年生。", True),
        ("Case No. 2019-325: the defendant was detained on 3 May.", True),
    ],
)
def test_what_counts_as_a_real_text_layer(text: str, real: bool) -> None:
    assert is_real_text(text) is real


def test_zip_with_gbk_names_from_windows(tmp_path: Path, settings: Settings) -> None:
    """Windows archivers write 第N页 in GBK without the UTF-8 flag; order still holds."""
    pages = [marked_page(number) for number in range(1, 12)]
    # Same-length ASCII stand-ins, swapped for GBK bytes after writing.
    path = formats.write_zip(pages, tmp_path / "x.zip", dpi=DPI, stem="QQ", reverse_order=True)
    data = path.read_bytes().replace(b"QQ", "第".encode("gbk"))
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        assert not any(info.flag_bits & 0x800 for info in archive.infolist())
        names = [member.name for member in page_members(archive, settings)]
    assert names == [f"第{number}.png" for number in range(1, 12)]
    assert [read_mark(page.image) for page in iter_pages(path, settings)] == list(range(1, 12))


def test_pdf_page_rotate_is_applied(tmp_path: Path, settings: Settings) -> None:
    """A page saved with ``/Rotate 90`` renders as the viewer shows it (OCR turns it back)."""
    import pypdfium2 as pdfium

    path = formats.write_scanned_pdf([marked_page(1), marked_page(2)], tmp_path / "a.pdf", dpi=DPI)
    pdf = pdfium.PdfDocument(path)
    pdf[1].set_rotation(90)
    pdf.save(tmp_path / "rotated.pdf")
    pdf.close()
    first, second = list(iter_pages(tmp_path / "rotated.pdf", settings))
    assert abs(first.image.width - PAGE_SIZE[0]) <= 1
    assert abs(second.image.width - PAGE_SIZE[1]) <= 1  # landscape now
    assert read_mark(second.image.rotate(90, expand=True)) == 2

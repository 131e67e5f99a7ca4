"""Every refusal comes with its reason code, before or while pages are produced."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from dossier.samples import formats, hostile
from dossier.settings import Settings
from intake.marks import DPI, marked_page
from tasks.intake.paginate import count_pages, iter_pages
from tasks.intake.rejection import REASON_CODES, RejectedInput


def _reject(path: Path, settings: Settings) -> tuple[str, str]:
    """The reason both entry points give (they must agree)."""
    with pytest.raises(RejectedInput) as counted:
        count_pages(path, settings)
    with pytest.raises(RejectedInput) as iterated:
        for _ in iter_pages(path, settings):
            pass
    assert counted.value.reason == iterated.value.reason
    return iterated.value.reason, iterated.value.message


@pytest.fixture
def page() -> Image.Image:
    return marked_page(1)


def test_empty_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "upload.pdf"
    path.write_bytes(b"")
    assert _reject(path, settings)[0] == "empty"


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy Office document"),
        (b"GIF89a" + b"\x00" * 100, "GIF image"),
        ("起诉书正文，纯文本。".encode(), "unrecognised content"),
    ],
)
def test_unsupported_formats(content: bytes, what: str, tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "upload.pdf"  # the extension is not what decides
    path.write_bytes(content)
    reason, message = _reject(path, settings)
    assert reason == "unsupported_format"
    assert what in message


def test_truncated_pdf(page: Image.Image, tmp_path: Path, settings: Settings) -> None:
    whole = formats.write_scanned_pdf([page, page], tmp_path / "whole.pdf", dpi=DPI)
    for keep in (0.3, 0.6, 0.95):
        cut = formats.write_truncated(whole, tmp_path / f"cut-{keep}.pdf", keep=keep)
        assert _reject(cut, settings)[0] == "truncated", keep


def test_truncated_image(page: Image.Image, tmp_path: Path, settings: Settings) -> None:
    whole = formats.write_image(page, tmp_path / "whole.png", "PNG")
    cut = formats.write_truncated(whole, tmp_path / "cut.png", keep=0.6)
    with pytest.raises(RejectedInput) as rejected:
        list(iter_pages(cut, settings))
    assert rejected.value.reason == "truncated"


def test_truncated_zip(pages: list[Image.Image], tmp_path: Path, settings: Settings) -> None:
    whole = formats.write_zip(pages[:3], tmp_path / "whole.zip")
    cut = formats.write_truncated(whole, tmp_path / "cut.zip", keep=0.7)
    assert _reject(cut, settings)[0] == "truncated"


def test_encrypted_pdf(tmp_path: Path, settings: Settings) -> None:
    text = "加密的起诉意见书，需要密码才能打开。" * 3
    path = formats.write_encrypted_pdf([text], tmp_path / "x.pdf")
    assert _reject(path, settings)[0] == "encrypted"


def test_encrypted_zip_member(page: Image.Image, tmp_path: Path, settings: Settings) -> None:
    path = formats.write_zip([page], tmp_path / "x.zip")
    data = bytearray(path.read_bytes())
    # Set the "encrypted" flag bit in the local header and the central directory entry.
    struct.pack_into("<H", data, 6, struct.unpack_from("<H", data, 6)[0] | 1)
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, struct.unpack_from("<H", data, central + 8)[0] | 1)
    path.write_bytes(bytes(data))
    assert _reject(path, settings)[0] == "encrypted"


@pytest.mark.parametrize("member", ["../../etc/page2.png", "/etc/page2.png", "C:\\pages\\page2.png",
                                    "卷宗/../../page2.png"])
def test_zip_traversal(member: str, page: Image.Image, tmp_path: Path, settings: Settings) -> None:
    path = formats.write_traversal_zip(page, tmp_path / "x.zip", member=member)
    assert _reject(path, settings)[0] == "zip_traversal"


def test_zip_symlink_member(page: Image.Image, tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("page1.png", formats.encode_image(page))
        link = zipfile.ZipInfo("page2.png")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    assert _reject(path, settings)[0] == "zip_traversal"


def test_zip_nested_by_name(page: Image.Image, tmp_path: Path, settings: Settings) -> None:
    path = formats.write_nested_zip(page, tmp_path / "x.zip")
    assert _reject(path, settings)[0] == "zip_nested"


def test_zip_nested_by_content(page: Image.Image, tmp_path: Path, settings: Settings) -> None:
    path = formats.write_disguised_nested_zip(page, tmp_path / "x.zip")
    assert _reject(path, settings)[0] == "zip_nested"


def test_zip_bomb_by_ratio(tmp_path: Path, settings: Settings) -> None:
    path = formats.write_zip_bomb(tmp_path / "bomb.zip", inflated_bytes=32 * 1024 * 1024)
    assert path.stat().st_size < 100_000
    reason, message = _reject(path, settings)
    assert reason == "zip_bomb"
    assert "compressed" in message


def test_zip_bomb_by_total_size(pages: list[Image.Image], tmp_path: Path) -> None:
    """Members that compress normally but add up past the limit."""
    path = formats.write_zip(pages, tmp_path / "x.zip", fmt="BMP")
    settings = Settings(data_dir=tmp_path, max_zip_total_bytes=5 * 1024 * 1024)
    assert _reject(path, settings)[0] == "zip_bomb"


def test_zip_bomb_by_member_count(pages: list[Image.Image], tmp_path: Path) -> None:
    path = formats.write_zip(pages, tmp_path / "x.zip", macosx_junk=True)
    settings = Settings(data_dir=tmp_path, max_zip_members=10)
    assert _reject(path, settings)[0] == "zip_bomb"


def test_zip_directory_that_lies_is_not_believed(tmp_path: Path, settings: Settings) -> None:
    """A directory declaring 1 KB for a member that inflates to 32 MiB.

    The declared size passes every limit, so only reading can catch it: the
    inflated bytes are cut at the declared size and the checksum then fails.
    """
    path = hostile.write_lying_member_zip(tmp_path / "bomb.zip", inflated_bytes=32 * 1024**2)
    with zipfile.ZipFile(path) as archive:
        assert archive.infolist()[0].file_size == 1024
    with pytest.raises(RejectedInput) as rejected:
        list(iter_pages(path, settings))
    assert rejected.value.reason == "unreadable"
    assert "CRC" in rejected.value.message


def test_non_image_member(page: Image.Image, tmp_path: Path, settings: Settings) -> None:
    path = formats.write_non_image_zip(page, tmp_path / "x.zip")
    reason, message = _reject(path, settings)
    assert reason == "unsupported_format"
    assert "notes.txt" in message


def test_zip_of_junk_only_is_empty(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("__MACOSX/._page1.png", b"\x00\x05\x16\x07")
        archive.writestr(".DS_Store", b"Bud1")
        archive.writestr("扫描件/", b"")
    assert _reject(path, settings)[0] == "empty"


@pytest.mark.parametrize("kind", ["tiff", "pdf", "zip"])
def test_too_many_pages(kind: str, pages: list[Image.Image], tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, max_pages=5, render_dpi=DPI)
    writer = {
        "tiff": lambda: formats.write_tiff(pages[:6], tmp_path / "x.tif"),
        "pdf": lambda: formats.write_scanned_pdf(pages[:6], tmp_path / "x.pdf", dpi=DPI),
        "zip": lambda: formats.write_zip(pages[:6], tmp_path / "x.zip"),
    }[kind]
    assert _reject(writer(), settings)[0] == "too_many_pages"
    exactly = Settings(data_dir=tmp_path, max_pages=6, render_dpi=DPI)
    assert count_pages(writer(), exactly) == 6


def test_image_header_claiming_billions_of_pixels(tmp_path: Path, settings: Settings) -> None:
    path = formats.write_oversized_png(tmp_path / "x.png", 40_000, 40_000)
    assert path.stat().st_size < 200
    assert _reject(path, settings)[0] == "image_too_large"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_image_just_over_the_limit(page: Image.Image, tmp_path: Path) -> None:
    """Between 1x and 2x the limit Pillow only warns; the intake still refuses."""
    settings = Settings(data_dir=tmp_path, max_page_pixels=page.width * page.height - 1)
    path = formats.write_image(page, tmp_path / "x.png")
    reason, message = _reject(path, settings)
    assert reason == "image_too_large"
    assert f"{page.width}x{page.height}" in message


def test_tiff_with_one_oversized_frame(pages: list[Image.Image], tmp_path: Path) -> None:
    big = Image.new("L", (2000, 2000), "white")
    path = formats.write_tiff([pages[0], big, pages[1]], tmp_path / "x.tif")
    settings = Settings(data_dir=tmp_path, max_page_pixels=3_000_000)
    reason, message = _reject(path, settings)
    assert reason == "image_too_large"
    assert "frame 2" in message


def test_pdf_page_too_large_to_render(tmp_path: Path) -> None:
    """A poster-sized page would render to more pixels than any sheet of a dossier."""
    poster = Image.new("L", (1000, 1000), "white")
    path = formats.write_scanned_pdf([poster], tmp_path / "x.pdf", dpi=10)  # 100 x 100 inches
    settings = Settings(data_dir=tmp_path)  # 300 dpi: 30000 x 30000 pixels
    assert _reject(path, settings)[0] == "image_too_large"


def test_reason_codes_are_a_closed_set() -> None:
    assert len(REASON_CODES) == 12
    with pytest.raises(ValueError, match="unknown rejection reason"):
        RejectedInput("virus", "no such reason")  # type: ignore[arg-type]


def test_messages_mask_names_in_file_names(
    page: Image.Image, tmp_path: Path, settings: Settings
) -> None:
    """Clerks name files after people; a reason file or a log must not repeat the name."""
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("第1页.png", formats.encode_image(page))
        archive.writestr("张三丰讯问笔录.docx", b"PK\x03\x04 not a page")
    reason, message = _reject(path, settings)
    assert reason == "zip_nested"  # a .docx is a ZIP inside the ZIP
    assert "张三丰" not in message
    assert "张******.docx" in message

    image = formats.write_image(page, tmp_path / "李四 410102198001011234.png")
    small = Settings(data_dir=tmp_path, max_page_pixels=1000)
    reason, message = _reject(image, small)
    assert reason == "image_too_large"
    assert "李四" not in message
    assert "198001011234" not in message

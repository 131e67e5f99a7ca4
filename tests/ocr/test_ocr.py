"""OCR stage on pages rendered from real judgments: accuracy, orientation, blanks, failures.

Every OCR run costs seconds on a small machine, so the pages are short
(a few hundred characters) and each engine reads only a handful.
"""

from __future__ import annotations

import io
import socket

import numpy as np
import pytest
from PIL import Image

from dossier.samples.render import (
    blank_page,
    degrade,
    judgment_pages,
    page_reference,
    paginate_text,
    render_text_page,
)
from schemas.ocr import Box
from tasks.ocr import cer, ocr_page, text_layer_page
from tasks.ocr.engines import RapidOcrEngine, get_engine, rapidocr_model_paths, reading_order
from tasks.ocr.metrics import normalise_for_cer
from tasks.ocr.preprocess import is_blank, prepare_page


@pytest.fixture(scope="module")
def short_page() -> tuple[str, Image.Image]:
    """About 300 characters of a real judgment with its court as title: (reference, clean page)."""
    title, text = judgment_pages(1, start=5)[0]
    text = text[:300]
    return page_reference(text, title), render_text_page(text, title=title)


def _scan(page: Image.Image, *, rotation: int = 0, skew: float = 0.0, seed: int = 0):
    return degrade(
        page, rotation=rotation, skew_degrees=skew, blur=1.2, noise=12, jpeg_quality=60, seed=seed
    )


def test_cer_ignores_whitespace_and_width_forms() -> None:
    assert cer("（２０１７）沪0120 刑初684号", "(2017)沪0120刑初\n684号") == 0.0
    assert cer("被告人张某", "被告人张菜") == pytest.approx(0.2)
    assert normalise_for_cer("a\u3000b\tc") == "abc"


def test_pagination_keeps_every_character_and_renders_deterministically() -> None:
    title, _ = judgment_pages(1)[0]
    document = "\n".join(t for _, t in judgment_pages(3))
    pages = paginate_text(document, title=title)
    assert len(pages) >= 2
    assert normalise_for_cer("".join(pages)) == normalise_for_cer(document)
    first = render_text_page(pages[0], title=title)  # fits by construction
    a = degrade(first, rotation=90, skew_degrees=1.0, noise=10, jpeg_quality=70, seed=4)
    b = degrade(first, rotation=90, skew_degrees=1.0, noise=10, jpeg_quality=70, seed=4)
    assert a.tobytes() == b.tobytes()
    assert a.size == (first.height, first.width)
    with pytest.raises(ValueError, match="paginate_text"):
        render_text_page(document, title=title)


def test_noisy_blank_sheets_are_blank_and_one_short_line_is_not() -> None:
    for seed in range(3):
        sheet = blank_page(seed=seed)
        assert is_blank(sheet)
        assert is_blank(degrade(sheet, blur=1.0, noise=20, jpeg_quality=50, seed=seed))
    one_line = _scan(render_text_page("以下空白。"), seed=1)
    assert not is_blank(one_line)


def test_blank_page_is_kept_marked_and_not_read() -> None:
    record = ocr_page("d" * 16, 3, blank_page(seed=9), engine="tesseract")
    assert record.status == "blank" and record.blank
    assert record.text == "" and record.items == [] and record.chars == 0
    assert record.engine == "tesseract" and record.engine_version


@pytest.mark.parametrize(("rotation", "skew"), [(90, 3.0), (180, -2.0), (270, 0.0)])
def test_turned_and_skewed_pages_are_set_upright(short_page, rotation: int, skew: float) -> None:
    classify = get_engine("rapidocr").text_direction  # type: ignore[attr-defined]
    prepared = prepare_page(_scan(short_page[1], rotation=rotation, skew=skew), classify)
    assert not prepared.blank
    assert prepared.rotation == rotation
    assert prepared.skew_degrees == pytest.approx(skew, abs=0.3)
    assert prepared.image.width < prepared.image.height  # portrait again


@pytest.mark.slow
@pytest.mark.parametrize("rotation", [90, 270])
def test_rapidocr_reads_a_turned_page(short_page, rotation: int) -> None:
    reference, page = short_page
    record = ocr_page("d" * 16, 1, _scan(page, rotation=rotation, seed=2), engine="rapidocr")
    assert record.status == "ok", record.error
    assert record.rotation == rotation
    assert cer(reference, record.text) <= 0.01
    assert record.source == "ocr" and record.engine_version.startswith("3.")
    assert 0.9 <= record.mean_confidence <= 1.0
    assert record.chars == len(normalise_for_cer(record.text))
    # Lines come in reading order: the court's name (title) first.
    assert record.items[0].line == 1 and record.text.splitlines()[0] in reference.splitlines()[0]


@pytest.mark.slow
def test_tesseract_reads_a_skewed_upside_down_page(short_page) -> None:
    reference, page = short_page
    record = ocr_page("d" * 16, 2, _scan(page, rotation=180, skew=3.0, seed=3), engine="tesseract")
    assert record.status == "ok", record.error
    assert record.rotation == 180
    assert record.skew_degrees == pytest.approx(3.0, abs=0.3)
    # Debian's fast chi_sim model: ~2% CER on such pages (DESIGN.md), names suffer most.
    assert cer(reference, record.text) <= 0.06
    assert record.engine_version.startswith("5.")
    assert all(0.0 <= item.confidence <= 1.0 for item in record.items)
    assert all(item.box.x1 > item.box.x0 and item.box.y1 > item.box.y0 for item in record.items)


def test_a_broken_page_fails_without_raising() -> None:
    buffer = io.BytesIO()
    Image.new("L", (800, 1100), 255).save(buffer, format="JPEG")
    truncated = Image.open(io.BytesIO(buffer.getvalue()[:400]))  # decoding happens later
    record = ocr_page("d" * 16, 7, truncated, engine="tesseract")
    assert record.status == "failed"
    assert record.error and "OSError" in record.error
    unknown = ocr_page("d" * 16, 8, blank_page(seed=1), engine="abbyy")
    assert unknown.status == "failed" and "unknown OCR engine" in unknown.error


def test_rapidocr_uses_the_packaged_models_without_network(monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("RapidOCR tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    engine = RapidOcrEngine(threads=1)  # a fresh engine: loads its models now, offline
    strip = render_text_page("判决如下").crop((200, 200, 700, 330)).convert("L")
    labels = engine.text_direction([np.asarray(strip)])
    assert labels[0][0] in {"0", "180"}
    assert all(path.is_file() for path in rapidocr_model_paths().values())


def test_text_layer_page_record() -> None:
    record = text_layer_page("d" * 16, 4, "起诉书\n  （２０１７）第１号 \n\n")
    assert record.source == "text-layer" and record.engine is None
    assert record.status == "ok" and record.text == "起诉书\n(2017)第1号"
    assert record.chars == len("起诉书(2017)第1号")
    assert text_layer_page("d" * 16, 5, " \n").status == "blank"


def test_reading_order_groups_rows_then_left_to_right() -> None:
    def box(x: int, y: int) -> Box:
        return Box(x0=x, y0=y, x1=x + 100, y1=y + 40)

    shuffled = [
        (box(600, 205), "日期", 0.9),
        (box(100, 100), "第一行", 0.9),
        (box(100, 200), "审判员", 0.9),
    ]
    ordered = reading_order(shuffled)
    assert [t for _, t, _, _ in ordered] == ["第一行", "审判员", "日期"]
    assert [n for *_, n in ordered] == [1, 2, 2]

"""Page-kind steps on rendered pages with known geometry: photo, fax, seal, handwriting.

Each page is rendered from real judgment text by ``dossier.samples.hard_pages``,
which also knows where the sheet's corners lie in a photo and where a seal
sits and what it says. Pages carry about 300 characters so each OCR run
stays short.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from dossier.samples.hard_pages import (
    clean_page,
    fax_page,
    handwriting_page,
    photo_page,
    seal_page,
)
from dossier.samples.render import blank_page, judgment_pages
from schemas.ocr import Box
from tasks.ocr import cer, ocr_page
from tasks.ocr.engines import reading_order
from tasks.ocr.metrics import normalise_for_cer
from tasks.ocr.steps import PageWork, registered_steps, run_steps
from tasks.ocr.steps.fax import despeckle, is_bilevel
from tasks.ocr.steps.handwriting import is_handwritten
from tasks.ocr.steps.photo import find_page_corners
from tasks.ocr.steps.seal import find_seals

PHOTO_CANVAS = (1512, 2016)  # a quarter of a 12 MP frame: same geometry, faster tests


@pytest.fixture(scope="module")
def texts() -> list[tuple[str | None, str]]:
    """Short pages of real judgments: (title, ~300 characters)."""
    return [(title, text[:300]) for title, text in judgment_pages(4, start=11)]


def test_registry_lists_the_steps_and_refuses_unknown_names() -> None:
    assert {"photo", "seal", "fax", "handwriting"} <= set(registered_steps())
    with pytest.raises(ValueError, match="unknown page steps"):
        run_steps("image", PageWork(image=Image.new("L", (10, 10), 255)), names=("magic",))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_photo_corners_are_found_within_a_few_pixels(texts, seed: int) -> None:
    title, text = texts[seed % len(texts)]
    page = photo_page(text, title=title, canvas=PHOTO_CANVAS, curl=0.0, seed=seed)
    corners = find_page_corners(np.asarray(page.image.convert("L")))
    assert corners is not None
    assert np.abs(corners - page.corners).max() <= 3.0


def test_scans_and_blank_sheets_are_not_taken_for_photos(texts) -> None:
    title, text = texts[0]
    for image in (clean_page(text, title=title, seed=3).image, blank_page(seed=4)):
        assert find_page_corners(np.asarray(image.convert("L"))) is None
        assert find_seals(np.asarray(image.convert("RGB"))) == []


@pytest.mark.slow
def test_a_photographed_page_is_straightened_and_read(texts) -> None:
    title, text = texts[1]
    page = photo_page(text, title=title, canvas=PHOTO_CANVAS, seed=5)
    record = ocr_page("d" * 16, 1, page.image, engine="rapidocr")
    assert record.status == "ok", record.error
    assert record.straightened and record.applied[0] == "photo"
    assert cer(page.reference, record.text) <= 0.01
    # Reading order: the page's first printed line comes first.
    first = normalise_for_cer(record.text.splitlines()[0])
    assert first and first in normalise_for_cer(page.reference.splitlines()[0])


def test_seal_is_found_where_it_was_stamped(texts) -> None:
    title, text = texts[2]
    page = seal_page(text, title=title, seal_text="北京市海淀区人民检察院", seed=6)
    boxes = find_seals(np.asarray(page.image))
    assert len(boxes) == 1
    (x0, y0, x1, y1), (_, (a0, b0, a1, b1)) = boxes[0], page.seals[0]
    overlap = max(0, min(x1, a1) - max(x0, a0)) * max(0, min(y1, b1) - max(y0, b0))
    union = (x1 - x0) * (y1 - y0) + (a1 - a0) * (b1 - b0) - overlap
    assert overlap / union >= 0.8


@pytest.mark.slow
def test_seal_text_is_a_page_feature_not_body_text(texts) -> None:
    title, text = texts[2]
    seal_text = "北京市海淀区人民检察院"
    page = seal_page(text, title=title, seal_text=seal_text, seed=6)
    assert "海淀" not in page.reference
    record = ocr_page("d" * 16, 2, page.image, engine="rapidocr")
    assert record.status == "ok", record.error
    assert "seal" in record.applied
    assert [s.text for s in record.seals] == [seal_text]
    assert "海淀" not in record.text
    assert cer(page.reference, record.text) <= 0.01


def test_fax_is_bilevel_and_despeckling_keeps_punctuation() -> None:
    page = fax_page("被告人某某，男，汉族。", seed=7, dpi=200)
    gray = np.asarray(page.image.convert("L"))
    assert is_bilevel(gray)
    assert not is_bilevel(np.asarray(clean_page("以下空白。", seed=1).image))
    line = Image.new("L", (700, 60), 255)
    from PIL import ImageDraw

    from dossier.samples.render import _font

    ImageDraw.Draw(line).text((10, 10), "甲、乙。丙，丁", font=_font(None, 33), fill=0)
    ink = np.where(np.asarray(line) < 128, 0, 255).astype(np.uint8)
    specked = ink.copy()
    for y, x in [(5, 300), (50, 650), (30, 690)]:
        specked[y : y + 2, x : x + 2] = 0
    cleaned = despeckle(specked, 200)
    assert np.array_equal(cleaned, ink)  # specks gone, every punctuation mark kept


@pytest.mark.slow
def test_a_fax_is_prepared_and_read_with_its_punctuation(texts) -> None:
    title, text = texts[3]
    page = fax_page(text, title=title, seed=8, dpi=150)
    record = ocr_page("d" * 16, 3, page.image.convert("L"), engine="rapidocr")
    assert record.status == "ok", record.error
    assert "fax" in record.applied
    assert cer(page.reference, record.text) <= 0.01
    read, printed = normalise_for_cer(record.text), normalise_for_cer(page.reference)
    for mark in ",。、":  # NFKC: the full-width comma reads as ","
        assert read.count(mark) == printed.count(mark), mark


def test_handwritten_lines_are_irregular_and_printed_lines_are_not(texts) -> None:
    """On a 笔录-like page whose renderer knows which lines were written by hand."""
    title, text = texts[0]
    page = handwriting_page(text, title=title, seed=9)
    gray = np.asarray(page.image.convert("L"))

    def flagged(lines: list[tuple[int, int, int, int]]) -> float:
        boxes = [Box(x0=a - 8, y0=b - 8, x1=c + 8, y1=d + 8) for a, b, c, d in lines
                 if c - a > 4 * (d - b)]  # lines of a few characters cannot be judged
        return sum(is_handwritten(gray, box) for box in boxes) / len(boxes)

    assert page.hand_lines and page.printed_lines
    assert flagged(page.hand_lines) >= 0.8
    assert flagged(page.printed_lines) == 0.0


def test_reading_order_follows_tilted_lines() -> None:
    """Two lines falling 4% across the page: by y alone their halves interleave."""
    entries, quads = [], []
    for row in range(2):
        for half in range(2):
            x0 = 100 + half * 1000
            y0 = 100 + row * 60 + 0.04 * x0
            quad = np.array([[x0, y0], [x0 + 900, y0 + 36], [x0 + 900, y0 + 76],
                             [x0, y0 + 40]], float)
            box = Box(x0=int(x0), y0=int(y0), x1=int(x0 + 900), y1=int(y0 + 76))
            entries.append((box, f"{row}{half}", 0.9))
            quads.append(quad)
    ordered = reading_order(entries, quads)
    assert [t for _, t, _, _ in ordered] == ["00", "01", "10", "11"]
    assert [n for *_, n in ordered] == [1, 1, 2, 2]
    assert normalise_for_cer("".join(t for _, t, _, _ in reading_order(entries)))  # still reads


def test_pages_json_shows_what_was_done_to_each_page(tmp_path) -> None:
    """``export_dossier`` carries the page-kind fields into pages.json."""
    import json

    from dossier.store.keys import ocr_key
    from dossier.store.local import LocalStore
    from schemas.ocr import PageOcr, ReviewRegion, Seal
    from tasks.stages.export import export_dossier

    store = LocalStore(tmp_path / "store")
    box = Box(x0=1, y0=2, x1=30, y1=40)
    pages = [
        PageOcr(dossier_id="d" * 16, page=1, source="ocr", status="ok", text="正文",
                applied=["photo", "seal"], straightened=True,
                seals=[Seal(text="北京市海淀区人民检察院", box=box, confidence=0.99)]),
        PageOcr(dossier_id="d" * 16, page=2, source="ocr", status="ok", text="答",
                applied=["handwriting"],
                review=[ReviewRegion(box=box, text="答", confidence=0.7, reason="handwriting")]),
    ]
    for page in pages:
        store.put_json(ocr_key(page.dossier_id, page.page), page.model_dump(mode="json"))
    folder = export_dossier(store, "d" * 16, 2, tmp_path / "out")
    rows = json.loads((folder / "pages.json").read_text("utf-8"))
    assert rows[0]["straightened"] and rows[0]["applied"] == ["photo", "seal"]
    assert rows[0]["seals"][0]["text"] == "北京市海淀区人民检察院" and "review" not in rows[0]
    assert not rows[1]["straightened"] and rows[1]["review"][0]["reason"] == "handwriting"

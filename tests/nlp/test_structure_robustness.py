"""The structure stage never crashes on real text.

Two real 强奸罪 judgments, born-digital PDFs, crashed the stage in ``detect_title``
(``_fuzzy`` read ``line[0]`` of a line that was nothing but a note: （此页无正文）, a
case number's year （2019） on a text run of its own). Extraction on the same texts as
strings had passed: the page path — page texts, cleaning, splitting, classifying — is
what must be exercised. So every real text in the repository (``tests/data/real_texts``:
200 JuDGE judgments, the LeCaRD and LeCaRDv2 texts) goes through the stage's own code
(``structure_texts``: clean → split → classify → extract) cut into pages in one of
several ways, and a share of them truncated or corrupted first. No exception, ever; the
output is always a valid case card.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from nlp import page_cuts

from dossier.samples.dossier import TEXT_PDF_FONT_SIZE, fast_paginate
from dossier.samples.real_texts import RealText, load_real_texts
from dossier.store.keys import case_card_key, documents_key
from dossier.store.local import LocalStore
from schemas.case_card import DOCUMENT_TYPES, Case, CaseCard
from schemas.ocr import PageOcr
from tasks.nlp.documents import _fuzzy, detect_title, split_documents
from tasks.stages.structure import structure_dossier, structure_texts

CUT_NAMES = sorted(page_cuts.CUTS)


def _check(pages: list[str], label: str) -> CaseCard:
    try:
        documents, card = structure_texts("d0000000000000000", pages)
    except Exception as exc:  # report the text by its id, never by its content
        raise AssertionError(f"{label}: {type(exc).__name__} in the structure stage") from exc
    CaseCard.model_validate(card.model_dump(mode="json"))
    assert all(d.type in DOCUMENT_TYPES for d in documents), label
    covered = [p for d in documents for p in range(d.pages[0], d.pages[1] + 1)]
    if documents:  # every page in one document, in order; none when every page is blank
        assert covered == list(range(1, len(pages) + 1)), label
    return card


def test_a_line_that_is_only_a_note_is_no_title() -> None:
    for page in ("（此页无正文）", "（2019）\n沪0105刑初655号", "（）", "(2019)", "（副本）"):
        assert detect_title(page) is None, page
    assert _fuzzy("") == []
    assert detect_title("刑事判决书\n（此页无正文）").type == "判决书"  # type: ignore[union-attr]


def test_pages_with_note_lines_split() -> None:
    """The shapes of the two crashing judgments: a page that ends or opens with a note."""
    pages = [
        "贺州市八步区人民法院\n刑事判决书\n（2018）\n桂1102刑初277号\n公诉机关贺州市八步区人民检察院。",
        "（此页无正文）",
        "（此页无正文）\n审判长 张某\n二〇一八年八月一日",
    ]
    documents = split_documents(pages)
    assert [(d.type, d.pages) for d in documents] == [("判决书", (1, 3))]


def _variants(index: int, text: RealText) -> list[tuple[str, list[str]]]:
    """What text ``index`` goes through: one cut, by turns; every fourth is corrupted and
    every fourth (others) truncated first; every fifth is also read as a torn dossier of
    tiny pages and as pages of nothing but stray lines. Each text once at full length, so
    the test costs about one pass over the corpus."""
    rng = random.Random(index)
    cut_name = CUT_NAMES[index % len(CUT_NAMES)]
    cut = page_cuts.CUTS[cut_name]
    body = text.text
    spoil = ""
    if index % 4 == 1:
        body, spoil = page_cuts.corrupt(body, rng), "+corrupt"
    elif index % 4 == 3:
        body, spoil = page_cuts.truncate(body, rng), "+truncate"
    out = [(f"{cut_name}{spoil}", cut(body, rng))]
    if index % 5 == 0:
        torn = page_cuts.corrupt(body[: rng.randint(0, 400)], rng)
        out.append(("tiny_pages", page_cuts.tiny_pages(torn, rng)))
        out.append(("stray_lines", page_cuts.stray_line_pages(rng)))
    return out


@pytest.mark.slow
def test_structure_stage_never_crashes_on_real_text() -> None:
    texts = load_real_texts()
    assert len(texts) >= 1000  # 200 JuDGE + 107 LeCaRD + 2 × 360 LeCaRDv2
    failures = []
    runs = 0
    for index, text in enumerate(texts):
        for name, pages in _variants(index, text):
            runs += 1
            try:
                _check(pages, f"{text.label} [{name}]")
            except AssertionError as exc:
                failures.append(str(exc))
    assert runs > len(texts)
    assert not failures, f"{len(failures)} of {runs} runs failed:\n" + "\n".join(failures[:30])


def test_every_cut_and_spoiler_runs_on_real_judgments() -> None:
    """Each way of cutting and each spoiler on the same few judgments (the big test above
    gives each text one of them)."""
    judgments = load_real_texts("judge")[:3]
    for index, text in enumerate(judgments):
        rng = random.Random(index)
        for name, cut in page_cuts.CUTS.items():
            for spoil, body in (
                ("", text.text),
                ("+corrupt", page_cuts.corrupt(text.text, rng)),
                ("+truncate", page_cuts.truncate(text.text, rng)),
            ):
                _check(cut(body, rng), f"{text.label} [{name}{spoil}]")


def test_a_field_that_cannot_be_read_stays_empty() -> None:
    """A scrap of a judgment, or pages of stray marks, give an empty case, not a guess."""
    rng = random.Random(3)
    judgment = load_real_texts("judge")[0].text
    for pages in ([judgment[:2]], ["", " ", "\x0c"], page_cuts.stray_line_pages(rng), []):
        card = _check(pages, "scrap")
        case = card.case
        assert (case.case_no, case.court, case.charges, case.sentences) == (None, None, [], [])
    assert _check([], "no pages").case == Case()


def test_born_digital_judgments_through_the_stage(tmp_path: Path) -> None:
    """Real 强奸罪 judgments as born-digital PDFs — the intake's text layer (PDFium), then
    ``structure_dossier`` with a real local store: cards written, case numbers read."""
    import pypdfium2 as pdfium

    from dossier.samples.formats import write_text_pdf
    from tasks.intake.pdf import page_text_layer

    store = LocalStore(tmp_path / "store")
    judgments = [t for t in load_real_texts("judge") if "强奸罪" in t.text][:4]
    assert len(judgments) == 4
    for number, judgment in enumerate(judgments):
        paragraphs = judgment.text.split()
        pages = fast_paginate("\n".join(paragraphs[1:]), paragraphs[0], 0)
        pages[0] = f"{paragraphs[0]}\n{pages[0]}"
        pages.append("（此页无正文）")
        path = write_text_pdf(pages, tmp_path / f"{number}.pdf", font_size=TEXT_PDF_FONT_SIZE)
        pdf = pdfium.PdfDocument(str(path))
        try:
            texts = [page_text_layer(page) or "" for page in pdf]
        finally:
            pdf.close()
        dossier_id = f"d{number:016x}"
        ocr = [
            PageOcr(dossier_id=dossier_id, page=i, source="text-layer", status="ok", text=text)
            for i, text in enumerate(texts, 1)
        ]
        result = structure_dossier(store, dossier_id, ocr)
        assert store.exists(case_card_key(dossier_id))
        assert store.exists(documents_key(dossier_id))
        assert result.documents and result.documents[0].type == "判决书", judgment.label
        assert result.card.case.case_no and result.card.case.case_no in judgment.text.replace(
            "(", "（"
        ).replace(")", "）"), judgment.label

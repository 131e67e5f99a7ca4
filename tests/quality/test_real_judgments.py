"""Every critical quality gate over every real judgment text we have, through the same
structure path as a dossier: a critical check that holds a correct judgment is a bug.

The texts are the repo's copy (``tests/data/real_texts``, JuDGE / LeCaRD / LeCaRDv2,
MIT), so this runs without ``../shared/data``. The planted defects of the gate tests
(``test_gates.CASES``) go through the same batch and must still be caught.
"""

from __future__ import annotations

import pytest

from dossier.samples.real_texts import load_real_texts
from schemas.ocr import PageOcr
from tasks.quality.batch import critical_failures
from tasks.quality.frames import case_card_frame, documents_frame, pages_frame
from tasks.stages.structure import published_pages, structure_texts

from .conftest import make_card, make_documents, make_pages
from .test_gates import CASES as PLANTED
from .test_gates import EXPECTATIONS

SUITES = ("pages", "documents", "case_card")
MAX_WRONGLY_HELD = 0.005

# Texts whose source is itself inconsistent, so that holding them is right (see
# tests/data/real_texts/README.md): key → (checks expected, why).
SOURCE_DEFECTS = {
    "judge:3c6af43c-": (
        {"case_card.dates_in_legal_order", "case_card.case_no_format"},
        "signed 二〇一七年 for a case received, detained and tried in 2018",
    ),
}


def _texts() -> list[tuple[str, str]]:
    """Every real judgment text and judgment opening (the 667 texts; the prosecution's
    accounts of LeCaRDv2, field ``fact``, are not judgments)."""
    return [(f"{t.source}:{t.id}", t.text) for t in load_real_texts() if t.field != "fact"]


def _frames(key: str, pages: list[str], split, card) -> dict:
    ocr = [
        PageOcr(dossier_id=key, page=i, source="text-layer", status="ok", text=t, chars=len(t))
        for i, t in enumerate(pages, start=1)
    ]
    return {
        "pages": pages_frame(ocr),
        "documents": documents_frame(card.documents, len(pages)),
        "case_card": case_card_frame(card),
    }


def _planted() -> dict[str, dict]:
    """The clean gate fixture with each breaker applied: key = the check it breaks."""
    out = {}
    for check, (breaker, _) in PLANTED.items():
        if EXPECTATIONS[check]["meta"]["severity"] != "critical":
            continue
        d = {"pages": make_pages(), "documents": make_documents(), "card": make_card(),
             "page_count": 4}
        breaker(d)
        out[f"planted:{check}"] = {
            "pages": pages_frame(d["pages"]),
            "documents": documents_frame(d["documents"], d["page_count"]),
            "case_card": case_card_frame(d["card"]),
        }
    return out


def _source_defect(key: str) -> tuple[set[str], str] | None:
    return next((v for prefix, v in SOURCE_DEFECTS.items() if key.startswith(prefix)), None)


@pytest.mark.slow
def test_critical_gates_hold_no_correct_real_judgment(gx_project) -> None:
    texts = _texts()
    assert len(texts) == 667
    frames: dict[str, dict] = {}
    for key, text in texts:
        pages = published_pages(text)
        split, card = structure_texts(key, pages)
        frames[key] = _frames(key, pages, split, card)
    planted = _planted()
    frames.update(planted)
    held: dict[str, set[str]] = {}
    for suite in SUITES:
        stack = {key: f[suite] for key, f in frames.items()}
        for key, checks in critical_failures(suite, stack).items():
            held.setdefault(key, set()).update(checks)

    # every planted defect is still caught, by its own check and no other
    for key in planted:
        assert held.get(key) == {key.removeprefix("planted:")}, key

    real = {k: v for k, v in held.items() if not k.startswith("planted:")}
    wrongly = {k: sorted(v) for k, v in real.items() if _source_defect(k) is None}
    for key, checks in real.items():
        defect = _source_defect(key)
        if defect is not None:
            assert checks == defect[0], key
    # the report names texts by dataset id and check only (no names)
    assert len(wrongly) < MAX_WRONGLY_HELD * len(texts), wrongly

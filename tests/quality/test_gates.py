"""Every expectation: a fixture that breaks it and a near miss that passes it.

Each breaker changes one thing in an otherwise clean dossier and must fail that
expectation and no other, with the severity the suite declares.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from schemas.case_card import DocumentRef, Sentence, Statute
from tasks.quality.frames import case_card_frame, documents_frame, pages_frame
from tasks.quality.validate import validate

from .conftest import REPO, make_pages

SUITE_DIR = REPO / "expectations" / "gx" / "expectations"
SUITES = ("pages", "documents", "case_card")


def _suite_expectations() -> dict[str, dict]:
    found = {}
    for suite in SUITES:
        data = json.loads((SUITE_DIR / f"{suite}.json").read_text(encoding="utf-8"))
        for expectation in data["expectations"]:
            found[expectation["meta"]["check"]] = expectation
    return found


EXPECTATIONS = _suite_expectations()


def _frame(suite: str, d: dict):
    if suite == "pages":
        return pages_frame(d["pages"])
    if suite == "documents":
        return documents_frame(d["documents"], d["page_count"])
    return case_card_frame(d["card"])


def _set_page(d: dict, index: int, **update) -> None:
    d["pages"][index] = d["pages"][index].model_copy(update=update)


def _set_all_pages(d: dict, **update) -> None:
    d["pages"] = [p.model_copy(update=update) for p in d["pages"]]


def _doc(kind: str, first: int, last: int, confidence: float = 0.9) -> DocumentRef:
    return DocumentRef(type=kind, title=kind, pages=(first, last), confidence=confidence)


def _sentence(d: dict, **update) -> None:
    s = d["card"].case.sentences[0]
    d["card"].case.sentences[0] = s.model_copy(update=update)


def _measure_date(d: dict, kind: str, date: str) -> None:
    import datetime as dt

    for m in d["card"].case.coercive_measures:
        if m.kind == kind:
            m.date = dt.date.fromisoformat(date)


MOJIBAKE = "Ã¥Â®Â¡Ã¥Ë†Â¤Ã©â€¢Â¿ Ã¤Â¸Å Ã¦Âµ Ã¥Â¸â€š " * 3

# check → (breaker, near miss that passes)
CASES: dict[str, tuple[Callable[[dict], None], Callable[[dict], None]]] = {
    "pages.not_empty": (
        lambda d: d.update(pages=[]),
        lambda d: d.update(pages=d["pages"][:1]),
    ),
    "pages.no_failed_page": (
        lambda d: _set_page(d, 1, status="failed", error="render timeout", text="", chars=0),
        lambda d: _set_page(d, 1, status="blank", blank=True, text="", chars=0),
    ),
    "pages.mean_ocr_confidence": (
        lambda d: _set_all_pages(d, mean_confidence=0.5),
        # a blank page's confidence is noise and does not count
        lambda d: _set_page(d, 1, blank=True, status="blank", mean_confidence=0.1),
    ),
    "pages.chars_per_page": (
        lambda d: _set_all_pages(d, text="第1页", chars=3),
        lambda d: _set_page(d, 2, blank=True, status="blank", text="", chars=0),
    ),
    "pages.cjk_share": (
        lambda d: _set_all_pages(d, text="lI1|!! ;:,.. -- 0O0o" * 5, chars=75),
        # digit-heavy but still Chinese: CJK share about 0.54
        lambda d: _set_all_pages(d, text="2018年3月1日，被告人安旭盗窃人民币3000元。" * 3),
    ),
    "pages.text_layer_readable": (
        # one bad page in ten stays within the dossier-wide CJK share's tolerance
        lambda d: (d.update(pages=make_pages(10), documents=[_doc("其他", 1, 10)],
                            page_count=10),
                   _set_page(d, 0, source="text-layer", engine=None, mean_confidence=None,
                             text=MOJIBAKE, chars=len(MOJIBAKE))),
        lambda d: _set_page(d, 0, source="text-layer", engine=None, mean_confidence=None),
    ),
    "documents.not_empty": (
        lambda d: d.update(documents=[]),
        lambda d: d.update(documents=[_doc("其他", 1, 4)]),
    ),
    "documents.type_allowed": (
        lambda d: d["documents"].__setitem__(
            0, DocumentRef.model_construct(type="传票", title="传票", pages=(1, 2),
                                           confidence=0.9)),
        lambda d: d["documents"].__setitem__(0, _doc("其他", 1, 2)),
    ),
    "documents.page_range_valid": (
        lambda d: d["documents"].__setitem__(1, _doc("判决书", 3, 5)),
        lambda d: d["documents"].__setitem__(1, _doc("判决书", 3, 4)),
    ),
    "documents.in_order_no_overlap": (
        lambda d: d["documents"].__setitem__(1, _doc("判决书", 2, 4)),
        lambda d: d.update(documents=[_doc("起诉书", 1, 1), _doc("讯问笔录", 2, 3),
                                      _doc("判决书", 4, 4)]),
    ),
    "documents.cover_dossier": (
        lambda d: d["documents"].__setitem__(0, _doc("起诉书", 1, 1)),
        lambda d: d.update(documents=[_doc("起诉书", 1, 3), _doc("判决书", 4, 4)]),
    ),
    "documents.classifier_confidence": (
        lambda d: d["documents"].__setitem__(0, _doc("起诉书", 1, 2, confidence=0.3)),
        lambda d: d["documents"].__setitem__(0, _doc("起诉书", 1, 2, confidence=0.5)),
    ),
    "case_card.case_no_format": (
        lambda d: setattr(d["card"].case, "case_no", "2018沪0105刑初655"),
        lambda d: setattr(d["card"].case, "case_no", "（2013）甬宁刑初字第604号"),
    ),
    "case_card.case_no_known_form": (
        # a number missing 初 has the shape (no hold) but not a known form (a warning)
        lambda d: setattr(d["card"].case, "case_no", "（2014）深宝法刑字第123号"),
        # forms courts really print: 速裁 pilot, retrial after remand, new form with 第
        lambda d: setattr(d["card"].case, "case_no", "（2015）甬北刑速初字第12号"),
    ),
    "case_card.indictment_no_format": (
        lambda d: setattr(d["card"].case, "indictment_no", "沪长检［2018］"),
        lambda d: setattr(d["card"].case, "indictment_no", "镇检刑诉字（2013）14号"),
    ),
    "case_card.id_number_check_digit": (
        lambda d: setattr(d["card"].case.persons[0], "id_number_valid", False),
        lambda d: setattr(d["card"].case.persons[0], "id_number_valid", None),
    ),
    "case_card.dates_in_legal_order": (
        lambda d: _measure_date(d, "逮捕", "2018-02-20"),
        # an arrest approved the day of detention (同日被逮捕) is not out of order
        lambda d: _measure_date(d, "逮捕", "2018-03-01"),
    ),
    "case_card.months_in_range": (
        lambda d: _sentence(d, months=301),
        lambda d: _sentence(d, months=300),
    ),
    "case_card.life_death_without_months": (
        lambda d: _sentence(d, penalty="无期徒刑", months=180),
        lambda d: _sentence(d, penalty="无期徒刑", months=None),
    ),
    "case_card.fine_not_negative": (
        lambda d: _sentence(d, fine_yuan=-500),
        lambda d: _sentence(d, fine_yuan=0),
    ),
    "case_card.charge_official": (
        lambda d: d["card"].case.charges.append("偷东西罪"),
        # a selective charge as courts write it (走私、贩卖、运输、制造毒品罪)
        lambda d: d["card"].case.charges.append("贩卖毒品罪"),
    ),
    "case_card.statute_exists": (
        lambda d: d["card"].case.statutes.append(Statute(article=453)),
        lambda d: d["card"].case.statutes.append(Statute(article=133, sub=1)),
    ),
    "case_card.sentence_person_is_defendant": (
        lambda d: d["card"].case.sentences.append(
            Sentence(person="李某某", penalty="拘役", months=3)),
        lambda d: setattr(d["card"].case.persons[0], "role", "犯罪嫌疑人"),
    ),
}


def test_every_expectation_has_a_breaker_and_a_near_miss() -> None:
    assert set(CASES) == set(EXPECTATIONS)


@pytest.mark.parametrize("check", sorted(EXPECTATIONS))
def test_expectation_declares_severity_and_explanations(check: str) -> None:
    expectation = EXPECTATIONS[check]
    meta = expectation["meta"]
    assert meta["severity"] in ("critical", "warning")
    assert expectation.get("severity", meta["severity"]) == meta["severity"]
    assert meta["explanation_zh"] and meta["explanation_en"]
    assert check.split(".")[0] in SUITES


def _failed(d: dict, suite: str) -> dict[str, str]:
    result = validate(suite, _frame(suite, d))
    return {f.check: f.severity for f in result.failures}


def test_clean_dossier_passes_every_suite(gx_project, dossier) -> None:
    for suite in SUITES:
        assert _failed(dossier, suite) == {}, suite


@pytest.mark.parametrize("check", sorted(CASES))
def test_breaker_fails_only_its_expectation(gx_project, dossier, check: str) -> None:
    breaker, _ = CASES[check]
    breaker(dossier)
    failed = _failed(dossier, check.split(".")[0])
    assert failed == {check: EXPECTATIONS[check]["meta"]["severity"]}


@pytest.mark.parametrize("check", sorted(CASES))
def test_near_miss_passes(gx_project, dossier, check: str) -> None:
    _, near_miss = CASES[check]
    near_miss(dossier)
    assert _failed(dossier, check.split(".")[0]) == {}

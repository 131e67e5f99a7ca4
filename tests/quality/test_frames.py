"""The derived columns the suites rely on, without GX (fast)."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.case_card import CaseCard, CoerciveMeasure, DocumentRef, Person
from tasks.quality.frames import (
    CASE_CARD_COLUMNS,
    DOCUMENT_COLUMNS,
    PAGE_COLUMNS,
    case_card_frame,
    cjk_share,
    documents_frame,
    pages_frame,
)

from .conftest import DEFENDANT, make_card, make_pages


def _doc(first: int, last: int) -> DocumentRef:
    return DocumentRef(type="其他", title="其他", pages=(first, last), confidence=0.9)


def test_empty_inputs_keep_every_column() -> None:
    assert tuple(pages_frame([]).columns) == PAGE_COLUMNS
    assert tuple(documents_frame([], 0).columns) == DOCUMENT_COLUMNS
    assert tuple(case_card_frame(CaseCard(dossier_id="x")).columns) == CASE_CARD_COLUMNS


def test_cjk_share() -> None:
    assert cjk_share("被告人安旭") == 1.0
    assert cjk_share("ab被告") == 0.5
    assert cjk_share("  \n") is None


def test_pages_frame_counts_only_readable_pages() -> None:
    pages = make_pages(3)
    pages[1] = pages[1].model_copy(update={"blank": True, "status": "blank", "text": ""})
    pages[2] = pages[2].model_copy(update={"source": "text-layer", "mean_confidence": None})
    frame = pages_frame(list(reversed(pages)))
    assert list(frame["page"]) == [1, 2, 3]
    assert frame["chars_nonblank"].isna().tolist() == [False, True, False]
    assert frame["confidence_nonblank"].isna().tolist() == [False, True, True]
    assert frame["text_layer_cjk_share"].isna().tolist() == [True, True, False]


@pytest.mark.parametrize(
    ("ranges", "page_count", "in_order", "no_gap", "valid"),
    [
        ([(1, 2), (3, 4)], 4, [True, True], [True, True], [True, True]),
        ([(3, 4), (1, 2)], 4, [True, False], [False, True], [True, True]),  # shuffled
        ([(1, 3), (3, 4)], 4, [True, False], [True, True], [True, True]),  # overlap
        ([(1, 1), (3, 4)], 4, [True, True], [True, False], [True, True]),  # gap
        ([(1, 2), (3, 3)], 4, [True, True], [True, False], [True, True]),  # end uncovered
        ([(2, 1), (3, 5)], 4, [True, True], [False, False], [False, False]),
    ],
)
def test_document_ranges(ranges, page_count, in_order, no_gap, valid) -> None:
    frame = documents_frame([_doc(a, b) for a, b in ranges], page_count)
    assert frame["in_order_no_overlap"].tolist() == in_order
    assert frame["no_gap"].tolist() == no_gap
    assert frame["range_valid"].tolist() == valid


def _dates(**dates: str | None) -> bool | None:
    card = CaseCard(dossier_id="x")
    birth = dates.get("birth")
    card.case.persons = [Person(name=DEFENDANT, role="被告人",
                                birth_date=dt.date.fromisoformat(birth) if birth else None)]
    for kind, key in (("刑事拘留", "detention"), ("逮捕", "arrest")):
        if dates.get(key):
            card.case.coercive_measures.append(
                CoerciveMeasure(person=DEFENDANT, kind=kind, date=dt.date.fromisoformat(dates[key]))
            )
    if dates.get("judgment"):
        card.case.judgment_date = dt.date.fromisoformat(dates["judgment"])
    return case_card_frame(card).loc[1, "dates_in_order"]


def test_dates_in_legal_order() -> None:
    ok = {"birth": "1990-01-01", "detention": "2018-03-01", "arrest": "2018-03-20",
          "judgment": "2018-08-01"}
    assert _dates(**ok) is True
    assert _dates(**{**ok, "arrest": "2018-08-01"}) is True  # arrested at sentencing
    assert _dates(**{**ok, "arrest": "2018-03-01"}) is True  # approved the day of detention
    assert _dates(**{**ok, "arrest": "2018-02-28"}) is False  # the day before detention
    assert _dates(**{**ok, "birth": "2019-01-01"}) is False
    assert _dates(**{**ok, "arrest": "2018-08-02"}) is True  # arrested after sentencing
    assert _dates(**{**ok, "judgment": "2018-02-01"}) is False  # judged before detention
    assert _dates(**{**ok, "arrest": "2018-02-01"}) is False  # arrested before detention
    assert _dates(birth="1990-01-01", judgment="2018-08-01") is True  # gaps are skipped
    assert _dates(birth="1990-01-01") is None  # nothing to compare


def test_dates_use_the_first_measure_of_each_kind() -> None:
    card = make_card()
    card.case.coercive_measures.append(
        CoerciveMeasure(person=DEFENDANT, kind="刑事拘留", date=dt.date(2018, 5, 1))
    )
    assert case_card_frame(card).loc[1, "dates_in_order"] is True


def test_case_card_frame_masks_names_and_fills_only_its_rows() -> None:
    frame = case_card_frame(make_card())
    assert DEFENDANT not in frame.to_csv()
    assert frame["entity"].tolist() == [
        "case", "person", "person", "sentence", "charge", "statute", "statute",
    ]
    victim = frame.iloc[2]
    assert victim["dates_in_order"] is None and victim["id_number_valid"] is None
    assert frame.loc[frame["entity"] == "statute", "statute"].tolist() == ["第264条", "第67条"]

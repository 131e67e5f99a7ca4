"""Stage outputs → the dataframes the expectation suites read.

A suite can only check columns, so every rule that spans rows or needs the law
(dates in legal order, a charge in the official list, page ranges without
overlap) becomes a derived column here and the suite expects it to be true.
Columns a row does not concern stay empty (None): GX skips nulls in column-value
expectations, so one long frame can carry people, sentences and statutes.

No raw personal data enters a frame: rows are named by ``ref`` (``sentence 2
(张**)``), which is what a failure report shows. Names are only compared here.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence

import pandas as pd

from dossier.privacy import mask_name
from schemas.case_card import CaseCard, DocumentRef
from schemas.ocr import PageOcr
from tasks.quality.case_number import has_shape, parse_case_number
from tasks.quality.reference import (
    CRIMINAL_LAW,
    article_exists,
    article_label,
    charge_is_official,
)

__all__ = [
    "ACCUSED_ROLES",
    "CASE_CARD_COLUMNS",
    "DOCUMENT_COLUMNS",
    "PAGE_COLUMNS",
    "case_card_frame",
    "cjk_share",
    "documents_frame",
    "pages_frame",
]

PAGE_COLUMNS = (
    "ref",
    "page",
    "status",
    "source",
    "blank",
    "chars",
    "confidence_nonblank",
    "chars_nonblank",
    "cjk_share_nonblank",
    "text_layer_cjk_share",
)
DOCUMENT_COLUMNS = (
    "ref",
    "position",
    "type",
    "first_page",
    "last_page",
    "confidence",
    "range_valid",
    "in_order_no_overlap",
    "no_gap",
)
CASE_CARD_COLUMNS = (
    "ref",
    "entity",
    "case_no",
    "case_no_shape",
    "case_no_known_form",
    "indictment_no",
    "id_number_valid",
    "dates_in_order",
    "penalty",
    "months",
    "life_or_death_without_months",
    "fine_yuan",
    "charge",
    "charge_official",
    "statute",
    "statute_exists",
    "person_is_defendant",
)
# A sentence belongs to the accused; 犯罪嫌疑人 is the same person before indictment.
ACCUSED_ROLES = frozenset({"被告人", "犯罪嫌疑人"})
_NO_TERM_PENALTIES = frozenset({"无期徒刑", "死刑"})


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def cjk_share(text: str) -> float | None:
    """Share of CJK ideographs among the visible characters; None for no text.

    A Chinese dossier page reads mostly as ideographs; a low share means OCR
    noise, a wrong language model, or a PDF text layer whose font lost its
    Unicode map (mojibake that looks like text).
    """
    visible = [ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace()]
    if not visible:
        return None
    return sum(_is_cjk(ch) for ch in visible) / len(visible)


def _visible_chars(page: PageOcr) -> int:
    return page.chars or sum(not ch.isspace() for ch in page.text)


def pages_frame(pages: Sequence[PageOcr]) -> pd.DataFrame:
    """One row per page, in page order; the per-page measures count only pages that
    carry text (not blank, not failed), since a blank page has no confidence."""
    rows = []
    for page in sorted(pages, key=lambda p: p.page):
        readable = page.status == "ok" and not page.blank
        share = cjk_share(page.text) if readable else None
        rows.append(
            {
                "ref": f"page {page.page}",
                "page": page.page,
                "status": page.status,
                "source": page.source,
                "blank": page.blank,
                "chars": _visible_chars(page),
                "confidence_nonblank": (
                    page.mean_confidence if readable and page.source == "ocr" else None
                ),
                "chars_nonblank": _visible_chars(page) if readable else None,
                "cjk_share_nonblank": share,
                "text_layer_cjk_share": share if page.source == "text-layer" else None,
            }
        )
    return _frame(rows, PAGE_COLUMNS)


def documents_frame(documents: Sequence[DocumentRef], page_count: int) -> pd.DataFrame:
    """One row per document in the order the splitter gave them, so a shuffled or
    overlapping split shows as a row whose range does not follow the previous one.

    ``no_gap`` on the last row also asks that it reach the dossier's last page:
    together the rows then say the documents cover every page.
    """
    rows = []
    previous_last = 0
    for position, doc in enumerate(documents, start=1):
        first, last = doc.pages
        is_last = position == len(documents)
        rows.append(
            {
                "ref": f"document {position} ({doc.type})",
                "position": position,
                "type": doc.type,
                "first_page": first,
                "last_page": last,
                "confidence": doc.confidence,
                "range_valid": 1 <= first <= last <= page_count,
                "in_order_no_overlap": first > previous_last,
                "no_gap": first <= previous_last + 1
                and (not is_last or max(previous_last, last) >= page_count),
            }
        )
        previous_last = max(previous_last, last)
    return _frame(rows, DOCUMENT_COLUMNS)


def _first_measure(card: CaseCard, name: str, kind: str) -> dt.date | None:
    dates = [
        m.date
        for m in card.case.coercive_measures
        if m.person == name and m.kind == kind and m.date
    ]
    return min(dates) if dates else None


def _dates_in_order(card: CaseCard, name: str, birth: dt.date | None) -> bool | None:
    """birth < detention <= arrest, and birth < detention < judgment, over the dates known.

    The card has no offence or indictment date, so those links are skipped. Arrest may
    fall on the day of detention (nothing in the law forbids a same-day approval, and a
    text that says 同日被逮捕 is not a misread date); arrest and judgment are not ordered:
    a court may arrest a defendant on bail at sentencing or in the days after it, to
    execute the sentence (one of the gold judgments: judgment 2017-12-07, 逮捕 executed
    2017-12-08). None when no two of the dates are ordered by law.
    """
    detention = _first_measure(card, name, "刑事拘留")
    arrest = _first_measure(card, name, "逮捕")
    judgment = card.case.judgment_date
    strict = [(birth, detention), (birth, arrest), (birth, judgment), (detention, judgment)]
    loose = [(detention, arrest)]
    known = [(a, b) for a, b in strict if a is not None and b is not None]
    known_loose = [(a, b) for a, b in loose if a is not None and b is not None]
    if not known and not known_loose:  # fewer than two dates, or only arrest and judgment
        return None
    return all(a < b for a, b in known) and all(a <= b for a, b in known_loose)


def _case_no_checks(card: CaseCard) -> tuple[bool | None, bool | None]:
    """(shape, known form) of the case number; None when the card has none."""
    case_no = card.case.case_no
    if not case_no:
        return None, None
    judged = card.case.judgment_date
    shape = has_shape(case_no, latest_year=judged.year if judged else None)
    return shape, (parse_case_number(case_no) is not None) if shape else None


def case_card_frame(card: CaseCard) -> pd.DataFrame:
    """One long frame: a case row, then a row per person, sentence, charge and statute.

    ``entity`` says which; each check's column is filled only on the rows it
    concerns.
    """
    case = card.case
    shape, known_form = _case_no_checks(card)
    rows: list[dict] = [
        {
            "ref": "case",
            "entity": "case",
            "case_no": case.case_no,
            "case_no_shape": shape,
            "case_no_known_form": known_form,
            "indictment_no": case.indictment_no,
        }
    ]
    for i, person in enumerate(case.persons, start=1):
        accused = person.role in ACCUSED_ROLES
        rows.append(
            {
                "ref": f"person {i} ({mask_name(person.name)}, {person.role})",
                "entity": "person",
                "id_number_valid": person.id_number_valid,
                "dates_in_order": _dates_in_order(card, person.name, person.birth_date)
                if accused
                else None,
            }
        )
    accused_names = {p.name for p in case.persons if p.role in ACCUSED_ROLES}
    for i, sentence in enumerate(case.sentences, start=1):
        rows.append(
            {
                "ref": f"sentence {i} ({mask_name(sentence.person)})",
                "entity": "sentence",
                "penalty": sentence.penalty,
                "months": sentence.months,
                "life_or_death_without_months": (
                    sentence.months is None if sentence.penalty in _NO_TERM_PENALTIES else None
                ),
                "fine_yuan": sentence.fine_yuan,
                "person_is_defendant": sentence.person in accused_names,
            }
        )
    charges = dict.fromkeys([*case.charges, *(c for s in case.sentences for c in s.charges)])
    for charge in charges:
        rows.append(
            {
                "ref": f"charge {charge}",
                "entity": "charge",
                "charge": charge,
                "charge_official": charge_is_official(charge),
            }
        )
    for statute in case.statutes:
        label = article_label(statute.article, statute.sub)
        rows.append(
            {
                "ref": f"statute {statute.law}{label}",
                "entity": "statute",
                "statute": label,
                "statute_exists": (
                    article_exists(statute.article, statute.sub)
                    if statute.law == CRIMINAL_LAW
                    else None
                ),
            }
        )
    return _frame(rows, CASE_CARD_COLUMNS)


_NUMERIC = frozenset(
    {
        "page",
        "chars",
        "confidence_nonblank",
        "chars_nonblank",
        "cjk_share_nonblank",
        "text_layer_cjk_share",
        "position",
        "first_page",
        "last_page",
        "confidence",
        "months",
        "fine_yuan",
    }
)


def _frame(rows: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    """Every column present even with no rows. Measures are floats (NaN = not
    applicable, which means and ranges skip); the rest stay objects so True/False/
    None survive (a bool column would turn None into False)."""
    frame = pd.DataFrame(rows, columns=list(columns)).astype(object)
    frame = frame.where(frame.notna(), None)
    for column in columns:
        if column in _NUMERIC:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame

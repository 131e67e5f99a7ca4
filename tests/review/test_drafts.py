"""Drafts open in python-docx, carry every section of their template, and hold no value
that is not on the card (or the review report, or the statute table) — every other
place is 【待补充：…】. Each filled value is compared with its source."""

from __future__ import annotations

import re

import pytest
from docx import Document

from dossier.samples.dossier import make_review_dossier
from tasks.drafts.render import KINDS, PENDING, draft, templates, to_text, write_docx
from tasks.drafts.values import KIND_ZH, SEVERITY_ZH
from tasks.review.engine import review_card
from tasks.stages.structure import structure_texts


@pytest.fixture(scope="module")
def reviewed():
    sample = make_review_dossier(3201, "birth_date_mismatch")
    card = structure_texts(sample.name, sample.pages)[1]
    return card, review_card(card)


def _lookup(root: dict, path: str):
    value = root
    for part in re.findall(r"[^.\[\]]+", path):
        value = value[int(part)] if part.isdigit() else value[part]
    return value


def _atoms(value) -> set[str]:
    """Every date (as 2019年3月1日), number and string inside a source value."""
    out: set[str] = set()
    if isinstance(value, dict):
        for v in value.values():
            out |= _atoms(v)
    elif isinstance(value, list):
        for v in value:
            out |= _atoms(v)
    elif isinstance(value, str):
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
        out.add(f"{int(m[1])}年{int(m[2])}月{int(m[3])}日" if m else value)
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int | float):
        out.add(f"{value:g}")
    return out


def _law(article: str) -> set[str]:
    from tasks.law.statutory_ranges import _table

    return {t.condition for t in _table()[article]} | {t.text for t in _table()[article]}


@pytest.mark.parametrize("kind", KINDS)
def test_every_filled_value_comes_from_its_source(reviewed, kind: str, tmp_path) -> None:
    card, report = reviewed
    result = draft(card, kind, report)
    roots = {"case": card.case.model_dump(mode="json"),
             "documents": [d.model_dump(mode="json") for d in card.documents],
             "review": report.model_dump(mode="json")}
    assert result.filled
    for filled in result.filled:
        atoms: set[str] = set()
        for source in filled.sources:
            if source.startswith("law:"):
                atoms |= _law(source[4:])
                continue
            head, _, rest = source.partition(".")
            if head.startswith("documents"):
                raw = _lookup({"documents": roots["documents"]}, source)
            else:
                raw = _lookup(roots[head], rest)
            atoms |= _atoms(raw)
            if head == "review" and isinstance(raw, str):  # shown in Chinese
                atoms |= {KIND_ZH.get(raw, raw), SEVERITY_ZH.get(raw, raw)}
        # every date, number and Chinese run of the filled text is in its source
        for date in re.findall(r"\d{4}年\d{1,2}月\d{1,2}日", filled.text):
            assert date in atoms, (filled.placeholder, date)
        for number in re.findall(r"(?<![\d年月])\d+(?:\.\d+)?(?![\d年月日])", filled.text):
            assert any(number in a for a in atoms), (filled.placeholder, number, filled.sources)
        for word in re.findall(r"[\u4e00-\u9fff]{2,}", filled.text):
            if re.fullmatch(r"[条第款项之]+", word):
                continue  # the joints of 第293条第1款: the numbers are checked above
            if word in ("被告人", "具有", "情节", "自愿认罪认罚", "被刑事拘留", "被逮捕",
                        "刑满释放", "因犯", "被判处", "个月", "损伤程度", "酒精含量",
                        "中华人民共和国刑法"):
                continue
            word = word.removeprefix("处")  # 处 joins a tier's condition and its penalty
            assert any(word in a or a in word for a in atoms), (filled.placeholder, word)


@pytest.mark.parametrize("kind", KINDS)
def test_draft_opens_with_every_section_and_marks_the_rest(reviewed, kind: str, tmp_path) -> None:
    card, report = reviewed
    result = draft(card, kind, report)
    path = write_docx(result, tmp_path / f"{kind}.docx")
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    for section in templates()[kind]["sections"]:
        assert section["heading"] in text
    assert "{" not in text and "}" not in text
    assert "【待补充：" in text  # the card never holds everything a document needs
    assert text.count("【待补充：") == len(result.pending)
    assert to_text(result).count("【待补充：") == len(result.pending)
    if kind == "量刑建议书":  # the suggestion itself is the library's, not wired yet
        assert PENDING.format("建议判处的刑罚种类和幅度") in text


def test_an_empty_card_invents_nothing() -> None:
    from schemas.case_card import CaseCard

    result = draft(CaseCard(dossier_id="x"), "起诉书")
    assert result.filled == []
    assert not re.search(r"\d", to_text(result).replace("第一百七十六条", ""))

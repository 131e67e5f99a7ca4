"""The reference data behind the case-card gates, checked against real material:
the statute the article table was derived from, and case numbers as real
judgments print them (shared/data/cases, MIT-licensed datasets)."""

from __future__ import annotations

import json
import re

import pytest

from tasks.quality.case_number import has_shape, parse_case_number
from tasks.quality.reference import (
    ARTICLES_FILE,
    article_exists,
    charge_is_official,
    derive_articles,
    existing_articles,
)

from .conftest import REPO, SHARED_DATA

CASES = SHARED_DATA / "cases"
needs_shared = pytest.mark.skipif(
    not (SHARED_DATA / "laws" / "criminal_law.md").exists(), reason="../shared/data not present"
)


def _regex(check: str) -> re.Pattern[str]:
    suite = json.loads(
        (REPO / "expectations/gx/expectations/case_card.json").read_text(encoding="utf-8")
    )
    for expectation in suite["expectations"]:
        if expectation["meta"]["check"] == check:
            return re.compile(expectation["kwargs"]["regex"])
    raise KeyError(check)


@needs_shared
def test_article_table_is_what_the_statute_derives() -> None:
    derived = derive_articles((SHARED_DATA / "laws/criminal_law.md").read_text(encoding="utf-8"))
    assert len(derived) == len(set(derived))
    assert set(derived) == existing_articles()
    assert "criminal_law.md" in ARTICLES_FILE.read_text(encoding="utf-8").splitlines()[1]


def test_article_table_holds_1_to_452_and_the_subs() -> None:
    assert all(article_exists(n) for n in range(1, 453))
    assert not article_exists(0) and not article_exists(453)
    assert article_exists(133, 1) and article_exists(133, 2) and article_exists(120, 6)
    assert not article_exists(133, 3) and not article_exists(264, 1)


def test_derivation_ignores_cross_references() -> None:
    text = (
        "第二百二十条 单位犯本节第二百一十三条至第二百一十九条之一规定之罪的……\n"
        "第一百三十三条之一 在道路上……"
    )
    assert derive_articles(text) == [(220, None), (133, 1)]


@needs_shared
def test_every_article_the_judge_dataset_cites_exists() -> None:
    cited = set()
    for line in (CASES / "judge_dev.jsonl").read_text(encoding="utf-8").splitlines():
        cited.update(int(a) for a in json.loads(line)["la"])
    assert cited and all(article_exists(a) for a in cited)


@needs_shared
def test_grammar_knows_every_silver_case_number() -> None:
    numbers = [
        json.loads(line)["case_no"]
        for line in (CASES / "judge_dev_labels.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(numbers) == 168
    assert [n for n in numbers if not has_shape(n)] == []
    assert [n for n in numbers if parse_case_number(n) is None] == []


@needs_shared
def test_formats_accept_real_lecard_numbers() -> None:
    indictment = _regex("case_card.indictment_no_format")
    court_numbers, indictment_numbers = [], []
    for path in CASES.glob("lecardv2_*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            query = json.loads(line)["query"]
            head = re.search(r"[（(〔][12]\d{3}[）)〕][^\s，。：:]{1,20}?号", query[:300])
            if head:
                court_numbers.append(head.group(0))
            indictment_numbers += re.findall(
                r"人民检察院以[“\"]?([^\s，。、“”\"]{2,30}?号)", query
            )
    assert len(court_numbers) > 300 and len(indictment_numbers) > 200
    assert [n for n in court_numbers if not has_shape(n)] == []
    assert [n for n in court_numbers if parse_case_number(n) is None] == []
    rejected = [n for n in indictment_numbers if not indictment.match(n)]
    # what is left: a number without 检 (清水河县公诉刑诉…) and a public-interest
    # suit number (…检民公〔2019〕…) that is not an indictment at all
    assert len(rejected) <= 0.02 * len(indictment_numbers), rejected


@pytest.mark.parametrize(
    ("case_no", "type_code", "form"),
    [
        ("（2018）沪0105刑初655号", "刑初", "2016"),
        ("（2016）鄂0114刑再1号", "刑再", "2016"),
        ("（2019）最高法刑核12345678号", "刑核", "2016"),
        ("（2016）晋0825刑初第17号", "刑初", "2016"),  # a stray 第, as printed
        ("（2013）甬宁刑初字第604号", "刑初", "pre-2016"),
        ("（2013）浙甬刑二终字第544号", "刑终", "pre-2016"),  # tribunal ordinal
        ("（2013）湛坡法刑初字13号", "刑初", "pre-2016"),  # no 第
        ("（2015）甬北刑速初字第12号", "刑速初", "pre-2016"),  # 速裁 pilot
        ("（2014）遂刑重字第2号", "刑重", "pre-2016"),  # retrial after remand
        ("（2010）沧刑再终字第2号", "刑再终", "pre-2016"),
        ("（2014）浦少刑初字第5号", "刑初", "pre-2016"),  # juvenile tribunal
    ],
)
def test_grammar_reads_real_forms(case_no: str, type_code: str, form: str) -> None:
    parsed = parse_case_number(case_no)
    assert parsed is not None and (parsed.type_code, parsed.form) == (type_code, form)
    assert has_shape(case_no)


@pytest.mark.parametrize(
    ("case_no", "shape", "known"),
    [
        ("（2014）深宝法刑字第123号", True, False),  # published without 初: a warning
        ("（2018）沪0105刑乙655号", True, False),  # an unknown code: a warning
        ("2018沪0105刑初655", False, False),  # no brackets, no 号: not a court number
        ("（1890）沪0105刑初655号", False, True),  # an impossible year
    ],
)
def test_shape_and_known_form(case_no: str, shape: bool, known: bool) -> None:
    assert has_shape(case_no) is shape
    assert (parse_case_number(case_no) is not None) is known


def test_year_after_the_judgment_breaks_the_shape() -> None:
    assert has_shape("（2018）沪0105刑初655号", latest_year=2018)
    assert not has_shape("（2019）沪0105刑初655号", latest_year=2018)


@pytest.mark.parametrize(
    ("charge", "official"),
    [
        ("盗窃罪", True),
        ("贩卖毒品罪", True),  # 走私、贩卖、运输、制造毒品罪, as courts name what was proved
        ("强制猥亵罪", True),  # 强制猥亵、侮辱罪
        ("偷东西罪", False),
        ("罪所得罪", False),  # a truncated parse of 掩饰、隐瞒犯罪所得罪
        ("盗窃", False),
    ],
)
def test_charge_is_official(charge: str, official: bool) -> None:
    assert charge_is_official(charge) is official

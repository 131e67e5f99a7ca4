"""The reference data behind the case-card gates, checked against real material:
the statute the article table was derived from, and case numbers as real
judgments print them (shared/data/cases, MIT-licensed datasets)."""

from __future__ import annotations

import json
import re

import pytest

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
def test_court_format_accepts_every_silver_case_number() -> None:
    court = _regex("case_card.case_no_format")
    numbers = [
        json.loads(line)["case_no"]
        for line in (CASES / "judge_dev_labels.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(numbers) == 168
    assert [n for n in numbers if not court.match(n)] == []


@needs_shared
def test_formats_accept_real_lecard_numbers() -> None:
    court, indictment = _regex("case_card.case_no_format"), _regex("case_card.indictment_no_format")
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
    assert [n for n in court_numbers if not court.match(n)] == []
    rejected = [n for n in indictment_numbers if not indictment.match(n)]
    # what is left: a number without 检 (清水河县公诉刑诉…) and a public-interest
    # suit number (…检民公〔2019〕…) that is not an indictment at all
    assert len(rejected) <= 0.02 * len(indictment_numbers), rejected


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

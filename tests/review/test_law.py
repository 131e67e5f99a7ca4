"""The statute tables the rules read: the committed statutory ranges are what the
Criminal Law derives, and every charge of the table has its tiers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.law.statutory_ranges import (
    DATA_FILE,
    article_tiers,
    derive_article,
    derive_table,
    limitation_years,
)
from tasks.review.law import charge_specs, covered_articles

STATUTE = Path(__file__).resolve().parents[3] / "shared" / "data" / "laws" / "criminal_law.md"


@pytest.mark.skipif(not STATUTE.exists(), reason="../shared/data not present")
def test_committed_ranges_are_what_the_statute_derives() -> None:
    committed = json.loads(DATA_FILE.read_text(encoding="utf-8"))["articles"]
    assert derive_table(STATUTE.read_text(encoding="utf-8"), covered_articles()) == committed


def test_tiers_read_from_statute_text() -> None:
    text = ("盗窃公私财物，数额较大的，或者多次盗窃、入户盗窃、携带凶器盗窃、扒窃的，"
            "处三年以下有期徒刑、拘役或者管制，并处或者单处罚金；数额巨大或者有其他严重情节的，处三年以上十年以下有期徒刑，"
            "并处罚金；数额特别巨大或者有其他特别严重情节的，处十年以上有期徒刑或者无期徒刑，并处罚金"
            "或者没收财产。")
    tiers = derive_article(text)
    assert [(t.min_penalty, t.min_months, t.max_penalty, t.max_months) for t in tiers] == [
        ("管制", 3, "有期徒刑", 36), ("有期徒刑", 36, "有期徒刑", 120),
        ("有期徒刑", 120, "无期徒刑", None)]
    assert [limitation_years(t) for t in tiers] == [5, 15, 20]
    assert tiers[1].condition == "数额巨大或者有其他严重情节的"


def test_every_charge_has_its_tiers_and_a_drunk_driving_limit() -> None:
    specs = charge_specs()
    assert len(specs) >= 20
    for spec in specs.values():
        assert spec.tiers, spec.charge
        assert all(kind for need in spec.evidence for kind in need.kinds)
    assert [t.max_penalty for t in article_tiers(133, 1)] == ["拘役"]
    assert specs["危险驾驶罪"].alcohol["drunk_mg_per_100ml"] == 80
    assert specs["盗窃罪"].amount["数额较大"] == [1000, 3000]
    assert specs["诈骗罪"].amount["数额较大"] == [3000, 10000]


LAWS = STATUTE.parent


@pytest.mark.skipif(not LAWS.exists(), reason="../shared/data not present")
def test_amount_tiers_are_the_interpretations() -> None:
    theft = (LAWS / "interpretation_theft_2013.md").read_text(encoding="utf-8")
    assert "一千元至三千元以上、三万元至十万元以上、三十万元至五十万元以上" in theft
    assert "百分之五十" in theft  # 第二条, the half allowance the table applies
    fraud = (LAWS / "interpretation_fraud_2011.md").read_text(encoding="utf-8")
    assert "三千元至一万元以上、三万元至十万元以上、五十万元以上" in fraud

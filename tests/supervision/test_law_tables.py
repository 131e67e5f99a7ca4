"""The tables of law the models read: derived from the statute texts, and still matching them."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.watcher import ready_feed_batches
from tasks.quality.reference import article_exists
from tasks.supervision.law_tables import (
    DATA_DIR,
    LAWS_DIR,
    charge_articles,
    charge_maximum,
    fine_article_labels,
    statutory_thresholds,
    tier_maximum,
    write_tables,
)

DERIVED = ("statutory_max.csv", "fine_articles.csv", "thresholds.csv")


def test_fine_articles_hold_the_ones_the_issue_names() -> None:
    assert {"133之一", "264", "266", "303", "347", "354"} <= fine_article_labels()
    # 234 (故意伤害) and 237 (强制猥亵) have tiers without a fine; 271 only 可以并处.
    assert not {"234", "237", "232", "133"} & fine_article_labels()


def test_statutory_maxima() -> None:
    assert charge_maximum("危险驾驶罪") == ("拘役", 6)
    assert charge_maximum("盗窃罪") == ("无期徒刑", None)
    assert charge_maximum("赌博罪") == ("有期徒刑", 36)  # 303 para 1, not 开设赌场 (para 2)
    assert charge_maximum("开设赌场罪") == ("有期徒刑", 120)
    assert charge_maximum("容留他人吸毒罪") == ("有期徒刑", 36)
    assert charge_maximum("故意伤害罪") == ("死刑", None)
    assert tier_maximum("处三年以上十年以下有期徒刑，并处罚金") == ("有期徒刑", 120)
    assert tier_maximum("处十年以上有期徒刑或者无期徒刑") == ("无期徒刑", None)
    assert tier_maximum("处五年以上有期徒刑") == ("有期徒刑", 180)


def test_charge_articles_exist_and_cover_the_frequent_charges() -> None:
    import json
    from collections import Counter

    from tasks.feeds.load import official_charge

    table = charge_articles()
    for mapped in table.values():
        article, _, sub = mapped.article.partition("之")
        assert article_exists(int(article), {"": None, "一": 1, "二": 2}[sub]), mapped
    labels = Path(__file__).resolve().parents[1] / "data" / "labels" / "judge_gold.jsonl"
    counts = Counter(official_charge(c) for line in labels.read_text("utf-8").splitlines()
                     for c in json.loads(line).get("charges", []))
    frequent = [c for c, _ in counts.most_common(30) if c in {*table, *counts}]
    covered = sum(c in table for c in frequent)
    assert covered >= len(frequent) - 3, [c for c in frequent if c not in table]


def test_thresholds() -> None:
    assert statutory_thresholds() == {"盗窃罪": 1000.0, "诈骗罪": 3000.0}


@pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/data/laws is not here")
def test_the_committed_tables_still_match_the_statute_text(tmp_path: Path) -> None:
    write_tables(LAWS_DIR, tmp_path)
    for name in DERIVED:
        assert (tmp_path / name).read_text("utf-8") == (DATA_DIR / name).read_text("utf-8"), name


def test_the_watcher_announces_only_a_batchs_ready_marker() -> None:
    def record(key: str) -> dict:
        return {"eventName": "s3:ObjectCreated:Put",
                "s3": {"bucket": {"name": "b"}, "object": {"key": key, "eTag": "e"}}}

    notification = {"Records": [record("feeds/2026-06/people.csv"),
                                record("feeds/2026-06/_READY"),
                                record("feeds/_READY"), record("incoming/_READY"),
                                record("feeds/a/b/_READY")]}
    assert [o.key for o in ready_feed_batches(notification)] == ["feeds/2026-06/_READY"]

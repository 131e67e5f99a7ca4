"""The law a recommendation cites: shipped as data, sourced, and complete for every model."""

from __future__ import annotations

import datetime as dt

import pytest

from tasks.recommendations.categories import category_for, place_of, recipient_for
from tasks.recommendations.dates import add_months, chinese_date, reply_due
from tasks.recommendations.legal_basis import (
    derive_statutes,
    regulation,
    reply_months,
    statutes,
)
from tasks.supervision.law_tables import LAWS_DIR
from tasks.supervision.registry import all_models


@pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/data/laws is not here")
def test_the_shipped_statutes_match_the_statute_texts() -> None:
    import json

    from tasks.recommendations.legal_basis import STATUTES_FILE

    assert json.loads(STATUTES_FILE.read_text(encoding="utf-8")) == derive_statutes()


def test_quoted_provisions_say_what_they_are_cited_for() -> None:
    quoted = statutes()
    assert "检察建议" in quoted["organization_law_21"].text
    assert "带有普遍性的违法情形" in quoted["criminal_procedure_rules_552"].text
    correction = quoted["community_correction_law_62"]
    assert correction.citation == "《中华人民共和国社区矫正法》第六十二条"
    articles = regulation()["articles"]
    assert "两个月以内" in articles["第十九条"]["text"] and reply_months() == 2
    assert "普遍性、倾向性违法问题" in articles["第九条"]["text"]
    assert "改进工作、完善治理" in articles["第十一条"]["text"]


def test_every_model_has_a_category_with_its_cause_and_recommendations() -> None:
    for model_id in all_models():
        category = category_for(model_id)
        assert category.problem and "{count}" in category.cause, model_id
        assert len(category.suggestions) >= 2 and category.regulation_article in ("第九条",
                                                                                  "第十一条")
        assert " " not in category.cause  # folded YAML lines joined without spaces
    assert category_for("a_future_model").problem.startswith("经“{model_name}”")


def test_recipients_by_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    from dossier.settings import reset_settings

    assert place_of("北京市朝阳区人民检察院") == "北京市朝阳区"
    assert recipient_for("court") == "示范市示范区人民法院"
    monkeypatch.setenv("DOSSIER_RECOMMENDATION_RECIPIENTS", '{"police": "示范市公安局示范分局"}')
    reset_settings()
    assert recipient_for("police") == "示范市公安局示范分局"
    assert recipient_for("corrections") == "示范市示范区司法局"


@pytest.mark.parametrize(("day", "due"), [
    (dt.date(2026, 7, 6), dt.date(2026, 9, 6)),
    (dt.date(2025, 12, 31), dt.date(2026, 2, 28)),
    (dt.date(2027, 12, 31), dt.date(2028, 2, 29)),
    (dt.date(2026, 11, 30), dt.date(2027, 1, 30)),
])
def test_two_months_from_receipt(day: dt.date, due: dt.date) -> None:
    assert add_months(day, 2) == due
    assert reply_due(dt.date(2026, 1, 1), day, 2) == due  # receipt decides when recorded
    assert reply_due(day, None, 2) == due  # else the issue date


def test_chinese_dates() -> None:
    assert chinese_date(dt.date(2026, 11, 30)) == "二〇二六年十一月三十日"
    assert chinese_date(dt.date(2030, 1, 5)) == "二〇三〇年一月五日"

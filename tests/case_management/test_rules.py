"""The tables of law of case management: the deadline rules say what their articles say, and
the holiday files are the 国务院办公厅 notices as transcribed."""

from __future__ import annotations

import re
from pathlib import Path

import cn2an
import pytest

from tasks.case_management.build_holidays import year_text
from tasks.case_management.rules import deadline_rules
from tasks.case_management.work_calendar import HOLIDAYS_DIR, shipped_years
from tasks.supervision.law_tables import LAWS_DIR

LAW_FILES = {
    "刑事诉讼法": "criminal_procedure_law_2018.md",
    "规则": "procuratorate_criminal_procedure_rules_2019.md",
    "最高法解释": "spc_interpretation_criminal_procedure_2021.md",
}


def article_text(law: str, article: str) -> str:
    """The text of 第<article>条 in the statute file, up to the next article."""
    text = (LAWS_DIR / LAW_FILES[law]).read_text(encoding="utf-8")
    heading = f"第{cn2an.an2cn(int(article))}条"
    following = r"(?=^第[零一二三四五六七八九十百千]+条[ \u3000]|\Z)"
    match = re.search(rf"^{heading}[ \u3000](.*?){following}", text, flags=re.M | re.S)
    assert match, f"{law} has no {heading}"
    return match.group(1)


def _quotes() -> list[tuple[str, str, str]]:
    rules = deadline_rules()
    out = [(b.law, b.article, b.quote) for r in rules.rules.values() for b in r.basis]
    c = rules.counting
    out += [(c.law, c.article, c.quote), (c.law, c.article, c.holiday_quote),
            (c.months_law, c.months_article, c.months_quote),
            (c.months_law, c.months_article, c.half_month_quote),
            (rules.fast_track.basis.law, rules.fast_track.basis.article,
             rules.fast_track.basis.quote)]
    return out


@pytest.mark.skipif(not LAWS_DIR.exists(), reason="../shared/data/laws is not here")
@pytest.mark.parametrize(("law", "article", "quote"), _quotes())
def test_every_quote_is_in_the_article_it_cites(law: str, article: str, quote: str) -> None:
    text = article_text(law, article).replace(" ", "")
    assert quote.replace(" ", "") in text


def test_the_periods_are_the_numbers_the_quotes_state() -> None:
    """Always runs (no statute files needed): the YAML's numbers against its own quotes."""
    for rule in deadline_rules().rules.values():
        words = "".join(b.quote for b in rule.basis)
        if rule.period.days:
            assert f"{cn2an.an2cn(rule.period.days)}日" in words, rule.id
        if rule.period.months:
            assert f"{cn2an.an2cn(rule.period.months)}个月" in words, rule.id
        if rule.extension and rule.extension.days:
            assert f"延长{cn2an.an2cn(rule.extension.days)}日" in words, rule.id
        if rule.extension and rule.extension.to_days:
            assert f"{cn2an.an2cn(rule.extension.to_days)}日" in words, rule.id
        if rule.max_times:
            assert f"以{cn2an.an2cn(rule.max_times)}次为限" in words, rule.id
    assert {r.id for r in deadline_rules().rules.values()} == {
        "arrest_review", "arrest_review_at_large", "prosecution_review",
        "plea_fast_track_review", "supplementary_investigation"}


def test_the_holiday_files_are_the_notices_as_transcribed() -> None:
    pytest.importorskip("chinese_calendar")
    years = shipped_years()
    assert set(years) >= set(range(2016, 2027))
    for year, notice in years.items():
        path: Path = HOLIDAYS_DIR / f"{year}.yaml"
        assert notice.source.startswith(f"国务院办公厅关于{year}年部分节假日安排的通知")
        shipped = [ln for ln in path.read_text(encoding="utf-8").splitlines()
                   if not ln.startswith("transcribed_with")]
        built = [ln for ln in year_text(year).splitlines() if not ln.startswith("transcribed_with")]
        assert shipped == built, f"{path} differs from chinesecalendar's {year}"
        assert all(d.weekday() >= 5 for d in notice.working_weekends)

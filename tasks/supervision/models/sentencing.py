"""Sentences against the Criminal Law: the models that also run on case cards.

They read a :class:`~tasks.supervision.registry.JudgmentSource`: the judgments
feed, or the library's case cards flattened into the same shape, so one rule
serves both. Statutory tables (fine articles, statutory maxima, each charge's
article) come from ``tasks.supervision.law_tables`` and enter the SQL as CASE
expressions and IN lists.
"""

from __future__ import annotations

import sqlalchemy as sa

from tasks.supervision.law_tables import (
    PENALTY_RANK,
    charge_articles,
    charge_maximum,
    fine_article_labels,
)
from tasks.supervision.registry import LegalBasis, RuleContext, SupervisionModel, register

CL = "中华人民共和国刑法"
PROBATION_MAX_MONTHS = 36  # 刑法第七十二条: 拘役 or 有期徒刑 of at most 3 years
MIN_CASES = 20  # sentence_deviation: fewer comparable cases say nothing
LOW, HIGH = 0.05, 0.95
# Amount bands (yuan) for comparing like with like: the thresholds of the theft and
# fraud interpretations (数额较大 / 巨大 / 特别巨大 ranges) rounded to common bounds.
AMOUNT_BANDS = (3_000, 10_000, 30_000, 100_000, 500_000)


def _base(src, *extra: sa.ColumnElement) -> list[sa.ColumnElement]:
    t = src.table.c
    return [t.person_key.label("subject"), t.person_masked, t.case_no,
            t.court.label("agency"), t[src.record_column].label(f"r_{src.record_feed}"),
            t.charge, t.penalty, t.months, t.probation_months, *extra]


def _probation_ineligible(ctx: RuleContext) -> sa.Select:
    src = ctx.judgments
    t = src.table.c
    reason = sa.case(
        (t.recidivist.is_(True), "被告人系累犯"),
        (t.penalty.not_in(("拘役", "有期徒刑")), "所判刑罚为" + t.penalty),
        else_="有期徒刑超过三年",
    )
    return sa.select(*_base(src, reason.label("reason"))).where(
        t.probation_months > 0,
        t.penalty.is_not(None),
        sa.or_(
            t.recidivist.is_(True),
            t.penalty.not_in(("拘役", "有期徒刑")),
            sa.and_(t.penalty == "有期徒刑", t.months > PROBATION_MAX_MONTHS),
        ),
    )


register(SupervisionModel(
    id="probation_ineligible",
    name_zh="缓刑适用错误",
    version="1",
    legal_basis=(LegalBasis(CL, "第七十二条"), LegalBasis(CL, "第七十四条")),
    reads=("feed_judgments", "supervision_card_sentences"),
    severity="high",
    explanation_zh=("{case_no}对{person_masked}以{charge}判处{penalty}{months}个月并宣告缓刑{probation_months}个月，"
                    "但{reason}，不符合缓刑适用条件。"),
    evidence=("judgments",),
    rule=_probation_ineligible,
    on_cards=True,
))


def _probation_term_invalid(ctx: RuleContext) -> sa.Select:
    src = ctx.judgments
    t = src.table.c
    p = t.probation_months
    detention = sa.and_(t.penalty == "拘役",
                        sa.or_(p < t.months, p < 2, p > 12))
    fixed_term = sa.and_(t.penalty == "有期徒刑",
                         sa.or_(p < t.months, p < 12, p > 60))
    return sa.select(*_base(src)).where(p > 0, t.months.is_not(None),
                                        sa.or_(detention, fixed_term))


register(SupervisionModel(
    id="probation_term_invalid",
    name_zh="缓刑考验期不合法",
    version="1",
    legal_basis=(LegalBasis(CL, "第七十三条"),),
    reads=("feed_judgments", "supervision_card_sentences"),
    severity="high",
    explanation_zh=("{case_no}对{person_masked}判处{penalty}{months}个月，缓刑考验期{probation_months}个月，"
                    "不符合刑法第七十三条（拘役：原判刑期以上一年以下且不少于二个月；"
                    "有期徒刑：原判刑期以上五年以下且不少于一年）。"),
    evidence=("judgments",),
    rule=_probation_term_invalid,
    on_cards=True,
))


def _fine_missing(ctx: RuleContext) -> sa.Select:
    src = ctx.judgments
    t = src.table.c
    return sa.select(*_base(src, t.article)).where(
        t.article.in_(sorted(fine_article_labels())),
        sa.func.coalesce(t.fine_yuan, 0) <= 0,
        t.penalty.is_not(None),
        t.penalty != "免予刑事处罚",
    )


register(SupervisionModel(
    id="fine_missing",
    name_zh="应并处罚金未判处",
    version="1",
    legal_basis=(LegalBasis(CL, "第五十二条"), LegalBasis(CL, "各罪条文（并处罚金）")),
    reads=("feed_judgments", "supervision_card_sentences"),
    severity="high",
    explanation_zh=("{case_no}对{person_masked}以{charge}（刑法第{article}条）判处{penalty}，"
                    "该条各档法定刑均应并处罚金，判决未判处罚金。"),
    evidence=("judgments",),
    rule=_fine_missing,
    on_cards=True,
))


def _maxima() -> tuple[dict[str, int], dict[str, int]]:
    ranks, months = {}, {}
    for charge in charge_articles():
        maximum = charge_maximum(charge)
        if maximum is None:
            continue
        ranks[charge] = PENALTY_RANK[maximum[0]]
        if maximum[1] is not None:
            months[charge] = maximum[1]
    return ranks, months


_PENALTY_NAMES = {rank: name for name, rank in PENALTY_RANK.items()}


def _sentence_out_of_range(ctx: RuleContext) -> sa.Select:
    src = ctx.judgments
    t = src.table.c
    ranks, months = _maxima()
    max_rank = sa.case(ranks, value=t.charge, else_=sa.null())
    max_months = sa.case(months, value=t.charge, else_=sa.null())
    rank = sa.case(PENALTY_RANK, value=t.penalty, else_=sa.null())
    max_name = sa.case(_PENALTY_NAMES, value=max_rank, else_=sa.null())
    return sa.select(*_base(src, max_name.label("max_penalty"),
                            max_months.label("max_months"))).where(
        src.single_charge,
        max_rank.is_not(None),
        rank.is_not(None),
        sa.or_(rank > max_rank,
               sa.and_(rank == max_rank, max_months.is_not(None), t.months > max_months)),
    )


register(SupervisionModel(
    id="sentence_out_of_range",
    name_zh="量刑超出法定最高刑",
    version="1",
    legal_basis=(LegalBasis(CL, "分则各罪法定刑"), LegalBasis(CL, "第四十五条")),
    reads=("feed_judgments", "supervision_card_sentences"),
    severity="high",
    explanation_zh=("{case_no}对{person_masked}以{charge}判处{penalty}{months}个月，"
                    "超出该罪法定最高刑（{max_penalty}{max_months}个月）。"),
    evidence=("judgments",),
    rule=_sentence_out_of_range,
    on_cards=True,
))


def _article_charge_mismatch(ctx: RuleContext) -> sa.Select:
    src = ctx.judgments
    t = src.table.c
    expected = sa.case({c: a.article for c, a in charge_articles().items()}, value=t.charge,
                       else_=sa.null())
    return sa.select(*_base(src, expected.label("expected_article"),
                            t.article.label("cited_article"))).where(
        expected.is_not(None), ~src.cites(expected))


register(SupervisionModel(
    id="article_charge_mismatch",
    name_zh="罪名与法条不一致",
    version="1",
    legal_basis=(LegalBasis(CL, "分则各罪条文"),
                 LegalBasis("最高人民法院关于执行《中华人民共和国刑法》确定罪名的规定", "")),
    reads=("feed_judgments", "supervision_card_sentences", "supervision_card_statutes"),
    severity="low",
    explanation_zh=("{case_no}认定{person_masked}犯{charge}，该罪规定于刑法第{expected_article}条，"
                    "但判决引用的条文中没有该条。"),
    evidence=("judgments",),
    rule=_article_charge_mismatch,
    on_cards=True,
))


def amount_band(amount: sa.ColumnElement) -> sa.ColumnElement:
    """0 for no amount, then 1.. for each band of :data:`AMOUNT_BANDS`."""
    whens = [(amount.is_(None), 0), (amount <= 0, 0)]
    whens += [(amount < bound, i + 1) for i, bound in enumerate(AMOUNT_BANDS)]
    return sa.case(*whens, else_=len(AMOUNT_BANDS) + 1)


def _sentence_deviation(ctx: RuleContext) -> sa.Select:
    src = ctx.judgments
    t = src.table.c
    pop = ctx.population
    assert pop is not None, "sentence_deviation needs the sentencing population"
    partition = (pop.c.charge, pop.c.band)
    ranked = sa.select(
        pop.c.charge, pop.c.band, pop.c.months,
        sa.func.cume_dist().over(partition_by=partition, order_by=pop.c.months).label("cd"),
        sa.func.count().over(partition_by=partition).label("n"),
    ).subquery("ranked")
    bounds = (
        sa.select(
            ranked.c.charge, ranked.c.band, sa.func.max(ranked.c.n).label("n"),
            sa.func.min(sa.case((ranked.c.cd >= LOW, ranked.c.months))).label("p5"),
            sa.func.min(sa.case((ranked.c.cd >= HIGH, ranked.c.months))).label("p95"),
        )
        .group_by(ranked.c.charge, ranked.c.band)
        .having(sa.func.max(ranked.c.n) >= MIN_CASES)
        .subquery("bounds")
    )
    band = amount_band(src.amount if src.amount is not None else sa.null())
    rows = sa.select(*_base(src), band.label("band")).where(
        src.single_charge, t.penalty.in_(("有期徒刑", "拘役")), t.months.is_not(None),
    ).subquery("rows")
    return (
        sa.select(rows, bounds.c.p5, bounds.c.p95, bounds.c.n.label("cases"))
        .select_from(rows.join(bounds, sa.and_(bounds.c.charge == rows.c.charge,
                                               bounds.c.band == rows.c.band)))
        .where(sa.or_(rows.c.months < bounds.c.p5, rows.c.months > bounds.c.p95))
    )


def sentencing_population(src, amount: sa.ColumnElement | None) -> sa.Select:
    """The rows a source adds to the sentencing reference: charge, band, months."""
    t = src.table.c
    return sa.select(t.charge, amount_band(amount if amount is not None else sa.null())
                     .label("band"), t.months).where(
        src.single_charge, t.penalty.in_(("有期徒刑", "拘役")), t.months.is_not(None))


register(SupervisionModel(
    id="sentence_deviation",
    name_zh="量刑偏离",
    version="1",
    legal_basis=(LegalBasis(CL, "第六十一条"),
                 LegalBasis("最高人民法院、最高人民检察院关于常见犯罪的量刑指导意见（试行）", "")),
    reads=("feed_judgments", "feed_police_cases", "supervision_card_sentences"),
    severity="low",
    explanation_zh=("{case_no}对{person_masked}以{charge}判处{penalty}{months}个月，"
                    "偏离本库同罪名、同数额档的{cases}件案件的量刑区间（第5至第95百分位：{p5}至{p95}个月）。"),
    evidence=("judgments",),
    rule=_sentence_deviation,
    on_cards=True,
))

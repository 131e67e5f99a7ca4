"""Coercive measures past their legal limits: 拘留, 逮捕 (侦查羁押), 取保候审, 监视居住.

Limits (刑事诉讼法): after 拘留 the police ask for arrest within 3 days, 7 when
extended, 30 for 流窜作案、多次作案、结伙作案 (第九十一条; the feed's ``extension``);
侦查羁押 after 逮捕 is 2 months (第一百五十六条) plus each 延长羁押 row's months
(第一百五十六至一百五十九条); 取保候审 at most 12 months, 监视居住 6 months
(第七十九条). A limit "runs past" when the measure is still on after the limit's
last day: the end date (or as-of while it lasts) is later than start + limit.
"""

from __future__ import annotations

import sqlalchemy as sa

from schemas.feeds_tables import FeedMeasure
from tasks.supervision.registry import LegalBasis, RuleContext, SupervisionModel, register
from tasks.supervision.sql import add_days, add_months

CPL = "中华人民共和国刑事诉讼法"
DETENTION_DAYS = 3
CUSTODY_MONTHS = 2
BAIL_MONTHS = {"取保候审": 12, "监视居住": 6}


def _detention_overdue(ctx: RuleContext) -> sa.Select:
    table = FeedMeasure.__table__
    m = table.alias("m")
    x = table.alias("x")
    days = sa.func.coalesce(m.c.extension, DETENTION_DAYS)
    deadline = add_days(m.c.start_date, days)
    answered = sa.exists().where(
        x.c.person_key == m.c.person_key,
        x.c.kind.in_(("提请逮捕", "释放")),
        x.c.start_date >= m.c.start_date,
        x.c.start_date <= deadline,
        sa.or_(x.c.case_id == m.c.case_id, m.c.case_id.is_(None)),
    )
    return sa.select(
        m.c.person_key.label("subject"), m.c.person_masked, m.c.case_id.label("case_no"),
        sa.null().label("agency"), m.c.measure_id.label("r_measures"),
        m.c.start_date, days.label("days"), deadline.label("deadline"),
    ).where(m.c.kind == "拘留", deadline < ctx.as_of, ~answered)


register(SupervisionModel(
    id="detention_overdue",
    name_zh="拘留后提请逮捕超期",
    version="1",
    legal_basis=(LegalBasis(CPL, "第九十一条"),),
    reads=("feed_measures",),
    severity="high",
    explanation_zh=("{person_masked}于{start_date}被刑事拘留（案件{case_no}），应在{days}日内（至{deadline}）"
                    "提请批准逮捕或释放，至{as_of}未见提请逮捕或释放记录，涉嫌超期羁押。"),
    evidence=("measures",),
    rule=_detention_overdue,
))


def _custody_overdue(ctx: RuleContext) -> sa.Select:
    table = FeedMeasure.__table__
    a = table.alias("a")
    e = table.alias("e")
    extensions = (
        sa.select(e.c.person_key, e.c.case_id,
                  sa.func.sum(e.c.extension).label("months"))
        .where(e.c.kind == "延长羁押")
        .group_by(e.c.person_key, e.c.case_id)
        .subquery("ext")
    )
    months = CUSTODY_MONTHS + sa.func.coalesce(extensions.c.months, 0)
    limit = add_months(a.c.start_date, months)
    end = sa.func.coalesce(a.c.end_date, ctx.as_of)
    return (
        sa.select(
            a.c.person_key.label("subject"), a.c.person_masked, a.c.case_id.label("case_no"),
            sa.null().label("agency"), a.c.measure_id.label("r_measures"),
            a.c.start_date, months.label("months"), limit.label("limit_date"),
            end.label("end_or_as_of"),
        )
        .select_from(a.outerjoin(extensions, sa.and_(
            extensions.c.person_key == a.c.person_key, extensions.c.case_id == a.c.case_id)))
        .where(a.c.kind == "逮捕", a.c.start_date <= ctx.as_of, end > limit)
    )


register(SupervisionModel(
    id="custody_overdue",
    name_zh="侦查羁押超期",
    version="1",
    legal_basis=(LegalBasis(CPL, "第一百五十六条至第一百五十九条"),),
    reads=("feed_measures",),
    severity="high",
    explanation_zh=("{person_masked}于{start_date}被逮捕（案件{case_no}），侦查羁押期限连同延长共{months}个月，"
                    "应至{limit_date}，实际羁押至{end_or_as_of}，超过法定期限。"),
    evidence=("measures",),
    rule=_custody_overdue,
))


def _bail_overdue(ctx: RuleContext) -> sa.Select:
    m = FeedMeasure.__table__.c
    months = sa.case(BAIL_MONTHS, value=m.kind)
    limit = add_months(m.start_date, months)
    end = sa.func.coalesce(m.end_date, ctx.as_of)
    return sa.select(
        m.person_key.label("subject"), m.person_masked, m.case_id.label("case_no"),
        sa.null().label("agency"), m.measure_id.label("r_measures"),
        m.kind, m.start_date, months.label("months"), limit.label("limit_date"),
        end.label("end_or_as_of"),
    ).where(m.kind.in_(list(BAIL_MONTHS)), m.start_date <= ctx.as_of, end > limit)


register(SupervisionModel(
    id="bail_overdue",
    name_zh="取保候审、监视居住超期",
    version="1",
    legal_basis=(LegalBasis(CPL, "第七十九条"),),
    reads=("feed_measures",),
    severity="medium",
    explanation_zh=("{person_masked}于{start_date}被{kind}（案件{case_no}），法定期限{months}个月，应至{limit_date}，"
                    "实际持续至{end_or_as_of}，超过法定期限。"),
    evidence=("measures",),
    rule=_bail_overdue,
))

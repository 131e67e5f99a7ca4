"""Cases that stopped short of criminal proceedings: 以罚代刑 and 应立不立."""

from __future__ import annotations

import sqlalchemy as sa

from schemas.feeds_tables import FeedAdminPenalty, FeedPoliceCase
from tasks.supervision.registry import LegalBasis, RuleContext, SupervisionModel, register

UNFILED_AFTER_DAYS = 30


def threshold_of(offence: sa.ColumnElement, thresholds: dict[str, float]) -> sa.ColumnElement:
    """The offence's threshold as a SQL CASE (NULL for offences without one)."""
    return sa.case(thresholds, value=offence, else_=sa.null())


def _penalty_instead_of_prosecution(ctx: RuleContext) -> sa.Select:
    p = FeedAdminPenalty.__table__.c
    thresholds = dict(ctx.thresholds)
    threshold = threshold_of(p.offence, thresholds)
    return sa.select(
        p.person_key.label("subject"), p.person_masked, sa.null().label("case_no"),
        p.agency.label("agency"), p.penalty_id.label("r_admin_penalties"),
        p.offence, p.amount_yuan, p.penalty, p.decided_date, threshold.label("threshold_yuan"),
    ).where(
        p.offence.in_(list(thresholds)),
        p.amount_yuan >= threshold,
        p.transferred_date.is_(None),
        p.decided_date <= ctx.as_of,
    )


register(SupervisionModel(
    id="penalty_instead_of_prosecution",
    name_zh="以罚代刑",
    version="1",
    legal_basis=(
        LegalBasis("行政执法机关移送涉嫌犯罪案件的规定", "第三条"),
        LegalBasis("人民检察院办理行政执法机关移送涉嫌犯罪案件的规定", "第一条"),
        LegalBasis("关于办理盗窃刑事案件适用法律若干问题的解释", "第一条"),
        LegalBasis("关于办理诈骗刑事案件具体应用法律若干问题的解释", "第一条"),
    ),
    reads=("feed_admin_penalties",),
    severity="high",
    explanation_zh=("当事人{person_masked}因{offence}于{decided_date}被{agency}行政处罚（{penalty}），"
                    "涉案金额{amount_yuan}元，已达刑事追诉标准{threshold_yuan}元，"
                    "但未移送公安机关，涉嫌以罚代刑。"),
    evidence=("admin_penalties",),
    rule=_penalty_instead_of_prosecution,
))


def _unfiled_police_case(ctx: RuleContext) -> sa.Select:
    c = FeedPoliceCase.__table__.c
    thresholds = dict(ctx.thresholds)
    threshold = threshold_of(c.offence, thresholds)
    return sa.select(
        c.person_key.label("subject"), c.person_masked, c.case_id.label("case_no"),
        sa.null().label("agency"), c.case_id.label("r_police_cases"),
        c.offence, c.amount_yuan, c.received_date, threshold.label("threshold_yuan"),
    ).where(
        c.received_date < ctx.days_before(UNFILED_AFTER_DAYS),
        c.offence.in_(list(thresholds)),
        c.amount_yuan >= threshold,
        c.filed_date.is_(None),
        c.withdrawn_date.is_(None),
    )


register(SupervisionModel(
    id="unfiled_police_case",
    name_zh="应立不立",
    version="1",
    legal_basis=(
        LegalBasis("中华人民共和国刑事诉讼法", "第一百一十二条、第一百一十三条"),
        LegalBasis("人民检察院刑事诉讼规则", "第五百五十七条"),
    ),
    reads=("feed_police_cases",),
    severity="high",
    explanation_zh=("公安机关于{received_date}受理{offence}案件（{case_no}），涉案金额{amount_yuan}元，"
                    "已达立案标准{threshold_yuan}元，超过{days}日既未立案也未撤案，涉嫌应立不立。"),
    evidence=("police_cases",),
    rule=_unfiled_police_case,
    extra={"days": UNFILED_AFTER_DAYS},
))

"""Execution of sentences (刑罚执行监督): community corrections, pensions in prison, fines.

* 社区矫正脱管漏管: 社区矫正法第二十条 — a person on 缓刑, 管制 or 假释 reports to the
  corrections office within 10 days of the judgment or ruling taking effect.
* 服刑期间违规领取养老金: 人社部发〔2012〕69号 / 社会保险法 — no basic pension is paid
  while a retiree serves a prison sentence; a payment for a month wholly inside a
  prison term (admitted on or before its first day, not released before its last)
  is a lead.
* 罚金未执行: 刑事诉讼法第二百七十一条, 最高人民法院《关于适用〈刑事诉讼法〉的解释》
  第五百二十三条 — a fine is enforced by the court after the judgment takes
  effect; none opened 90 days after is a lead.
"""

from __future__ import annotations

import sqlalchemy as sa

from schemas.feeds_tables import (
    FeedCorrection,
    FeedFineEnforcement,
    FeedJudgment,
    FeedPension,
    FeedPrison,
)
from tasks.supervision.registry import LegalBasis, RuleContext, SupervisionModel, register
from tasks.supervision.sql import add_days

CHECKIN_DAYS = 10
FINE_ENFORCEMENT_DAYS = 90


def _corrections_missed(ctx: RuleContext) -> sa.Select:
    c = FeedCorrection.__table__.c
    deadline = add_days(c.effective_date, CHECKIN_DAYS)
    return sa.select(
        c.person_key.label("subject"), c.person_masked, c.case_no,
        sa.null().label("agency"), c.correction_id.label("r_corrections"),
        c.kind, c.effective_date, deadline.label("deadline"),
    ).where(
        c.kind.in_(("缓刑", "管制", "假释")),
        c.effective_date < ctx.days_before(CHECKIN_DAYS),
        sa.or_(c.checkin_date.is_(None), c.checkin_date > deadline),
    )


register(SupervisionModel(
    id="corrections_missed",
    name_zh="社区矫正脱管漏管",
    version="1",
    legal_basis=(LegalBasis("中华人民共和国社区矫正法", "第二十条"),),
    reads=("feed_corrections",),
    severity="medium",
    explanation_zh=("{person_masked}被判处{kind}（案件{case_no}），{effective_date}生效，应在{days}日内"
                    "（至{deadline}）到社区矫正机构报到，未见按期报到记录，涉嫌脱管漏管。"),
    evidence=("corrections",),
    rule=_corrections_missed,
    extra={"days": CHECKIN_DAYS},
))


def _pension_while_imprisoned(ctx: RuleContext) -> sa.Select:
    p = FeedPension.__table__.c
    r = FeedPrison.__table__.c
    return (
        sa.select(
            p.person_key.label("subject"), p.person_masked, sa.null().label("case_no"),
            sa.null().label("agency"), p.payment_id.label("r_pensions"),
            r.record_id.label("r_prison"), p.month, p.amount_yuan, r.admitted_date,
            sa.func.coalesce(r.released_date, ctx.as_of).label("released_or_as_of"),
        )
        .select_from(FeedPension.__table__.join(FeedPrison.__table__,
                                                r.person_key == p.person_key))
        .where(
            p.month_start >= r.admitted_date,
            p.month_end <= sa.func.coalesce(r.released_date, ctx.as_of),
            p.month_end <= ctx.as_of,
        )
    )


register(SupervisionModel(
    id="pension_while_imprisoned",
    name_zh="服刑期间违规领取养老金",
    version="1",
    legal_basis=(LegalBasis("中华人民共和国社会保险法", "第十六条"),
                 LegalBasis("人力资源社会保障部、财政部关于进一步加强企业职工基本养老保险基金收支管理的通知（人社部发〔2012〕69号）", "第二条")),
    reads=("feed_pensions", "feed_prison"),
    severity="medium",
    explanation_zh=("{person_masked}自{admitted_date}起服刑（至{released_or_as_of}），"
                    "{month}仍领取基本养老金{amount_yuan}元，涉嫌服刑期间违规领取。"),
    evidence=("pensions", "prison"),
    rule=_pension_while_imprisoned,
))


def _fine_unenforced(ctx: RuleContext) -> sa.Select:
    j = FeedJudgment.__table__.c
    f = FeedFineEnforcement.__table__.c
    enforced = sa.exists().where(f.case_no == j.case_no, f.person_key == j.person_key)
    return sa.select(
        j.person_key.label("subject"), j.person_masked, j.case_no,
        j.court.label("agency"), j.judgment_id.label("r_judgments"),
        j.charge, j.fine_yuan, j.effective_date,
    ).where(
        j.fine_yuan > 0,
        j.effective_date < ctx.days_before(FINE_ENFORCEMENT_DAYS),
        ~enforced,
    )


register(SupervisionModel(
    id="fine_unenforced",
    name_zh="罚金未执行",
    version="1",
    legal_basis=(LegalBasis("中华人民共和国刑事诉讼法", "第二百七十一条"),
                 LegalBasis("最高人民法院关于适用《中华人民共和国刑事诉讼法》的解释", "第五百二十三条")),
    reads=("feed_judgments", "feed_fine_enforcement"),
    severity="medium",
    explanation_zh=("{case_no}判决{person_masked}犯{charge}，并处罚金{fine_yuan}元，{effective_date}生效，"
                    "超过{days}日未见罚金执行立案记录。"),
    evidence=("judgments",),
    rule=_fine_unenforced,
    extra={"days": FINE_ENFORCEMENT_DAYS},
))

"""醉驾不起诉未吊销驾驶证: a drunk driver not prosecuted keeps a licence the law revokes.

道路交通安全法第九十一条: driving drunk (blood alcohol >= 80 mg/100 ml, GB 19522)
means the licence is revoked, whether or not the driver is prosecuted. A
non-prosecution decided more than 30 days before as-of with no revocation of
that person's licence on or after the decision is a lead.
"""

from __future__ import annotations

import sqlalchemy as sa

from schemas.feeds_tables import FeedLicenceRevocation, FeedNonProsecution
from tasks.supervision.registry import LegalBasis, RuleContext, SupervisionModel, register

DRUNK_MG = 80
GRACE_DAYS = 30


def _dui_no_licence_revocation(ctx: RuleContext) -> sa.Select:
    n = FeedNonProsecution.__table__.c
    r = FeedLicenceRevocation.__table__.c
    revoked = sa.exists().where(r.person_key == n.person_key, r.revoked_date >= n.decided_date)
    return sa.select(
        n.person_key.label("subject"), n.person_masked, sa.null().label("case_no"),
        sa.null().label("agency"), n.decision_id.label("r_non_prosecutions"),
        n.blood_alcohol_mg, n.decided_date,
    ).where(
        n.charge == "危险驾驶罪",
        n.blood_alcohol_mg >= DRUNK_MG,
        n.decided_date < ctx.days_before(GRACE_DAYS),
        ~revoked,
    )


register(SupervisionModel(
    id="dui_no_licence_revocation",
    name_zh="醉驾不起诉未吊销驾驶证",
    version="1",
    legal_basis=(LegalBasis("中华人民共和国道路交通安全法", "第九十一条第二款"),
                 LegalBasis("中华人民共和国刑法", "第一百三十三条之一")),
    reads=("feed_non_prosecutions", "feed_licence_revocations"),
    severity="medium",
    explanation_zh=("{person_masked}因醉酒驾驶（血液酒精含量{blood_alcohol_mg}mg/100ml）于{decided_date}"
                    "被决定不起诉，超过{days}日仍无吊销机动车驾驶证记录。"),
    evidence=("non_prosecutions",),
    rule=_dui_no_licence_revocation,
    extra={"days": GRACE_DAYS},
))

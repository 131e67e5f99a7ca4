"""审查规则: is the evidence there? Per charge, the evidence a dossier must hold."""

from __future__ import annotations

from collections.abc import Iterator

from tasks.review.context import ReviewContext
from tasks.review.registry import Finding, rule


@rule(
    "evidence_required",
    kind="review",
    name_zh="法定证据齐备",
    basis="刑事诉讼法第五十五条（证据确实、充分）；各罪名定罪量刑所需证据（tasks/review/data/charges.yaml）",
    reads_fields=("charges", "offence_forms", "alcohol", "documents.evidence"),
    reads_documents=("讯问笔录", "询问笔录", "鉴定意见", "其他"),
    severity="high",
)
def evidence_required(ctx: ReviewContext) -> Iterator[Finding]:
    if not ctx.is_dossier:
        return
    drunk = "醉酒驾驶" in ctx.case.offence_forms or bool(ctx.case.alcohol)
    for charge, spec in ctx.charges:
        for need in spec.evidence:
            if need.when == "醉酒驾驶" and not drunk:
                continue
            for kind in need.kinds:
                if kind not in ctx.evidence:
                    yield Finding(f"{charge}案件卷宗中缺少{kind}。", charge=charge)


@rule(
    "prior_record_evidence",
    kind="review",
    name_zh="前科材料",
    basis="刑法第六十五条（累犯）；认定累犯、前科应有在案的前罪判决书、释放证明等材料",
    reads_fields=("circumstances", "prior_convictions", "documents.evidence"),
    severity="medium",
)
def prior_record_evidence(ctx: ReviewContext) -> Iterator[Finding]:
    if not ctx.is_dossier or "前科材料" in ctx.evidence:
        return
    for d in ctx.defendants:
        has_prior = "累犯" in ctx.circumstances_of(d.name) or any(
            p.person == d.name for p in ctx.case.prior_convictions
        )
        if has_prior:
            yield Finding(
                f"{ctx.masked(d.name)}有前科或被认定为累犯，但卷宗中缺少前科材料（前罪判决书、释放证明）。",
                person=ctx.masked(d.name),
            )


@rule(
    "identity_evidence",
    kind="review",
    name_zh="身份和年龄证明",
    basis="最高人民法院关于适用刑事诉讼法的解释（2021）第一百四十六条（被告人是否达到法定责任年龄，应当根据户籍证明等证据综合判断）",
    reads_fields=("persons", "documents.evidence"),
    severity="medium",
)
def identity_evidence(ctx: ReviewContext) -> Iterator[Finding]:
    if ctx.is_dossier and ctx.defendants and "户籍证明" not in ctx.evidence:
        yield Finding("卷宗中缺少户籍证明，被告人的身份和作案时年龄无法依法核实。")

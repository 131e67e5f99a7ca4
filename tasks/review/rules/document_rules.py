"""文书规则: is each document right? The elements an 起诉书 and a 量刑建议书 must carry,
one person's identity the same in every document, dates in legal order."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from tasks.nlp.evidence import elements_table
from tasks.review.context import ReviewContext
from tasks.review.registry import Finding, rule


def _missing_elements(ctx: ReviewContext, doc_type: str) -> Iterator[Finding]:
    table = elements_table().get(doc_type, {})
    for i, doc in enumerate(ctx.documents(doc_type), start=1):
        where = doc_type if len(ctx.documents(doc_type)) == 1 else f"第{i}份{doc_type}"
        for name, spec in table.items():
            needed = spec.get("when_circumstance")
            if needed and needed not in {c.kind for c in ctx.case.circumstances}:
                continue
            if name not in doc.elements:
                yield Finding(f"{where}缺少“{name}”（{spec['basis']}）。")


@rule(
    "indictment_elements",
    kind="document",
    name_zh="起诉书必备内容",
    basis="人民检察院刑事诉讼规则（2019）第三百五十八条",
    reads_fields=("documents.elements", "circumstances"),
    reads_documents=("起诉书",),
    severity="high",
)
def indictment_elements(ctx: ReviewContext) -> Iterator[Finding]:
    yield from _missing_elements(ctx, "起诉书")


@rule(
    "sentencing_suggestion_elements",
    kind="document",
    name_zh="量刑建议书必备内容",
    basis="人民检察院刑事诉讼规则（2019）第三百六十四条",
    reads_fields=("documents.elements",),
    reads_documents=("量刑建议书",),
    severity="medium",
)
def sentencing_suggestion_elements(ctx: ReviewContext) -> Iterator[Finding]:
    yield from _missing_elements(ctx, "量刑建议书")


@rule(
    "identity_consistent",
    kind="document",
    name_zh="同一人员身份信息一致",
    basis="人民检察院刑事诉讼规则（2019）第三百五十八条（被告人的姓名、出生年月日、公民身份号码）；"
    "卷宗各文书对同一人员的记载应当一致",
    reads_fields=("documents.persons",),
    reads_documents=("*",),
    severity="high",
)
def identity_consistent(ctx: ReviewContext) -> Iterator[Finding]:
    by_name: dict[str, list[tuple[str, object]]] = {}
    by_id: dict[str, set[str]] = {}
    for doc in ctx.card.documents:
        for p in doc.persons:
            by_name.setdefault(p.name, []).append((doc.title or doc.type, p))
            if p.id_number_sha256:
                by_id.setdefault(p.id_number_sha256, set()).add(p.name)
    for name, mentions in by_name.items():
        who = ctx.masked(name)
        births = {p.birth_date for _, p in mentions if p.birth_date}  # type: ignore[attr-defined]
        if len(births) > 1:
            where = "；".join(
                f"{title}：{p.birth_date}" for title, p in mentions if p.birth_date  # type: ignore[attr-defined]
            )
            yield Finding(f"{who}的出生日期在不同文书中不一致（{where}）。", person=who)
        ids = {p.id_number_sha256 for _, p in mentions if p.id_number_sha256}  # type: ignore[attr-defined]
        if len(ids) > 1:
            shown = sorted({p.id_number_masked for _, p in mentions if p.id_number_masked})  # type: ignore[attr-defined]
            yield Finding(
                f"{who}的公民身份号码在不同文书中不一致（{'、'.join(shown)}）。", person=who
            )
    for names in by_id.values():
        if len(names) > 1:
            masked = "、".join(sorted(ctx.masked(n) or "" for n in names))
            yield Finding(f"同一公民身份号码在不同文书中对应不同姓名（{masked}）。")


# Document order a case goes through (刑事诉讼法: 受案/立案 → 侦查 → 移送审查起诉 → 起诉 → 判决).
_ORDER = ("受案登记表", "立案决定书", "起诉意见书", "起诉书", "判决书")
# 刑事诉讼法第九十一条: 3 (up to 30) days to request, 7 to approve from the request's
# receipt, counted from the day after (第一百零五条), the arrest executed on approval: 37
# days and a day or two of delivery and execution. Real judgments print 38 and 39 days
# (approved on day 38, executed the day after); only beyond 40 is it a question.
_ARREST_DAYS = 40


@rule(
    "dates_in_legal_order",
    kind="document",
    name_zh="诉讼文书日期顺序",
    basis="刑事诉讼法第九十一条、第一百零九条至第一百一十二条、第一百六十二条、第一百七十六条",
    reads_fields=("offence_date", "coercive_measures", "judgment_date", "documents.date"),
    reads_documents=_ORDER,
    severity="medium",
)
def dates_in_legal_order(ctx: ReviewContext) -> Iterator[Finding]:
    firsts = [(t, ctx.first_date(t)) for t in _ORDER]
    if ctx.case.judgment_date:
        firsts[-1] = ("判决书", ctx.case.judgment_date)
    known = [(t, d) for t, d in firsts if d]
    for (t1, d1), (t2, d2) in itertools.pairwise(known):
        if d1 > d2:  # type: ignore[operator]
            yield Finding(f"{t1}（{d1}）晚于{t2}（{d2}），文书日期顺序不合法。")
    offence = ctx.case.offence_date
    report = ctx.first_date("受案登记表")
    if offence and report and offence > report:
        yield Finding(f"犯罪日期（{offence}）晚于受案日期（{report}）。")
    for d in ctx.defendants:
        who = ctx.masked(d.name)
        detained = ctx.measures(d.name, "刑事拘留")
        arrested = ctx.measures(d.name, "逮捕")
        if offence and detained and detained[0] < offence and ctx.is_dossier:
            yield Finding(f"{who}刑事拘留（{detained[0]}）早于犯罪日期（{offence}）。", person=who)
        others = [m for m in ctx.case.coercive_measures if m.person == d.name
                  and m.kind in ("取保候审", "监视居住", "释放", "变更")]
        if detained and arrested and not others:
            gap = (arrested[0] - detained[0]).days
            if gap > _ARREST_DAYS:
                yield Finding(
                    f"{who}刑事拘留（{detained[0]}）至逮捕（{arrested[0]}）相隔{gap}日，超过刑事诉讼法"
                    "第九十一条规定的提请批准逮捕和审查批准的最长期限，且期间未见变更强制措施。",
                    person=who,
                )



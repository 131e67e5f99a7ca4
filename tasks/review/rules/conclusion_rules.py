"""结论规则: does the conclusion follow from the facts? Amounts and quantities against
the tier, blood alcohol for 醉驾, injury grade against the penalty, age at the offence,
limitation periods, recidivism. Each rule stays silent when the card lacks what it needs:
a conclusion rule that guesses raises false alarms on correct cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from tasks.law.statutory_ranges import SEVERITY, Tier, limitation_years, max_months_of
from tasks.review.context import ReviewContext, age_on
from tasks.review.registry import Finding, rule

_TIER_ORDER = ("数额较大", "数额巨大", "数额特别巨大")


def _yuan(value: float) -> str:
    return f"{value:,.0f}元" if value == int(value) else f"{value:,.2f}元"


def _amount(ctx: ReviewContext) -> float | None:
    case = ctx.case
    if case.amount_total_yuan is not None:
        return case.amount_total_yuan
    amounts = [c.amount_yuan for c in case.counts]
    if amounts and all(a is not None for a in amounts):
        return float(sum(amounts))  # type: ignore[arg-type]
    return None


@rule(
    "amount_below_tier",
    kind="conclusion",
    name_zh="数额与认定的数额档次不符",
    basis="两高《关于办理盗窃刑事案件适用法律若干问题的解释》第一、二、六条；两高《关于办理诈骗刑事案件具体应用法律若干问题的解释》第一条",
    reads_fields=("charges", "amount_total_yuan", "counts", "amount_tiers_stated", "offence_forms"),
    severity="high",
)
def amount_below_tier(ctx: ReviewContext) -> Iterator[Finding]:
    amount = _amount(ctx)
    if amount is None:
        return
    for charge, spec in ctx.charges:
        table = spec.amount
        if not table:
            continue
        if any(form in ctx.case.offence_forms for form in table.get("without_amount", [])):
            continue  # 多次/入户/携带凶器盗窃、扒窃: a crime whatever the amount
        if table.get("without_amount") and len(ctx.case.counts) >= 3:
            continue  # three acts or more: 多次盗窃 (盗窃解释第三条) whatever it is called
        factor = 0.5 if table.get("half_with_circumstances") else 1.0
        floor = table["数额较大"][0] * factor
        if amount < floor:
            yield Finding(
                f"认定{charge}的数额为{_yuan(amount)}，低于“数额较大”的最低标准{_yuan(floor)}"
                f"（{table['source']}）"
                + ("，且未见多次、入户、携带凶器、扒窃等情形"
                   if table.get("without_amount") else "")
                + "，不构成犯罪或认定有误。",
                charge=charge,
            )
            continue
        stated = [t for t in _TIER_ORDER if t in ctx.case.amount_tiers_stated]
        if not stated:
            continue
        top = stated[-1]
        if top == "数额较大":
            continue
        low = table[top][0] * 0.5  # 其他严重情节 may reach the tier at half its amount
        if amount < low:
            yield Finding(
                f"认定{charge}“{top}”，但数额{_yuan(amount)}低于该档次标准的一半{_yuan(low)}"
                f"（{table['source']}），认定的数额档次与事实不符。",
                charge=charge,
            )


@rule(
    "alcohol_below_drunk",
    kind="conclusion",
    name_zh="血液酒精含量未达醉酒标准",
    basis="两高一部《关于办理醉酒危险驾驶刑事案件的意见》（2023）第四条：血液酒精含量达到80毫克/100毫升以上的，属于醉酒驾驶机动车",
    reads_fields=("charges", "alcohol", "offence_forms"),
    severity="high",
)
def alcohol_below_drunk(ctx: ReviewContext) -> Iterator[Finding]:
    for charge, spec in ctx.charges:
        if not spec.alcohol:
            continue
        other_forms = {"追逐竞驶"} & set(ctx.case.offence_forms)
        if other_forms and "醉酒驾驶" not in ctx.case.offence_forms:
            continue  # charged for another form of 危险驾驶
        blood = [a for a in ctx.case.alcohol if a.method == "血液"]
        if not blood:
            continue
        limit = spec.alcohol["drunk_mg_per_100ml"]
        top = max(blood, key=lambda a: a.mg_per_100ml)
        if top.mg_per_100ml < limit:
            yield Finding(
                f"以醉酒驾驶认定{charge}，但血液酒精含量为{top.mg_per_100ml:g}mg/100ml，"
                f"低于醉酒标准{limit}mg/100ml。",
                person=ctx.masked(top.person), charge=charge,
            )


_GRADE_ORDER = ("轻微伤", "轻伤二级", "轻伤", "轻伤一级", "重伤二级", "重伤", "重伤一级", "死亡")


def _tier_for_months(tiers: list[Tier], penalty: str | None, months: int | None) -> int | None:
    """The lowest tier whose range holds a sentence; None when none can say."""
    if penalty is None:
        return None
    for i, tier in enumerate(tiers):
        if SEVERITY.get(penalty, 0) > SEVERITY[tier.max_penalty]:
            continue
        fixed_term = penalty == "有期徒刑" and tier.max_penalty == "有期徒刑"
        if fixed_term and months is not None and months > (tier.max_months or 0):
            continue
        return i
    return len(tiers)  # above every tier


@rule(
    "injury_grade_tier",
    kind="conclusion",
    name_zh="伤情等级与刑罚幅度不符",
    basis="刑法第二百三十四条；《人体损伤程度鉴定标准》（2014）",
    reads_fields=("charges", "injuries", "sentences"),
    severity="high",
)
def injury_grade_tier(ctx: ReviewContext) -> Iterator[Finding]:
    for charge, spec in ctx.charges:
        table = spec.injury.get("grade_tier") if spec.injury else None
        if not table or not ctx.case.injuries:
            continue
        worst = max(ctx.case.injuries, key=lambda i: _GRADE_ORDER.index(i.grade))
        supported = table.get(worst.grade)
        if supported is None:
            yield Finding(
                f"以{charge}认定，但伤情鉴定为{worst.grade}，故意伤害致人轻伤以上方构成犯罪。",
                charge=charge,
            )
            continue
        tiers = spec.tiers
        for s in ctx.case.sentences:
            if charge not in s.charges and len(ctx.charges) > 1:
                continue
            tier = _tier_for_months(tiers, s.penalty, s.months)
            if tier is not None and tier > supported:
                top = tiers[supported]
                yield Finding(
                    f"伤情为{worst.grade}，对应法定刑“{top.text}”，但判处{s.penalty}"
                    f"{s.months or ''}{'个月' if s.months else ''}，超出该幅度。",
                    person=ctx.masked(s.person), charge=charge,
                )


_STRONG_DRUGS = {"海洛因", "甲基苯丙胺"}


@rule(
    "drug_quantity_tier",
    kind="conclusion",
    name_zh="毒品数量与认定不符",
    basis="刑法第三百四十七条第二至四款、第三百四十八条",
    reads_fields=("charges", "drugs", "sentences"),
    severity="high",
)
def drug_quantity_tier(ctx: ReviewContext) -> Iterator[Finding]:
    drugs = ctx.case.drugs
    if not drugs or any(d.drug not in _STRONG_DRUGS for d in drugs):
        return  # other drugs are counted by equivalents the table does not hold
    total = sum(d.grams for d in drugs)  # every mention added: never below the real total
    for charge, spec in ctx.charges:
        q = spec.quantity
        if not q:
            continue
        crime_from = q.get("crime_from_grams")
        if crime_from and total < crime_from:
            yield Finding(
                f"以{charge}认定，但查获海洛因、甲基苯丙胺合计不足{crime_from}克（{total:g}克），"
                f"未达到入罪数量（{q['source']}）。",
                charge=charge,
            )
            continue
        starts = {int(k): v for k, v in q.get("tiers_grams", {}).items()}
        tiers = spec.tiers
        # the highest tier the quantity reaches by weight alone; tiers without a weight
        # (情节严重) sit between and cap at their own maximum
        reached = max((i for i, g in starts.items() if total >= g), default=0)
        cap = max((i for i in range(len(tiers)) if i not in starts or i <= reached), default=0)
        for s in ctx.case.sentences:
            tier = _tier_for_months(tiers, s.penalty, s.months)
            if tier is not None and tier > cap:
                yield Finding(
                    f"毒品数量{total:g}克对应的最高法定刑为“{tiers[cap].text}”，但判处{s.penalty}"
                    f"{s.months or ''}{'个月' if s.months else ''}，超出数量对应的幅度。",
                    person=ctx.masked(s.person), charge=charge,
                )


# 刑法第十七条: at 14–16 only these acts are punished.
_FOURTEEN = ("故意杀人罪", "故意伤害罪", "强奸罪", "抢劫罪", "走私、贩卖、运输、制造毒品罪",
             "放火罪", "爆炸罪", "投放危险物质罪")


@rule(
    "age_at_offence",
    kind="conclusion",
    name_zh="作案时年龄与刑事责任",
    basis="刑法第十七条",
    reads_fields=("persons.birth_date", "offence_date", "charges"),
    severity="high",
)
def age_at_offence(ctx: ReviewContext) -> Iterator[Finding]:
    # the last date of the facts: under age then is under age at every act, and a
    # background date in the account (a contract signed years before) cannot make one
    day = ctx.case.offence_last_date or ctx.case.offence_date
    if day is None:
        return
    for d in ctx.defendants:
        if d.birth_date is None or d.birth_date >= day:
            continue
        age = age_on(d.birth_date, day)
        who = ctx.masked(d.name)
        charges = [c for c, _ in ctx.charges] or list(ctx.case.charges)
        if age < 12:
            yield Finding(
                f"{who}作案时（{day}）未满十二周岁（{age}岁），不负刑事责任。", person=who
            )
        elif age < 14 and any(c not in ("故意杀人罪", "故意伤害罪") for c in charges):
            yield Finding(
                f"{who}作案时（{day}）已满十二周岁不满十四周岁（{age}岁），仅对故意杀人、故意伤害致人"
                "死亡或以特别残忍手段致人重伤造成严重残疾、经最高人民检察院核准追诉的负刑事责任。",
                person=who,
            )
        elif age < 16 and any(c not in _FOURTEEN for c in charges):
            yield Finding(
                f"{who}作案时（{day}）已满十四周岁不满十六周岁（{age}岁），对"
                f"{'、'.join(c for c in charges if c not in _FOURTEEN)}"
                "不负刑事责任（刑法第十七条第二款）。",
                person=who,
            )


def _charged_tier(ctx: ReviewContext, tiers: list[Tier]) -> Tier:
    """The tier the case sits in: by the sentence when there is one, else by the amount
    tier the documents state, else the highest (the longest limitation: no false alarm)."""
    for s in ctx.case.sentences:
        tier = _tier_for_months(tiers, s.penalty, s.months)
        if tier is not None and tier < len(tiers):
            return tiers[tier]
    stated = [t for t in _TIER_ORDER if t in ctx.case.amount_tiers_stated]
    if stated and len(tiers) == 3:
        return tiers[_TIER_ORDER.index(stated[-1])]
    return max(tiers, key=lambda t: (SEVERITY[t.max_penalty], t.max_months or 0))


@rule(
    "limitation_period",
    kind="conclusion",
    name_zh="追诉时效",
    basis="刑法第八十七条至第八十九条",
    reads_fields=("offence_date", "offence_last_date", "charges", "sentences", "coercive_measures",
                  "documents.date"),
    severity="high",
)
def limitation_period(ctx: ReviewContext) -> Iterator[Finding]:
    ended = ctx.case.offence_last_date or ctx.case.offence_date
    start = ctx.procedure_start
    if ended is None or start is None:
        return
    for charge, spec in ctx.charges:
        tiers = spec.tiers
        if not tiers:
            continue
        tier = _charged_tier(ctx, tiers)
        years = limitation_years(tier)
        try:
            expires = ended.replace(year=ended.year + years)
        except ValueError:  # 29 February
            expires = ended.replace(year=ended.year + years, day=28)
        if start > expires:
            top = max_months_of(tier)
            yield Finding(
                f"{charge}最后犯罪行为日期为{ended}，法定最高刑"
                f"{'为' + str(top // 12) + '年有期徒刑' if top else '为无期徒刑或死刑'}，追诉期限"
                f"{years}年至{expires}届满，立案（受案）于{start}，已过追诉时效。",
                charge=charge,
            )


_NEGLIGENT = ("交通肇事罪", "过失致人死亡罪", "过失致人重伤罪", "失火罪", "玩忽职守罪",
              "重大责任事故罪")
_FIVE_YEARS = 5


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@rule(
    "recidivism",
    kind="conclusion",
    name_zh="累犯认定",
    basis="刑法第六十五条",
    reads_fields=("prior_convictions", "circumstances", "offence_date", "persons.birth_date"),
    severity="medium",
)
def recidivism(ctx: ReviewContext) -> Iterator[Finding]:
    first = ctx.case.offence_date
    last = ctx.case.offence_last_date or first
    if first is None or last is None:
        return
    negligent_now = any(c in _NEGLIGENT for c, _ in ctx.charges) or any(
        c in _NEGLIGENT for c in ctx.case.charges
    )
    for d in ctx.defendants:
        who = ctx.masked(d.name)
        priors = [p for p in ctx.case.prior_convictions if p.person == d.name]
        found = "累犯" in {c.kind for c in ctx.case.circumstances if c.person == d.name}
        qualifying = [
            p for p in priors
            if p.penalty in ("有期徒刑", "无期徒刑", "死刑") and not p.probation
            and p.release_date is not None and p.release_date <= last
            and not any(c in _NEGLIGENT for c in p.charges)
            and not (d.birth_date and p.date and age_on(d.birth_date, p.date) < 18)
        ]

        def within_five(day: dt.date, priors=qualifying) -> list:
            return [p for p in priors
                    if p.release_date <= day <= _plus_years(p.release_date, _FIVE_YEARS)]

        # found: does any act fall within five years (the last one, the kindest reading)?
        # not found: does even the first act (the strictest reading) fall within them?
        within = within_five(last)
        adult = d.birth_date is not None and age_on(d.birth_date, first) >= 18
        sentenced = [s for s in ctx.case.sentences if s.person == d.name]
        if sentenced and all(s.penalty not in ("有期徒刑", "无期徒刑", "死刑") for s in sentenced):
            continue  # 累犯 needs a new crime punished by 有期徒刑 or more
        if found and priors and all(p.release_date for p in priors) and not within:
            yield Finding(
                f"{who}被认定为累犯，但在案前罪均无刑满释放后五年内再犯有期徒刑以上之罪的情形"
                "（或前罪为缓刑、非有期徒刑以上刑罚）。",
                person=who,
            )
        elif not found and within_five(first) and adult and not negligent_now:
            p = within_five(first)[-1]
            yield Finding(
                f"{who}前罪被判处{p.penalty}，于{p.release_date}刑满释放，本次犯罪（{first}）在五年以内，"
                "可能构成累犯，但未予认定。",
                person=who,
            )

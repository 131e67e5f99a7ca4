"""Sentencing suggestion (量刑建议) per defendant, step by step, blended with similar cases.

The steps of the 两高《关于常见犯罪的量刑指导意见》 (edition in ``data/guideline.yaml``):

1. **量刑起点** — the charge's tier (by its measure against the interpretation's
   thresholds: amount, heroin-equivalent grams, blood alcohol, injury grade, read by
   :mod:`tasks.sentencing.quantity`; or by the facts' words: 逃逸, 情节严重 …) gives the
   starting-point range;
2. **基准刑** — the base rises with the measure, linearly (the guideline adds a quantum of
   punishment per unit: 增加刑罚量), from the middle of the starting range at the tier's
   threshold to the tier's statutory maximum or the next tier's start, whichever is lower,
   where the next tier begins; a measure the facts do not state counts as the tier's
   geometric middle (a tier the documents name, 数额巨大, places a case whose amount was not
   read); a guideline charge measured by nothing (强奸, 寻衅滋事) starts at the middle of its
   starting range;
3. **调节** — circumstances: 未遂 and 从犯 multiply first; the others add up (自首 −≤40%,
   坦白 −≤20%, 认罪认罚 −≤30%, 退赃退赔 −≤30%, 谅解 −≤40%, 累犯 +10–40%, 前科 +≤10% from
   the card's prior convictions); the range
   takes each circumstance's extremes, the point its typical value;
4. **法定刑** — the result is kept inside the tier's statutory range; below its minimum
   only with a circumstance that allows 减轻处罚 (未遂, 从犯, 自首), down to the next tier's;
5. **数罪并罚** (art. 69) — several charges: the heaviest plus half of the others,
   at most 20 years;
6. **类案校准** — the 20 most similar library cases whose defendants were sentenced for
   the same charges tell how their courts sentenced *relative to these steps*: for each,
   r = ln((actual + 1) / (steps 1–5 for that case + 1)), computed from its own card and
   facts with its sentence unread (:func:`guideline_points`). With R the median of r,
   point = (steps + 1)·e^((1−w)·R) − 1, a geometric blend of the steps and the steps as
   those courts would have applied them (w = ½ for a charge of the guideline, ¼ for one it
   lacks); the range is widened by the quartiles of r and of the neighbours' terms. A
   level the steps get wrong for a kind of case (a province's practice, a circumstance
   the card misses) is corrected; the steps still carry the case's own amount. Without a
   rule, or without three comparable neighbours with steps, the neighbours' median term
   is blended as w·steps + (1−w)·median (neighbours alone when there is no rule).
   ``dossier library evaluate`` measures the blend against w = 1 (steps alone) and w = 0.

Penalty: 拘役 when the point is at most six months and the tier allows it (危险驾驶: always);
probation (缓刑) is open when the point is at most three years and no 累犯 (arts. 72, 74).
Fine: the guideline's rule where it has one (盗窃: 1000 yuan to twice the amount), averaged
with the median fine of the neighbours sentenced to about the same term, else that median,
else none suggested; written to one significant figure, as courts fine in round sums.

Explanations carry masked names only.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from dossier.privacy import mask_name
from schemas.case_card import Case as CardCase
from tasks.nlp.lexicon import canonical_charge
from tasks.sentencing.guideline import ChargeRule, CircumstanceRule, Tier, guideline
from tasks.sentencing.quantity import UNIT_LABELS, quantity, stated

MAX_COMBINED_MONTHS = 240  # art. 69: 数罪并罚 up to 20 years (total under 35)
MIN_NEIGHBOURS = 3
FITTED = Path(__file__).resolve().parent / "data" / "fitted.yaml"
DEFENDANT_ROLES = ("被告人", "犯罪嫌疑人")
# the three amount tiers of the property crimes' articles (刑法第二百六十四条、第二百六十六条 …),
# in the order of a three-tier ``yuan`` rule's tiers
AMOUNT_TIERS = ("数额较大", "数额巨大", "数额特别巨大")
# an amount or quantity the facts do not state is taken as the (geometric) middle of its tier
UNKNOWN_POSITION = 0.5


@dataclass(frozen=True)
class Params:
    """What is fitted rather than read in the law (``data/fitted.yaml``): the blend's weight
    of the guideline's steps against the similar cases (for charges of the guideline and
    for the others), how many similar cases inform it, and the fine's share of the amount
    and the weight of the guideline's fine against the similar cases' fines.
    ``dossier library evaluate`` fits them on training folds and scores held-out ones."""

    weight_guideline: float = 0.5
    weight_other: float = 0.25
    neighbours: int = 20
    # the calibration R of step 6 is shrunk by n / (n + shrink) for n comparable neighbours
    # (few neighbours: closer to the steps); 0 = not shrunk
    shrink: float = 0.0
    # R and its quartiles as the median of the neighbours' ratios weighted by similarity
    weighted: bool = False
    fine_share: float = 0.2
    fine_weight: float = 0.5


@lru_cache(maxsize=1)
def fitted_params() -> Params:
    raw = yaml.safe_load(FITTED.read_text(encoding="utf-8"))
    return Params(**raw["params"])


@dataclass
class Neighbour:
    """One similar case's sentence for a charge: its term in months and its fine."""

    months: int | None
    fine_yuan: float | None
    probation: bool = False
    # what steps 1–5 give for that case's defendant (its facts and card, its sentence
    # unread): the blend compares the court's sentence with it
    guideline_months: float | None = None
    similarity: float = 1.0  # the similar-case score of that case


@dataclass
class Suggestion:
    person: str  # masked
    penalty: str | None
    months_low: int | None
    months_high: int | None
    months: int | None
    fine_yuan: float | None
    probation_open: bool
    explanation: str
    charges: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = asdict(self)
        return {k: out[k] for k in ("person", "penalty", "months_low", "months_high", "months",
                                    "fine_yuan", "probation_open", "explanation")}


@dataclass
class ChargeResult:
    charge: str
    low: float
    high: float
    point: float
    detention_open: bool
    fine_rule: str | None
    fine_low: float | None  # the guideline's fine limits (yuan), where it has a rule
    fine_high: float | None
    amount: float | None  # the measure the tier was chosen by (yuan, grams …)
    has_fine: bool
    steps: list[str]
    ceiling: float = 180.0  # the tier's statutory maximum
    base: float = 0.0  # step 2's point (基准刑), before the circumstances
    tier: int = 0


def _months(value: float) -> str:
    m = round(value)
    years, rest = divmod(m, 12)
    if years and rest:
        return f"{m}个月（{years}年{rest}个月）"
    if years:
        return f"{m}个月（{years}年）"
    return f"{m}个月"


def choose_tier(
    rule: ChargeRule, amount: float | None, text: str | None, person: str | None = None,
    defendants: Sequence[str] = (),
) -> tuple[int, str]:
    """The most severe tier whose condition holds: its threshold reached, or its words in
    the facts (the person's act, where there are several defendants; with the measure the
    tier's ``when_from`` asks, where the measure is known); a tier with neither is the
    base tier."""
    chosen, why = 0, "基本犯罪构成"
    unit = UNIT_LABELS.get(rule.unit or "", "")
    for i, tier in enumerate(rule.tiers):
        words_count = tier.when_from is None or amount is None or amount >= tier.when_from
        hit = next((w for w in tier.when
                    if words_count and text and stated(text, w, person, defendants)), None)
        if hit:
            chosen, why = i, f"事实中有“{hit}”"
        elif tier.threshold is not None and amount is not None and amount >= tier.threshold:
            chosen, why = i, f"数额/数量 {amount:g}{unit} ≥ 该档起点 {tier.threshold:g}{unit}"
    return chosen, why


def _unknown_position(rule: ChargeRule, index: int) -> float:
    """Where a case whose measure the facts do not state is taken to sit in its tier: the
    geometric middle of the tier (amounts and quantities spread over orders of magnitude —
    a theft tier of 30,000–300,000 yuan has as many cases under 95,000 as over), on the
    linear scale of :func:`_position`; the middle for a tier without a positive threshold."""
    tier = rule.tiers[index]
    if not tier.threshold or tier.threshold <= 0:
        return UNKNOWN_POSITION
    nxt = next((t.threshold for t in rule.tiers[index + 1:] if t.threshold), None)
    top = nxt if nxt else (tier.to if tier.to else tier.threshold * 10)
    ratio = top / tier.threshold
    if ratio <= 1:
        return UNKNOWN_POSITION
    return (math.sqrt(ratio) - 1) / (ratio - 1)


def _position(rule: ChargeRule, index: int, amount: float | None) -> float | None:
    """Where ``amount`` sits in its tier, 0 at the tier's threshold and 1 where the next
    tier starts (``None`` when unknown), on a linear scale: the guideline adds to the
    starting point per unit of amount or quantity (在量刑起点的基础上，根据…数额、数量
    增加刑罚量), so a sentence grows with the amount, not with its logarithm. The top tier
    is measured up to its ``to`` (else ten times its threshold)."""
    tier = rule.tiers[index]
    if amount is None or tier.threshold is None or amount < 0:
        return None
    nxt = next((t.threshold for t in rule.tiers[index + 1:] if t.threshold), None)
    top = nxt if nxt else (tier.to if tier.to else max(tier.threshold, 1.0) * 10)
    return max(0.0, min(1.0, (amount - tier.threshold) / max(top - tier.threshold, 1e-9)))


def _adjust(
    base_low: float, base_point: float, base_high: float, kinds: Sequence[str],
    rules: dict[str, CircumstanceRule], steps: list[str],
) -> tuple[float, float, float]:
    first = [rules[k] for k in kinds if k in rules and rules[k].first]
    rest = [rules[k] for k in kinds if k in rules and not rules[k].first]
    low, point, high = base_low, base_point, base_high
    for r in first:
        lo_cut, hi_cut = r.reduce or (0.0, 0.0)
        low, point, high = low * (1 - hi_cut), point * (1 - r.typical), high * (1 - lo_cut)
        steps.append(f"  {r.kind}：先行调节，减少基准刑{lo_cut:.0%}–{hi_cut:.0%}"
                     f"（取{r.typical:.0%}）（{r.basis.split(' ')[0]}）")
    add_low = add_point = add_high = 0.0
    for r in rest:
        if r.reduce:
            add_low -= r.reduce[1]
            add_point -= r.typical
            add_high -= r.reduce[0]
            steps.append(f"  {r.kind}：减少基准刑{r.reduce[0]:.0%}–{r.reduce[1]:.0%}"
                         f"（取{r.typical:.0%}）（{r.basis.split(' ')[0]}）")
        if r.increase:
            add_low += r.increase[0]
            add_point += r.typical
            add_high += r.increase[1]
            steps.append(f"  {r.kind}：增加基准刑{r.increase[0]:.0%}–{r.increase[1]:.0%}"
                         f"（取{r.typical:.0%}）（{r.basis.split(' ')[0]}）")
    # 认罪认罚 is not counted twice with 自首/坦白: the reductions together stop at 60%
    add_low, add_point = max(add_low, -0.6), max(add_point, -0.6)
    low, point, high = low * (1 + add_low), point * (1 + add_point), high * (1 + add_high)
    if first or rest:
        steps.append(f"  调节后：{_months(point)}（幅度 {_months(low)}–{_months(high)}）")
    return low, point, high


def charge_result(
    charge: str, case: CardCase, person: str | None, text: str | None,
    finding: str | None = None, kinds: Sequence[str] | None = None,
) -> ChargeResult | None:
    """Steps 1–4 for one charge of one defendant; ``None`` when no rule covers it.
    ``text`` is the facts (quantities and tier words), ``finding`` the reasoning's finding
    (:func:`tasks.library.texts.finding_span`: tier words only; its quantities repeat the
    facts')."""
    g = guideline()
    rule = g.charges.get(charge)
    if rule is None:
        return None
    steps: list[str] = []
    amount = quantity(rule.unit, case, text)
    words = "\n".join(t for t in (text, finding) if t) or None
    index, why = choose_tier(rule, amount, words, person, defendants(case))
    if amount is None and rule.unit == "yuan" and len(rule.tiers) == len(AMOUNT_TIERS):
        # no amount read, but the documents name the tier (…秘密窃取公司财物，数额巨大)
        named = [AMOUNT_TIERS.index(t) for t in case.amount_tiers_stated if t in AMOUNT_TIERS]
        if named and max(named) > index:
            index = max(named)
            why = f"文书认定“{AMOUNT_TIERS[index]}”（数额未能读出）"
    tier: Tier = rule.tiers[index]
    st = tier.statute
    source = f"《量刑指导意见》{g.edition}" if tier.start_from_guideline else \
        "指导意见未列此罪：取法定刑幅度下四分之一（本系统规则）"
    steps.append(f"【{charge}】刑法第{st.article}条{'之' + str(st.sub) if st.sub else ''}"
                 f"第{st.paragraph}款，法定刑 {_months(st.min_months)}–{_months(st.max_months)}"
                 f"{'（最重' + st.heaviest + '）' if st.heaviest in ('无期徒刑', '死刑') else ''}；"
                 f"适用此档：{why}")
    steps.append(f"1. 量刑起点：{_months(tier.start[0])}–{_months(tier.start[1])}（{source}）")
    f = _position(rule, index, amount)
    # the base rises from the middle of the starting range to the tier's statutory
    # maximum, or to where the next tier starts if lower (a case just under the next
    # threshold is sentenced next to one just over it); the top tier rises by a quarter of
    # its room above the start unless its ``to`` says where it reaches the maximum
    nxt = next((t for t in rule.tiers[index + 1:] if t.threshold is not None), None)
    middle = (tier.start[0] + tier.start[1]) / 2
    if nxt is not None:
        cap = max(min(nxt.start[0], st.max_months), tier.start[1])
    elif tier.to:
        cap = float(st.max_months)
    else:
        cap = tier.start[1] + max(0.0, st.max_months - tier.start[1]) / 4
    # a measure the facts do not state counts as mid-tier; a charge the guideline measures by
    # none (its tiers turn on the facts' words) starts where the guideline puts a typical
    # case, the middle of its starting range (a derived start, the statute's lower quarter,
    # still rises as an unknown measure would)
    # an aggravated tier entered by words (情节严重 …) has no measure to place a case in it:
    # it starts where the guideline puts that aggravation, the middle of its starting range
    # (the words are the aggravation; a higher place would count them twice)
    unknown = (0.0 if index > 0 and tier.threshold is None
               else _unknown_position(rule, index) if rule.unit
               else UNKNOWN_POSITION if not tier.start_from_guideline else 0.0)
    rise = (cap - middle) * (f if f is not None else unknown)
    base_low, base, base_high = tier.start[0] + rise, middle + rise, tier.start[1] + rise
    steps.append(f"2. 基准刑：{_months(base)}（幅度 {_months(base_low)}–{_months(base_high)}；"
                 + (f"数额/数量在本档中的位置 {f:.2f}）" if f is not None
                    else "数额/数量未载明，取本档中值）" if unknown
                    else "取起点中值）"))
    kinds = list(kinds) if kinds is not None else circumstance_kinds(case, person)
    if kinds:
        steps.append("3. 量刑情节调节：")
    else:
        steps.append("3. 量刑情节：案件信息卡未载明（不调节）")
    low, point, high = _adjust(base_low, base, base_high, kinds, g.circumstances, steps)
    mitigating = [k for k in kinds if k in g.circumstances
                  and g.circumstances[k].mitigate_below_range]
    floor = float(st.min_months)
    if mitigating:
        lower = [t.statute.min_months for t in rule.tiers if t.statute.min_months < st.min_months]
        floor = float(max(lower)) if lower else 1.0
        floor = max(1.0, floor)
    ceiling = float(st.max_months)
    clamped = [min(max(v, floor), ceiling) for v in (low, point, high)]
    if clamped != [low, point, high]:
        steps.append(f"4. 法定刑限制：{_months(floor)}–{_months(ceiling)}"
                     + (f"（{'、'.join(mitigating)}可减轻处罚）" if mitigating else ""))
    low, point, high = clamped
    fine_rule, fine_low, fine_high = None, None, None
    if rule.fine and st.fined:
        fine_low = float(rule.fine["min_yuan"])
        fine_high = (amount * rule.fine["times_amount"] if amount
                     else float(rule.fine["no_amount_max_yuan"]))
        fine_rule = rule.fine["basis"].split(" ", 1)[-1]
    return ChargeResult(charge=charge, low=low, high=high, point=point,
                        detention_open=st.detention_open, fine_rule=fine_rule,
                        fine_low=fine_low, fine_high=fine_high, amount=amount,
                        has_fine=st.fined, steps=steps, ceiling=ceiling, base=base,
                        tier=index)


def _combine(results: list[ChargeResult], steps: list[str]) -> tuple[float, float, float]:
    if len(results) == 1:
        r = results[0]
        return r.low, r.point, r.high
    ordered = sorted(results, key=lambda r: -r.point)
    point = ordered[0].point + 0.5 * sum(r.point for r in ordered[1:])
    low = max(r.low for r in results)
    high = min(sum(r.high for r in results), MAX_COMBINED_MONTHS)
    point = min(point, MAX_COMBINED_MONTHS)
    steps.append(f"5. 数罪并罚（刑法第六十九条）：最重之罪加其余之半 → {_months(point)}"
                 f"（幅度 {_months(low)}–{_months(high)}）")
    return low, point, high


def _weighted_quartiles(values: list[float], weights: list[float]
                        ) -> tuple[float, float, float]:
    """The 25th, 50th and 75th weighted percentiles (the lower value at a tie)."""
    pairs = sorted(zip(values, weights, strict=True))
    total = sum(w for _, w in pairs)

    def at(share: float) -> float:
        run = 0.0
        for v, w in pairs:
            run += w
            if run >= share * total - 1e-12:
                return v
        return pairs[-1][0]

    return at(0.25), at(0.5), at(0.75)


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], statistics.median(values), q[2]


@dataclass
class GuidelineSteps:
    """Steps 1–5 for one defendant (no similar cases): what the blend starts from."""

    charges: list[str]
    results: list[ChargeResult]
    guide: tuple[float, float, float] | None  # low, point, high in months
    lines: list[str]
    kinds: set[str]


def guideline_steps(case: CardCase, person: str | None, text: str | None) -> GuidelineSteps:
    """Steps 1–5 of the guideline for one defendant; ``text`` is cut to its facts here."""
    charges = list(dict.fromkeys(case.charges))
    kinds = circumstance_kinds(case, person, text)
    if text:
        # tiers and quantities are read in the facts and in the finding that opens the
        # reasoning (本院认为，被告人…开设赌场，情节严重，其行为已构成开设赌场罪): the rest of
        # the reasoning and the statute it quotes (第一百三十三条…逃逸…) would put every case
        # in the top tier
        from tasks.library.texts import facts_span, finding_span

        lo, hi = facts_span(text)
        f_lo, f_hi = finding_span(text)
        finding = text[f_lo:f_hi] if f_lo >= hi and f_hi > f_lo else None
        text = text[lo:hi]
    else:
        finding = None
    lines: list[str] = []
    results = []
    for charge in charges:
        r = charge_result(charge, case, person, text, finding, kinds)
        if r is None:
            lines.append(f"【{charge}】无量刑规则（指导意见与本系统规则均未收录）：仅参照类案")
        else:
            lines += r.steps
            results.append(r)
    guide = _combine(results, lines) if results else None
    return GuidelineSteps(charges=charges, results=results, guide=guide, lines=lines,
                          kinds=set(kinds))


def suggest_for_person(
    case: CardCase, person: str | None, text: str | None,
    neighbours: dict[str, list[Neighbour]] | None = None, weight: float | None = None,
    params: Params | None = None,
) -> Suggestion | None:
    """The suggestion for one defendant (``person`` None: the case's only, unnamed one).

    ``neighbours`` maps a catalogue charge to the similar cases' sentences for it;
    ``weight`` overrides the guideline's share in the blend, ``params`` the fitted
    parameters (evaluation)."""
    if not case.charges:
        return None
    return blend(guideline_steps(case, person, text), person, neighbours, params, weight)


def blend(
    done: GuidelineSteps, person: str | None,
    neighbours: dict[str, list[Neighbour]] | None = None, params: Params | None = None,
    weight: float | None = None,
) -> Suggestion | None:
    """Step 6 (the similar cases), the penalty, probation and the fine, from steps 1–5."""
    params = params or fitted_params()
    neighbours = neighbours or {}
    charges, results, guide = done.charges, done.results, done.guide
    if not charges:
        return None
    steps = list(done.lines)
    ruled = guideline().charges
    near = neighbours.get(charge_key(charges), [])
    terms = [float(n.months) for n in near if n.months]
    # how the courts of the similar cases sentenced relative to what these steps give
    # for those very cases: ln((actual + 1) / (steps + 1)) per neighbour
    compared = [n for n in near if n.months and n.guideline_months]
    ratios = [math.log((n.months + 1) / (n.guideline_months + 1))  # type: ignore[operator]
              for n in compared]
    if weight is None:
        weight = (params.weight_guideline
                  if all(ruled.get(c) and ruled[c].guideline for c in charges)
                  else params.weight_other)
    w = weight
    low = point = high = None
    if guide is not None:
        low, point, high = guide
    if guide is not None and len(ratios) >= MIN_NEIGHBOURS:
        r1, r, r3 = (_weighted_quartiles(ratios, [n.similarity for n in compared])
                     if params.weighted else _quartiles(ratios))
        if params.shrink:
            trust = len(ratios) / (len(ratios) + params.shrink)
            r1, r, r3 = r1 * trust, r * trust, r3 * trust
        shift = math.exp((1 - w) * r)
        steps.append(
            f"6. 类案校准：{len(ratios)}件最相似的同罪案件，实际刑期与按上述步骤对其计算之刑的"
            f"比值中位数 {math.exp(r):.2f}（四分位 {math.exp(r1):.2f}–{math.exp(r3):.2f}）；"
            f"建议刑 =（规则+1）×比值^{1 - w:.2f} − 1 → {_months((point + 1) * shift - 1)}")
        point = (point + 1) * shift - 1
        low = min((low + 1) * math.exp((1 - w) * r1) - 1, low)
        high = max((high + 1) * math.exp((1 - w) * r3) - 1, high)
        if terms:
            q1, _, q3 = _quartiles(terms)
            low, high = min(low, q1), max(high, q3)
        top = results[0].ceiling if len(results) == 1 else MAX_COMBINED_MONTHS
        high = min(high, max(top, point))
    elif len(terms) >= MIN_NEIGHBOURS:
        q1, median, q3 = _quartiles(terms)
        if guide is None:
            w = 0.0
        steps.append(f"6. 类案参照：{len(terms)}件最相似案件同罪刑期中位数 {_months(median)}"
                     f"（四分位 {_months(q1)}–{_months(q3)}）；建议刑 = {w:.2f}×规则 + "
                     f"{1 - w:.2f}×类案")
        point = median if point is None else w * point + (1 - w) * median
        low = q1 if low is None else min(low, q1)
        high = q3 if high is None else max(high, q3)
        if results:  # the blend stays inside the statutory limits of the rule
            top = results[0].ceiling if len(results) == 1 else MAX_COMBINED_MONTHS
            high = min(high, max(top, point))
    elif guide is None:
        return None
    assert low is not None and point is not None and high is not None
    point_m = max(1, round(point))
    low_m, high_m = max(1, math.floor(min(low, point))), math.ceil(max(high, point))
    detention = any(r.detention_open for r in results) if results else point_m <= 6
    if charges == ["危险驾驶罪"]:
        penalty = "拘役"
        point_m, low_m, high_m = min(point_m, 6), min(low_m, 6), min(high_m, 6)
    else:
        penalty = "拘役" if point_m <= 6 and detention else "有期徒刑"
    kinds = done.kinds
    probation = point_m <= 36 and "累犯" not in kinds
    fine, fine_lines = suggest_fine(results, near, point_m, params)
    steps += fine_lines
    name = mask_name(person) if person else "被告人"
    head = (f"被告人{name}：建议{penalty}{_months(point_m)}（幅度 {_months(low_m)}–"
            f"{_months(high_m)}）" + (f"，并处罚金{fine:g}元" if fine else "")
            + ("；可适用缓刑" if probation else "；不符合缓刑条件" if "累犯" in kinds else ""))
    return Suggestion(
        person=name, penalty=penalty, months_low=low_m, months_high=high_m, months=point_m,
        fine_yuan=fine, probation_open=probation, explanation="\n".join([head, *steps]),
        charges=charges,
    )


def suggest_fine(
    results: Sequence[ChargeResult], near: Sequence[Neighbour], months: int, params: Params,
) -> tuple[float | None, list[str]]:
    """The fine (yuan, in round sums) and its explanation: the guideline's rule where it has
    one (its share ``params.fine_share`` of the amount, inside the rule's limits), blended
    with the fines of the similar cases sentenced to about ``months``; else their median."""
    lines: list[str] = []
    fine = None
    fines = [n.fine_yuan for n in near if n.fine_yuan]
    # the similar cases' fines grow with their terms: those sentenced to about this term
    # (the nearest in ln(months + 1)) say more about this fine than all of them
    fines = nearest_fines(near, months) or fines
    rule_fines = [r for r in results if r.fine_low is not None]
    has_fine = any(r.has_fine for r in results) or bool(fines)
    if rule_fines:
        fine = 0.0
        for r in rule_fines:
            assert r.fine_low is not None and r.fine_high is not None
            share = params.fine_share * r.amount if r.amount else r.fine_low
            fine += max(r.fine_low, min(r.fine_high, share))
            lines.append(f"罚金：{r.fine_rule}，即 {r.fine_low:g}–{r.fine_high:g}元；"
                         f"取数额的{params.fine_share:.0%}（不低于下限）")
        if len(fines) >= MIN_NEIGHBOURS:
            fw = params.fine_weight
            fine = fw * fine + (1 - fw) * statistics.median(fines)
            lines.append(f"  罚金：刑期相近的{len(fines)}件类案罚金中位数 "
                         f"{statistics.median(fines):g}元，规则占{fw:.0%}")
    elif has_fine and len(fines) >= MIN_NEIGHBOURS:
        fine = statistics.median(fines)
        lines.append(f"罚金：依法并处；参照刑期相近的{len(fines)}件类案罚金中位数 {fine:g}元")
    elif has_fine:
        lines.append("罚金：依法并处，无类案可参照，数额由承办人依情节确定")
    return (round_fine(fine) if fine is not None else None), lines


def circumstance_kinds(case: CardCase, person: str | None, text: str | None = None
                       ) -> list[str]:
    """The circumstances of one defendant: the card's, 前科 where the card records an
    earlier sentence of a defendant who is not a 累犯 (指导意见 三、(十四)), and those read
    in the reasoning of ``text`` (:mod:`tasks.sentencing.circumstances`); one that the
    guideline does not count beside another found (当庭自愿认罪 beside 坦白) is left out."""
    from tasks.sentencing.circumstances import cited_circumstances, further_circumstances

    kinds = [c.kind for c in case.circumstances if c.person in (None, person)]
    names = [n for n in defendants(case) if n]
    kinds += further_circumstances(text, person, names, list(dict.fromkeys(case.charges)))
    kinds += cited_circumstances(case)
    priors = [p for p in case.prior_convictions if p.person == person or person is None]
    if priors and "累犯" not in kinds:
        kinds.append("前科")
    rules = guideline().circumstances
    kinds = list(dict.fromkeys(kinds))
    return [k for k in kinds
            if not (k in rules and set(rules[k].excludes) & set(kinds))]


def round_fine(yuan: float) -> float:
    """A fine as courts write them, to one significant figure (1500 → 2000, 16400 →
    20000, 81500 → 80000): a suggestion of 1700 yuan is no more exact than 2000."""
    if yuan <= 0:
        return 100.0
    magnitude = 10 ** math.floor(math.log10(yuan))
    return float(max(100, round(yuan / magnitude) * magnitude))


def nearest_fines(near: Sequence[Neighbour], months: float) -> list[float]:
    """The fines of the similar cases whose terms are nearest to ``months`` (on the log
    scale of the term score): those within ln 1.5 of it, or at least the ``MIN_NEIGHBOURS``
    nearest; empty when fewer neighbours have both a term and a fine."""
    fined = [(abs(math.log((n.months + 1) / (months + 1))), n.fine_yuan) for n in near
             if n.months and n.fine_yuan]
    if len(fined) < MIN_NEIGHBOURS:
        return []
    fined.sort(key=lambda d: d[0])
    close = [f for d, f in fined if d <= math.log(1.5)]
    return close if len(close) >= MIN_NEIGHBOURS else [f for _, f in fined[:MIN_NEIGHBOURS]]


def defendants(case: CardCase) -> list[str | None]:
    names = [p.name for p in case.persons if p.role in DEFENDANT_ROLES]
    return list(dict.fromkeys(names)) or [None]


def suggest_case(
    case: CardCase, text: str | None = None,
    neighbours: dict[str, list[Neighbour]] | None = None, weight: float | None = None,
    params: Params | None = None,
) -> list[Suggestion]:
    """A suggestion per defendant of ``case`` (its own sentences are not read)."""
    out = []
    for person in defendants(case):
        s = suggest_for_person(case, person, text, neighbours, weight, params)
        if s is not None:
            out.append(s)
    return out


def charge_key(charges: Sequence[str]) -> str:
    """The key of a set of catalogue charges in the neighbours' map (盗窃罪; 盗窃罪+诈骗罪)."""
    return "+".join(sorted(set(charges)))


def neighbours_from_outcomes(
    hits: Sequence, guides: dict[str, dict[str, float]] | None = None,
) -> dict[str, list[Neighbour]]:
    """Similar cases' sentences (:class:`tasks.library.similar.SimilarHit`) by the set of
    catalogue charges a defendant was sentenced for (:func:`charge_key`): a sentence
    for other charges says little about these. ``guides`` gives, by case and masked
    defendant, what the steps compute for that case (:func:`guideline_points`)."""
    out: dict[str, list[Neighbour]] = {}
    guides = guides or {}
    for hit in hits:
        points = guides.get(hit.dossier_id, {})
        for o in hit.outcomes:
            names = {canonical_charge(c) or c for c in o.charges}
            if not names or o.penalty not in ("有期徒刑", "拘役"):
                continue
            guide = points.get(o.person)
            if guide is None and len(points) == 1:
                guide = next(iter(points.values()))
            out.setdefault(charge_key(names), []).append(
                Neighbour(months=o.months, fine_yuan=o.fine_yuan,
                          probation=o.probation_months is not None, guideline_months=guide,
                          similarity=max(float(getattr(hit, "score", 1.0) or 0.0), 1e-6)))
    return out


def guideline_points(case: CardCase, text: str | None) -> dict[str, float]:
    """Steps 1–5 alone (no similar cases) for each defendant of a case: masked name →
    months. Computed for the similar cases so that their sentences can be compared with
    what the steps would have suggested for them."""
    case = case.model_copy(update={"sentences": []})
    return {s.person: float(s.months) for s in suggest_case(case, text, None, 1.0)
            if s.months is not None}

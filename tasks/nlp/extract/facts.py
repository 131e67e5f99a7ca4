"""The facts the review rules read (审查/结论规则), from one document's spans.

Offence date and place, counts with their amounts, the total the facts state, the
amount tier the document finds, forms that make an act a crime whatever the amount
(多次盗窃, 醉酒驾驶 …), blood and breath alcohol, drugs and weights, injury grades and
earlier sentences (前科) with their release dates. Like the other fields, each is filled
only when the text says it in a form documents use: a blank is better than a guess,
since a conclusion rule fires on what is here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from spacy.tokens import Doc

from schemas.case_card import (
    AlcoholReading,
    DrugSeizure,
    Injury,
    OffenceCount,
    PersonMention,
    PriorConviction,
)
from tasks.nlp.normalize import amount_to_yuan, parse_date, term_to_months

__all__ = ["case_facts", "document_date", "person_mentions"]

_CN = "0-9零〇一二两三四五六七八九十百千"
# Where the account of the offence starts (指控：, 经审理查明, 经依法审查查明 …).
_FACTS_START = re.compile(r"(?:指控|审理查明|审查查明|侦查查明|经查明|经查)[：:，,]")
_FACTS_END = re.compile(
    r"上述事实|认定上述|以上事实|上述犯罪事实|本院认为|公诉机关认为|综上所述|证据如下"
)
_TOTAL = re.compile(
    r"(?:共计|合计|累计|总计|总价值|价值共计|共价值)(?:价值)?(?:人民币)?(?:为)?"
    r"(?P<amount>(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?(?:万|亿)?元|[零〇一二两三四五六七八九十百千万亿]+元)"
)
_COUNT_START = re.compile(
    r"(?:^|[。；\s])(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十\d]{1,3}[、．.])"
)
_MONTH_ONLY = re.compile(
    r"(?<!\d)([12]\d{3})年(1[0-2]|0?[1-9])月(?![\d一二三四五六七八九十]{1,3}日)"
)
_TIER = re.compile(r"数额特别巨大|数额巨大|数额较大")
_TIER_NEGATED = re.compile(r"未达到?|不属于?|不足|尚未|没有")
_FORMS = re.compile(
    r"多次(?:秘密)?(?:盗窃|窃取)|(?:入户|入室)(?:秘密)?(?:盗窃|窃取)|携带凶器(?:盗窃|窃取)|扒窃"
    r"|醉酒驾驶|醉驾|追逐竞驶|多次抢夺|入户抢劫|多次抢劫"
)
_FORM_NAMES = {"醉驾": "醉酒驾驶"}


def _form_name(written: str) -> str:
    """多次秘密窃取 → 多次盗窃, 入室盗窃 → 入户盗窃: the statute's names."""
    if written in _FORM_NAMES:
        return _FORM_NAMES[written]
    if re.match(r"多次(?:秘密)?(?:盗窃|窃取)", written):
        return "多次盗窃"
    if re.match(r"(?:入户|入室)", written):
        return "入户盗窃"
    if written.startswith("携带凶器"):
        return "携带凶器盗窃"
    return written
_ALCOHOL = re.compile(
    r"(?:乙醇|酒精)(?:含量|浓度)?(?:值)?(?:检验结果)?(?:为|是|达到?|：|:)?\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*(?:mg|毫克)\s*/\s*(?:100|一百)\s*(?:ml|毫升)",
    re.IGNORECASE,
)
_DRUG_NAMES = {
    "甲基苯丙胺": "甲基苯丙胺", "冰毒": "甲基苯丙胺", "海洛因": "海洛因", "氯胺酮": "氯胺酮",
    "K粉": "氯胺酮", "鸦片": "鸦片", "大麻": "大麻", "可卡因": "可卡因", "摇头丸": "MDMA",
    "MDMA": "MDMA", "甲卡西酮": "甲卡西酮", "麻古": "甲基苯丙胺片剂",
    "甲基苯丙胺片剂": "甲基苯丙胺片剂", "吗啡": "吗啡", "芬太尼": "芬太尼",
}
_DRUG = "|".join(sorted(map(re.escape, _DRUG_NAMES), key=len, reverse=True))
_WEIGHT = r"(?P<grams>\d+(?:\.\d+)?)\s*(?P<unit>千克|公斤|kg|克|g)(?![a-z])"
_DRUG_THEN_WEIGHT = re.compile(
    rf"(?P<drug>{_DRUG})[^。；，,]{{0,16}}?(?:净重|重|共计|计)?{_WEIGHT}", re.I
)
_WEIGHT_THEN_DRUG = re.compile(rf"{_WEIGHT}(?:的)?(?P<drug>{_DRUG})", re.I)
_INJURY = re.compile(r"(轻微伤|轻伤[一二]级|重伤[一二]级|轻伤|重伤)")
_INJURY_CONTEXT = re.compile(r"鉴定|损伤程度|伤情|构成|属于?|评定|系|为$")
_INJURY_NEGATED = re.compile(r"(?:未达|不构成|不属于?|尚不|未构成|不足)[^，。]{0,6}$")
_DEATH = re.compile(r"(?:致|造成)(?:被害人)?[^。，；]{0,8}?死亡|经抢救无效死亡|当场死亡")


def _norm(text: str) -> str:
    """Width-folded copy for number-and-unit matching; same length as the input for the
    characters these patterns read (NFKC maps a full-width character to one character)."""
    return "".join(unicodedata.normalize("NFKC", ch)[:1] or ch for ch in text)


def _facts_range(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    m = _FACTS_START.search(text, lo, hi)
    if not m:
        return None
    end = _FACTS_END.search(text, m.end(), hi)
    return m.end(), end.start() if end else hi


def _amount_of(segment: str) -> float | None:
    """The amount of one count: the total it states, else its only amount."""
    total = _TOTAL.search(segment)
    if total:
        return amount_to_yuan(total["amount"])
    found = {
        amount_to_yuan(m.group(0))
        for m in re.finditer(
            r"(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?(?:万|亿)?元|[零〇一二两三四五六七八九十百千万亿]+元",
            segment,
        )
    }
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _place(segment: str) -> str | None:
    m = re.search(
        r"在([^，。；、]{2,30}?)(?:内|处|附近|门口|路段|路口|家中|住处|，|因|与|将|对|趁|持|酒后|驾驶|向)",
        segment,
    )
    return m.group(1) if m else None


def case_facts(
    doc: Doc, text: str, dates: list[tuple[int, int, dt.date]], sections, defendants: list[str]
) -> dict:
    """The review facts of one document: keyword arguments for :class:`Case`.

    ``dates`` are the document's resolved dates (start, end, value) in reading order.
    """
    out: dict = {}
    norm = _norm(text)
    facts = _facts_range(text, sections.parties[1], sections.verdict[0])
    if facts:
        lo, hi = facts
        in_facts = [
            d for d in dates
            if lo <= d[0] < hi and not re.match(r"\s*(?:出生|生[，,)）])", text[d[1] : d[1] + 3])
        ]  # a victim's birth date (陈某（2002年7月7日出生）) is not when the offence was
        # months written without a day (2019年11月) count for where the facts end, at
        # their first day: a background date in the account must not pass for the last act
        months = [
            dt.date(int(m[1]), int(m[2]), 1) for m in _MONTH_ONLY.finditer(text, lo, hi)
        ]
        if in_facts:
            out["offence_date"] = in_facts[0][2]
        if in_facts or months:
            out["offence_last_date"] = max([d[2] for d in in_facts] + months)
        segment = text[lo:hi]
        out["offence_place"] = _place(segment.split("。")[0])
        starts = [m.end() for m in _COUNT_START.finditer(segment)]
        counts: list[OffenceCount] = []
        if len(starts) >= 2:
            for i, start in enumerate(starts):
                end = starts[i + 1] if i + 1 < len(starts) else len(segment)
                part = segment[start:end]
                when = [d[2] for d in in_facts if lo + start <= d[0] < lo + end]
                counts.append(OffenceCount(date=when[0] if when else None, place=_place(part),
                                           amount_yuan=_amount_of(part)))
        else:
            counts.append(OffenceCount(date=out.get("offence_date"), place=out["offence_place"],
                                       amount_yuan=_amount_of(segment)))
        out["counts"] = [c for c in counts if c.date or c.amount_yuan is not None]
        # the total: after the counts when there are several (a 共计 inside one count is that
        # count's), else the single account's own 共计
        summary = segment[starts[-1] :] if len(starts) >= 2 else segment
        totals = list(_TOTAL.finditer(summary))
        if len(starts) >= 2:
            last_count_end = re.search(r"。", summary)
            totals = [t for t in totals if last_count_end and t.start() > last_count_end.start()]
        if totals:
            out["amount_total_yuan"] = amount_to_yuan(totals[-1]["amount"])
    finding = text[sections.reasoning[0] : sections.verdict[0]] or text[sections.parties[1] :]
    tiers = [
        m.group(0) for m in _TIER.finditer(finding)
        if not _TIER_NEGATED.search(finding[max(0, m.start() - 6) : m.start()])
    ]
    out["amount_tiers_stated"] = list(dict.fromkeys(tiers))
    forms = []
    body = text[sections.parties[1] : sections.verdict[0]]
    matches = list(_FORMS.finditer(body))
    for i, m in enumerate(matches):
        run = [m]
        for other in (*matches[i + 1 : i + 3], *reversed(matches[max(0, i - 2) : i])):
            gap = body[min(other.end(), m.end()) : max(other.start(), m.start())]
            if gap in ("、", "", "或者", "、或者"):
                run.append(other)
        if len(run) >= 3:
            continue  # three forms in a list quote the statute (多次盗窃、入户盗窃、扒窃…)
        forms.append(_form_name(m.group(0)))
    out["offence_forms"] = list(dict.fromkeys(forms))
    who = defendants[0] if len(defendants) == 1 else None
    alcohol = []
    for m in _ALCOHOL.finditer(norm):
        method = "呼气" if "呼气" in norm[max(0, m.start() - 40) : m.start()] else "血液"
        reading = AlcoholReading(person=who, method=method, mg_per_100ml=float(m["value"]))
        if reading not in alcohol:
            alcohol.append(reading)
    out["alcohol"] = alcohol
    drugs = []
    for pattern in (_DRUG_THEN_WEIGHT, _WEIGHT_THEN_DRUG):
        for m in pattern.finditer(norm):
            grams = float(m["grams"]) * (1000 if m["unit"].lower() in ("千克", "公斤", "kg") else 1)
            seizure = DrugSeizure(person=who, drug=_DRUG_NAMES.get(m["drug"], m["drug"]),
                                  grams=grams)
            if seizure not in drugs:
                drugs.append(seizure)
    out["drugs"] = drugs
    injuries = []
    for m in _INJURY.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()]
        if _INJURY_NEGATED.search(before) or not _INJURY_CONTEXT.search(before):
            continue
        injury = Injury(grade=m.group(1))  # type: ignore[arg-type]
        if injury not in injuries:
            injuries.append(injury)
    if facts and _DEATH.search(text, *facts):
        injuries.append(Injury(grade="死亡"))
    out["injuries"] = injuries
    return out


_PRIOR_PENALTY = re.compile(
    rf"判处(?P<penalty>有期徒刑|拘役|管制|无期徒刑|死刑)(?P<term>[{_CN}]+年(?:零|又)?(?:[{_CN}]+个?月)?|[{_CN}]+个?月)?"
)
_RELEASED = re.compile(r"(?:刑满|期满|假释|减刑)?释放|假释")


def prior_convictions(
    text: str, dates: list[tuple[int, int, dt.date]], person: str, lo: int, hi: int,
    charges_in,
) -> list[PriorConviction]:
    """Earlier sentences in one defendant's part of the parties section: a sentence
    (up to 。 or ；) that says 判处 for 犯…罪 (not 涉嫌), with the date before 判处 and the
    date before 释放 (刑满释放, 假释)."""
    out: list[PriorConviction] = []
    start = lo
    for m in re.finditer(r"[。；]", text[lo:hi] + "。"):
        end = lo + m.start()
        sentence = text[start:end]
        offset = start
        start = end + 1
        if "判处" not in sentence or "犯" not in sentence or "涉嫌" in sentence:
            continue
        penalty = _PRIOR_PENALTY.search(sentence)
        at = sentence.find("判处")
        born = sentence.rfind("出生", 0, at)  # a birth date shares the sentence in places
        in_sentence = [d for d in dates if offset + max(born, 0) <= d[0] < end]
        before = [d for d in in_sentence if d[0] < offset + at]
        release = None
        for r in _RELEASED.finditer(sentence):
            earlier = [d for d in in_sentence if d[1] <= offset + r.start()]
            if earlier and earlier[-1][0] > offset + at:
                release = earlier[-1][2]
        months = None
        if penalty and penalty["term"]:
            months = term_to_months(penalty["term"])
        out.append(
            PriorConviction(
                person=person,
                probation="缓刑" in sentence[at:],
                date=before[-1][2] if before else None,
                charges=charges_in(sentence),
                penalty=penalty["penalty"] if penalty else None,  # type: ignore[arg-type]
                months=months,
                release_date=release,
            )
        )
    return out


_MENTION = re.compile(
    r"(?P<anchor>我叫|被询问人[：:]\s*|被讯问人[：:]\s*|犯罪嫌疑人[：:]?\s*|被告人|被不起诉人|报案人[：:]\s*"
    r"|被拘留人[：:]\s*|被逮捕人[：:]\s*|的|经查，)(?P<name>[\u4e00-\u9fff·]{2,4}?)(?=[，,（(\s]|性别)"
)
_BIRTH = re.compile(
    r"出生日期[：:]?\s*(?P<d>\d{4}年\d{1,2}月\d{1,2}日)|(?P<e>\d{4}年\d{1,2}月\d{1,2}日)出生"
)
_ID = re.compile(r"(?<![0-9])([1-9]\d{16}[\dXx])(?![0-9])")
_ANCHOR_ROLES = {"我叫": "犯罪嫌疑人", "被讯问人": "犯罪嫌疑人", "犯罪嫌疑人": "犯罪嫌疑人",
                 "被告人": "被告人", "被不起诉人": "犯罪嫌疑人", "被拘留人": "犯罪嫌疑人",
                 "被逮捕人": "犯罪嫌疑人"}


def person_mentions(text: str, known_roles: dict[str, str]) -> list[PersonMention]:
    """People a document identifies with a birth date or an ID number (被询问人：某某 性别…
    出生日期…, 我叫某某，…出生, 对涉嫌…的某某（性别…，出生日期…）), as that document writes
    them. ``known_roles`` (name → role from the card's persons) names their role."""
    from dossier.privacy import hash_id_number, mask_id_number

    out: list[PersonMention] = []
    for m in _MENTION.finditer(text):
        name = m["name"]
        if m["anchor"] == "的" and name not in known_roles:
            continue  # 的 + two characters is a name only when the card knows it
        window = text[m.end() : m.end() + 120]
        stop = re.search(r"。", window)
        window = window[: stop.start()] if stop else window
        nxt = _MENTION.search(window[1:])
        if nxt:
            window = window[: nxt.start() + 1]
        birth_m = _BIRTH.search(window)
        id_m = _ID.search(window)
        if not birth_m and not id_m:
            continue
        birth = parse_date(birth_m["d"] or birth_m["e"]) if birth_m else None
        number = id_m.group(1).upper() if id_m else None
        anchor = re.sub(r"[：:\s]", "", m["anchor"])
        role = known_roles.get(name) or _ANCHOR_ROLES.get(anchor) or "证人"
        mention = PersonMention(
            name=name,
            role=role,  # type: ignore[arg-type]
            birth_date=birth,
            id_number_masked=mask_id_number(number) if number else None,
            id_number_sha256=hash_id_number(number) if number else None,
        )
        if mention not in out:
            out.append(mention)
    return out


_TIME_LINE = re.compile(r"时间[：:]\s*(\d{4}年\d{1,2}月\d{1,2}日)")
_FULL_DATE = re.compile(
    r"(?:[12]\d{3}|[〇零○Ｏ0O一二三四五六七八九]{4})年[0-9一二三四五六七八九十]{1,3}月[0-9一二三四五六七八九十]{1,3}日"
)
_SIGNATURE_CHARS = 120


def document_date(text: str) -> dt.date | None:
    """A document's own date: the 时间： of a record, else the date it is signed with (the
    last full date in its last lines)."""
    m = _TIME_LINE.search(text[:200])
    if m:
        return parse_date(m.group(1))
    tail = text[-_SIGNATURE_CHARS:]
    signed = [parse_date(m.group(0)) for m in _FULL_DATE.finditer(tail)]
    signed = [d for d in signed if d]
    return signed[-1] if signed else None

"""From the spans of one document to the fields of a :class:`Case`.

Each rule prefers a blank to a guess: a field is filled only when the text says it
in one of the forms courts and procuratorates use, e.g. the parties section
(被告人张某，男，1990年5月28日出生，汉族 …), the verdict after 判决如下, and the
statutes after 依照. Names are kept exactly as written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from dossier.privacy import hash_id_number, id_number_is_valid, mask_id_number
from schemas.case_card import (
    Case,
    Circumstance,
    CoerciveMeasure,
    Person,
    Sentence,
    Statute,
)
from tasks.nlp import lexicon
from tasks.nlp.extract.facts import case_facts, prior_convictions
from tasks.nlp.extract.pipeline import FIELDS_KEY, KEYWORDS_KEY
from tasks.nlp.normalize import (
    amount_to_yuan,
    canonical_indictment_no,
    parse_date,
    term_to_months,
    to_int,
)

_CN_NUM = "0-9零〇一二两三四五六七八九十百千"


# ---------------------------------------------------------------- sections


@dataclass(frozen=True)
class Sections:
    """Character offsets of the parts of a judgment (or indictment) we read."""

    parties: tuple[int, int]
    facts: tuple[int, int]
    reasoning: tuple[int, int]
    verdict: tuple[int, int]
    tail: int


_PARTIES_END = re.compile(r"以[^。]{0,40}起诉书|指控|一案|侦查终结|审查起诉|提起公诉")
# OCR keeps the printed line break, which can fall inside the phrase (判决\n如下).
_VERDICT_START = re.compile(r"(?:判\s*决|裁\s*定|决\s*定)\s*如\s*下")
_VERDICT_END = re.compile(
    r"如不服本判决|如不服本裁定|本判决为终审判决|本裁定为终审裁定|审\s*判\s*长|审\s*判\s*员|人民陪审员"
)
_REASONING = re.compile(r"本院(?:经审查)?认为|本院审查认为")


def find_sections(doc: Doc) -> Sections:
    text = _text(doc)
    case_no = _spans(doc, FIELDS_KEY, "CASE_NO")
    head_end = case_no[0].end_char if case_no else 0
    roles = [
        s
        for s in _spans(doc, KEYWORDS_KEY, "ROLE")
        if s.start_char >= head_end
        and s.text in ("被告人", "上诉人", "原审被告人", "犯罪嫌疑人", "被不起诉人")
    ]
    parties_start = roles[0].start_char if roles else head_end
    m = _PARTIES_END.search(text, parties_start)
    parties_end = m.start() if m else min(len(text), parties_start + 600)
    # the sentence holding the marker belongs to the facts; a paragraph break (a space in
    # the dataset's text, a newline in cleaned OCR text) ends the one before it too
    cut = max(text.rfind(sep, parties_start, parties_end) for sep in ("。", " ", "\n"))
    if cut > parties_start:
        parties_end = cut + 1
    v = _VERDICT_START.search(text, parties_end)
    verdict_start = v.start() if v else len(text)
    e = _VERDICT_END.search(text, verdict_start)
    verdict_end = e.start() if (v and e) else len(text)
    r = None
    for r_match in _REASONING.finditer(text, parties_end, verdict_start):
        r = r_match  # the court's own reasoning is the last 本院认为 before the verdict
        break
    reasoning_start = r.start() if r else verdict_start
    return Sections(
        parties=(parties_start, parties_end),
        facts=(parties_end, reasoning_start),
        reasoning=(reasoning_start, verdict_start),
        verdict=(verdict_start, verdict_end),
        tail=verdict_end,
    )


def _text(doc: Doc) -> str:
    """``Doc.text`` joins every token on each access; read it once per document."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return text


def _spans(doc: Doc, key: str, label: str, lo: int = 0, hi: int | None = None) -> list[Span]:
    hi = len(_text(doc)) if hi is None else hi
    cache = doc.user_data.setdefault("spans_by_label", {})
    if (key, label) not in cache:
        group = doc.spans.get(key, [])
        cache[(key, label)] = [(s.start_char, s.end_char, s) for s in group if s.label_ == label]
    return [s for start, end, s in cache[(key, label)] if lo <= start and end <= hi]


# ---------------------------------------------------------------- identifiers


def _fold_brackets(value: str) -> str:
    """Court numbers use full-width （）; OCR and some sites give half-width."""
    value = unicodedata.normalize("NFKC", value)
    return value.replace("(", "（").replace(")", "）").replace("[", "［").replace("]", "］")


def case_number(doc: Doc) -> str | None:
    spans = _spans(doc, FIELDS_KEY, "CASE_NO")
    return _fold_brackets(spans[0].text) if spans else None


def court(doc: Doc) -> str | None:
    """The court named in the header: the ``…人民法院`` just before the case number (or
    before 刑事判决书 when the number is unreadable); for an indictment, the court it is
    addressed to (此致 某某人民法院)."""
    text = _text(doc)
    spans = _spans(doc, FIELDS_KEY, "CASE_NO")
    if spans:
        head = text[: spans[0].start_char]
    else:
        title = re.search(r"法院\s*刑事(?:附带民事)?(?:判决书|裁定书)", text[:300])
        head = text[: title.start() + 2] if title else ""
    matches = list(re.finditer(r"[\u4e00-\u9fff]{2,40}?法院", head))
    if not matches:
        to = re.search(r"此致\s*([\u4e00-\u9fff]{2,30}?人民法院)", text)
        return to.group(1) if to else None
    name = matches[-1].group(0)
    name = re.split(r"判决书|裁定书|决定书|起诉书|刑事", name)[-1]
    name = re.sub(r"^.*?(?:一审|二审|再审)", "", name)
    return name if len(name) >= 6 else None


_NOT_PART_OF_NAME = re.compile(r"法院|审理|判决书|裁定书|起诉书|决定书|意见书|指控|公诉机关|以")


def _procuratorate_name(run: str) -> str | None:
    """The procuratorate ending a run of characters (…法院审理某某人民检察院 → 某某人民检察院)."""
    name = _NOT_PART_OF_NAME.split(run)[-1]
    return name if len(name) >= 7 else None


def procuratorate(doc: Doc, sections: Sections) -> str | None:
    """As written after 公诉机关; else the one that filed the indictment (某某人民检察院以…号
    起诉书); else, for an indictment itself, the procuratorate in its header."""
    text = _text(doc)
    spans = _spans(doc, FIELDS_KEY, "PROCURATORATE")
    if spans:
        return spans[0].text
    filed = re.search(
        r"([\u4e00-\u9fff]{2,40}?人民检察院)(?:于[^。，]{0,20})?以[^。]{0,30}号", text
    )
    if filed:
        return _procuratorate_name(filed.group(1))
    if _spans(doc, FIELDS_KEY, "CASE_NO"):
        return None  # a judgment that does not say who prosecuted: blank
    head = list(re.finditer(r"[\u4e00-\u9fff]{2,40}?人民检察院", text[: sections.parties[0]]))
    if head:
        return _procuratorate_name(head[-1].group(0))
    # 起诉意见书, 提请批准逮捕书: the police address the procuratorate (此致 某某人民检察院)
    to = re.search(r"此致\s*([\u4e00-\u9fff]{2,30}?人民检察院)", text)
    return _procuratorate_name(to.group(1)) if to else None


def indictment_number(doc: Doc) -> str | None:
    """The 起诉书 number, its year in ［］ (:func:`canonical_indictment_no`); a
    不起诉决定书's own number (某检不诉〔2017〕630号) is not one."""
    spans = [s for s in _spans(doc, FIELDS_KEY, "INDICTMENT_NO") if "不诉" not in s.text
             and "不起诉" not in s.text]
    return canonical_indictment_no(spans[0].text) if spans else None


# ---------------------------------------------------------------- persons

_ROLE_START = re.compile(
    r"(?:指定)?(?P<role>上诉人[（(]原审被告人[）)]|原审被告人|被告人|犯罪嫌疑人|被不起诉人|辩护人"
    r"|被害人|证人)"
    r"(?:自报|[（(][^）)]{1,8}[）)])?"
    r"(?P<names>[\u4e00-\u9fff·][\u4e00-\u9fff·0-9]{0,9}?(?:、[\u4e00-\u9fff·][\u4e00-\u9fff·0-9]{0,9}?)*)"
    r"(?=[，,。（(\s:：]|$)"
)
_NOT_A_NAME = re.compile(
    r"律师|事务所|公司|人民|法院|检察|机关|公安|委员会|系|及其|均|等|到庭|供述|辩解|意见|证言|陈述"
    r"|犯|罪|不服|涉嫌|上诉|提出|的"  # 被告人某某犯盗窃罪: a sentence, not a parties entry
)


# 被不起诉人 is the suspect a 不起诉决定书 is about: a 犯罪嫌疑人 on the case card.
_SUSPECT_ROLES = {"被不起诉人": "犯罪嫌疑人"}


@dataclass
class _Party:
    name: str
    role: str
    start: int
    end: int


def _roles_in_parties(doc: Doc, sections: Sections) -> list[_Party]:
    lo, hi = sections.parties
    text = _text(doc)
    found: list[_Party] = []
    for m in _ROLE_START.finditer(text, lo, hi):
        before = text[m.start() - 1] if m.start() > 0 else "。"
        if before not in "。； \n\t：:" and m.start() != lo:
            continue
        role = "被告人" if "被告人" in m["role"] else _SUSPECT_ROLES.get(m["role"], m["role"])
        names = m["names"].split("、")
        if any(_NOT_A_NAME.search(n) or not (2 <= len(n) <= 6 or "·" in n) for n in names):
            continue  # one piece is not a name (…犯生产、销售有毒、有害食品罪): none is
        for name in names:
            if any(name.startswith(p.name) for p in found):
                continue  # 被告人廖建国因涉嫌…: the same person's segment goes on
            found.append(_Party(name, role, m.start(), hi))
    for i in range(len(found) - 1):
        if found[i + 1].start > found[i].start:
            found[i].end = found[i + 1].start
        else:  # 辩护人甲、乙 share one segment
            found[i].end = next((p.start for p in found[i + 1 :] if p.start > found[i].start), hi)
    return found


def _person(doc: Doc, party: _Party) -> Person:
    seg = _text(doc)[party.start : party.end]
    gender = None
    g = re.search(r"[，,](男|女)[，,。]", seg[:40])
    if g:
        gender = g.group(1)
    birth = None
    for span in _spans(doc, FIELDS_KEY, "DATE", party.start, party.end):
        after = _text(doc)[span.end_char : span.end_char + 2]
        before = _text(doc)[max(party.start, span.start_char - 2) : span.start_char]
        if after.startswith("出生") or after.startswith("生") or before == "生于":
            birth = parse_date(span.text)
            break
    ethnicity = None
    eth = [
        s
        for s in _spans(doc, KEYWORDS_KEY, "ETHNICITY", party.start, party.end)
        if _text(doc)[s.start_char - 1 : s.start_char] in "，,"  # not 广西壮族自治区
        and _text(doc)[s.end_char : s.end_char + 1] in "，,。；"
    ]
    if eth and party.role != "辩护人":
        ethnicity = eth[0].text
    id_masked = id_hash = id_valid = None
    ids = _spans(doc, FIELDS_KEY, "ID_NUMBER", party.start, party.end)
    if ids:
        number = ids[0].text.upper()
        id_masked, id_hash, id_valid = (
            mask_id_number(number),
            hash_id_number(number),
            id_number_is_valid(number),
        )
    if party.role == "辩护人":
        gender = birth = None
    return Person(
        name=party.name,
        role=party.role,  # type: ignore[arg-type]
        gender=gender,  # type: ignore[arg-type]
        birth_date=birth,
        ethnicity=ethnicity,
        id_number_masked=id_masked,
        id_number_sha256=id_hash,
        id_number_valid=id_valid,
    )


_COMPOUND_SURNAMES = (
    "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|夏侯|长孙|宇文|司徒|端木|申屠"
)
_PSEUDONYM = re.compile(
    rf"(?P<name>(?:{_COMPOUND_SURNAMES}|[^\W\d的和及与等在向对将被从把为、，。])"
    r"某{1,2}(?:[0-9]{1,2}|[甲乙丙丁戊])?)"
)
_AFTER_NAME = re.compile(r"[\u4e00-\u9fff][，,、。；的（(]")  # 张某军，: 某 inside a longer name


def _named_others(doc: Doc, sections: Sections, known: set[str]) -> list[Person]:
    """Victims and witnesses, only where the text pseudonymises them (刘某某): the end
    of a real name cannot be told from the verb after it without a guess."""
    out: list[Person] = []
    seen = set(known)
    text = _text(doc)
    for span in _spans(doc, KEYWORDS_KEY, "ROLE", sections.parties[1], sections.verdict[0]):
        if span.text not in ("被害人", "证人"):
            continue
        pos = span.end_char
        while True:
            m = _PSEUDONYM.match(text, pos)
            if not m:
                break
            name = m["name"]
            if _AFTER_NAME.match(text, m.end()):
                break  # 张某军 or 李某走: cannot tell, leave it out
            if name not in seen:
                seen.add(name)
                out.append(Person(name=name, role=span.text))  # type: ignore[arg-type]
            pos = m.end()
            if text[pos : pos + 1] != "、":
                break
            pos += 1
    return out


# ---------------------------------------------------------------- measures


_MONTH_DAY = re.compile(rf"([{_CN_NUM}]{{1,3}})月([{_CN_NUM}]{{1,3}})日")
# A bare month and day this far before the date read just before it crossed a new year.
_YEAR_TURN_DAYS = 180


def _resolve_dates(doc: Doc, lo: int, hi: int) -> list[tuple[int, int, dt.date]]:
    """Dates in reading order, with 同年/同月/次日/同日 resolved against the previous one."""
    out: list[tuple[int, int, dt.date]] = []
    previous: dt.date | None = None
    year_month: tuple[int, int] | None = None
    for span in _spans(doc, FIELDS_KEY, "DATE", lo, hi):
        t = span.text
        value: dt.date | None = None
        if t.startswith("同年"):
            value = parse_date(t, reference_year=year_month[0] if year_month else None)
        elif t.startswith("同月") and year_month:
            day = to_int(t[2:-1])
            try:
                value = dt.date(year_month[0], year_month[1], day) if day else None
            except ValueError:
                value = None
        elif (md := _MONTH_DAY.fullmatch(t)) and year_month:
            month, day = to_int(md.group(1)), to_int(md.group(2))
            try:
                value = dt.date(year_month[0], month, day) if month and day else None
            except ValueError:
                value = None
            if value and previous and (previous - value).days > _YEAR_TURN_DAYS:
                # 2017年12月28日被刑事拘留，1月5日被逮捕: the bare date is in the next year
                try:
                    value = value.replace(year=value.year + 1)
                except ValueError:
                    value = None
        elif t in ("次日", "翌日") and previous:
            value = previous + dt.timedelta(days=1)
        elif t in ("同日", "当日", "当天") and previous:
            value = previous
        else:
            value = parse_date(t)
            if value is None:
                m = re.match(rf"([0-9]{{4}})年([{_CN_NUM}]{{1,3}})月$", t)
                if m and to_int(m.group(2)):
                    year_month = (int(m.group(1)), to_int(m.group(2)) or 1)
        if value is not None:
            out.append((span.start_char, span.end_char, value))
            previous = value
            year_month = (value.year, value.month)
    return out


_DECIDED = re.compile(r"(批准|决定|宣布)$")
# A sentence that goes on to a sentence passed or served tells an earlier case's history.
_EARLIER_CASE = re.compile(r"判处|刑满|假释|缓刑考验|服刑")


def _sentence_end(text: str, start: int, stop: int) -> int:
    ends = [i for i in (text.find("。", start, stop), text.find("；", start, stop)) if i >= 0]
    return min(ends) if ends else stop

# 释放 ends this case's custody only after a measure of it, never a sentence served
# (刑满释放, 减刑释放, 假释) or an administrative detention.
_NOT_A_RELEASE = re.compile(r"刑满|减刑|假释|服刑|行政|劳动教养|强制隔离|司法拘留")
# 变更强制措施为取保候审: the change names the new measure, which is emitted on its own.
_CHANGED_TO = re.compile(r"为(?:刑事拘留|逮捕|取保候审|监视居住)")


def _measures(doc: Doc, party: _Party) -> list[CoerciveMeasure]:
    text = _text(doc)
    dates = _resolve_dates(doc, party.start, party.end)
    measures = _spans(doc, KEYWORDS_KEY, "MEASURE", party.start, party.end)
    out: list[CoerciveMeasure] = []
    previous_end = party.start
    for i, span in enumerate(measures):
        kind = span.id_ or span.text
        if span.text == "拘留" and (
            text[span.start_char - 2 : span.start_char] in ("刑事", "行政")
            or text[span.start_char - 1 : span.start_char] != "被"
        ):
            continue  # bare 拘留 only as 被拘留; 刑事拘留 has its own span
        # 变更强制措施为取保候审: the 取保候审 after it is the record, dated by the clause
        # both share (so the change does not move the clause's start either)
        if kind == "变更" and _CHANGED_TO.match(text, span.end_char):
            continue
        before = text[max(previous_end, span.start_char - 4) : span.start_char]
        lo = previous_end
        previous_end = span.end_char
        if _DECIDED.search(before) and any(
            m.id_ == kind and text[m.start_char - 2 : m.start_char] == "执行"
            for m in measures[i + 1 :]
        ):
            continue  # 决定刑事拘留 … 执行刑事拘留, 批准逮捕 … 执行逮捕: the execution counts
        if kind == "逮捕" and re.search(r"(不予|不批准)", before):
            continue
        lo = max(
            lo, text.rfind("。", lo, span.start_char) + 1, text.rfind("；", lo, span.start_char) + 1
        )
        clause = text[lo : span.start_char]
        if re.search(r"不予|撤销|解除|判处|刑满", clause):
            continue
        if _EARLIER_CASE.search(text, span.end_char, _sentence_end(text, span.end_char, party.end)):
            continue  # 2010年因涉嫌盗窃罪被逮捕，同年被判处…，刑满释放: an earlier case's custody
        if kind == "释放" and (
            not out
            or _NOT_A_RELEASE.search(clause)
            or text.startswith(("证明", "通知"), span.end_char)
        ):
            continue  # 刑满释放, 减刑释放, 行政拘留…释放: not the end of this case's custody
        if clause.rfind("（") > clause.rfind("）"):
            continue  # a remark in brackets: （取保候审期间脱管）
        in_clause = [d for d in dates if lo <= d[0] and d[1] <= span.start_char]
        date = in_clause[-1][2] if in_clause else None
        if date is None:
            # 决定对其取保候审，期限从2017年7月5日起算: the date comes after the measure
            stop = text.find("。", span.end_char, party.end)
            stop = party.end if stop < 0 else stop
            later = [d for d in dates if span.end_char <= d[0] < stop]
            if later and re.fullmatch(r"[，,]?期限(?:从|自)", text[span.end_char : later[0][0]]):
                date = later[0][2]
        listed = in_clause[-1:]
        for d in reversed(in_clause[:-1]):  # 分别于2018年5月7日、6月27日被取保候审
            if text[d[1] : listed[0][0]] != "、":
                break
            listed.insert(0, d)
        for d in listed[:-1]:
            out.append(CoerciveMeasure(person=party.name, kind=kind, date=d[2]))  # type: ignore[arg-type]
        if _DECIDED.search(before):
            # 于8月9日被批准逮捕，同月24日由公安局执行: the measure starts on execution
            end = text.find("。", span.end_char, party.end)
            end = party.end if end < 0 else end
            for d_start, d_end, value in dates:
                if span.end_char <= d_start < end:
                    tail = text[d_end:end].split("，")[0]
                    if "执行" in tail and kind not in tail:
                        date = value
                    break
        if kind == "刑事拘留" and "行政" in before:
            continue
        out.append(CoerciveMeasure(person=party.name, kind=kind, date=date))  # type: ignore[arg-type]
    # a later undated mention (遵守取保候审规定) of a measure already dated adds nothing
    dated = {m.kind for m in out if m.date is not None}
    return [m for m in out if m.date is not None or m.kind not in dated]


# ---------------------------------------------------------------- sentences

_PENALTY_AFTER = re.compile(r"(?:判处|执行|处|判)$")
_TERM_AT = re.compile(rf"(?:[{_CN_NUM}]+年(?:零|又)?(?:[{_CN_NUM}]+个?月)?|[{_CN_NUM}]+个?月)")
# Amounts as judgments write them: 3000元, 一万元, and the financial numerals of a verdict
# (壹仟元, 贰万元); "人民4000元" (币 dropped) occurs in real judgments too.
_FINE = re.compile(
    r"罚金(?:人民币?)?([0-9０-９,，.]+(?:万|千)?元"
    r"|[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬]+元)"
)
_CHARGE_AFTER_FAN = re.compile(r"犯(?P<c>[^，,。；;：:\s]{1,40}?罪)(?=[，,。；;（(\s]|$)")


def _written_charges_in(text: str) -> list[tuple[str, str]]:
    """(charge as written, catalogue name) after each 犯…罪, in order, each written form once."""
    out: list[tuple[str, str]] = []
    for m in _CHARGE_AFTER_FAN.finditer(text):
        written = m["c"]
        official = lexicon.canonical_charge(written)
        if official:
            pairs = [(written, official)]
        else:
            pieces = [p if p.endswith("罪") else p + "罪" for p in re.split(r"(?<=罪)、", written)]
            pairs = [(p, lexicon.canonical_charge(p)) for p in pieces]  # type: ignore[misc]
        if pairs and all(o for _, o in pairs):
            out += [pair for pair in pairs if pair not in out]
    return out


def _charges_in(text: str) -> list[str]:
    return _names(_written_charges_in(text))


def _names(pairs: list[tuple[str, str]]) -> list[str]:
    """Catalogue names of (written, catalogue) pairs, each once, in order."""
    return list(dict.fromkeys(official for _, official in pairs))


def _written(pairs: list[tuple[str, str]]) -> list[str]:
    return list(dict.fromkeys(written for written, _ in pairs))


def _penalty(doc: Doc, lo: int, hi: int) -> tuple[str | None, int | None, int | None]:
    text = _text(doc)
    seg = text[lo:hi]
    if re.search(r"免[予于]刑事处罚", seg):
        return "免予刑事处罚", None, None
    spans = [
        s
        for s in _spans(doc, KEYWORDS_KEY, "PENALTY", lo, hi)
        if _PENALTY_AFTER.search(text[max(lo, s.start_char - 2) : s.start_char])
    ]
    if not spans:
        return None, None, None
    decided = _decided(seg)
    if decided >= 0:
        later = [s for s in spans if s.start_char >= lo + decided]
        if not later:
            return None, None, None
        span = later[0]
    else:
        if len({s.text for s in spans}) > 1:
            return None, None, None  # two penalties and no 决定执行: ambiguous
        span = spans[0]
    penalty = span.text
    months = None
    if penalty in ("有期徒刑", "拘役", "管制"):
        m = _TERM_AT.match(text, span.end_char)
        if not m:
            return penalty, None, None
        months = term_to_months(m.group(0))
    probation = None
    p = re.search(r"缓刑", text[span.end_char : hi])
    if p:
        start = span.end_char + p.end()
        t = _TERM_AT.match(text, start)
        probation = term_to_months(t.group(0)) if t else None
    return penalty, months, probation


def _decided(seg: str) -> int:
    """Where the combined sentence (数罪并罚: 决定执行 / 决定合并执行) starts, or -1."""
    m = re.search(r"决定(?:合并)?执行", seg)
    return m.start() if m else -1


def _fine(seg: str) -> float | None:
    decided = _decided(seg)
    scope = seg[decided:] if decided >= 0 else seg
    fines = [amount_to_yuan(m.group(1)) for m in _FINE.finditer(scope)]
    fines = [f for f in fines if f is not None]
    if not fines:
        return None
    if len(set(fines)) > 1 and decided < 0:
        return None  # several fines and no combined one: not ours to add up
    return fines[0]


class _Renamed:
    """A verdict match standing for a defendant of the parties section."""

    def __init__(self, match: re.Match[str], offset: int, name: str):
        self._start, self._name = match.start() + offset, name

    def start(self) -> int:
        return self._start

    def group(self, _: int) -> str:
        return self._name


def _sentences(doc: Doc, sections: Sections, defendants: list[str]) -> list[Sentence]:
    lo, hi = sections.verdict
    text = _text(doc)
    if not defendants or hi <= lo:
        return []
    names = sorted(set(defendants), key=len, reverse=True)
    marker = re.compile(
        r"(?:被告人|被告|上诉人|原审被告人)(" + "|".join(map(re.escape, names)) + ")"
    )
    hits = list(marker.finditer(text, lo, hi))
    if not hits and len(defendants) == 1:
        # One defendant, named differently in the verdict (a pseudonym applied to the
        # parties section only): the verdict's single 被告人X犯 is that defendant.
        other = list(re.finditer(r"被告人([\u4e00-\u9fff]{2,4}?)犯", text[lo:hi]))
        if len({m.group(1) for m in other}) == 1:
            hits = [_Renamed(other[0], lo, defendants[0])]
    segments: dict[str, list[tuple[int, int]]] = {}
    for i, m in enumerate(hits):
        end = hits[i + 1].start() if i + 1 < len(hits) else hi
        segments.setdefault(m.group(1), []).append((m.start(), end))
    out: list[Sentence] = []
    for name in defendants:
        for s_lo, s_hi in segments.get(name, []):
            seg = text[s_lo:s_hi]
            if not re.search(r"判处|免[予于]刑事处罚|单处|处罚金", seg):
                continue
            penalty, months, probation = _penalty(doc, s_lo, s_hi)
            fine = _fine(seg)
            if penalty is None and fine is None:
                continue
            decided = _written_charges_in(seg)
            out.append(
                Sentence(
                    person=name,
                    charges=_names(decided),
                    charges_written=_written(decided),
                    penalty=penalty,  # type: ignore[arg-type]
                    months=months,
                    probation_months=probation,
                    fine_yuan=fine,
                )
            )
            break
    return out


# ---------------------------------------------------------------- statutes

_ARTICLE = re.compile(
    rf"第?((?:[{_CN_NUM}]+、)*[{_CN_NUM}]+)(?:条|(?=第[{_CN_NUM}]+款))(?:之([一二三四五六七八九十]))?"
    rf"(?:第([{_CN_NUM}、]+)款)?(?:第?[（(]?([{_CN_NUM}]+)[）)]?项)?"
)
_PARAGRAPH_ONLY = re.compile(rf"第([{_CN_NUM}、]+)款(?:第?[（(]?([{_CN_NUM}]+)[）)]?项)?")
_ITEM_ONLY = re.compile(rf"第?[（(]([{_CN_NUM}]+)[）)]项")
_NOTE = re.compile(r"[（(][^（()）]{1,20}[）)]")  # 第二百四十五条（非法侵入住宅罪）
# a stray dot or a line break from OCR may sit in a list (第一款、·第六十七条)
_SEPARATOR = re.compile(r"(?:[、，,及和与]|以及|的)[\s·•]*")


def _numbers(group: str | None) -> list[int | None]:
    """第一、三款 → [1, 3]; no group → [None]."""
    if not group:
        return [None]
    values = [to_int(g) for g in group.split("、") if g]
    return [v for v in values if v] or [None]


def _statutes(doc: Doc, lo: int, hi: int) -> list[Statute]:
    """Every article cited between ``lo`` and ``hi``, with 本法/该法 resolved to the
    statute named last; articles of statutes we do not know are skipped."""
    text = _text(doc)
    out: list[Statute] = []
    seen: set[tuple] = set()
    current: str | None = None
    for span in _spans(doc, FIELDS_KEY, "LAW", lo, hi):
        if span.text in ("本法", "该法", "同法"):
            law = current
        else:
            law = lexicon.canonical_statute(span.text)
            current = law
        if law is None:
            continue
        pos = span.end_char
        article: int | None = None
        sub: int | None = None
        paragraph: int | None = None
        while pos < hi:
            # 《刑法》⏎第二百三十六条; a speck read as a dot: 《刑法》.第二百三十四条
            while pos < hi and text[pos] in " \u3000\n》.·•":
                pos += 1
            m = _ARTICLE.match(text, pos)
            if m and (text[pos] == "第" or article is None):
                *listed, last = m.group(1).split("、")  # 第二十五、二十六、二十七条
                for number in listed:
                    value = to_int(number)
                    if value and (law, value, None, None, None) not in seen:
                        seen.add((law, value, None, None, None))
                        out.append(Statute(law=law, article=value))
                article = to_int(last)
                sub = to_int(m.group(2)) if m.group(2) else None
                paragraphs = _numbers(m.group(3))
                item = to_int(m.group(4)) if m.group(4) else None
            elif (p := _PARAGRAPH_ONLY.match(text, pos)) and article is not None:
                m = p
                paragraphs = _numbers(p.group(1))
                item = to_int(p.group(2)) if p.group(2) else None
            elif (q := _ITEM_ONLY.match(text, pos)) and article is not None:
                m = q
                paragraphs = [paragraph]
                item = to_int(q.group(1))
            else:
                break
            for paragraph in paragraphs:
                if not article:
                    continue
                key = (law, article, sub, paragraph, item)
                if key not in seen:
                    seen.add(key)
                    out.append(
                        Statute(law=law, article=article, sub=sub, paragraph=paragraph, item=item)
                    )
            pos = m.end()
            note = _NOTE.match(text, pos)
            if note:
                pos = note.end()
            sep = _SEPARATOR.match(text, pos)
            if sep:
                pos = sep.end()
            elif not text.startswith("第", pos):
                break
    return out


# ---------------------------------------------------------------- circumstances

_NEGATION = re.compile(r"(?:不|未|没有|无|非|否认|缺乏|难以|尚不)[^，,。；;]{0,10}$")
_DEFENCE = re.compile(r"辩护|辩称|辩解|提出")
_REJECTED = re.compile(r"不予采纳|不予支持|不能成立|不予认可|不符")
_ACCEPTED = re.compile(r"予以采纳|予以支持|予以认可|予以确认|本院予以|意见成立")


def _circumstances(doc: Doc, sections: Sections, defendants: list[str]) -> list[Circumstance]:
    lo, hi = sections.reasoning
    if lo >= hi:
        # no 本院认为 (起诉意见书): its findings (…如实供述自己的罪行，系坦白) follow the facts
        lo, hi = sections.facts
    text = _text(doc)
    found: list[tuple[str | None, str]] = []
    for span in _spans(doc, KEYWORDS_KEY, "CIRCUMSTANCE", lo, hi):
        kind = span.id_ or span.text
        before = court_finding(text, lo, hi, span.start_char, span.end_char, kind)
        if before is None:
            continue
        if kind == "退赃退赔" and re.search(r"(责令|予以|依法|应当|未)[^，。]{0,4}$", before):
            continue
        if kind == "未遂" and "未遂" not in text[span.start_char - 2 : span.end_char + 1]:
            continue
        persons = persons_for(before, defendants)
        for person in persons:
            found.append((person, kind))
    # 如实供述 is 坦白 only where it is not part of a 自首
    confessed = {p for p, k in found if k == "自首"}
    out: list[Circumstance] = []
    for person, kind in found:
        if kind == "坦白" and (person in confessed or (person is None and confessed)):
            continue
        c = Circumstance(person=person, kind=kind)  # type: ignore[arg-type]
        if c not in out:
            out.append(c)
    return out


_ALL_DEFENDANTS = re.compile(r"(?:[二两三四五六七八九十]|两名|各|上述|全体)被告人|被告人均")


def court_finding(text: str, lo: int, hi: int, start: int, end: int, kind: str) -> str | None:
    """Whether the court finds the circumstance ``kind`` whose word is ``text[start:end]``
    (inside the reasoning ``text[lo:hi]``): not part of a title (《关于处理自首和立功…》),
    not negated (不构成自首), not a defence's claim the court does not accept (辩护人提出…
    系犯罪中止…不予采纳). Returns the words of its sentence before it (whose person it is),
    or ``None``. Shared by the card's circumstances and the sentencing module's further
    ones (:mod:`tasks.sentencing.circumstances`)."""
    s_lo = max(text.rfind("。", lo, start), text.rfind("；", lo, start)) + 1
    s_lo = max(s_lo, lo)
    ends = [i for i in (text.find("。", end, hi), text.find("；", end, hi)) if i >= 0]
    s_hi = min(ends) if ends else hi
    sentence = text[s_lo:s_hi]
    before = text[s_lo:start]
    if before.rfind("《") > before.rfind("》"):
        return None
    if _NEGATION.search(before) or re.search(
        rf"(?:不构成|不属于?|不能认定为?|不认定为?|不应认定为?|不具有|而非){re.escape(kind)}",
        sentence,
    ):
        return None
    if _DEFENCE.search(sentence):
        # the court often answers in the sentence after the defence's (上述辩护意见…予以采纳)
        following = "。".join(text[s_hi:hi].split("。")[:2])[:200]
        if _REJECTED.search(sentence) or not (
            _ACCEPTED.search(sentence) or _ACCEPTED.search(following)
        ):
            return None
    return before


def persons_for(before: str, defendants: list[str]) -> list[str | None]:
    if len(defendants) == 1:
        return [defendants[0]]
    hits = sorted(((before.rfind(n), n) for n in defendants if before.rfind(n) >= 0), reverse=True)
    if not hits:
        # 二被告人有自首情节 / 两名被告人到案后…: all of them, and only when no one is named
        return list(defendants) if _ALL_DEFENDANTS.search(before) else [None]
    last_pos, last = hits[0]
    # 被告人甲、乙、丙到案后…: every name of the run joined by 、
    run = [last]
    start = last_pos
    for pos, name in hits[1:]:
        if before[pos + len(name) : start] == "、":
            run.append(name)
            start = pos
    if len(run) > 1:
        return run  # type: ignore[return-value]
    if "均" in before[last_pos:]:
        # 被告人甲、乙均系从犯: every defendant named in the run before 均
        names = [n for p, n in hits if "，" not in before[p:last_pos]]
        return names  # type: ignore[return-value]
    return [last]


# ---------------------------------------------------------------- the case


def _judgment_date(doc: Doc, sections: Sections) -> dt.date | None:
    for span in _spans(doc, FIELDS_KEY, "DATE", sections.tail, sections.tail + 200):
        if re.match(r"[〇零○一二]", span.text):
            return parse_date(span.text)
    return None


def _amounts(doc: Doc, sections: Sections) -> list[float]:
    out: list[float] = []
    for span in _spans(doc, FIELDS_KEY, "AMOUNT", *sections.facts):
        value = amount_to_yuan(span.text)
        if value is not None and value not in out:
            out.append(value)
    return out


def _case_charges(
    doc: Doc, sections: Sections, sentences: list[Sentence]
) -> list[tuple[str, str]]:
    """The charges as decided: (as written, catalogue name) pairs."""
    charges: list[tuple[str, str]] = []
    for s in sentences:
        written = s.charges_written or s.charges
        for pair in zip(written, map(lexicon.canonical_charge, written), strict=True):
            if pair[1] and pair not in charges:
                charges.append(pair)  # type: ignore[arg-type]
    if charges:
        return charges
    text = _text(doc)
    reasoning = text[slice(*sections.reasoning)]
    for m in re.finditer(
        r"(?:构成|涉嫌|以)(?P<c>[^，,。；;：:\s]{1,40}?罪)(?=[，,。；;（(\s]|追究|$)", reasoning
    ):
        c = lexicon.canonical_charge(m["c"])
        if c and (m["c"], c) not in charges:
            charges.append((m["c"], c))
    if not charges:
        charges = _written_charges_in(text[sections.parties[1] : sections.facts[0] + 400])
    if not charges:
        # 起诉意见书, 不起诉决定书, warrants: 涉嫌故意伤害罪 / 以盗窃罪追究; the conclusion
        # after the parties section first, the parties' own 因涉嫌…罪被拘留 only without one
        charges = _suspected(text[sections.parties[1] :]) or _suspected(text)
    return charges


_SUSPECTED = re.compile(r"涉嫌(?:犯)?|以(?:涉嫌)?")
_CHARGE_STOP = re.compile(r"[，,。；;：:\s（(]")


def _charge_at(text: str, pos: int) -> tuple[list[tuple[str, str]], int]:
    """The charge(s) written from ``pos`` on, up to the first 罪 that makes an official one
    (盗窃罪, 掩饰、隐瞒犯罪所得罪 …) as (written, official) pairs, and where the writing
    ends; ``[]`` when none does."""
    stop = _CHARGE_STOP.search(text, pos, pos + 41)
    end = stop.start() if stop else min(len(text), pos + 40)
    for crime in re.finditer("罪", text[pos:end]):
        written = text[pos : pos + crime.end()]
        official = lexicon.canonical_charge(written)
        if official:
            return [(written, official)], pos + crime.end()
        pieces = [p if p.endswith("罪") else p + "罪" for p in re.split(r"(?<=罪)、", written)]
        parts = [(p, lexicon.canonical_charge(p)) for p in pieces]
        if len(parts) > 1 and all(o for _, o in parts):
            return parts, pos + crime.end()  # type: ignore[return-value]
    return [], pos


def _suspected(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _SUSPECTED.finditer(text):
        found, pos = _charge_at(text, m.end())
        while found:
            out += [c for c in found if c not in out]
            if text[pos : pos + 1] != "、":
                break
            found, pos = _charge_at(text, pos + 1)
    return out


def suspected_charges(text: str) -> list[str]:
    """Charges a suspect is held or accused for: 涉嫌(犯)XX罪, 以(涉嫌)XX罪; a list joined
    by 、 (涉嫌盗窃罪、诈骗罪) gives each. Only official charge names count, so 以非法占有为
    目的 or 涉嫌犯罪 give nothing."""
    return _names(_suspected(text))


_ACCUSED = re.compile(
    r"指控(?:原审)?被告人(?P<names>[\u4e00-\u9fff·]{2,4}?(?:、[\u4e00-\u9fff·]{2,4}?)*)犯"
)


def _accused(text: str) -> list[str]:
    """Defendants when there is no parties section (an abridged judgment): the names in
    指控被告人甲、乙犯…罪."""
    m = _ACCUSED.search(text)
    if not m:
        return []
    names = m["names"].split("、")
    return [] if any(_NOT_A_NAME.search(n) for n in names) else list(dict.fromkeys(names))


def assemble_case(doc: Doc) -> Case:
    sections = find_sections(doc)
    parties = _roles_in_parties(doc, sections)
    persons = [_person(doc, p) for p in parties]
    defendants = list(dict.fromkeys(p.name for p in parties if p.role in ("被告人", "犯罪嫌疑人")))
    measures = [m for p in parties if p.role in ("被告人", "犯罪嫌疑人") for m in _measures(doc, p)]
    if not defendants:
        defendants = _accused(_text(doc))
        persons += [Person(name=n, role="被告人") for n in defendants]
    persons += _named_others(doc, sections, {p.name for p in persons})
    sentences = _sentences(doc, sections, defendants)
    statute_lo = sections.reasoning[0]
    statutes = _statutes(doc, statute_lo, sections.verdict[0] + 10)
    decided = _case_charges(doc, sections, sentences)
    text = _text(doc)
    dates = _resolve_dates(doc, 0, len(text))
    priors = [
        c
        for p in parties
        if p.role in ("被告人", "犯罪嫌疑人")
        for c in prior_convictions(text, dates, p.name, p.start, p.end, _charges_in)
    ]
    return Case(
        **case_facts(doc, text, dates, sections, defendants),
        prior_convictions=priors,
        case_no=case_number(doc),
        court=court(doc),
        procuratorate=procuratorate(doc, sections),
        indictment_no=indictment_number(doc),
        charges=_names(decided),
        charges_written=_written(decided),
        statutes=statutes,
        persons=persons,
        coercive_measures=measures,
        sentences=sentences,
        circumstances=_circumstances(doc, sections, defendants),
        amounts_yuan=_amounts(doc, sections),
        judgment_date=_judgment_date(doc, sections),
    )

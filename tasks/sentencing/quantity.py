"""What a charge's tier is measured by, read from a case's facts (定罪量刑的数额、数量).

A charge of the guideline table names its ``unit``; each unit is one registered reader
(``MEASURES``) of the card and the facts text:

* ``yuan`` — the case's amount: the largest amount the facts name when it is about as much
  as the rest together (a total stated beside its parts), else their sum;
* ``grams`` — drugs as heroin/methamphetamine grams (折算, ``data/drug_equivalents.csv``):
  every ``N克/千克/毫克`` of the facts with the drug its sentence names; a stated total
  (共计、共重、合计…) wins, else the quantities are added up as the amounts are;
* ``mg_per_100ml`` — blood alcohol of a drunk driver (醉驾, 血液中乙醇含量 ≥ 80 mg/100 ml);
* ``injury`` — the gravest injury the facts state as an ordinal: 轻微伤 0, 轻伤二级 1,
  轻伤 1.5 (grade not given), 轻伤一级 2, 重伤二级 3, 重伤 3.5, 重伤一级 4, 死亡 5;
* ``casualties`` — a traffic accident's deaths and serious injuries, counted by victim, as
  death equivalents weighted by the defendant's share of responsibility (事故责任), after
  法释〔2000〕33号 (``data/casualties.yaml``).

Each returns ``None`` when the facts do not say; the tier then follows the facts' words.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from schemas.case_card import Case as CardCase

DATA = Path(__file__).resolve().parent / "data" / "drug_equivalents.csv"
_SENTENCE = re.compile(r"[。；;\n]")
_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(千克|公斤|kg|KG|毫克|mg|克|g)(?![A-Za-z/每])")
_TOTAL = re.compile(r"(?:共计|共重|合计|总计|累计|总重|总净重|共)(?:净重|重|约|为|达)*\s*$")
_NEGATED = re.compile(r"(?:未|没有|无|不|并非|不构成|不属于|不能认定)[^，。；]{0,4}$")
# a quantity beside none of the names counts as heroin when its sentence calls it a drug
_GENERIC = re.compile(r"毒品|疑似|可疑|晶体|粉末")
_UNITS = {"千克": 1000.0, "公斤": 1000.0, "kg": 1000.0, "KG": 1000.0, "毫克": 0.001,
          "mg": 0.001, "克": 1.0, "g": 1.0}

UNIT_LABELS = {"yuan": "元", "grams": "克", "mg_per_100ml": "mg/100ml", "injury": "（伤情等级）",
               "casualties": "（死亡人数当量）"}
LINEAR_UNITS = frozenset({"injury"})  # ordinal: a tier's position is not on a log scale

Measure = Callable[[CardCase, str | None], float | None]
MEASURES: dict[str, Measure] = {}


def measure(unit: str) -> Callable[[Measure], Measure]:
    """Register the reader of one unit."""

    def register(fn: Measure) -> Measure:
        MEASURES[unit] = fn
        return fn

    return register


def fold(text: str) -> str:
    """Full-width digits, slashes and points folded (１．２ｍｇ／１００ｍｌ → 1.2mg/100ml);
    thousands separators dropped."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?<=\d)[,，](?=\d{3})", "", text)


def stated(text: str, word: str, person: str | None = None,
           defendants: Sequence[str] = ()) -> bool:
    """``word`` occurs in ``text`` and not negated (未逃逸, 不构成重伤); with ``person`` among
    several ``defendants``, only where it is that person's act: the defendant named last
    before the word in its sentence is ``person``, or (none before) the first named after
    it, or no defendant is named in the sentence at all (卢辉驾车撞倒…，宁美元…驾车逃逸: 逃逸
    is 宁美元's)."""
    others = [d for d in defendants if d != person]
    for m in re.finditer(re.escape(word), text):
        if _NEGATED.search(text[max(0, m.start() - 8): m.start()]):
            continue
        if person is None or not others:
            return True
        lo = max(text.rfind(c, 0, m.start()) for c in "。；\n") + 1
        ends = [i for i in (text.find(c, m.end()) for c in "。；\n") if i >= 0]
        before, after = text[lo: m.start()], text[m.end(): min(ends) if ends else len(text)]
        named = sorted(((before.rfind(d), d) for d in defendants if d in before), reverse=True)
        if named:
            actor = named[0][1]
        else:
            later = sorted((after.find(d), d) for d in defendants if d in after)
            actor = later[0][1] if later else person
        if actor == person:
            return True
    return False


def case_amount(amounts: Sequence[float]) -> float:
    """The amount of a case from the amounts its facts name: their largest when it is
    about as much as the rest together (a total stated beside its parts), else their sum
    (several thefts, each named)."""
    top = max(amounts)
    rest = sum(amounts) - top
    return top if top >= 0.8 * rest else top + rest


@measure("yuan")
def amount_yuan(case: CardCase, text: str | None) -> float | None:
    return case_amount(case.amounts_yuan) if case.amounts_yuan else None


@lru_cache(maxsize=1)
def drug_factors() -> dict[str, float]:
    with open(DATA, encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        table = {row["name"]: float(row["factor"]) for row in rows}
    return dict(sorted(table.items(), key=lambda kv: -len(kv[0])))


@lru_cache(maxsize=1)
def _drug_names() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, drug_factors())))


def drug_grams_of(text: str | None) -> float | None:
    """Heroin/methamphetamine-equivalent grams of the drugs the facts name (see the module
    docstring); ``None`` when no quantity is stated beside a drug."""
    if not text:
        return None
    text = fold(text)
    factors = drug_factors()
    names = _drug_names()
    totals: list[float] = []
    parts: list[float] = []
    # a quantity whose sentence names no drug (疑似毒品…共重27.57克) is of the drug the facts
    # name elsewhere (…检出氯胺酮成分), when they name one kind only; else counted as heroin
    kinds = {factors[m.group(0)] for m in names.finditer(text)}
    default = kinds.pop() if len(kinds) == 1 else 1.0
    for piece in _SENTENCE.split(text):
        found = [(m.start(), factors[m.group(0)]) for m in names.finditer(piece)]
        generic = _GENERIC.search(piece) is not None
        for q in _QUANTITY.finditer(piece):
            if not found and not generic:
                continue
            # the drug named nearest to the quantity (before it by preference)
            before = [f for pos, f in found if pos < q.start()]
            after = [f for pos, f in found if pos > q.end()]
            factor = before[-1] if before else after[0] if after else default
            grams = float(q.group(1)) * _UNITS[q.group(2)] * factor
            if grams <= 0:
                continue
            (totals if _TOTAL.search(piece[max(0, q.start() - 8): q.start()]) else parts
             ).append(grams)
    if totals:
        return max(totals)
    # each sale is counted (the same 0.4 g twice is two sales); a summary beside its
    # parts is about as large as they together and is taken alone
    return case_amount(parts) if parts else None


@measure("grams")
def drug_grams(case: CardCase, text: str | None) -> float | None:
    return drug_grams_of(text)


_BAC = re.compile(
    r"(\d+(?:\.\d+)?)\s*(mg|毫克)\s*/\s*(100\s*(?:ml|mL|ML|毫升)|(?:ml|mL|ML|毫升))"
    r"|每\s*100\s*(?:ml|mL|ML|毫升)血液?中?(?:含)?(?:乙醇|酒精)(?:含量)?(?:为)?\s*(\d+(?:\.\d+)?)\s*(?:mg|毫克)"
)


def blood_alcohol(text: str | None) -> float | None:
    """Blood alcohol in mg/100 ml (179毫克/100毫升, 1.16mg/mL → 116, 每100ml血液含乙醇246mg);
    a blood test wins over a breath test (呼气) when both are given."""
    if not text:
        return None
    text = fold(text)
    blood, breath = [], []
    for m in _BAC.finditer(text):
        if m.group(1):
            value = float(m.group(1)) * (1.0 if "100" in m.group(3) else 100.0)
        else:
            value = float(m.group(4))
        context = text[max(0, m.start() - 30): m.start()]
        (breath if "呼气" in context or "呼吸" in context else blood).append(value)
    values = blood or breath
    return max(values) if values else None


@measure("mg_per_100ml")
def _bac(case: CardCase, text: str | None) -> float | None:
    return blood_alcohol(text)


INJURY_GRADES = {"轻微伤": 0.0, "轻伤二级": 1.0, "轻伤": 1.5, "轻伤一级": 2.0, "重伤二级": 3.0,
                 "重伤": 3.5, "重伤一级": 4.0, "死亡": 5.0}
_INJURY = re.compile("|".join(sorted(INJURY_GRADES, key=len, reverse=True)))


def injury_grade(text: str | None) -> float | None:
    """The gravest injury stated (not negated) in the facts, as an ordinal."""
    if not text:
        return None
    grades = [INJURY_GRADES[m.group(0)] for m in _INJURY.finditer(text)
              if not _NEGATED.search(text[max(0, m.start() - 8): m.start()])]
    return max(grades) if grades else None


@measure("injury")
def _injury(case: CardCase, text: str | None) -> float | None:
    return injury_grade(text)


CASUALTY_DATA = Path(__file__).resolve().parent / "data" / "casualties.yaml"
_CLAUSE = re.compile(r"[，,。；;：:\n]")
# a named victim: 张某, 庄某1 (pseudonymised) anywhere; a full name only after 被害人 …
_VICTIM = re.compile(
    r"([\u4e00-\u9fff]某\d*)"
    r"|(?:被害人|受害人|死者|伤者)([\u4e00-\u9fff]{2,3}?)"
    r"(?=[、和及与]|当场|经|因|抢救|被|送|在|于|符合|死亡|受伤|重伤|的|$)"
)
_COUNTED = re.compile(r"([一二两三四五六七八九十\d]+)(?:人|名)[^，。；]{0,6}?(?:当场)?(死亡|重伤)")
_HARM = re.compile(r"死亡(?!证明|报告|原因|鉴定|通知)|重伤")
_NOT_YET = re.compile(r"(?:濒临|濒于|险些|差点|未|没有|不构成|并非)[^，。；]{0,3}$")
_RESPONSIBILITY = re.compile(r"(全部|主要|同等|次要)责任")
_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9, "十": 10}


@dataclass(frozen=True)
class Casualties:
    """A traffic accident's consequences as the facts state them."""

    deaths: int
    serious: int  # 重伤, of victims who did not die
    responsibility: str | None  # 全部 / 主要 / 同等 / 次要, the defendant's

    def equivalent(self) -> float:
        """Death equivalents (``data/casualties.yaml``): deaths and serious injuries
        weighted, times the share the defendant's responsibility counts for."""
        table = casualty_table()
        raw = (self.deaths * table["weights"]["死亡"]
               + self.serious * table["weights"]["重伤"])
        share = table["responsibility"].get(self.responsibility or "", 1.0)
        return raw * share


@lru_cache(maxsize=1)
def casualty_table() -> dict:
    return yaml.safe_load(CASUALTY_DATA.read_text(encoding="utf-8"))


def _count(token: str) -> int:
    return int(token) if token.isdigit() else _NUMERALS.get(token, 0)


def casualties_of(text: str | None, defendants: Sequence[str] = ()) -> Casualties | None:
    """Deaths and serious injuries of an accident, by victim (the facts repeat them: the
    indictment's account, the court's findings, the autopsy), and the defendant's
    responsibility (the gravest stated beside a defendant or 被告人); ``None`` when the facts
    name neither."""
    if not text:
        return None
    text = fold(text)
    dead: set[str] = set()
    hurt: set[str] = set()
    counted = {"死亡": 0, "重伤": 0}
    anonymous = {"死亡": False, "重伤": False}
    levels: list[str] = []
    order = ["全部", "主要", "同等", "次要"]
    for clause in _CLAUSE.split(text):
        for m in _COUNTED.finditer(clause):
            counted[m.group(2)] = max(counted[m.group(2)], _count(m.group(1)))
        harms = [m for m in _HARM.finditer(clause)
                 if not _NOT_YET.search(clause[max(0, m.start() - 6): m.start()])]
        if harms:
            names = {a or b for a, b in _VICTIM.findall(clause[: harms[-1].start()])}
            names -= set(defendants)
            kinds = {m.group(0) for m in harms}
            kind = "死亡" if "死亡" in kinds else "重伤"
            (dead if kind == "死亡" else hurt).update(names)
            if not names:
                anonymous[kind] = True
        r = _RESPONSIBILITY.search(clause)
        if r and "不负" not in clause and "被害人" not in clause[: r.start()] and (
                "被告人" in clause or any(d in clause for d in defendants)):
            levels.append(r.group(1))
    deaths = max(len(dead), counted["死亡"], 1 if anonymous["死亡"] else 0)
    serious = max(len(hurt - dead), counted["重伤"], 1 if anonymous["重伤"] and not hurt else 0)
    responsibility = min(levels, key=order.index) if levels else None
    if not deaths and not serious:
        return None
    return Casualties(deaths=deaths, serious=serious, responsibility=responsibility)


@measure("casualties")
def _casualties(case: CardCase, text: str | None) -> float | None:
    defendants = [p.name for p in case.persons if p.role in ("被告人", "犯罪嫌疑人")]
    found = casualties_of(text, defendants)
    return found.equivalent() if found else None


# where the court's own findings start: a judgment gives the indictment's account and then
# what the court found (often the same quantities again, or a corrected total)
_FINDINGS = re.compile(r"经审理查明|本院审理查明|经审理认定|经本院审理查明")
MIN_FINDINGS = 30  # characters on each side: an account before, findings after


def court_findings(facts: str | None) -> str | None:
    """The court's findings (after the last 经审理查明) when the facts give them apart from
    the indictment's account; ``None`` otherwise."""
    if not facts:
        return None
    found = list(_FINDINGS.finditer(facts))
    if not found or found[-1].start() < MIN_FINDINGS or len(facts) - found[-1].end() < MIN_FINDINGS:
        return None
    return facts[found[-1].end():]


def quantity(unit: str | None, case: CardCase, facts: str | None) -> float | None:
    """The case's measure in ``unit`` (``None``: no unit, or the facts do not say): read in
    the court's findings where they stand apart from the indictment's account (a quantity
    told twice is not twice the quantity), else in the whole facts."""
    if unit is None:
        return None
    findings = court_findings(facts)
    if findings is not None:
        value = MEASURES[unit](case, findings)
        if value is not None:
            return value
    return MEASURES[unit](case, facts)

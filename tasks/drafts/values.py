"""The values a draft may hold, each with where it came from.

Every value is read from the case card (``case.…``, ``documents[…]``), the review report
(``review.points[…]``) or the statute tables (``law:…``); :class:`Value` keeps the
source so a test can compare every filled value with it. A value the sources do not
hold is ``None`` and prints as 【待补充：…】.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from schemas.case_card import CaseCard, Person, Statute
from schemas.review import ReviewReport

__all__ = ["Value", "case_values", "cn_date", "defendant_values", "list_values"]

KIND_ZH = {"review": "审查规则", "conclusion": "结论规则", "document": "文书规则"}
SEVERITY_ZH = {"high": "重要", "medium": "一般", "low": "提示"}
_ACCUSED = ("被告人", "犯罪嫌疑人")


@dataclass(frozen=True)
class Value:
    text: str
    sources: tuple[str, ...] = field(default_factory=tuple)


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _yuan(amount: float) -> str:
    return f"{amount:g}元" if amount != int(amount) else f"{int(amount)}元"


def _statute(s: Statute) -> str:
    out = f"第{s.article}条" + (f"之{s.sub}" if s.sub else "")
    if s.paragraph:
        out += f"第{s.paragraph}款"
    if s.item:
        out += f"第{s.item}项"
    return out


def _defendants(card: CaseCard) -> list[tuple[int, Person]]:
    seen: set[str] = set()
    out = []
    for i, p in enumerate(card.case.persons):
        if p.role in _ACCUSED and p.name not in seen:
            seen.add(p.name)
            out.append((i, p))
    return out


def case_values(card: CaseCard, report: ReviewReport | None) -> dict[str, Value | None]:
    """The values of the case as a whole."""
    from tasks.review.law import charge_spec

    case = card.case
    v: dict[str, Value | None] = {}
    for name in ("procuratorate", "court", "indictment_no", "case_no"):
        raw = getattr(case, name)
        v[name] = Value(raw, (f"case.{name}",)) if raw else None
    defendants = _defendants(card)
    v["names"] = Value(
        "、".join(p.name for _, p in defendants),
        tuple(f"case.persons[{i}].name" for i, _ in defendants),
    ) if defendants else None
    v["charges"] = Value(
        "、".join(case.charges), tuple(f"case.charges[{i}]" for i in range(len(case.charges)))
    ) if case.charges else None
    criminal = [(i, s) for i, s in enumerate(case.statutes) if s.law == "中华人民共和国刑法"]
    v["statutes"] = Value(
        "《中华人民共和国刑法》" + "、".join(_statute(s) for _, s in criminal),
        tuple(f"case.statutes[{i}]" for i, _ in criminal),
    ) if criminal else None
    if case.offence_date:
        v["offence_date"] = Value(cn_date(case.offence_date), ("case.offence_date",))
    v["offence_place"] = (
        Value(case.offence_place, ("case.offence_place",)) if case.offence_place else None
    )
    v["amount"] = (
        Value(_yuan(case.amount_total_yuan), ("case.amount_total_yuan",))
        if case.amount_total_yuan is not None else None
    )
    kinds = sorted({(k, i) for i, d in enumerate(card.documents) for k in d.evidence},
                   key=lambda x: x[1])
    names = list(dict.fromkeys(k for k, _ in kinds))
    v["evidence"] = Value(
        "、".join(names), tuple(f"documents[{i}].evidence" for i in sorted({i for _, i in kinds}))
    ) if names else None
    circ = [(i, c) for i, c in enumerate(case.circumstances)]
    if circ:
        by_person: dict[str, list[str]] = {}
        for _, c in circ:
            by_person.setdefault(c.person or "被告人", []).append(c.kind)
        v["circumstances"] = Value(
            "；".join(
                f"被告人{p}具有{'、'.join(dict.fromkeys(k))}情节" for p, k in by_person.items()
            ) + "。",
            tuple(f"case.circumstances[{i}]" for i, _ in circ),
        )
    plea = [(i, c) for i, c in circ if c.kind == "认罪认罚"]
    if plea:
        who = "、".join(dict.fromkeys(c.person or "被告人" for _, c in plea))
        v["plea"] = Value(f"被告人{who}自愿认罪认罚。",
                          tuple(f"case.circumstances[{i}]" for i, _ in plea))
    transfer = [(i, d) for i, d in enumerate(card.documents) if d.type == "起诉意见书" and d.date]
    if transfer:
        i, d = transfer[0]
        v["transfer_date"] = Value(cn_date(d.date), (f"documents[{i}].date",))  # type: ignore[arg-type]
    ranges = []
    sources = []
    for i, charge in enumerate(case.charges):
        spec = charge_spec(charge)
        if spec is None or not spec.tiers:
            continue
        ranges.append(f"{charge}：" + "；".join(
            f"{t.condition}，处{t.text}" for t in spec.tiers))
        sources += [f"case.charges[{i}]", f"law:{spec.article}"]
    v["statutory_range"] = Value("。".join(ranges), tuple(sources)) if ranges else None
    measured = []
    msources = []
    for i, a in enumerate(case.alcohol):
        measured.append(f"{a.method}酒精含量{a.mg_per_100ml:g}mg/100ml")
        msources.append(f"case.alcohol[{i}]")
    for i, d in enumerate(case.drugs):
        measured.append(f"{d.drug}{d.grams:g}克")
        msources.append(f"case.drugs[{i}]")
    for i, inj in enumerate(case.injuries):
        measured.append(f"损伤程度{inj.grade}")
        msources.append(f"case.injuries[{i}]")
    v["measurements"] = Value("；".join(measured) + "。", tuple(msources)) if measured else None
    for name in ("investigator", "facts", "prosecutor", "date", "custody", "opinion"):
        v[name] = None  # not on the card: for the prosecutor to write
    return v


def defendant_values(card: CaseCard, index: int, person: Person) -> dict[str, Value | None]:
    """The values of one defendant (persons[index])."""
    case = card.case
    src = f"case.persons[{index}]"
    v: dict[str, Value | None] = {"name": Value(person.name, (f"{src}.name",))}
    v["gender"] = Value(person.gender, (f"{src}.gender",)) if person.gender else None
    v["birth_date"] = (
        Value(cn_date(person.birth_date), (f"{src}.birth_date",)) if person.birth_date else None
    )
    v["ethnicity"] = Value(person.ethnicity, (f"{src}.ethnicity",)) if person.ethnicity else None
    for name in ("id_number", "birthplace", "education", "occupation", "address",
                 "suggestion", "execution"):
        v[name] = None  # the card keeps ID numbers masked only; the rest it does not hold
    priors = [(i, p) for i, p in enumerate(case.prior_convictions) if p.person == person.name]
    if priors:
        parts = []
        for _, p in priors:
            part = f"{cn_date(p.date)}" if p.date else ""
            part += f"因犯{'、'.join(p.charges)}" if p.charges else ""
            part += f"被判处{p.penalty}" if p.penalty else ""
            part += f"{p.months}个月" if p.months else ""
            part += f"，{cn_date(p.release_date)}刑满释放" if p.release_date else ""
            parts.append(part)
        v["prior"] = Value(
            "；".join(parts), tuple(f"case.prior_convictions[{i}]" for i, _ in priors)
        )
    else:
        v["prior"] = None
    measures = [(i, m) for i, m in enumerate(case.coercive_measures)
                if m.person == person.name and m.date]
    v["measures"] = Value(
        "，".join(f"{cn_date(m.date)}被{m.kind}" for _, m in measures),  # type: ignore[arg-type]
        tuple(f"case.coercive_measures[{i}]" for i, _ in measures),
    ) if measures else None
    return v


def list_values(card: CaseCard, report: ReviewReport | None, each: str) -> list[dict]:
    """The items a repeated paragraph runs over."""
    if each == "defendants":
        return [defendant_values(card, i, p) for i, p in _defendants(card)]
    if each == "counts":
        out = []
        for i, c in enumerate(card.case.counts):
            out.append({
                "n": Value(str(i + 1), ()),
                "count_date": (
                    Value(cn_date(c.date), (f"case.counts[{i}].date",)) if c.date else None
                ),
                "count_place": Value(c.place, (f"case.counts[{i}].place",)) if c.place else None,
                "count_amount": Value(_yuan(c.amount_yuan), (f"case.counts[{i}].amount_yuan",))
                if c.amount_yuan is not None else None,
            })
        return out if len(out) > 1 else []  # one count is the facts above
    if each == "points":
        if report is None:
            return []
        return [
            {
                "point_severity": Value(SEVERITY_ZH[p.severity], (f"review.points[{i}].severity",)),
                "point_kind": Value(KIND_ZH[p.kind], (f"review.points[{i}].kind",)),
                "point_message": Value(p.message, (f"review.points[{i}].message",)),
            }
            for i, p in enumerate(report.points)
        ] or [{"point_severity": Value("—", ()), "point_kind": Value("—", ()),
               "point_message": Value("未发现审查规则、结论规则、文书规则所列问题", ())}]
    raise ValueError(f"unknown repetition {each!r}")

"""A realistic, mutually consistent feed batch with anomalies planted at known rates.

``generate_batch(people, seed, out, as_of)`` writes the eleven FEEDS.md files and
``planted.jsonl`` — one line per lead each model must find (model and evidence
records) — plus ``generated.json`` (as-of date, counts, the rates used).

People get one story each (most have none beyond the register): an
administrative penalty, a police case, a police case with custody, a drunk-driving
non-prosecution, or a judgment (with the police case before it, and after it the
prison term, community correction, fine enforcement and, for retirees, pension
payments that follow from it). Every story is normal by default — filed in
time, released in time, fined where the law says, checked in within 10 days —
and a known share of each is turned into one anomaly, with near-misses beside
them that a correct model must leave alone: a day inside a limit, an amount
one yuan under a threshold, a probation term exactly at its bound.

The sentences come from discrete sets per charge and amount band in which each
value is common, so the 5th and 95th percentiles are the sets' ends and only
the planted outliers fall outside; the deviation oracle still applies the
percentile definition (cume_dist) to the generated rows, because a small batch
can have groups under 20 cases or outliers that move a percentile.

Names are fictitious; ID numbers have valid check digits (python-stdnum) and
real region codes; courts and police are the sample jurisdictions.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from stdnum.cn import ric

from dossier.samples.fictitious import BIRTH_REGIONS, GIVEN, JURISDICTIONS, SURNAMES
from schemas.feeds import FEEDS
from tasks.supervision.law_tables import statutory_thresholds

# Shares of people with each story, and of stories turned into each anomaly.
STORY_RATES = {"admin": 0.03, "police": 0.05, "custody": 0.04, "dui": 0.015, "judgment": 0.06}
ANOMALY_RATES = {
    "penalty_instead_of_prosecution": 0.05,
    "unfiled_police_case": 0.04,
    "detention_overdue": 0.03,
    "custody_overdue": 0.03,
    "bail_overdue": 0.03,
    "dui_no_licence_revocation": 0.05,
    "probation_ineligible": 0.01,
    "probation_term_invalid": 0.01,
    "fine_missing": 0.01,
    "sentence_out_of_range": 0.01,
    "article_charge_mismatch": 0.01,
    "sentence_deviation": 0.01,
    "corrections_missed": 0.05,
    "pension_while_imprisoned": 0.2,
    "fine_unenforced": 0.03,
}
NEAR_MISS_RATE = 0.03
RETIREE_SHARE = 0.08
PENSION_MONTHS = 12

# Sentences (months) per charge and amount band; each value common (see module doc).
SENTENCES: dict[str, dict[int, tuple[int, ...]]] = {
    "盗窃罪": {1: (6, 7, 8, 9, 10), 2: (8, 10, 12, 15), 3: (12, 18, 24, 30), 4: (36, 42, 48, 60),
             5: (72, 84, 96, 120), 6: (120, 132, 144)},
    "诈骗罪": {1: (6, 8, 10), 2: (8, 10, 12, 15), 3: (12, 18, 24, 30), 4: (36, 42, 48, 60),
             5: (72, 84, 96, 120), 6: (120, 132, 144)},
    "危险驾驶罪": {0: (1, 2, 3, 4, 5, 6)},
    "故意伤害罪": {0: (6, 8, 10, 12, 18, 24, 36)},
    "寻衅滋事罪": {0: (6, 8, 10, 12, 18, 24)},
}
ARTICLES = {"盗窃罪": "264", "诈骗罪": "266", "危险驾驶罪": "133之一", "故意伤害罪": "234",
            "寻衅滋事罪": "293"}
FINED = {"盗窃罪", "诈骗罪", "危险驾驶罪"}
AMOUNT_BANDS = (3_000, 10_000, 30_000, 100_000, 500_000)  # as models.sentencing
ADMIN_AGENCIES = ("{police}", "{district}市场监督管理局", "{district}城市管理综合行政执法局")


def band_of(amount: float | None) -> int:
    if amount is None or amount <= 0:
        return 0
    for i, bound in enumerate(AMOUNT_BANDS):
        if amount < bound:
            return i + 1
    return len(AMOUNT_BANDS) + 1


def add_months(date: dt.date, months: int) -> dt.date:
    """Calendar months clamped to the month's end, as ``tasks.supervision.sql.add_months``."""
    return date + relativedelta(months=months)


@dataclass
class Batch:
    as_of: dt.date
    rng: random.Random
    seed: int
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    planted: list[dict[str, Any]] = field(default_factory=list)
    near_misses: Counter = field(default_factory=Counter)
    counters: Counter = field(default_factory=Counter)

    def next_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.seed:03d}{self.counters[prefix]:08d}"

    def add(self, feed: str, **row: Any) -> dict[str, Any]:
        id_column = FEEDS[feed].id_column
        if id_column != "person_id" and not row.get(id_column):
            row[id_column] = self.next_id(_PREFIX[feed])
        self.rows[feed].append(row)
        return row

    def plant(self, model: str, person: str, *records: str, case_no: str | None = None) -> None:
        self.planted.append({"model": model, "records": sorted(records), "case_no": case_no,
                             "person": person[:6] + "*" * 11 + person[-1]})

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day(self, earliest: int, latest: int) -> dt.date:
        """A date ``latest``..``earliest`` days before as-of (earliest > latest)."""
        return self.as_of - dt.timedelta(days=self.rng.randint(latest, earliest))


_PREFIX = {"police_cases": "PC", "measures": "M", "admin_penalties": "AP", "judgments": "J",
           "non_prosecutions": "NP", "licence_revocations": "LR", "corrections": "CR",
           "prison": "PR", "pensions": "PN", "fine_enforcement": "FE"}


def _id_number(rng: random.Random, birth: dt.date, serial: int) -> str:
    body = f"{rng.choice(BIRTH_REGIONS)}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it drops the last character


def make_people(b: Batch, count: int) -> list[dict[str, Any]]:
    seen: set[str] = set()
    people = []
    while len(people) < count:
        retiree = b.chance(RETIREE_SHARE)
        age = b.rng.randint(61, 85) if retiree else b.rng.randint(18, 58)
        birth = b.as_of - dt.timedelta(days=age * 365 + b.rng.randint(0, 364))
        number = _id_number(b.rng, birth, b.rng.randint(0, 999))
        if number in seen:
            continue
        seen.add(number)
        given = "".join(b.rng.choice(GIVEN) for _ in range(1 if b.chance(0.3) else 2))
        person = {"person_id": number, "name": b.rng.choice(SURNAMES) + given,
                  "birth_date": birth.isoformat()}
        b.add("people", **person)
        people.append({**person, "retiree": retiree})
    return people


def _iso(date: dt.date | None) -> str:
    return date.isoformat() if date else ""


def _amount(b: Batch, threshold: float, crime: bool) -> float:
    if crime:
        return float(round(threshold * (1 + b.rng.lognormvariate(0.3, 1.1))))
    return float(b.rng.randint(50, int(threshold) - 2))


# --- stories ----------------------------------------------------------------------------


def admin_story(b: Batch, person: dict, limits: dict[str, float]) -> None:
    j = b.rng.choice(JURISDICTIONS)
    agency = b.rng.choice(ADMIN_AGENCIES).format(police=j.police, district=j.district)
    offence = b.rng.choice(("盗窃", "盗窃", "诈骗", "赌博"))
    threshold = limits.get(offence + "罪")
    decided = b.day(700, 1)
    row = {"person_id": person["person_id"], "agency": agency, "offence": offence,
           "penalty": b.rng.choice(("罚款", "行政拘留", "警告")), "decided_date": _iso(decided),
           "transferred_date": ""}
    if threshold is None:  # 赌博 has no amount threshold: big sums, never a lead
        row["amount_yuan"] = f"{b.rng.randint(100, 50000)}"
    elif b.chance(ANOMALY_RATES["penalty_instead_of_prosecution"]):
        row["amount_yuan"] = f"{_amount(b, threshold, True):.0f}"
        if b.chance(0.2):
            row["amount_yuan"] = f"{threshold:.0f}"  # exactly at the threshold counts
        added = b.add("admin_penalties", **row)
        b.plant("penalty_instead_of_prosecution", person["person_id"],
                f"admin_penalties:{added['penalty_id']}")
        return
    elif b.chance(NEAR_MISS_RATE):
        row["amount_yuan"] = f"{threshold - 1:.0f}"  # one yuan under: no crime
        b.near_misses["penalty_instead_of_prosecution"] += 1
    elif b.chance(0.15):  # a crime, transferred to the police as the law says
        row["amount_yuan"] = f"{_amount(b, threshold, True):.0f}"
        row["transferred_date"] = _iso(decided + dt.timedelta(days=b.rng.randint(0, 20)))
        if row["transferred_date"] > _iso(b.as_of):
            row["transferred_date"] = _iso(b.as_of)
    else:
        row["amount_yuan"] = f"{_amount(b, threshold, False):.0f}"
    b.add("admin_penalties", **row)


def police_case(b: Batch, person: dict, offence: str, amount: float | None,
                received: dt.date, filed: dt.date | None,
                withdrawn: dt.date | None = None) -> dict:
    return b.add("police_cases", person_id=person["person_id"], offence=offence,
                 amount_yuan="" if amount is None else f"{amount:.0f}",
                 received_date=_iso(received), filed_date=_iso(filed),
                 withdrawn_date=_iso(withdrawn))


def police_story(b: Batch, person: dict, limits: dict[str, float]) -> None:
    offence = b.rng.choice(("盗窃", "盗窃", "诈骗", "故意伤害", "寻衅滋事"))
    threshold = limits.get(offence + "罪")
    crime = threshold is None or b.chance(0.7)
    amount = None if threshold is None else _amount(b, threshold, crime)
    if threshold is not None and b.chance(ANOMALY_RATES["unfiled_police_case"]):
        amount = threshold if b.chance(0.2) else _amount(b, threshold, True)
        received = b.day(600, 31)
        row = police_case(b, person, offence, amount, received, None)
        b.plant("unfiled_police_case", person["person_id"], f"police_cases:{row['case_id']}",
                case_no=row["case_id"])
        return
    if threshold is not None and b.chance(NEAR_MISS_RATE):
        b.near_misses["unfiled_police_case"] += 1
        if b.chance(0.5):  # received exactly 30 days ago: still within the limit
            police_case(b, person, offence, _amount(b, threshold, True),
                        b.as_of - dt.timedelta(days=30), None)
        else:  # one yuan under the threshold, never filed: no crime
            police_case(b, person, offence, threshold - 1, b.day(600, 31), None)
        return
    received = b.day(700, 1)
    if crime and received < b.as_of - dt.timedelta(days=25):
        filed = received + dt.timedelta(days=b.rng.randint(0, 25))
        withdrawn = None
        if b.chance(0.1):
            withdrawn = filed + dt.timedelta(days=b.rng.randint(10, 100))
            withdrawn = min(withdrawn, b.as_of)
        police_case(b, person, offence, amount, received, filed, withdrawn)
    elif crime:  # received recently: filing may still come
        police_case(b, person, offence, amount, received, None)
    else:
        withdrawn = received + dt.timedelta(days=b.rng.randint(1, 20)) if b.chance(0.3) else None
        if withdrawn and withdrawn > b.as_of:
            withdrawn = None
        police_case(b, person, offence, amount, received, None, withdrawn)


def measure(b: Batch, person: dict, case_id: str, kind: str, start: dt.date,
            end: dt.date | None = None, extension: int | None = None) -> dict:
    return b.add("measures", person_id=person["person_id"], case_id=case_id, kind=kind,
                 start_date=_iso(start), end_date=_iso(end),
                 extension="" if extension is None else str(extension))


def custody_story(b: Batch, person: dict, limits: dict[str, float]) -> None:
    """拘留 → 提请逮捕 → 逮捕 (custody, extensions), or 拘留 → 释放 → 取保候审/监视居住."""
    offence = b.rng.choice(("盗窃", "诈骗", "故意伤害", "寻衅滋事"))
    threshold = limits.get(offence + "罪")
    amount = None if threshold is None else _amount(b, threshold, True)
    start = b.day(420, 40)
    case = police_case(b, person, offence, amount, start - dt.timedelta(days=b.rng.randint(0, 5)),
                       start)
    case_id = case["case_id"]
    extension = b.rng.choice((None, None, None, 7, 30))
    days = extension or 3
    deadline = start + dt.timedelta(days=days)
    pid = person["person_id"]
    anomaly = b.rng.random()
    arrest_path = b.chance(0.6)
    if anomaly < ANOMALY_RATES["detention_overdue"]:
        detention = measure(b, person, case_id, "拘留", start, None, extension)
        late = deadline + dt.timedelta(days=b.rng.randint(1, 6))
        if late < b.as_of and b.chance(0.7):
            measure(b, person, case_id, "提请逮捕", late)
        b.plant("detention_overdue", pid, f"measures:{detention['measure_id']}",
                case_no=case_id)
        return
    asked = deadline if b.chance(NEAR_MISS_RATE) else start + dt.timedelta(
        days=b.rng.randint(1, days))
    if asked == deadline:
        b.near_misses["detention_overdue"] += 1
    measure(b, person, case_id, "拘留", start, asked, extension)
    if arrest_path:
        measure(b, person, case_id, "提请逮捕", asked)
        arrest = asked + dt.timedelta(days=b.rng.randint(1, 7))
        extensions = b.rng.choice((0, 0, 0, 1, 2))
        months = 2
        for _ in range(extensions):
            added = b.rng.choice((1, 2))
            decided = add_months(arrest, months)  # approved before the current limit ends
            if decided > b.as_of:
                break
            months += added
            measure(b, person, case_id, "延长羁押", decided, None, added)
        limit = add_months(arrest, months)
        roll = b.rng.random()
        if roll < ANOMALY_RATES["custody_overdue"] and limit < b.as_of:
            end = limit + dt.timedelta(days=b.rng.randint(1, 20))
            end = None if end > b.as_of or b.chance(0.3) else end
            row = measure(b, person, case_id, "逮捕", arrest, end)
            b.plant("custody_overdue", pid, f"measures:{row['measure_id']}", case_no=case_id)
        elif roll < ANOMALY_RATES["custody_overdue"] + NEAR_MISS_RATE and limit <= b.as_of:
            b.near_misses["custody_overdue"] += 1
            measure(b, person, case_id, "逮捕", arrest, limit)  # ends on the limit's last day
        else:
            end = arrest + dt.timedelta(days=b.rng.randint(10, (limit - arrest).days))
            measure(b, person, case_id, "逮捕", arrest, end if end <= b.as_of else None)
        return
    measure(b, person, case_id, "释放", asked)
    kind = "取保候审" if b.chance(0.8) else "监视居住"
    months = 12 if kind == "取保候审" else 6
    limit = add_months(asked, months)
    roll = b.rng.random()
    if roll < ANOMALY_RATES["bail_overdue"] and limit < b.as_of:
        end = limit + dt.timedelta(days=b.rng.randint(1, 40))
        end = None if end > b.as_of or b.chance(0.3) else end
        row = measure(b, person, case_id, kind, asked, end)
        b.plant("bail_overdue", pid, f"measures:{row['measure_id']}", case_no=case_id)
    elif roll < ANOMALY_RATES["bail_overdue"] + NEAR_MISS_RATE and limit <= b.as_of:
        b.near_misses["bail_overdue"] += 1
        measure(b, person, case_id, kind, asked, limit)
    else:
        span = (limit - asked).days
        end = asked + dt.timedelta(days=b.rng.randint(20, span))
        measure(b, person, case_id, kind, asked, end if end <= b.as_of else None)


def dui_story(b: Batch, person: dict) -> None:
    pid = person["person_id"]
    decided = b.day(500, 1)
    mg = b.rng.randint(80, 220)
    roll = b.rng.random()
    if roll < ANOMALY_RATES["dui_no_licence_revocation"] and decided < b.as_of - dt.timedelta(31):
        row = b.add("non_prosecutions", person_id=pid, charge="危险驾驶罪",
                    blood_alcohol_mg=str(b.rng.choice((80, mg))), decided_date=_iso(decided))
        b.plant("dui_no_licence_revocation", pid, f"non_prosecutions:{row['decision_id']}")
        return
    if roll < ANOMALY_RATES["dui_no_licence_revocation"] + NEAR_MISS_RATE:
        b.near_misses["dui_no_licence_revocation"] += 1
        if b.chance(0.5):  # decided exactly 30 days ago: revocation may still come
            b.add("non_prosecutions", person_id=pid, charge="危险驾驶罪",
                  blood_alcohol_mg=str(mg), decided_date=_iso(b.as_of - dt.timedelta(30)))
        else:  # under 80 mg: not drunk driving in law
            b.add("non_prosecutions", person_id=pid, charge="危险驾驶罪",
                  blood_alcohol_mg="79", decided_date=_iso(decided))
        return
    b.add("non_prosecutions", person_id=pid, charge="危险驾驶罪", blood_alcohol_mg=str(mg),
          decided_date=_iso(decided))
    revoked = decided + dt.timedelta(days=b.rng.randint(0, 25))
    if revoked <= b.as_of:
        b.add("licence_revocations", person_id=pid, revoked_date=_iso(revoked))


@dataclass
class Sentence:
    charge: str
    band: int
    penalty: str
    months: int | None
    probation: int | None = None
    fine: float | None = None
    recidivist: bool = False
    article: str = ""
    planted: list[str] = field(default_factory=list)


def _probation_for(b: Batch, penalty: str, months: int) -> int:
    if penalty == "拘役":
        return b.rng.randint(max(months, 2), 12)
    return b.rng.choice([p for p in (12, 18, 24, 36, 48, 60) if p >= max(months, 12)])


def _sentence(b: Batch, charge: str, amount: float | None) -> Sentence:
    band = band_of(amount) if charge in ("盗窃罪", "诈骗罪") else 0
    months = b.rng.choice(SENTENCES[charge][band])
    penalty = "拘役" if charge == "危险驾驶罪" else "有期徒刑"
    s = Sentence(charge, band, penalty, months, article=ARTICLES[charge])
    if charge in FINED:
        s.fine = float(max(1000, round((amount or 2000) * b.rng.uniform(0.2, 1.5), -3)))
    s.recidivist = b.chance(0.08)
    if not s.recidivist and months <= 36 and b.chance(0.3):
        s.probation = _probation_for(b, penalty, months)
    return s


def _plant_sentence(b: Batch, s: Sentence) -> None:
    """Turn a normal sentence into one anomaly (at most one per sentence)."""
    roll = b.rng.random()
    edge = 0.0
    for model in ("probation_ineligible", "probation_term_invalid", "fine_missing",
                  "sentence_out_of_range", "article_charge_mismatch", "sentence_deviation"):
        edge += ANOMALY_RATES[model]
        if roll < edge:
            break
    else:
        model = ""
        if roll < edge + NEAR_MISS_RATE:
            _near_miss_sentence(b, s)
        return
    if model == "probation_ineligible":
        if s.penalty == "有期徒刑" and s.months and s.months > 36 and s.months <= 60:
            s.probation = b.rng.choice([p for p in (48, 60) if p >= s.months])
        elif (s.months or 0) > 36:
            return
        else:
            s.recidivist = True
            s.probation = _probation_for(b, s.penalty, s.months or 6)
    elif model == "probation_term_invalid":
        if s.months is None or s.months > 36:
            return
        s.recidivist = False
        if s.penalty == "拘役":
            s.probation = b.rng.choice((1, 13, max(1, s.months - 1))) if s.months > 2 else 13
        else:
            s.probation = b.rng.choice((6, 72, *([s.months - 6] if s.months >= 18 else [])))
    elif model == "fine_missing":
        if s.charge not in FINED:
            return
        s.fine = None
    elif model == "sentence_out_of_range":
        if s.charge != "危险驾驶罪":
            return
        s.penalty, s.probation = "有期徒刑", None
    elif model == "article_charge_mismatch":
        s.article = {"盗窃罪": "266", "诈骗罪": "264", "危险驾驶罪": "133",
                     "故意伤害罪": "232", "寻衅滋事罪": "292"}[s.charge]
    elif model == "sentence_deviation":
        normal = SENTENCES[s.charge][s.band]
        s.probation = None
        if s.penalty == "有期徒刑" and min(normal) > 6 and b.chance(0.4):
            s.months = b.rng.randint(2, min(normal) - 1)
        else:
            cap = 6 if s.penalty == "拘役" else 180
            if max(normal) >= cap:
                return
            s.months = b.rng.randint(max(normal) + 1, min(cap, max(normal) * 2))
        if s.penalty == "拘役" and s.months > 6:  # 拘役 stays within its own law
            s.months = 6
            return
    s.planted.append(model)


def _near_miss_sentence(b: Batch, s: Sentence) -> None:
    kind = b.rng.randrange(4)
    if kind == 0 and s.months and s.months <= 36 and not s.recidivist:
        s.probation = max(s.months, 12 if s.penalty == "有期徒刑" else 2)  # at the lower bound
    elif kind == 1 and s.penalty == "拘役":
        s.months = 6  # 危险驾驶罪 at its statutory maximum
        s.probation = None
    elif kind == 2 and s.charge in FINED:
        s.fine = 1000.0
    elif kind == 3 and s.penalty == "有期徒刑" and s.months == 36 and not s.recidivist:
        s.probation = 60
    else:
        return
    b.near_misses["sentencing"] += 1


def judgment_story(b: Batch, person: dict, limits: dict[str, float], case_seq: int) -> None:
    pid = person["person_id"]
    charge = b.rng.choice(("盗窃罪", "盗窃罪", "诈骗罪", "危险驾驶罪", "故意伤害罪", "寻衅滋事罪"))
    threshold = limits.get(charge)
    amount = _amount(b, threshold, True) if threshold is not None else None
    effective = b.day(900, 1)
    received = effective - dt.timedelta(days=b.rng.randint(120, 300))
    police_case(b, person, charge.removesuffix("罪"), amount, received,
                received + dt.timedelta(days=b.rng.randint(0, 10)))
    s = _sentence(b, charge, amount)
    _plant_sentence(b, s)
    j = b.rng.choice(JURISDICTIONS)
    case_no = f"（{effective.year}）{j.court_code}刑初{case_seq}号"
    penalty = s.penalty
    row = b.add("judgments", case_no=case_no, person_id=pid, court=j.court, charge=charge,
                article=s.article, penalty=penalty, months=str(s.months or ""),
                probation_months=str(s.probation or ""),
                fine_yuan="" if s.fine is None else f"{s.fine:.0f}",
                recidivist="true" if s.recidivist else "false", effective_date=_iso(effective))
    record = f"judgments:{row['judgment_id']}"
    for model in s.planted:
        b.plant(model, pid, record, case_no=case_no)
    b.rows["_sentences"].append({"record": record, "person": pid, "case_no": case_no,
                                 "charge": charge, "band": band_of(amount)
                                 if charge in ("盗窃罪", "诈骗罪") else 0,
                                 "penalty": penalty, "months": s.months})
    if s.fine:
        _fine_enforcement(b, pid, case_no, effective, record)
    if s.probation:
        _correction(b, pid, case_no, "缓刑", effective)
    elif penalty == "有期徒刑" and s.months:
        _prison(b, person, effective, s.months, case_no)


def _fine_enforcement(b: Batch, pid: str, case_no: str, effective: dt.date, record: str) -> None:
    age = (b.as_of - effective).days
    if age > 90 and b.chance(ANOMALY_RATES["fine_unenforced"]):
        b.plant("fine_unenforced", pid, record, case_no=case_no)
        return
    if age == 90 or (age < 90 and b.chance(0.5)):
        return  # not yet due
    filed = effective + dt.timedelta(days=b.rng.randint(5, 80))
    if filed <= b.as_of:
        b.add("fine_enforcement", case_no=case_no, person_id=pid, filed_date=_iso(filed))
    elif age > 90:
        b.add("fine_enforcement", case_no=case_no, person_id=pid, filed_date=_iso(b.as_of))


def _correction(b: Batch, pid: str, case_no: str, kind: str, effective: dt.date) -> None:
    age = (b.as_of - effective).days
    if age > 10 and b.chance(ANOMALY_RATES["corrections_missed"]):
        late = effective + dt.timedelta(days=b.rng.randint(11, 40))
        row = b.add("corrections", person_id=pid, case_no=case_no, kind=kind,
                    effective_date=_iso(effective),
                    checkin_date=_iso(late) if late <= b.as_of and b.chance(0.5) else "")
        b.plant("corrections_missed", pid, f"corrections:{row['correction_id']}",
                case_no=case_no)
        return
    checkin = effective + dt.timedelta(days=10 if b.chance(NEAR_MISS_RATE)
                                       else b.rng.randint(0, 9))
    b.add("corrections", person_id=pid, case_no=case_no, kind=kind,
          effective_date=_iso(effective), checkin_date=_iso(checkin) if checkin <= b.as_of
          else "")


def _prison(b: Batch, person: dict, effective: dt.date, months: int, case_no: str) -> None:
    admitted = effective + dt.timedelta(days=b.rng.randint(0, 20))
    if admitted > b.as_of:
        return
    released = add_months(admitted, months)
    parole = b.chance(0.1) and released < b.as_of and months >= 24
    if parole:  # 假释 after at least half the term: community correction for the rest
        released = add_months(admitted, months // 2 + 2)
    prison = b.add("prison", person_id=person["person_id"], admitted_date=_iso(admitted),
                   released_date=_iso(released) if released <= b.as_of else "")
    if parole:
        _correction(b, person["person_id"], case_no, "假释", released)
    if person["retiree"]:
        person["prison"] = (admitted, released if released <= b.as_of else None,
                            prison["record_id"])


def pension_months(as_of: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """The last :data:`PENSION_MONTHS` whole months before as-of: (first day, last day, label)."""
    first = as_of.replace(day=1) - relativedelta(months=PENSION_MONTHS)
    months = []
    for i in range(PENSION_MONTHS):
        start = first + relativedelta(months=i)
        end = start + relativedelta(months=1) - dt.timedelta(days=1)
        if end <= as_of:
            months.append((start, end, f"{start:%Y-%m}"))
    return months


def pension_payments(b: Batch, person: dict, months: list[tuple[dt.date, dt.date, str]]) -> None:
    """A retiree's monthly pension; months wholly inside a prison term unpaid, unless planted."""
    term = person.get("prison")
    planted_left = 0
    if term and b.chance(ANOMALY_RATES["pension_while_imprisoned"]):
        planted_left = b.rng.randint(1, 3)
    amount = f"{b.rng.randint(1800, 6000)}"
    pid = person["person_id"]
    for start, end, label in months:
        inside = term is not None and start >= term[0] and end <= (term[1] or b.as_of)
        if inside and planted_left <= 0:
            continue
        row = b.add("pensions", person_id=pid, month=label, amount_yuan=amount)
        if inside:
            planted_left -= 1
            b.plant("pension_while_imprisoned", pid, f"pensions:{row['payment_id']}",
                    f"prison:{term[2]}")


def deviation_oracle(b: Batch) -> None:
    """sentence_deviation's ground truth on the generated rows, by the percentile rule.

    Designed outliers are planted above; here each sentence is judged by the
    definition itself (cume_dist p5/p95 within charge and amount band, >= 20
    cases), so small batches, where a group is too small or an outlier moves a
    percentile, are labelled as the law's rule reads them.
    """
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for s in b.rows.pop("_sentences", []):
        if s["penalty"] in ("有期徒刑", "拘役") and s["months"]:
            groups[(s["charge"], s["band"])].append(s)
    flagged = set()
    for rows in groups.values():
        n = len(rows)
        if n < 20:
            continue
        months = sorted(r["months"] for r in rows)
        counts = Counter(months)
        cum, cd = 0, {}
        for value in sorted(counts):
            cum += counts[value]
            cd[value] = cum / n
        p5 = min(v for v in cd if cd[v] >= 0.05)
        p95 = min(v for v in cd if cd[v] >= 0.95)
        flagged |= {r["record"] for r in rows if r["months"] < p5 or r["months"] > p95}
    b.planted = [p for p in b.planted if p["model"] != "sentence_deviation"
                 or p["records"][0] in flagged]
    already = {p["records"][0] for p in b.planted if p["model"] == "sentence_deviation"}
    by_record = {s["record"]: s for rows in groups.values() for s in rows}
    for record in sorted(flagged - already):
        s = by_record[record]
        b.plant("sentence_deviation", s["person"], record, case_no=s["case_no"])


def generate_batch(people: int, seed: int, out: Path, as_of: dt.date | None = None,
                   thresholds: dict[str, float] | None = None) -> dict[str, Any]:
    """Write the batch to ``out``; returns what ``generated.json`` holds."""
    as_of = as_of or dt.date.today()
    b = Batch(as_of=as_of, rng=random.Random(seed), seed=seed)
    limits = dict(thresholds or statutory_thresholds())
    register = make_people(b, people)
    months = pension_months(as_of)
    case_seq = 0
    stories = list(STORY_RATES.items())
    for person in register:
        roll = b.rng.random()
        edge = 0.0
        story = ""
        for name, rate in stories:
            edge += rate
            if roll < edge:
                story = name
                break
        if story == "admin":
            admin_story(b, person, limits)
        elif story == "police":
            police_story(b, person, limits)
        elif story == "custody":
            custody_story(b, person, limits)
        elif story == "dui":
            dui_story(b, person)
        elif story == "judgment":
            case_seq += 1
            judgment_story(b, person, limits, case_seq)
        if person["retiree"]:
            pension_payments(b, person, months)
    deviation_oracle(b)
    return write_batch(b, out, people)


def write_batch(b: Batch, out: Path, people: int) -> dict[str, Any]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, spec in FEEDS.items():
        with open(out / spec.file, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(spec.header)
            writer.writerows([row.get(k, "") for k in spec.header]
                             for row in b.rows.get(name, []))
        counts[name] = len(b.rows.get(name, []))
    with open(out / "planted.jsonl", "w", encoding="utf-8") as handle:
        for lead in sorted(b.planted, key=lambda p: (p["model"], p["records"])):
            handle.write(json.dumps(lead, ensure_ascii=False) + "\n")
    info = {"as_of": b.as_of.isoformat(), "people": people, "seed": b.seed, "rows": counts,
            "planted": dict(Counter(p["model"] for p in b.planted)),
            "near_misses": dict(b.near_misses), "story_rates": STORY_RATES,
            "anomaly_rates": ANOMALY_RATES}
    (out / "generated.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
    return info

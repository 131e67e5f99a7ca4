"""The facts of one fictitious case: what happened, who did it, and how it ended.

Every document of a sample dossier is written from one ``SampleCase``, so the
case number, the parties, the dates and the sentence agree across the cover,
the transcripts, the indictment and the judgment — and the ground-truth case
card is built from the same object, never parsed back from the text.
Dates follow the legal order: 受案 ≤ 立案 ≤ 刑事拘留 < 逮捕 (≤ 37 days later) <
起诉意见书 < 起诉书 < 判决.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from dossier.samples.fictitious import (
    JURISDICTIONS,
    PROVINCE_ABBR,
    FakePerson,
    Jurisdiction,
    fake_name,
    fake_person,
)

CRIMINAL_LAW = "中华人民共和国刑法"
PROCEDURE_LAW = "中华人民共和国刑事诉讼法"


@dataclass(frozen=True)
class Scenario:
    """A kind of case: the charge, the article cited and the shape of its facts."""

    charge: str
    article: tuple[int, int | None, int | None, int | None]  # article, sub, paragraph, item
    penalty: str  # 有期徒刑 or 拘役
    months: tuple[int, int]
    fined: bool
    amount: tuple[int, int] | None  # yuan involved, when the charge is about money
    expertise: str  # the 鉴定意见 title
    max_defendants: int


SCENARIOS = (
    Scenario(
        "盗窃罪",
        (264, None, None, None),
        "有期徒刑",
        (6, 36),
        True,
        (3000, 60000),
        "价格认定结论书",
        2,
    ),
    Scenario(
        "诈骗罪",
        (266, None, None, None),
        "有期徒刑",
        (6, 48),
        True,
        (5000, 200000),
        "司法会计鉴定意见书",
        2,
    ),
    Scenario("危险驾驶罪", (133, 1, 1, 2), "拘役", (1, 6), True, None, "血液酒精含量检验鉴定书", 1),
    Scenario(
        "故意伤害罪",
        (234, None, 1, None),
        "有期徒刑",
        (6, 36),
        False,
        None,
        "法医学人体损伤程度鉴定书",
        2,
    ),
    Scenario(
        "开设赌场罪",
        (303, None, 2, None),
        "有期徒刑",
        (6, 60),
        True,
        (20000, 300000),
        "电子数据检验鉴定意见书",
        3,
    ),
    Scenario(
        "容留他人吸毒罪",
        (354, None, None, None),
        "有期徒刑",
        (6, 14),
        True,
        None,
        "毒品检验鉴定书",
        1,
    ),
    Scenario(
        "帮助信息网络犯罪活动罪",
        (287, 2, 1, None),
        "有期徒刑",
        (6, 20),
        True,
        (10000, 500000),
        "电子数据检验鉴定意见书",
        2,
    ),
    Scenario(
        "寻衅滋事罪",
        (293, None, 1, 1),
        "有期徒刑",
        (6, 30),
        False,
        None,
        "法医学人体损伤程度鉴定书",
        2,
    ),
)


# Drug sale: only in review dossiers (``make_case(seed, scenario=DRUG_SALE)``), so the
# scenario draw of every existing seed stays what it was.
DRUG_SALE = Scenario(
    "贩卖毒品罪",
    (347, None, None, None),
    "有期徒刑",
    (6, 30),
    True,
    (200, 3000),
    "毒品检验鉴定书",
    1,
)
REVIEW_SCENARIOS = (*SCENARIOS, DRUG_SALE)


@dataclass
class PriorSentence:
    """An earlier sentence (前科): passed on ``sentenced``, served until ``released``."""

    charge: str
    months: int
    sentenced: dt.date
    released: dt.date


@dataclass
class Defendant:
    person: FakePerson
    detained: dt.date
    arrested: dt.date | None  # None: released on bail (取保候审) instead
    bail: dt.date | None
    circumstances: list[str]
    months: int
    probation_months: int | None
    fine_yuan: int | None
    lawyer: str
    law_firm: str
    prior: PriorSentence | None = None  # dated prior, set by review dossiers


@dataclass
class SampleCase:
    seed: int
    scenario: Scenario
    jurisdiction: Jurisdiction
    defendants: list[Defendant]
    victims: list[FakePerson]
    witnesses: list[FakePerson]
    officers: list[str]
    prosecutor: str
    judge: str
    clerk: str
    offence_date: dt.date
    accepted: dt.date  # 受案
    filed: dt.date  # 立案
    recommended: dt.date  # 起诉意见书
    indicted: dt.date  # 起诉书
    prosecuted: dt.date  # 提起公诉 (received by the court)
    judged: dt.date
    amount_yuan: int | None
    place: str
    case_no: str
    indictment_no: str
    police_case_no: str
    acceptance_no: str
    not_prosecuted: bool = False  # ends with 不起诉决定书 instead of a trial
    names: set[str] = field(default_factory=set)
    # Set by review dossiers so that every document states the same measurement; the
    # plain samples draw them per document, as before.
    alcohol_mg: int | None = None
    drug_grams: float | None = None

    @property
    def court(self) -> str:
        return self.jurisdiction.court

    @property
    def procuratorate(self) -> str:
        return self.jurisdiction.procuratorate

    @property
    def police(self) -> str:
        return self.jurisdiction.police

    def statutes(self) -> list[tuple[str, int, int | None, int | None, int | None]]:
        """Articles the judgment cites, in the order it cites them (law, article, sub, ¶, item)."""
        article, sub, paragraph, item = self.scenario.article
        cited: list[tuple[str, int, int | None, int | None, int | None]] = [
            (CRIMINAL_LAW, article, sub, paragraph, item)
        ]
        kinds = {c for d in self.defendants for c in d.circumstances}
        if len(self.defendants) > 1:
            cited.append((CRIMINAL_LAW, 25, None, 1, None))
        if "从犯" in kinds:
            cited.append((CRIMINAL_LAW, 27, None, None, None))
        if "未遂" in kinds:
            cited.append((CRIMINAL_LAW, 23, None, None, None))
        if "自首" in kinds:
            cited.append((CRIMINAL_LAW, 67, None, 1, None))
        if "坦白" in kinds:
            cited.append((CRIMINAL_LAW, 67, None, 3, None))
        if "累犯" in kinds:
            cited.append((CRIMINAL_LAW, 65, None, 1, None))
        if any(d.probation_months for d in self.defendants):
            cited.append((CRIMINAL_LAW, 72, None, 1, None))
            cited.append(
                (CRIMINAL_LAW, 73, None, 2 if self.scenario.penalty == "有期徒刑" else 1, None)
            )
        if any(d.fine_yuan for d in self.defendants):
            cited.append((CRIMINAL_LAW, 52, None, None, None))
            cited.append((CRIMINAL_LAW, 53, None, None, None))
        if self.amount_yuan:
            cited.append((CRIMINAL_LAW, 64, None, None, None))
        if "认罪认罚" in kinds:
            cited.append((PROCEDURE_LAW, 15, None, None, None))
        return cited

    def non_prosecution_statutes(self) -> list[tuple[str, int, int | None, int | None, int | None]]:
        """Articles the 不起诉决定书 cites, in its order: the offence's article, 刑法第三十七条
        (no punishment needed) and 刑事诉讼法第一百七十七条第二款 (the decision not to
        prosecute) — see ``document_texts.non_prosecution``."""
        article, sub, paragraph, item = self.scenario.article
        return [
            (CRIMINAL_LAW, article, sub, paragraph, item),
            (CRIMINAL_LAW, 37, None, None, None),
            (PROCEDURE_LAW, 177, None, 2, None),
        ]


PLACES = (
    "某小区",
    "某商场",
    "某超市",
    "某宾馆",
    "某网吧",
    "某路口",
    "某菜市场",
    "某出租屋",
    "某停车场",
)
FIRMS = ("律师事务所", "法律援助中心")


def _lawyer(rng: random.Random, names: set[str], jurisdiction: Jurisdiction) -> tuple[str, str]:
    name = fake_name(rng, names)
    city = jurisdiction.district.removeprefix(jurisdiction.province)[:2]
    brand = rng.choice("正信明德宏远立达君诚") + rng.choice("和泰华诚")
    firm = f"{jurisdiction.province.rstrip('省市')}{brand}律师事务所"
    if rng.random() < 0.3:
        firm = f"{city}法律援助中心指派的{firm}"
    return name, firm


def make_case(seed: int, scenario: Scenario | None = None) -> SampleCase:
    """One consistent fictitious case for ``seed``; ``scenario`` imposes the kind of case
    (the draw is still made, so everything else is what the seed gives)."""
    rng = random.Random(seed)
    drawn = rng.choice(SCENARIOS)
    scenario = scenario or drawn
    jurisdiction = rng.choice(JURISDICTIONS)
    names: set[str] = set()
    offence = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
    accepted = offence + dt.timedelta(days=rng.randint(0, 2))
    filed = accepted + dt.timedelta(days=rng.randint(0, 3))
    n_defendants = rng.randint(1, scenario.max_defendants) if rng.random() < 0.6 else 1
    amount = None
    if scenario.amount:
        amount = round(rng.randint(*scenario.amount), -2)
    defendants = []
    for index in range(n_defendants):
        person = fake_person(rng, taken=names, on=offence)
        detained = filed + dt.timedelta(days=rng.randint(0, 6))
        if rng.random() < 0.7:
            arrested, bail = detained + dt.timedelta(days=rng.randint(7, 30)), None
        else:
            arrested, bail = None, detained + dt.timedelta(days=rng.randint(1, 30))
        circumstances = ["自首" if rng.random() < 0.2 else "坦白"]
        if rng.random() < 0.6:
            circumstances.append("认罪认罚")
        if amount and rng.random() < 0.5:
            circumstances.append("退赃退赔")
        if scenario.charge in ("故意伤害罪", "寻衅滋事罪") and rng.random() < 0.5:
            circumstances.append("谅解")
        if index > 0 and rng.random() < 0.6:
            circumstances.append("从犯")
        if scenario.charge == "诈骗罪" and rng.random() < 0.15:
            circumstances.append("未遂")
        if rng.random() < 0.08:
            circumstances.append("累犯")
        low, high = scenario.months
        months = rng.randint(low, high)
        if "从犯" in circumstances:
            months = max(low, months // 2)
        if scenario.penalty == "有期徒刑" and months > 12:
            months = months // 3 * 3  # courts sentence in whole quarters above a year
        probation = None
        if "累犯" not in circumstances and months <= 36 and rng.random() < 0.35:
            if scenario.penalty == "拘役":
                probation = max(2, months + rng.randint(1, 4))
            else:
                probation = max(12, months + rng.choice((6, 12, 18)))
        fine = None
        if scenario.fined:
            fine = rng.choice((1000, 2000, 3000, 5000, 8000, 10000, 20000, 30000))
        lawyer, firm = _lawyer(rng, names, jurisdiction)
        defendants.append(
            Defendant(
                person,
                detained,
                arrested,
                bail,
                circumstances,
                months,
                probation,
                fine,
                lawyer,
                firm,
            )
        )
    last_measure = max((d.arrested or d.bail or d.detained) for d in defendants)
    recommended = last_measure + dt.timedelta(days=rng.randint(20, 60))
    indicted = recommended + dt.timedelta(days=rng.randint(10, 40))
    prosecuted = indicted + dt.timedelta(days=rng.randint(1, 5))
    judged = prosecuted + dt.timedelta(days=rng.randint(10, 50))
    victims = [fake_person(rng, taken=names, on=offence) for _ in range(rng.randint(1, 2))]
    if scenario.charge in ("危险驾驶罪", "开设赌场罪", "容留他人吸毒罪", "帮助信息网络犯罪活动罪"):
        victims = []
    witnesses = [fake_person(rng, taken=names, on=offence) for _ in range(rng.randint(1, 2))]
    year = judged.year
    abbr = PROVINCE_ABBR[jurisdiction.province]
    return SampleCase(
        seed=seed,
        scenario=scenario,
        jurisdiction=jurisdiction,
        defendants=defendants,
        victims=victims,
        witnesses=witnesses,
        officers=[fake_name(rng, names) for _ in range(2)],
        prosecutor=fake_name(rng, names),
        judge=fake_name(rng, names),
        clerk=fake_name(rng, names),
        offence_date=offence,
        accepted=accepted,
        filed=filed,
        recommended=recommended,
        indicted=indicted,
        prosecuted=prosecuted,
        judged=judged,
        amount_yuan=amount,
        place=jurisdiction.district.removeprefix(jurisdiction.province) + rng.choice(PLACES),
        case_no=f"（{year}）{jurisdiction.court_code}刑初{rng.randint(10, 1999)}号",
        indictment_no=(
            f"{abbr}{jurisdiction.short}检刑诉〔{indicted.year}〕{rng.randint(10, 1999)}号"
        ),
        police_case_no=(
            f"{jurisdiction.short}公（刑）立字〔{filed.year}〕{rng.randint(100, 9999)}号"
        ),
        acceptance_no=f"A{jurisdiction.court_code[1:]}{filed:%Y%m%d}{rng.randint(1000, 9999)}",
        not_prosecuted=rng.random() < 0.08,
        names=names,
    )

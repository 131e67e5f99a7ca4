"""Each rule with a planted defect and a clean case: cards built by hand (fast), so each
rule's edge is tested exactly; the end-to-end path (sample dossier → structure → rules)
is tested in test_review_dossiers.py."""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.case_card import (
    AlcoholReading,
    Case,
    CaseCard,
    Circumstance,
    CoerciveMeasure,
    DocumentRef,
    DrugSeizure,
    Injury,
    OffenceCount,
    Person,
    PersonMention,
    PriorConviction,
    Sentence,
)
from tasks.review.engine import review_card
from tasks.review.registry import load_rules

D = dt.date
NAME = "张三"


def _doc(kind: str, title: str | None = None, evidence=(), **extra) -> DocumentRef:
    return DocumentRef(type=kind, title=title or kind, pages=(1, 1), confidence=0.9,
                       evidence=list(evidence), **extra)


THEFT_EVIDENCE = ("讯问笔录", "被害人陈述", "价格认定", "扣押清单", "户籍证明")


def card(charge: str = "盗窃罪", evidence=THEFT_EVIDENCE, **case) -> CaseCard:
    docs = [_doc("讯问笔录", evidence=evidence)]
    base = dict(
        charges=[charge],
        persons=[Person(name=NAME, role="犯罪嫌疑人", birth_date=D(1990, 5, 1))],
        offence_date=D(2019, 3, 1),
        coercive_measures=[CoerciveMeasure(person=NAME, kind="刑事拘留", date=D(2019, 3, 3))],
    )
    base.update(case)
    documents = base.pop("documents", docs)
    return CaseCard(dossier_id="t", case=Case(**base), documents=documents)


def rules_of(c: CaseCard) -> set[str]:
    return {p.rule for p in review_card(c, as_of=D(2020, 1, 1)).points}


def test_every_rule_is_declared_fully() -> None:
    rules = load_rules()
    assert {r.kind for r in rules.values()} == {"review", "conclusion", "document"}
    for rule in rules.values():
        assert rule.name_zh and rule.basis and rule.severity in ("high", "medium", "low")
    tested = {
        "evidence_required", "prior_record_evidence", "identity_evidence", "amount_below_tier",
        "alcohol_below_drunk", "injury_grade_tier", "drug_quantity_tier", "age_at_offence",
        "limitation_period", "recidivism", "indictment_elements",
        "sentencing_suggestion_elements", "identity_consistent", "dates_in_legal_order",
    }
    assert set(rules) == tested  # a new rule needs its planted and clean test here


def test_clean_card_raises_nothing() -> None:
    assert rules_of(card(amount_total_yuan=5000)) == set()


@pytest.mark.parametrize(
    ("case", "rule"),
    [
        (dict(evidence=("讯问笔录", "被害人陈述", "扣押清单", "户籍证明")), "evidence_required"),
        (dict(circumstances=[Circumstance(person=NAME, kind="累犯")]), "prior_record_evidence"),
        (dict(evidence=("讯问笔录", "被害人陈述", "价格认定", "扣押清单")), "identity_evidence"),
    ],
)
def test_review_rules(case: dict, rule: str) -> None:
    evidence = case.pop("evidence", None)
    c = card(**({"evidence": evidence} if evidence else {}), **case)
    assert rule in rules_of(c)


def test_drunk_driving_needs_blood_and_breath_only_when_drunk() -> None:
    drunk = card("危险驾驶罪", evidence=("讯问笔录", "户籍证明"), offence_forms=["醉酒驾驶"])
    assert "evidence_required" in rules_of(drunk)
    racing = card("危险驾驶罪", evidence=("讯问笔录", "户籍证明"), offence_forms=["追逐竞驶"])
    assert rules_of(racing) == set()


def test_a_lone_judgment_is_not_judged_on_evidence() -> None:
    c = card(documents=[_doc("判决书")])
    assert rules_of(c) == set()


@pytest.mark.parametrize(
    ("amount", "forms", "tiers", "flagged"),
    [
        (400, [], [], True),  # below half of 1000 (盗窃解释第一、二条)
        (600, [], [], False),  # within the 50% allowance
        (300, ["扒窃"], [], False),  # a crime whatever the amount
        (20000, [], ["数额巨大"], False),  # half of 30000 reached
        (12000, [], ["数额巨大"], True),
    ],
)
def test_amount_below_tier(amount, forms, tiers, flagged) -> None:
    c = card(amount_total_yuan=amount, offence_forms=forms, amount_tiers_stated=tiers)
    assert ("amount_below_tier" in rules_of(c)) is flagged


def test_three_acts_are_multiple_theft() -> None:
    counts = [OffenceCount(date=D(2019, m, 1), amount_yuan=50) for m in (1, 2, 3)]
    assert "amount_below_tier" not in rules_of(card(counts=counts))


@pytest.mark.parametrize(("mg", "flagged"), [(79.9, True), (80, False), (150, False)])
def test_alcohol_below_drunk(mg, flagged) -> None:
    c = card("危险驾驶罪", evidence=("讯问笔录", "户籍证明", "血液酒精含量鉴定", "呼气酒精检测"),
             offence_forms=["醉酒驾驶"], alcohol=[AlcoholReading(mg_per_100ml=mg)])
    assert ("alcohol_below_drunk" in rules_of(c)) is flagged


def test_breath_reading_alone_is_not_the_appraisal() -> None:
    c = card("危险驾驶罪", evidence=("讯问笔录", "户籍证明", "血液酒精含量鉴定", "呼气酒精检测"),
             alcohol=[AlcoholReading(method="呼气", mg_per_100ml=60)])
    assert "alcohol_below_drunk" not in rules_of(c)


INJURY_EVIDENCE = ("讯问笔录", "户籍证明", "伤情鉴定", "被害人陈述")


@pytest.mark.parametrize(
    ("grade", "months", "flagged"),
    [("轻伤二级", 36, False), ("轻伤二级", 48, True), ("重伤二级", 48, False),
     ("轻微伤", None, True)],
)
def test_injury_grade_tier(grade, months, flagged) -> None:
    sentences = [Sentence(person=NAME, charges=["故意伤害罪"], penalty="有期徒刑", months=months)
                 ] if months else []
    c = card("故意伤害罪", evidence=INJURY_EVIDENCE, injuries=[Injury(grade=grade)],
             sentences=sentences)
    assert ("injury_grade_tier" in rules_of(c)) is flagged


DRUG_EVIDENCE = ("讯问笔录", "户籍证明", "毒品称量", "毒品鉴定", "扣押清单")


@pytest.mark.parametrize(
    ("charge", "grams", "months", "flagged"),
    [
        ("走私、贩卖、运输、制造毒品罪", 5, 36, False),
        ("走私、贩卖、运输、制造毒品罪", 5, 96, True),  # under 10 g: 7 years at most
        ("走私、贩卖、运输、制造毒品罪", 20, 96, False),
        ("非法持有毒品罪", 8, None, True),  # under 10 g is no crime of holding
        ("非法持有毒品罪", 12, None, False),
    ],
)
def test_drug_quantity_tier(charge, grams, months, flagged) -> None:
    sentences = [Sentence(person=NAME, penalty="有期徒刑", months=months)] if months else []
    c = card(charge, evidence=DRUG_EVIDENCE, drugs=[DrugSeizure(drug="甲基苯丙胺", grams=grams)],
             sentences=sentences)
    assert ("drug_quantity_tier" in rules_of(c)) is flagged


@pytest.mark.parametrize(
    ("birth", "charge", "flagged"),
    [
        (D(2004, 6, 1), "盗窃罪", True),  # 14 at the offence: theft is not punished
        (D(2004, 6, 1), "抢劫罪", False),  # robbery is (刑法第十七条第二款)
        (D(2003, 2, 28), "盗窃罪", False),  # 16 from the day after the birthday
        (D(2003, 3, 1), "盗窃罪", True),  # the 16th birthday itself: still 15
    ],
)
def test_age_at_offence(birth, charge, flagged) -> None:
    c = card(charge, persons=[Person(name=NAME, role="犯罪嫌疑人", birth_date=birth)],
             evidence=("讯问笔录", "被害人陈述", "价格认定", "扣押清单", "户籍证明"))
    assert ("age_at_offence" in rules_of(c)) is flagged


def test_limitation_period() -> None:
    # 危险驾驶罪: 拘役 at most → 5 years (刑法第八十七条第一项)
    late = card("危险驾驶罪", evidence=("讯问笔录", "户籍证明"), offence_date=D(2013, 1, 1),
                coercive_measures=[
                    CoerciveMeasure(person=NAME, kind="刑事拘留", date=D(2018, 6, 1))])
    assert "limitation_period" in rules_of(late)
    in_time = late.model_copy(deep=True)
    in_time.case.coercive_measures[0].date = D(2017, 12, 1)
    assert "limitation_period" not in rules_of(in_time)


def _prior(release: dt.date, **extra) -> PriorConviction:
    return PriorConviction(person=NAME, date=release - dt.timedelta(days=365), charges=["盗窃罪"],
                           penalty="有期徒刑", months=12, release_date=release, **extra)


def test_recidivism() -> None:
    evidence = ("讯问笔录", "被害人陈述", "价格认定", "扣押清单", "户籍证明", "前科材料")
    missed = card(evidence=evidence, prior_convictions=[_prior(D(2017, 1, 1))])
    assert "recidivism" in rules_of(missed)
    found = card(evidence=evidence, prior_convictions=[_prior(D(2017, 1, 1))],
                 circumstances=[Circumstance(person=NAME, kind="累犯")])
    assert rules_of(found) == set()
    too_old = card(evidence=evidence, prior_convictions=[_prior(D(2012, 1, 1))],
                   circumstances=[Circumstance(person=NAME, kind="累犯")])
    assert "recidivism" in rules_of(too_old)
    probation = card(evidence=evidence, prior_convictions=[_prior(D(2017, 1, 1), probation=True)])
    assert "recidivism" not in rules_of(probation)


def _indictment(elements: list[str]) -> DocumentRef:
    return _doc("起诉书", elements=elements)


ALL_358 = ["被告人基本情况", "强制措施情况", "案由和案件来源", "案件事实", "起诉的根据和理由"]


def test_indictment_elements() -> None:
    base = [_doc("讯问笔录", evidence=THEFT_EVIDENCE)]
    complete = card(documents=[*base, _indictment(ALL_358)])
    assert rules_of(complete) == set()
    missing = card(documents=[*base, _indictment(ALL_358[:-1])])
    assert "indictment_elements" in rules_of(missing)
    # 认罪认罚 must be stated only when the defendant pleaded
    pleaded = card(documents=[*base, _indictment(ALL_358)],
                   circumstances=[Circumstance(person=NAME, kind="认罪认罚")])
    assert "indictment_elements" in rules_of(pleaded)


def test_sentencing_suggestion_elements() -> None:
    base = [_doc("讯问笔录", evidence=THEFT_EVIDENCE)]
    full = ["法定刑", "量刑情节", "建议刑罚种类和幅度", "刑罚执行方式", "建议的依据和理由"]
    assert rules_of(card(documents=[*base, _doc("量刑建议书", elements=full)])) == set()
    short = card(documents=[*base, _doc("量刑建议书", elements=full[:3])])
    assert "sentencing_suggestion_elements" in rules_of(short)


def _mention(birth: dt.date, sha: str = "a" * 64, name: str = NAME) -> PersonMention:
    return PersonMention(name=name, role="犯罪嫌疑人", birth_date=birth, id_number_sha256=sha)


def test_identity_consistent() -> None:
    evidence = ("讯问笔录", "被害人陈述", "价格认定", "扣押清单", "户籍证明")
    same = [_doc("讯问笔录", evidence=evidence, persons=[_mention(D(1990, 5, 1))]),
            _doc("拘留证", persons=[_mention(D(1990, 5, 1))])]
    assert rules_of(card(documents=same)) == set()
    birth = [same[0], _doc("拘留证", persons=[_mention(D(1990, 6, 1))])]
    points = review_card(card(documents=birth)).points
    assert [p.rule for p in points] == ["identity_consistent"]
    assert NAME not in points[0].message and points[0].person == "张*"  # masked
    renamed = [same[0], _doc("拘留证", persons=[_mention(D(1990, 5, 1), name="张山")])]
    assert "identity_consistent" in rules_of(card(documents=renamed))


def test_dates_in_legal_order() -> None:
    evidence = ("讯问笔录", "被害人陈述", "价格认定", "扣押清单", "户籍证明")
    docs = [_doc("讯问笔录", evidence=evidence), _doc("受案登记表", date=D(2019, 3, 1)),
            _doc("起诉意见书", date=D(2019, 5, 1)), _doc("起诉书", date=D(2019, 6, 1),
                                                     elements=ALL_358)]
    measures = [CoerciveMeasure(person=NAME, kind="刑事拘留", date=D(2019, 3, 3)),
                CoerciveMeasure(person=NAME, kind="逮捕", date=D(2019, 4, 12))]  # 40 days
    assert rules_of(card(documents=docs, coercive_measures=measures)) == set()
    late = [measures[0], CoerciveMeasure(person=NAME, kind="逮捕", date=D(2019, 4, 13))]
    assert "dates_in_legal_order" in rules_of(card(documents=docs, coercive_measures=late))
    bailed = [*late, CoerciveMeasure(person=NAME, kind="取保候审", date=D(2019, 3, 20))]
    assert rules_of(card(documents=docs, coercive_measures=bailed)) == set()
    swapped = [docs[0], docs[1], _doc("起诉意见书", date=D(2019, 7, 1)), docs[3]]
    assert "dates_in_legal_order" in rules_of(card(documents=swapped, coercive_measures=measures))


def test_old_cards_load() -> None:
    old = {"schema_version": "1", "dossier_id": "x",
           "case": {"case_no": "（2018）沪0105刑初655号", "charges": ["盗窃罪"]},
           "documents": [{"type": "判决书", "title": "刑事判决书", "pages": [1, 2],
                          "confidence": 0.9}]}
    loaded = CaseCard.model_validate(old)
    assert loaded.case.alcohol == [] and loaded.documents[0].evidence == []
    assert review_card(loaded).points == []

"""Sentencing suggestions: the statutory table, the guideline's steps, the blend, the
command's JSON. Cards are built here so each step's effect is known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dossier.cli import app
from schemas.case_card import Case, CaseCard, Circumstance, Person
from tasks.sentencing.guideline import guideline
from tasks.sentencing.quantity import blood_alcohol, drug_grams_of, injury_grade
from tasks.sentencing.statutory import derive, ranges
from tasks.sentencing.suggest import (
    Neighbour,
    Params,
    charge_key,
    choose_tier,
    guideline_points,
    neighbours_from_outcomes,
    suggest_case,
    suggest_for_person,
)

KEYS = ["person", "penalty", "months_low", "months_high", "months", "fine_yuan",
        "probation_open", "explanation"]


def theft(amount: float, *kinds: str, person: str = "张三丰") -> Case:
    return Case(
        charges=["盗窃罪"], charges_written=["盗窃罪"], amounts_yuan=[amount],
        persons=[Person(name=person, role="被告人")],
        circumstances=[Circumstance(person=person, kind=k) for k in kinds],  # type: ignore[arg-type]
    )


def test_statutory_ranges_come_from_the_law_text() -> None:
    table = ranges()
    assert [(table[k].min_months, table[k].max_months) for k in
            ("264.1.1", "264.1.2", "264.1.3")] == [(1, 36), (36, 120), (120, 180)]
    assert table["264.1.1"].detention_open and table["264.1.1"].fine == "and_or_only"
    assert (table["133-1.1.1"].min_months, table["133-1.1.1"].max_months) == (1, 6)
    assert table["347.2.1"].heaviest == "死刑"
    parsed = derive("第九百九十九条 犯此罪的，处五年以上十年以下有期徒刑，并处罚金；"
                    "情节特别严重的，处十年以上有期徒刑或者无期徒刑。")
    assert [(r.min_months, r.max_months, r.fine) for r in parsed] == [(60, 120, "and"),
                                                                      (120, 180, "none")]


def test_every_rule_points_at_a_statutory_range_and_covers_the_common_charges() -> None:
    g = guideline()
    assert g.edition == "法发〔2021〕21号"
    assert sum(rule.guideline for rule in g.charges.values()) == 23
    for rule in g.charges.values():
        for tier in rule.tiers:
            assert tier.statute.min_months <= tier.start[0] <= tier.start[1]
            assert tier.start[1] <= tier.statute.max_months
    common = ["走私、贩卖、运输、制造毒品罪", "盗窃罪", "危险驾驶罪", "强奸罪", "诈骗罪",
              "容留他人吸毒罪", "交通肇事罪", "开设赌场罪", "故意伤害罪", "寻衅滋事罪"]
    assert all(c in g.charges for c in common)


def test_tier_by_amount_and_by_the_facts_words() -> None:
    rule = guideline().charges["盗窃罪"]
    assert choose_tier(rule, 2_000, None)[0] == 0
    assert choose_tier(rule, 50_000, None)[0] == 1
    assert choose_tier(rule, 400_000, None)[0] == 2
    crash = guideline().charges["交通肇事罪"]
    assert choose_tier(crash, None, "肇事后驾车逃逸")[0] == 1
    # the largest quantity when it outweighs the rest; a stated total (共计) wins
    assert drug_grams_of("贩卖甲基苯丙胺3包，净重12.5克；另查获海洛因0.4克") == 12.5
    assert drug_grams_of("先后贩卖甲基苯丙胺0.3克、0.5克、0.4克，共计1.2克") == 1.2
    assert drug_grams_of("先后贩卖甲基苯丙胺0.3克、0.5克、0.4克") == pytest.approx(1.2)


def test_quantities_are_read_in_the_charge_s_unit() -> None:
    # 氯胺酮 counts a tenth of heroin (its 数量大 is 500 g against heroin's 50 g)
    assert drug_grams_of("贩卖氯胺酮（K粉）20克") == 2.0
    assert drug_grams_of("贩卖毒品甲基苯丙胺１．２ｇ") == 1.2  # full-width digits
    assert drug_grams_of("以200元的价格出售给吸毒人员") is None
    assert blood_alcohol("经鉴定，其血液中乙醇含量为179毫克/100毫升") == 179
    assert blood_alcohol("呼气酒精含量为95mg/100ml，血液中乙醇含量为1.16mg/mL") == (
        pytest.approx(116))
    assert injury_grade("致被害人轻伤二级，另一人轻微伤") == 1.0
    assert injury_grade("经鉴定不构成重伤，构成轻伤一级") == 2.0
    crash = guideline().charges["故意伤害罪"]
    assert choose_tier(crash, 3.0, None)[0] == 1  # 重伤二级: 三年以上
    drugs = guideline().charges["走私、贩卖、运输、制造毒品罪"]
    assert [choose_tier(drugs, g, None)[0] for g in (0.5, 12, 60)] == [0, 2, 3]


def test_the_base_grows_with_the_quantity_inside_the_tier() -> None:
    def sale(grams: str) -> int:
        case = Case(charges=["走私、贩卖、运输、制造毒品罪"],
                    persons=[Person(name="赵六", role="被告人")])
        (s,) = suggest_case(case, f"经审理查明，被告人赵六贩卖甲基苯丙胺{grams}克给吸毒人员。")
        assert s.months is not None
        return s.months

    small, middling, near_ten, over_ten = sale("0.3"), sale("4"), sale("9.5"), sale("12")
    assert small <= 9 < middling < near_ten <= 36 and over_ten >= 84


def test_circumstances_move_the_sentence_the_guideline_way() -> None:
    plain = suggest_for_person(theft(50_000), "张三丰", None)
    confessed = suggest_for_person(theft(50_000, "自首"), "张三丰", None)
    repeat = suggest_for_person(theft(50_000, "累犯"), "张三丰", None)
    assert plain and confessed and repeat
    assert 36 <= plain.months <= 120 and plain.penalty == "有期徒刑"
    assert confessed.months < plain.months and confessed.months_low < plain.months_low
    assert repeat.months > plain.months and not repeat.probation_open
    # 自首 allows 减轻处罚 below the tier's minimum, down to the lower tier's
    assert confessed.months_low < 36 <= plain.months_low
    assert "自首" in confessed.explanation and "三、(六)" in confessed.explanation


def test_small_theft_is_detention_or_short_with_probation_and_a_fine_by_the_rule() -> None:
    s = suggest_for_person(theft(1_500, "坦白", "认罪认罚"), "张三丰", None)
    assert s is not None and s.months <= 12 and s.probation_open
    assert s.penalty in ("拘役", "有期徒刑") and (s.penalty == "拘役") == (s.months <= 6)
    assert s.fine_yuan is not None and 1_000 <= s.fine_yuan <= 3_000


def test_dangerous_driving_is_detention_of_at_most_six_months() -> None:
    case = Case(charges=["危险驾驶罪"], persons=[Person(name="李四", role="被告人")])
    s = suggest_for_person(case, "李四", None)
    assert s is not None and s.penalty == "拘役" and 1 <= s.months_low <= s.months <= 6


def test_similar_cases_pull_the_point_and_widen_the_range() -> None:
    alone = suggest_for_person(theft(5_000), "张三丰", None, weight=1.0)
    near = {"盗窃罪": [Neighbour(months=m, fine_yuan=5000) for m in (20, 22, 24, 26)]}
    blended = suggest_for_person(theft(5_000), "张三丰", None, near)
    only = suggest_for_person(theft(5_000), "张三丰", None, near, weight=0.0)
    assert alone and blended and only
    assert alone.months < blended.months < only.months
    assert blended.months_high >= 24
    assert "类案" in blended.explanation


def test_similar_cases_calibrate_the_steps_by_how_their_courts_sentenced() -> None:
    """Neighbours sentenced at twice what the steps give for them pull the point up by the
    square root of two (w = ½); the steps alone are what ``guideline_points`` reports."""
    alone = suggest_for_person(theft(5_000), "张三丰", None, weight=1.0)
    assert alone and alone.months
    steps = guideline_points(theft(5_000), None)
    assert steps == {"张**": float(alone.months)}
    twice = {"盗窃罪": [Neighbour(months=2 * m + 1, fine_yuan=None, guideline_months=m)
                       for m in (6, 8, 10, 12)]}
    calibrated = suggest_for_person(theft(5_000), "张三丰", None, twice,
                                    params=Params(weight_guideline=0.5))
    assert calibrated and calibrated.months
    assert abs((calibrated.months + 1) / (alone.months + 1) - 2 ** 0.5) < 0.15
    assert "类案校准" in calibrated.explanation


def test_neighbours_are_grouped_by_the_charges_they_were_sentenced_for() -> None:
    from tasks.library.similar import Outcome, SimilarHit

    def hit(key: str, *charges: str) -> SimilarHit:
        return SimilarHit(dossier_id=key, source="published", case_no=None, court=None,
                          judgment_date=None, charges=list(charges), charges_written=[],
                          outcomes=[Outcome(person="张*", penalty="有期徒刑", months=10,
                                            probation_months=None, fine_yuan=None,
                                            charges=list(charges))],
                          score=1.0, parts={})

    grouped = neighbours_from_outcomes(
        [hit("a", "盗窃罪"), hit("b", "盗窃罪", "诈骗罪")], {"a": {"张*": 8.0}})
    assert grouped[charge_key(["盗窃罪"])][0].guideline_months == 8.0
    assert grouped[charge_key(["诈骗罪", "盗窃罪"])][0].guideline_months is None


def test_a_charge_without_rule_uses_similar_cases_or_nothing() -> None:
    case = Case(charges=["组织越狱罪"], persons=[Person(name="王五", role="被告人")])
    assert suggest_case(case) == []
    near = {"组织越狱罪": [Neighbour(months=m, fine_yuan=None) for m in (60, 72, 84)]}
    (s,) = suggest_case(case, None, near)
    assert s.months == 72 and "仅参照类案" in s.explanation


def test_every_defendant_gets_one_and_names_are_masked() -> None:
    case = theft(8_000)
    case.persons.append(Person(name="欧阳修文", role="被告人"))
    case.circumstances.append(Circumstance(person="欧阳修文", kind="从犯"))
    first, second = suggest_case(case)
    assert (first.person, second.person) == ("张**", "欧***")
    assert second.months < first.months
    for s in (first, second):
        assert "张三丰" not in s.explanation and "欧阳修文" not in s.explanation
        assert list(s.as_dict()) == KEYS


def test_command_prints_the_issue_shape_for_a_card_file(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    card = CaseCard(dossier_id="d0000000000000abc", case=theft(40_000, "坦白"))
    card.case.sentences = []
    path = tmp_path / "case.json"
    path.write_text(card.model_dump_json(), encoding="utf-8")
    result = CliRunner().invoke(app, ["suggest-sentence", "--card", str(path), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert list(payload) == ["suggestions"]
    (s,) = payload["suggestions"]
    assert list(s) == KEYS and s["person"] == "张**" and s["penalty"] == "有期徒刑"
    assert s["months_low"] <= s["months"] <= s["months_high"]

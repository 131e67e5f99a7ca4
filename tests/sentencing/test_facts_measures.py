"""What the tier needs, read from real judgments' facts (JuDGE judge_dev, MIT; names as the
courts published them, pseudonymised where they were): casualties of a traffic accident,
whose act a tier's words describe, a drug named apart from its weight, the court's own
findings beside the indictment's account, and fines as courts write them."""

from __future__ import annotations

import pytest

from schemas.case_card import Case, Person, PriorConviction
from tasks.sentencing.guideline import guideline
from tasks.sentencing.quantity import casualties_of, court_findings, drug_grams_of, stated
from tasks.sentencing.suggest import (
    Neighbour,
    choose_tier,
    circumstance_kinds,
    nearest_fines,
    round_fine,
    suggest_case,
)

# (2016) 贵阳 云岩: two dead, main responsibility → 其他特别恶劣情节 (法释〔2000〕33号 第四条)
TWO_DEAD = ("被告人李仕佳酒后驾驶贵A×××××号小型普通客车从本市云某区枣山路直行往浣纱路方向行驶，"
            "与横穿道路的被害人张某、田某发生交通事故，导致被害人张某、田某当场死亡。"
            "贵阳市公安交通管理局云某分局认定被告人李仕佳承担交通事故的主要责任。")
# (2013) 章丘: each death in its own clause, full names after 被害人
TWO_NAMED = ("两车相撞，致被害人袭祥壮当场死亡，被害人许春辉经送医抢救不治死亡。被告人赵建军被认定"
             "承担交通事故的主要责任，被害人许春辉被认定承担交通事故的次要责任，被害人袭祥壮不承担责任。")
# (2016) 宜兴: one dead, one seriously injured
DEAD_AND_HURT = ("事故造成庄某1、吴某受伤，庄某1因颅脑损伤经送医院抢救无效于当日死亡；"
                 "吴某的伤构成重伤二级。被告人黄谊萍承担造成庄某1死亡事故的主要责任；承担造成吴某受伤的全部责任。")
# (2017) 钟山: the first driver's victim was dying, the second ran over her and fled
FLED = ("被告人卢辉驾驶桂J×××××号小型轿车行驶至国道323线路段时，碰撞被害人邱某，该事故造成邱某重伤"
        "濒临死亡，卢辉在事故现场未及时保护现场，至21时41分，被告人宁美元驾驶小型普通客车行驶至事故"
        "路段时碾压到倒在路面上的邱某，发生事故后宁美元驾驶桂N×××××号小型普通客车逃逸，造成邱某"
        "当场死亡的道路交通事故。被告人宁美元承担事故的全部责任，卢辉承担事故的主要责任。")


def crash(*names: str) -> Case:
    return Case(charges=["交通肇事罪"], persons=[Person(name=n, role="被告人") for n in names])


def test_casualties_count_victims_once_and_read_the_defendant_s_responsibility() -> None:
    two = casualties_of(TWO_DEAD, ["李仕佳"])
    assert two and (two.deaths, two.serious, two.responsibility) == (2, 0, "主要")
    named = casualties_of(TWO_NAMED, ["赵建军"])
    assert named and (named.deaths, named.responsibility) == (2, "主要")
    both = casualties_of(DEAD_AND_HURT, ["黄谊萍"])
    # the defendant's responsibility is read where the clause names her (for the death)
    assert both and (both.deaths, both.serious, both.responsibility) == (1, 1, "主要")
    assert both.equivalent() == pytest.approx(1.4)
    # 重伤濒临死亡 then 当场死亡: one victim, dead; 濒临死亡 alone is no death
    fled = casualties_of(FLED, ["卢辉", "宁美元"])
    assert fled and (fled.deaths, fled.serious) == (1, 0)
    assert casualties_of("致被害人重伤濒临死亡", []) == casualties_of("致被害人重伤", [])
    assert casualties_of("双方车辆受损，无人员伤亡", []) is None
    # 同等责任 counts a third (three deaths with equal responsibility = one)
    equal = casualties_of("造成三人死亡，被告人王某负事故同等责任", ["王某"])
    assert equal and equal.deaths == 3 and equal.equivalent() == pytest.approx(1.0, abs=0.01)


def test_traffic_tiers_turn_on_casualties_and_on_whose_escape_it_was() -> None:
    rule = guideline().charges["交通肇事罪"]
    assert choose_tier(rule, 2.0, TWO_DEAD, "李仕佳", ["李仕佳"])[0] == 1  # 特别恶劣
    assert choose_tier(rule, 1.4, DEAD_AND_HURT, "黄谊萍", ["黄谊萍"])[0] == 0
    # 逃逸 after an accident that is a crime without it aggravates (第三条); after one that is
    # not (one seriously injured), it is what makes it a crime
    assert choose_tier(rule, 1.0, "肇事后驾车逃逸", None, [])[0] == 1
    assert choose_tier(rule, 0.4, "致一人重伤，肇事后驾车逃逸", None, [])[0] == 0
    # the escape is 宁美元's, not 卢辉's
    assert stated(FLED, "逃逸", "宁美元", ["卢辉", "宁美元"])
    assert not stated(FLED, "逃逸", "卢辉", ["卢辉", "宁美元"])
    assert choose_tier(rule, 1.0, FLED, "卢辉", ["卢辉", "宁美元"])[0] == 0
    assert choose_tier(rule, 1.0, FLED, "宁美元", ["卢辉", "宁美元"])[0] == 1
    (two,) = suggest_case(crash("李仕佳"), "经审理查明，" + TWO_DEAD)
    (one,) = suggest_case(crash("黄谊萍"), "经审理查明，" + DEAD_AND_HURT)
    assert two.months and one.months and two.months >= 36 > one.months
    assert "死亡人数当量" in two.explanation


def test_a_drug_named_apart_from_its_weight_and_the_court_s_findings() -> None:
    # (2018) 黄陂: K粉 in one sentence, 共重27.57克 of 疑似毒品 in another, 氯胺酮 in a third
    text = ("经审理查明，被告人李兴向江某贩卖疑似毒品的塑料袋装白色粉末1包（俗称“K粉”），获款人民币"
            "400元。经公安机关现场称量：上述疑似毒品的塑料袋装白色粉末共重27.57克。经毒品检验鉴定："
            "上述疑似毒品物均检出毒品氯胺酮成分。")
    assert drug_grams_of(text) == pytest.approx(2.757)  # 氯胺酮: a tenth of heroin
    assert drug_grams_of("查获疑似毒品共重5克；另查获海洛因1克、氯胺酮2克") == 5.0  # mixed: heroin
    facts = ("公诉机关指控，被告人甲贩卖甲基苯丙胺3克给乙，又贩卖甲基苯丙胺3克给丙，共计6克。"
             "经审理查明，被告人甲先后两次在其租住的房间内贩卖甲基苯丙胺共计6克给吸毒人员乙、丙，"
             "获利600元，后被公安民警抓获归案，当场查获手机一部。")
    findings = court_findings(facts)
    assert findings is not None and findings.startswith("，被告人甲先后两次")
    assert court_findings("经审理查明，被告人甲贩卖甲基苯丙胺3克。") is None  # nothing before


def test_fines_follow_the_neighbours_with_similar_terms_in_round_sums() -> None:
    near = [Neighbour(months=m, fine_yuan=f) for m, f in
            ((6, 2000), (7, 2000), (8, 3000), (36, 15000), (48, 25000), (84, 50000))]
    assert sorted(nearest_fines(near, 7)) == [2000, 2000, 3000]
    assert sorted(nearest_fines(near, 40)) == [15000, 25000, 50000]  # the three nearest
    assert nearest_fines(near[:2], 7) == []
    assert [round_fine(v) for v in (1500, 1700, 16400, 81500, 40)] == [2000, 2000, 20000,
                                                                       80000, 100]


def test_prior_convictions_of_a_non_recidivist_count_as_qian_ke() -> None:
    case = crash("赵建军")
    case.prior_convictions = [PriorConviction(person="赵建军", penalty="拘役", months=3)]
    assert circumstance_kinds(case, "赵建军") == ["前科"]
    assert "前科" in guideline().circumstances

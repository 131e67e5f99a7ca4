"""What sentencing reads beyond the card, on snippets shaped like real judgments (JuDGE's
judge_dev; names replaced): tier words in the court's finding, further circumstances in
the reasoning, and the extra libraries of the evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dossier.cli import app
from schemas.case_card import Case, Circumstance, Person
from tasks.library import extra_library
from tasks.library.texts import finding_span, reasoning_span
from tasks.sentencing.circumstances import further_circumstances
from tasks.sentencing.suggest import circumstance_kinds, guideline_steps

GAMBLING = (
    "经审理查明，2017年3月至5月，被告人李某伙同他人在本市某街道设置赌博机96台开设赌场，"
    "抽头渔利。上述事实，有证人证言等证据证实。"
    "本院认为，被告人李某伙同他人以营利为目的，设置96台赌博机开设赌场，情节严重，其行为已构成"
    "开设赌场罪。被告人李某归案后如实供述自己的罪行，依法可以从轻处罚。依照《中华人民共和国刑法》"
    "第三百零三条第二款之规定，判决如下：")
QUOTED_ONLY = (
    "经审理查明，被告人王某在其经营的茶馆内开设赌场，抽头渔利三千元。"
    "本院认为，被告人王某以营利为目的开设赌场，其行为已构成开设赌场罪。《中华人民共和国刑法》"
    "第三百零三条第二款规定，开设赌场的，处五年以下有期徒刑；情节严重的，处五年以上十年以下"
    "有期徒刑。判决如下：")


def gambling(name: str) -> Case:
    return Case(charges=["开设赌场罪"], persons=[Person(name=name, role="被告人")])


def test_the_finding_runs_from_the_reasoning_to_the_charge_it_names() -> None:
    lo, hi = finding_span(GAMBLING)
    assert GAMBLING[lo:hi].endswith("情节严重，其行为已构成开设赌场罪")
    lo, hi = reasoning_span(GAMBLING)
    assert GAMBLING[lo:].startswith("本院认为") and GAMBLING[hi:].startswith("判决如下")
    facts_only = "经审理查明，被告人某甲盗窃。"
    assert finding_span(facts_only) == (len(facts_only), len(facts_only))


def test_tier_words_count_in_the_finding_not_in_a_statute_the_reasoning_quotes() -> None:
    serious = guideline_steps(gambling("李某"), "李某", GAMBLING)
    plain = guideline_steps(gambling("王某"), "王某", QUOTED_ONLY)
    assert serious.results[0].tier == 1 and plain.results[0].tier == 0
    assert "情节严重" in "\n".join(serious.lines)


def test_a_quantity_repeated_in_the_finding_is_not_counted_twice() -> None:
    text = ("经审理查明，被告人赵某贩卖甲基苯丙胺2.18克给吸毒人员。本院认为，被告人赵某贩卖"
            "甲基苯丙胺2.18克，其行为已构成贩卖毒品罪。判决如下：")
    case = Case(charges=["走私、贩卖、运输、制造毒品罪"],
                persons=[Person(name="赵某", role="被告人")])
    (result,) = guideline_steps(case, "赵某", text).results
    assert result.amount == pytest.approx(2.18)


def test_further_circumstances_are_the_court_s_findings_not_a_rejected_defence() -> None:
    text = (
        "经审理查明，被告人余某深夜进入被害人房间。本院认为，被告人余某违背妇女意志，欲强行与妇女"
        "发生性关系，其行为已构成强奸罪。被告人余某为了犯罪而制造条件，系犯罪预备，可以比照既遂犯"
        "减轻处罚。辩护人提出被告人余某系犯罪中止，经查，该犯罪形态属于犯罪预备而非犯罪中止，上述"
        "辩护意见，本院不予采纳。被告人余某当庭自愿认罪。依照《中华人民共和国刑法》第二百三十六条"
        "第一款、第二十二条之规定，判决如下：")
    assert further_circumstances(text, "余某", ["余某"], ["强奸罪"]) == ["当庭自愿认罪",
                                                                       "犯罪预备"]
    case = Case(charges=["强奸罪"], persons=[Person(name="余某", role="被告人")],
                circumstances=[Circumstance(person="余某", kind="坦白")])
    # 当庭自愿认罪 is not counted beside 坦白 (指导意见: 依法认定自首、坦白的除外)
    assert circumstance_kinds(case, "余某", text) == ["坦白", "犯罪预备"]
    steps = guideline_steps(case, "余某", text)
    plain = guideline_steps(case.model_copy(update={"circumstances": []}), "余某", None)
    assert steps.guide and plain.guide and steps.guide[1] < plain.guide[1]


def test_further_circumstances_go_to_the_defendant_the_sentence_names() -> None:
    text = ("本院认为，被告人甲某、乙某贩卖毒品，其行为均已构成贩卖毒品罪。被告人乙某系毒品再犯，"
            "依法从重处罚。被告人甲某检举他人犯罪线索经查证属实，系立功，可以从轻处罚。判决如下：")
    charges = ["走私、贩卖、运输、制造毒品罪"]
    assert further_circumstances(text, "乙某", ["甲某", "乙某"], charges) == ["毒品再犯"]
    assert further_circumstances(text, "甲某", ["甲某", "乙某"], charges) == ["立功"]
    # 毒品再犯 is for drug charges only
    assert further_circumstances(text, "乙某", ["甲某", "乙某"], ["盗窃罪"]) == []


def test_extra_libraries_are_named_and_their_absence_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert [s.name for s in extra_library.sources(["all"])] == ["lecard", "lecardv2"]
    with pytest.raises(KeyError):
        extra_library.sources(["cail"])
    monkeypatch.setattr(extra_library, "SHARED_CASES", tmp_path)
    judgments = tmp_path / "judgments.jsonl"
    judgments.write_text('{"text_id": "a", "fd": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["library", "evaluate", "--judgments", str(judgments),
                                      "--extra-library", "lecard"])
    assert result.exit_code == 2
    assert "only under ../shared/data" in result.output
    (tmp_path / "lecard_query.jsonl").write_text(
        '{"ridx": 7, "q": "被告人某甲盗窃。", "crime": ["盗窃罪"]}\n', encoding="utf-8")
    assert extra_library.SOURCES["lecard"].missing() == []
    assert extra_library.SOURCES["lecard"].gold_charges() == {"lecard:7": {"盗窃罪"}}


def test_an_id_prefix_keeps_two_sources_apart() -> None:
    from tasks.library.importer import read_judgments

    lines = ['{"id": 720, "query": "刑事判决书……"}', '{"id": "", "query": "x"}']
    failed: list[tuple[int, str]] = []
    got = list(read_judgments(lines, "query", "id", failed, id_prefix="lecardv2:"))
    assert [j.source_id for j in got] == ["lecardv2:720"] and len(failed) == 1


def test_the_articles_the_decision_cites_state_circumstances_of_a_lone_defendant() -> None:
    from schemas.case_card import Statute
    from tasks.nlp.case_card import extract_case
    from tasks.sentencing.circumstances import cited_circumstances

    # the legal basis of a judgment whose reasoning names no circumstance (judge_dev shape)
    text = ("经审理查明，2018年5月2日，被告人孙某在家中组织他人赌博，抽头渔利二千元。"
            "本院认为，公诉机关指控被告人孙某犯赌博罪的事实清楚，证据确实、充分，指控罪名成立，"
            "量刑建议适当，应予采纳。依照《中华人民共和国刑法》第三百零三条第一款、第六十七条第三款、"
            "第七十二条第一款、第六十四条之规定，判决如下：")
    case = extract_case(text)
    assert not case.circumstances
    assert cited_circumstances(case) == ["坦白"]  # 第七十二条 (缓刑) is an outcome: not read
    assert "坦白" in circumstance_kinds(case, case.persons[0].name if case.persons else None,
                                        text)
    two = Case(charges=["赌博罪"], persons=[Person(name="甲某", role="被告人"),
                                           Person(name="乙某", role="被告人")],
               statutes=[Statute(article=67, paragraph=1), Statute(article=65)])
    assert cited_circumstances(two) == []  # a citation names no person
    one = two.model_copy(update={"persons": two.persons[:1]})
    assert cited_circumstances(one) == ["自首", "累犯"]
    # 第一百三十三条之一 is not 第一百三十三条; 第十七条之一 (老年人) is not 未成年
    assert cited_circumstances(one.model_copy(update={"statutes": [
        Statute(article=17, sub=1)]})) == []

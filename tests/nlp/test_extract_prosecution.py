"""Extraction from the papers of a case that has no judgment (yet): police and
procuratorate documents — 起诉意见书, 不起诉决定书, 拘留证, 逮捕证, 取保候审决定书.

The snippets follow the published forms of these documents; the people are fictitious.
"""

import datetime as dt

from schemas.case_card import DocumentRef
from tasks.nlp.case_card import build_case_card, extract_case
from tasks.nlp.extract.fields import suspected_charges

RECOMMENDATION = (  # 起诉意见书 (公安机关 → 人民检察院)
    "郑州市公安局金水分局起诉意见书\n金公（刑）诉字〔2017〕151号\n"
    "犯罪嫌疑人孟国，男，1998年8月29日出生，彝族，中专文化，个体经营，户籍地浙江省婺城区。"
    "因涉嫌犯故意伤害罪于2017年6月27日被郑州市公安局金水分局刑事拘留，2017年7月5日被取保候审。\n"
    "犯罪嫌疑人孟国涉嫌故意伤害罪一案，由被害人报案至我局。我局经过审查，于2017年6月22日立案侦查。\n"
    "经依法侦查查明：\n2017年6月18日23时许，犯罪嫌疑人孟国在郑州市金水区某网吧因琐事与被害人谭若"
    "发生争执，继而持拳殴打谭若头面部，致其鼻骨骨折。经鉴定，被害人谭若的损伤程度为轻伤二级。\n"
    "犯罪嫌疑人孟国到案后如实供述自己的罪行，系坦白。\n"
    "综上所述，犯罪嫌疑人孟国的行为已触犯《中华人民共和国刑法》第二百三十四条第一款之规定，"
    "涉嫌故意伤害罪。依照《中华人民共和国刑事诉讼法》第一百六十二条之规定，现将此案移送审查起诉。\n"
    "此致\n河南省郑州市金水区人民检察院\n郑州市公安局金水分局（印）\n2017年8月11日"
)

NON_PROSECUTION = (  # 不起诉决定书 (相对不起诉)
    "河南省郑州市金水区人民检察院不起诉决定书\n豫金检不诉〔2017〕630号\n"
    "被不起诉人孟国，男，1998年8月29日出生，彝族，中专文化，个体经营，户籍地浙江省婺城区。"
    "因涉嫌犯故意伤害罪于2017年6月27日被郑州市公安局金水分局刑事拘留，2017年7月5日被取保候审。\n"
    "本案由郑州市公安局金水分局侦查终结，于2017年8月11日移送本院审查起诉。\n"
    "本院认为，被不起诉人实施了《中华人民共和国刑法》第二百三十四条第一款规定的行为，"
    "但犯罪情节轻微，具有坦白情节，根据《中华人民共和国刑法》第三十七条的规定，不需要判处刑罚。"
    "依据《中华人民共和国刑事诉讼法》第一百七十七条第二款的规定，决定对孟国不起诉。\n"
    "河南省郑州市金水区人民检察院（印）\n2017年9月5日"
)

DETENTION_WARRANT = (  # 拘留证
    "拘留证\n金公（刑）拘字〔2017〕1003号\n"
    "根据《中华人民共和国刑事诉讼法》第八十二条之规定，兹决定对涉嫌故意伤害罪的孟国（性别男，"
    "出生日期1998年8月29日，住址浙江省婺城区）执行拘留，送郑州市金水区看守所羁押。\n"
    "郑州市公安局金水分局（印）\n2017年6月27日\n本证已于2017年6月27日向我宣布。被拘留人：孟国"
)

ARREST_WARRANT = (  # 逮捕证: a selective charge, written as the chosen conduct
    "逮捕证\n锦公（刑）捕字〔2021〕512号\n"
    "根据《中华人民共和国刑事诉讼法》第八十条之规定，经四川省成都市锦江区人民检察院批准，"
    "兹由我局对涉嫌贩卖毒品罪的郝子明（性别男，出生日期1990年3月2日，住址四川省成都市）执行逮捕，"
    "送成都市锦江区看守所羁押。\n成都市公安局锦江区分局（印）\n2021年4月9日"
)

BAIL = (  # 取保候审决定书: the term's start follows the measure
    "取保候审决定书\n金公（刑）取保字〔2017〕203号\n"
    "犯罪嫌疑人孟国，男，1998年8月29日出生，彝族，中专文化，个体经营，户籍地浙江省婺城区。\n"
    "我局正在侦查故意伤害案，因犯罪嫌疑人孟国不致发生社会危险性，根据《中华人民共和国刑事诉讼法》"
    "第六十七条之规定，决定对其取保候审，期限从2017年7月5日起算。"
    "犯罪嫌疑人应当接受保证人监督，遵守取保候审规定。\n郑州市公安局金水分局（印）\n2017年7月5日"
)


def test_recommendation_to_prosecute_gives_charge_procuratorate_and_circumstance():
    case = extract_case(RECOMMENDATION)
    assert case.charges == ["故意伤害罪"]
    assert case.procuratorate == "河南省郑州市金水区人民检察院"  # 此致 …人民检察院
    assert [(p.name, p.role) for p in case.persons if p.role == "犯罪嫌疑人"] == [
        ("孟国", "犯罪嫌疑人")
    ]
    assert [(c.person, c.kind) for c in case.circumstances] == [("孟国", "坦白")]


def test_non_prosecution_decision():
    case = extract_case(NON_PROSECUTION)
    assert case.charges == ["故意伤害罪"]
    assert case.procuratorate == "河南省郑州市金水区人民检察院"
    assert case.indictment_no is None  # 豫金检不诉〔2017〕630号 is the decision's own number
    suspect = [p for p in case.persons if p.role == "犯罪嫌疑人"]
    assert [p.name for p in suspect] == ["孟国"]
    assert suspect[0].birth_date == dt.date(1998, 8, 29)
    assert {(m.kind, m.date) for m in case.coercive_measures} == {
        ("刑事拘留", dt.date(2017, 6, 27)),
        ("取保候审", dt.date(2017, 7, 5)),
    }
    assert case.sentences == []


def test_warrants_name_the_charge():
    assert extract_case(DETENTION_WARRANT).charges == ["故意伤害罪"]
    # 贩卖毒品罪 is a choice of the selective charge 走私、贩卖、运输、制造毒品罪
    assert extract_case(ARREST_WARRANT).charges == ["走私、贩卖、运输、制造毒品罪"]


def test_bail_decision_dated_by_the_start_of_its_term():
    case = extract_case(BAIL)
    assert [(m.kind, m.date) for m in case.coercive_measures] == [
        ("取保候审", dt.date(2017, 7, 5))
    ]


def test_suspected_charges_phrases():
    assert suspected_charges("以犯罪嫌疑人王某某涉嫌盗窃罪、诈骗罪提请批准逮捕") == [
        "盗窃罪", "诈骗罪",
    ]
    assert suspected_charges("应当以掩饰、隐瞒犯罪所得罪追究其刑事责任") == [
        "掩饰、隐瞒犯罪所得、犯罪所得收益罪"
    ]
    # no official charge name: nothing, rather than a guess
    assert suspected_charges("以非法占有为目的，涉嫌犯罪，以暴力相威胁") == []


def _card(parts: list[tuple[str, str]]):
    refs = [
        DocumentRef(type=kind, title=kind, pages=(i + 1, i + 1), confidence=1.0)  # type: ignore[arg-type]
        for i, (kind, _) in enumerate(parts)
    ]
    return build_case_card("d1", "\n".join(t for _, t in parts), refs, [t for _, t in parts])


def test_dossier_ending_in_non_prosecution_has_its_charge():
    card = _card([("拘留证", DETENTION_WARRANT), ("取保候审决定书", BAIL),
                  ("起诉意见书", RECOMMENDATION), ("不起诉决定书", NON_PROSECUTION)])
    assert card.case.charges == ["故意伤害罪"]
    assert card.case.procuratorate == "河南省郑州市金水区人民检察院"
    assert card.case.indictment_no is None


def test_a_judgment_stays_the_authority_for_charges():
    judgment = (
        "河南省郑州市金水区人民法院 刑事判决书 （2017）豫0105刑初912号 "
        "公诉机关河南省郑州市金水区人民检察院。 "
        "被告人孟国，男，1998年8月29日出生，彝族，户籍地浙江省婺城区。 "
        "河南省郑州市金水区人民检察院以豫金检公诉刑诉〔2017〕801号起诉书指控被告人孟国犯寻衅滋事罪，"
        "于2017年10月9日向本院提起公诉。 "
        "本院认为，被告人孟国随意殴打他人，情节恶劣，其行为已构成寻衅滋事罪。依照《中华人民共和国刑法》"
        "第二百九十三条第一款第（一）项之规定，判决如下： "
        "被告人孟国犯寻衅滋事罪，判处有期徒刑八个月。 "
        "如不服本判决，可在接到判决书的第二日起十日内提出上诉。"
    )
    card = _card([("拘留证", DETENTION_WARRANT), ("起诉意见书", RECOMMENDATION),
                  ("判决书", judgment)])
    assert card.case.charges == ["寻衅滋事罪"]  # not the 故意伤害罪 the police suspected


def test_citation_as_ocr_lays_it_out():
    """Measured on rendered scans: the article list starts on the next line, and a speck
    read as a dot sits after a 、."""
    from test_extract import JUDGMENT  # tests/nlp is on sys.path (no __init__.py)

    scanned = JUDGMENT.replace(
        "依照《中华人民共和国刑法》第二百六十六条、第二十三条、",
        "依照《中华人民共和国刑法》\n第二百六十六条、·第二十三条、",
    )
    assert scanned != JUDGMENT
    assert {s.article for s in extract_case(scanned).statutes} == {23, 67, 266}


def test_custody_papers_are_combined_when_no_judgment_recounts_them() -> None:
    """A 取保候审决定书 ranked above the 拘留证 must not hide the detention (sample 3)."""
    import datetime as dt

    from schemas.case_card import Case, CoerciveMeasure
    from tasks.nlp.case_card import merge_cases

    detention = CoerciveMeasure(person="王某某", kind="刑事拘留", date=dt.date(2021, 3, 2))
    bail = CoerciveMeasure(person="王某某", kind="取保候审", date=dt.date(2021, 3, 30))
    undated_bail = CoerciveMeasure(person="王某某", kind="取保候审", date=None)
    merged = merge_cases([
        ("起诉意见书", Case(coercive_measures=[undated_bail])),
        ("取保候审决定书", Case(coercive_measures=[bail])),
        ("拘留证", Case(coercive_measures=[detention])),
    ])
    assert merged.coercive_measures == [detention, bail]
    # A judgment recounts the whole history: it is the record when it has one.
    judged = merge_cases([("拘留证", Case(coercive_measures=[detention])),
                          ("判决书", Case(coercive_measures=[bail]))])
    assert judged.coercive_measures == [bail]


CHANGED_MEASURES = (  # the custody history of a judgment's parties section, with changes
    "河南省郑州市金水区人民法院 刑事判决书 （2018）豫0105刑初77号 "
    "公诉机关河南省郑州市金水区人民检察院。 "
    "被告人孟国，男，1998年8月29日出生，彝族，户籍地浙江省婺城区。曾因犯盗窃罪于2014年3月5日"
    "被判处有期徒刑一年，2015年2月1日刑满释放。因涉嫌犯故意伤害罪于2017年6月27日被郑州市公安局"
    "金水分局刑事拘留，同年7月10日被逮捕，同年8月4日经郑州市金水区人民检察院决定，被变更强制措施"
    "为取保候审，同年9月1日因羁押必要性审查被释放。 "
    "被告人谭若，男，1990年2月3日出生，汉族。因涉嫌犯故意伤害罪于2017年6月27日被刑事拘留，"
    "同年7月3日被变更强制措施，同日被释放。 "
    "河南省郑州市金水区人民检察院以豫金检公诉刑诉﹝2018﹞801号起诉书指控被告人孟国、谭若犯故意伤害罪。"
)


def test_changes_of_custody_are_measures_with_their_dates():
    """变更强制措施为取保候审 is the 取保候审 it names; a change that names nothing is 变更;
    释放 ends this case's custody — a sentence served long before (刑满释放) is not one."""
    case = extract_case(CHANGED_MEASURES)
    day = dt.date
    assert [(m.person, m.kind, m.date) for m in case.coercive_measures] == [
        ("孟国", "刑事拘留", day(2017, 6, 27)),
        ("孟国", "逮捕", day(2017, 7, 10)),
        ("孟国", "取保候审", day(2017, 8, 4)),
        ("孟国", "释放", day(2017, 9, 1)),
        ("谭若", "刑事拘留", day(2017, 6, 27)),
        ("谭若", "变更", day(2017, 7, 3)),
        ("谭若", "释放", day(2017, 7, 3)),
    ]


def test_indictment_number_year_in_one_bracket_form():
    """﹝﹞ (read by OCR as ()), 〔〕, [] and （） around the year: one number, written ［］."""
    assert extract_case(CHANGED_MEASURES).indictment_no == "豫金检公诉刑诉［2018］801号"
    ocr = CHANGED_MEASURES.replace("﹝2018﹞", "(2018)")
    assert extract_case(ocr).indictment_no == "豫金检公诉刑诉［2018］801号"
    # one published judgment writes a stray 号 after the year: kept as written
    typo = CHANGED_MEASURES.replace("﹝2018﹞801号", "（2018）号801号")
    assert extract_case(typo).indictment_no == "豫金检公诉刑诉［2018］号801号"


def test_dossier_ending_in_non_prosecution_cites_its_statutes():
    card = _card([("拘留证", DETENTION_WARRANT), ("取保候审决定书", BAIL),
                  ("起诉意见书", RECOMMENDATION), ("不起诉决定书", NON_PROSECUTION)])
    # the decision's own citations: the offence, 第三十七条, 刑事诉讼法第一百七十七条第二款
    assert [(s.law, s.article, s.paragraph) for s in card.case.statutes] == [
        ("中华人民共和国刑法", 234, 1),
        ("中华人民共和国刑法", 37, None),
        ("中华人民共和国刑事诉讼法", 177, 2),
    ]


def test_a_speck_after_the_statute_name_is_not_the_end_of_the_citation():
    """Sample 3 scanned: 《中华人民共和国刑法》.第二百三十四条 (a dot of dust read as '.')."""
    scanned = NON_PROSECUTION.replace("刑法》第二百三十四条", "刑法》.第二百三十四条")
    assert scanned != NON_PROSECUTION
    assert [s.article for s in extract_case(scanned).statutes][:2] == [234, 37]

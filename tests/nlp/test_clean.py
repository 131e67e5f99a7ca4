"""Cleaning OCR page text: the noise below is what tesseract (chi_sim) and RapidOCR return."""

from __future__ import annotations

import random
import unicodedata

from dossier.samples.dossier import fast_paginate, make_sample_dossier
from tasks.nlp.clean import (
    clean_dossier_text,
    clean_page_text,
    correct_ocr_confusions,
    is_page_number_line,
    join_lines,
    join_pages,
    normalize_width,
)


def test_tesseract_spacing_and_half_width_punctuation_are_undone() -> None:
    # tesseract chi_sim puts a space between every character; NFKC folds ，（）： to ASCII.
    raw = "被 告 人 张 3 , 女 , 1975 年 4 月 16 日 出 生 , 汉 族 。"
    assert normalize_width(raw) == "被告人张3，女，1975年4月16日出生，汉族。"
    assert normalize_width("(2017)沪0120刑初684号") == "（2017）沪0120刑初684号"
    assert normalize_width("以某检公诉刑诉[2019] 43号起诉书") == "以某检公诉刑诉[2019]43号起诉书"
    assert normalize_width("指控:2017年4月28日15:30许") == "指控：2017年4月28日15:30许"
    assert normalize_width("罚金人民币3,000元;退赔") == "罚金人民币3,000元；退赔"
    assert normalize_width("伪造其妹妹\"张2\"的身份证") == "伪造其妹妹“张2”的身份证"


def test_full_width_digits_fold_and_latin_words_keep_their_space() -> None:
    assert normalize_width("ｍｇ／１００ｍｌ 含量为１６６") == "mg/100ml含量为166"
    assert normalize_width("DNA 鉴定 Hello World") == "DNA鉴定Hello World"


def test_page_numbers_are_recognised_but_not_ordinary_numbers() -> None:
    for line in ("第3页 共10页", "第 3 页", "- 3 -", "— 12 —", "3/10", "共10页第3页", "7"):
        assert is_page_number_line(line), line
    for line in ("第三百零三条", "3,000元", "2017年"):
        assert not is_page_number_line(line), line


def test_page_numbers_go_only_at_the_top_or_bottom() -> None:
    page = "讯问笔录\n问：你有几个孩子？\n答：\n2\n问：多大？\n答：都上学了。\n第 1 页 共 3 页"
    cleaned = clean_page_text(page)
    assert "第 1 页" not in cleaned and "共3页" not in cleaned
    assert "\n2\n" in cleaned  # an answer in the middle of the page is content


def test_wrapped_lines_join_and_paragraph_breaks_stay() -> None:
    lines = [
        "上海市奉贤区人民检察院以沪奉检诉刑诉〔2017〕700号起诉书指控被告人",
        "张3犯诈骗罪，于2017年6月15日向本院提起公诉。本院依法适用简易程序，",
        "实行独任审判。",
        "本院认为，被告人张3以非法占有为目的，虚构事实、隐瞒真相，骗取他人财",
        "物，数额巨大。",
        "一、被告人张3犯诈骗罪，判处有期徒刑七个月。",
        "问：你叫什么名字？",
        "答：张3。",
    ]
    paragraphs = join_lines(lines)
    assert paragraphs[0].endswith("向本院提起公诉。本院依法适用简易程序，实行独任审判。")
    assert "骗取他人财物，数额巨大。" in paragraphs[1]
    assert paragraphs[2:] == lines[5:]


def test_form_fields_are_not_joined() -> None:
    lines = ["受案单位：上海市公安局奉贤分局", "受案编号：A3101200000020170502", "报案人：刘某"]
    assert join_lines(lines) == lines


def test_lexicon_corrections_only_where_unambiguous() -> None:
    assert correct_ocr_confusions("依法对其取保侯审。") == "依法对其取保候审。"
    assert (
        correct_ocr_confusions("依照《中华人民共和国刑怯》第二百六十四条")
        == "依照《中华人民共和国刑法》第二百六十四条"
    )
    assert correct_ocr_confusions("帮助信息网络犯罪活劫罪") == "帮助信息网络犯罪活动罪"
    # A correctly read neighbour is itself in the lexicon: 宪法 is not "corrected" to 刑法.
    assert correct_ocr_confusions("中华人民共和国宪法") == "中华人民共和国宪法"
    # Too short to be sure (盗窃罪 is three characters), or the first character of a short term.
    assert correct_ocr_confusions("犯盗窍罪") == "犯盗窍罪"
    assert correct_ocr_confusions("人民法官") == "人民法官"
    # Two characters off is not a confusion we trust.
    assert correct_ocr_confusions("取保侯申") == "取保侯申"
    # A correct longer term covers the near miss inside it.
    assert correct_ocr_confusions("《中华人民共和国刑事诉讼法》") == "《中华人民共和国刑事诉讼法》"


def test_repeated_headers_are_dropped_and_titles_kept() -> None:
    header = "奉贤分局刑事侦查卷宗（正卷）"
    pages = [
        f"{header}\n讯问笔录\n问：你的个人情况？\n答：我叫张三。\n- {n} -" for n in range(1, 5)
    ]
    cleaned = clean_dossier_text(pages)
    assert len(cleaned) == 4
    for page in cleaned:
        assert header not in page
        assert page.startswith("讯问笔录\n")
        assert "-" not in page


def test_blank_pages_stay_blank_and_in_place() -> None:
    assert clean_dossier_text(["第一页内容。", "", "  \n ", "第四页内容。"]) == [
        "第一页内容。", "", "", "第四页内容。"
    ]


def _ocr_like(page: str, rng: random.Random) -> str:
    """What an OCR engine returns for a printed page: ASCII punctuation (NFKC), a space
    between characters here and there, a misread 候/侯, a page number at the foot."""
    page = unicodedata.normalize("NFKC", page).replace("取保候审", "取保侯审")
    out = "".join(ch + (" " if ch != "\n" and rng.random() < 0.15 else "") for ch in page)
    return out + f"\n- {rng.randint(1, 99)} -"


def test_a_noisy_dossier_cleans_back_to_its_fields() -> None:
    sample = make_sample_dossier(42, paginate=fast_paginate)
    rng = random.Random(1)
    noisy = [_ocr_like(page, rng) if page else "" for page in sample.pages]
    cleaned = clean_dossier_text(noisy)
    text = "\n".join(cleaned)
    case = sample.case_card.case
    for value in (case.procuratorate, *(p.name for p in case.persons)):
        assert value in text, value
    if case.case_no:
        assert case.case_no in text
    if case.indictment_no:  # as printed (the card writes the year in ［］)
        assert sample.case.indictment_no in text
    assert "取保侯审" not in text
    assert not any(line.strip().startswith("- ") for line in text.splitlines())
    # Every printed sentence survives: compare without line breaks and spaces.
    printed = [
        "\n".join(ln for ln in page.splitlines() if not is_page_number_line(ln))
        for page in sample.pages
    ]
    truth = "".join("".join(page.split()) for page in printed)
    ours = "".join("".join(page.split()) for page in cleaned)
    assert ours == truth.replace("取保候审", "取保候审")


def test_a_number_cut_by_a_line_break_is_one_number_again() -> None:
    # What RapidOCR returned for printed judgments: the layout wrapped inside a date,
    # a year, a report number.
    lines = [
        "被告人某某，男，汉族，住本县某镇。因涉嫌犯开设赌场罪于2016年8月1",
        "0日被刑事拘留，同年9月2日被逮捕，现羁押于本县看守所。公诉机关于2",
        "017年6月2日向本院提起公诉，并随案移送了某某鉴定所出具的（2016）第45",
        "88号检测报告。",
    ]
    assert join_lines(lines) == [
        "被告人某某，男，汉族，住本县某镇。因涉嫌犯开设赌场罪于2016年8月10日被刑事拘留，同年9月"
        "2日被逮捕，现羁押于本县看守所。公诉机关于2017年6月2日向本院提起公诉，并随案移送了某某鉴"
        "定所出具的（2016）第4588号检测报告。"
    ]


def test_table_rows_and_latin_words_keep_their_space() -> None:
    rows = ["序号 文书名称 页号", "1 受案登记表（报案人陈述）材料 3", "2 立案决定书及审批材料 5"]
    assert " ".join(join_lines(rows)).split() == " ".join(rows).split()
    words = ["经鉴定，涉案车辆行驶记录仪中提取的视频文件格式为 MPEG", "Layer 4。"]
    assert join_lines(words) == ["经鉴定，涉案车辆行驶记录仪中提取的视频文件格式为 MPEG Layer 4。"]


def test_a_paragraph_cut_by_a_page_break_runs_on() -> None:
    page_one = [
        "本院认为，被告人某某未经许可非法进入他人住宅，经要求仍拒不退出，其行为已构成",
        "非法侵入住宅罪。依照《中华人民共和国刑法》第二百四十五条、第七十二条第一款、",
        "第七十三条第二款、第六十七条第三款之规定，判决如下：被告人犯非法侵入住宅罪。",
        "被告人某某犯非法侵入住宅罪，判处拘役三个月，缓刑六个月。依照《中华人民共和国刑法》第二",
    ]
    page_two = ["百四十五条之规定，本院认为该行为侵犯了公民的住宅安宁。", "审判员 某某"]
    page_three = ["刑事判决书", "（2018）沪0105刑初655号"]
    cleaned = clean_dossier_text(["\n".join(page_one), "\n".join(page_two), "\n".join(page_three)])
    assert cleaned.continues == (True, False, False)
    assert cleaned[1].startswith("百四十五条")  # every page keeps its own text
    text = join_pages(cleaned, cleaned.continues)
    assert "依照《中华人民共和国刑法》第二百四十五条之规定" in text
    assert "审判员某某\n刑事判决书" in text
    # a page that ends its sentence, or is followed by a blank sheet, does not run on
    assert clean_dossier_text(["\n".join(page_one[:3]), "\n".join(page_two)]).continues == (
        False, False
    )
    assert clean_dossier_text(["\n".join(page_one), "", "\n".join(page_two)]).continues == (
        False, False, False
    )


def test_a_citation_cut_after_its_bracketed_item_runs_on() -> None:
    lines = [
        "辩护意见，本院予以采纳。依照《中华人民共和国刑法》第一百三十三条之一第一款第（二）",
        "项、第六十七条第三款、第五十二条、第五十三条、《中华人民共和国刑事诉讼法》第十五",
        "条之规定，判决如下：",
        "上海市奉贤区公安局奉贤分局刑事侦查支队第三大队（印）",
        "二〇二一年五月十四日",
    ]
    paragraphs = join_lines(lines)
    assert "第一款第（二）项、第六十七条第三款" in paragraphs[0]
    # a list of paragraphs cut after 第 is not the list marker 一、
    cut = [
        "依照《中华人民共和国刑法》第三百四十二条、第七十二条第一、三款、第七十三条第",
        "一、三款之规定，判决如下：",
    ]
    assert join_lines(cut) == ["".join(cut)]
    assert "第十五条之规定" in paragraphs[0]
    assert paragraphs[1:] == lines[3:]  # a seal closes its line

import pytest

from tasks.nlp.normalize import amount_to_yuan, date_to_iso, parse_date, term_to_months, to_int


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("三年六个月", 42),
        ("一年零三个月", 15),
        ("十个月", 10),
        ("一年", 12),
        ("五年零五个月", 65),
        ("二年十个月", 34),
        ("1年6个月", 18),
        ("三年零八个月", 44),
        ("六个月", 6),
        ("十五年", 180),
        ("拘役二十日", None),
        ("", None),
    ],
)
def test_term_to_months(text, months):
    assert term_to_months(text) == months


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("一万八千元", 18000),
        ("1.5万元", 15000),
        ("76,000元", 76000),
        ("人民币三千元", 3000),
        ("人民币3，000元", 3000),
        ("二千元", 2000),
        ("人民币2000元", 2000),
        ("三万五千元", 35000),
        ("1.2.3元", None),
        ("若干元", None),
    ],
)
def test_amount_to_yuan(text, yuan):
    assert amount_to_yuan(text) == yuan


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("二〇一八年五月二十一日", "2018-05-21"),
        ("2018年5月21日", "2018-05-21"),
        ("二○一七年六月二十八日", "2017-06-28"),
        ("２０１８年５月２１日", "2018-05-21"),
        ("二0一四年四月十九日", "2014-04-19"),  # ASCII zero, as some courts type it
        ("2018年5月", None),
        ("2018年2月30日", None),
    ],
)
def test_date_to_iso(text, iso):
    assert date_to_iso(text) == iso


def test_same_year_needs_a_reference():
    assert parse_date("同年3月1日", reference_year=2017).isoformat() == "2017-03-01"
    assert parse_date("同年3月1日") is None


def test_to_int():
    assert to_int("二百六十六") == 266
    assert to_int("一百三十三") == 133
    assert to_int("1.5") is None

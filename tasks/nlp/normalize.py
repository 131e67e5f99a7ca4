"""Turning the ways judgments write numbers, terms, money and dates into values.

Judgments mix Chinese numerals (二〇一八年五月二十一日, 一万八千元), Arabic digits with
full-width separators (3，000元) and units (1.5万元). Every function returns ``None``
rather than a guess when the text is not one of the forms it knows, because a wrong
sentence length or fine is worse than a blank on the case card.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import cn2an

__all__ = [
    "amount_to_yuan",
    "canonical_indictment_no",
    "date_to_iso",
    "parse_date",
    "term_to_months",
    "to_int",
]

_CN_DIGITS = "〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_NUMBER = rf"[0-9{_CN_DIGITS}]+"


def _fold(text: str) -> str:
    """NFKC folds full-width digits, commas and the ideographic space the OCR and
    the courts both produce; thousands separators are then dropped."""
    text = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"(?<=\d)[,，](?=\d{3})", "", text)


def to_int(text: str) -> int | None:
    """``"二百六十六"`` → 266, ``"12"`` → 12; ``None`` when it is not a whole number."""
    text = _fold(text)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return int(value)


_TERM = re.compile(
    rf"^(?:(?P<years>{_NUMBER})年)?(?:零|又)?(?:(?P<months>{_NUMBER})个?月)?(?:(?P<days>{_NUMBER})日|天)?$"
)


def term_to_months(text: str) -> int | None:
    """A prison term as months: 三年六个月 → 42, 一年零三个月 → 15, 十个月 → 10.

    Terms with days (拘役二十日) are not whole months: ``None`` rather than rounding.
    """
    text = _fold(text).replace(" ", "")
    match = _TERM.match(text)
    if not match or not (match["years"] or match["months"]) or match["days"]:
        return None
    years = to_int(match["years"]) if match["years"] else 0
    months = to_int(match["months"]) if match["months"] else 0
    if years is None or months is None:
        return None
    return years * 12 + months


_AMOUNT = re.compile(
    r"^(?:人民币|RMB|￥|¥)?(?P<number>[0-9.零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+)"
    r"(?P<unit>元|圆)?(?:整)?$"
)


def amount_to_yuan(text: str) -> float | None:
    """Money to yuan: 一万八千元 → 18000, 1.5万元 → 15000, 76,000元 → 76000,
    人民币三千元 → 3000. Integral amounts come back as whole floats."""
    text = _fold(text).replace(" ", "")
    match = _AMOUNT.match(text)
    if not match:
        return None
    number = match["number"]
    if re.fullmatch(r"\d+(?:\.\d+)?", number):
        return float(number)
    if number.count(".") > 1:
        return None
    try:
        value = cn2an.cn2an(number, "smart")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)


_DATE = re.compile(
    rf"^(?P<year>[0-9〇零○Ｏ一二三四五六七八九]{{4}}|同)年(?P<month>{_NUMBER})月"
    rf"(?:(?P<day>{_NUMBER})日)?$"
)


def parse_date(text: str, *, reference_year: int | None = None) -> dt.date | None:
    """二〇一八年五月二十一日 or 2018年5月21日 → date. ``同年`` (the same year) needs
    the year of the date mentioned before it; a date without a day is not a date."""
    text = _fold(text).replace(" ", "").replace("○", "〇").replace("Ｏ", "〇").replace("O", "〇")
    match = _DATE.match(text)
    if not match or not match["day"]:
        return None
    if match["year"] == "同":
        year = reference_year
    else:
        digits = "".join(
            ch if ch.isdigit() else str("〇一二三四五六七八九".index(ch)) if ch != "零" else "0"
            for ch in match["year"]
        )
        year = int(digits)
    month, day = to_int(match["month"]), to_int(match["day"])
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_to_iso(text: str) -> str | None:
    """二〇一八年五月二十一日 → ``"2018-05-21"``."""
    value = parse_date(text)
    return value.isoformat() if value else None


_FULL_WIDTH_BRACKETS = str.maketrans({"(": "（", ")": "）", "[": "［", "]": "］"})
_YEAR_IN_BRACKETS = re.compile(r"[（(〔［\[﹝【]([12][0-9]{3})[）)〕］\]﹞】]")


def canonical_indictment_no(text: str) -> str:
    """沪奉检诉刑诉〔2017〕700号, …﹝2017﹞…, …[2017]…, …（2017）… → …［2017］…

    The procuratorate's number is one number however its year is bracketed: the
    起诉书 prints 〔〕, judgments quote it with （）, ［］ or ﹝﹞, and OCR reads the small
    ﹝﹞ as (). The card writes the year in ［］ so the 起诉书 and the judgment citing it
    give the same value; the rest stays as written (NFKC-folded).
    """
    text = _YEAR_IN_BRACKETS.sub(r"［\1］", unicodedata.normalize("NFKC", text).replace(" ", ""))
    return text.translate(_FULL_WIDTH_BRACKETS)

"""Court case numbers (案号) read by their grammar, which lives in data.

``data/case_number_grammar.yaml`` holds the rules of the 最高人民法院 on case numbers
(法〔2015〕137号, the form since 2016) and the older forms courts printed before it, with
every criminal procedure type (类型代字). Two questions are asked of a number:

* ``has_shape``: does it look like a court number at all (a year in brackets, a number
  before 号, a year that can be)? No → the card holds something else, and the critical
  gate ``case_card.case_no_format`` holds the dossier.
* ``parse(...).known``: is its type code one the grammar lists? No → a warning only
  (``case_card.case_no_known_form``): courts print local forms (刑速初字, 刑重字, a number
  missing 初) and a correct judgment must not be held for one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

GRAMMAR_FILE = Path(__file__).resolve().parent / "data" / "case_number_grammar.yaml"

__all__ = ["GRAMMAR_FILE", "CaseNumber", "grammar", "has_shape", "parse_case_number"]


@dataclass(frozen=True)
class CaseNumber:
    """A case number in parts; ``form`` is ``2016`` (法〔2015〕137号) or ``pre-2016``."""

    year: int
    court: str
    type_code: str
    procedure: str
    number: int
    form: str
    division: str = ""  # the tribunal's ordinal in old numbers (刑二初字: 二)


@lru_cache(maxsize=1)
def grammar() -> dict:
    return yaml.safe_load(GRAMMAR_FILE.read_text(encoding="utf-8"))


def _alternation(codes: list[str]) -> str:
    """``刑初|刑终|…`` longest first, so 刑再终 is not read as 刑再 + 终."""
    return "|".join(re.escape(code) for code in sorted(codes, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    g = grammar()
    shape, new, old = g["shape"], g["new_form"], g["old_form"]
    year = rf"{shape['open']}(?P<year>[12]\d{{3}}){shape['close']}"
    shape_re = re.compile(
        rf"^{year}(?P<body>.*?[\u4e00-\u9fff].*?)第?(?P<number>\d+)号(?:之.{{1,3}})?$"
    )
    new_re = re.compile(
        rf"^{year}(?P<court>{new['courts']})(?P<type>{_alternation(list(new['types']))})"
        rf"(?P<number>{new['number']})$"
    )
    # 刑 + the tribunal's ordinal + the rest of the code: 刑二初字, 刑再终字
    rests = _alternation([code[1:] for code in old["types"] if code.startswith("刑")])
    old_re = re.compile(
        rf"^{year}(?P<court>{old['courts']}){old['juvenile']}"
        rf"刑(?P<division>{old['division']})(?P<rest>{rests})(?P<number>{old['number']})$"
    )
    return shape_re, new_re, old_re


def has_shape(case_no: str, *, latest_year: int | None = None) -> bool:
    """Whether ``case_no`` has the shape of every court number: （year）…N号, with a year
    from the grammar's first year to ``latest_year`` (the judgment's year, since a case is
    received before it is decided; next year when unknown)."""
    m = _patterns()[0].match(case_no.strip())
    if not m:
        return False
    latest = latest_year if latest_year is not None else dt.date.today().year + 1
    return grammar()["shape"]["first_year"] <= int(m["year"]) <= latest


def parse_case_number(case_no: str) -> CaseNumber | None:
    """The parts of a number whose form the grammar knows; ``None`` for any other."""
    text = case_no.strip()
    _, new_re, old_re = _patterns()
    g = grammar()
    m = new_re.match(text)
    if m:
        code = m["type"]
        return CaseNumber(
            year=int(m["year"]), court=m["court"], type_code=code,
            procedure=g["new_form"]["types"][code], number=_number(m["number"]), form="2016",
        )
    m = old_re.match(text)
    if m:
        code, division = "刑" + m["rest"], m["division"]
        types = g["old_form"]["types"]
        return CaseNumber(
            year=int(m["year"]), court=m["court"], type_code=code, procedure=types[code],
            number=_number(m["number"]), form="pre-2016", division=division,
        )
    return None


def _number(written: str) -> int:
    return int(re.search(r"\d+", written).group(0))  # type: ignore[union-attr]

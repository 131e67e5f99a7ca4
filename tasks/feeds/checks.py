"""The quality gates of a feed file: derived check columns, and the suites built from them.

A GX suite can only look at columns, so every rule on a feed row (the ID number's
check digit, dates that parse and come in order, amounts >= 0, enumerations) is
one boolean column of the checks frame, computed here vectorised, and one
expectation in ``expectations/gx/expectations/feed_<name>.json`` that it is
true. The suites are written from :func:`feed_checks` by
``python -m tasks.feeds.checks`` (a test checks they match), so the check, its
suite entry and the reason a refused row carries are defined once.

No raw ID number enters the frame given to GX (its failing values are reported):
only ``line`` and the derived flags.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from stdnum.cn import ric

from schemas.feeds import FEEDS, FeedSpec
from tasks.quality.context import project_dir

LINE = "line"
_ID_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
_NAMESPACE = uuid.UUID("0b6a4f5e-4d0c-4f57-9a51-3f0c2b6f1e11")  # stable expectation ids


@dataclass(frozen=True)
class Check:
    id: str  # feed_<name>.<check>
    column: str
    explanation_zh: str
    explanation_en: str
    value_set: tuple[object, ...] = (True,)


def feed_checks(spec: FeedSpec) -> list[Check]:
    """The checks of one feed, from its spec."""
    kinds = set(spec.columns.values())
    checks = [
        Check(f"{spec.suite}.record_id", "record_id_present",
              "记录编号为空。", "The record id is empty."),
        Check(f"{spec.suite}.id_number_check_digit", "person_id_valid",
              "身份证号码格式或校验位错误。",
              "The resident ID number is malformed or fails its check digit."),
    ]
    if spec.required:
        checks.append(Check(f"{spec.suite}.required", "required_present",
                            f"必填项为空（{'、'.join(spec.required)}）。",
                            f"A required value is empty ({', '.join(spec.required)})."))
    if "date" in kinds:
        checks.append(Check(f"{spec.suite}.dates_valid", "dates_valid",
                            "日期不是有效的 YYYY-MM-DD。", "A date is not a valid YYYY-MM-DD."))
    if spec.date_order:
        pairs = "、".join(f"{a}≤{b}" for a, b in spec.date_order)
        checks.append(Check(f"{spec.suite}.dates_in_order", "dates_in_order",
                            f"日期先后顺序不合理（{pairs}）。",
                            f"Dates are out of order ({pairs})."))
    if kinds & {"amount", "int"}:
        checks.append(Check(f"{spec.suite}.amounts_valid", "amounts_valid",
                            "金额或数值不是非负数。", "An amount or count is not a number >= 0."))
    if "bool" in kinds:
        checks.append(Check(f"{spec.suite}.flags_valid", "flags_valid",
                            "布尔项只能是 true 或 false。", "A flag is neither true nor false."))
    if "month" in kinds:
        checks.append(Check(f"{spec.suite}.month_valid", "month_valid",
                            "月份不是有效的 YYYY-MM。", "A month is not a valid YYYY-MM."))
    for column, allowed in spec.enums.items():
        checks.append(Check(f"{spec.suite}.{column}_allowed", column,
                            f"{column} 取值不在允许范围内（{'、'.join(allowed)}）。",
                            f"{column} is not one of the allowed values.", allowed))
    return checks


# --- the checks frame ----------------------------------------------------------------


@cache
def _check_digit_ok(number: str) -> bool:
    return ric.calc_check_digit(number) == number[17]  # it reads the first 17 itself


def id_numbers_valid(numbers: pd.Series) -> pd.Series:
    """GB 11643: shape, birth date and the MOD 11-2 check digit (python-stdnum's
    ``calc_check_digit``; its full ``validate`` also looks the region up, ~160 µs a
    number, too slow for a million rows and stricter than the feeds need)."""
    upper = numbers.str.upper()
    shaped = upper.str.match(_ID_SHAPE.pattern).fillna(False).astype(bool)
    born = pd.to_datetime(upper.str.slice(6, 14).where(shaped), format="%Y%m%d",
                          errors="coerce")
    ok = shaped & born.notna()
    digits = pd.Series(False, index=numbers.index)
    if ok.any():
        digits[ok] = [_check_digit_ok(n) for n in upper[ok]]
    return ok & digits


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO dates; '' is none (NaT); anything else unparseable is NaT too (checked apart)."""
    return pd.to_datetime(values.where(values != ""), format="%Y-%m-%d", errors="coerce")


def parse_numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.where(values != ""), errors="coerce")


def checks_frame(spec: FeedSpec, raw: pd.DataFrame) -> pd.DataFrame:
    """One row per CSV row (``line`` = its line number in the file): the check columns."""
    frame = pd.DataFrame({LINE: np.arange(2, len(raw) + 2)}, index=raw.index)
    frame["record_id_present"] = raw[spec.id_column] != ""
    frame["person_id_valid"] = id_numbers_valid(raw["person_id"])
    if spec.required:
        frame["required_present"] = (raw[list(spec.required)] != "").all(axis=1)
    dates = {c: parse_dates(raw[c]) for c, k in spec.columns.items() if k == "date"}
    if dates:
        bad = pd.Series(False, index=raw.index)
        for column, parsed in dates.items():
            bad |= (raw[column] != "") & parsed.isna()
        frame["dates_valid"] = ~bad
    if spec.date_order:
        ordered = pd.Series(True, index=raw.index)
        for earlier, later in spec.date_order:
            ordered &= ~(dates[later] < dates[earlier]).fillna(False)
        frame["dates_in_order"] = ordered
    numeric = [c for c, k in spec.columns.items() if k in ("amount", "int")]
    if numeric:
        ok = pd.Series(True, index=raw.index)
        for column in numeric:
            parsed = parse_numbers(raw[column])
            good = parsed >= 0
            if spec.columns[column] == "int":
                good &= parsed == parsed.round()
            ok &= (raw[column] == "") | good.fillna(False)
        frame["amounts_valid"] = ok
    flags = [c for c, k in spec.columns.items() if k == "bool"]
    if flags:
        frame["flags_valid"] = raw[flags].isin(["", "true", "false"]).all(axis=1)
    months = [c for c, k in spec.columns.items() if k == "month"]
    if months:
        ok = pd.Series(True, index=raw.index)
        for column in months:
            parsed = pd.to_datetime(raw[column], format="%Y-%m", errors="coerce")
            ok &= (raw[column] == "") | parsed.notna()
        frame["month_valid"] = ok
    for column in spec.enums:
        frame[column] = raw[column].where(raw[column] != "")
    return frame


# --- the suites ----------------------------------------------------------------------


def suite_json(spec: FeedSpec) -> dict:
    expectations = []
    for check in feed_checks(spec):
        expectations.append({
            "id": str(uuid.uuid5(_NAMESPACE, check.id)),
            "kwargs": {"column": check.column, "value_set": list(check.value_set)},
            "meta": {"check": check.id, "explanation_en": check.explanation_en,
                     "explanation_zh": check.explanation_zh, "severity": "critical"},
            "severity": "critical",
            "type": "expect_column_values_to_be_in_set",
        })
    return {"expectations": expectations,
            "id": str(uuid.uuid5(_NAMESPACE, spec.suite)),
            "meta": {"great_expectations_version": "1.x",
                     "notes": f"Generated by tasks.feeds.checks from schemas.feeds ({spec.file}); "
                              "do not edit by hand."},
            "name": spec.suite,
            "notes": None}


def write_suites() -> list[str]:
    folder = project_dir() / "gx" / "expectations"
    written = []
    for spec in FEEDS.values():
        path = folder / f"{spec.suite}.json"
        path.write_text(json.dumps(suite_json(spec), ensure_ascii=False, indent=2, sort_keys=True)
                        + "\n", encoding="utf-8")
        written.append(str(path))
    return written


if __name__ == "__main__":
    for path in write_suites():
        print(path)

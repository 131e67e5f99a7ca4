"""Write ``data/holidays/<year>.yaml`` from the 国务院办公厅 holiday notices.

    python -m tasks.case_management.build_holidays [--from 2016] [--to 2026]

The notices (国务院办公厅关于<year>年部分节假日安排的通知, published each year, usually in
November for the next) are read through the ``chinesecalendar`` package, which
transcribes them (a development dependency: the shipped product reads the YAML files
only). Each file lists the days off (放假: every day of a holiday period, weekends
inside it too) and the weekend days made working days (调休上班), and names its source.
A year the package does not know yet is added by hand in the same format, from the
notice itself; ``tests/case_management/test_calendar.py`` checks the shipped files
against the package for the years it covers.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from tasks.case_management.work_calendar import HOLIDAYS_DIR

# Notices beside the yearly one that changed that year's days off.
EXTRA_SOURCES = {2020: "国务院办公厅关于延长2020年春节假期的通知"}
NAMES_ZH = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def year_text(year: int) -> str:
    """The YAML of one year, from the package's transcription of its notice."""
    import chinese_calendar

    off = {d: n for d, n in chinese_calendar.holidays.items() if d.year == year}
    working = {d: n for d, n in chinese_calendar.workdays.items()
               if d.year == year and d.weekday() >= 5}
    if not off:
        raise LookupError(f"chinesecalendar knows no holidays of {year}")
    lines = [
        f"# {year}年 放假与调休上班日",
        f"year: {year}",
        f"source: 国务院办公厅关于{year}年部分节假日安排的通知"
        + (f"；{EXTRA_SOURCES[year]}" if year in EXTRA_SOURCES else ""),
        f"transcribed_with: chinesecalendar {chinese_calendar.__version__}"
        " (python -m tasks.case_management.build_holidays)",
        "days_off:",
        *(f"  {d.isoformat()}: {NAMES_ZH.get(n, n)}" for d, n in sorted(off.items())),
        "working_weekends:",
        *(f"  {d.isoformat()}: {NAMES_ZH.get(n, n)}" for d, n in sorted(working.items())),
    ]
    return "\n".join(lines) + "\n"


def write_years(first: int, last: int, out: Path = HOLIDAYS_DIR) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for year in range(first, last + 1):
        path = out / f"{year}.yaml"
        path.write_text(year_text(year), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="first", type=int, default=2016)
    parser.add_argument("--to", dest="last", type=int, default=dt.date.today().year)
    args = parser.parse_args()
    for path in write_years(args.first, args.last):
        print(path)


if __name__ == "__main__":
    main()

"""The working calendar and the counting of periods (期间的计算).

The rules (``data/deadlines.yaml`` → ``counting``, quoted from the statutes):

* 刑事诉讼法第一百零五条第二款: the day a period starts is not counted — a 7-day period
  starting on the 3rd ends at the end of the 10th.
* 最高法解释第二百零二条: a month runs from a day to the same day of the next month; from
  the last day of a month to the last day of the next; to the next month's last day when
  it has no such day (01-31 → 02-29 in 2024, 01-30 → 02-29, 02-29 → 03-31). N months
  are counted the same way from the start (not month by month).
* 刑事诉讼法第一百零五条第四款: a period whose last day is a 节假日 ends on the first day
  after it — **except while the suspect is in custody** (在押), when it ends on its last
  day whatever that day is.

节假日 here is a rest day: a Saturday or Sunday that the year's 国务院办公厅 notice does
not make a working day (调休上班), or a day off that notice gives (放假). The notices are
transcribed per year in ``data/holidays/<year>.yaml`` (built by
``python -m tasks.case_management.build_holidays``; an office adds the next year by hand
when its notice is published, usually in November). For a year without a file the
calendar knows weekends only, and every date it computes in that year says so
(:attr:`Due.note`): the simplification is stated, never silent.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

HOLIDAYS_DIR = Path(__file__).resolve().parent / "data" / "holidays"


@dataclass(frozen=True)
class YearCalendar:
    """One year's notice: days off (放假) and weekend days that are working days (调休上班)."""

    year: int
    source: str
    days_off: dict[dt.date, str]
    working_weekends: dict[dt.date, str]


def read_year(path: Path) -> YearCalendar:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return YearCalendar(
        year=int(data["year"]), source=str(data["source"]),
        days_off={dt.date.fromisoformat(str(k)): v
                  for k, v in (data.get("days_off") or {}).items()},
        working_weekends={dt.date.fromisoformat(str(k)): v
                          for k, v in (data.get("working_weekends") or {}).items()},
    )


@lru_cache(maxsize=1)
def shipped_years() -> dict[int, YearCalendar]:
    return {y.year: y for y in map(read_year, sorted(HOLIDAYS_DIR.glob("*.yaml")))}


@dataclass(frozen=True)
class Due:
    """A period's last day: as the law counts it (``day``), and the last day before the
    holiday rule (``nominal``); ``note`` says what the calendar did not know."""

    day: dt.date
    nominal: dt.date
    moved_for_holiday: bool = False
    note: str | None = None


@dataclass(frozen=True)
class WorkCalendar:
    """Rest days by the shipped notices (or the ``years`` given, for tests and offices)."""

    years: dict[int, YearCalendar] = field(default_factory=shipped_years)

    def known(self, year: int) -> bool:
        return year in self.years

    def is_rest_day(self, day: dt.date) -> bool:
        notice = self.years.get(day.year)
        if notice is not None:
            if day in notice.days_off:
                return True
            if day in notice.working_weekends:
                return False
        return day.weekday() >= 5

    def unknown_note(self, *days: dt.date) -> str | None:
        missing = sorted({d.year for d in days if not self.known(d.year)})
        if not missing:
            return None
        return (f"no 国务院办公厅 holiday notice on file for {', '.join(map(str, missing))}: "
                "weekends only")

    def end_of_period(self, start: dt.date, *, days: int = 0, months: int = 0,
                      in_custody: bool) -> Due:
        """The last day of a period of ``months`` then ``days`` from ``start`` (not counted)."""
        nominal = add_days(add_months(start, months), days)
        return self.adjust(nominal, in_custody=in_custody)

    def adjust(self, nominal: dt.date, *, in_custody: bool) -> Due:
        """刑事诉讼法第一百零五条第四款: a last day on a rest day moves to the next working
        day, unless the suspect is in custody."""
        day = nominal
        if not in_custody:
            while self.is_rest_day(day):
                day += dt.timedelta(days=1)
        return Due(day=day, nominal=nominal, moved_for_holiday=day != nominal,
                   note=self.unknown_note(nominal, day))


def add_days(start: dt.date, days: int) -> dt.date:
    """The start day is not counted: 7 days from the 3rd end on the 10th."""
    return start + dt.timedelta(days=days)


def _last_day(year: int, month: int) -> int:
    return _calendar.monthrange(year, month)[1]


def add_months(start: dt.date, months: int) -> dt.date:
    """最高法解释第二百零二条: the same day ``months`` later; from a month's last day to the
    last day; to the last day when the target month has no such day."""
    if months == 0:
        return start
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = _last_day(year, month)
    if start.day == _last_day(start.year, start.month):
        return dt.date(year, month, last)
    return dt.date(year, month, min(start.day, last))

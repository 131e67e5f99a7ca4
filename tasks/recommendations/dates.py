"""Dates of recommendations: the procuratorate's today, the reply period, Chinese dates.

The reply period (人民检察院检察建议工作规定 第十九条) runs two months from the day the
recipient receives the document. The rule here: the period starts on the recorded
receipt date (``dossier recommendations received``), or on the issue date while no
receipt is recorded (the document leaves the day it is issued; an earlier start only
ever flags a late reply sooner, and recording the receipt moves the due date). Two
months later is the same day of the month, or the month's last day when it has no
such day (12-31 → 02-28/29). The reply is overdue from the day after the due date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

import cn2an

TIMEZONE = ZoneInfo("Asia/Shanghai")
_DIGITS = "〇一二三四五六七八九"


def local_today() -> dt.date:
    """Today where the procuratorate is (a server on UTC would be a day behind before 8:00)."""
    return dt.datetime.now(TIMEZONE).date()


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reply_due(issued: dt.date, received: dt.date | None, months: int) -> dt.date:
    return add_months(received or issued, months)


def chinese_date(day: dt.date) -> str:
    """2026-11-30 → 二〇二六年十一月三十日 (the date line of an official document)."""
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{cn2an.an2cn(day.month)}月{cn2an.an2cn(day.day)}日"

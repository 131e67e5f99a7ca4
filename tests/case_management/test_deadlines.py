"""Deadline computation against the Criminal Procedure Law's rules.

Counting (刑事诉讼法第一百零五条, 最高法解释第二百零二条), 审查逮捕 (第九十一条, 规则第二百八十二
条), 审查起诉 and its extension (第一百七十二条), 认罪认罚 in 速裁 (10 / 15 days), returns for
补充侦查 (one month each, at most twice, the review counted anew: 第一百七十五条), and the
weekends/holidays policy: a last day on a rest day moves to the next working day, except
while the suspect is in custody; 调休 working weekends are working days; a year without
a holiday notice on file is counted on weekends only and says so. Cards are built by hand
so every edge is exact.
"""

from __future__ import annotations

import datetime as dt

import pytest

from schemas.case_card import (
    Case,
    CaseCard,
    Circumstance,
    CoerciveMeasure,
    DocumentRef,
    Sentence,
)
from tasks.case_management.deadlines import near_or_past, periods
from tasks.case_management.events import card_timeline
from tasks.case_management.work_calendar import WorkCalendar, add_days, add_months

D = dt.date
CAL = WorkCalendar()


def doc(kind: str, day: dt.date, title: str | None = None) -> DocumentRef:
    return DocumentRef(type=kind, title=title or kind, pages=(1, 1), confidence=0.9, date=day)


def card(*documents: DocumentRef, measures: tuple[tuple[str, dt.date], ...] = (),
         plea: bool = False, months: int | None = None) -> CaseCard:
    case = Case(
        case_no="（2024）示0101刑初1号", charges=["盗窃罪"],
        coercive_measures=[CoerciveMeasure(person="张三", kind=k, date=d) for k, d in measures],
        circumstances=[Circumstance(person="张三", kind="认罪认罚")] if plea else [],
        sentences=[Sentence(person="张三", charges=["盗窃罪"], penalty="有期徒刑", months=months)]
        if months is not None else [],
    )
    return CaseCard(dossier_id="d0000000000000001", case=case, documents=list(documents))


def only(items, rule: str):
    (item,) = [p for p in items if p.rule == rule]
    return item


# --- counting ------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "months", "end"), [
    (D(2024, 1, 15), 1, D(2024, 2, 15)),  # 本月某日至下月同日
    (D(2024, 1, 31), 1, D(2024, 2, 29)),  # 下月同日不存在 → 下月最后一日
    (D(2024, 1, 30), 1, D(2024, 2, 29)),
    (D(2024, 2, 29), 1, D(2024, 3, 31)),  # 起算日为本月最后一日 → 下月最后一日
    (D(2023, 2, 28), 1, D(2023, 3, 31)),
    (D(2024, 2, 28), 1, D(2024, 3, 28)),  # not the last day in a leap year
    (D(2024, 12, 15), 1, D(2025, 1, 15)),
    (D(2024, 11, 30), 2, D(2025, 1, 31)),
])
def test_months_are_counted_to_the_same_day(start: dt.date, months: int, end: dt.date) -> None:
    assert add_months(start, months) == end


def test_the_first_day_is_not_counted() -> None:
    assert add_days(D(2024, 3, 4), 7) == D(2024, 3, 11)


def test_a_last_day_on_a_weekend_or_holiday_moves_unless_in_custody() -> None:
    # Saturday → Monday
    assert CAL.adjust(D(2024, 3, 9), in_custody=False).day == D(2024, 3, 11)
    # 国庆节 2024-10-01..07 (国务院办公厅关于2024年部分节假日安排的通知) → Tuesday 10-08
    due = CAL.adjust(D(2024, 10, 1), in_custody=False)
    assert (due.day, due.moved_for_holiday, due.note) == (D(2024, 10, 8), True, None)
    # 10-12 is a Saturday made a working day (调休上班): the period ends on it
    assert CAL.adjust(D(2024, 10, 12), in_custody=False).day == D(2024, 10, 12)
    # 春节 2024-02-10..17, then 02-18 a working Sunday
    assert CAL.adjust(D(2024, 2, 11), in_custody=False).day == D(2024, 2, 18)
    # in custody: the last day stays, holiday or not
    assert CAL.adjust(D(2024, 10, 1), in_custody=True).day == D(2024, 10, 1)
    assert CAL.adjust(D(2024, 3, 9), in_custody=True).day == D(2024, 3, 9)


def test_a_year_without_a_notice_is_weekends_only_and_says_so() -> None:
    bare = WorkCalendar(years={})
    due = bare.adjust(D(2024, 10, 1), in_custody=False)  # a Tuesday: not known as a holiday
    assert due.day == D(2024, 10, 1)
    assert due.note and "2024" in due.note and "weekends only" in due.note
    assert bare.adjust(D(2024, 10, 12), in_custody=False).day == D(2024, 10, 14)
    assert CAL.known(2024) and not CAL.known(2099)
    assert CAL.adjust(D(2099, 1, 1), in_custody=False).note  # beyond the shipped notices


# --- 审查逮捕 ------------------------------------------------------------------------


def test_arrest_review_of_a_detained_suspect_is_seven_days_with_no_holiday_extension() -> None:
    c = card(doc("拘留证", D(2024, 9, 25)), doc("其他", D(2024, 9, 28), "提请批准逮捕书"),
             doc("逮捕证", D(2024, 10, 6)))
    item = only(periods(card_timeline(c), D(2024, 12, 1)), "arrest_review")
    # 09-28 + 7 = 10-05, a holiday: the suspect is held, so 10-05 stays the last day
    assert (item.due, item.in_custody, item.done) == (D(2024, 10, 5), True, D(2024, 10, 6))
    assert (item.status, item.days_late) == ("overrun", 1)
    assert "第91条第3款" in item.basis


def test_arrest_review_decided_on_the_last_day_is_met() -> None:
    c = card(doc("其他", D(2024, 3, 4), "提请批准逮捕书"), doc("逮捕证", D(2024, 3, 11)),
             measures=(("刑事拘留", D(2024, 3, 1)),))
    item = only(periods(card_timeline(c), D(2024, 4, 1)), "arrest_review")
    assert (item.due, item.status) == (D(2024, 3, 11), "met")


def test_arrest_review_of_a_suspect_at_large_is_fifteen_days_extendable_to_twenty() -> None:
    c = card(doc("取保候审决定书", D(2024, 4, 1)),
             doc("其他", D(2024, 4, 15), "提请批准逮捕书"), doc("其他", D(2024, 5, 2),
                                                           "批准逮捕决定书"))
    item = only(periods(card_timeline(c), D(2024, 6, 1)), "arrest_review_at_large")
    # 04-15 + 15 = 04-30 (a working Tuesday); + 20 = 05-05, in the 劳动节 days off (05-01..05)
    # and not in custody → 05-06
    assert (item.due, item.extended_due) == (D(2024, 4, 30), D(2024, 5, 6))
    assert item.status == "met_with_extension" and not item.in_custody


def test_arrest_review_pending_is_open_then_overdue() -> None:
    c = card(doc("其他", D(2024, 3, 4), "提请批准逮捕书"), measures=(("刑事拘留", D(2024, 3, 1)),))
    timeline = card_timeline(c)
    soon = only(periods(timeline, D(2024, 3, 9)), "arrest_review")
    assert (soon.status, soon.days_left) == ("open", 2)
    late = only(periods(timeline, D(2024, 3, 15)), "arrest_review")
    assert (late.status, late.days_late) == ("overdue", 4)
    assert near_or_past([soon], within=3) == [soon]
    assert near_or_past([soon], within=1) == []


def test_an_arrest_without_the_request_is_said_missing_not_guessed() -> None:
    c = card(doc("起诉意见书", D(2024, 5, 6)), measures=(("逮捕", D(2024, 3, 12)),))
    timeline = card_timeline(c)
    assert not [p for p in periods(timeline, D(2024, 6, 1)) if p.rule.startswith("arrest")]
    assert any("提请批准逮捕" in m for m in timeline.missing)


# --- 审查起诉 ------------------------------------------------------------------------


def test_prosecution_review_one_month_and_the_fifteen_day_extension() -> None:
    arrested = (("逮捕", D(2023, 12, 20)),)  # in custody: no holiday rule
    met = card(doc("起诉意见书", D(2024, 1, 31)), doc("起诉书", D(2024, 2, 29)), measures=arrested)
    item = only(periods(card_timeline(met), D(2024, 6, 1)), "prosecution_review")
    assert (item.due, item.extended_due, item.status) == (D(2024, 2, 29), D(2024, 3, 15), "met")
    assert "第172条第1款" in item.basis

    extended = card(doc("起诉意见书", D(2024, 1, 31)), doc("起诉书", D(2024, 3, 10)),
                    measures=arrested)
    item = only(periods(card_timeline(extended), D(2024, 6, 1)), "prosecution_review")
    assert item.status == "met_with_extension"
    assert any("no approval on the card" in n for n in item.notes)
    approved = card(doc("起诉意见书", D(2024, 1, 31)),
                    doc("其他", D(2024, 2, 27), "延长审查起诉期限决定书"),
                    doc("起诉书", D(2024, 3, 10)), measures=arrested)
    item = only(periods(card_timeline(approved), D(2024, 6, 1)), "prosecution_review")
    assert any("approval is on the card" in n for n in item.notes)

    late = card(doc("起诉意见书", D(2024, 1, 31)), doc("起诉书", D(2024, 3, 20)),
                measures=arrested)
    item = only(periods(card_timeline(late), D(2024, 6, 1)), "prosecution_review")
    assert (item.status, item.days_late) == ("overrun", 5)
    assert any("no 退回补充侦查 on the card" in n for n in item.notes)


def test_prosecution_review_at_large_ending_on_a_holiday_moves_to_the_next_working_day() -> None:
    c = card(doc("取保候审决定书", D(2024, 7, 1)), doc("起诉意见书", D(2024, 9, 1)),
             doc("起诉书", D(2024, 10, 8)))
    item = only(periods(card_timeline(c), D(2024, 12, 1)), "prosecution_review")
    # 09-01 + 1 month = 10-01, 国庆节 → 10-08; decided 10-08: met
    assert (item.due_nominal, item.due, item.status) == (D(2024, 10, 1), D(2024, 10, 8), "met")
    assert not item.in_custody
    assert any("rest day" in n for n in item.notes)


def test_plea_cases_in_fast_track_have_ten_days_and_fifteen_above_a_year() -> None:
    short = card(doc("起诉意见书", D(2024, 3, 1)), doc("起诉书", D(2024, 3, 14)),
                 measures=(("逮捕", D(2024, 2, 1)),), plea=True, months=10)
    item = only(periods(card_timeline(short), D(2024, 6, 1)), "plea_fast_track_review")
    assert (item.due, item.extended_due, item.status) == (D(2024, 3, 11), None, "overrun")

    longer = card(doc("起诉意见书", D(2024, 3, 1)), doc("起诉书", D(2024, 3, 14)),
                  measures=(("逮捕", D(2024, 2, 1)),), plea=True, months=18)
    item = only(periods(card_timeline(longer), D(2024, 6, 1)), "plea_fast_track_review")
    assert (item.due, item.extended_due, item.status) == (
        D(2024, 3, 11), D(2024, 3, 16), "met_with_extension")

    heavy = card(doc("起诉意见书", D(2024, 3, 1)), doc("起诉书", D(2024, 3, 14)),
                 measures=(("逮捕", D(2024, 2, 1)),), plea=True, months=48)  # not 速裁
    assert only(periods(card_timeline(heavy), D(2024, 6, 1)), "prosecution_review").status == "met"

    pending = card(doc("起诉意见书", D(2024, 3, 1)), measures=(("逮捕", D(2024, 2, 1)),),
                   plea=True)
    item = only(periods(card_timeline(pending), D(2024, 3, 5)), "prosecution_review")
    assert item.status == "open" and any("速裁" in n for n in item.notes)


def test_returns_for_supplementary_investigation_restart_the_review() -> None:
    c = card(doc("起诉意见书", D(2024, 3, 1)),
             doc("其他", D(2024, 3, 20), "退回补充侦查决定书"),
             doc("其他", D(2024, 4, 25), "补充侦查报告书"),
             doc("其他", D(2024, 5, 10), "退回补充侦查决定书"),
             doc("其他", D(2024, 6, 5), "补充侦查报告书"),
             doc("起诉书", D(2024, 6, 20)),
             measures=(("取保候审", D(2024, 2, 1)),))
    items = periods(card_timeline(c), D(2024, 12, 1))
    reviews = [p for p in items if p.rule == "prosecution_review"]
    returns = [p for p in items if p.rule == "supplementary_investigation"]
    assert [(p.started, p.done, p.status) for p in reviews] == [
        (D(2024, 3, 1), D(2024, 3, 20), "met"),
        (D(2024, 4, 25), D(2024, 5, 10), "met"),
        (D(2024, 6, 5), D(2024, 6, 20), "met"),
    ]
    assert any("counted anew" in n for n in reviews[1].notes)
    # return 1: 03-20 + 1 month = 04-20, a Saturday, not in custody → 04-22; back 04-25
    assert (returns[0].due, returns[0].status, returns[0].days_late) == (
        D(2024, 4, 22), "overrun", 3)
    assert (returns[1].due, returns[1].status) == (D(2024, 6, 11), "met")  # 06-10 端午节
    assert "第175条第3款" in returns[0].basis


def test_a_third_return_is_unlawful_whatever_its_length() -> None:
    c = card(doc("起诉意见书", D(2024, 3, 1)),
             doc("其他", D(2024, 3, 5), "退回补充侦查决定书"),
             doc("其他", D(2024, 3, 15), "补充侦查报告书"),
             doc("其他", D(2024, 3, 20), "退回补充侦查决定书"),
             doc("其他", D(2024, 3, 30), "补充侦查报告书"),
             doc("其他", D(2024, 4, 2), "退回补充侦查决定书"))
    items = periods(card_timeline(c), D(2024, 4, 5))
    third = [p for p in items if p.rule == "supplementary_investigation"][-1]
    assert third.sequence == 3 and third.status == "overrun"
    assert any("以二次为限" in n for n in third.notes)


def test_a_case_under_review_lists_as_open_and_then_in_extension() -> None:
    c = card(doc("起诉意见书", D(2024, 3, 1)), measures=(("逮捕", D(2024, 2, 1)),))
    timeline = card_timeline(c)
    open_ = only(periods(timeline, D(2024, 3, 29)), "prosecution_review")
    assert (open_.status, open_.days_left) == ("open", 3)  # due 04-01
    extension = only(periods(timeline, D(2024, 4, 5)), "prosecution_review")
    assert (extension.status, extension.days_left) == ("in_extension", 11)
    overdue = only(periods(timeline, D(2024, 4, 20)), "prosecution_review")
    assert (overdue.status, overdue.days_late) == ("overdue", 4)
    assert near_or_past([extension, overdue], within=0) == [overdue, extension]


def test_no_transfer_on_the_card_is_said_missing() -> None:
    timeline = card_timeline(card(doc("起诉书", D(2024, 3, 14))))
    assert not periods(timeline, D(2024, 6, 1))
    assert any("起诉意见书" in m for m in timeline.missing)

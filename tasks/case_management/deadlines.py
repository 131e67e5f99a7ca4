"""Every period of a case (办案期限): when it started, when it is due, whether it was met.

``periods(timeline, as_of)`` applies the rules of ``data/deadlines.yaml`` to one case's
events (``events.Timeline``):

* **审查逮捕**: from each 提请批准逮捕 to the first decision on or after it (批准 or
  不批准; an executed arrest or a release on or after the request proves a decision by
  then). 7 days for a detained suspect (in custody: the holiday rule does not apply),
  15 days (20 for major, complex cases) for one at large. No 拘留 on record → counted as
  detained: the shorter period, so nothing is flagged late that was not.
* **审查起诉**: from each transfer (起诉意见书, or the case sent back after 补充侦查) to the
  next decision or return. One month, + 15 days for major, complex cases
  (刑事诉讼法第一百七十二条); 10 days (15 when the sentence exceeds a year) for 认罪认罚
  cases in 速裁 — taken to apply when the card has 认罪认罚 and a sentence of at most 3
  years; with 认罪认罚 and no sentence yet the ordinary period applies and the note
  gives the 速裁 due date. After a return the period is counted anew (第一百七十五条).
* **退回补充侦查**: one month from each return to the case sent back; at most twice.

A period's status: ``met`` (decided by the due date), ``met_with_extension`` (after it,
within the extension the law allows: lawful only with the approval the law names, which
the card records only when a 延长审查起诉期限 document is in the dossier), ``overrun``
(after the latest lawful day), and while open: ``open`` (days left to the due date),
``in_extension`` (past it, within the extension), ``overdue``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from tasks.case_management.events import ProcedureEvent, Timeline
from tasks.case_management.rules import Rule, deadline_rules
from tasks.case_management.work_calendar import WorkCalendar, add_days

Status = Literal["met", "met_with_extension", "overrun", "open", "in_extension", "overdue"]
OPEN_STATUSES = ("open", "in_extension", "overdue")
LATE_STATUSES = ("overrun", "overdue")


class Period(BaseModel):
    """One period of one case: a row of ``dossier deadlines``."""

    subject: str
    source: str
    case_no: str | None = None
    charges: list[str] = Field(default_factory=list)
    department: str | None = None
    rule: str
    rule_name: str
    basis: str
    person: str | None = None  # masked
    sequence: int = 1  # the 2nd 审查起诉 after a return …
    started: dt.date
    start_source: str
    in_custody: bool
    due: dt.date
    due_nominal: dt.date  # before the holiday rule
    extended_due: dt.date | None = None  # the latest lawful day with the extension
    done: dt.date | None = None
    done_source: str | None = None
    status: Status
    days_left: int | None = None  # open: to the due date (or the extended one, in extension)
    days_late: int | None = None  # overrun / overdue: past the latest lawful day
    notes: list[str] = Field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def _status(due: dt.date, extended: dt.date | None, done: dt.date | None,
            as_of: dt.date) -> tuple[Status, int | None, int | None]:
    """(status, days left, days late)."""
    last = extended or due
    if done is not None:
        if done <= due:
            return "met", None, None
        if done <= last:
            return "met_with_extension", None, None
        return "overrun", None, (done - last).days
    if as_of <= due:
        return "open", (due - as_of).days, None
    if as_of <= last:
        return "in_extension", (last - as_of).days, None
    return "overdue", None, (as_of - last).days


def _custody_at(timeline: Timeline, day: dt.date, person: str | None = None) -> bool | None:
    """Held on ``day`` by the last measure on or before it (None: no measure on record)."""
    measures = [e for e in timeline.of("detained", "arrest_decision", "released")
                if e.date <= day and (person is None or e.person in (None, person))]
    if not measures:
        return None
    last = max(measures, key=lambda e: (e.date, e.kind != "released"))
    if last.kind == "arrest_decision" and last.note == "不批准逮捕":
        return False
    return last.kind != "released"


def _period(timeline: Timeline, rule: Rule, start: ProcedureEvent, end: ProcedureEvent | None,
            as_of: dt.date, calendar: WorkCalendar, *, in_custody: bool, sequence: int = 1,
            notes: Sequence[str] = ()) -> Period:
    due = calendar.end_of_period(start.date, days=rule.period.days, months=rule.period.months,
                                 in_custody=in_custody)
    extended = None
    if rule.extension is not None:
        if rule.extension.days:
            extended_nominal = add_days(due.nominal, rule.extension.days)
        else:
            extended_nominal = add_days(start.date, rule.extension.to_days or 0)
        extended = calendar.adjust(extended_nominal, in_custody=in_custody)
    status, left, late = _status(due.day, extended.day if extended else None,
                                 end.date if end else None, as_of)
    out = list(notes)
    if due.moved_for_holiday:
        out.append(f"last day {due.nominal} is a rest day: due the next working day "
                   "(刑事诉讼法第一百零五条第四款)")
    if in_custody and calendar.is_rest_day(due.day):
        out.append("in custody: the period ends on its last day although it is a rest day "
                   "(刑事诉讼法第一百零五条第四款)")
    out += [n for n in (due.note, extended.note if extended else None) if n]
    if status == "met_with_extension" and rule.extension is not None:
        recorded = any(e.kind == "extension" for e in timeline.events)
        out.append(f"decided within the extension ({rule.extension.when})"
                   + ("; the approval is on the card" if recorded else
                      "; no approval on the card: check it"))
    return Period(
        subject=timeline.subject, source=timeline.source, case_no=timeline.case_no,
        charges=timeline.charges, rule=rule.id, rule_name=rule.name,
        basis=rule.basis_label(), person=start.person, sequence=sequence,
        started=start.date, start_source=start.source, in_custody=in_custody,
        due=due.day, due_nominal=due.nominal, extended_due=extended.day if extended else None,
        done=end.date if end else None, done_source=end.source if end else None,
        status=status, days_left=left, days_late=late, notes=out,
    )


def arrest_periods(timeline: Timeline, as_of: dt.date, calendar: WorkCalendar) -> list[Period]:
    rules = deadline_rules()
    out = []
    decisions = timeline.of("arrest_decision", "released")
    for request in timeline.of("arrest_request"):
        same = [d for d in decisions if d.date >= request.date
                and (request.person is None or d.person in (None, request.person))]
        end = same[0] if same else None
        held = _custody_at(timeline, request.date, request.person)
        notes = []
        if held is None:
            notes.append("no 拘留 on record: counted as detained (7 days, the shorter period)")
        rule = rules.rule("arrest_review" if held in (True, None) else "arrest_review_at_large")
        out.append(_period(timeline, rule, request, end, as_of, calendar,
                           in_custody=rule.custody is True, notes=notes))
    return out


def _prosecution_rule(timeline: Timeline) -> tuple[Rule, list[str]]:
    rules = deadline_rules()
    months = timeline.sentence_months
    if timeline.plea and months is not None and months <= rules.fast_track.max_months:
        rule = rules.rule("plea_fast_track_review").model_copy(deep=True)
        notes = [f"认罪认罚, sentence {months} months ≤ {rules.fast_track.max_months}: "
                 f"速裁 ({rules.fast_track.basis.label()})"]
        if months <= 12:
            rule.extension = None  # the extension to 15 days needs a sentence over a year
        return rule, notes
    rule = rules.rule("prosecution_review")
    if timeline.plea and months is None:
        fast = rules.rule("plea_fast_track_review")
        return rule, [f"认罪认罚: if 速裁 applies the period is {fast.period.days} days "
                      f"(to {fast.extension.to_days if fast.extension else fast.period.days} "
                      "when the sentence may exceed a year)"]
    return rule, []


def prosecution_periods(timeline: Timeline, as_of: dt.date,
                        calendar: WorkCalendar) -> list[Period]:
    """审查起诉 segments and 退回补充侦查 between them, in order."""
    rules = deadline_rules()
    review_rule, review_notes = _prosecution_rule(timeline)
    return_rule = rules.rule("supplementary_investigation")
    out: list[Period] = []
    transfers = timeline.of("prosecution_transfer")
    if not transfers:
        return out
    stream = timeline.of("prosecution_transfer", "returned", "prosecution_decision")
    stream = [e for e in stream if e.date >= transfers[0].date]
    current: ProcedureEvent | None = None  # the open 审查起诉 or return
    returns = 0
    reviews = 0
    decided = False
    for event in stream:
        if decided:
            break
        if event.kind == "prosecution_transfer":
            if current is not None and current.kind == "returned":
                out.append(_return_period(timeline, return_rule, current, event, as_of,
                                          calendar, returns))
            elif current is not None:
                continue  # a second 起诉意见书 while under review: the first one counts
            current = event
            continue
        if current is None or current.kind != "prosecution_transfer":
            continue  # a return or decision with no transfer before it: nothing to count
        reviews += 1
        held = bool(_custody_at(timeline, current.date))
        notes = list(review_notes)
        if reviews > 1:
            notes.append("counted anew after 补充侦查 (刑事诉讼法第一百七十五条第三款)")
        period = _period(timeline, review_rule, current, event, as_of, calendar,
                         in_custody=held, sequence=reviews, notes=notes)
        if event.kind == "returned":
            period.notes.append("ended by 退回补充侦查")
            returns += 1
            current = event
        else:
            decided = True
            current = None
        if period.status == "overrun" and returns == 0:
            period.notes.append("no 退回补充侦查 on the card: if the case was returned, the "
                                "period restarted (刑事诉讼法第一百七十五条第三款)")
        out.append(period)
    if current is not None and not decided:  # still under review, or still returned
        if current.kind == "returned":
            out.append(_return_period(timeline, return_rule, current, None, as_of, calendar,
                                      returns))
        else:
            reviews += 1
            held = bool(_custody_at(timeline, current.date))
            notes = list(review_notes)
            if reviews > 1:
                notes.append("counted anew after 补充侦查 (刑事诉讼法第一百七十五条第三款)")
            out.append(_period(timeline, review_rule, current, None, as_of, calendar,
                               in_custody=held, sequence=reviews, notes=notes))
    return out


def _return_period(timeline: Timeline, rule: Rule, returned: ProcedureEvent,
                   back: ProcedureEvent | None, as_of: dt.date, calendar: WorkCalendar,
                   count: int) -> Period:
    notes = []
    if rule.max_times is not None and count > rule.max_times:
        notes.append(f"退回补充侦查 #{count}: 补充侦查以二次为限 (刑事诉讼法第一百七十五条第三款)")
    period = _period(timeline, rule, returned, back, as_of, calendar,
                     in_custody=bool(_custody_at(timeline, returned.date)), sequence=count,
                     notes=notes)
    if rule.max_times is not None and count > rule.max_times:
        period.status = "overrun"  # a third return is unlawful whatever its length
        period.days_left = None
    return period


def periods(timeline: Timeline, as_of: dt.date,
            calendar: WorkCalendar | None = None) -> list[Period]:
    calendar = calendar or WorkCalendar()
    return [*arrest_periods(timeline, as_of, calendar),
            *prosecution_periods(timeline, as_of, calendar)]


def near_or_past(items: Iterable[Period], within: int) -> list[Period]:
    """Open periods due within ``within`` days, past their due date (in the extension, or
    overdue); the most pressing first."""
    chosen = [p for p in items if p.status in ("overdue", "in_extension")
              or (p.status == "open" and p.days_left is not None and p.days_left <= within)]
    return sorted(chosen, key=lambda p: (p.status != "overdue", p.days_left or 0,
                                         -(p.days_late or 0), p.subject))

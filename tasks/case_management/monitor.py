"""流程监控: every case's periods over the library, the store and the feeds.

The cases are the procuratorate's own dossiers (``cases.source = 'dossier'``, trusted
or held: a held card is still a case in hand); their cards are read from the store
(``nlp/<id>/case.json``: the library's ``documents`` rows carry no dates). The feed
measures of their persons join on the keyed hash of the ID number. Arrest requests in
the feeds whose suspect is on no card are cases too (the police asked this
procuratorate; no dossier came yet): one timeline per police case and suspect.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field

from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore
from schemas.feeds_tables import FeedMeasure, FeedPoliceCase
from schemas.tables import Case
from tasks.case_management.deadlines import Period, near_or_past, periods
from tasks.case_management.events import Timeline, card_timeline, feed_timeline
from tasks.case_management.work_calendar import WorkCalendar
from tasks.stages.stored import load_card

CHUNK = 1000  # person keys per IN (...) query


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def department_for(charges: Iterable[str], settings: Settings | None = None) -> str:
    """The handling department of a case: the first of its charges the settings map."""
    settings = settings or get_settings()
    for charge in charges:
        if charge in settings.case_departments:
            return settings.case_departments[charge]
    return settings.case_department


def dossier_case_ids(connection: sa.Connection) -> list[str]:
    return list(connection.scalars(
        sa.select(Case.dossier_id).where(Case.source == "dossier").order_by(Case.dossier_id)))


def _measures_by_person(connection: sa.Connection, keys: Sequence[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    m = FeedMeasure
    for chunk in _chunks(sorted(set(keys))):
        rows = connection.execute(
            sa.select(m.measure_id, m.kind, m.start_date, m.person_masked, m.person_key,
                      m.case_id).where(m.person_key.in_(chunk)))
        for row in rows:
            out[row.person_key].append(row)
    return out


def card_timelines(connection: sa.Connection, store: ObjectStore,
                   dossier_ids: Sequence[str] | None = None) -> tuple[list[Timeline], set[str]]:
    """Timelines of the dossiers' cases, and the person keys their cards name."""
    ids = dossier_case_ids(connection) if dossier_ids is None else list(dossier_ids)
    cards = [c for c in (load_card(store, i) for i in ids) if c is not None]
    keys = {p.id_number_sha256 for c in cards for p in c.case.persons if p.id_number_sha256}
    measures = _measures_by_person(connection, sorted(keys))
    timelines = []
    for card in cards:
        own = [row for p in card.case.persons if p.id_number_sha256
               for row in measures.get(p.id_number_sha256, [])]
        timelines.append(card_timeline(card, own))
    return timelines, keys


def feed_only_timelines(connection: sa.Connection, known_keys: set[str]) -> list[Timeline]:
    """Arrest requests of the feeds whose suspect is on no card (a request on a police
    case that names no person is left out: its period has no one to be counted for)."""
    m, p = FeedMeasure, FeedPoliceCase
    requested = (sa.select(m.case_id, m.person_key).where(m.kind == "提请逮捕",
                                                          m.case_id.is_not(None),
                                                          m.person_key.is_not(None))
                 .distinct().subquery())
    rows = connection.execute(
        sa.select(m.measure_id, m.kind, m.start_date, m.person_masked, m.person_key, m.case_id,
                  p.offence)
        .join(requested, sa.and_(requested.c.case_id == m.case_id,
                                 requested.c.person_key == m.person_key))
        .outerjoin(p, p.case_id == m.case_id)
        .order_by(m.case_id, m.start_date, m.measure_id))
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    offences: dict[str, str | None] = {}
    for row in rows:
        if row.person_key in known_keys:
            continue
        grouped[(row.case_id, row.person_key)].append(row)
        offences[row.case_id] = row.offence
    return [feed_timeline(case_id, offences.get(case_id), rows)
            for (case_id, _), rows in sorted(grouped.items())]


class DeadlineReport(BaseModel):
    as_of: dt.date
    within: int
    periods: list[Period] = Field(default_factory=list)  # every period computed
    missing: dict[str, list[str]] = Field(default_factory=dict)  # subject → what is missing
    cases: int = 0

    def pressing(self) -> list[Period]:
        return near_or_past(self.periods, self.within)

    def counts(self) -> dict[str, dict[str, int]]:
        """rule name → status → periods (the report's aggregate)."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for period in self.periods:
            out[period.rule_name][period.status] += 1
        return {rule: dict(statuses) for rule, statuses in sorted(out.items())}


def compute_deadlines(engine: sa.Engine, store: ObjectStore, as_of: dt.date, within: int = 3,
                      *, include_feeds: bool = True, settings: Settings | None = None,
                      calendar: WorkCalendar | None = None) -> DeadlineReport:
    settings = settings or get_settings()
    calendar = calendar or WorkCalendar()
    with engine.connect() as connection:
        timelines, keys = card_timelines(connection, store)
        if include_feeds:
            timelines += feed_only_timelines(connection, keys)
    report = DeadlineReport(as_of=as_of, within=within, cases=len(timelines))
    for timeline in timelines:
        department = department_for(timeline.charges, settings)
        for period in periods(timeline, as_of, calendar):
            period.department = department
            report.periods.append(period)
        if timeline.missing:
            report.missing[timeline.subject] = timeline.missing
    return report

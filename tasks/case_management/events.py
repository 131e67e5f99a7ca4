"""A case's procedural events (诉讼流程节点), from its case card and the agency feeds.

From the card:

* documents by type, each with its own date (``DocumentRef.date``: the 落款 or 时间 of
  the document): 起诉意见书 → transferred for 审查起诉; 起诉书 → decided (起诉);
  不起诉决定书 → decided (不起诉); 逮捕证 → arrested (the decision was on or before it);
  拘留证 → detained; 取保候审决定书 → out of custody; 判决书 → judged.
* documents the classifier has no type for, by their title (types are ``其他`` then):
  提请批准逮捕书, 批准逮捕决定书 / 不批准逮捕决定书, 退回补充侦查决定书, 补充侦查报告书
  (the case sent back), 延长审查起诉期限 (an extension approved).
* coercive measures with their dates (刑事拘留, 逮捕, 取保候审, 监视居住, 释放), and
  认罪认罚 among the circumstances.

From the feeds (``feed_measures``, matched to the card's persons on the keyed hash of
the ID number): 拘留, 提请逮捕, 逮捕, 释放, 取保候审, 监视居住.

A document's date is the date it bears, not the day the procuratorate received it: the
police sign a 起诉意见书 on or before the day it arrives, so a period counted from it
ends no later than the law's, and a case may be flagged a day or two early — never
late. What the card does not say is listed in :attr:`Timeline.missing`, never guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from dossier.privacy import mask_name
from schemas.case_card import CaseCard
from tasks.case_management.rules import EventKind

# Document types the classifier knows, and what each one marks.
TYPE_EVENTS: dict[str, tuple[EventKind, str | None]] = {
    "起诉意见书": ("prosecution_transfer", None),
    "起诉书": ("prosecution_decision", "起诉"),
    "不起诉决定书": ("prosecution_decision", "不起诉"),
    "逮捕证": ("arrest_decision", "逮捕证: the arrest executed; approved on or before"),
    "拘留证": ("detained", None),
    "取保候审决定书": ("released", "取保候审"),
    "判决书": ("judgment", None),
}
# Documents without a type of their own, by a phrase of their title (first match wins).
TITLE_EVENTS: tuple[tuple[str, EventKind, str | None], ...] = (
    ("不批准逮捕决定书", "arrest_decision", "不批准逮捕"),
    ("批准逮捕决定书", "arrest_decision", "批准逮捕"),
    ("提请批准逮捕书", "arrest_request", None),
    ("退回补充侦查", "returned", None),
    ("补充侦查决定书", "returned", None),
    ("补充侦查报告书", "prosecution_transfer", "补充侦查完毕重新移送"),
    ("重新移送审查起诉", "prosecution_transfer", "补充侦查完毕重新移送"),
    ("延长审查起诉期限", "extension", None),
)
MEASURE_EVENTS: dict[str, EventKind] = {
    "刑事拘留": "detained", "拘留": "detained", "逮捕": "arrest_decision",
    "取保候审": "released", "监视居住": "released", "释放": "released",
    "提请逮捕": "arrest_request",
}


class ProcedureEvent(BaseModel):
    kind: EventKind
    date: dt.date
    source: str  # "card:起诉意见书", "card:measure:逮捕", "feeds:measures:M000123"
    person: str | None = None  # masked name or masked ID number; None: the whole case
    note: str | None = None


class Timeline(BaseModel):
    """One case (or, from the feeds alone, one police case and suspect) in the procuratorate."""

    subject: str  # the dossier id, or police:<case_id>
    source: str  # "card" or "feeds"
    case_no: str | None = None
    indictment_no: str | None = None
    charges: list[str] = Field(default_factory=list)
    events: list[ProcedureEvent] = Field(default_factory=list)
    plea: bool = False  # 认罪认罚 on the card
    sentence_months: int | None = None  # the longest term a judgment gave, if judged
    missing: list[str] = Field(default_factory=list)

    def of(self, *kinds: EventKind) -> list[ProcedureEvent]:
        return sorted((e for e in self.events if e.kind in kinds), key=lambda e: e.date)


def _title_event(title: str) -> tuple[EventKind, str | None] | None:
    for phrase, kind, note in TITLE_EVENTS:
        if phrase in title:
            return kind, note
    return None


def card_events(card: CaseCard) -> list[ProcedureEvent]:
    events: list[ProcedureEvent] = []
    for doc in card.documents:
        found = _title_event(doc.title) or TYPE_EVENTS.get(doc.type)
        if found is None or doc.date is None:
            continue
        kind, note = found
        events.append(ProcedureEvent(kind=kind, date=doc.date, source=f"card:{doc.type}",
                                     note=note if note else (doc.type if doc.type != "其他"
                                                             else None)))
    for measure in card.case.coercive_measures:
        kind = MEASURE_EVENTS.get(measure.kind)
        if kind is None or measure.date is None:
            continue
        events.append(ProcedureEvent(kind=kind, date=measure.date,
                                     source=f"card:measure:{measure.kind}",
                                     person=mask_name(measure.person), note=measure.kind))
    return events


def feed_events(measures: Iterable[Any]) -> list[ProcedureEvent]:
    """Rows of ``feed_measures`` (measure_id, kind, start_date, person_masked)."""
    events = []
    for row in measures:
        kind = MEASURE_EVENTS.get(row.kind)
        if kind is None:
            continue
        events.append(ProcedureEvent(kind=kind, date=row.start_date,
                                     source=f"feeds:measures:{row.measure_id}",
                                     person=row.person_masked, note=row.kind))
    return events


def _dedupe(events: Sequence[ProcedureEvent]) -> list[ProcedureEvent]:
    """One event per kind, day and person: a card and a feed often say the same thing."""
    seen: set[tuple[str, dt.date, str | None]] = set()
    out = []
    for event in sorted(events, key=lambda e: (e.date, e.kind, e.source)):
        key = (event.kind, event.date, event.person if event.source.startswith("feeds") else None)
        if key in seen:
            continue
        seen.add(key)
        out.append(event)
    return out


def card_timeline(card: CaseCard, measures: Iterable[Any] = ()) -> Timeline:
    """The timeline of a dossier's case: its card, and the feed measures of its persons."""
    case = card.case
    events = _dedupe([*card_events(card), *feed_events(measures)])
    terms = [s.months for s in case.sentences
             if s.months is not None and s.penalty in ("有期徒刑", "拘役", "管制")]
    timeline = Timeline(
        subject=card.dossier_id, source="card", case_no=case.case_no,
        indictment_no=case.indictment_no, charges=list(case.charges), events=events,
        plea=any(c.kind == "认罪认罚" for c in case.circumstances),
        sentence_months=max(terms) if terms else None,
    )
    timeline.missing = missing_events(timeline)
    return timeline


def feed_timeline(case_id: str, offence: str | None, measures: Sequence[Any]) -> Timeline:
    """A police case whose suspect the police asked this procuratorate to arrest, known
    from the feeds alone (no dossier uploaded)."""
    timeline = Timeline(subject=f"police:{case_id}", source="feeds",
                        charges=[offence] if offence else [],
                        events=_dedupe(feed_events(measures)))
    timeline.missing = missing_events(timeline)
    return timeline


def missing_events(timeline: Timeline) -> list[str]:
    """What the periods would need and the record does not give (said, not guessed)."""
    kinds = {e.kind for e in timeline.events}
    out = []
    if "arrest_decision" in kinds and "arrest_request" not in kinds:
        out.append("逮捕 on record but no 提请批准逮捕 (card or feeds): 审查逮捕 not computed")
    if timeline.source == "card":
        if "prosecution_transfer" not in kinds:
            out.append("no dated 起诉意见书 on the card: 审查起诉 not computed")
        if "returned" not in kinds:
            out.append("no 退回补充侦查 on the card (none, or not in the dossier)")
        if "extension" not in kinds:
            out.append("no 延长审查起诉期限 approval on the card")
    return out

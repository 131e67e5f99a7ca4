"""Case cards as rows of the case-card models: the same SQL as over the judgments feed.

A card (``schemas.case_card.CaseCard``) becomes rows shaped like
``feed_judgments`` — one per defendant's sentence and charge — in
``supervision_card_sentences``, and its cited articles in
``supervision_card_statutes``. The database run rebuilds both from the
library's trusted cases; a run over card files (``dossier supervise --card``,
the per-dossier ``supervise`` stage) loads them into an in-memory SQLite with
the same tables and runs the same rules. So each rule is written once and the
two paths cannot drift apart.

A card's person is matched by the ID number's keyed hash when the card has one
(the same hash the feeds use), else by a keyed hash of the card and the name,
and shown masked. A sentence covering several charges (数罪并罚) gives one row
per charge with ``charges_in_sentence`` > 1: the rules that compare one charge's
range (statutory maximum, deviation) skip those rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from dossier.privacy import hash_id_number, mask_name
from schemas.case_card import CaseCard
from schemas.leads_tables import CardSentence, CardStatute
from schemas.tables import Case, Dossier
from tasks.feeds.load import official_charge
from tasks.supervision.findings import Finding, execute
from tasks.supervision.law_tables import article_label, charge_articles
from tasks.supervision.registry import JudgmentSource, RuleContext, get_models

CRIMINAL_LAW = "中华人民共和国刑法"
CARD_TABLES = (CardSentence.__table__, CardStatute.__table__)


def card_rows(card: CaseCard, ref: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sentence rows, statute rows) of one card; ``ref`` names it in lead records."""
    case = card.case
    people = {p.name: p for p in case.persons}
    recidivists = {c.person for c in case.circumstances if c.kind == "累犯"}
    defendants = {s.person for s in case.sentences}
    if None in recidivists and len(defendants) == 1:
        recidivists |= defendants
    amount = max(case.amounts_yuan) if case.amounts_yuan else None
    mapped = charge_articles()
    sentences = []
    for seq, s in enumerate(case.sentences):
        charges = list(s.charges) or (list(case.charges) if len(case.charges) == 1 else [])
        person = people.get(s.person)
        key = (person.id_number_sha256 if person is not None and person.id_number_sha256
               else hash_id_number(f"card:{ref}:{s.person}"))
        for index, written in enumerate(charges):
            charge = official_charge(written)
            sentences.append({
                "judgment_id": f"{ref}:{seq}:{index}", "dossier_id": ref,
                "case_no": case.case_no, "person_key": key, "person_masked": mask_name(s.person),
                "court": case.court, "charge": charge,
                "article": mapped[charge].article if charge in mapped else None,
                "penalty": s.penalty, "months": s.months,
                "probation_months": s.probation_months, "fine_yuan": s.fine_yuan,
                "recidivist": s.person in recidivists, "effective_date": case.judgment_date,
                "charges_in_sentence": len(charges), "amount_yuan": amount,
            })
    labels = sorted({article_label(st.article, st.sub) for st in case.statutes
                     if st.law == CRIMINAL_LAW})
    statutes = [{"dossier_id": ref, "article": label} for label in labels]
    return sentences, statutes


def card_source() -> JudgmentSource:
    t = CardSentence.__table__
    s = CardStatute.__table__
    return JudgmentSource(
        table=t, record_feed="card", record_column="dossier_id",
        cites=lambda article: sa.exists().where(s.c.dossier_id == t.c.dossier_id,
                                                s.c.article == article),
        single_charge=t.c.charges_in_sentence == 1,
    )


def load_card_rows(connection: sa.Connection, cards: Iterable[tuple[str, CaseCard]]) -> int:
    """Replace the card tables' rows with those of ``cards``; returns the sentence rows."""
    connection.execute(sa.delete(CardStatute))
    connection.execute(sa.delete(CardSentence))
    sentences: list[dict[str, Any]] = []
    statutes: list[dict[str, Any]] = []
    for ref, card in cards:
        rows, cited = card_rows(card, ref)
        sentences += rows
        statutes += cited
    if sentences:
        connection.execute(sa.insert(CardSentence), sentences)
    if statutes:
        connection.execute(sa.insert(CardStatute), statutes)
    return len(sentences)


def library_cards(connection: sa.Connection) -> list[tuple[str, CaseCard]]:
    """The library's trusted case cards of our own dossiers, rebuilt from their rows.

    Held cases stay out until a reviewer clears them; published judgments imported into
    the library for search and similar cases (``source = 'published'``) are not cases of
    this procuratorate and are never screened."""
    from sqlalchemy.orm import Session, selectinload

    with Session(bind=connection) as session:
        cases = session.scalars(
            sa.select(Case).join(Dossier).where(
                Case.review_state == "trusted", Case.source == "dossier").options(
                selectinload(Case.persons), selectinload(Case.charges),
                selectinload(Case.statutes), selectinload(Case.sentences),
                selectinload(Case.circumstances))).all()
        return [(c.dossier_id, _card_of(c)) for c in cases]


def _card_of(case: Case) -> CaseCard:
    def rows(items, fields):
        return [{f: getattr(item, f) for f in fields} for item in items]

    return CaseCard.model_validate({
        "dossier_id": case.dossier_id,
        "case": {
            "case_no": case.case_no, "court": case.court, "judgment_date": case.judgment_date,
            "amounts_yuan": case.amounts_yuan or [],
            "charges": [c.name for c in case.charges],
            "statutes": rows(case.statutes, ("law", "article", "sub", "paragraph", "item")),
            "persons": rows(case.persons, ("name", "role", "id_number_sha256")),
            "sentences": rows(case.sentences, ("person", "charges", "penalty", "months",
                                               "probation_months", "fine_yuan")),
            "circumstances": rows(case.circumstances, ("person", "kind")),
        },
    })


def supervise_cards(cards: Sequence[tuple[str, CaseCard]], as_of: dt.date | None = None,
                    model_ids: Iterable[str] | None = None,
                    thresholds: dict[str, float] | None = None) -> list[Finding]:
    """The case-card models over ``cards`` alone, in an in-memory SQLite (no database).

    ``sentence_deviation`` compares with the given cards only (a batch of cards is its
    own reference; the database run compares with the whole library and feed).
    """
    from tasks.supervision.models.sentencing import sentencing_population

    as_of = as_of or dt.date.today()
    engine = sa.create_engine("sqlite://")
    findings: list[Finding] = []
    with engine.begin() as connection:
        for table in CARD_TABLES:
            table.create(connection)
        load_card_rows(connection, cards)
        src = card_source()
        population = sentencing_population(src).subquery("population")
        ctx = RuleContext(as_of=as_of, thresholds=thresholds or {}, judgments=src,
                          population=population)
        for model in get_models(model_ids, cards_only=True):
            findings += execute(connection, model, ctx)
    engine.dispose()
    return findings

"""Similar cases and the sentencing suggestion for one case: the library, the store, the card.

Shared by ``dossier similar`` / ``dossier suggest-sentence`` and the ``suggest`` stage.
A case is given by its library key (dossier id, 案号, 起诉书 number or source id) or as a
card; its facts come from the library's texts, else the store's ``documents.json``.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dossier.store.base import ObjectStore
from schemas.case_card import Case as CardCase
from schemas.case_card import Circumstance, Person, Statute
from schemas.library_tables import CaseText
from schemas.tables import Case, Charge
from schemas.tables import Circumstance as CircumstanceRow
from schemas.tables import Person as PersonRow
from schemas.tables import Statute as StatuteRow
from tasks.library import similar, similar_index
from tasks.library.texts import dossier_documents, facts_span
from tasks.sentencing.suggest import (
    Neighbour,
    Suggestion,
    fitted_params,
    guideline_points,
    neighbours_from_outcomes,
    suggest_case,
)

K = 10


def neighbours_k() -> int:
    """How many of the most similar cases inform the suggestion: fitted
    (``tasks/sentencing/data/fitted.yaml``, ``dossier library evaluate --fit``)."""
    return fitted_params().neighbours


def card_case(session: Session, key: str) -> CardCase:
    """A library case as a card's case (sentences left out: they are what is suggested)."""
    case = session.scalar(sa.select(Case).where(Case.dossier_id == key))
    if case is None:
        raise LookupError(f"case {key} is not in the library")
    charges = session.scalars(sa.select(Charge).where(Charge.case_id == case.id)
                              .order_by(Charge.seq)).all()
    return CardCase(
        case_no=case.case_no, court=case.court, procuratorate=case.procuratorate,
        indictment_no=case.indictment_no, judgment_date=case.judgment_date,
        amounts_yuan=list(case.amounts_yuan or []),
        charges=list(dict.fromkeys(c.name for c in charges)),
        charges_written=list(dict.fromkeys(c.written for c in charges if c.written)),
        statutes=[Statute(law=s.law, article=s.article, sub=s.sub, paragraph=s.paragraph,
                          item=s.item)
                  for s in session.scalars(sa.select(StatuteRow)
                                           .where(StatuteRow.case_id == case.id))],
        persons=[Person(name=p.name, role=p.role)  # type: ignore[arg-type]
                 for p in session.scalars(sa.select(PersonRow)
                                          .where(PersonRow.case_id == case.id)
                                          .order_by(PersonRow.seq))],
        circumstances=[Circumstance(person=c.person, kind=c.kind)  # type: ignore[arg-type]
                       for c in session.scalars(sa.select(CircumstanceRow)
                                                .where(CircumstanceRow.case_id == case.id))],
    )


def library_text(session: Session, key: str) -> str | None:
    texts = session.scalars(
        sa.select(CaseText.text).join(Case, Case.id == CaseText.case_id)
        .where(Case.dossier_id == key).order_by(CaseText.seq)
    ).all()
    return "\n".join(texts) or None


def neighbours_for(
    session: Session, hits: list[similar.SimilarHit], k: int | None = None,
    cache: dict[str, dict[str, float]] | None = None,
) -> dict[str, list[Neighbour]]:
    """The sentences of the ``k`` most similar cases by charges, each beside what the
    guideline's steps give for that case (its card and facts from the library, its sentence
    unread). ``cache`` keeps those steps by case across calls (they do not depend on the
    query: the evaluation asks for the same neighbours many times)."""
    k = k or neighbours_k()
    cache = {} if cache is None else cache
    for h in hits[:k]:
        if h.outcomes and h.dossier_id not in cache:
            cache[h.dossier_id] = guideline_points(card_case(session, h.dossier_id),
                                                   library_text(session, h.dossier_id))
    return neighbours_from_outcomes(hits[:k], cache)


def store_facts(store: ObjectStore, dossier_id: str) -> tuple[str | None, str | None]:
    """(whole text, facts) of a dossier from its ``documents.json``, if the store has it."""
    docs = dossier_documents(store, dossier_id)
    if not docs:
        return None, None
    text = "\n".join(d.text for d in docs)
    from tasks.library.texts import FACT_DOCUMENTS

    ranked = sorted(docs, key=lambda d: FACT_DOCUMENTS.index(d.doc_type)
                    if d.doc_type in FACT_DOCUMENTS else len(FACT_DOCUMENTS))
    lo, hi = facts_span(ranked[0].text)
    return text, ranked[0].text[lo:hi]


def ensure_index(store: ObjectStore, session: Session) -> similar_index.SimilarIndex:
    """The stored index, first brought up to date when cases were loaded since (or went)."""
    index = similar_index.load_index(store)
    keys = set(session.scalars(
        sa.select(Case.dossier_id).where(sa.exists().where(CaseText.case_id == Case.id))
    ))
    indexed = set(index.keys)
    if keys != indexed:
        similar_index.update(store, session, sorted((keys - indexed) | (indexed - keys)))
        index = similar_index.load_index(store)
    return index


def similar_for(
    session: Session, store: ObjectStore, query: similar.Profile, k: int = K,
) -> list[similar.SimilarHit]:
    index = ensure_index(store, session)
    return similar.describe(session, similar.rank(session, index, query, k))


def for_key(
    session: Session, store: ObjectStore, key: str, k: int = K,
) -> tuple[list[similar.SimilarHit], list[Suggestion]]:
    ensure_index(store, session)
    query = similar.profile_of_library_case(session, key, store)
    hits = similar_for(session, store, query, max(k, neighbours_k()))
    text = library_text(session, key)
    return hits[:k], suggest_case(card_case(session, key), text, neighbours_for(session, hits))


def for_card(
    session: Session, store: ObjectStore, case: CardCase, dossier_id: str | None = None,
    text: str | None = None, k: int = K,
) -> tuple[list[similar.SimilarHit], list[Suggestion]]:
    """A card (its own sentences ignored); ``text`` or the store's documents give facts."""
    case = case.model_copy(update={"sentences": []})
    facts = None
    if text:
        lo, hi = facts_span(text)
        facts = text[lo:hi]
    elif dossier_id:
        text, facts = store_facts(store, dossier_id)
    query = similar.profile_of_card(case, facts, key=dossier_id)
    hits = similar_for(session, store, query, max(k, neighbours_k()))
    return hits[:k], suggest_case(case, text, neighbours_for(session, hits))

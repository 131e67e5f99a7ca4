"""Similar cases (类案推送): BM25 over the facts, re-ranked by structured agreement.

Candidates are the best BM25 matches of the query's facts
(:mod:`tasks.library.similar_index`) together with the library's cases that share a
catalogue charge with the query (a short text may share few words with its best
neighbours). Each candidate is then scored

    score = 0.40·BM25/max BM25 + 0.35·charges + 0.15·articles + 0.10·amount

where *charges* is 0.6·Jaccard of catalogue names + 0.4·Jaccard of the charges as
written (贩卖毒品罪 is closer to 贩卖毒品罪 than to 运输毒品罪), *articles* the Jaccard of the
Criminal Law articles cited (分则 articles weighted 0.7, 总则 0.3), and *amount* how
close the largest amounts are on a log scale (1 − |Δlog10|/2). The weights were chosen
by hand, not fitted; ``dossier library evaluate`` measures the result (P@10 and NDCG@10
by shared charge on judge_dev).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from dossier.privacy import mask_name
from dossier.store.base import ObjectStore
from schemas.case_card import Case as CardCase
from schemas.tables import Case, Charge, Dossier, Sentence, Statute
from tasks.library import similar_index
from tasks.library.search import charge_condition
from tasks.library.texts import facts_span
from tasks.library.tokenizer import tokenize
from tasks.nlp.lexicon import CRIMINAL_LAW

WEIGHTS = {"bm25": 0.40, "charges": 0.35, "articles": 0.15, "amount": 0.10}
BM25_CANDIDATES = 100
CHARGE_CANDIDATES = 200
FIRST_SPECIFIC_ARTICLE = 102  # 分则 starts at 第一百零二条


@dataclass
class Profile:
    """What two cases are compared on."""

    key: str | None = None  # dossier_id when the case is in the library
    tokens: list[str] = field(default_factory=list)
    charges: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    articles: set[int] = field(default_factory=set)
    amount: float | None = None


@dataclass
class Outcome:
    person: str  # masked
    penalty: str | None
    months: int | None
    probation_months: int | None
    fine_yuan: float | None
    charges: list[str]


@dataclass
class SimilarHit:
    dossier_id: str
    source: str
    case_no: str | None
    court: str | None
    judgment_date: str | None
    charges: list[str]
    charges_written: list[str]
    outcomes: list[Outcome]
    score: float
    parts: dict[str, float]

    def as_dict(self) -> dict:
        return asdict(self)


# --- profiles -----------------------------------------------------------------------


def _articles(statutes: Iterable) -> set[int]:
    return {s.article for s in statutes if getattr(s, "law", CRIMINAL_LAW) == CRIMINAL_LAW}


def profile_of_card(case: CardCase, facts: str | None, key: str | None = None) -> Profile:
    """A profile from a card's case and its facts text (``None``: the charges stand in)."""
    tokens = tokenize(facts, "index") if facts else tokenize(
        " ".join([*case.charges_written, *case.charges]), "index")
    return Profile(
        key=key, tokens=tokens, charges=set(case.charges),
        written=set(case.charges_written), articles=_articles(case.statutes),
        amount=max(case.amounts_yuan) if case.amounts_yuan else None,
    )


def profile_of_text(text: str) -> Profile:
    """Free text (the facts of a new case): its charges, articles and amounts as the
    extractor finds them, its facts section's tokens for BM25."""
    from tasks.nlp.case_card import extract_case

    lo, hi = facts_span(text)
    return profile_of_card(extract_case(text), text[lo:hi])


def profiles(session: Session, keys: Sequence[str]) -> dict[str, Profile]:
    """Library profiles (without tokens) of the given cases, in a few queries."""
    if not keys:
        return {}
    rows = session.execute(
        sa.select(Case.id, Dossier.dossier_id, Case.amounts_yuan)
        .join(Dossier, Dossier.dossier_id == Case.dossier_id)
        .where(Dossier.dossier_id.in_(list(keys)))
    ).all()
    by_id = {case_id: Profile(key=key, amount=max(amounts) if amounts else None)
             for case_id, key, amounts in rows}
    ids = list(by_id)
    for case_id, name, written in session.execute(
        sa.select(Charge.case_id, Charge.name, Charge.written).where(Charge.case_id.in_(ids))
    ):
        by_id[case_id].charges.add(name)
        if written:
            by_id[case_id].written.add(written)
    for case_id, article in session.execute(
        sa.select(Statute.case_id, Statute.article)
        .where(Statute.case_id.in_(ids), Statute.law == CRIMINAL_LAW)
    ):
        by_id[case_id].articles.add(article)
    return {p.key: p for p in by_id.values() if p.key}


def profile_of_library_case(session: Session, key: str, store: ObjectStore) -> Profile:
    found = profiles(session, [key]).get(key)
    if found is None:
        raise LookupError(f"case {key} is not in the library")
    found.tokens = dict(similar_index.case_facts_tokens(session, [key])).get(key, [])
    return found


def find_case_key(session: Session, ref: str) -> str | None:
    """A case by its dossier id, case number (案号), indictment number or source id."""
    return session.scalar(
        sa.select(Case.dossier_id).where(sa.or_(
            Case.dossier_id == ref, Case.case_no == ref, Case.indictment_no == ref,
            Case.source_id == ref,
        )).limit(1)
    )


# --- scoring ------------------------------------------------------------------------


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if (a or b) else 0.0


def agreement(query: Profile, other: Profile) -> dict[str, float]:
    """The structured parts of the score, each in [0, 1]."""
    charges = 0.6 * _jaccard(query.charges, other.charges)
    if query.written and other.written:
        charges += 0.4 * _jaccard(query.written, other.written)
    else:
        charges += 0.4 * _jaccard(query.charges, other.charges)
    specific = {a for a in query.articles if a >= FIRST_SPECIFIC_ARTICLE}
    specific_other = {a for a in other.articles if a >= FIRST_SPECIFIC_ARTICLE}
    articles = 0.7 * _jaccard(specific, specific_other) + 0.3 * _jaccard(
        query.articles - specific, other.articles - specific_other)
    amount = 0.0
    if query.amount and other.amount and query.amount > 0 and other.amount > 0:
        amount = max(0.0, 1 - abs(math.log10(query.amount) - math.log10(other.amount)) / 2)
    return {"charges": charges, "articles": articles, "amount": amount}


def rank(
    session: Session,
    index: similar_index.SimilarIndex,
    query: Profile,
    k: int = 10,
    exclude: Iterable[str] = (),
    weights: dict[str, float] | None = None,
) -> list[tuple[str, float, dict[str, float]]]:
    """(case key, score, parts) of the ``k`` most similar library cases."""
    weights = weights or WEIGHTS
    excluded = set(exclude) | ({query.key} if query.key else set())
    bm25 = index.scores(query.tokens)
    candidates: dict[str, float] = {}
    if len(bm25):
        top = _top(bm25, BM25_CANDIDATES + len(excluded))
        candidates = {index.keys[i]: float(bm25[i]) for i in top if bm25[i] > 0}
    if index.profiles:  # the stored profiles: no candidate is read from the database
        if query.charges and len(bm25):
            same = [index.charge_positions[c] for c in query.charges
                    if c in index.charge_positions]
            if same:
                positions = np.unique(np.concatenate(same))
                best = positions[_top(bm25[positions], CHARGE_CANDIDATES + len(excluded))]
                for i in best:
                    candidates.setdefault(index.keys[i], float(bm25[i]))
        for key in excluded:
            candidates.pop(key, None)
        found = {k: _stored(k, index.profiles[k]) for k in candidates if k in index.profiles}
        return _score(query, candidates, found, weights, k)
    if query.charges:
        same = session.scalars(
            sa.select(Case.dossier_id)
            .where(sa.or_(*[charge_condition(c) for c in query.charges]))
            .limit(CHARGE_CANDIDATES)
        ).all()
        for key in same:
            i = index.position.get(key)
            candidates.setdefault(key, float(bm25[i]) if i is not None and len(bm25) else 0.0)
    for key in excluded:
        candidates.pop(key, None)
    return _score(query, candidates, profiles(session, list(candidates)), weights, k)


def _top(values: np.ndarray, n: int) -> np.ndarray:
    """Positions of the ``n`` largest values, largest first (a partial sort)."""
    if len(values) > n:
        part = np.argpartition(-values, n)[:n]
        return part[np.argsort(-values[part], kind="stable")]
    return np.argsort(-values, kind="stable")


def _stored(key: str, stored: similar_index.StoredProfile) -> Profile:
    charges, written, articles, amount = stored
    return Profile(key=key, charges=set(charges), written=set(written),
                   articles=set(articles), amount=amount)


def _score(
    query: Profile, candidates: dict[str, float], found: dict[str, Profile],
    weights: dict[str, float], k: int,
) -> list[tuple[str, float, dict[str, float]]]:
    if not candidates:
        return []
    top_bm25 = max(candidates.values()) or 1.0
    scored = []
    for key, raw in candidates.items():
        other = found.get(key)
        if other is None:
            continue  # indexed but no longer in this library
        parts = {"bm25": raw / top_bm25, **agreement(query, other)}
        score = sum(weights[name] * value for name, value in parts.items())
        scored.append((key, score, parts))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:k]


def similar_cases(
    session: Session, store: ObjectStore, query: Profile, k: int = 10,
    exclude: Iterable[str] = (),
) -> list[SimilarHit]:
    """The ``k`` most similar library cases with their charges, court, date and outcome."""
    ranked = rank(session, similar_index.load_index(store), query, k, exclude)
    return describe(session, ranked)


def describe(
    session: Session, ranked: list[tuple[str, float, dict[str, float]]]
) -> list[SimilarHit]:
    keys = [key for key, _, _ in ranked]
    if not keys:
        return []
    cases = {c.dossier_id: c
             for c in session.scalars(sa.select(Case).where(Case.dossier_id.in_(keys)))}
    ids = [c.id for c in cases.values()]
    charges: dict[int, list[Charge]] = {}
    for ch in session.scalars(
        sa.select(Charge).where(Charge.case_id.in_(ids)).order_by(Charge.seq)
    ):
        charges.setdefault(ch.case_id, []).append(ch)
    outcomes: dict[int, list[Outcome]] = {}
    for s in session.scalars(
        sa.select(Sentence).where(Sentence.case_id.in_(ids)).order_by(Sentence.seq)
    ):
        outcomes.setdefault(s.case_id, []).append(Outcome(
            person=mask_name(s.person), penalty=s.penalty, months=s.months,
            probation_months=s.probation_months, fine_yuan=s.fine_yuan,
            charges=list(s.charges_written or s.charges),
        ))
    hits = []
    for key, score, parts in ranked:
        c = cases[key]
        rows = charges.get(c.id, [])
        hits.append(SimilarHit(
            dossier_id=key, source=c.source, case_no=c.case_no, court=c.court,
            judgment_date=c.judgment_date.isoformat() if c.judgment_date else None,
            charges=list(dict.fromkeys(r.name for r in rows)),
            charges_written=list(dict.fromkeys(r.written for r in rows if r.written)),
            outcomes=outcomes.get(c.id, []), score=round(score, 4),
            parts={n: round(v, 3) for n, v in parts.items()},
        ))
    return hits

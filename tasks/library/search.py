"""Full-text search over the library's case texts (全文检索), on PostgreSQL and SQLite.

The query is cut by the same tokenizer as the texts (:mod:`tasks.library.tokenizer`):
each query word must occur, either whole or as the parts jieba's search mode indexes
it by (交通肇事 matches 交通 + 肇事 in a text that has 交通肇事罪). The match and its
rank are the database's own: ``tsv @@ to_tsquery('simple', …)`` ranked by
``ts_rank_cd`` on PostgreSQL, FTS5 ``MATCH`` ranked by ``bm25()`` on SQLite. Filters
are plain SQL on the case; a charge filter on a catalogue name finds every written
form of it (the ``charges`` rows keep both). On PostgreSQL the filters (charge, source,
document type; a court's or procuratorate's character pairs) are facets of the text in the
same GIN index as its words, so a selective filter is applied in the index scan, before
rows are read and ranked. Snippets
are cut here from the text, the query words marked 【…】 and the case's person names
masked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from dossier.privacy import mask_text
from schemas.library_tables import FTS_TABLE, CaseText
from schemas.tables import Case, Charge, Dossier, Person
from tasks.library.texts import bigrams, facet
from tasks.library.tokenizer import tokenize

SNIPPET_CHARS = 120
# rank at most this many matches: a query matching half of a large library is ranked
# over its first matches only (PostgreSQL ranks each matching row's tsvector, read from
# TOAST). At 100k cases on PostgreSQL (benchmarks/library_bench.py, the 40 queries):
# 2000 gave p95 376 ms, 500 gave 196 ms; the price is that a very broad query's ten best
# are chosen among its first 500 matches.
RANK_WINDOW = 500


@dataclass(frozen=True)
class SearchFilters:
    charge: str | None = None  # catalogue name (every written form) or a written form
    court: str | None = None  # part of the court's name
    procuratorate: str | None = None
    date_from: dt.date | None = None  # judgment date, inclusive
    date_to: dt.date | None = None
    doc_type: str | None = None  # 判决书, 起诉书 …
    source: str | None = None  # dossier | published


@dataclass
class SearchHit:
    dossier_id: str
    source: str
    case_no: str | None
    court: str | None
    procuratorate: str | None
    judgment_date: str | None
    doc_type: str
    title: str
    charges: list[str]
    charges_written: list[str]
    snippet: str
    score: float
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = asdict(self)
        out.pop("extra")
        return out


def query_groups(query: str) -> list[list[str]]:
    """The query as AND-ed groups; each group is a word and, when jieba's search mode
    splits it further, its parts (matched together)."""
    groups: list[list[str]] = []
    for word in dict.fromkeys(tokenize(query, "query")):
        parts = [p for p in dict.fromkeys(tokenize(word, "index")) if p != word]
        groups.append([word, *parts])
    return groups


def _boolean(groups: list[list[str]], quote, and_: str, or_: str) -> str:
    """AND of the groups; a group is its word OR (all its parts)."""
    clauses = []
    for word, *parts in groups:
        clause = quote(word)
        if parts:
            clause = f"({clause}{or_}({and_.join(map(quote, parts))}))"
        clauses.append(clause)
    return and_.join(clauses)


def _fts5(groups: list[list[str]]) -> str:
    return _boolean(groups, lambda w: '"' + w.replace('"', '""') + '"', " AND ", " OR ")


def _tsquery(groups: list[list[str]]) -> str:
    return _boolean(groups, lambda w: "'" + w.replace("\\", "\\\\").replace("'", "''") + "'",
                    " & ", " | ")


def charge_condition(charge: str) -> sa.ColumnElement[bool]:
    """Cases with ``charge``: by catalogue name (any written form) or as written."""
    return sa.exists().where(
        Charge.case_id == Case.id, sa.or_(Charge.name == charge, Charge.written == charge)
    )


def facet_conditions(filters: SearchFilters) -> list[sa.ColumnElement[bool]]:
    """The filters on ``case_texts.facets`` (PostgreSQL ``text[]``): a charge by catalogue
    name or as written (both are facets), the source, the document type, and the character
    pairs of a court or procuratorate filter."""
    wanted = [facet(kind, value) for kind, value in (
        ("charge", filters.charge), ("source", filters.source), ("doc", filters.doc_type))
        if value]
    # a court or procuratorate filter: its character pairs narrow inside the index; the
    # substring test itself stays on the case's row (case_conditions)
    for kind, value in (("court", filters.court), ("procuratorate", filters.procuratorate)):
        wanted += sorted(facet(kind, b) for b in bigrams(value or ""))
    if not wanted:
        return []
    return [CaseText.facets.op("@>")(sa.literal(wanted, postgresql.ARRAY(sa.Text())))]


def case_conditions(filters: SearchFilters) -> list[sa.ColumnElement[bool]]:
    """The filters that need the case's row: court, procuratorate, judgment dates."""
    return filter_conditions(SearchFilters(
        court=filters.court, procuratorate=filters.procuratorate,
        date_from=filters.date_from, date_to=filters.date_to))


def filter_conditions(filters: SearchFilters) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if filters.charge:
        where.append(charge_condition(filters.charge))
    if filters.court:
        where.append(Case.court.contains(filters.court, autoescape=True))
    if filters.procuratorate:
        where.append(Case.procuratorate.contains(filters.procuratorate, autoescape=True))
    if filters.date_from:
        where.append(Case.judgment_date >= filters.date_from)
    if filters.date_to:
        where.append(Case.judgment_date <= filters.date_to)
    if filters.source:
        where.append(Case.source == filters.source)
    return where


def search(
    session: Session, query: str, filters: SearchFilters | None = None, limit: int = 10
) -> list[SearchHit]:
    """The best ``limit`` documents for ``query`` among those the filters let through.
    An empty query lists the filtered documents, latest judgment first."""
    filters = filters or SearchFilters()
    groups = query_groups(query)
    where = filter_conditions(filters)
    if filters.doc_type:
        where.append(CaseText.doc_type == filters.doc_type)
    dialect = session.get_bind().dialect.name
    base = sa.select(CaseText.id, CaseText.case_id).join(Case, Case.id == CaseText.case_id)
    if not groups:
        stmt = (base.add_columns(sa.literal(0.0).label("score")).where(*where)
                .order_by(Case.judgment_date.desc().nulls_last(), CaseText.id).limit(limit))
    elif dialect == "postgresql":
        tsq = sa.func.to_tsquery("simple", _tsquery(groups))
        tsv = sa.literal_column("case_texts.tsv")
        # the filters are facets in the same GIN index as the words: the index scan
        # returns only the texts that pass them (a broad query filtered to a rare charge
        # no longer reads every match); court and dates are then checked on the case
        facets, rest = facet_conditions(filters), case_conditions(filters)
        matched = sa.select(CaseText.id).where(tsv.op("@@")(tsq), *facets)
        if rest:
            matched = matched.join(Case, Case.id == CaseText.case_id).where(*rest)
        matched = matched.limit(RANK_WINDOW).subquery()
        score = sa.func.ts_rank_cd(tsv, tsq).label("score")
        stmt = (sa.select(CaseText.id, CaseText.case_id, score)
                .where(CaseText.id.in_(sa.select(matched.c.id)))
                .order_by(sa.desc("score"), CaseText.id).limit(limit))
    elif dialect == "sqlite":
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        match = sa.literal_column(FTS_TABLE).op("MATCH")(_fts5(groups))
        # bm25() is lower for better matches; negated so that higher is better everywhere
        score = (-sa.func.bm25(sa.literal_column(FTS_TABLE))).label("score")
        stmt = (sa.select(CaseText.id, CaseText.case_id, score)
                .select_from(fts).join(CaseText, CaseText.id == fts.c.rowid)
                .join(Case, Case.id == CaseText.case_id)
                .where(match, *where).order_by(sa.desc("score"), CaseText.id).limit(limit))
    else:
        raise NotImplementedError(f"no full-text search on {dialect}")
    found = session.execute(stmt).all()
    return _hits(session, found, groups)


def _hits(session: Session, found: list, groups: list[list[str]]) -> list[SearchHit]:
    if not found:
        return []
    ids = [row.id for row in found]
    texts = {t.id: t for t in session.scalars(sa.select(CaseText).where(CaseText.id.in_(ids)))}
    case_ids = list({row.case_id for row in found})
    cases = {c.id: c for c in session.scalars(sa.select(Case).where(Case.id.in_(case_ids)))}
    charges: dict[int, list[Charge]] = {}
    for ch in session.scalars(sa.select(Charge).where(Charge.case_id.in_(case_ids))
                              .order_by(Charge.case_id, Charge.seq)):
        charges.setdefault(ch.case_id, []).append(ch)
    names: dict[int, list[str]] = {}
    for case_id, name in session.execute(
        sa.select(Person.case_id, Person.name).where(Person.case_id.in_(case_ids))
    ):
        names.setdefault(case_id, []).append(name)
    dossier_ids = dict(session.execute(
        sa.select(Case.id, Dossier.dossier_id).join(Dossier).where(Case.id.in_(case_ids))
    ).all())
    words = [w for group in groups for w in group]
    hits = []
    for row in found:
        t, c = texts[row.id], cases[row.case_id]
        rows = charges.get(c.id, [])
        hits.append(SearchHit(
            dossier_id=dossier_ids[c.id], source=c.source, case_no=c.case_no, court=c.court,
            procuratorate=c.procuratorate,
            judgment_date=c.judgment_date.isoformat() if c.judgment_date else None,
            doc_type=t.doc_type, title=mask_text(t.title, names.get(c.id, [])),
            charges=list(dict.fromkeys(ch.name for ch in rows)),
            charges_written=list(dict.fromkeys(ch.written for ch in rows if ch.written)),
            snippet=snippet(t.text, words, names.get(c.id, [])),
            score=round(float(row.score or 0.0), 4),
        ))
    return hits


def snippet(
    text: str, words: list[str], names: list[str] | tuple[str, ...] = (),
    width: int = SNIPPET_CHARS,
) -> str:
    """The window of ``text`` with the most query words, each marked 【…】, names masked."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    flat = mask_text(re.sub(r"\s+", " ", text), list(names))
    if not words:
        return flat[:width]
    pattern = re.compile("|".join(map(re.escape, words)))
    found = [(m.start(), m.group(0)) for m in pattern.finditer(flat)]
    if not found:
        return flat[:width]
    # the window with the most different query words, then the most occurrences
    best, best_count = found[0][0], (0, 0)
    for i, (p, _) in enumerate(found):
        inside = [w for q, w in found[i:] if q < p + width]
        count = (len(set(inside)), len(inside))
        if count > best_count:
            best, best_count = p, count
    lo = max(0, best - width // 4)
    piece = flat[lo: lo + width]
    marked = pattern.sub(lambda m: f"【{m.group(0)}】", piece)
    return ("…" if lo > 0 else "") + marked + ("…" if lo + width < len(flat) else "")

"""Case texts for the library's search (``case_texts``): documents, tokens, facts section.

A dossier's documents come from ``nlp/<id>/documents.json`` (the structure stage's
split); a published judgment is one document. Each row keeps the text, its jieba
tokens in index mode (:mod:`tasks.library.tokenizer`) and where its facts lie, so
search (the tokens) and similar cases (the facts) read the same rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dossier.store.base import ObjectNotFoundError, ObjectStore
from dossier.store.keys import documents_key
from schemas.library_tables import CaseText
from tasks.library.tokenizer import tokenize

# Where the account of the facts starts (the charge as read, or the court's finding) and
# where the reasoning starts; the order of the alternatives is the order of preference.
_FACTS_START = re.compile(
    r"(?:公诉机关|检察院)?指控[:：，,]?|经审理查明|经审查查明|经依法审查查明|经侦查查明|审理查明"
)
_FACTS_END = re.compile(r"本院认为|本院审查认为|本院经审查认为|综上所述")
# Documents whose facts are worth comparing; the order is their authority for a case.
FACT_DOCUMENTS = ("判决书", "裁定书", "起诉书", "起诉意见书", "量刑建议书", "不起诉决定书")


@dataclass(frozen=True)
class TextDoc:
    """One document to index: its type, title and text."""

    doc_type: str
    title: str
    text: str


def facts_span(text: str) -> tuple[int, int]:
    """(start, end) of the facts in a judgment or indictment; the whole text when the
    usual markers are missing (a record, a fragment)."""
    start = _FACTS_START.search(text)
    lo = start.start() if start else 0
    end = _FACTS_END.search(text, lo)
    hi = end.start() if end else len(text)
    if hi - lo < 20:
        return 0, len(text)
    return lo, hi


# the court's (or procuratorate's) finding: from 本院认为 to the charge it names (…，情节严重，
# 其行为已构成开设赌场罪): the tier words there are a finding, not a statute quoted
_FINDING_END = re.compile(r"构成[^。；，,]{0,30}?罪|以[^。；，,]{1,30}?罪(?:追究|定罪)")
FINDING_MAX = 300


def finding_span(text: str) -> tuple[int, int]:
    """(start, end) of the reasoning's first finding, up to the charge it names (empty
    when there is no 本院认为 or no charge named within ``FINDING_MAX`` characters)."""
    start = _FACTS_END.search(text)
    if not start or not start.group().startswith("本院"):
        return len(text), len(text)
    end = _FINDING_END.search(text, start.end(), start.end() + FINDING_MAX)
    if not end:
        return len(text), len(text)
    return start.end(), end.end()


_VERDICT = re.compile(r"(?:判\s*决|裁\s*定|决\s*定)\s*如\s*下")


def reasoning_span(text: str) -> tuple[int, int]:
    """(start, end) of the reasoning: from the first 本院认为 to the verdict (判决如下) or the
    end (an indictment's reasoning runs to its close); empty without 本院认为."""
    start = re.search(r"本院(?:经审查|审查)?认为", text)
    if not start:
        return len(text), len(text)
    end = _VERDICT.search(text, start.end())
    return start.start(), end.start() if end else len(text)


def rows_for(case_id: int, documents: Sequence[TextDoc]) -> list[dict]:
    """The ``case_texts`` rows of one case (tokenised here: the costly part)."""
    rows = []
    for seq, doc in enumerate(documents):
        if not doc.text.strip():
            continue
        lo, hi = facts_span(doc.text)
        # cut in three pieces so the facts' tokens come out of the same pass
        facts = tokenize(doc.text[lo:hi], "index")
        tokens = tokenize(doc.text[:lo], "index") + facts + tokenize(doc.text[hi:], "index")
        rows.append({
            "case_id": case_id, "seq": seq, "doc_type": doc.doc_type, "title": doc.title[:1000],
            "text": doc.text, "tokens": " ".join(tokens), "facts_tokens": " ".join(facts),
            "facts_start": lo, "facts_end": hi,
        })
    return rows


def facet(kind: str, value: str) -> str:
    """One search filter value as stored in ``case_texts.facets``: ``charge:盗窃罪``."""
    return f"{kind}:{value}"


def bigrams(text: str) -> set[str]:
    """The character pairs of ``text``: a court or procuratorate filter is a substring
    (上海 in 上海市长宁区人民法院), and a substring's pairs are all among the name's, so
    they narrow the search inside the index without losing a match (the exact test on
    the case's row follows)."""
    return {text[i: i + 2] for i in range(len(text) - 1)}


def case_facets(session: Session, case_ids: Sequence[int]) -> dict[int, list[str]]:
    """The filters of each case as its texts carry them (``facets``): its charges by
    catalogue name and as written, its source, and the character pairs of its court and
    procuratorate (:func:`bigrams`); read from the database, so they are whatever the
    case's rows now say (write the texts after the charges)."""
    from schemas.tables import Case, Charge

    out: dict[int, set[str]] = {case_id: set() for case_id in case_ids}
    if not out:
        return {}
    for case_id, source, court, procuratorate in session.execute(
        sa.select(Case.id, Case.source, Case.court, Case.procuratorate)
        .where(Case.id.in_(list(out)))
    ):
        out[case_id].add(facet("source", source))
        out[case_id].update(facet("court", b) for b in bigrams(court or ""))
        out[case_id].update(facet("procuratorate", b) for b in bigrams(procuratorate or ""))
    for case_id, name, written in session.execute(
        sa.select(Charge.case_id, Charge.name, Charge.written)
        .where(Charge.case_id.in_(list(out)))
    ):
        out[case_id].update(facet("charge", v) for v in (name, written) if v)
    return {case_id: sorted(values) for case_id, values in out.items()}


def with_facets(session: Session, rows: list[dict]) -> list[dict]:
    """``case_texts`` rows with their ``facets`` (the case's, plus the text's own type)."""
    facets = case_facets(session, sorted({row["case_id"] for row in rows}))
    return [{**row, "facets": sorted({*facets.get(row["case_id"], []),
                                      facet("doc", row["doc_type"])})} for row in rows]


def replace_case_texts(session: Session, rows_by_case: dict[int, list[dict]]) -> int:
    """Replace the texts of the given cases in one statement each way; returns rows written.
    The cases' charges must be written first: the texts carry them as facets."""
    if not rows_by_case:
        return 0
    session.execute(sa.delete(CaseText).where(CaseText.case_id.in_(list(rows_by_case))))
    rows = [row for rows in rows_by_case.values() for row in rows]
    if rows:
        session.execute(sa.insert(CaseText).execution_options(render_nulls=True),
                        with_facets(session, rows))
    return len(rows)


def dossier_documents(store: ObjectStore, dossier_id: str) -> list[TextDoc]:
    """A dossier's documents with their texts, from the structure stage's output."""
    try:
        payload = store.get_json(documents_key(dossier_id))
    except (ObjectNotFoundError, FileNotFoundError):
        return []
    return [
        TextDoc(doc_type=d.get("type", "其他"), title=d.get("title", ""), text=d.get("text", ""))
        for d in (payload or {}).get("documents", [])  # type: ignore[union-attr]
    ]


def index_dossier_texts(session: Session, case_id: int, store: ObjectStore,
                        dossier_id: str) -> int:
    """A dossier's documents (the structure stage's ``documents.json``) into
    ``case_texts``, replacing what an earlier load of it wrote."""
    return replace_case_texts(session, {case_id: rows_for(case_id, dossier_documents(
        store, dossier_id))})


def facts_text(texts: Iterable[CaseText | dict]) -> str:
    """The facts of a case for similar-case search: those of its most authoritative
    document (judgment, then indictment …), else every text's facts joined."""

    def get(t: CaseText | dict, field: str):
        return t[field] if isinstance(t, dict) else getattr(t, field)

    items = list(texts)
    ranked = sorted(
        items,
        key=lambda t: (FACT_DOCUMENTS.index(get(t, "doc_type"))
                       if get(t, "doc_type") in FACT_DOCUMENTS else len(FACT_DOCUMENTS)),
    )
    for t in ranked:
        if get(t, "doc_type") in FACT_DOCUMENTS:
            return get(t, "text")[get(t, "facts_start"): get(t, "facts_end")]
    return "\n".join(get(t, "text")[get(t, "facts_start"): get(t, "facts_end")] for t in items)

"""The similar-case index (类案推送): BM25 over the jieba tokens of each case's facts.

Kept in the object store under ``library/similar/``:

* ``corpus.npz`` — every indexed case's facts as token ids (vocabulary, case keys,
  flat ids and offsets): what an update appends to, so no text is cut twice;
* ``bm25.tar`` — the bm25s index built from that corpus, with the case keys in order;
* ``profiles.json`` — each indexed case's structured profile (catalogue charges, charges
  as written, Criminal Law articles, largest amount): what the re-ranking compares, held
  in memory with the index so that ranking a query reads no candidate from the database
  (at 100k cases that reading was most of a query's time; ``benchmarks/library_bench.py``).

bm25s precomputes each (document, term) score with the corpus's IDF and mean length, so
it cannot take one more document (xhluca/bm25s#5): an update appends the new cases'
tokens to the corpus and re-indexes it from token ids (no tokenising; measured by
``benchmarks/library_bench.py``). A case is keyed by its ``dossier_id`` (stable across
databases). ``rebuild`` makes both objects anew from the database.
"""

from __future__ import annotations

import io
import json
import logging
import tarfile
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from dossier.store.base import ObjectNotFoundError, ObjectStore
from schemas.library_tables import CaseText
from schemas.tables import Case, Dossier
from tasks.library.texts import FACT_DOCUMENTS

log = logging.getLogger(__name__)

CORPUS_KEY = "library/similar/corpus.npz"
INDEX_KEY = "library/similar/bm25.tar"
PROFILES_KEY = "library/similar/profiles.json"
_cache: dict[str, tuple[str, SimilarIndex]] = {}
_lock = threading.Lock()


@dataclass
class Corpus:
    """Case keys and their facts as token ids over one vocabulary."""

    vocab: list[str]
    keys: list[str]
    docs: list[np.ndarray]

    @classmethod
    def empty(cls) -> Corpus:
        return cls([], [], [])

    def upsert(self, items: Iterable[tuple[str, Sequence[str]]]) -> int:
        """Add or replace cases' token lists; returns how many changed."""
        ids = {w: i for i, w in enumerate(self.vocab)}
        where = {k: i for i, k in enumerate(self.keys)}
        changed = 0
        for key, tokens in items:
            row = np.fromiter((ids.setdefault(t, len(ids)) for t in tokens), dtype=np.int32)
            if key in where:
                if not np.array_equal(self.docs[where[key]], row):
                    self.docs[where[key]] = row
                    changed += 1
            else:
                where[key] = len(self.keys)
                self.keys.append(key)
                self.docs.append(row)
                changed += 1
        self.vocab = list(ids)
        return changed

    def remove(self, keys: Iterable[str]) -> None:
        gone = set(keys)
        kept = [(k, d) for k, d in zip(self.keys, self.docs, strict=True) if k not in gone]
        self.keys = [k for k, _ in kept]
        self.docs = [d for _, d in kept]

    def to_bytes(self) -> bytes:
        offsets = np.cumsum([0] + [len(d) for d in self.docs]).astype(np.int64)
        flat = np.concatenate(self.docs) if self.docs else np.zeros(0, dtype=np.int32)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, vocab=np.array(self.vocab, dtype=str),
                            keys=np.array(self.keys, dtype=str), flat=flat, offsets=offsets)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Corpus:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        flat, offsets = z["flat"], z["offsets"]
        docs = [flat[offsets[i]: offsets[i + 1]] for i in range(len(offsets) - 1)]
        return cls([str(v) for v in z["vocab"]], [str(k) for k in z["keys"]], docs)


# a case's structured profile as stored: (catalogue charges, charges as written,
# Criminal Law articles, largest amount or None)
StoredProfile = tuple[list[str], list[str], list[int], float | None]


class SimilarIndex:
    """A loaded bm25s index, the case key of each of its documents and (when stored) each
    case's structured profile, with the positions of the cases of each catalogue charge."""

    def __init__(self, retriever, keys: list[str],
                 profiles: dict[str, StoredProfile] | None = None):
        self.retriever = retriever
        self.keys = keys
        self.position = {k: i for i, k in enumerate(keys)}
        self.profiles = profiles or {}
        by_charge: dict[str, list[int]] = {}
        for key, profile in self.profiles.items():
            i = self.position.get(key)
            if i is not None:
                for charge in profile[0]:
                    by_charge.setdefault(charge, []).append(i)
        self.charge_positions = {c: np.array(v, dtype=np.int64) for c, v in by_charge.items()}

    def __len__(self) -> int:
        return len(self.keys)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every indexed case for the query tokens (unknown ones dropped)."""
        if not self.keys:
            return np.zeros(0, dtype=np.float32)
        vocab = self.retriever.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return np.zeros(len(self.keys), dtype=np.float32)
        return self.retriever.get_scores(known)

    @classmethod
    def build(cls, corpus: Corpus) -> SimilarIndex:
        import bm25s
        from bm25s.tokenization import Tokenized

        # bm25s sets its own logger to DEBUG when imported: its "Building index" lines
        # would reach every run's console and log.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        retriever = bm25s.BM25()
        if corpus.keys:
            vocab = {w: i for i, w in enumerate(corpus.vocab)}
            # bm25s wants every document non-empty and an id for the empty string
            empty = vocab.setdefault("", len(vocab))
            ids = [d.tolist() if len(d) else [empty] for d in corpus.docs]
            retriever.index(Tokenized(ids=ids, vocab=vocab), show_progress=False,
                            create_empty_token=False)
        return cls(retriever, list(corpus.keys))

    def to_bytes(self) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            if self.keys:
                self.retriever.save(folder, show_progress=False)
            Path(folder, "keys.json").write_text(json.dumps(self.keys), encoding="utf-8")
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w") as tar:
                for path in sorted(Path(folder).iterdir()):
                    tar.add(path, arcname=path.name)
            return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SimilarIndex:
        import bm25s

        with tempfile.TemporaryDirectory() as folder:
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                tar.extractall(folder, filter="data")
            keys = json.loads(Path(folder, "keys.json").read_text(encoding="utf-8"))
            if not keys:
                return cls(bm25s.BM25(), [])
            retriever = bm25s.BM25.load(folder, show_progress=False)
        return cls(retriever, keys)


# --- the index in the store ---------------------------------------------------------


def load_corpus(store: ObjectStore) -> Corpus:
    try:
        return Corpus.from_bytes(store.get_bytes(CORPUS_KEY))
    except (ObjectNotFoundError, FileNotFoundError):
        return Corpus.empty()


def load_index(store: ObjectStore) -> SimilarIndex:
    """The stored index, read once per process and version (its sha256)."""
    try:
        sha = store.stat(INDEX_KEY).sha256 or ""
    except (ObjectNotFoundError, FileNotFoundError):
        return SimilarIndex.build(Corpus.empty())
    cache_key = f"{store.description}:{INDEX_KEY}"
    with _lock:
        cached = _cache.get(cache_key)
        if cached and cached[0] == sha:
            return cached[1]
    index = SimilarIndex.from_bytes(store.get_bytes(INDEX_KEY))
    index = SimilarIndex(index.retriever, index.keys, load_profiles(store))
    with _lock:
        _cache[cache_key] = (sha, index)
    return index


def load_profiles(store: ObjectStore) -> dict[str, StoredProfile]:
    """The stored profiles (``{}`` for an index saved before they were: ranking then reads
    the candidates from the database)."""
    try:
        raw = json.loads(store.get_bytes(PROFILES_KEY))
    except (ObjectNotFoundError, FileNotFoundError):
        return {}
    return {k: (v[0], v[1], v[2], v[3]) for k, v in raw.items()}


def case_profiles(session: Session, dossier_ids: Sequence[str] | None = None,
                  chunk: int = 5000) -> dict[str, StoredProfile]:
    """Profiles of the given cases (all when ``None``) from the library tables."""
    from schemas.tables import Charge, Statute
    from tasks.nlp.lexicon import CRIMINAL_LAW

    ids = None if dossier_ids is None else list(dossier_ids)
    out: dict[str, StoredProfile] = {}
    for i in range(0, 1 if ids is None else len(ids), chunk):
        part = None if ids is None else ids[i: i + chunk]

        def limited(stmt, part=part):
            return stmt if part is None else stmt.where(Case.dossier_id.in_(part))

        rows = session.execute(limited(sa.select(Case.id, Case.dossier_id, Case.amounts_yuan)))
        by_id: dict[int, StoredProfile] = {}
        for case_id, key, amounts in rows:
            by_id[case_id] = ([], [], [], max(amounts) if amounts else None)
            out[key] = by_id[case_id]
        for case_id, name, written in session.execute(limited(
            sa.select(Charge.case_id, Charge.name, Charge.written)
            .join(Case, Case.id == Charge.case_id).order_by(Charge.case_id, Charge.seq)
        )):
            profile = by_id.get(case_id)
            if profile is not None:
                if name not in profile[0]:
                    profile[0].append(name)
                if written and written not in profile[1]:
                    profile[1].append(written)
        for case_id, article in session.execute(limited(
            sa.select(Statute.case_id, Statute.article).join(Case, Case.id == Statute.case_id)
            .where(Statute.law == CRIMINAL_LAW)
        )):
            profile = by_id.get(case_id)
            if profile is not None and article not in profile[2]:
                profile[2].append(article)
    return out


def save(store: ObjectStore, corpus: Corpus,
         profiles: dict[str, StoredProfile] | None = None) -> SimilarIndex:
    index = SimilarIndex.build(corpus)
    store.put_bytes(CORPUS_KEY, corpus.to_bytes())
    store.put_bytes(INDEX_KEY, index.to_bytes())
    if profiles is not None:
        kept = {k: profiles[k] for k in corpus.keys if k in profiles}
        store.put_bytes(PROFILES_KEY, json.dumps(kept, ensure_ascii=False,
                                                 separators=(",", ":")).encode("utf-8"))
        index = SimilarIndex(index.retriever, index.keys, kept)
    return index


def case_facts_tokens(session: Session, dossier_ids: Sequence[str] | None = None,
                      chunk: int = 5000) -> Iterable[tuple[str, list[str]]]:
    """(dossier_id, facts tokens) per case from ``case_texts``: the facts of its most
    authoritative document (judgment, then indictment …), else of its first one."""
    rank = sa.case(
        *[(CaseText.doc_type == t, i) for i, t in enumerate(FACT_DOCUMENTS)],
        else_=len(FACT_DOCUMENTS),
    )
    stmt = (sa.select(Dossier.dossier_id, CaseText.facts_tokens, rank.label("rank"))
            .join(Case, Case.id == CaseText.case_id)
            .join(Dossier, Dossier.dossier_id == Case.dossier_id)
            .order_by(Dossier.dossier_id, "rank", CaseText.seq))
    if dossier_ids is not None:
        ids = list(dossier_ids)
        for i in range(0, len(ids), chunk):
            yield from _first_per_case(session.execute(
                stmt.where(Dossier.dossier_id.in_(ids[i: i + chunk]))))
        return
    yield from _first_per_case(session.execute(stmt.execution_options(yield_per=chunk)))


def _first_per_case(rows) -> Iterable[tuple[str, list[str]]]:
    last = None
    for dossier_id, tokens, _ in rows:
        if dossier_id != last:
            last = dossier_id
            yield dossier_id, tokens.split()


def update(store: ObjectStore, session: Session, dossier_ids: Sequence[str]) -> int:
    """Add or replace these cases in the stored index (after they were loaded)."""
    if not dossier_ids:
        return 0
    corpus = load_corpus(store)
    found = dict(case_facts_tokens(session, dossier_ids))
    changed = corpus.upsert(found.items())
    gone = [k for k in dossier_ids if k not in found]
    corpus.remove(gone)
    profiles = load_profiles(store) if corpus.keys else {}
    if len(profiles) < len(corpus.keys) - len(found):  # stored before profiles were
        profiles = case_profiles(session, corpus.keys)
    fresh = case_profiles(session, list(found))
    moved = any(profiles.get(k) != v for k, v in fresh.items())
    profiles.update(fresh)
    if changed or gone or moved:
        save(store, corpus, profiles)
    return changed


def rebuild(store: ObjectStore, session: Session) -> int:
    """Both objects anew from the database; returns the number of cases indexed."""
    corpus = Corpus.empty()
    corpus.upsert(case_facts_tokens(session))
    save(store, corpus, case_profiles(session))
    return len(corpus.keys)

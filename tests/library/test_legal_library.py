"""The legal library on both databases: search, similar cases, the index in the store,
import idempotency, the charge as written; against the 200 real judgments of
``tests/data/real_texts`` (JuDGE, MIT) and three sample dossiers loaded as dossiers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from minio_buckets import temporary_bucket_store

from dossier import db
from dossier.samples.dossier import fast_paginate, make_sample_dossier
from dossier.samples.real_texts import judgment_lines
from dossier.store.base import ObjectStore
from dossier.store.local import LocalStore
from schemas.case_card import CaseCard
from schemas.library_tables import CaseText
from schemas.tables import Case, Charge
from tasks.library import importer, similar, similar_index
from tasks.library.load import load_case_card, register_dossier
from tasks.library.search import SearchFilters, search
from tasks.library.texts import TextDoc, replace_case_texts, rows_for
from tasks.sentencing import advise

DRUGS = "走私、贩卖、运输、制造毒品罪"


@pytest.fixture(scope="session")
def structured() -> list:
    """The 200 judgments structured once (the CPU part of an import)."""
    lines = judgment_lines()
    return [importer.structure(j) for j in importer.read_judgments(lines)]


@pytest.fixture(scope="session")
def samples() -> list:
    """Three sample dossiers: their documents and case cards, as the structure stage makes."""
    from tasks.nlp.case_card import build_case_card
    from tasks.nlp.clean import clean_dossier_text
    from tasks.nlp.documents import split_documents

    out = []
    for seed in (3, 11, 42):
        sample = make_sample_dossier(seed, paginate=fast_paginate)
        cleaned = clean_dossier_text(sample.pages)
        split = split_documents(cleaned)
        refs = [d.to_ref() for d in split]
        dossier_id = f"d{seed:016x}"
        card = build_case_card(dossier_id, "\n".join(cleaned), refs,
                               document_texts=[d.text for d in split])
        docs = [TextDoc(r.type, r.title, d.text) for r, d in zip(refs, split, strict=True)]
        out.append((card, docs))
    return out


@pytest.fixture(scope="module")
def library_store(db_url: str, tmp_path_factory: pytest.TempPathFactory,
                  request: pytest.FixtureRequest) -> Iterator[ObjectStore]:
    """A local store with SQLite, a MinIO bucket with PostgreSQL."""
    if db_url.startswith("sqlite"):
        yield LocalStore(tmp_path_factory.mktemp("store"))
        return
    with temporary_bucket_store(request.getfixturevalue("services_env"), "test-library") as s:
        yield s


@pytest.fixture(scope="module")
def library(migrated_url: str, structured: list, samples: list,
            library_store: ObjectStore) -> str:
    """The loaded corpus: 200 published judgments and three dossiers, and the index."""
    with db.session_scope(migrated_url) as session:
        importer.write_structured(session, structured, "judgments.jsonl", None,
                                  importer.ImportReport())
        for card, docs in samples:
            register_dossier(session, dossier_id=card.dossier_id, sha256=card.dossier_id * 2,
                             filename="sample.pdf", size=1, status="ok")
            case = load_case_card(session, card, "trusted")
            replace_case_texts(session, {case.id: rows_for(case.id, docs)})
        similar_index.rebuild(library_store, session)
    return migrated_url


@pytest.fixture
def session(library: str) -> Iterator[sa.orm.Session]:
    with db.session_scope(library) as s:
        yield s


def test_corpus_is_loaded_with_sources(session) -> None:
    counts = dict(session.execute(
        sa.select(Case.source, sa.func.count()).group_by(Case.source)).all())
    assert counts == {"published": 200, "dossier": 3}
    assert session.scalar(sa.select(sa.func.count()).select_from(CaseText)) > 200


def test_search_finds_words_with_marked_snippets_and_masked_names(session) -> None:
    hits = search(session, "甲基苯丙胺 贩卖", limit=5)
    assert len(hits) == 5
    for hit in hits:
        assert "【甲基苯丙胺】" in hit.snippet or "【贩卖】" in hit.snippet
        assert DRUGS in hit.charges
    assert sum("【甲基苯丙胺】" in h.snippet and "【贩卖】" in h.snippet for h in hits) >= 3
    # the parts of a word count: 交通肇事 is indexed as 交通 + 肇事 inside 交通肇事罪
    assert all("交通肇事罪" in h.charges for h in search(session, "交通肇事", limit=5))
    # a defendant's name never shows in a snippet
    name = session.scalar(sa.text("SELECT name FROM persons WHERE role = '被告人' LIMIT 1"))
    assert all(name not in h.snippet for h in search(session, "被告人", limit=20))


def test_search_filters(session) -> None:
    by_catalogue = search(session, "", SearchFilters(charge=DRUGS), limit=100)
    written = {w for h in by_catalogue for w in h.charges_written}
    assert {"贩卖毒品罪"} <= written and len(by_catalogue) >= 30
    by_written = search(session, "", SearchFilters(charge="贩卖毒品罪"), limit=100)
    assert 0 < len(by_written) <= len(by_catalogue)
    assert all("贩卖毒品罪" in h.charges_written for h in by_written)
    shanghai = search(session, "", SearchFilters(court="上海市"), limit=100)
    assert shanghai and all("上海市" in (h.court or "") for h in shanghai)
    dated = search(session, "盗窃", SearchFilters(date_from=dt.date(2018, 1, 1),
                                                date_to=dt.date(2018, 12, 31)), limit=50)
    assert dated and all(h.judgment_date and h.judgment_date.startswith("2018") for h in dated)
    dossiers = search(session, "", SearchFilters(source="dossier"), limit=50)
    assert {h.source for h in dossiers} == {"dossier"}
    assert {h.doc_type for h in dossiers} > {"判决书"}  # every document of a dossier
    indictments = search(session, "", SearchFilters(doc_type="起诉书"), limit=50)
    assert indictments and {h.doc_type for h in indictments} == {"起诉书"}
    assert search(session, "盗窃", SearchFilters(procuratorate="不存在的检察院")) == []


def test_words_with_filters_find_what_filtering_the_words_finds(session) -> None:
    """On PostgreSQL the filters are applied inside the full-text index (facets of each
    text, a court's by its character pairs); they must keep exactly what the filters keep
    of the words' matches (the library is smaller than the rank window: all are found)."""
    def passes(hit, f: SearchFilters) -> bool:
        return ((not f.charge or f.charge in hit.charges or f.charge in hit.charges_written)
                and (not f.court or f.court in (hit.court or ""))
                and (not f.procuratorate or f.procuratorate in (hit.procuratorate or ""))
                and (not f.source or hit.source == f.source)
                and (not f.doc_type or hit.doc_type == f.doc_type))

    shanghai_procuratorate = session.scalar(sa.text(
        "SELECT procuratorate FROM cases WHERE procuratorate LIKE '%上海%' LIMIT 1"))
    assert shanghai_procuratorate
    cases = [("甲基苯丙胺", SearchFilters(charge=DRUGS)),
             ("甲基苯丙胺", SearchFilters(charge="贩卖毒品罪")),
             ("被告人", SearchFilters(court="上海")), ("被告人", SearchFilters(court="长宁区")),
             ("被告人", SearchFilters(procuratorate=shanghai_procuratorate[2:6])),
             ("被告人", SearchFilters(source="dossier")),
             ("被告人", SearchFilters(doc_type="起诉书")),
             ("盗窃", SearchFilters(charge="盗窃罪", court="上海", source="published"))]
    for words, f in cases:
        every = search(session, words, limit=500)
        assert 0 < len(every) < 500
        expected = {(h.dossier_id, h.title) for h in every if passes(h, f)}
        found = {(h.dossier_id, h.title) for h in search(session, words, f, limit=500)}
        assert expected and found == expected, (words, f)


def test_similar_cases_share_the_charge(session, library_store: ObjectStore) -> None:
    key = session.scalar(
        sa.select(Case.dossier_id).join(Charge).where(Charge.written == "贩卖毒品罪").limit(1))
    query = similar.profile_of_library_case(session, key, library_store)
    hits = advise.similar_for(session, library_store, query, k=10)
    assert len(hits) == 10 and key not in {h.dossier_id for h in hits}
    assert all(DRUGS in h.charges for h in hits)
    assert all(o.person.count("*") >= 1 for h in hits for o in h.outcomes)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    free = similar.profile_of_text(
        "经审理查明：被告人在某超市内趁人不备盗窃他人手机一部，经鉴定价值人民币2500元。"
        "本院认为，被告人以非法占有为目的，秘密窃取他人财物，数额较大，其行为已构成盗窃罪。")
    theft = advise.similar_for(session, library_store, free, k=5)
    assert [h for h in theft if "盗窃罪" in h.charges] == theft and len(theft) == 5


def test_a_sample_dossier_finds_published_cases_and_a_suggestion(
    session, samples: list, library_store: ObjectStore
) -> None:
    card, docs = samples[0]
    text = "\n".join(d.text for d in docs)
    hits, suggestions = advise.for_card(session, library_store, card.case,
                                        dossier_id=card.dossier_id, text=text)
    assert hits and card.dossier_id not in {h.dossier_id for h in hits}
    assert set(hits[0].charges) & set(card.case.charges)
    assert suggestions and all(s.months_low <= s.months <= s.months_high for s in suggestions)


def test_index_lives_in_the_store_and_follows_the_library(
    session, library_store: ObjectStore
) -> None:
    index = similar_index.load_index(library_store)
    assert len(index) == 203
    key = index.keys[0]
    case_id = session.scalar(sa.select(Case.id).where(Case.dossier_id == key))
    tokens = session.scalar(sa.select(CaseText.facts_tokens).where(CaseText.case_id == case_id))
    session.execute(sa.delete(Case).where(Case.id == case_id))
    session.flush()
    advise.ensure_index(library_store, session)  # a case gone from the library leaves it
    assert key not in similar_index.load_index(library_store).position
    session.rollback()
    similar_index.update(library_store, session, [key])  # and comes back when reloaded
    assert key in similar_index.load_index(library_store).position
    assert tokens


def test_ranking_reads_the_stored_profiles_and_agrees_with_the_database(
    session, library_store: ObjectStore
) -> None:
    """The index keeps each case's charges, articles and amount so that ranking reads no
    candidate from the database; they are the library's, and rank the same cases."""
    index = advise.ensure_index(library_store, session)
    assert set(index.profiles) == set(index.keys)
    key = session.scalar(
        sa.select(Case.dossier_id).join(Charge).where(Charge.written == "贩卖毒品罪").limit(1))
    stored = index.profiles[key]
    live = similar.profiles(session, [key])[key]
    assert (set(stored[0]), set(stored[1]), set(stored[2]), stored[3]) == (
        live.charges, live.written, live.articles, live.amount)
    query = similar.profile_of_library_case(session, key, library_store)
    without = similar_index.SimilarIndex(index.retriever, index.keys)  # an older index
    in_memory = similar.rank(session, index, query, k=10)
    from_database = similar.rank(session, without, query, k=10)
    assert [k for k, _, _ in in_memory] == [k for k, _, _ in from_database]


def test_import_is_idempotent_by_source_id(migrated_url: str) -> None:
    lines = judgment_lines()[:4]

    def run(source: list[str]) -> importer.ImportReport:
        return importer.import_judgments(lambda: db.session_scope(migrated_url),
                                         importer.read_judgments(source), batch_size=3)

    def count() -> int:
        with db.session_scope(migrated_url) as s:
            return s.scalar(sa.select(sa.func.count()).select_from(Case)
                            .where(Case.source == "published"))

    before = count()  # the module's corpus holds these four already
    again = run(lines)
    assert (again.loaded, again.unchanged) == (0, 4) and count() == before
    changed = json.loads(lines[0])
    changed["fd"] = changed["fd"].replace("本院认为", "本院经审理认为", 1)
    bad = "{not json"
    report = run([json.dumps(changed, ensure_ascii=False), *lines[1:], bad])
    assert (report.loaded, report.unchanged) == (1, 3) and count() == before
    failed: list = []
    list(importer.read_judgments([bad, '{"fd": "x"}'], failed=failed))
    assert [n for n, _ in failed] == [1, 2]


def test_the_charge_as_written_and_old_cards(session) -> None:
    written = dict(session.execute(
        sa.select(Charge.written, Charge.name).where(Charge.written.is_not(None)).distinct()
    ).all())
    assert written["贩卖毒品罪"] == DRUGS
    assert written.get("非法持有枪支罪") == "非法持有、私藏枪支、弹药罪"
    old = {"dossier_id": "d00000000000000ff",
           "case": {"charges": [DRUGS], "sentences": [{"person": "某", "charges": [DRUGS]}]}}
    card = CaseCard.model_validate(old)  # a card from before the field still loads
    assert card.case.charges_written == [] and card.case.sentences[0].charges_written == []
    register_dossier(session, dossier_id=card.dossier_id, sha256="f" * 64, filename="old.pdf",
                     size=1, status="ok")
    case = load_case_card(session, card, "trusted")
    rows = session.execute(sa.select(Charge.name, Charge.written)
                           .where(Charge.case_id == case.id)).all()
    assert rows == [(DRUGS, None)]
    session.rollback()

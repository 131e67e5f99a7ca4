"""The suggest stage: registered after load; from a loaded dossier's stored card and
documents to ``suggestions/<id>.json`` (similar cases, a suggestion per defendant),
names masked, without Prefect."""

from __future__ import annotations

from dossier import db
from dossier.samples.dossier import fast_paginate, make_sample_dossier
from dossier.samples.real_texts import judgment_lines
from dossier.store import get_store
from dossier.store.keys import case_card_key, documents_key, suggestions_key
from tasks.library.importer import import_judgments, read_judgments
from tasks.library.load import load_case_card, register_dossier
from tasks.library.texts import index_dossier_texts
from tasks.stages.chain import get_stage, stage_names
from tasks.stages.suggest import artifact, suggest_dossier


def test_the_stage_follows_load_and_writes_its_key() -> None:
    names = stage_names()
    assert names.index("suggest") > names.index("load")
    from tasks.nlp.case_card import build_case_card
    from tasks.nlp.clean import clean_dossier_text
    from tasks.nlp.documents import split_documents
    from tasks.stages.library import ensure_schema

    store = get_store()  # the test's own data dir: local store, SQLite library
    ensure_schema()
    lines = judgment_lines()[:40]
    import_judgments(db.session_scope, read_judgments(lines))
    sample = make_sample_dossier(5, paginate=fast_paginate)
    split = split_documents(clean_dossier_text(sample.pages))
    refs = [d.to_ref() for d in split]
    dossier_id = "d00000000000000a5"
    card = build_case_card(dossier_id, "", refs, document_texts=[d.text for d in split])
    store.put_json(case_card_key(dossier_id), card.model_dump(mode="json"))
    store.put_json(documents_key(dossier_id), {"documents": [
        {**r.model_dump(mode="json"), "text": d.text} for r, d in zip(refs, split, strict=True)]})
    with db.session_scope() as session:
        register_dossier(session, dossier_id=dossier_id, sha256="a5" * 32, filename="s.pdf",
                         size=1, status="ok")
        case = load_case_card(session, card, "trusted")
        index_dossier_texts(session, case.id, store, dossier_id)

    payload = suggest_dossier(store, dossier_id)
    assert store.get_json(suggestions_key(dossier_id)) == payload
    assert len(payload["similar"]) == 10
    assert dossier_id not in {h["dossier_id"] for h in payload["similar"]}
    defendants = [p.name for p in card.case.persons if p.role in ("被告人", "犯罪嫌疑人")]
    assert len(payload["suggestions"]) == len(set(defendants))
    markdown = artifact(store, dossier_id)
    assert markdown and "量刑建议" in markdown
    for name in defendants:
        assert name not in markdown and name not in str(payload)
    stage = get_stage("suggest")
    assert [k for k in stage.outputs(_Ctx(store, dossier_id))] == [suggestions_key(dossier_id)]


class _Ctx:
    def __init__(self, store, dossier_id: str):
        self.store, self.dossier_id = store, dossier_id

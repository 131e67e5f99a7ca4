"""The import-judgments flow: a JSON-lines object under imports/ into the library, once."""

from __future__ import annotations

import sqlalchemy as sa

from dossier import db
from dossier.samples.real_texts import judgment_lines
from dossier.store import get_store
from schemas.tables import Case


def test_an_imports_object_lands_in_the_library_once() -> None:
    from flows.import_judgments import import_judgments
    from tasks.library import similar_index

    store = get_store()  # the test's own data dir: a local store and a SQLite library
    lines = judgment_lines()[:6]
    store.put_bytes("imports/batch-1.jsonl", ("\n".join(lines) + "\n").encode("utf-8"))
    first = import_judgments(key="imports/batch-1.jsonl")
    assert (first["loaded"], first["failed"]) == (6, 0)
    again = import_judgments(key="imports/batch-1.jsonl")
    assert (again["loaded"], again["unchanged"]) == (0, 6)
    with db.session_scope() as session:
        sources = session.execute(sa.select(Case.source, sa.func.count())
                                  .group_by(Case.source)).all()
    assert sources == [("published", 6)]
    assert len(similar_index.load_index(store)) == 6  # the index followed the import

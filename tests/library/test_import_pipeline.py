"""The import's pipeline on both databases: with worker processes, a batch is structured
while the one before it is written, and what is still in flight counts as known (the same
text under another id is a duplicate, the same id and text again is unchanged); rows whose
empty columns differ are written in one statement per table."""

from __future__ import annotations

import json

import sqlalchemy as sa

from dossier import db
from dossier.samples.real_texts import judgment_lines
from schemas.tables import Case, Person
from tasks.library import importer

from .conftest import migrated_url  # noqa: F401 (fixture)


def _line(row: dict, source_id: str, marker: str) -> str:
    # a marker of this test's own keeps the texts apart from any other module's
    return json.dumps({**row, "text_id": source_id, "fd": row["fd"] + marker},
                      ensure_ascii=False)


def test_batches_in_flight_count_as_known_and_rows_share_statements(
    migrated_url: str,  # noqa: F811
) -> None:
    first, second = (json.loads(line) for line in judgment_lines()[:2])
    lines = [
        _line(first, "pipe-a", "（流水线测试）"),
        _line(first, "pipe-b", "（流水线测试）"),  # A's text under another id: a duplicate
        _line(first, "pipe-a", "（流水线测试）"),  # A again, unchanged
        _line(second, "pipe-c", "（流水线测试）"),
    ]
    engine = db.get_engine(migrated_url)
    inserts: list[str] = []

    def count(conn, cursor, statement, params, context, executemany) -> None:
        if statement.startswith("INSERT INTO persons"):
            inserts.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        report = importer.import_judgments(
            lambda: db.session_scope(migrated_url), importer.read_judgments(lines),
            batch_size=1, workers=2)
        batched = importer.import_judgments(
            lambda: db.session_scope(migrated_url),
            importer.read_judgments([_line(first, "pipe-d", "（另一批）"),
                                     _line(second, "pipe-e", "（另一批）")]),
            batch_size=2)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert (report.loaded, report.duplicates, report.unchanged) == (2, 1, 1)
    assert batched.loaded == 2
    with db.session_scope(migrated_url) as s:
        ids = [importer.published_dossier_id(k) for k in ("pipe-a", "pipe-c", "pipe-d",
                                                             "pipe-e")]
        found = s.scalars(sa.select(Case.dossier_id).where(Case.dossier_id.in_(ids))).all()
        assert sorted(found) == sorted(ids)
        people = s.scalar(sa.select(sa.func.count()).select_from(Person)
                          .join(Case, Case.id == Person.case_id)
                          .where(Case.dossier_id == ids[2]))
    # two batches that loaded one judgment each and one that loaded two: one persons
    # INSERT each, whatever the defendants' and lawyers' empty columns
    assert people and people > 1 and len(inserts) == 3

"""The migrations build exactly the models' schema, and come down again, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dossier import db
from schemas.library_tables import FTS_TABLE, include_object
from schemas.tables import metadata

TABLES = {
    "dossiers", "pages", "documents", "cases", "persons", "charges", "statutes",
    "coercive_measures", "sentences", "circumstances", "lineage", "review_points",
} | {  # agency feeds and supervision leads (issue 11)
    "feed_people", "feed_police_cases", "feed_measures", "feed_admin_penalties",
    "feed_judgments", "feed_non_prosecutions", "feed_licence_revocations", "feed_corrections",
    "feed_prison", "feed_pensions", "feed_fine_enforcement", "feed_batches", "feed_rejects",
    "supervision_runs", "leads", "lead_history", "supervision_card_sentences",
    "supervision_card_statutes",
} | {  # lead review and recommendations (issue 12)
    "lead_review_sessions", "recommendation_sequences", "recommendations",
    "recommendation_leads", "recommendation_events", "recommendation_outbox",
} | {"case_texts"} | {  # the legal library (issue 13)
    "intake_events", "case_notifications", "case_evaluations",  # case management (issue 16)
}


def _tables(url: str) -> set[str]:
    engine = db.get_engine(url)
    # the SQLite full-text index (FTS5 and its shadow tables) is outside the models
    names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    return {n for n in names if not n.startswith(FTS_TABLE)}


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    assert db.current_revision(db_url) is None
    db.upgrade(db_url)
    assert db.current_revision(db_url) == db.head_revision()
    assert _tables(db_url) == TABLES == set(metadata.tables)

    db.downgrade(db_url, "base")
    assert db.current_revision(db_url) is None
    assert _tables(db_url) == set()

    db.upgrade(db_url)
    assert _tables(db_url) == TABLES
    # Upgrading an up-to-date database is a no-op, not an error.
    db.upgrade(db_url)
    assert db.current_revision(db_url) == db.head_revision()


def test_autogenerate_finds_no_difference(db_url: str) -> None:
    db.upgrade(db_url)
    with db.get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True,
                              "include_object": include_object}
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_autogenerate_sees_a_missing_column(db_url: str) -> None:
    """The check above can fail: a model change without a migration shows up."""
    db.upgrade(db_url)
    changed = sa.MetaData()
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["cases"].append_column(sa.Column("new_column", sa.Integer))
    with db.get_engine(db_url).connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"include_object": include_object}),
            changed,
        )
    assert [(d[0], d[3].name) for d in diff] == [("add_column", "new_column")]


def test_constraints_hold(db_url: str) -> None:
    """Check constraints and foreign keys are enforced on both (SQLite needs the pragma)."""
    db.upgrade(db_url)
    engine = db.get_engine(db_url)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    bad_status = sa.text(
        "INSERT INTO dossiers (dossier_id, sha256, filename, size, status) "
        "VALUES ('d1', 's1', 'f.pdf', 1, 'lost')"
    )
    orphan_page = sa.text(
        "INSERT INTO pages (dossier_id, page, source, status, blank, rotation, skew_degrees,"
        " width, height, chars, seconds) VALUES ('nobody', 1, 'ocr', 'ok', false, 0, 0, 0, 0,"
        " 0, 0)"
    )
    for statement in (bad_status, orphan_page):
        with engine.connect() as connection:
            try:
                connection.execute(statement)
            except sa.exc.IntegrityError:
                connection.rollback()
            else:
                raise AssertionError(f"accepted: {statement.text[:40]}")
    # The server defaults fill the timestamps for rows written outside the ORM.
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO dossiers (dossier_id, sha256, filename, size, status) "
            "VALUES ('d1', 's1', 'f.pdf', 1, 'received')"
        ))
        created = connection.execute(sa.text("SELECT created_at FROM dossiers")).scalar_one()
        connection.execute(sa.text("DELETE FROM dossiers"))
    assert created is not None


def test_workers_upgrading_at_once_do_not_collide(db_url: str) -> None:
    """Several workers start together: every one of them must come up (PostgreSQL lock)."""
    from concurrent.futures import ThreadPoolExecutor

    db.downgrade(db_url, "base")
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = [pool.submit(db.upgrade, db_url) for _ in range(3)]
        for result in results:
            result.result()
    assert db.current_revision(db_url) == db.head_revision()
    assert _tables(db_url) == TABLES

"""Database fixtures shared by tests/db and tests/library: SQLite and the real PostgreSQL.

Each test module gets a database of its own: a SQLite file, or on PostgreSQL a
schema for the module and this process, put on the connection's search_path
(dropped first if a crashed run left it behind, dropped again at the end). Runs
are repeatable and never touch anything else in the shared test database.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from dossier import db
from schemas.tables import metadata


def _schema_name(request: pytest.FixtureRequest) -> str:
    """Per module and per process: engineers and CI share the test database."""
    module = re.sub(r"[^a-z0-9]+", "_", request.module.__name__.lower())
    return f"test_{module}"[:48] + f"_{os.getpid()}"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)]
)
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database for this module; nothing migrated yet."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "library.sqlite3"
        url = f"sqlite:///{path}"
        yield url
        db.dispose_engines()
        return

    with postgres_schema(request.getfixturevalue("pg_url"), _schema_name(request)) as url:
        yield url


@contextmanager
def postgres_schema(base_url: str, schema: str) -> Iterator[str]:
    """A URL whose connections work in a fresh schema of the test database (dropped after)."""
    url = db.schema_url(base_url, schema)
    try:
        yield url
    finally:
        db.dispose_engines()
        db.drop_schema(base_url, schema)


@pytest.fixture(scope="module")
def migrated_url(db_url: str) -> str:
    """The module's database at the latest migration."""
    db.upgrade(db_url)
    return db_url


@pytest.fixture
def session(migrated_url: str) -> Iterator[sa.orm.Session]:
    """A session on emptied tables; committed by the test if it wants to."""
    with db.get_engine(migrated_url).begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    factory = db.session_factory(migrated_url)
    with factory() as s:
        yield s
        s.rollback()

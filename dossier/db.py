"""The database engine, sessions and migrations: one code path for SQLite and PostgreSQL.

SQLite is the embedded default; it gets WAL (readers do not block the one
writer) and enforced foreign keys (off by default in SQLite, and the case
card's child rows rely on ON DELETE CASCADE). Migrations are Alembic's, found
in the ``schemas`` package, so no ``alembic.ini`` is needed anywhere.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from dossier.settings import get_settings

MIGRATIONS = "schemas:migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
LOCK_KEY = int.from_bytes(b"dossier", "big")  # pg advisory lock held while migrating

_engines: dict[str, Engine] = {}
_sessionmakers: dict[str, sessionmaker[Session]] = {}
_lock = threading.Lock()


def database_url(url: str | None = None) -> str:
    url = url or get_settings().database_url
    assert url is not None  # resolved by Settings
    return url


def masked_url(url: str | Engine | None = None) -> str:
    """The URL for people and logs: the password never shows."""
    if isinstance(url, Engine):
        return url.url.render_as_string(hide_password=True)
    return sa.make_url(database_url(url)).render_as_string(hide_password=True)


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL for the process (each engine is a connection pool)."""
    url = database_url(url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create_engine(url)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests that drop schemas, forked workers)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _sessionmakers.clear()


def _create_engine(url: str) -> Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith(
        "file:"
    ):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    )

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    return engine


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    url = database_url(url)
    engine = get_engine(url)
    with _lock:
        factory = _sessionmakers.get(url)
        if factory is None:
            # Objects stay readable after commit: stages hand them on.
            factory = sessionmaker(engine, expire_on_commit=False)
            _sessionmakers[url] = factory
        return factory


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A unit of work: committed when the block ends, rolled back if it raises."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def write_transaction(url: str | Engine | None = None) -> Iterator[sa.Connection]:
    """A transaction that may read-then-write safely against concurrent writers.

    On SQLite it holds the database's write lock from its first statement (BEGIN
    IMMEDIATE; the busy timeout makes a second writer wait), so what it read stays
    true until it commits. On PostgreSQL it is a plain transaction: take row locks
    with ``SELECT ... FOR UPDATE`` (``.with_for_update()``) on what it will change.
    """
    engine = url if isinstance(url, Engine) else get_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


# --- migrations ---------------------------------------------------------------------


def schema_url(base_url: str, schema: str, *, fresh: bool = True) -> str:
    """A URL on ``base_url`` whose connections work in ``schema`` (PostgreSQL), made if
    missing and emptied first when ``fresh``: tests and benchmarks keep their tables
    apart from the library's this way."""
    admin = sa.create_engine(base_url, poolclass=sa.pool.NullPool)
    with admin.begin() as connection:
        if fresh:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    admin.dispose()
    return (sa.make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False))


def drop_schema(base_url: str, schema: str) -> None:
    """Drop what :func:`schema_url` made (``base_url`` with or without its search path)."""
    base = sa.make_url(base_url).difference_update_query(["options"])
    admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def alembic_config(url: str | None = None) -> Config:
    """Alembic configured in code: script location in the package, URL from settings."""
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    # ConfigParser interpolation would read '%' in a URL-encoded password.
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


def _lock_for_migration(connection: sa.Connection) -> None:
    """One migration at a time, held until the transaction ends.

    PostgreSQL: an advisory lock. SQLite: BEGIN IMMEDIATE takes the write lock
    up front (the busy timeout makes the next one wait), and makes the DDL
    transactional, which pysqlite's implicit transactions would not.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate to ``revision``; workers starting together on PostgreSQL take turns."""
    with get_engine(url).begin() as connection:
        _lock_for_migration(connection)
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_schema() -> None:
    """Migrate the configured library once per process and database.

    Here, not beside the load stage: every flow run (a fresh process) calls it, and
    most flows need nothing else of the library's code.
    """
    _migrated(get_settings().database_url or "")


@functools.cache
def _migrated(url: str) -> None:
    upgrade(url)  # concurrent workers take turns inside ``upgrade``


def downgrade(url: str | None = None, revision: str = "base") -> None:
    with get_engine(url).begin() as connection:
        _lock_for_migration(connection)
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(url: str | None = None) -> str | None:
    """The revision the database is at; None before the first upgrade."""
    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()

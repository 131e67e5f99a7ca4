"""The database fixtures of tests/db: SQLite and the real PostgreSQL."""

from db.databases import db_url, migrated_url  # noqa: F401 (fixtures)

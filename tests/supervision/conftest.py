from db.databases import db_url, migrated_url, session  # noqa: F401 (fixtures)

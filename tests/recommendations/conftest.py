from db.databases import db_url, migrated_url  # noqa: F401 (fixtures)

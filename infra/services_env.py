"""``data/services.env``: credentials and URLs of the local services.

Written once, with secrets from :mod:`secrets`, and reused ever after: the
PostgreSQL roles and MinIO data made with these secrets outlive any one ``up``.
A key missing from an older file is added; an existing value is never changed.
Other code reads the file (``dossier --env-file data/services.env``, the test
fixtures), so the key names below are a contract.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import dotenv_values

from infra.context import ServiceContext

MINIO_ENDPOINT = "DOSSIER_MINIO_ENDPOINT"
MINIO_ACCESS_KEY = "DOSSIER_MINIO_ACCESS_KEY"
MINIO_SECRET_KEY = "DOSSIER_MINIO_SECRET_KEY"
BUCKET = "DOSSIER_BUCKET"
DATABASE_URL = "DOSSIER_DATABASE_URL"
TEST_DATABASE_URL = "DOSSIER_TEST_DATABASE_URL"
PREFECT_API_URL = "PREFECT_API_URL"
# Least privilege (infra/access.py): each component's own MinIO user, the flows' DB role.
PIPELINE_MINIO_ACCESS_KEY = "DOSSIER_PIPELINE_MINIO_ACCESS_KEY"
PIPELINE_MINIO_SECRET_KEY = "DOSSIER_PIPELINE_MINIO_SECRET_KEY"
WATCHER_MINIO_ACCESS_KEY = "DOSSIER_WATCHER_MINIO_ACCESS_KEY"
WATCHER_MINIO_SECRET_KEY = "DOSSIER_WATCHER_MINIO_SECRET_KEY"
APP_DATABASE_URL = "DOSSIER_APP_DATABASE_URL"
# The HMAC key of ID numbers at rest (dossier/privacy.py): one per stack, shared by every
# machine whose flows hash ID numbers, so that feeds and case cards match.
ID_HASH_KEY = "DOSSIER_ID_HASH_KEY"

DB_ROLE = "dossier"  # owns the databases and runs migrations
APP_DB_ROLE = "dossier_app"  # the flows' role: rows, no DDL
DATABASES = ("dossier", "dossier_test", "prefect")

_HEADER = (
    "# Local development services (written once by `dossier services up`; keep it private).\n"
    "# Use: dossier --env-file data/services.env ...\n"
)


def read_services_env(path: Path) -> dict[str, str]:
    """The key/value pairs of a services.env file (empty when there is none)."""
    if not path.exists():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def postgres_url(
    password: str, host: str, port: int, database: str, driver: str, role: str = DB_ROLE
) -> str:
    return f"postgresql+{driver}://{role}:{password}@{host}:{port}/{database}"


def _generated(ctx: ServiceContext, password: str) -> dict[str, str]:
    host, ports = ctx.host, ctx.ports
    return {
        MINIO_ENDPOINT: f"{host}:{ports.minio_port}",
        MINIO_ACCESS_KEY: "dossier-" + secrets.token_hex(6),
        MINIO_SECRET_KEY: secrets.token_urlsafe(30),
        BUCKET: ctx.bucket,
        DATABASE_URL: postgres_url(password, host, ports.postgres_port, "dossier", "psycopg"),
        TEST_DATABASE_URL: postgres_url(
            password, host, ports.postgres_port, "dossier_test", "psycopg"
        ),
        PREFECT_API_URL: f"http://{host}:{ports.prefect_port}/api",
        PIPELINE_MINIO_ACCESS_KEY: "pipeline-" + secrets.token_hex(6),
        PIPELINE_MINIO_SECRET_KEY: secrets.token_urlsafe(30),
        WATCHER_MINIO_ACCESS_KEY: "watcher-" + secrets.token_hex(6),
        WATCHER_MINIO_SECRET_KEY: secrets.token_urlsafe(30),
        APP_DATABASE_URL: postgres_url(secrets.token_urlsafe(24), host, ports.postgres_port,
                                       "dossier", "psycopg", APP_DB_ROLE),
        ID_HASH_KEY: secrets.token_hex(32),
    }


def ensure_services_env(ctx: ServiceContext) -> dict[str, str]:
    """Read the file, adding any missing key; writes only when something was missing."""
    current = read_services_env(ctx.env_file)
    existing_password = _password_of(current.get(DATABASE_URL))
    wanted = _generated(ctx, existing_password or secrets.token_urlsafe(24))
    missing = {k: v for k, v in wanted.items() if k not in current}
    if missing:
        _write(ctx.env_file, {**current, **missing})
        current = read_services_env(ctx.env_file)
    return current


def _password_of(url: str | None) -> str | None:
    if not url:
        return None
    from sqlalchemy.engine import make_url

    return make_url(url).password


def _write(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = _HEADER + "".join(f"{key}={value}\n" for key, value in values.items())
    tmp = path.with_suffix(".env.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def app_database_password(env: dict[str, str]) -> str | None:
    return _password_of(env.get(APP_DATABASE_URL))


def database_password(env: dict[str, str]) -> str:
    password = _password_of(env.get(DATABASE_URL))
    if not password:
        raise ValueError(f"{DATABASE_URL} in services.env has no password")
    return password

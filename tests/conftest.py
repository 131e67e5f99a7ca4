"""Fixtures for every test.

* Each test runs with a fresh temporary ``DOSSIER_DATA_DIR``, so nothing a test
  does lands in the checkout's ``data/``.
* ``services_env`` gives the credentials of the real local services (started by
  ``dossier services up``; ``./run.sh test`` does that) after checking MinIO
  and PostgreSQL answer. Without them a test is skipped with the command to
  run, or fails outright under ``DOSSIER_REQUIRE_SERVICES=1`` and in CI.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_policy import services_required

# Before anything imports Prefect: no telemetry from tests (the machine is offline anyway).
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
# One ID-number key for the session (dossier/privacy.py): module-scoped fixtures hash with
# it across tests that each have their own data folder, where a key file would differ.
os.environ["DOSSIER_ID_HASH_KEY"] = secrets.token_hex(32)

from dossier.settings import Settings, reset_settings
from infra.health import http_ok, postgres_error
from infra.services_env import (
    BUCKET,
    DATABASE_URL,
    MINIO_ACCESS_KEY,
    MINIO_ENDPOINT,
    MINIO_SECRET_KEY,
    TEST_DATABASE_URL,
    read_services_env,
)

# The real data/ of the checkout, fixed before any test points DOSSIER_DATA_DIR elsewhere.
REAL_SETTINGS = Settings()
REAL_DATA_DIR: Path = REAL_SETTINGS.data_dir
SERVICES_ENV_FILE: Path = REAL_SETTINGS.services_env_file
START_COMMAND = "./run.sh test  (or: .venv/bin/dossier services up)"

# Variables that would silently point a test at the real services instead of its temp dir.
_SERVICE_VARIABLES = (
    MINIO_ENDPOINT,
    MINIO_ACCESS_KEY,
    MINIO_SECRET_KEY,
    BUCKET,
    DATABASE_URL,
    "DOSSIER_STORE_DIR",
)


@pytest.fixture(autouse=True)
def isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A temporary ``DOSSIER_DATA_DIR`` for this test; settings re-read around it."""
    data_dir = tmp_path_factory.mktemp("dossier-data")
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(data_dir))
    for name in _SERVICE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    reset_settings()
    yield data_dir
    reset_settings()


def _service_problems(env: dict[str, str]) -> list[str]:
    if not env:
        return [f"{SERVICES_ENV_FILE} does not exist"]
    absent = [k for k in (MINIO_ENDPOINT, MINIO_ACCESS_KEY, MINIO_SECRET_KEY, TEST_DATABASE_URL)
              if not env.get(k)]  # fmt: skip
    if absent:
        return [f"{SERVICES_ENV_FILE} lacks {', '.join(absent)}"]
    problems = []
    if not http_ok(f"http://{env[MINIO_ENDPOINT]}/minio/health/live"):
        problems.append(f"MinIO at {env[MINIO_ENDPOINT]} is not answering")
    error = postgres_error(env[TEST_DATABASE_URL])
    if error:
        problems.append(f"PostgreSQL (dossier_test) refused: {error}")
    return problems


@pytest.fixture(scope="session")
def services_env() -> dict[str, str]:
    """The keys of the real ``data/services.env``, once MinIO and PostgreSQL answer."""
    env = read_services_env(SERVICES_ENV_FILE)
    problems = _service_problems(env)
    if problems:
        message = "local services unavailable: " + "; ".join(problems)
        if services_required():
            pytest.fail(message + f". Start them with {START_COMMAND}.", pytrace=False)
        pytest.skip(message + f". Start them with: {START_COMMAND}")
    return env


@pytest.fixture(scope="session")
def pg_url(services_env: dict[str, str]) -> str:
    """SQLAlchemy URL (psycopg driver) of the ``dossier_test`` database."""
    return services_env[TEST_DATABASE_URL]


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The checkout's real ``data/`` (where ``services up`` keeps the shared services)."""
    return REAL_DATA_DIR

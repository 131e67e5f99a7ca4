"""Database fixtures of tests/db, and Prefect pointed at the local stack's server.

The flow tests here run their flows in process against the Prefect server that
``dossier services up`` started (no ephemeral server to boot: under load that took
minutes), with the test's own SQLite library and store.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from db.databases import db_url, migrated_url  # noqa: F401 (fixtures)
from service_policy import services_required

from infra.health import http_ok
from infra.services_env import PREFECT_API_URL


@pytest.fixture
def prefect_api(services_env: dict[str, str]) -> Iterator[str]:
    from prefect.settings import PREFECT_API_URL as API_SETTING
    from prefect.settings import temporary_settings

    api = services_env.get(PREFECT_API_URL, "")
    if not api or not http_ok(api.rstrip("/") + "/health"):
        message = f"the Prefect server ({api or 'PREFECT_API_URL unset'}) is not answering"
        if services_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message + "; start it with: .venv/bin/dossier services up")
    with temporary_settings(updates={API_SETTING: api}):
        yield api

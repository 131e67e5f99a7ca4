"""Flows run against Prefect's ephemeral API, one temporary server for the session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Generous: on a loaded 2-core machine the temporary server's first start (its own
# SQLite migrations) has taken over three minutes; on a quiet one it takes seconds.
STARTUP_TIMEOUT_S = 600
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", str(STARTUP_TIMEOUT_S))


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=STARTUP_TIMEOUT_S):
        yield

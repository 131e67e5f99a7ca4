"""run-supervision: the supervision models over the library and the feeds (nightly).

Every model, or those named; leads are kept in the leads table (found again =
the same lead) and under ``leads/runs/<run_id>/``; a table artifact lists per
model the new and existing leads and the time taken.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from tasks.orchestration.supervision import supervise_task


@flow(name="run-supervision", log_prints=False)
def run_supervision(models: list[str] | None = None,
                    as_of: dt.date | None = None) -> dict[str, Any]:
    """All models (or ``models``) as of ``as_of`` (default: today)."""
    return supervise_task(models, as_of)

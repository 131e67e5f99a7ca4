"""follow-up-recommendations: daily, issued 检察建议 past their reply period → overdue.

The reply period is two months from receipt (from the issue date while no receipt is
recorded; see ``tasks.recommendations.dates``). The table artifact lists every
overdue recommendation with its days overdue.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow

from tasks.orchestration.recommendations import follow_up


@flow(name="follow-up-recommendations", log_prints=False)
def follow_up_recommendations(as_of: dt.date | None = None) -> dict[str, object]:
    return follow_up(as_of)

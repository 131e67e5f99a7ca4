"""deliver-recommendations: the outbox to the case-management system, exactly once.

Runs after every issue and on a schedule. While the target database is down the
delivery task retries with exponential backoff (``retries`` attempts after the
first, waiting ``backoff_s`` · 2^n); messages still undelivered stay pending with
their attempts and last error, and the next scheduled run takes them once their
own backoff is due.
"""

from __future__ import annotations

from prefect import flow
from prefect.tasks import exponential_backoff

from tasks.orchestration.recommendations import deliver


@flow(name="deliver-recommendations", log_prints=False)
def deliver_recommendations(
    retries: int = 4,
    backoff_s: float = 10.0,
    include_waiting: bool = False,
) -> dict[str, object]:
    """``include_waiting``: also messages whose next attempt is not due yet."""
    task = deliver.with_options(retries=retries,
                                retry_delay_seconds=exponential_backoff(backoff_s)(retries))
    return task(include_waiting)

"""issue-recommendations: confirmed leads → 检察建议书, written back and delivered.

Drafts every group of confirmed, uncited leads (recipient × model), issues each
draft (number, .docx and .txt in the store, the row, the outbox message, the leads
referred, all in one transaction), then delivers the outbox (the
``deliver-recommendations`` flow as a subflow). A rerun for the same leads writes
nothing.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow

from flows.deliver_recommendations import deliver_recommendations
from tasks.orchestration.recommendations import issue


@flow(name="issue-recommendations", log_prints=False)
def issue_recommendations(
    issued_on: dt.date | None = None,
    draft_only: bool = False,
    deliver_after: bool = True,
) -> dict[str, object]:
    """``issued_on``: the date on the documents (default: today in Asia/Shanghai);
    ``draft_only``: group and draft, leave issuing to a later run."""
    result = issue(issued_on, draft_only)
    if deliver_after and result["issued"]:
        result["delivery"] = deliver_recommendations()
    return result

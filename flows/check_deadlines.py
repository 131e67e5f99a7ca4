"""check-deadlines: daily, the cases near or past a procedural deadline (流程监控).

Every case's periods (审查逮捕, 审查起诉, 退回补充侦查; ``tasks.case_management.deadlines``)
as of today; those due within ``within`` days or past go to a table artifact and, per
handling department, to a notice (the ``case_notifications`` outbox and
``notices/deadlines/<date>/<部门>.md``; ``dossier notices`` reads them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from tasks.orchestration.case_management import check_deadlines as check


@flow(name="check-deadlines", log_prints=False)
def check_deadlines(as_of: dt.date | None = None, within: int = 3) -> dict[str, Any]:
    return check(as_of, within)

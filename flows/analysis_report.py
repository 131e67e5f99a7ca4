"""analysis-report: weekly, the analysis report (数据研判) in the object store.

A self-contained HTML page (charts by Altair/Vega-Lite, the JavaScript inlined) and
its figures as JSON under ``reports/case-management/<date>.html|.json``, linked from
the run's artifacts. Aggregates only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from tasks.orchestration.case_management import analysis_report as build


@flow(name="analysis-report", log_prints=False)
def analysis_report(as_of: dt.date | None = None) -> dict[str, Any]:
    return build(as_of)

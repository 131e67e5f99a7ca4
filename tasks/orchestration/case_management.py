"""Case management as Prefect tasks: the work is in ``tasks.case_management``; these add
retries, the UI's artifacts and the notices.

Artifacts carry what a manager reads in the UI: the pressing deadlines (case numbers
and masked names only), the month's scores with their deductions, and a link to the
analysis report in the store with its headline numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from dossier.db import ensure_schema, get_engine
from dossier.store import get_store
from tasks.case_management import evaluation, figures, monitor, notices, report
from tasks.recommendations.dates import local_today

REPORT_LINK_SECONDS = 7 * 24 * 3600  # a presigned MinIO link lives at most 7 days


def _engine():
    ensure_schema()
    return get_engine()


@task(name="check-deadlines", retries=2, retry_delay_seconds=10)
def check_deadlines(as_of: dt.date | None, within: int) -> dict[str, Any]:
    """Every case's periods; the pressing ones as a table and as one notice per department."""
    as_of = as_of or local_today()
    engine, store = _engine(), get_store()
    result = monitor.compute_deadlines(engine, store, as_of, within)
    pressing = result.pressing()
    sent = notices.send_notices(engine, store, as_of, pressing, within)
    create_table_artifact(
        table=[notices.row(p) for p in pressing], key="deadlines",
        description=f"办案期限 due within {within} days or past, as of {as_of.isoformat()}: "
                    f"{len(pressing)} of {len(result.periods)} periods in {result.cases} cases; "
                    f"notices to {len(sent)} department(s)")
    get_run_logger().info("deadlines as of %s: %d pressing of %d periods; %d notices", as_of,
                          len(pressing), len(result.periods), len(sent))
    return {"as_of": as_of.isoformat(), "cases": result.cases, "periods": len(result.periods),
            "pressing": len(pressing), "counts": result.counts(),
            "notices": [s.model_dump() for s in sent]}


def _evaluation_markdown(result: evaluation.MonthEvaluation) -> str:
    lines = [f"# 质量评查 {result.month}", "",
             f"{len(result.cases)} cases, mean score {result.mean_score()}, grades "
             f"{result.grades()} (rubric v{result.rubric_version})", ""]
    for case in result.cases:
        if case.deductions:
            lines.append(f"**{case.case_no or case.dossier_id}** {case.score:g} {case.grade}")
            lines += [f"- −{d.points:g} {d.reason}" for d in case.deductions]
            lines.append("")
    return "\n".join(lines)


@task(name="evaluate-quality", retries=1, retry_delay_seconds=10)
def evaluate_quality(month: str | None, as_of: dt.date | None) -> dict[str, Any]:
    """Score the month's closed cases (default: last month) and keep the scores."""
    as_of = as_of or local_today()
    month = month or evaluation.previous_month(as_of)
    result = evaluation.evaluate_month(_engine(), get_store(), month, as_of=as_of)
    create_table_artifact(
        table=[{"case": c.case_no or c.dossier_id, "department": c.department,
                "closed": c.closed.isoformat(), "score": c.score, "grade": c.grade,
                "deductions": len(c.deductions)} for c in result.cases],
        key="quality-evaluation", description=f"质量评查 of the cases closed in {month}")
    create_markdown_artifact(markdown=_evaluation_markdown(result), key="quality-deductions",
                             description=f"Every deduction of {month} with its reason")
    get_run_logger().info("quality %s: %d cases, mean %s", month, len(result.cases),
                          result.mean_score())
    return {"month": month, "cases": len(result.cases), "mean_score": result.mean_score(),
            "grades": result.grades()}


def _report_markdown(f: figures.Figures, keys: dict[str, str], link: str) -> str:
    totals = "、".join(f"{report.TOTALS_ZH.get(k, k)} {v}" for k, v in f.totals.items())
    return "\n".join([
        f"# 案件管理数据研判 {f.as_of.isoformat()}", "",
        f"[Open the report]({link}) (self-contained HTML; opens offline)", "",
        f"- HTML: `{keys['html']}`", f"- figures as JSON: `{keys['json']}`", "",
        f"截至 {f.as_of.isoformat()}：{totals}。", "",
        "Aggregates only: no names, ID numbers or case numbers."])


@task(name="analysis-report", retries=1, retry_delay_seconds=10)
def analysis_report(as_of: dt.date | None) -> dict[str, Any]:
    """Figures → HTML page and JSON in the store under the day's keys → a linked artifact."""
    as_of = as_of or local_today()
    store = get_store()
    data = figures.build_figures(_engine(), store, as_of)
    keys = report.store_report(store, data, report.render_html(data))
    link = store.url(keys["html"], expires_s=REPORT_LINK_SECONDS)
    create_link_artifact(link=link, link_text=f"案件管理数据研判 {as_of.isoformat()}",
                         key="analysis-report",
                         description=f"The analysis report in the store: {keys['html']}")
    create_markdown_artifact(markdown=_report_markdown(data, keys, link),
                             key="analysis-report-summary",
                             description="The analysis report: where it is, what it counts")
    get_run_logger().info("analysis report %s: %s", keys["html"], data.totals)
    return {"as_of": as_of.isoformat(), "keys": keys, "totals": data.totals}

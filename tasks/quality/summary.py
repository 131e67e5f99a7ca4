"""The reviewer's view of a :class:`QualityReport`: a markdown summary and table rows.

Both are built from the report alone (masked examples only), so they are safe to
publish as Prefect artifacts.
"""

from __future__ import annotations

from tasks.quality.report import ExpectationFailure, QualityReport

__all__ = ["failures_table", "report_markdown"]

_VERDICT = {
    "pass": "通过 PASS",
    "warn": "有警告 WARN (loads with flags)",
    "fail": "未通过 FAIL (held for review)",
}
_SEVERITY = {"critical": "严重 critical", "warning": "警告 warning"}


def _cell(value: object) -> str:
    """Markdown table cells: no pipes or line breaks from the data."""
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def _found(failure: ExpectationFailure) -> str:
    if failure.error:
        return f"error: {failure.error}"
    if failure.unexpected_count is not None:
        return f"{failure.unexpected_count}/{failure.element_count}"
    if failure.observed_value is not None:
        return f"observed {failure.observed_value}"
    return ""


def failures_table(report: QualityReport) -> list[dict]:
    """One row per failed expectation, critical first (rows for a table artifact)."""
    ordered = sorted(report.failures, key=lambda f: (f.severity != "critical", f.suite, f.check))
    return [
        {
            "severity": f.severity,
            "suite": f.suite,
            "check": f.check,
            "column": f.column or "",
            "explanation": f"{f.explanation_zh} {f.explanation_en}".strip(),
            "found": _found(f),
            "examples": "; ".join(f.examples),
        }
        for f in ordered
    ]


def report_markdown(report: QualityReport) -> str:
    """The summary artifact: verdict first, then per-suite counts and the failures."""
    critical, warnings = len(report.critical_failures), len(report.warnings)
    lines = [
        f"# 质量校验 Quality gates — dossier `{report.dossier_id}`",
        "",
        f"**结论 Verdict: {_VERDICT[report.verdict]}** — "
        f"{critical} critical, {warnings} warning failure(s).",
        "",
        "| 套件 Suite | 期望 Expectations | 通过 Passed | 结果 Result |",
        "|---|---|---|---|",
    ]
    for suite in report.suites:
        lines.append(
            f"| {suite.suite} | {suite.evaluated} | {suite.successful} | "
            f"{'ok' if suite.success else 'failed'} |"
        )
    stats = report.page_stats
    if stats is not None:
        share = "n/a" if stats.text_layer_share is None else f"{stats.text_layer_share:.0%}"
        lines += [
            "",
            f"Pages: {stats.page_count} ({stats.text_layer_pages} text layer, "
            f"{stats.ocr_pages} OCR, text-layer share {share}; {stats.blank_pages} blank, "
            f"{stats.failed_pages} failed).",
        ]
    rows = failures_table(report)
    if rows:
        lines += [
            "",
            "## 未通过的检查 Failed checks",
            "",
            "| 严重性 Severity | 检查 Check | 列 Column | 说明 Explanation | 发现 Found "
            "| 例 Examples |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows:
            lines.append(
                f"| {_SEVERITY[row['severity']]} | {_cell(row['check'])} "
                f"| {_cell(row['column'])} | {_cell(row['explanation'])} "
                f"| {_cell(row['found'])} | {_cell(row['examples'])} |"
            )
    return "\n".join(lines) + "\n"

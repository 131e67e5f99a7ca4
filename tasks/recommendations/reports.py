"""What operators read in the Prefect UI: tables and markdown of reviews, issues,
deliveries and overdue replies. Leads appear as their masked views; recommendations
by number and recipient (an agency, not a person)."""

from __future__ import annotations

from collections.abc import Sequence

from tasks.lead_review.decisions import DecisionResult
from tasks.lead_review.leads import LeadView
from tasks.recommendations.delivery import DeliveryReport
from tasks.recommendations.follow_up import RecommendationView
from tasks.recommendations.issue import IssueReport

MAX_CELL = 160


def _cell(text: str | None) -> str:
    text = (text or "—").replace("|", "｜").replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1] + "…"


def review_rows(views: Sequence[LeadView]) -> list[dict[str, object]]:
    return [{"lead": v.id, "version": v.version, "model": v.model_name, "severity": v.severity,
             "case": v.case_no or ", ".join(v.records[:2]), "agency": v.agency or "—",
             "explanation": _cell(v.explanation)} for v in views]


def review_markdown(views: Sequence[LeadView]) -> str:
    """The form's description: what each field decides."""
    lines = [f"# 线索审查 · {len(views)} pending leads", "",
             "For each lead choose **confirm** (确认), **dismiss** (排除) or leave **later** "
             "(暂不决定); give your name and a note (why). A lead that changed since this "
             "form was made is not decided on its old version.", "",
             "| lead | v | model | severity | case | explanation |", "|---|---|---|---|---|---|"]
    lines += [f"| {v.id} | {v.version} | {v.model_name} | {v.severity} | "
              f"{_cell(v.case_no or ', '.join(v.records[:2]))} | {_cell(v.explanation)} |"
              for v in views]
    return "\n".join(lines) + "\n"


def outcome_markdown(results: Sequence[DecisionResult], reviewer: str | None,
                     undecided: int) -> str:
    counts: dict[str, int] = {}
    for r in results:
        key = r.status if r.outcome == "decided" else r.outcome
        counts[key or r.outcome] = counts.get(key or r.outcome, 0) + 1
    lines = ["# 审查结果 review outcome", "",
             f"reviewer: {reviewer or '—'} · " + " · ".join(f"{k} {v}" for k, v in
                                                           sorted(counts.items()))
             + f" · later {undecided}"]
    if results:
        lines += ["", "| lead | decision | outcome | version | status | message |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {r.lead_id} | {r.decision} | {r.outcome} | {r.version or '—'} | "
                  f"{r.status or '—'} | {_cell(r.message)} |" for r in results]
    return "\n".join(lines) + "\n"


def issue_markdown(report: IssueReport) -> str:
    lines = ["# 检察建议 issued", "",
             f"drafted {len(report.drafted)} · issued {len(report.issued)} · withdrawn "
             f"{len(report.withdrawn)} · issued by another run {report.contended}"]
    if report.issued:
        lines += ["", "| number | recipient | model | cases | reply due | document |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {i.number} | {i.recipient} | {i.model_id} | {i.lead_count} | "
                  f"{i.reply_due_date.isoformat()} | {i.docx_key} |" for i in report.issued]
    return "\n".join(lines) + "\n"


def delivery_markdown(report: DeliveryReport, target: str | None) -> str:
    lines = ["# deliver-recommendations", "",
             f"target: {target or 'not configured (DOSSIER_RECOMMENDATION_TARGET_URL)'}",
             f"delivered {len(report.delivered)} · already there {len(report.already_there)} · "
             f"pending {report.pending}"]
    if report.error:
        lines.append(f"last error: {_cell(report.error)}")
    if report.delivered:
        lines += ["", *(f"- {n}" for n in report.delivered)]
    return "\n".join(lines) + "\n"


def overdue_rows(views: Sequence[RecommendationView]) -> list[dict[str, object]]:
    return [{"number": v.number, "recipient": v.recipient, "model": v.model_id,
             "issued": str(v.issued_date), "received": str(v.received_date or "—"),
             "reply due": str(v.reply_due_date), "days overdue": v.days_overdue}
            for v in views]

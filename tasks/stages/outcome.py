"""What one ingest run concluded, for the command line, the index and the operators.

Only masked names leave this module: the outcome is printed, logged and shown
in the Prefect UI.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dossier.privacy import mask_name
from schemas.case_card import CaseCard
from tasks.quality.report import QualityReport

OutcomeStatus = Literal["ok", "needs_review", "rejected"]
STAGES = ("retrieve", "ocr", "structure", "validate", "load")
Stage = Literal["retrieve", "ocr", "structure", "validate", "load"]


class DefendantLine(BaseModel):
    name_masked: str
    charges: list[str] = Field(default_factory=list)
    sentence: str | None = None


class DossierOutcome(BaseModel):
    upload: str
    dossier_id: str | None = None
    status: OutcomeStatus
    reason: str | None = None
    duplicate: bool = False
    page_count: int | None = None
    pages_failed: list[int] = Field(default_factory=list)
    pages_blank: list[int] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list)
    defendants: list[DefendantLine] = Field(default_factory=list)
    charges: list[str] = Field(default_factory=list)
    quality_verdict: str | None = None
    links: dict[str, str] = Field(default_factory=dict)
    flow_run_id: str | None = None


def sentence_text(penalty: str | None, months: int | None, probation: int | None,
                  fine: float | None) -> str | None:
    parts = []
    if penalty:
        parts.append(penalty + (f" {months} 个月" if months else ""))
    if probation:
        parts.append(f"缓刑 {probation} 个月")
    if fine:
        parts.append(f"罚金 {fine:,.0f} 元")
    return "，".join(parts) or None


def defendant_lines(card: CaseCard) -> list[DefendantLine]:
    lines = []
    sentences = {s.person: s for s in card.case.sentences}
    for person in card.case.persons:
        if person.role != "被告人":
            continue
        s = sentences.get(person.name)
        lines.append(DefendantLine(
            name_masked=mask_name(person.name),
            charges=list(s.charges) if s else [],
            sentence=sentence_text(s.penalty, s.months, s.probation_months, s.fine_yuan)
            if s else None,
        ))
    return lines


def summary_markdown(
    outcome: DossierOutcome, card: CaseCard | None, report: QualityReport | None
) -> str:
    """The run's closing summary for the Prefect UI (masked names only)."""
    verdict = {"ok": "✅ 入库 ok", "needs_review": "⚠️ 待复核 needs review",
               "rejected": "⛔ 隔离 rejected"}[outcome.status]
    lines = [f"# 卷宗 dossier `{outcome.dossier_id or '—'}`", "", f"**{verdict}**"]
    if outcome.reason:
        lines += ["", f"Reason: {outcome.reason}"]
    lines += ["", f"- pages: {outcome.page_count or 0}"
              f" (blank {len(outcome.pages_blank)}, failed {len(outcome.pages_failed)})"]
    if outcome.pages_failed:
        lines.append(f"- failed pages: {', '.join(map(str, outcome.pages_failed))}")
    if outcome.documents:
        lines.append(f"- documents: {'、'.join(outcome.documents)}")
    if card is not None:
        c = card.case
        lines.append(f"- case number: {c.case_no or '—'}; court: {c.court or '—'}")
        lines.append(f"- charges: {'、'.join(c.charges) or '—'}")
    if outcome.defendants:
        lines += ["", "| defendant | charges | sentence |", "|---|---|---|"]
        lines += [f"| {d.name_masked} | {'、'.join(d.charges) or '—'} | {d.sentence or '—'} |"
                  for d in outcome.defendants]
    if report is not None:
        lines += ["", f"Quality: **{report.verdict}** — {len(report.critical_failures)} critical, "
                  f"{len(report.warnings)} warnings"]
    if outcome.links:
        lines += ["", "Outputs:"] + [f"- [{k}]({v})" for k, v in outcome.links.items()]
    return "\n".join(lines) + "\n"

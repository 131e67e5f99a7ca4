"""What one ingest run concluded, for the command line, the index and the operators.

Only masked names leave this module: the outcome is printed, logged and shown
in the Prefect UI.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from dossier.privacy import mask_name
from dossier.store.base import ObjectStore
from schemas.case_card import CaseCard
from tasks.lineage import load_manifest
from tasks.quality.report import QualityReport
from tasks.stages.contract import StageRun
from tasks.stages.stored import load_card, load_documents, load_report, page_statuses

# ``stopped``: the run ended early as asked (``--until``); the next run goes on from there.
OutcomeStatus = Literal["ok", "needs_review", "rejected", "stopped"]


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
    resumed: bool = False
    page_count: int | None = None
    pages_failed: list[int] = Field(default_factory=list)
    pages_blank: list[int] = Field(default_factory=list)
    pages_read: int | None = Field(None, description="Page tasks this run started (OCR).")
    stages: dict[str, str] = Field(
        default_factory=dict, description="Stage -> 'ran (why)' or 'skipped (why)'.")
    documents: list[str] = Field(default_factory=list)
    defendants: list[DefendantLine] = Field(default_factory=list)
    charges: list[str] = Field(default_factory=list)
    quality_verdict: str | None = None
    links: dict[str, str] = Field(default_factory=dict)
    flow_run_id: str | None = None

    def note_stage(self, run: StageRun) -> None:
        self.stages[run.stage] = f"{run.action} ({run.reason})"

    @property
    def skipped(self) -> list[str]:
        return [name for name, what in self.stages.items() if what.startswith("skipped")]


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


def fill_from_store(
    store: ObjectStore, outcome: DossierOutcome
) -> tuple[CaseCard | None, QualityReport | None]:
    """The outcome's pages, documents, defendants and verdict, read from the dossier's
    stored outputs (the flow passes ids, so this is where they come together). Only
    outputs of stages the manifest records count (a failed stage leaves no record)."""
    manifest = load_manifest(store, outcome.dossier_id) if outcome.dossier_id else None
    if manifest is None or not outcome.page_count:
        return None, None
    dossier_id = manifest.dossier_id
    statuses = page_statuses(store, dossier_id, outcome.page_count)
    outcome.pages_failed = [p for p, s in statuses.items() if s == "failed"]
    outcome.pages_blank = [p for p, s in statuses.items() if s == "blank"]
    card = load_card(store, dossier_id) if "structure" in manifest.stages else None
    report = load_report(store, dossier_id) if "validate" in manifest.stages else None
    if card is not None:
        documents = load_documents(store, dossier_id) or card.documents
        outcome.documents = [d.type for d in documents]
        outcome.defendants = defendant_lines(card)
        outcome.charges = list(card.case.charges)
    if report is not None:
        outcome.quality_verdict = report.verdict
    return card, report


def summary_markdown(
    outcome: DossierOutcome, card: CaseCard | None, report: QualityReport | None
) -> str:
    """The run's closing summary for the Prefect UI (masked names only)."""
    verdict = {"ok": "✅ 入库 ok", "needs_review": "⚠️ 待复核 needs review",
               "rejected": "⛔ 隔离 rejected", "stopped": "⏸️ 暂停 stopped early"}[outcome.status]
    lines = [f"# 卷宗 dossier `{outcome.dossier_id or '—'}`", "", f"**{verdict}**"]
    if outcome.duplicate:
        lines.append("(already ingested: outputs from the store, nothing run again)")
    if outcome.reason:
        lines += ["", f"Reason: {outcome.reason}"]
    lines += ["", f"- pages: {outcome.page_count or 0}"
              f" (blank {len(outcome.pages_blank)}, failed {len(outcome.pages_failed)})"
              + (f"; read in this run: {outcome.pages_read}" if outcome.pages_read is not None
                 else "")]
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
    if outcome.stages:
        skipped = outcome.skipped
        lines += ["", "Stages" + (f" (skipped: {', '.join(skipped)})" if skipped else "") + ":",
                  "", "| stage | this run |", "|---|---|"]
        lines += [f"| {name} | {what} |" for name, what in outcome.stages.items()]
    if outcome.links:
        lines += ["", "Outputs:"] + [f"- [{k}]({v})" for k, v in outcome.links.items()]
    return "\n".join(lines) + "\n"

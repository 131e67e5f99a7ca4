"""Reprocess (重新处理): run stages again on a dossier's stored outputs, no upload needed.

When the extraction code improves, the case cards and the library are rebuilt from
the stored OCR: ``--from structure`` reruns structuring, and every later stage
runs through the same contract as in ingest (``run_stage``) — validation and load
run again where their inputs changed, so a dossier whose card did not change keeps
its rows as they were, and one whose card changed has its rows replaced; no other
dossier's rows are touched. ``--if-older`` picks the dossiers whose recorded code
version of the from-stage differs from the current code's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel, Field

from dossier.store.base import ObjectStore
from schemas.case_card import CaseCard
from tasks.lineage import load_manifest
from tasks.stages.chain import get_stage, reprocessable_names, stages_from
from tasks.stages.contract import StageRun, run_stage, stale
from tasks.stages.stored import load_card

MANIFESTS = "manifests/"
# The case card's fields people compare, in the card's order; ``documents`` is the split.
CARD_FIELDS: tuple[str, ...] = (
    "case_no", "court", "procuratorate", "indictment_no", "charges", "statutes", "persons",
    "coercive_measures", "sentences", "circumstances", "amounts_yuan", "judgment_date",
    "documents",
)


class Selection(BaseModel):
    """The dossiers a reprocess will run, and those it passed over with why."""

    from_stage: str
    selected: list[str] = Field(default_factory=list)
    passed: dict[str, str] = Field(default_factory=dict)


class DossierReprocess(BaseModel):
    """One dossier's reprocess: what each stage did and which card fields changed."""

    dossier_id: str
    stages: dict[str, str] = Field(default_factory=dict)
    changed_fields: list[str] = Field(default_factory=list)
    status_before: str | None = None
    status_after: str | None = None
    error: str | None = None

    @property
    def card_changed(self) -> bool:
        return bool(self.changed_fields)

    def line(self) -> str:
        """One line for progress output (ids and field names only: no personal data)."""
        if self.error:
            return f"{self.dossier_id}: failed ({self.error})"
        ran = [name for name, what in self.stages.items() if what.startswith("ran")]
        changed = ", ".join(self.changed_fields) or "no field"
        status = (f"; status {self.status_before} -> {self.status_after}"
                  if self.status_before != self.status_after else "")
        return f"{self.dossier_id}: ran {', '.join(ran) or 'nothing'}; changed {changed}{status}"


class ReprocessSummary(BaseModel):
    from_stage: str
    selection: Selection
    dossiers: list[DossierReprocess] = Field(default_factory=list)

    @property
    def failed(self) -> list[DossierReprocess]:
        return [d for d in self.dossiers if d.error]

    def field_counts(self) -> dict[str, int]:
        """Per card field, how many cards changed it (every field listed, zeros too)."""
        counts = Counter(f for d in self.dossiers for f in d.changed_fields)
        return {name: counts.get(name, 0) for name in CARD_FIELDS}

    def cards_changed(self) -> int:
        return sum(d.card_changed for d in self.dossiers)


def check_from_stage(from_stage: str) -> str:
    allowed = reprocessable_names()
    if from_stage not in allowed:
        raise ValueError(f"--from takes {', '.join(allowed)}; got {from_stage!r}")
    return from_stage


def all_dossier_ids(store: ObjectStore) -> list[str]:
    return [info.key[len(MANIFESTS):-len(".json")] for info in store.list(MANIFESTS)
            if info.key.endswith(".json")]


def select_dossiers(
    store: ObjectStore, dossier_ids: Sequence[str] | None, all_dossiers: bool,
    from_stage: str, if_older: bool = False,
) -> Selection:
    """Finished, not rejected dossiers among those named (or all); with ``if_older`` only
    those whose record of ``from_stage`` was made by other code than the current."""
    stage = get_stage(check_from_stage(from_stage))
    if bool(dossier_ids) == all_dossiers:
        raise ValueError("name dossier ids, or ask for all of them, not both")
    selection = Selection(from_stage=from_stage)
    for dossier_id in (all_dossier_ids(store) if all_dossiers else list(dossier_ids or ())):
        manifest = load_manifest(store, dossier_id)
        if manifest is None:
            selection.passed[dossier_id] = "no such dossier"
        elif manifest.status == "rejected":
            selection.passed[dossier_id] = "rejected at intake"
        elif not manifest.is_finished:
            selection.passed[dossier_id] = "not finished: ingest it (its next run goes on)"
        elif if_older and not stale(manifest, stage):
            selection.passed[dossier_id] = f"{from_stage} is current"
        else:
            selection.selected.append(dossier_id)
    return selection


def changed_fields(before: CaseCard | None, after: CaseCard | None) -> list[str]:
    """The card fields whose value differs (every field when one side has no card)."""
    if before is None and after is None:
        return []
    if before is None or after is None:
        return list(CARD_FIELDS)
    old = before.case.model_dump(mode="json") | {"documents": before.model_dump(
        mode="json")["documents"]}
    new = after.case.model_dump(mode="json") | {"documents": after.model_dump(
        mode="json")["documents"]}
    return [name for name in CARD_FIELDS if old.get(name) != new.get(name)]


def reprocess_dossier(
    store: ObjectStore, dossier_id: str, from_stage: str, *, flow_run_id: str | None = None,
    task_run_id: str | None = None,
) -> DossierReprocess:
    """Run ``from_stage`` (forced) and every stage after it (by the contract) on the stored
    outputs; the same stage functions and records as ingest."""
    manifest = load_manifest(store, dossier_id)
    if manifest is None:
        raise LookupError(f"dossier {dossier_id} has no manifest")
    result = DossierReprocess(dossier_id=dossier_id, status_before=manifest.status)
    before = load_card(store, dossier_id) if "structure" in manifest.stages else None
    for number, stage in enumerate(stages_from(check_from_stage(from_stage))):
        run: StageRun = run_stage(store, dossier_id, stage, force=number == 0,
                                  flow_run_id=flow_run_id, task_run_id=task_run_id)
        result.stages[stage.name] = f"{run.action} ({run.reason})"
    after = load_card(store, dossier_id)
    result.changed_fields = changed_fields(before, after)
    final = load_manifest(store, dossier_id)
    result.status_after = final.status if final else None
    return result


def summary_markdown(summary: ReprocessSummary) -> str:
    """What changed, for the Prefect UI: per field how many cards, then per dossier."""
    counts = summary.field_counts()
    lines = [f"# reprocess from `{summary.from_stage}`", "",
             f"dossiers {len(summary.dossiers)} · cards changed {summary.cards_changed()} · "
             f"failed {len(summary.failed)} · passed over {len(summary.selection.passed)}", "",
             "| field | cards changed |", "|---|---|"]
    lines += [f"| {name} | {count} |" for name, count in counts.items()]
    if summary.dossiers:
        lines += ["", "| dossier | stages | changed fields | status |", "|---|---|---|---|"]
        for d in summary.dossiers:
            ran = ", ".join(n for n, w in d.stages.items() if w.startswith("ran")) or "—"
            status = d.error or (f"{d.status_before} → {d.status_after}"
                                 if d.status_before != d.status_after else d.status_after)
            lines.append(f"| {d.dossier_id} | {ran} | {', '.join(d.changed_fields) or '—'} | "
                         f"{status} |")
    if summary.selection.passed:
        lines += ["", "Passed over:"]
        lines += [f"- {i}: {why}" for i, why in sorted(summary.selection.passed.items())]
    return "\n".join(lines) + "\n"

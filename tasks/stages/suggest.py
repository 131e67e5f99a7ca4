"""Suggest stage: a loaded case's 10 most similar library cases and its sentencing
suggestion, kept as ``suggestions/<dossier_id>.json``.

Reads ``nlp/<id>/case.json`` (its own sentences ignored) and ``nlp/<id>/documents.json``
from the store and the library from the database; brings the similar-case index up to
date with this case first (so the next case finds it). Names in the output are masked.
"""

from __future__ import annotations

from typing import Any

from dossier.db import session_scope
from dossier.settings import Settings
from dossier.store.base import ObjectStore
from dossier.store.keys import case_card_key, documents_key, suggestions_key
from schemas.case_card import CaseCard
from tasks.stages.contract import Stage, StageContext, StageResult

SCHEMA_VERSION = "1"


def suggest_dossier(
    store: ObjectStore, dossier_id: str, settings: Settings | None = None
) -> dict[str, Any]:
    """Write ``suggestions/<dossier_id>.json`` and return it."""
    from dossier.db import ensure_schema
    from tasks.library import similar_index
    from tasks.sentencing import advise

    card = CaseCard.model_validate(store.get_json(case_card_key(dossier_id)))
    ensure_schema()
    with session_scope(settings.database_url if settings else None) as session:
        similar_index.update(store, session, [dossier_id])
        hits, suggestions = advise.for_card(session, store, card.case, dossier_id=dossier_id)
    payload = {
        "schema_version": SCHEMA_VERSION,
        "dossier_id": dossier_id,
        "similar": [h.as_dict() for h in hits],
        "suggestions": [s.as_dict() for s in suggestions],
    }
    store.put_json(suggestions_key(dossier_id), payload)
    return payload


def suggestions_markdown(payload: dict[str, Any]) -> str:
    """The Prefect artifact: the suggestion's headline per defendant and the similar cases."""
    lines = [f"## 量刑建议与类案 {payload['dossier_id']}", ""]
    for s in payload["suggestions"]:
        lines.append(f"- {s['explanation'].splitlines()[0]}")
    if not payload["suggestions"]:
        lines.append("- 无量刑建议（罪名未收录或无类案）")
    lines += ["", "| # | 案号 | 法院 | 日期 | 罪名 | 判处 | 相似度 |",
              "|---|---|---|---|---|---|---|"]
    for n, h in enumerate(payload["similar"], 1):
        outcome = "；".join(
            f"{o['person']} {o['penalty'] or ''}{o['months'] or ''}"
            f"{'个月' if o['months'] else ''}" for o in h["outcomes"]) or "—"
        charges = "、".join(h["charges_written"] or h["charges"]) or "—"
        lines.append(f"| {n} | {h['case_no'] or '—'} | {h['court'] or '—'} | "
                     f"{h['judgment_date'] or '—'} | {charges} | {outcome} | {h['score']:.3f} |")
    return "\n".join(lines) + "\n"


def suggest_by_id(ctx: StageContext) -> StageResult:
    payload = suggest_dossier(ctx.store, ctx.dossier_id, ctx.settings)
    return StageResult(note=f"{len(payload['similar'])} similar cases, "
                            f"{len(payload['suggestions'])} suggestions")


def artifact(store: ObjectStore, dossier_id: str) -> str | None:
    payload = store.get_json(suggestions_key(dossier_id))
    return suggestions_markdown(payload) if isinstance(payload, dict) else None


STAGE = Stage(
    name="suggest",
    description="similar cases (类案推送) and the sentencing suggestion (量刑建议) → suggestions/",
    # tasks.nlp.extract.fields: the test of a court's finding the further circumstances use
    code=("tasks.stages.suggest", "tasks.sentencing", "tasks.library", "schemas.case_card",
          "schemas.library_tables", "tasks.nlp.extract.fields"),
    libraries=("bm25s", "jieba", "sqlalchemy"),
    inputs=lambda ctx: [case_card_key(ctx.dossier_id), documents_key(ctx.dossier_id)],
    outputs=lambda ctx: [suggestions_key(ctx.dossier_id)],
    run=suggest_by_id,
    artifact=artifact,
)

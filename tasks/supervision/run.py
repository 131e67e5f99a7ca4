"""A supervision run over the database: all (or chosen) models, leads kept, a summary.

The case-card models run twice, over the judgments feed and over the library's
trusted case cards (flattened into ``supervision_card_sentences`` first), with
the same rule; ``sentence_deviation`` compares each sentence with both together.
Each model's findings are stored in the leads table (found again = same lead)
and, given a store, written to ``leads/runs/<run_id>/<model_id>.json`` in the
FEEDS.md "Leads as JSON" format.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore
from dossier.store.keys import leads_key
from schemas.feeds_tables import FeedJudgment, FeedPoliceCase
from schemas.leads_tables import SupervisionRun
from tasks.feeds.load import official_charge
from tasks.supervision.cards import card_source, library_cards, load_card_rows
from tasks.supervision.findings import Finding, execute
from tasks.supervision.law_tables import statutory_thresholds
from tasks.supervision.leads import record_findings
from tasks.supervision.registry import JudgmentSource, RuleContext, get_models


def thresholds(settings: Settings | None = None) -> dict[str, float]:
    """The statutory table, overridden per deployment by ``supervision_thresholds``."""
    settings = settings or get_settings()
    merged = dict(statutory_thresholds())
    merged.update({official_charge(k): float(v)
                   for k, v in settings.supervision_thresholds.items()})
    return merged


def feed_source() -> JudgmentSource:
    """The judgments feed; a judgment's amount is its person's police cases of that offence."""
    t = FeedJudgment.__table__
    p = FeedPoliceCase.__table__
    amount = (sa.select(sa.func.max(p.c.amount_yuan))
              .where(p.c.person_key == t.c.person_key, p.c.offence == t.c.charge)
              .scalar_subquery())
    return JudgmentSource(table=t, record_feed="judgments", record_column="judgment_id",
                          cites=lambda article: t.c.article == article,
                          single_charge=sa.true(), amount=amount)


def leads_document(as_of: dt.date, findings: Iterable[Finding]) -> dict[str, Any]:
    """FEEDS.md, "Leads as JSON"."""
    return {"as_of": as_of.isoformat(),
            "leads": [f.model_dump(mode="json") for f in findings]}


def new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def supervise_database(
    engine: sa.Engine,
    model_ids: Iterable[str] | None = None,
    as_of: dt.date | None = None,
    *,
    store: ObjectStore | None = None,
    run_id: str | None = None,
    flow_run_id: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Run the models; returns ``{"run_id", "as_of", "models": [...], "findings": {...}}``."""
    from tasks.supervision.models.sentencing import sentencing_population

    as_of = as_of or dt.date.today()
    run_id = run_id or new_run_id()
    models = get_models(model_ids)
    started_at = dt.datetime.now(dt.UTC)
    summary: list[dict[str, Any]] = []
    findings_by_model: dict[str, list[Finding]] = {}
    with engine.begin() as connection:
        cards = card_source()
        if any(m.on_cards for m in models):
            load_card_rows(connection, library_cards(connection))
        feeds = feed_source()
        population = sa.union_all(
            sentencing_population(feeds, feeds.amount),
            sentencing_population(cards, cards.amount),
        ).subquery("population")
        limits = thresholds(settings)
        for model in models:
            began = time.perf_counter()
            sources = (feeds, cards) if model.on_cards else (None,)
            findings: list[Finding] = []
            for src in sources:
                ctx = RuleContext(as_of=as_of, thresholds=limits, judgments=src,
                                  population=population)
                findings += execute(connection, model, ctx)
            new, existing = record_findings(connection, findings, run_id, as_of)
            findings_by_model[model.id] = findings
            summary.append({"model": model.id, "name_zh": model.name_zh,
                            "version": model.version, "leads": len(findings), "new": new,
                            "existing": existing,
                            "seconds": round(time.perf_counter() - began, 3)})
        connection.execute(sa.insert(SupervisionRun).values(
            run_id=run_id, source="database", as_of=as_of, models=[m.id for m in models],
            summary=summary, flow_run_id=flow_run_id, started_at=started_at,
            finished_at=dt.datetime.now(dt.UTC)))
    if store is not None:
        for model_id, findings in findings_by_model.items():
            store.put_json(leads_key(run_id, model_id), leads_document(as_of, findings))
    return {"run_id": run_id, "as_of": as_of.isoformat(), "models": summary,
            "findings": findings_by_model}

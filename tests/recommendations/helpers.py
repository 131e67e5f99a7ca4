"""Leads planted through the supervision code's own upsert (as a model run stores them).

Each planted lead has the facts its model's explanation template names, a masked ID
number among them (as the models write it), so the documents' scrubbing is tested on
what real leads carry.
"""

from __future__ import annotations

import datetime as dt
import string

import sqlalchemy as sa

from dossier.db import get_engine
from schemas.leads_tables import Lead
from schemas.tables import metadata
from tasks.lead_review.decisions import DecisionRequest, decide_all
from tasks.supervision.findings import Finding, explain
from tasks.supervision.leads import record_findings
from tasks.supervision.registry import all_models

AS_OF = dt.date(2026, 6, 30)
MASKED_ID = "110105***********X"
FACT_VALUES = {
    "person_masked": MASKED_ID, "offence": "盗窃罪", "decided_date": "2026-03-02",
    "penalty": "有期徒刑", "amount_yuan": 4200, "threshold_yuan": 1000,
    "received_date": "2026-01-05", "start_date": "2026-02-01", "deadline": "2026-02-04",
    "months": 14, "limit_date": "2026-04-01", "end_or_as_of": "2026-06-30", "kind": "缓刑",
    "effective_date": "2026-01-10", "admitted_date": "2025-01-01",
    "released_or_as_of": "2026-06-30", "month": "2026-03", "charge": "盗窃罪",
    "fine_yuan": 5000, "probation_months": 6, "reason": "累犯", "article": "264",
    "max_penalty": "有期徒刑", "max_months": 36, "expected_article": "264", "cases": 25,
    "p5": 6, "p95": 30, "blood_alcohol_mg": 150,
}


def clear(url: str) -> sa.Engine:
    engine = get_engine(url)
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    return engine


def plant(engine: sa.Engine, model_id: str, count: int, *, agency: str | None = None,
          start: int = 1, run_id: str = "run-test") -> list[int]:
    """``count`` leads of ``model_id`` (case numbers ``(2026)示0101刑初<n>号``); their ids."""
    model = all_models()[model_id]
    keys = {f for _, f, _, _ in string.Formatter().parse(model.explanation_zh) if f}
    findings = []
    for n in range(start, start + count):
        case_no = f"(2026)示0101刑初{n}号"
        facts = {k: FACT_VALUES[k] for k in keys if k in FACT_VALUES}
        facts.update(case_no=case_no, agency=agency)
        context = {**model.extra, "as_of": AS_OF.isoformat(), **facts}
        findings.append(Finding(
            model=model_id, model_version=model.version, severity=model.severity,
            subject=f"subject-{model_id}-{n}", case_no=case_no,
            records=[f"{model.evidence[0]}:R{n:05d}"],
            explanation=explain(model.explanation_zh, context), agency=agency, facts=facts))
    with engine.begin() as connection:
        record_findings(connection, findings, run_id, AS_OF)
        return list(connection.scalars(
            sa.select(Lead.id).where(Lead.model_id == model_id,
                                     Lead.case_no.in_([f.case_no for f in findings]))
            .order_by(Lead.id)))


def confirm(engine: sa.Engine, lead_ids: list[int], who: str = "tester") -> None:
    results = decide_all(engine, [DecisionRequest(lead_id=i, decision="confirm", note="核实属实")
                                  for i in lead_ids], actor=who)
    assert {r.outcome for r in results} == {"decided"}, results

"""A model's rule executed: rows → findings (leads before they are stored).

One :class:`Finding` per row of the rule's select, deduplicated on identity
(model, subject, records): a defendant with two charges of one card flagged by
the same model is one lead. The explanation is the model's Chinese template
filled with the row's facts; the person appears only masked (the rules select
``person_masked``, never a name or a raw ID number).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field

from tasks.supervision.registry import RuleContext, SupervisionModel

STANDARD = ("subject", "person_masked", "case_no", "agency")


class Finding(BaseModel):
    """A lead as FEEDS.md prints it, plus what the leads table keeps beside it."""

    model: str
    model_version: str
    severity: str
    subject: str
    case_no: str | None = None
    records: list[str]
    explanation: str
    agency: str | None = Field(None, exclude=True)
    facts: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.model, self.subject, self.records)

    def evidence(self) -> dict[str, Any]:
        return {"records": self.records, "facts": self.facts}

    def content_sha256(self) -> str:
        return content_sha256(self.model_version, self.severity, self.case_no, self.agency,
                              self.explanation, self.evidence())


def content_sha256(model_version: str, severity: str, case_no: str | None,
                   agency: str | None, explanation: str, evidence: dict[str, Any]) -> str:
    """What a lead says (a change of it is a new version): one hash, whether computed
    from a finding or from a stored lead (tasks.supervision.rekey)."""
    content = {"model_version": model_version, "severity": severity, "case_no": case_no,
               "agency": agency, "explanation": explanation, "evidence": evidence}
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True,
                                     default=str).encode()).hexdigest()


def fingerprint(model: str, subject: str, records: Iterable[str]) -> str:
    """A lead's identity: model, subject and its evidence records (order-free)."""
    text = "\x00".join([model, subject, *sorted(records)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shown(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 2)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "is_integer"):  # Decimal
        return _shown(float(value))
    return value


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "—"


def explain(template: str, facts: Mapping[str, Any]) -> str:
    shown = _Blank({k: ("—" if v is None else v) for k, v in facts.items()})
    return template.format_map(shown)


def findings_of(model: SupervisionModel, rows: Iterable[Mapping[str, Any]],
                as_of: dt.date) -> list[Finding]:
    found: dict[str, Finding] = {}
    for row in rows:
        facts = {k: _shown(v) for k, v in row.items()}
        records = [f"{k[2:]}:{v}" for k, v in row.items() if k.startswith("r_") and v is not None]
        context = {**model.extra, "as_of": as_of.isoformat(), **facts}
        finding = Finding(
            model=model.id, model_version=model.version, severity=model.severity,
            subject=str(row["subject"] or ""), case_no=row.get("case_no"), records=records,
            explanation=explain(model.explanation_zh, context), agency=row.get("agency"),
            facts={k: v for k, v in facts.items()
                   if k not in ("subject",) and not k.startswith("r_")},
        )
        found.setdefault(finding.fingerprint, finding)
    return list(found.values())


def execute(connection: sa.Connection, model: SupervisionModel, ctx: RuleContext) -> list[Finding]:
    """Run the model's rule on ``connection`` and return its findings."""
    result = connection.execute(model.rule(ctx))
    return findings_of(model, result.mappings(), ctx.as_of)

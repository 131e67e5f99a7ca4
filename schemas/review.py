"""Review points (审查要点): what the case review rules found in one case card,
``review/<dossier_id>.json``.

A point names the rule, its kind (审查规则 review: is the evidence there; 结论规则
conclusion: does the conclusion follow; 文书规则 document: is the document right), its
severity, the person it concerns (masked) and a Chinese message a prosecutor reads,
with the legal basis. Names and ID numbers never appear unmasked.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

RuleKind = Literal["review", "conclusion", "document"]
Severity = Literal["high", "medium", "low"]
RULE_KINDS: tuple[str, ...] = RuleKind.__args__  # type: ignore[attr-defined]

__all__ = ["RULE_KINDS", "ReviewPoint", "ReviewReport", "RuleKind", "Severity"]


class ReviewPoint(BaseModel):
    rule: str = Field(description="The rule's id: evidence_required, alcohol_below_drunk …")
    kind: RuleKind
    severity: Severity
    person: str | None = Field(None, description="The person concerned, masked (张**).")
    message: str = Field(description="What was found, in Chinese, names masked.")
    basis: str = Field("", description="The legal basis the rule rests on.")
    charge: str | None = None


class ReviewReport(BaseModel):
    schema_version: Literal["1"] = "1"
    dossier_id: str
    case_no: str | None = None
    as_of: dt.date
    rules_version: str = Field(description="Fingerprint of the rules and their data files.")
    points: list[ReviewPoint] = Field(default_factory=list)

    def by_kind(self) -> dict[str, int]:
        return {k: sum(p.kind == k for p in self.points) for k in RULE_KINDS}

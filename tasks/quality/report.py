"""What the quality gates found, as ``quality/<dossier_id>/validation.json``.

The report is the contract with routing and review: ``verdict`` decides whether a
dossier enters the trusted library (pass/warn) or waits in review (fail), and each
failure carries enough for a reviewer to see why without opening Great
Expectations: the check, its severity, a short explanation in Chinese and English
and a few masked examples. The raw GX results ride along so Data Docs can be
rebuilt from the stored JSON alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Severity = Literal["critical", "warning"]
Verdict = Literal["pass", "warn", "fail"]

__all__ = [
    "ExpectationFailure",
    "PageStats",
    "QualityReport",
    "Severity",
    "SuiteResult",
    "Verdict",
    "verdict_of",
]


class ExpectationFailure(BaseModel):
    suite: str
    check: str = Field(description="Stable id from the expectation's meta: pages.no_failed_page.")
    expectation: str = Field(description="The GX expectation type.")
    severity: Severity
    column: str | None = None
    explanation_zh: str
    explanation_en: str
    unexpected_count: int | None = None
    element_count: int | None = None
    observed_value: float | int | str | None = None
    examples: list[str] = Field(
        default_factory=list, description="Masked row refs (page 3, sentence 1 (张**))."
    )
    error: str | None = Field(None, description="Set when the expectation itself raised.")


class SuiteResult(BaseModel):
    suite: str
    success: bool
    evaluated: int
    successful: int
    failures: list[ExpectationFailure] = Field(default_factory=list)
    seconds: float = 0.0
    gx_key: list[str] | None = Field(
        None, description="ValidationResultIdentifier tuple in the GX results store."
    )
    gx_result: dict[str, Any] | None = Field(
        None, description="The GX ExpectationSuiteValidationResult as JSON (no personal data)."
    )

    @property
    def critical_failures(self) -> list[ExpectationFailure]:
        return [f for f in self.failures if f.severity == "critical"]


class PageStats(BaseModel):
    """Dossier-level facts a reviewer reads beside the gates (text layer vs OCR share)."""

    page_count: int
    blank_pages: int = 0
    failed_pages: int = 0
    text_layer_pages: int = 0
    ocr_pages: int = 0
    text_layer_share: float | None = None
    mean_ocr_confidence: float | None = None


class QualityReport(BaseModel):
    schema_version: Literal["1"] = "1"
    dossier_id: str
    verdict: Verdict
    suites: list[SuiteResult]
    page_stats: PageStats | None = None
    validated_at: datetime
    seconds: float = 0.0
    gx_version: str | None = None

    @property
    def failures(self) -> list[ExpectationFailure]:
        return [f for s in self.suites for f in s.failures]

    @property
    def critical_failures(self) -> list[ExpectationFailure]:
        return [f for f in self.failures if f.severity == "critical"]

    @property
    def warnings(self) -> list[ExpectationFailure]:
        return [f for f in self.failures if f.severity == "warning"]

    def suite(self, name: str) -> SuiteResult:
        for result in self.suites:
            if result.suite == name:
                return result
        raise KeyError(name)


def verdict_of(failures: list[ExpectationFailure]) -> Verdict:
    """fail on any critical failure (the dossier is held for review), warn when only
    warnings failed (it loads, flagged), pass otherwise."""
    if any(f.severity == "critical" for f in failures):
        return "fail"
    if failures:
        return "warn"
    return "pass"

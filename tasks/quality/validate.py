"""Quality gates (质量校验): run expectation suites on stage outputs and judge a dossier.

``validate`` is the general mechanism, a suite name and a dataframe, so agency
feeds reuse it with suites of their own; ``validate_dossier`` applies the three
dossier suites (pages, documents, case_card) and turns the results into a
:class:`QualityReport` whose verdict routes the dossier. Severity, check id and
explanations come from each expectation's ``meta`` in the suite JSON, so a gate
is changed in ``expectations/`` without touching code.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from schemas.case_card import CaseCard, DocumentRef
from schemas.ocr import PageOcr
from tasks.quality.context import import_gx, validation_definition
from tasks.quality.frames import case_card_frame, documents_frame, pages_frame
from tasks.quality.report import (
    ExpectationFailure,
    PageStats,
    QualityReport,
    SuiteResult,
    verdict_of,
)

__all__ = [
    "DOSSIER_SUITES",
    "MAX_EXAMPLES",
    "REF_COLUMN",
    "failing_rows",
    "page_stats",
    "suite_result",
    "validate",
    "validate_dossier",
]

DOSSIER_SUITES = ("pages", "documents", "case_card")
REF_COLUMN = "ref"
MAX_EXAMPLES = 5
_ERROR_CHARS = 300
_run_lock = threading.Lock()


def _result_format(df: pd.DataFrame) -> dict[str, Any]:
    """SUMMARY keeps a few failing rows; naming them by ``ref`` (already masked by
    the frame builders) is what lets a report show *which* page or sentence."""
    result_format: dict[str, Any] = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": MAX_EXAMPLES,
    }
    if REF_COLUMN in df.columns:
        result_format["unexpected_index_column_names"] = [REF_COLUMN]
    return result_format


def validate(suite_name: str, df: pd.DataFrame, *, run_name: str | None = None) -> SuiteResult:
    """Validate ``df`` against the suite named ``suite_name`` in ``expectations/``.

    Works for any suite: rows are named in failures by a ``ref`` column when the
    frame has one. ``run_name`` (a dossier id, a feed batch) names the run in GX's
    results store and in Data Docs. Never put raw personal data in ``df``:
    unexpected values are reported.
    """
    started = time.perf_counter()
    result, run_id = _run(suite_name, df, _result_format(df), run_name)
    return suite_result(
        suite_name,
        result,
        seconds=time.perf_counter() - started,
        gx_key=_result_key(suite_name, run_id, result),
    )


def _run(
    suite_name: str, df: pd.DataFrame, result_format: dict[str, Any], run_name: str | None
) -> tuple[Any, Any]:
    import_gx()
    from great_expectations.core.run_identifier import RunIdentifier

    definition = validation_definition(suite_name)
    run_id = RunIdentifier(run_name=run_name, run_time=dt.datetime.now(dt.UTC))
    with _run_lock:  # one shared context; validation is CPU-bound, so nothing is lost
        result = definition.run(
            batch_parameters={"dataframe": df}, result_format=result_format, run_id=run_id
        )
    return result, run_id


def failing_rows(
    suite_name: str, df: pd.DataFrame, index_column: str, *, run_name: str | None = None
) -> tuple[SuiteResult, dict[str, list[Any]]]:
    """Validate like :func:`validate`, and name every failing row: check id → the
    ``index_column`` values of the rows that failed it.

    For batches whose refused rows are set aside and the rest loaded (agency
    feeds): GX's COMPLETE result format lists each unexpected row by
    ``index_column``. The stored result keeps only the summary (the row lists
    can be long).
    """
    started = time.perf_counter()
    result_format = {"result_format": "COMPLETE",
                     "unexpected_index_column_names": [index_column],
                     "return_unexpected_index_query": False}
    result, run_id = _run(suite_name, df, result_format, run_name)
    rows: dict[str, list[Any]] = {}
    for r in result.results:
        if r.success:
            continue
        check = (r.expectation_config.meta or {}).get("check") or r.expectation_config.type
        listed = (r.result or {}).get("unexpected_index_list") or []
        rows[check] = [item[index_column] if isinstance(item, dict) else item for item in listed]
    summary = suite_result(suite_name, result, seconds=time.perf_counter() - started,
                           gx_key=_result_key(suite_name, run_id, result))
    summary.gx_result = None
    return summary, rows


def _result_key(suite_name: str, run_id: Any, result: Any) -> list[str] | None:
    """Where ValidationDefinition.run stored the result: suite, run and batch id."""
    import_gx()
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    batch_ids = {
        r.expectation_config.kwargs.get("batch_id")
        for r in result.results
        if r.expectation_config is not None
    } - {None}
    if len(batch_ids) != 1:
        return None
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
        run_id=run_id,
        batch_identifier=batch_ids.pop(),
    )
    return [str(part) for part in key.to_tuple()]


def suite_result(
    suite_name: str, result: Any, *, seconds: float = 0.0, gx_key: list[str] | None = None
) -> SuiteResult:
    """A GX ExpectationSuiteValidationResult → :class:`SuiteResult`."""
    failures = [_failure(suite_name, r) for r in result.results if not r.success]
    stats = result.statistics
    return SuiteResult(
        suite=suite_name,
        success=bool(result.success),
        evaluated=int(stats.get("evaluated_expectations", len(result.results))),
        successful=int(stats.get("successful_expectations", 0)),
        failures=failures,
        seconds=round(seconds, 4),
        gx_key=gx_key,
        gx_result=result.to_json_dict(),
    )


def _failure(suite_name: str, r: Any) -> ExpectationFailure:
    config = r.expectation_config
    meta = dict(config.meta or {})
    severity = meta.get("severity") or getattr(config.severity, "value", None) or "critical"
    details = r.result or {}
    examples = _examples(details, config.kwargs.get("column"))
    error = None
    if r.exception_info and r.exception_info.get("raised_exception"):
        message = r.exception_info.get("exception_message") or "expectation raised"
        error = str(message)[:_ERROR_CHARS]
    observed = details.get("observed_value")
    if isinstance(observed, float):
        observed = round(observed, 4)
    elif observed is not None and not isinstance(observed, int | str):
        observed = str(observed)
    return ExpectationFailure(
        suite=suite_name,
        check=meta.get("check") or config.type,
        expectation=config.type,
        severity=severity if severity in ("critical", "warning") else "critical",
        column=config.kwargs.get("column"),
        explanation_zh=meta.get("explanation_zh", ""),
        explanation_en=meta.get("explanation_en", ""),
        unexpected_count=details.get("unexpected_count"),
        element_count=_checked_count(details),
        observed_value=observed,
        examples=examples,
        error=error,
    )


def _shown(value: Any) -> str | None:
    """A failing value worth showing: derived True/False flags say nothing the
    check's explanation does not, so only real values are shown."""
    if value is None or isinstance(value, bool) or (isinstance(value, float) and value != value):
        return None  # value != value: NaN, a missing value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _examples(details: dict, column: str | None) -> list[str]:
    """A few failing rows as ``ref = value`` (``sentence 1 (张*) = 400``), or the
    bare values when the frame has no ``ref`` column."""
    examples = []
    for row in details.get("partial_unexpected_index_list") or []:
        if not isinstance(row, dict) or row.get(REF_COLUMN) is None:
            continue
        value = _shown(row.get(column)) if column and column != REF_COLUMN else None
        examples.append(f"{row[REF_COLUMN]} = {value}" if value else str(row[REF_COLUMN]))
    if not examples:
        shown = (_shown(v) for v in details.get("partial_unexpected_list") or [])
        examples = [v for v in shown if v]
    return examples[:MAX_EXAMPLES]


def _checked_count(details: dict) -> int | None:
    """Rows the check applied to: a long frame's other rows are null here, not checked."""
    if details.get("element_count") is None:
        return None
    return int(details["element_count"]) - int(details.get("missing_count") or 0)


def page_stats(pages: Sequence[PageOcr], page_count: int) -> PageStats:
    """The text-layer vs OCR share and page counts, reported beside the gates."""
    text_layer = sum(p.source == "text-layer" for p in pages)
    ocr = sum(p.source == "ocr" for p in pages)
    confidences = [
        p.mean_confidence
        for p in pages
        if p.source == "ocr" and p.status == "ok" and not p.blank and p.mean_confidence is not None
    ]
    return PageStats(
        page_count=page_count,
        blank_pages=sum(p.blank for p in pages),
        failed_pages=sum(p.status == "failed" for p in pages),
        text_layer_pages=text_layer,
        ocr_pages=ocr,
        text_layer_share=round(text_layer / len(pages), 4) if pages else None,
        mean_ocr_confidence=(
            round(sum(confidences) / len(confidences), 4) if confidences else None
        ),
    )


def validate_dossier(
    pages: Sequence[PageOcr],
    documents: Sequence[DocumentRef],
    card: CaseCard,
    page_count: int,
) -> QualityReport:
    """All three dossier suites; ``verdict`` is fail on any critical failure."""
    started = time.perf_counter()
    dossier_id = card.dossier_id
    frames = {
        "pages": pages_frame(pages),
        "documents": documents_frame(documents, page_count),
        "case_card": case_card_frame(card),
    }
    results = [validate(name, frames[name], run_name=dossier_id) for name in DOSSIER_SUITES]
    failures = [f for r in results for f in r.failures]
    return QualityReport(
        dossier_id=dossier_id,
        verdict=verdict_of(failures),
        suites=results,
        page_stats=page_stats(pages, page_count),
        validated_at=dt.datetime.now(dt.UTC),
        seconds=round(time.perf_counter() - started, 4),
        gx_version=_gx_version(),
    )


def _gx_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("great_expectations")
    except PackageNotFoundError:
        return None

"""The dossier report: verdict routing, the validation.json round trip, the
reviewer's markdown and table, Data Docs, and the general suite mechanism."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from schemas.case_card import Sentence, Statute
from tasks.quality import context
from tasks.quality.docs import build_data_docs
from tasks.quality.report import ExpectationFailure, QualityReport, verdict_of
from tasks.quality.summary import failures_table, report_markdown
from tasks.quality.validate import validate, validate_dossier

from .conftest import DEFENDANT


def _failure(severity: str) -> ExpectationFailure:
    return ExpectationFailure(
        suite="s", check=f"s.{severity}", expectation="expect_x", severity=severity,
        explanation_zh="说明", explanation_en="why",
    )


@pytest.mark.parametrize(
    ("severities", "verdict"),
    [
        ([], "pass"),
        (["warning"], "warn"),
        (["warning", "warning"], "warn"),
        (["critical"], "fail"),
        (["warning", "critical"], "fail"),
    ],
)
def test_verdict_of(severities: list[str], verdict: str) -> None:
    assert verdict_of([_failure(s) for s in severities]) == verdict


def _break_card(d: dict) -> None:
    """Two critical failures on a defendant's sentence and one warning."""
    case = d["card"].case
    case.sentences[0].months = 400
    case.sentences.append(Sentence(person="王五", penalty="拘役", months=3))
    case.statutes.append(Statute(article=500))
    case.indictment_no = "不是文号"
    d["documents"][0] = d["documents"][0].model_copy(update={"confidence": 0.2})


@pytest.fixture(scope="module")
def failing_report(gx_project) -> QualityReport:
    from .conftest import make_card, make_documents, make_pages

    d = {"pages": make_pages(), "documents": make_documents(), "card": make_card()}
    _break_card(d)
    return validate_dossier(d["pages"], d["documents"], d["card"], page_count=4)


def test_clean_dossier_passes(gx_project, dossier) -> None:
    report = validate_dossier(**dossier)
    assert report.verdict == "pass"
    assert report.failures == []
    assert [s.suite for s in report.suites] == ["pages", "documents", "case_card"]
    assert report.page_stats.ocr_pages == 4 and report.page_stats.text_layer_share == 0


def test_warnings_only_is_warn(gx_project, dossier) -> None:
    dossier["card"].case.indictment_no = "不是文号"
    report = validate_dossier(**dossier)
    assert report.verdict == "warn"
    assert [f.check for f in report.failures] == ["case_card.indictment_no_format"]


def test_critical_failure_is_fail_with_details(failing_report: QualityReport) -> None:
    report = failing_report
    assert report.verdict == "fail"
    checks = {f.check: f for f in report.failures}
    assert set(checks) == {
        "case_card.months_in_range",
        "case_card.sentence_person_is_defendant",
        "case_card.statute_exists",
        "case_card.indictment_no_format",
        "documents.classifier_confidence",
    }
    months = checks["case_card.months_in_range"]
    assert months.severity == "critical" and months.column == "months"
    assert months.unexpected_count == 1 and months.element_count == 2  # the two sentences
    assert months.examples == ["sentence 1 (安*) = 400"]
    assert months.explanation_zh and months.explanation_en
    assert checks["case_card.sentence_person_is_defendant"].examples == ["sentence 2 (王*)"]
    assert checks["case_card.indictment_no_format"].examples == ["case = 不是文号"]
    assert checks["documents.classifier_confidence"].examples == ["document 1 (起诉书) = 0.2"]
    assert checks["documents.classifier_confidence"].severity == "warning"
    assert len(report.critical_failures) == 3 and len(report.warnings) == 2


def test_report_json_round_trip(failing_report: QualityReport, tmp_path: Path) -> None:
    path = tmp_path / "validation.json"
    path.write_text(failing_report.model_dump_json(indent=2), encoding="utf-8")
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["verdict"] == "fail" and raw["dossier_id"] == "d-test"
    again = QualityReport.model_validate_json(path.read_text(encoding="utf-8"))
    assert again == failing_report


def test_no_personal_data_leaves_the_gates(failing_report: QualityReport) -> None:
    outputs = [
        failing_report.model_dump_json(),
        report_markdown(failing_report),
        json.dumps(failures_table(failing_report), ensure_ascii=False),
    ]
    for text in outputs:
        assert DEFENDANT not in text and "王五" not in text


def test_markdown_summary(failing_report: QualityReport, dossier) -> None:
    text = report_markdown(failing_report)
    assert "FAIL" in text and "3 critical, 2 warning" in text
    assert "case_card.months_in_range" in text and "sentence 1 (安*) = 400" in text
    assert "刑期月数超出范围" in text and "Sentence months out of range" in text
    table_rows = [line for line in text.splitlines() if line.startswith("| 严重 critical")]
    assert len(table_rows) == 3


def test_markdown_of_a_pass_has_no_failure_table(gx_project, dossier) -> None:
    text = report_markdown(validate_dossier(**dossier))
    assert "PASS" in text and "Failed checks" not in text


def test_failures_table_rows(failing_report: QualityReport) -> None:
    rows = failures_table(failing_report)
    assert [r["severity"] for r in rows] == ["critical"] * 3 + ["warning"] * 2
    assert set(rows[0]) == {
        "severity", "suite", "check", "column", "explanation", "found", "examples",
    }
    months = next(r for r in rows if r["check"] == "case_card.months_in_range")
    assert months["found"] == "1/2" and months["examples"] == "sentence 1 (安*) = 400"


def test_data_docs_from_the_stored_report(
    failing_report: QualityReport, gx_project: Path, tmp_path: Path
) -> None:
    # as on another worker: only validation.json, none of this process's GX results
    again = QualityReport.model_validate_json(failing_report.model_dump_json())
    results = Path(context.gx_context().validation_results_store.store_backend.full_base_directory)
    assert gx_project not in results.parents  # run results never go into the project
    shutil.rmtree(results, ignore_errors=True)
    index = build_data_docs(again, tmp_path / "docs")
    assert index == (tmp_path / "docs" / "index.html").resolve()
    pages = sorted(p.relative_to(tmp_path / "docs").as_posix()
                   for p in (tmp_path / "docs").rglob("*.html"))
    for suite in ("pages", "documents", "case_card"):
        assert f"expectations/{suite}.html" in pages
        assert any(p.startswith(f"validations/{suite}/d-test/") for p in pages)
    html = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "docs").rglob("*.html"))
    assert "expect_column_values_to_be_between" in html or "values must be" in html
    assert DEFENDANT not in html

    # rendered results leave GX's local store; a rebuild takes them from the report
    from great_expectations.data_context.types.resource_identifiers import (
        ValidationResultIdentifier,
    )

    store = context.gx_context().validation_results_store
    for suite in again.suites:
        assert not store.has_key(ValidationResultIdentifier.from_tuple(tuple(suite.gx_key)))
    assert build_data_docs(again, tmp_path / "docs-again").exists()


def test_a_new_suite_validates_any_dataframe(gx_project: Path) -> None:
    """Agency feeds: a suite name and a dataframe, nothing dossier-specific."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    gx_context = context.gx_context()
    gx_context.suites.add(gx.ExpectationSuite(name="feed_test", expectations=[
        gxe.ExpectColumnValuesToNotBeNull(
            column="amount",
            meta={"check": "feed_test.amount_present", "severity": "warning",
                  "explanation_zh": "金额缺失。", "explanation_en": "Amount missing."},
        ),
    ]))
    good = validate("feed_test", pd.DataFrame({"ref": ["a", "b"], "amount": [1.0, 2.0]}))
    assert good.success and good.failures == []
    bad = validate("feed_test", pd.DataFrame({"ref": ["a", "b"], "amount": [1.0, None]}))
    assert [(f.check, f.severity, f.examples) for f in bad.failures] == [
        ("feed_test.amount_present", "warning", ["b"])
    ]
    unnamed = validate("feed_test", pd.DataFrame({"amount": [None, 2.0]}))
    assert unnamed.failures[0].unexpected_count == 1 and unnamed.failures[0].examples == []


def test_an_unknown_suite_is_an_error(gx_project: Path) -> None:
    with pytest.raises(Exception, match="no_such_suite"):
        validate("no_such_suite", pd.DataFrame({"x": [1]}))


def test_context_is_built_once_with_analytics_and_progress_bars_off(
    gx_project: Path, dossier, capfd: pytest.CaptureFixture[str]
) -> None:
    assert context.gx_context() is context.gx_context()
    variables = context.gx_context().variables
    assert variables.analytics_enabled is False
    assert variables.progress_bars["globally"] is False
    capfd.readouterr()
    validate_dossier(**dossier)
    _out, err = capfd.readouterr()
    assert "Calculating Metrics" not in err and "it/s" not in err

"""The analysis report from sample dossiers and a generated feed batch, opened in Chromium.

The library (``scenario``): six sample dossiers through the structure stage, a case
under review, duplicate and quarantined uploads, a generated feed batch with every
supervision model run over it, decisions, 检察建议 and replies. The report is built,
checked for aggregates only (no name, masked ID number or case number of any card),
written as HTML, and opened in headless Chromium: every chart must render as a
non-empty SVG and the page must have loaded nothing from the network. The screenshot
is kept under ``test-artifacts/`` (the path is printed).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from case_management import scenario
from typer.testing import CliRunner

from dossier import db
from dossier.cli import app
from dossier.settings import reset_settings
from dossier.store.local import LocalStore
from tasks.case_management.figures import Figures, build_figures
from tasks.case_management.report import render_html, sections, store_report
from tasks.stages.stored import load_card

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, LocalStore,
                                                                        list[str]]]:
    root = tmp_path_factory.mktemp("report-library")
    url = f"sqlite:///{root / 'library.sqlite3'}"
    db.upgrade(url)
    store = LocalStore(root / "store")
    ids = scenario.load_dossiers(url, store)
    scenario.feeds_and_leads(url, store, root / "batch")
    yield url, store, ids
    db.dispose_engines()


@pytest.fixture(scope="module")
def figures(library: tuple[str, LocalStore, list[str]]) -> Figures:
    url, store, _ = library
    return build_figures(db.get_engine(url), store, scenario.AS_OF)


def personal_strings(store: LocalStore, ids: list[str]) -> set[str]:
    """Every name, masked ID number and case number on the library's cards."""
    out = {scenario.PENDING_NAME, scenario.PENDING_CASE_NO}
    for dossier_id in ids:
        card = load_card(store, dossier_id)
        assert card is not None
        out |= {p.name for p in card.case.persons}
        out |= {p.id_number_masked for p in card.case.persons if p.id_number_masked}
        out |= {n for n in (card.case.case_no, card.case.indictment_no) if n}
    return {s for s in out if len(s) >= 2}


def test_the_figures_count_what_the_library_holds(figures: Figures) -> None:
    assert figures.totals["cases"] == len(scenario.SEEDS) + 1
    assert figures.totals["uploads"] == len(scenario.SEEDS) + 1 + 2 + 2
    (intake,) = figures.intake  # all recorded this month
    assert (intake["duplicate"], intake["rejected"]) == (2, 2)
    assert intake["duplicate_rate"] == round(2 / intake["uploads"], 4)
    assert {r["reason"] for r in figures.rejections} == {"encrypted", "unsupported_format"}
    assert sum(r["cases"] for r in figures.charges) >= len(scenario.SEEDS) + 1
    assert any(r["month"] == "2026-06" and r["charge"] == "诈骗罪" for r in figures.charges)
    assert figures.leads and all(r["leads"] == r["decided"] + r["pending"]
                                 for r in figures.leads)
    assert any(r["confirmation_rate"] not in (None, 0) for r in figures.leads)
    (month,) = figures.recommendations  # all issued on 2026-03-02
    assert month["replied"] == 2 and month["replied_on_time"] == 1
    assert month["overdue"] == month["issued"] - 2
    stages = {r["rule"] for r in figures.stage_durations}
    assert {"prosecution_review", "arrest_review"} <= stages
    open_review = [r for r in figures.deadline_status if r["status"] == "open"]
    assert open_review and open_review[0]["stage"] == "审查起诉"
    assert figures.workload == [] and not figures.workload_shown


def test_workload_is_shown_only_when_the_deployment_turns_it_on(
        library: tuple[str, LocalStore, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    url, store, _ = library
    monkeypatch.setenv("DOSSIER_REPORT_WORKLOAD", "true")
    reset_settings()
    shown = build_figures(db.get_engine(url), store, scenario.AS_OF)
    assert shown.workload_shown
    (reviewer,) = shown.workload
    assert reviewer["reviewer"] == "王检察官" and reviewer["decisions"] > 0
    assert set(reviewer) == {"reviewer", "decisions", "median_days_to_decide"}
    assert "workload" in {s.id for s in sections(shown)}


def test_the_report_renders_in_chromium_with_every_chart(
        figures: Figures, library: tuple[str, LocalStore, list[str]], tmp_path: Path) -> None:
    from ops.helpers import SCREENSHOTS, browser
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _, store, ids = library
    html = render_html(figures)
    data = figures.model_dump_json()
    leaked = {s for s in personal_strings(store, ids) if s in html or s in data}
    assert not leaked, leaked
    assert "<script src" not in html and "cdn.jsdelivr" not in html
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    keys = store_report(store, figures, html)
    assert keys["html"] == f"reports/case-management/{scenario.AS_OF}.html"
    assert store.get_bytes(keys["html"]).decode("utf-8") == html
    assert json.loads(store.get_bytes(keys["json"]))["totals"] == figures.totals

    charted = [s.id for s in sections(figures) if s.spec]
    assert set(charted) == {"charges", "stage-durations", "deadline-status", "leads",
                            "recommendations", "intake"}
    driver = browser(tmp_path / "chromium-profile")
    try:
        driver.set_window_size(1280, 4200)
        driver.get(page.as_uri())

        def drawn(d) -> bool:
            return all(d.execute_script(
                "const s = document.querySelector(arguments[0] + ' svg');"
                "return !!s && s.querySelectorAll('path, rect, line, text').length > 20;",
                f"#chart-{i}") for i in charted)

        WebDriverWait(driver, 60).until(drawn)
        for section in charted:
            svg = driver.find_element(By.CSS_SELECTOR, f"#chart-{section} svg")
            size = svg.size
            assert size["width"] > 200 and size["height"] > 50, (section, size)
            marks = svg.find_elements(By.CSS_SELECTOR, "g.mark-rect path, g.mark-symbol path, "
                                                       "g.mark-line path, g.mark-tick path")
            assert marks, f"{section}: no marks drawn"
        errors = driver.execute_script(
            "return [...document.querySelectorAll('.chart')].filter("
            "e => !e.querySelector('svg')).map(e => e.id + ': ' + e.textContent);")
        assert errors == []
        network = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name);")
        assert network == [], network
        SCREENSHOTS.mkdir(exist_ok=True)
        shot = SCREENSHOTS / "case-management-report.png"
        assert driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 50_000
        print(f"screenshot of the report: {shot}")
    finally:
        driver.quit()


def test_the_report_command_writes_the_page_and_the_json(
        library: tuple[str, LocalStore, list[str]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    url, store, _ = library
    monkeypatch.setenv("DOSSIER_DATABASE_URL", url)
    monkeypatch.setenv("DOSSIER_STORE_DIR", str(store.root))
    reset_settings()
    out, figures_json = tmp_path / "r" / "report.html", tmp_path / "figures.json"
    result = CliRunner().invoke(app, ["report", "--out", str(out), "--json", str(figures_json),
                                      "--as-of", scenario.AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    written = Figures.model_validate_json(figures_json.read_text(encoding="utf-8"))
    assert written.as_of == scenario.AS_OF and written.totals["cases"] == len(scenario.SEEDS) + 1

    result = CliRunner().invoke(app, ["deadlines", "--as-of", "2026-06-30", "--json"])
    assert result.exit_code == 0, result.output
    (pressing,) = json.loads(result.output)["pressing"]
    assert pressing["case_no"] == scenario.PENDING_CASE_NO
    assert (pressing["due"], pressing["days_left"]) == ("2026-07-01", 1)
    assert scenario.PENDING_NAME not in result.output  # masked
    assert dt.date.fromisoformat(pressing["started"]) == dt.date(2026, 6, 1)


def test_an_empty_library_is_said_not_traced(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "nothing to report" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    result = runner.invoke(app, ["deadlines"])
    assert result.exit_code == 0 and "no cases in the library" in result.output
    result = runner.invoke(app, ["evaluate-quality", "--month", "2026-5x"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_a_database_out_of_reach_is_said_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOSSIER_DATABASE_URL",
                       "postgresql+psycopg://u:secret@127.0.0.1:1/none?connect_timeout=2")
    reset_settings()
    result = CliRunner().invoke(app, ["deadlines"])
    assert result.exit_code == 1 and "cannot reach the library database" in result.output
    assert "secret" not in result.output and "Traceback" not in result.output

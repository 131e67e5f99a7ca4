"""The ingest flow end to end on the embedded default (SQLite, local store, ephemeral API).

Three uploads: a born-digital PDF (text layer: the whole chain without OCR
cost), a two-page scan (one real page OCR'd, one blank sheet) and an encrypted
PDF that must be quarantined with its reason. Then the same bytes again: a
duplicate that changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dossier.cli import app
from dossier.db import session_scope
from dossier.samples import formats
from dossier.samples.dossier import make_sample_dossier
from dossier.samples.render import blank_page, degrade, render_text_page
from dossier.store import get_store
from schemas.case_management_tables import IntakeEvent
from schemas.tables import Case, Dossier, Lineage, Page
from tasks.stages.page_pool import pool_running

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    sample = make_sample_dossier(1)  # ends with 起诉书, 量刑建议书, 判决书
    texts = [t for t in sample.pages if t]
    born_digital = formats.write_text_pdf(texts, folder / "起诉材料 卷一.pdf")
    scan_page = degrade(render_text_page(texts[0]), rotation=90, blur=0.6, noise=6,
                        jpeg_quality=70, seed=3)
    scan = formats.write_tiff([scan_page, blank_page(seed=4)], folder / "scan.tif", dpi=300)
    locked = formats.write_encrypted_pdf(texts[:1], folder / "locked.pdf")
    return {"digital": born_digital, "scan": scan, "locked": locked, "truth": sample}  # type: ignore[dict-item]


def _index(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "index.jsonl").read_text("utf-8").splitlines()]


def test_process_three_uploads_then_a_duplicate(uploads: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["process", str(uploads["digital"]), str(uploads["scan"]), str(uploads["locked"]),
            "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output  # one input was rejected
    index = _index(out)
    assert [line["status"] for line in index][2] == "rejected"
    assert index[2]["reason"] == "encrypted"
    digital, scan = index[0], index[1]
    assert digital["status"] in ("ok", "needs_review")
    assert scan["dossier_id"] and scan["dossier_id"] != digital["dossier_id"]

    # The born-digital PDF: text layer on every page, and the card matches the truth.
    pages = json.loads((out / digital["dossier_id"] / "pages.json").read_text("utf-8"))
    assert {p["source"] for p in pages} == {"text-layer"}
    card = json.loads((out / digital["dossier_id"] / "case.json").read_text("utf-8"))
    truth = uploads["truth"].case_card.case
    assert card["case"]["case_no"] == truth.case_no
    assert set(card["case"]["charges"]) == set(truth.charges)
    assert [(s["penalty"], s["months"]) for s in card["case"]["sentences"]] == [
        (s.penalty, s.months) for s in truth.sentences]
    documents = json.loads((out / digital["dossier_id"] / "documents.json").read_text("utf-8"))
    assert len(documents["documents"]) >= 3
    text = (out / digital["dossier_id"] / "text.txt").read_text("utf-8")
    assert text.count("\f") == len(pages) - 1

    # The scan: the turned page read upright by OCR, the blank sheet kept and marked.
    scan_pages = json.loads((out / scan["dossier_id"] / "pages.json").read_text("utf-8"))
    assert [p["status"] for p in scan_pages] == ["ok", "blank"]
    assert scan_pages[0]["rotation"] == 270 or scan_pages[0]["rotation"] == 90
    assert scan_pages[0]["source"] == "ocr" and scan_pages[0]["chars"] > 50

    store = get_store()
    [reason_key] = [o.key for o in store.list("quarantine/") if o.key.endswith("/reason.json")]
    reason = store.get_json(reason_key)
    assert reason["reason"] == "encrypted" and reason["upload"] == uploads["locked"].name
    assert store.get_bytes(reason["key"]) == uploads["locked"].read_bytes()
    manifest = store.get_json(f"manifests/{digital['dossier_id']}.json")
    assert {"retrieve", "ocr", "structure", "validate", "load"} <= set(manifest["stages"])
    assert all(o["sha256"] for s in manifest["stages"].values() for o in s["outputs"])

    with session_scope() as session:
        statuses = dict(session.execute(sa.select(Dossier.dossier_id, Dossier.status)).all())
        assert statuses[index[2]["dossier_id"]] == "rejected"
        assert statuses[digital["dossier_id"]] == digital["status"]
        counts = (session.scalar(sa.select(sa.func.count()).select_from(Case)),
                  session.scalar(sa.select(sa.func.count()).select_from(Page)),
                  session.scalar(sa.select(sa.func.count()).select_from(Lineage)))
    assert counts[0] == 2  # the scan has a (sparse) card too; the rejected upload none

    # Same bytes again, under another name: recognised, nothing duplicated, and the
    # dossier's outputs written to the new --out from the store.
    again = tmp_path / "again"
    copy = tmp_path / "copy-of-digital.pdf"
    copy.write_bytes(uploads["digital"].read_bytes())
    result = runner.invoke(app, ["process", str(copy), "--out", str(again)])
    assert result.exit_code == 0, result.output
    line = _index(again)[0]
    assert line["dossier_id"] == digital["dossier_id"]
    assert (line["status"], line["reason"].split(";")[0]) == (digital["status"], "duplicate")
    for name in ("text.txt", "pages.json", "documents.json", "case.json", "validation.json"):
        assert ((again / line["dossier_id"] / name).read_bytes()
                == (out / line["dossier_id"] / name).read_bytes()), name
    with session_scope() as session:
        assert (session.scalar(sa.select(sa.func.count()).select_from(Case)),
                session.scalar(sa.select(sa.func.count()).select_from(Page)),
                session.scalar(sa.select(sa.func.count()).select_from(Lineage))) == counts
        # Every upload counted once by its outcome (the report's intake rates, issue 16).
        outcomes = session.execute(sa.select(IntakeEvent.outcome, sa.func.count())
                                   .group_by(IntakeEvent.outcome)).all()
    assert dict(outcomes) == {"accepted": 2, "rejected": 1, "duplicate": 1}


def test_until_ocr_stops_before_structuring(uploads: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["process", str(uploads["scan"]), "--out", str(out), "--until", "ocr",
              "--engine", "tesseract"])
    assert result.exit_code == 0, result.output
    line = _index(out)[0]
    assert line["status"] == "stopped" and "stopped after ocr" in line["reason"]
    folder = out / line["dossier_id"]
    assert (folder / "text.txt").exists() and not (folder / "case.json").exists()
    pages = json.loads((folder / "pages.json").read_text("utf-8"))
    assert pages[0]["engine"] == "tesseract" and pages[0]["status"] == "ok"
    # The page workers (an OCR engine each) stop with the OCR stage, not with the process:
    # the later stages load spaCy and GX, and must not do it beside idle engines.
    assert not pool_running()

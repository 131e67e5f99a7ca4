"""Stages that resume (issue 10), on the real MinIO and PostgreSQL.

Each test runs ``dossier process`` / ``dossier reprocess`` in this process (the
session's Prefect test server) against a bucket and a database schema of this
module's own:

- ``--until ocr``, then a full run: the early stop is not a finish; the full run
  reads no page again and structures the case;
- a second run of the same bytes into a new ``--out`` writes every output file
  (from the store), says ``duplicate``, and runs no stage;
- a run whose ``load`` fails (the library role loses its rights on ``cases``) is
  run again once fixed: no page task at all, the log and the summary artifact say
  which stages were skipped;
- ``reprocess --from structure --if-older`` on a library built partly by an older
  extractor changes the cards and rows of those dossiers only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from db.databases import postgres_schema
from minio_buckets import temporary_bucket_store
from ops.helpers import sample_pages, summary_artifact
from typer.testing import CliRunner

from dossier import db
from dossier.cli import app
from dossier.samples import formats
from dossier.samples.dossier import make_sample_dossier
from dossier.samples.render import render_text_page
from dossier.settings import reset_settings
from dossier.store import get_store
from infra.services_env import (
    BUCKET,
    DATABASE_URL,
    MINIO_ACCESS_KEY,
    MINIO_ENDPOINT,
    MINIO_SECRET_KEY,
)
from schemas.tables import Case, Dossier, Person, Statute
from tasks.intake.retrieve import dossier_id_for
from tasks.lineage import load_manifest

pytestmark = [pytest.mark.services, pytest.mark.slow]

OUTPUT_FILES = ("text.txt", "pages.json", "documents.json", "case.json", "validation.json")
DONE = ("ok", "needs_review")


@pytest.fixture(scope="module")
def services(services_env: dict[str, str], pg_url: str) -> Iterator[dict[str, str]]:
    """A bucket and a database schema of this module's own, as ``DOSSIER_*`` variables."""
    with temporary_bucket_store(services_env, "test-resume") as store, \
            postgres_schema(pg_url, "test_flows_resume") as url:
        yield {MINIO_ENDPOINT: services_env[MINIO_ENDPOINT],
               MINIO_ACCESS_KEY: services_env[MINIO_ACCESS_KEY],
               MINIO_SECRET_KEY: services_env[MINIO_SECRET_KEY],
               BUCKET: store.bucket, DATABASE_URL: url}


@pytest.fixture(autouse=True)
def on_services(services: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in services.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    yield
    db.dispose_engines()


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two scanned pages of a sample dossier: its indictment and its judgment."""
    sample = make_sample_dossier(1, blank_separators=False)
    sheets = [sample.sheets[p - 1] for p in (13, 15)]
    assert [sample.documents[p - 1].type for p in (13, 15)] == ["起诉书", "判决书"]
    images = [render_text_page(s.body, title=s.title) for s in sheets]
    return formats.write_tiff(images, tmp_path_factory.mktemp("scan") / "resume.tif", dpi=300)


def _text_pdf(folder: Path, seed: int, name: str) -> Path:
    return formats.write_text_pdf(sample_pages(seed, count=3), folder / name)


def _process(*args: str | Path) -> list[dict]:
    """``dossier process`` as a user runs it; its index lines."""
    out = Path(args[args.index("--out") + 1])
    result = CliRunner().invoke(app, ["process", *map(str, args)])
    assert result.exit_code in (0, 1), result.output
    return [json.loads(line) for line in (out / "index.jsonl").read_text("utf-8").splitlines()]


def _task_runs(flow_run_id: str) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        return client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])), limit=200)


def _page_tasks(flow_run_id: str) -> list[str]:
    return [r.name for r in _task_runs(flow_run_id) if r.name.startswith("page-")]


def _logs(flow_run_id: str, expected: str, timeout: float = 60.0) -> list[str]:
    """The run's log messages, once ``expected`` is among them (logs ship in batches)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    deadline = time.monotonic() + timeout
    while True:
        with get_client(sync_client=True) as client:
            messages = [log.message for log in client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                limit=200)]
        if any(expected in m for m in messages) or time.monotonic() > deadline:
            return messages
        time.sleep(1)


def _library(dossier_id: str) -> dict:
    """The library's rows of one dossier, ids and timestamps included."""
    with db.get_engine().connect() as connection:
        dossier = connection.execute(sa.select(Dossier.status, Dossier.reason)
                                     .where(Dossier.dossier_id == dossier_id)).one()
        case = connection.execute(sa.select(Case.id, Case.card_sha256, Case.updated_at)
                                  .where(Case.dossier_id == dossier_id)).one_or_none()
        statutes = persons = []
        if case is not None:
            statutes = connection.execute(sa.select(Statute.id, Statute.article)
                                          .where(Statute.case_id == case.id)).all()
            persons = connection.execute(sa.select(Person.id, Person.name)
                                         .where(Person.case_id == case.id)).all()
    return {"dossier": tuple(dossier), "case": tuple(case) if case else None,
            "statutes": [tuple(r) for r in statutes], "persons": [tuple(r) for r in persons]}


def test_until_ocr_then_a_full_run_structures_the_case(scan: Path, tmp_path: Path) -> None:
    (stopped,) = _process(scan, "--out", tmp_path / "o1", "--until", "ocr",
                          "--engine", "tesseract")
    dossier_id = stopped["dossier_id"]
    assert stopped["status"] == "stopped" and "stopped after ocr" in stopped["reason"]
    assert stopped["stages"] == {"retrieve": "ran", "ocr": "ran"}
    assert not (tmp_path / "o1" / dossier_id / "case.json").exists()
    manifest = load_manifest(get_store(), dossier_id)
    assert manifest is not None
    assert (manifest.finished, manifest.stopped_after, manifest.status) == (
        False, "ocr", "processing")
    assert set(manifest.stages) == {"retrieve", "ocr"}
    assert _library(dossier_id)["dossier"][0] == "processing"
    assert len(_page_tasks(stopped["flow_run_id"])) == 2

    (full,) = _process(scan, "--out", tmp_path / "o2")  # no --engine: goes on with tesseract
    assert full["dossier_id"] == dossier_id and full["status"] in DONE, full
    assert full["stages"] == {"retrieve": "ran", "ocr": "skipped", "structure": "ran",
                              "validate": "ran", "load": "ran", "supervise": "ran",
                              "suggest": "ran", "review": "ran"}
    assert _page_tasks(full["flow_run_id"]) == []
    for name in OUTPUT_FILES:
        assert (tmp_path / "o2" / dossier_id / name).exists(), name
    card = json.loads((tmp_path / "o2" / dossier_id / "case.json").read_text("utf-8"))
    assert card["case"]["charges"], "the case was structured from the stored OCR"
    pages = json.loads((tmp_path / "o2" / dossier_id / "pages.json").read_text("utf-8"))
    assert {p["engine"] for p in pages} == {"tesseract"}
    manifest = load_manifest(get_store(), dossier_id)
    assert manifest is not None and manifest.is_finished and manifest.stopped_after is None
    library = _library(dossier_id)
    assert library["dossier"] == (full["status"], full["reason"]) and library["case"]


def test_a_second_run_into_a_new_out_writes_every_output_file(tmp_path: Path) -> None:
    upload = _text_pdf(tmp_path, 51, "第二次.pdf")
    (first,) = _process(upload, "--out", tmp_path / "first")
    assert first["status"] in DONE
    before = _library(first["dossier_id"])

    copy = tmp_path / "另一个名字.pdf"
    copy.write_bytes(upload.read_bytes())
    (again,) = _process(copy, "--out", tmp_path / "again")
    assert again["dossier_id"] == first["dossier_id"]
    assert again["status"] == first["status"]
    assert again["reason"].split(";")[0] == "duplicate"
    assert again["stages"] == {}  # nothing ran again
    for name in OUTPUT_FILES:
        assert ((tmp_path / "again" / again["dossier_id"] / name).read_bytes()
                == (tmp_path / "first" / first["dossier_id"] / name).read_bytes()), name
    assert _library(first["dossier_id"]) == before


def _case_rights(grant: bool) -> None:
    """The fault and its fix: the library role loses, then regains, its rights on ``cases``
    (the role owns the table but is no superuser, so the revoke bites)."""
    statement = ("GRANT ALL ON TABLE cases TO CURRENT_USER" if grant
                 else "REVOKE ALL ON TABLE cases FROM CURRENT_USER")
    engine = sa.create_engine(db.database_url(), poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()
    db.dispose_engines()  # pooled connections may hold cached plans


def test_a_retry_after_a_failure_in_load_reads_no_page(tmp_path: Path) -> None:
    upload = _text_pdf(tmp_path, 52, "重试.pdf")
    db.upgrade(db.database_url())
    _case_rights(grant=False)
    try:
        (failed,) = _process(upload, "--out", tmp_path / "failed")
    finally:
        _case_rights(grant=True)
    assert failed["status"] == "needs_review" and "flow failed" in failed["reason"]
    dossier_id = dossier_id_for(hashlib.sha256(upload.read_bytes()).hexdigest())
    assert _library(dossier_id) == {"dossier": ("processing", None), "case": None,
                                    "statutes": [], "persons": []}
    manifest = load_manifest(get_store(), dossier_id)
    assert manifest is not None and not manifest.is_finished
    assert set(manifest.stages) == {"retrieve", "ocr", "structure", "validate"}
    first_run = manifest.stages["ocr"].flow_run_id or ""
    assert len(_page_tasks(first_run)) == 3

    (retried,) = _process(upload, "--out", tmp_path / "retried")
    assert retried["dossier_id"] == dossier_id and retried["status"] in DONE
    assert retried["stages"] == {"retrieve": "ran", "ocr": "skipped", "structure": "skipped",
                                 "validate": "skipped", "load": "ran", "supervise": "ran",
                              "suggest": "ran", "review": "ran"}
    retry_run = retried["flow_run_id"]
    assert retry_run != first_run
    assert _page_tasks(retry_run) == []  # the OCR task count of the retry is 0
    logs = _logs(retry_run, "stage validate skipped")
    for stage in ("ocr", "structure", "validate"):
        assert any(f"stage {stage} skipped" in m for m in logs), (stage, logs)
    summary = summary_artifact(retry_run)
    assert summary is not None and "skipped: ocr, structure, validate" in str(summary.data)
    for name in OUTPUT_FILES:
        assert (tmp_path / "retried" / dossier_id / name).exists(), name
    assert _library(dossier_id)["case"] is not None


def _reprocess(*args: str) -> str:
    result = CliRunner().invoke(app, ["reprocess", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_reprocess_from_structure_changes_the_cards_of_the_older_extractor_only(
    tmp_path: Path,
) -> None:
    import tasks.nlp.case_card as case_card
    from tasks.stages import chain, structure

    current_stages = chain.stages()
    real_build = case_card.build_case_card

    def older_build(*args, **kwargs):  # the older extractor did not read statutes
        card = real_build(*args, **kwargs)
        card.case.statutes = []
        return card

    # Its code was other code: the structure stage's fingerprint differs from today's.
    older = dataclasses.replace(structure.STAGE, code=("tests/flows/test_resume.py",))
    older_upload = _text_pdf(tmp_path, 53, "旧版本.pdf")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(case_card, "build_case_card", older_build)
        patch.setattr(chain, "stages", lambda: tuple(
            older if s.name == "structure" else s for s in current_stages))
        (old_line,) = _process(older_upload, "--out", tmp_path / "older")
    (new_line,) = _process(_text_pdf(tmp_path, 54, "新版本.pdf"), "--out", tmp_path / "newer")
    old_id, new_id = old_line["dossier_id"], new_line["dossier_id"]
    assert old_line["status"] in DONE and new_line["status"] in DONE
    old_before, new_before = _library(old_id), _library(new_id)
    assert old_before["statutes"] == [] and new_before["statutes"]

    output = _reprocess("--all", "--from", "structure", "--if-older")
    assert f"passed over {new_id}: structure is current" in output
    assert "statutes: 1 cards changed" in output
    old_after = _library(old_id)
    assert old_after["statutes"], "the current extractor reads the statutes"
    assert old_after["case"][1] != old_before["case"][1]  # another card
    assert _library(new_id) == new_before  # not a row of the other dossier moved
    card = json.loads(get_store().get_bytes(f"nlp/{old_id}/case.json"))
    assert card["case"]["statutes"]
    manifest = load_manifest(get_store(), old_id)
    assert manifest is not None
    assert manifest.stages["structure"].code_version == structure.STAGE.code_version
    assert manifest.stages["load"].flow_run_id != manifest.stages["ocr"].flow_run_id

    # Nothing older left: --if-older picks nothing; forced, an unchanged card moves no row.
    assert "reprocessed 0 dossiers" in _reprocess("--all", "--from", "structure", "--if-older")
    output = _reprocess(new_id, "--from", "structure")
    assert "0 cards changed" in output and _library(new_id) == new_before

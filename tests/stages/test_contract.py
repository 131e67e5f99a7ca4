"""The stage contract: run by dossier id, record, skip when nothing changed; the registry;
which pages a rerun reads again; what makes a dossier finished."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from minio_buckets import empty_bucket, temporary_bucket_store

from dossier.store.base import ObjectStore
from dossier.store.local import LocalStore
from schemas.case_card import CaseCard, DocumentRef, Statute
from schemas.manifest import Manifest, StageRecord
from schemas.ocr import PageOcr
from tasks.lineage import load_manifest, save_manifest
from tasks.ocr.engines import engine_version
from tasks.stages import chain, contract
from tasks.stages.contract import (
    Stage,
    StageContext,
    StageResult,
    by_id,
    code_fingerprint,
    run_stage,
    stale,
)
from tasks.stages.page_ocr import pending_pages
from tasks.stages.pages import keep_page_record
from tasks.stages.reprocess import CARD_FIELDS, changed_fields

DOSSIER = "d00000000000000aa"
SHA = "a" * 64


@pytest.fixture(scope="module")
def minio_store(services_env: dict[str, str]) -> Iterator[ObjectStore]:
    with temporary_bucket_store(services_env, "test-contract") as store:
        yield store


@pytest.fixture(params=["local", pytest.param("minio", marks=pytest.mark.services)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    """An empty store of each backend (MinIO: what a listing returns beside each key)."""
    if request.param == "local":
        store: ObjectStore = LocalStore(tmp_path / "store")
    else:
        store = request.getfixturevalue("minio_store")
        empty_bucket(store)  # type: ignore[arg-type]
    save_manifest(store, Manifest(dossier_id=DOSSIER, sha256=SHA, filename="卷.pdf", size=1,
                                  page_count=3, status="processing"))
    return store


def _upper(ctx: StageContext) -> StageResult:
    text = ctx.store.get_bytes(f"in/{ctx.dossier_id}.txt").decode()
    suffix = ctx.params.get("suffix", "")
    ctx.store.put_bytes(f"out/{ctx.dossier_id}.txt", (text.upper() + suffix).encode())
    return StageResult(note=f"{len(text)} chars")


UPPER = Stage(
    name="upper",
    code=("tests/stages/test_contract.py",),
    inputs=lambda ctx: [f"in/{ctx.dossier_id}.txt"],
    outputs=lambda ctx: [f"out/{ctx.dossier_id}.txt"],
    params=("suffix",),
    run=_upper,
)


def test_a_stage_runs_records_and_then_skips(store: ObjectStore) -> None:
    store.put_bytes(f"in/{DOSSIER}.txt", b"abc")
    first = run_stage(store, DOSSIER, UPPER)
    assert (first.ran, first.reason, first.note) == (True, "no record", "3 chars")
    manifest = load_manifest(store, DOSSIER)
    assert manifest is not None
    record = manifest.stages["upper"]
    assert [(i.key, i.sha256) for i in record.inputs] == [
        (f"in/{DOSSIER}.txt", store.stat(f"in/{DOSSIER}.txt").sha256)]
    assert [(o.key, o.size) for o in record.outputs] == [(f"out/{DOSSIER}.txt", 3)]
    assert record.code_version == UPPER.code_version and record.build

    second = run_stage(store, DOSSIER, UPPER)
    assert (second.ran, second.reason) == (False, "inputs, parameters and code unchanged")
    assert second.line() == "upper skipped (inputs, parameters and code unchanged)"

    store.put_bytes(f"in/{DOSSIER}.txt", b"abcd")
    assert run_stage(store, DOSSIER, UPPER).reason == "inputs changed (1 of 1)"
    assert store.get_bytes(f"out/{DOSSIER}.txt") == b"ABCD"

    store.delete(f"out/{DOSSIER}.txt")
    assert run_stage(store, DOSSIER, UPPER).reason == "outputs missing or changed (1)"

    assert run_stage(store, DOSSIER, UPPER, params={"suffix": "!"}).reason == \
        "parameters changed"
    assert store.get_bytes(f"out/{DOSSIER}.txt") == b"ABCD!"
    assert not run_stage(store, DOSSIER, UPPER, params={"suffix": "!"}).ran

    other_code = dataclasses.replace(UPPER, code=("tests/stages/test_workspace.py",))
    assert run_stage(store, DOSSIER, other_code, params={"suffix": "!"}).reason.startswith(
        "code changed")
    assert run_stage(store, DOSSIER, other_code, True, params={"suffix": "!"}).reason == "forced"


def test_a_plain_function_by_dossier_id_is_a_run_function(store: ObjectStore) -> None:
    def count_dossier(store: ObjectStore, dossier_id: str, settings: object = None) -> int:
        text = store.get_bytes(f"in/{dossier_id}.txt")
        store.put_json(f"count/{dossier_id}.json", {"chars": len(text)})
        return len(text)

    store.put_bytes(f"in/{DOSSIER}.txt", b"abc")
    counter = dataclasses.replace(UPPER, name="count", run=by_id(count_dossier),
                                  outputs=lambda ctx: [f"count/{ctx.dossier_id}.json"])
    assert run_stage(store, DOSSIER, counter).ran
    assert store.get_json(f"count/{DOSSIER}.json") == {"chars": 3}
    assert not run_stage(store, DOSSIER, counter).ran


def test_a_stage_that_fails_leaves_no_record(store: ObjectStore) -> None:
    store.put_bytes(f"in/{DOSSIER}.txt", b"abc")
    run_stage(store, DOSSIER, UPPER)

    def broken(ctx: StageContext) -> StageResult:
        ctx.store.put_bytes(f"out/{ctx.dossier_id}.txt", b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        run_stage(store, DOSSIER, dataclasses.replace(UPPER, run=broken), True)
    manifest = load_manifest(store, DOSSIER)
    assert manifest is not None and "upper" not in manifest.stages
    assert run_stage(store, DOSSIER, UPPER).reason == "no record"


def test_the_code_version_follows_the_declared_files_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    (root / "pkg" / "data").mkdir(parents=True)
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "uncommitted").mkdir()
    (root / "pkg" / "rules.py").write_text("X = 1\n")
    (root / "pkg" / "data" / "charges.txt").write_text("盗窃罪\n")
    (root / "other.py").write_text("Y = 1\n")
    monkeypatch.setattr(contract, "PROJECT_ROOT", root)

    def version() -> str:
        code_fingerprint.cache_clear()
        return code_fingerprint(("pkg/",), ("pydantic",))

    first = version()
    (root / "pkg" / "__pycache__" / "rules.cpython-311.pyc").write_bytes(b"\0")
    (root / "pkg" / "uncommitted" / "run.json").write_text("{}")
    (root / "other.py").write_text("Y = 2\n")
    assert version() == first  # caches, tool output and undeclared code do not count
    (root / "pkg" / "data" / "charges.txt").write_text("盗窃罪\n诈骗罪\n")
    assert version() != first  # a data file of the package does
    second = version()
    (root / "pkg" / "rules.py").write_text("X = 2\n")
    assert version() != second
    code_fingerprint.cache_clear()
    assert code_fingerprint(("pkg/",), ("pydantic",)) != code_fingerprint(("pkg/",))


def test_the_registered_chain() -> None:
    after_load = ["supervise", "suggest", "review"]
    assert chain.stage_names() == ("retrieve", "ocr", "structure", "validate", "load",
                                   *after_load)
    assert chain.reprocessable_names() == ("structure", "validate", "load", *after_load)
    assert [s.name for s in chain.stages_from("validate")] == ["validate", "load", *after_load]
    for stage in chain.stages():
        for spec in stage.code:  # a typo would silently drop code from the fingerprint
            path = contract._code_path(spec)
            assert contract._files(path), f"{stage.name}: {spec} ({path}) holds no file"
    versions = {s.name: s.code_version for s in chain.stages()}
    assert len(set(versions.values())) == len(versions)
    with pytest.raises(KeyError, match="no stage 'sugest'"):
        chain.get_stage("sugest")


def test_stale_is_the_code_version_of_that_stage() -> None:
    stage = chain.get_stage("structure")
    manifest = Manifest(dossier_id=DOSSIER, sha256=SHA, filename="x", size=1)
    assert stale(manifest, stage)
    manifest.stages["structure"] = StageRecord(stage="structure", code_version="0123456789abcdef")
    assert stale(manifest, stage)
    manifest.stages["structure"].code_version = stage.code_version
    assert not stale(manifest, stage)


def _keep(store: ObjectStore, page: int, *, source: str = "ocr", status: str = "ok",
          engine: str = "rapidocr", sha: str = SHA, image: bool = True) -> None:
    record = PageOcr(dossier_id=DOSSIER, page=page, source=source, status=status,  # type: ignore[arg-type]
                     engine=None if source == "text-layer" else engine,
                     engine_version=None if source == "text-layer" else engine_version(engine))
    keep_page_record(store, record, engine, sha)
    if image:
        store.put_bytes(f"pages/{DOSSIER}/page-{page:04d}.png", b"png")


def test_a_rerun_reads_only_the_pages_not_kept_for_these_bytes_and_engine(
    store: ObjectStore,
) -> None:
    manifest = load_manifest(store, DOSSIER)
    assert manifest is not None
    assert pending_pages(store, manifest, "rapidocr") == [1, 2, 3]
    _keep(store, 1)
    _keep(store, 2, source="text-layer")
    _keep(store, 3, status="failed", image=False)
    assert pending_pages(store, manifest, "rapidocr") == [3]  # a failed page is read again
    # Another engine: OCR'd pages again, the text layer (no engine) not.
    assert pending_pages(store, manifest, "tesseract") == [1, 3]
    _keep(store, 3)
    assert pending_pages(store, manifest, "rapidocr") == []
    _keep(store, 1, sha="b" * 64)  # read from other bytes
    store.delete(f"pages/{DOSSIER}/page-0002.png")  # the reviewers' image is gone
    assert pending_pages(store, manifest, "rapidocr") == [1, 2]


def test_finished_means_a_run_went_through_the_chain() -> None:
    def manifest(**fields: object) -> Manifest:
        return Manifest(dossier_id=DOSSIER, sha256=SHA, filename="x", size=1, **fields)  # type: ignore[arg-type]

    structured = {"structure": StageRecord(stage="structure", code_version="x")}
    assert manifest(status="ok", finished=True).is_finished
    assert not manifest(status="ok", finished=False).is_finished  # a later stage failed
    assert not manifest(status="processing", finished=False, stopped_after="ocr").is_finished
    assert manifest(status="rejected").is_finished
    # Written before `finished` existed: an early stop was recorded `ok`, unstructured.
    assert manifest(status="needs_review", stages=structured).is_finished
    assert not manifest(status="ok").is_finished


def test_changed_fields_of_two_cards() -> None:
    refs = [DocumentRef(type="起诉书", title="起诉书", pages=(1, 2), confidence=0.9)]
    before = CaseCard(dossier_id=DOSSIER, documents=refs)
    before.case.charges = ["盗窃罪"]
    after = before.model_copy(deep=True)
    assert changed_fields(before, after) == []
    after.case.statutes = [Statute(article=264)]
    after.documents = [refs[0].model_copy(update={"pages": (1, 3)})]
    assert changed_fields(before, after) == ["statutes", "documents"]
    assert changed_fields(None, after) == list(CARD_FIELDS)

"""Retrieve and quarantine on a real store: the local directory, and MinIO when it runs."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from dossier.samples import formats
from dossier.settings import Settings
from dossier.store.base import ObjectStore
from dossier.store.keys import manifest_key
from intake.marks import DPI
from schemas.manifest import Manifest
from tasks.intake.paginate import count_pages
from tasks.intake.rejection import RejectedInput, masked_filename
from tasks.intake.retrieve import quarantine, retrieve

# As macOS sends it: decomposed. Keys must come out composed (NFC).
CHINESE_NAME = unicodedata.normalize("NFD", "张某盗窃案卷宗（第一卷）.pdf")


@pytest.fixture
def scan(pages: list[Image.Image], tmp_path: Path) -> Path:
    return formats.write_scanned_pdf(pages[:2], tmp_path / "scan.pdf", dpi=DPI)


def _keys(store: ObjectStore, prefix: str = "") -> list[str]:
    return [info.key for info in store.list(prefix)]


def test_retrieve_from_incoming(store: ObjectStore, scan: Path, settings: Settings) -> None:
    data = scan.read_bytes()
    store.put_bytes(f"incoming/{CHINESE_NAME}", data)
    result = retrieve(store, f"incoming/{CHINESE_NAME}", settings)

    sha256 = hashlib.sha256(data).hexdigest()
    name = unicodedata.normalize("NFC", CHINESE_NAME)
    assert result.sha256 == sha256
    assert result.dossier_id == "d" + sha256[:16]
    assert result.size == len(data)
    assert result.upload == result.filename == name
    assert result.format == "pdf"
    assert result.duplicate is False
    assert result.original_key == f"originals/{result.dossier_id}/{name}"
    assert store.get_bytes(result.original_key) == data
    assert store.stat(result.original_key).sha256 == sha256

    manifest = Manifest.model_validate(store.get_json(manifest_key(result.dossier_id)))
    assert manifest.status == "received"
    # The name as given is the original's key; the manifest, shown to operators, masks it.
    assert manifest.filename == masked_filename(name) != name
    assert manifest.original_key == result.original_key
    [output] = manifest.stages["retrieve"].outputs
    assert (output.key, output.sha256, output.size) == (result.original_key, sha256, len(data))


def test_retrieve_from_a_local_path(store: ObjectStore, scan: Path, settings: Settings) -> None:
    local = scan.rename(scan.with_name(CHINESE_NAME))
    result = retrieve(store, local, settings)
    assert result.filename == unicodedata.normalize("NFC", CHINESE_NAME)
    assert store.get_bytes(result.original_key) == local.read_bytes()
    assert _keys(store, "incoming/") == []


def test_same_bytes_are_one_dossier(store: ObjectStore, scan: Path, settings: Settings) -> None:
    first = retrieve(store, scan, settings)
    # An interrupted run: the manifest is not finished, so the upload is taken up again.
    again = scan.rename(scan.with_name("重新上传.pdf"))
    second = retrieve(store, again, settings)
    assert second.duplicate is False
    assert second.dossier_id == first.dossier_id
    assert second.original_key == first.original_key  # no second copy under another name
    assert _keys(store, f"originals/{first.dossier_id}/") == [first.original_key]

    # Loaded, but the run did not reach the end of its chain (a later stage failed, or
    # it was stopped early): not done, the next run goes on.
    loaded = first.manifest.model_copy(update={"status": "ok", "finished": False})
    store.put_json(manifest_key(first.dossier_id), loaded.model_dump(mode="json"))
    assert retrieve(store, again, settings).duplicate is False

    finished = first.manifest.model_copy(update={"status": "ok", "finished": True})
    store.put_json(manifest_key(first.dossier_id), finished.model_dump(mode="json"))
    third = retrieve(store, again, settings)
    assert third.duplicate is True
    assert third.manifest.status == "ok"
    assert third.dossier_id == first.dossier_id


@pytest.mark.parametrize(
    ("content", "reason", "limit"),
    [
        (b"", "empty", None),
        (b"%PDF-1.7\n" + b"0" * 500 + b"\n%%EOF\n", "too_large", 100),
        ("只是一段文字，不是卷宗。".encode(), "unsupported_format", None),
    ],
)
def test_refused_before_anything_is_kept(
    content: bytes, reason: str, limit: int | None, store: ObjectStore, tmp_path: Path
) -> None:
    limits = {"max_upload_bytes": limit} if limit else {}
    settings = Settings(data_dir=tmp_path / "data", **limits)
    store.put_bytes("incoming/upload.pdf", content)
    with pytest.raises(RejectedInput) as rejected:
        retrieve(store, "incoming/upload.pdf", settings)
    assert rejected.value.reason == reason
    assert _keys(store, "originals/") == []
    assert _keys(store, "manifests/") == []


def test_quarantine_with_reason_file(
    store: ObjectStore, tmp_path: Path, settings: Settings
) -> None:
    """An encrypted PDF passes retrieve, is refused by paginate, and lands in quarantine."""
    encrypted = formats.write_encrypted_pdf(["侦查卷宗，加密导出。" * 4], tmp_path / "x.pdf")
    data = encrypted.read_bytes()
    upload_key = f"incoming/{CHINESE_NAME}"
    store.put_bytes(upload_key, data)
    result = retrieve(store, upload_key, settings)
    local = store.download(result.original_key, tmp_path / "original.pdf")
    with pytest.raises(RejectedInput) as rejected:
        count_pages(local, settings)
    assert rejected.value.reason == "encrypted"

    record = quarantine(store, result.upload, upload_key, rejected.value.reason,
                        rejected.value.message)
    name = unicodedata.normalize("NFC", CHINESE_NAME)
    assert record.upload_id.startswith("u") and len(record.upload_id) == 17
    assert record.key == f"quarantine/{record.upload_id}/upload"
    assert record.reason_key == f"quarantine/{record.upload_id}/reason.json"
    assert record.kept == "upload"
    assert store.get_bytes(record.key) == data
    reason_file = store.get_json(record.reason_key)
    assert isinstance(reason_file, dict)
    assert reason_file["reason"] == "encrypted"
    assert reason_file["label"] == "文件已加密"
    assert reason_file["message"] == rejected.value.message
    assert reason_file["sha256"] == hashlib.sha256(data).hexdigest()
    assert reason_file["size"] == len(data)
    assert reason_file["upload"] == name
    assert datetime.fromisoformat(reason_file["quarantined_at"]).tzinfo is not None

    manifest = Manifest.model_validate(store.get_json(manifest_key(result.dossier_id)))
    assert manifest.status == "rejected"
    assert manifest.reason == "encrypted"
    assert set(manifest.stages) == {"retrieve", "quarantine"}

    # The same bytes again are recognised as done, not refused anew.
    store.put_bytes("incoming/again.pdf", data)
    again = retrieve(store, "incoming/again.pdf", settings)
    assert again.duplicate is True
    assert again.manifest.status == "rejected"


def test_quarantine_of_an_upload_retrieve_refused(store: ObjectStore, settings: Settings) -> None:
    store.put_bytes("incoming/空白.pdf", b"")
    with pytest.raises(RejectedInput) as rejected:
        retrieve(store, "incoming/空白.pdf", settings)
    record = quarantine(store, "空白.pdf", "incoming/空白.pdf", rejected.value.reason,
                        rejected.value.message)
    assert record.reason == "empty"
    assert store.get_bytes(f"quarantine/{record.upload_id}/upload") == b""
    assert store.get_json(record.reason_key)["upload"] == "空白.pdf"
    assert _keys(store, "originals/") == []
    manifest = Manifest.model_validate(store.get_json(manifest_key(record.dossier_id)))
    assert (manifest.status, manifest.reason, manifest.original_key) == ("rejected", "empty", None)


def test_quarantine_refuses_unknown_reasons(store: ObjectStore, scan: Path) -> None:
    with pytest.raises(ValueError, match="unknown rejection reason"):
        quarantine(store, "x.pdf", scan, "virus", "no such code")  # type: ignore[arg-type]
    assert _keys(store) == []

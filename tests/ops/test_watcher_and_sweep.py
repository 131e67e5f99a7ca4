"""The watcher's decoding and event ids, the watcher on real MinIO, the sweep's notion of done."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

import pytest

from dossier.samples import formats
from dossier.samples.dossier import make_sample_dossier
from dossier.store.local import LocalStore
from flows.sweep_incoming import sha256_of, upload_state
from infra.services_env import MINIO_ACCESS_KEY, MINIO_ENDPOINT, MINIO_SECRET_KEY
from infra.watcher import (
    UploadedObject,
    decode_key,
    uploaded_event_id,
    uploaded_objects,
    watch,
)
from tasks.intake.retrieve import dossier_id_for
from tasks.stages.intake import take_in


def _record(event: str, key: str, etag: str = "abc", bucket: str = "b") -> dict:
    return {"eventName": event,
            "s3": {"bucket": {"name": bucket}, "object": {"key": key, "eTag": etag, "size": 3}}}


def test_keys_are_url_decoded_and_nfc() -> None:
    assert decode_key("incoming/%E8%B5%B7%E8%AF%89+%E4%B9%A6%2B1.pdf") == "incoming/起诉 书+1.pdf"
    decomposed = "incoming/" + "e\u0301.pdf"  # macOS uploads arrive decomposed
    assert decode_key(decomposed) == "incoming/\u00e9.pdf"


def test_only_objects_created_under_the_prefix_count() -> None:
    notification = {"Records": [
        _record("s3:ObjectCreated:Put", "incoming/%E5%8D%B7%E5%AE%97.pdf"),
        _record("s3:ObjectCreated:Put", "originals/d1/x.pdf"),
        _record("s3:ObjectAccessed:Head", "watcher/heartbeat"),
        _record("s3:ObjectCreated:Put", "incoming/folder/"),
        _record("s3:ObjectRemoved:Delete", "incoming/gone.pdf"),
    ]}
    found = list(uploaded_objects(notification))
    assert [o.key for o in found] == ["incoming/卷宗.pdf"]
    assert found[0].masked == "incoming/卷*.pdf"


def test_event_ids_collapse_duplicates_but_not_new_content() -> None:
    first = uploaded_event_id("b", "incoming/a.pdf", '"etag1"')
    assert first == uploaded_event_id("b", "incoming/a.pdf", "etag1")  # quoted or not
    assert first != uploaded_event_id("b", "incoming/a.pdf", "etag2")
    assert first != uploaded_event_id("other", "incoming/a.pdf", "etag1")
    assert UploadedObject("b", "incoming/a.pdf", "etag1").event_id == first


@pytest.mark.services
def test_the_watcher_announces_a_lone_upload_on_real_minio(services_env: dict[str, str]) -> None:
    """One upload and nothing else: the heartbeat pushes MinIO's buffered event out."""
    from dossier.store.minio_store import MinioStore

    bucket = f"dossiers-watch-{secrets.token_hex(4)}"
    store = MinioStore(endpoint=services_env[MINIO_ENDPOINT],
                       access_key=services_env[MINIO_ACCESS_KEY],
                       secret_key=services_env[MINIO_SECRET_KEY], bucket=bucket)
    seen: list[UploadedObject] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch, args=(store.client, bucket),
        kwargs={"emit": lambda obj: seen.append(obj) or True, "stop": stop}, daemon=True)
    thread.start()
    try:
        time.sleep(3)  # the subscription is open before the upload
        info = store.put_bytes("incoming/起诉书 第1卷.pdf", b"%PDF-1.4 not really")
        deadline = time.monotonic() + 30
        while not seen and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [o.key for o in seen] == ["incoming/起诉书 第1卷.pdf"]
        assert seen[0].bucket == bucket and seen[0].etag
        assert info.size == seen[0].size
    finally:
        stop.set()
        thread.join(timeout=10)
        for obj in store.client.list_objects(bucket, recursive=True):
            store.client.remove_object(bucket, obj.object_name)
        store.client.remove_bucket(bucket)


def test_done_means_finished_manifest_or_this_upload_quarantined(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    texts = [t for t in make_sample_dossier(5).pages if t][-1:]
    good = formats.write_text_pdf(texts, tmp_path / "good.pdf")
    locked = formats.write_encrypted_pdf(texts, tmp_path / "locked.pdf")
    for path in (good, locked):
        store.put_file(f"incoming/{path.name}", path)
    infos = {i.key: i for i in store.list("incoming/")}
    good_info, locked_info = infos["incoming/good.pdf"], infos["incoming/locked.pdf"]

    assert not upload_state(store, good_info).done
    assert not upload_state(store, locked_info).done

    assert take_in(store, "incoming/locked.pdf").status == "rejected"
    assert upload_state(store, locked_info).done

    accepted = take_in(store, "incoming/good.pdf")  # retrieved, not finished: a crashed run
    assert accepted.status == "accepted"
    state = upload_state(store, good_info)
    assert state.dossier_id == accepted.dossier_id and not state.done
    manifest = store.get_json(f"manifests/{accepted.dossier_id}.json")
    # Loaded, but its run did not reach the end of the chain (stopped early, or a later
    # stage failed): not done, the sweep starts a run that goes on from there.
    store.put_json(f"manifests/{accepted.dossier_id}.json", {**manifest, "status": "ok"})
    assert not upload_state(store, good_info).done
    store.put_json(f"manifests/{accepted.dossier_id}.json",
                   {**manifest, "status": "ok", "finished": True})
    assert upload_state(store, good_info).done

    # New bytes under the quarantined name: the old record names another dossier.
    fresh = formats.write_text_pdf([t for t in make_sample_dossier(5).pages if t][:1],
                                   tmp_path / "fresh.pdf")
    store.put_file("incoming/locked.pdf", fresh)
    replaced = store.stat("incoming/locked.pdf")
    assert dossier_id_for(sha256_of(store, replaced)) != dossier_id_for(locked_info.sha256 or "")
    assert not upload_state(store, replaced).done

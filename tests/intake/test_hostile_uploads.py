"""Hostile uploads through intake on a real store: each refused with its reason and kept in
quarantine, or (where it is readable) taken in and paged safely; nothing leaks, nothing
hangs, quarantine keys never collide, and memory stays within the flow's share."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from minio.error import S3Error

from dossier.settings import FLOW_MIB, Settings
from dossier.store.base import ObjectStore
from dossier.store.keys import original_key, quarantine_head_key, quarantine_reason_key
from dossier.store.local import LocalStore
from flows.sweep_incoming import upload_state
from intake.hostile_corpus import SECRET, Hostile, build_corpus
from intake.marks import DPI
from tasks.intake.paginate import load_page
from tasks.intake.quarantine import KEEP_HEAD_BYTES
from tasks.intake.rejection import RejectedInput
from tasks.intake.source import open_local_upload
from tasks.lineage import load_manifest
from tasks.stages.intake import take_in
from tasks.stages.workspace import local_original

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Hostile]]:
    root = tmp_path_factory.mktemp("hostile")
    secret = root / "services.env"
    secret.write_bytes(SECRET)
    return root, build_corpus(root / "uploads", secret)


def _all_bytes(store: ObjectStore) -> Iterator[bytes]:
    for info in store.list():
        yield store.get_bytes(info.key)


def test_every_hostile_upload_is_refused_with_its_reason_or_read_safely(
    corpus_dir: tuple[Path, list[Hostile]], tmp_path: Path
) -> None:
    _, corpus = corpus_dir
    settings = Settings(data_dir=tmp_path / "data", render_dpi=DPI)
    store = LocalStore(settings.data_dir / "store")
    outcomes = {}
    for upload in corpus:
        outcome = take_in(store, upload.path, settings)
        outcomes[upload.name] = (outcome.reason or outcome.status)
        if upload.expect == "accepted":
            assert outcome.status == "accepted", (upload.name, outcome)
            assert outcome.page_count == upload.pages, upload.name
            original = local_original(store, outcome.original_key, outcome.sha256, settings)
            for number in range(1, upload.pages + 1):
                assert load_page(original, number, settings).image.size[0] >= 1
            continue
        assert outcome.status == "rejected", (upload.name, outcome)
        assert outcome.reason == upload.expect, (upload.name, outcome.message)
        assert outcome.message and "Traceback" not in outcome.message
        # Kept in quarantine with its reason, and recorded as a finished (rejected) dossier.
        records = [store.get_json(i.key) for i in store.list("quarantine/")
                   if i.key.endswith("/reason.json")]
        [record] = [r for r in records if r["upload"] == outcome.upload]
        assert record["reason"] == upload.expect and record["label"]
        manifest = load_manifest(store, record["dossier_id"])
        assert manifest is not None and manifest.status == "rejected"
        if upload.expect == "not_regular_file":
            assert record["kept"] == "none" and record["key"] is None
        else:
            assert record["kept"] == "upload"
            assert store.get_bytes(record["key"]) == upload.path.read_bytes()
    assert outcomes == {u.name: u.expect for u in corpus}
    # Nothing a link pointed at reached the store; names with control characters are
    # kept without them, and a 253-byte name is cut to fit the local store (250 bytes).
    assert not any(SECRET in data for data in _all_bytes(store))
    originals = [i.key for i in store.list("originals/")]
    assert any(k.endswith("/page[31mred.png") for k in originals)
    assert all(len(k.rsplit("/", 1)[1].encode()) <= 250 for k in originals)


def test_refused_uploads_of_one_name_never_overwrite_each_other(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = LocalStore(tmp_path / "store")
    first, second = tmp_path / "a" / "卷宗.pdf", tmp_path / "b" / "卷宗.pdf"
    for path, content in ((first, b"GIF89a first"), (second, b"")):
        path.parent.mkdir()
        path.write_bytes(content)
    reasons = [take_in(store, path, settings).reason for path in (first, second)]
    assert reasons == ["unsupported_format", "empty"]
    kept = {store.get_json(i.key)["reason"]: store.get_bytes(store.get_json(i.key)["key"])
            for i in store.list("quarantine/") if i.key.endswith("/reason.json")}
    assert kept == {"unsupported_format": b"GIF89a first", "empty": b""}
    # The same upload refused again lands on its own key: nothing new.
    again = take_in(store, first, settings)
    assert again.status == "duplicate" and again.previous_status == "rejected"
    assert len([i for i in store.list("quarantine/") if i.key.endswith("/reason.json")]) == 2


def test_an_oversized_upload_keeps_its_first_bytes_and_size_only(
    store: ObjectStore, tmp_path: Path
) -> None:
    limit = 300_000
    settings = Settings(data_dir=tmp_path / "data", max_upload_bytes=limit)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + os.urandom(limit))  # random: nothing compresses it
    store.put_file("incoming/big.pdf", big)
    info = store.stat("incoming/big.pdf")
    assert not upload_state(store, info, settings).done

    for source in (big, "incoming/big.pdf"):
        outcome = take_in(store, source, settings)
        assert (outcome.status, outcome.reason) == ("rejected", "too_large")
        record = store.get_json(quarantine_reason_key(outcome.dossier_id))
        assert record["kept"] == "head" and record["size"] == big.stat().st_size
        assert record["key"] == quarantine_head_key(outcome.dossier_id)
        assert store.get_bytes(record["key"]) == big.read_bytes()[:KEEP_HEAD_BYTES]
    kept = sum(i.size for i in store.list() if not i.key.startswith("incoming/"))
    assert kept < 2 * KEEP_HEAD_BYTES + 20_000  # two heads, reasons, manifests: no copy
    assert list(store.list("originals/")) == []
    # The sweep knows it is done without reading it whole.
    assert upload_state(store, info, settings).done


def test_a_name_of_300_bytes(store: ObjectStore, tmp_path: Path) -> None:
    """No file system here holds a 300-byte name (ext4 and MinIO's both stop at 255), so
    it cannot arrive as an upload; a name that reaches a key is cut to 250 bytes there
    (the local store's sidecar adds ".json"), its suffix kept, the same on both stores."""
    name = "张" * 98 + "卷宗.pdf"  # 98*3 + 6 + 4 = 304 bytes
    with pytest.raises((OSError, S3Error)):  # ENAMETOOLONG / XMinioInvalidObjectName
        store.put_bytes(f"incoming/{name}", b"%PDF-1.7")
    key = original_key("d0123456789abcdef", name)
    segment = key.rsplit("/", 1)[1]
    assert len(segment.encode()) <= 250 and segment.endswith("张.pdf")
    assert store.put_bytes(key, b"%PDF-1.7").key == key


def test_a_link_or_pipe_swapped_in_after_the_check_is_refused_not_followed(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(SECRET)
    link = tmp_path / "x.pdf"
    link.symlink_to(secret)
    with pytest.raises(RejectedInput, match="symbolic link"):
        open_local_upload(link)
    fifo = tmp_path / "y.pdf"
    os.mkfifo(fifo)
    with pytest.raises(RejectedInput, match="named pipe"):
        open_local_upload(fifo)  # O_NONBLOCK: returns at once, no writer needed


def test_intake_memory_over_the_corpus_stays_within_the_flow_share(
    corpus_dir: tuple[Path, list[Hostile]], tmp_path: Path
) -> None:
    """Intake runs in the flow's process, whose share of the run's budget is FLOW_MIB.

    A fresh process takes in every hostile upload and reports its peak resident memory
    (measured: ~60 MiB).
    """
    _, corpus = corpus_dir
    script = textwrap.dedent(f"""
        import json, re, sys
        from pathlib import Path
        from dossier.settings import Settings
        from dossier.store.local import LocalStore
        from tasks.stages.intake import take_in
        settings = Settings(data_dir=Path({str(tmp_path / 'data')!r}))
        store = LocalStore(settings.data_dir / "store")
        statuses = [take_in(store, Path(p), settings).status for p in json.loads(sys.argv[1])]
        # VmHWM: this process's own peak (ru_maxrss keeps the forked parent's after exec)
        status = Path("/proc/self/status").read_text()
        peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024
        print(json.dumps({{"statuses": statuses, "peak_mib": peak}}))
    """)
    paths = json.dumps([str(u.path) for u in corpus])
    env = {**os.environ, "PYTHONPATH": str(TESTS.parent)}
    done = subprocess.run([sys.executable, "-c", script, paths], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(report["statuses"]) == len(corpus)
    assert report["peak_mib"] < FLOW_MIB, report

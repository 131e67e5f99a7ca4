"""One contract, two backends: whatever a stage does against LocalStore must hold on MinIO."""

from __future__ import annotations

import hashlib
import io
import json
import tracemalloc
import unicodedata
import urllib.request
from pathlib import Path

import pytest

from dossier.store import (
    ImmutableObjectError,
    InvalidKeyError,
    ObjectNotFoundError,
    ObjectStore,
)

BIG = 20 * 1024 * 1024


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PatternStream(io.RawIOBase):
    """``size`` bytes of a repeating, position-dependent pattern, made on demand.

    Generated rather than held, so the memory a put takes is the store's alone.
    """

    BLOCK = bytes(range(256)) * 4096  # 1 MiB

    def __init__(self, size: int) -> None:
        self.size = size
        self.pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = min(len(buffer), self.size - self.pos)
        if n <= 0:
            return 0
        offset = self.pos % len(self.BLOCK)
        n = min(n, len(self.BLOCK) - offset)
        buffer[:n] = self.BLOCK[offset : offset + n]
        self.pos += n
        return n


def pattern_sha256(size: int) -> str:
    digest = hashlib.sha256()
    stream = PatternStream(size)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


# --- round trips ------------------------------------------------------------------


def test_bytes_round_trip_keeps_content_type_metadata_and_hash(store: ObjectStore) -> None:
    data = "起诉书 第一页\n".encode()
    info = store.put_bytes(
        "nlp/d1/raw.txt", data, content_type="text/plain; charset=utf-8",
        metadata={"Filename": "张三 卷宗 100%.pdf", "source": "scan"},
    )
    assert info.key == "nlp/d1/raw.txt"
    assert info.size == len(data)
    assert info.sha256 == sha(data)
    assert store.get_bytes("nlp/d1/raw.txt") == data
    stat = store.stat("nlp/d1/raw.txt")
    assert stat.content_type == "text/plain; charset=utf-8"
    assert stat.metadata == {"filename": "张三 卷宗 100%.pdf", "source": "scan"}


def test_empty_object(store: ObjectStore) -> None:
    info = store.put_bytes("empty/zero", b"")
    assert (info.size, info.sha256) == (0, sha(b""))
    assert store.get_bytes("empty/zero") == b""


def test_stream_round_trip(store: ObjectStore) -> None:
    data = bytes(range(256)) * 1000
    info = store.put_stream("pages/d1/page-0001.png", io.BytesIO(data), content_type="image/png")
    assert (info.size, info.sha256) == (len(data), sha(data))
    with store.open("pages/d1/page-0001.png") as fh:
        assert fh.read(10) == data[:10]
        assert fh.read() == data[10:]
    assert store.stat("pages/d1/page-0001.png").content_type == "image/png"


def test_file_round_trip_and_download(store: ObjectStore, tmp_path: Path) -> None:
    source = tmp_path / "卷宗.pdf"
    data = b"%PDF-1.7\n" + b"x" * 100_000
    source.write_bytes(data)
    info = store.put_file("incoming/卷宗.pdf", source, content_type="application/pdf")
    assert (info.size, info.sha256) == (len(data), sha(data))
    target = store.download("incoming/卷宗.pdf", tmp_path / "out" / "copy.pdf")
    assert target.read_bytes() == data


def test_json_round_trip_keeps_chinese_readable(store: ObjectStore) -> None:
    document = {"court": "河南省禹州市人民法院", "charges": ["盗窃罪"], "months": 42}
    info = store.put_json("nlp/d1/case.json", document)
    assert store.get_json("nlp/d1/case.json") == document
    raw = store.get_bytes("nlp/d1/case.json")
    assert "河南省禹州市人民法院".encode() in raw
    assert info.sha256 == sha(raw)
    assert store.stat("nlp/d1/case.json").content_type == "application/json"
    # Sorted keys: the same document always hashes the same.
    again = store.put_json("nlp/d1/case2.json", dict(reversed(list(document.items()))))
    assert again.sha256 == info.sha256


def test_overwriting_a_mutable_key_replaces_bytes_and_hash(store: ObjectStore) -> None:
    store.put_bytes("ocr/d1/page-0001.json", b"old")
    info = store.put_bytes("ocr/d1/page-0001.json", b"new, longer")
    assert store.get_bytes("ocr/d1/page-0001.json") == b"new, longer"
    assert store.stat("ocr/d1/page-0001.json").sha256 == info.sha256 == sha(b"new, longer")
    assert [o.key for o in store.list("ocr/")] == ["ocr/d1/page-0001.json"]


# --- keys -------------------------------------------------------------------------


def test_nfc_and_nfd_names_map_to_one_key(store: ObjectStore) -> None:
    # Han characters have no decomposition; the accented letters and the Hangul
    # syllable do, which is what a macOS upload changes.
    name = "张三_Café_한글_起诉书.pdf"
    nfc, nfd = unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)
    assert nfc != nfd
    store.put_bytes(f"incoming/{nfd}", b"first")
    store.put_bytes(f"incoming/{nfc}", b"second")
    assert [o.key for o in store.list("incoming/")] == [f"incoming/{nfc}"]
    assert store.get_bytes(f"incoming/{nfd}") == b"second"
    assert store.exists(f"incoming/{nfd}") and store.exists(f"incoming/{nfc}")


BAD_KEYS = [
    "",
    "../escape",
    "a/../../escape",
    "a/./b",
    "/etc/passwd",
    "a\\b",
    "..\\windows",
    "a\x00b",
    "a\nb",
    "a\x1bb",
    "a\x85b",
    "a//b",
    "ends/",
    "x" * 1025,
]


@pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
def test_invalid_keys_are_rejected_everywhere(store: ObjectStore, key: str) -> None:
    store.put_bytes("good/key", b"ok")
    for call in (
        lambda: store.put_bytes(key, b"x"),
        lambda: store.put_stream(key, io.BytesIO(b"x")),
        lambda: store.put_json(key, {}),
        lambda: store.get_bytes(key),
        lambda: store.stat(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
        lambda: store.copy("good/key", key),
        lambda: store.copy(key, "good/other"),
        lambda: store.url(key),
    ):
        with pytest.raises(InvalidKeyError):
            call()
    assert [o.key for o in store.list()] == ["good/key"]


@pytest.mark.parametrize("prefix", ["../", "/abs", "a//", "a\\"])
def test_invalid_prefixes_are_rejected(store: ObjectStore, prefix: str) -> None:
    with pytest.raises(InvalidKeyError):
        list(store.list(prefix))


@pytest.mark.parametrize(
    "metadata", [{"sha256": "0" * 64}, {"bad name": "x"}, {"naïve": "x"}, {"n": 1}]
)
def test_invalid_metadata_is_rejected(store: ObjectStore, metadata: dict) -> None:
    with pytest.raises((ValueError, TypeError)):
        store.put_bytes("meta/x", b"x", metadata=metadata)
    assert not store.exists("meta/x")


# --- stat, exists, missing objects ------------------------------------------------


def test_stat_reports_size_and_sha256(store: ObjectStore) -> None:
    data = "判决书".encode() * 999
    store.put_bytes("nlp/d2/documents.json", data)
    info = store.stat("nlp/d2/documents.json")
    assert (info.size, info.sha256) == (len(data), sha(data))
    assert info.last_modified is not None


def test_missing_objects(store: ObjectStore, tmp_path: Path) -> None:
    assert not store.exists("nothing/here")
    with pytest.raises(ObjectNotFoundError):
        store.stat("nothing/here")
    with pytest.raises(ObjectNotFoundError):
        store.get_bytes("nothing/here")
    with pytest.raises(ObjectNotFoundError):
        store.download("nothing/here", tmp_path / "x")
    with pytest.raises(ObjectNotFoundError):
        store.copy("nothing/here", "somewhere/else")
    with pytest.raises(ObjectNotFoundError):
        store.url("nothing/here")
    assert not store.exists("somewhere/else")


def test_a_prefix_is_not_an_object(store: ObjectStore) -> None:
    store.put_bytes("ocr/d1/page-0001.json", b"{}")
    assert not store.exists("ocr/d1")
    with pytest.raises(ObjectNotFoundError):
        store.get_bytes("ocr/d1")


# --- listing ----------------------------------------------------------------------


def test_list_by_prefix_in_key_order(store: ObjectStore) -> None:
    keys = [
        "ocr/d1/page-0010.json",
        "ocr/d1/page-0002.json",
        "ocr/d10/page-0001.json",
        "ocr/d1/page-0001.json",
        "ocr/d1x",
        "nlp/d1/case.json",
        "originals/d1/卷宗.pdf",
        "originals/d1/A.pdf",
        "quarantine/上传.zip",
        "quarantine/上传.zip.reason.json",
    ]
    for i, key in enumerate(keys):
        store.put_bytes(key, str(i).encode() * (i + 1))

    listed = list(store.list("ocr/d1/"))
    assert [o.key for o in listed] == [
        "ocr/d1/page-0001.json", "ocr/d1/page-0002.json", "ocr/d1/page-0010.json",
    ]
    for info in listed:
        data = store.get_bytes(info.key)
        assert (info.size, info.sha256) == (len(data), sha(data))

    assert [o.key for o in store.list("ocr/d1")] == [
        "ocr/d1/page-0001.json", "ocr/d1/page-0002.json", "ocr/d1/page-0010.json",
        "ocr/d10/page-0001.json", "ocr/d1x",
    ]
    assert [o.key for o in store.list()] == sorted(keys)
    assert [o.key for o in store.list("originals/d1/")] == [
        "originals/d1/A.pdf", "originals/d1/卷宗.pdf",
    ]
    assert [o.key for o in store.list("quarantine/上传")] == [
        "quarantine/上传.zip", "quarantine/上传.zip.reason.json",
    ]
    assert list(store.list("leads/")) == []


# --- copy, immutability, delete ---------------------------------------------------


def test_copy_keeps_bytes_hash_content_type_and_metadata(store: ObjectStore) -> None:
    data = b"%PDF-1.7 original scan"
    store.put_bytes(
        "incoming/上传.pdf", data, content_type="application/pdf",
        metadata={"filename": "上传.pdf"},
    )
    info = store.copy("incoming/上传.pdf", "originals/abc/上传.pdf")
    assert (info.size, info.sha256) == (len(data), sha(data))
    copied = store.stat("originals/abc/上传.pdf")
    assert copied.content_type == "application/pdf"
    assert copied.metadata == {"filename": "上传.pdf"}
    assert copied.sha256 == sha(data)
    assert store.get_bytes("originals/abc/上传.pdf") == data
    assert store.exists("incoming/上传.pdf")


def test_originals_are_immutable(store: ObjectStore) -> None:
    key = "originals/abc/卷宗.pdf"
    store.put_bytes(key, b"the scan")
    # The same bytes again is a rerun, and allowed.
    store.put_bytes(key, b"the scan")
    store.put_stream(key, io.BytesIO(b"the scan"))
    store.put_bytes("incoming/same", b"the scan")
    store.copy("incoming/same", key)

    store.put_bytes("incoming/other", b"other bytes")
    with pytest.raises(ImmutableObjectError):
        store.put_bytes(key, b"tampered")
    with pytest.raises(ImmutableObjectError):
        store.put_stream(key, io.BytesIO(b"tampered"))
    with pytest.raises(ImmutableObjectError):
        store.put_json(key, {"tampered": True})
    with pytest.raises(ImmutableObjectError):
        store.copy("incoming/other", key)
    with pytest.raises(ImmutableObjectError):
        store.delete(key)
    assert store.get_bytes(key) == b"the scan"
    assert store.stat(key).sha256 == sha(b"the scan")


def test_delete(store: ObjectStore) -> None:
    store.put_bytes("pages/d1/page-0001.png", b"png")
    store.put_bytes("pages/d1/page-0002.png", b"png2")
    store.delete("pages/d1/page-0001.png")
    assert not store.exists("pages/d1/page-0001.png")
    with pytest.raises(ObjectNotFoundError):
        store.get_bytes("pages/d1/page-0001.png")
    assert [o.key for o in store.list("pages/")] == ["pages/d1/page-0002.png"]
    # Deleting what is not there is not an error (S3 semantics, and reruns).
    store.delete("pages/d1/page-0001.png")
    store.delete("pages/d1/page-0002.png")
    assert list(store.list()) == []
    # The key can be used again, also as a prefix now that no object holds its name.
    store.put_bytes("pages/d1", b"flat")
    assert store.get_bytes("pages/d1") == b"flat"


# --- large objects and links ------------------------------------------------------


def test_large_stream_is_never_held_whole(store: ObjectStore) -> None:
    expected = pattern_sha256(BIG)
    tracemalloc.start()
    try:
        info = store.put_stream("pages/big/page-0001.png", io.BufferedReader(PatternStream(BIG)))
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        size = 0
        with store.open("pages/big/page-0001.png") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
        _, get_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (info.size, info.sha256) == (BIG, expected)
    assert (size, digest.hexdigest()) == (BIG, expected)
    assert store.stat("pages/big/page-0001.png").sha256 == expected
    # Not held twice, not even once: the peak stays well under the object's size.
    assert put_peak < BIG * 0.75, f"put peak {put_peak / 1e6:.1f} MB"
    assert get_peak < BIG * 0.25, f"get peak {get_peak / 1e6:.1f} MB"


def test_url_serves_the_bytes(store: ObjectStore) -> None:
    data = "检察建议书".encode() * 100
    store.put_bytes("recommendations/（2024）第1号.docx", data)
    url = store.url("recommendations/（2024）第1号.docx", expires_s=600)
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read() == data


def test_listing_carries_the_same_facts_as_stat(store: ObjectStore) -> None:
    store.put_json("manifests/d1.json", {"dossier_id": "d1"})
    store.put_bytes(
        "manifests/d2.bin", b"\x00\x01", metadata={"filename": "清单 2.bin", "stage": "load"}
    )
    listed = list(store.list("manifests/"))
    assert [o.key for o in listed] == ["manifests/d1.json", "manifests/d2.bin"]
    for info in listed:
        stat = store.stat(info.key)
        assert (info.size, info.sha256, info.content_type, info.metadata) == (
            stat.size, stat.sha256, stat.content_type, stat.metadata,
        )
    assert listed[0].content_type == "application/json"
    assert listed[1].metadata == {"filename": "清单 2.bin", "stage": "load"}
    assert json.loads(store.get_bytes("manifests/d1.json")) == {"dossier_id": "d1"}

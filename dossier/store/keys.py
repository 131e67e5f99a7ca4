"""Object keys: validation and the deterministic layout of every stage output.

Keys are the contract between stages and reruns: the same input always lands
under the same key, so a rerun overwrites its own output and nothing else.
"""

from __future__ import annotations

import re
import unicodedata

MAX_KEY_BYTES = 1024
# A file name on ext4/xfs is at most 255 bytes; the local store keeps a segment as one
# file name and its sidecar as the segment plus ".json".
MAX_SEGMENT_BYTES = 255 - len(".json")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
IMMUTABLE_PREFIXES = ("originals/",)


class InvalidKeyError(ValueError):
    """The key could escape its prefix, or would not survive a round trip."""


def validate_key(key: str) -> str:
    """Return the key in NFC form, or raise :class:`InvalidKeyError`.

    NFC because macOS uploads arrive decomposed: without it the same Chinese
    file name would give two different objects.
    """
    if not isinstance(key, str) or not key:
        raise InvalidKeyError("empty key")
    key = unicodedata.normalize("NFC", key)
    if _CONTROL.search(key):
        raise InvalidKeyError("control character in key")
    if "\\" in key:
        raise InvalidKeyError("backslash in key")
    if key.startswith("/"):
        raise InvalidKeyError("absolute key")
    parts = key.split("/")
    if any(p in ("..", ".") for p in parts):
        raise InvalidKeyError("'.' or '..' segment in key")
    if any(p == "" for p in parts[:-1]):
        raise InvalidKeyError("empty segment in key")
    if parts[-1] == "":
        raise InvalidKeyError("key ends with '/'")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidKeyError(f"key longer than {MAX_KEY_BYTES} bytes")
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a key-like string that may end with '/'."""
    if prefix == "":
        return prefix
    trimmed = prefix[:-1] if prefix.endswith("/") else prefix
    return validate_key(trimmed) + ("/" if prefix.endswith("/") else "")


def safe_filename(name: str) -> str:
    """The last path component of an upload name, usable as one key segment."""
    name = _decoded(name)
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip()
    if name in ("", ".", ".."):
        name = "upload"
    return _fit_segment(name)


def _decoded(name: str) -> str:
    """A local file name that was not UTF-8 (Python keeps its bytes as lone surrogates):
    GB18030 first, since Chinese Windows writes GBK names; else U+FFFD for what is not."""
    if not any("\udc80" <= ch <= "\udcff" for ch in name):
        return name
    raw = name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def _fit_segment(name: str) -> str:
    """At most :data:`MAX_SEGMENT_BYTES` of UTF-8, the suffix kept (``….pdf``).

    A directory refuses a longer name (ENAMETOOLONG), and so does MinIO on its file
    system backend: cut here, the one place names become segments, so both stores
    keep the same key.
    """
    if len(name.encode("utf-8")) <= MAX_SEGMENT_BYTES:
        return name
    stem, dot, suffix = name.rpartition(".")
    tail = f".{suffix}" if dot and stem and len(suffix.encode("utf-8")) <= 16 else ""
    body = name[: len(name) - len(tail)]
    budget = MAX_SEGMENT_BYTES - len(tail.encode("utf-8"))
    while len(body.encode("utf-8")) > budget:
        body = body[:-1]
    return body + tail


def incoming_key(upload: str) -> str:
    return validate_key(f"incoming/{upload}")


def original_key(dossier_id: str, filename: str) -> str:
    return validate_key(f"originals/{dossier_id}/{safe_filename(filename)}")


def page_image_key(dossier_id: str, page: int) -> str:
    return validate_key(f"pages/{dossier_id}/page-{page:04d}.png")


def ocr_key(dossier_id: str, page: int) -> str:
    return validate_key(f"ocr/{dossier_id}/page-{page:04d}.json")


def documents_key(dossier_id: str) -> str:
    return validate_key(f"nlp/{dossier_id}/documents.json")


def case_card_key(dossier_id: str) -> str:
    return validate_key(f"nlp/{dossier_id}/case.json")


def validation_key(dossier_id: str) -> str:
    return validate_key(f"quality/{dossier_id}/validation.json")


def manifest_key(dossier_id: str) -> str:
    return validate_key(f"manifests/{dossier_id}.json")


def suggestions_key(dossier_id: str) -> str:
    """Similar cases and the sentencing suggestion of one dossier (issue 13)."""
    return validate_key(f"suggestions/{dossier_id}.json")


def quarantine_key(upload_id: str) -> str:
    """The refused upload's bytes, under its upload id: two uploads never share a key."""
    return validate_key(f"quarantine/{upload_id}/upload")


def quarantine_head_key(upload_id: str) -> str:
    """The first bytes of an upload refused before it was read whole (over the size limit)."""
    return validate_key(f"quarantine/{upload_id}/head")


def quarantine_reason_key(upload_id: str) -> str:
    """The reason file: why, when, and the upload's own name."""
    return validate_key(f"quarantine/{upload_id}/reason.json")


def review_key(dossier_id: str) -> str:
    """The review points of a dossier (审查要点): ``schemas.review.ReviewReport``."""
    return validate_key(f"review/{dossier_id}.json")


def leads_key(run_id: str, model_id: str) -> str:
    """One supervision run's leads of one model (DESIGN.md: leads/runs/<run_id>/)."""
    return validate_key(f"leads/runs/{run_id}/{model_id}.json")


def dossier_leads_key(dossier_id: str) -> str:
    """The case-card models' leads of one dossier (the ``supervise`` stage)."""
    return validate_key(f"leads/{dossier_id}.json")


def feed_batch_prefix(batch: str) -> str:
    return validate_prefix(f"feeds/{batch}/")


def feed_manifest_key(batch: str) -> str:
    """The import manifest of a feed batch (files, sha256, row counts, refused rows)."""
    return validate_key(f"manifests/feeds/{batch}.json")


_NOT_KEY_SAFE = re.compile(r"[\s/\\?#%*:|\"<>]+")


def recommendation_folder(number: str) -> str:
    """A 检察建议's number as one key segment: 示范检刑执建〔2026〕3号 stays as it is
    (the brackets are fine in keys); separators, spaces and URL-special characters
    that a configured 简称 or 部门 might bring become ``_``."""
    return safe_filename(_NOT_KEY_SAFE.sub("_", number)).strip("._") or "recommendation"


def recommendation_key(number: str, suffix: str = "docx") -> str:
    """``recommendations/<number>/<number>.<suffix>`` (docx, txt): a downloaded file
    still says which recommendation it is."""
    folder = recommendation_folder(number)
    return validate_key(f"recommendations/{folder}/{folder}.{suffix}")


def recommendation_reply_key(number: str) -> str:
    """The recipient's reply as recorded by ``dossier recommendations reply``."""
    return validate_key(f"recommendations/{recommendation_folder(number)}/reply.txt")


def is_immutable(key: str) -> bool:
    return key.startswith(IMMUTABLE_PREFIXES)


def notice_key(kind: str, as_of: str, department: str) -> str:
    """A notice to a handling department (issue 16): ``notices/<kind>/<date>/<部门>.md``."""
    return validate_key(f"notices/{kind}/{as_of}/{recommendation_folder(department)}.md")


def case_report_key(stamp: str, suffix: str = "html") -> str:
    """The analysis report (数据研判, issue 16): ``reports/case-management/<stamp>.<suffix>``."""
    return validate_key(f"reports/case-management/{safe_filename(stamp)}.{suffix}")

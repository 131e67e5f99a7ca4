"""Sealed upload references: how an upload is named where people look (上传引用).

Clerks name files after people (``incoming/张三伟 盗窃案 起诉意见书.pdf``). A flow
run's parameters, the events that start it, its name and its logs are shown to
every operator of the Prefect UI and kept in its database, so the upload's key or
local path never goes there: the watcher, the sweep and ``dossier process`` hand the
ingest flow a *reference* instead, and the flow opens it.

A reference is the key (or path) encrypted with AES-SIV (RFC 5297, deterministic
authenticated encryption) under a key derived from the deployment's secret (the
``DOSSIER_ID_HASH_KEY`` setting, dossier/privacy.py). Deterministic, so the same
upload always has the same reference: the sweep recognises runs in flight, a test
or an operator finds an upload's run (``dossier upload-ref KEY``), and event ids stay
stable. Authenticated, so a reference that was tampered with or made under another
secret is refused instead of opening some other file. Nothing is stored or listed
to open one, so the watcher needs no more than read access to ``incoming/``.

Rotating the secret (docs/OPERATIONS.md) makes the references of runs not yet
started unreadable: let the queue drain first; the sweep starts anything left over
again under the new secret.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from dossier.privacy import derived_key

UploadKind = Literal["key", "path"]
PREFIX = "up1-"
_LABEL = "dossier upload reference v1"
_KINDS: dict[str, UploadKind] = {"k": "key", "p": "path"}


class BadUploadRef(ValueError):
    """Not a reference, tampered with, or sealed under another secret."""


def _cipher(secret: bytes | None) -> AESSIV:
    return AESSIV(derived_key(_LABEL, 64, secret))


def seal(value: str, kind: UploadKind = "key", *, secret: bytes | None = None) -> str:
    """The reference of an object key under ``incoming/`` (``kind="key"``) or of a local
    file (``kind="path"``). ``secret``: the deployment's, when it is not this process's."""
    plain = kind[0].encode() + b":" + value.encode("utf-8", "surrogateescape")
    token = base64.urlsafe_b64encode(_cipher(secret).encrypt(plain, None)).rstrip(b"=")
    return PREFIX + token.decode("ascii")


def unseal(ref: str, *, secret: bytes | None = None) -> tuple[UploadKind, str]:
    """``(kind, value)`` of a reference made by :func:`seal` under the same secret."""
    if not ref.startswith(PREFIX):
        raise BadUploadRef("not an upload reference")
    token = ref[len(PREFIX):]
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        plain = _cipher(secret).decrypt(sealed, None)
    except (InvalidTag, ValueError) as error:
        raise BadUploadRef("an upload reference that does not open under this "
                           "deployment's secret (tampered with, or made before a "
                           "key rotation)") from error
    kind, _, value = plain.partition(b":")
    if kind.decode() not in _KINDS:
        raise BadUploadRef("an upload reference of an unknown kind")
    return _KINDS[kind.decode()], value.decode("utf-8", "surrogateescape")


def source_of(ref: str, *, secret: bytes | None = None) -> Path | str:
    """What the ingest flow takes in: an object key (``str``) or a local file (``Path``)."""
    kind, value = unseal(ref, secret=secret)
    return Path(value) if kind == "path" else value


def run_upload(parameters: dict, *, secret: bytes | None = None) -> str | None:
    """The key (or path) an ingest run was started for, from its parameters: a sealed
    ``upload``, or the raw ``key`` of a run started the old way. None when there is
    neither or the reference does not open here."""
    if parameters.get("upload"):
        try:
            return unseal(str(parameters["upload"]), secret=secret)[1]
        except BadUploadRef:
            return None
    key = parameters.get("key")
    return str(key) if key else None

"""Keeping personal data out of logs, errors and exports.

Names and resident ID numbers (居民身份证号码) in dossiers are personal data. Outputs
keep an ID number only masked and as a keyed hash (HMAC-SHA256), so two documents
about the same person can be matched without storing the number; logs show masked
names only.

The key is a setting (``DOSSIER_ID_HASH_KEY``, written by ``dossier services up``
into ``data/services.env``), never a constant in code: ID numbers have ~10^9
plausible values per birth date, so an unkeyed or publicly salted hash is reversed by
enumeration. With nothing configured (the embedded default) a random key is made
once in the data folder (``id_hash.key``, mode 0600) and read from there. Rotating
it is described in docs/OPERATIONS.md.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

__all__ = [
    "derived_key",
    "hash_id_number",
    "id_number_is_valid",
    "mask_id_number",
    "mask_name",
    "mask_text",
]

KEY_FILE = "id_hash.key"
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?![0-9Xx])")


def _key() -> bytes:
    """The HMAC key: the ``id_hash_key`` setting, else the data folder's key file."""
    from dossier.settings import get_settings

    settings = get_settings()
    if settings.id_hash_key is not None:
        return settings.id_hash_key.get_secret_value().encode("utf-8")
    return _key_file(settings.data_dir / KEY_FILE)


@functools.cache
def _key_file(path: Path) -> bytes:
    """The key in ``path``, made once (random, mode 0600) when there is none.

    Made under a temporary name and linked into place, so two processes starting at
    once agree on one key: the second link fails and that process reads the first's.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):  # another process was first
                os.link(temp, path)
        finally:
            temp.unlink(missing_ok=True)
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise ValueError(f"{path} is empty: remove it to have a new key made, or set "
                         "DOSSIER_ID_HASH_KEY")
    return key.encode("utf-8")


def derived_key(label: str, length: int = 32, secret: bytes | None = None) -> bytes:
    """A key for another purpose (``label``) derived from the deployment's secret
    (HMAC-SHA512, up to 64 bytes), so one setting serves them all and no use of it can
    be turned into another's. ``secret``: another deployment's, instead of this one's."""
    if not 0 < length <= 64:
        raise ValueError("a derived key has 1 to 64 bytes")
    digest = hmac.new(_key() if secret is None else secret, label.encode("utf-8"),
                      hashlib.sha512).digest()
    return digest[:length]


def id_number_is_valid(number: str) -> bool:
    """The MOD 11-2 check digit, birth date and region code (GB 11643) via python-stdnum."""
    try:
        ric.validate(number)
    except ValidationError:
        return False
    return True


def mask_id_number(number: str) -> str:
    """Keep the region (6) and the last character: 310104********123X → ``310104***********X``."""
    number = number.strip().upper()
    if len(number) <= 7:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 7) + number[-1]


def hash_id_number(number: str, secret: bytes | None = None) -> str:
    """HMAC-SHA256 hex of the upper-cased number under the deployment's key: the one
    hash of an ID number everywhere (case cards' persons, feeds' ``person_key``), so
    the two match. ``secret``: another key's hash (a rotation maps old to new ones)."""
    message = number.strip().upper().encode("utf-8")
    return hmac.new(_key() if secret is None else secret, message, hashlib.sha256).hexdigest()


def mask_name(name: str) -> str:
    """张三丰 → 张**: the surname stays so a reviewer can tell people apart."""
    name = name.strip()
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_text(text: str, names: list[str] | tuple[str, ...] = ()) -> str:
    """Text safe to log: ID-number-shaped strings and the given names masked."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text

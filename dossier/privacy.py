"""Keeping personal data out of logs, errors and exports.

Names and resident ID numbers (居民身份证号码) in dossiers are personal data. Outputs
keep an ID number only masked and as a salted SHA-256, so two documents about the
same person can be matched without storing the number; logs show masked names only.
"""

from __future__ import annotations

import hashlib
import os
import re

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

__all__ = [
    "hash_id_number",
    "id_number_is_valid",
    "mask_id_number",
    "mask_name",
    "mask_text",
]

_DEFAULT_SALT = "dossier-pipeline"
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{5}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?![0-9Xx])")


def _salt() -> bytes:
    """The salt comes from ``DOSSIER_ID_SALT`` so a deployment's hashes cannot be
    reversed with a table built from this public default."""
    return os.environ.get("DOSSIER_ID_SALT", _DEFAULT_SALT).encode("utf-8")


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


def hash_id_number(number: str) -> str:
    """Salted SHA-256 hex of the upper-cased number, for matching across documents."""
    return hashlib.sha256(_salt() + number.strip().upper().encode("utf-8")).hexdigest()


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

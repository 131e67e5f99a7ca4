"""Text from outside (file names, paths) made safe for an operator's terminal and for JSON.

A file name may hold anything but ``/`` and NUL: a newline that forges a
progress line, BEL, an escape sequence that rewrites the terminal, a
right-to-left override that turns ``fdp.exe`` around, or bytes that are not
UTF-8 at all (a GBK name from a Windows share arrives as lone surrogates,
which cannot even be printed or written as UTF-8).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

# Control, format (bidi overrides, zero-width), line/paragraph separators, surrogates.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def path_text(path: Path | str) -> str:
    """The path as valid Unicode: bytes that are not UTF-8 shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def printable(text: str) -> str:
    """``text`` with every control or format character escaped (``\\n``, ``\\x1b``, ``\\u202e``)."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch
        for ch in text
    )


def printable_path(path: Path | str) -> str:
    return printable(path_text(path))

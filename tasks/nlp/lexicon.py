"""The legal vocabulary the extractor maps text onto: charge names, statute names,
ethnic groups. The lists live in ``tasks/nlp/data/`` (each file names its source) so
that the shipped product does not depend on ``../shared/data``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CRIMINAL_LAW = "中华人民共和国刑法"

__all__ = [
    "CRIMINAL_LAW",
    "DATA_DIR",
    "canonical_charge",
    "canonical_statute",
    "charges",
    "ethnicities",
    "statute_aliases",
]


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def charges() -> tuple[str, ...]:
    """The official charge names (罪名), in the order of the official list."""
    return tuple(_lines("criminal_charges.txt"))


@lru_cache(maxsize=1)
def ethnicities() -> frozenset[str]:
    return frozenset(_lines("ethnicities.txt"))


@lru_cache(maxsize=1)
def statute_aliases() -> dict[str, str]:
    """Every way a statute is named (刑法, 中华人民共和国刑法) → its official name."""
    aliases: dict[str, str] = {}
    for line in _lines("statute_names.txt"):
        official, _, names = line.partition("\t")
        aliases[official] = official
        for alias in names.split("|"):
            aliases[alias] = official
    return aliases


def canonical_statute(name: str) -> str | None:
    """《刑法》 or 中华人民共和国刑法 → 中华人民共和国刑法; ``None`` for statutes we do not know."""
    name = name.strip("《》 ")
    name = re.sub(r"[（(][^）)]*修正[^）)]*[）)]$", "", name)  # 《刑法（2015年修正）》
    return statute_aliases().get(name)


def _is_selective_form(written: str, official: str) -> bool:
    """Whether ``written`` is one choice of a selective charge (选择性罪名).

    Courts name only the acts proved: 贩卖毒品罪 for 走私、贩卖、运输、制造毒品罪,
    非法持有枪支罪 for 非法持有、私藏枪支、弹药罪. That reads as ``written`` being a
    subsequence of ``official`` that starts where one of its listed items starts and
    ends with the same 罪 suffix.
    """
    starts = {0} | {m.end() for m in re.finditer("、", official)}
    for start in starts:
        if official[start] != written[0]:
            continue
        position = start
        for ch in written:
            position = official.find(ch, position)
            if position < 0:
                break
            position += 1
        else:
            return True
    return False


@lru_cache(maxsize=4096)
def canonical_charge(written: str) -> str | None:
    """A charge as a judgment writes it → the official name, ``None`` if not one.

    Exact names win; otherwise the shortest official selective charge that the
    written form is a choice of, and only when that choice is unambiguous.
    """
    written = written.strip()
    if not written.endswith("罪") or len(written) < 3:
        return None
    official = charges()
    if written in official:
        return written
    candidates = [o for o in official if "、" in o and _is_selective_form(written, o)]
    if not candidates:
        return None
    shortest = min(len(c) for c in candidates)
    best = [c for c in candidates if len(c) == shortest]
    return best[0] if len(best) == 1 else None

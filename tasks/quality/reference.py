"""Reference tables the case-card gates check against: which Criminal Law articles
exist (条, 之一/之二 …) and the official charge names (罪名).

The article table is derived once from the consolidated statute text and kept in
``tasks/quality/data/`` with its source noted, because the shipped product cannot
read ``../shared/data``. ``derive_articles`` is kept so a test can prove the copy
still matches its source.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import cn2an

from tasks.nlp.lexicon import canonical_charge

DATA_DIR = Path(__file__).resolve().parent / "data"
ARTICLES_FILE = DATA_DIR / "criminal_law_articles.txt"
CRIMINAL_LAW = "中华人民共和国刑法"

__all__ = [
    "ARTICLES_FILE",
    "CRIMINAL_LAW",
    "article_exists",
    "article_label",
    "charge_is_official",
    "derive_articles",
    "existing_articles",
]

# An article heading starts its line: 第一百三十三条之一 在道路上驾驶机动车……
_HEADING = re.compile(
    r"^第([零一二三四五六七八九十百]+)条(?:之([一二三四五六七八九十]+))?[ \u3000]"
)


def derive_articles(statute_markdown: str) -> list[tuple[int, int | None]]:
    """Every (article, sub) whose heading opens a line of the statute text, in order.

    Only line-initial headings count: cross references inside the text
    (依照第二百一十九条之一) must not create articles.
    """
    found: list[tuple[int, int | None]] = []
    for line in statute_markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            article = int(cn2an.cn2an(match.group(1), "smart"))
            sub = int(cn2an.cn2an(match.group(2), "smart")) if match.group(2) else None
            found.append((article, sub))
    return found


@lru_cache(maxsize=1)
def existing_articles() -> frozenset[tuple[int, int | None]]:
    """The committed table: ``article<TAB>sub`` lines, sub empty for a plain article."""
    rows: set[tuple[int, int | None]] = set()
    for line in ARTICLES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        article, sub = line.split("\t")[:2]
        rows.add((int(article), int(sub) if sub else None))
    return frozenset(rows)


def article_exists(article: int, sub: int | None = None) -> bool:
    return (article, sub) in existing_articles()


def article_label(article: int, sub: int | None = None) -> str:
    """第133条之1: short and unambiguous for reports and Data Docs."""
    return f"第{article}条" + (f"之{sub}" if sub else "")


def charge_is_official(charge: str) -> bool:
    """An official name, or one choice of an official selective charge (贩卖毒品罪 for
    走私、贩卖、运输、制造毒品罪), as courts write them; the matching is the lexicon's."""
    return canonical_charge(charge) is not None

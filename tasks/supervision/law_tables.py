"""Tables of law the supervision models read, derived from the statute texts.

The articles, paragraphs and penalty tiers are read by :mod:`tasks.law.statutory_ranges`
(the one reading of the Criminal Law's penalties); this module shapes them into the
tables the models read.

The shipped tables live in ``tasks/supervision/data/`` with their source in
their header; ``python -m tasks.supervision.law_tables`` derives them again
from ``../shared/data/laws`` (a test checks the committed copies still match):

* ``statutory_max.csv`` — per article and paragraph (款) the heaviest principal
  penalty the text prescribes (死刑 > 无期徒刑 > 有期徒刑 N months > 拘役 > 管制);
  "X年以上有期徒刑" without an upper bound is 15 years (刑法第四十五条).
* ``fine_articles.csv`` — articles whose every penalty tier (every clause that
  imposes a principal penalty) also imposes a fine: "并处罚金", "并处或者单处罚金",
  "并处罚金或者没收财产", or "并处没收财产" beside tiers with 罚金. A tier that
  leaves the fine to the court (可以并处) or has none keeps the article out.
* ``thresholds.csv`` — the amount from which theft and fraud are crimes
  (数额较大, the lower bound of the national range in the 两高 interpretations);
  ``Settings.supervision_thresholds`` overrides or adds to it (a province's own
  standard).

``charge_articles.csv`` (charge → article and paragraphs) is curated from the
official charge list; it is read here too, so all the law tables have one loader.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cn2an

from dossier.settings import PROJECT_ROOT
from tasks.law.statutory_ranges import (
    SEVERITY,
    Article,
    Tier,
    article_label,
    derive_article,
    parse_articles,
)

__all__ = [
    "Article",
    "article_label",
    "charge_articles",
    "charge_maximum",
    "fine_article_labels",
    "parse_articles",
    "statutory_thresholds",
    "tier_maximum",
    "write_tables",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
LAWS_DIR = PROJECT_ROOT.parent / "shared" / "data" / "laws"
CRIMINAL_LAW_FILE = "criminal_law.md"

PENALTY_RANK = SEVERITY
MAX_MONTHS = {"管制": 24, "拘役": 6, "有期徒刑": 180}  # 刑法第三十八、四十二、四十五条


def _int(chinese: str) -> int:
    return int(cn2an.cn2an(chinese, "smart"))


def _maximum(tier: Tier) -> tuple[str, int | None]:
    """The heaviest penalty of one tier as (penalty, months or None for life or death)."""
    if tier.max_penalty in ("无期徒刑", "死刑"):
        return tier.max_penalty, None
    if tier.max_penalty == "有期徒刑":
        return "有期徒刑", tier.max_months or MAX_MONTHS["有期徒刑"]
    return tier.max_penalty, MAX_MONTHS[tier.max_penalty]


def tier_maximum(tier: str) -> tuple[str, int | None]:
    """The heaviest penalty of one tier's text (处三年以上十年以下有期徒刑 → 有期徒刑, 120)."""
    found = [_maximum(t) for t in derive_article(tier)]
    return _heaviest(found) if found else ("管制", 0)


def _heaviest(maxima: list[tuple[str, int | None]]) -> tuple[str, int | None]:
    return max(maxima, key=lambda m: (PENALTY_RANK[m[0]], m[1] or 0))


def statutory_maxima(articles: list[Article]) -> list[dict[str, object]]:
    """Rows of ``statutory_max.csv``: paragraph 0 is the whole article."""
    rows: list[dict[str, object]] = []
    for a in articles:
        per_paragraph = []
        for number, text in enumerate(a.paragraphs, start=1):
            tiers = derive_article(text)
            if tiers:
                penalty, months = _heaviest([_maximum(t) for t in tiers])
                per_paragraph.append((number, penalty, months))
        if not per_paragraph:
            continue
        penalty, months = _heaviest([(p, m) for _, p, m in per_paragraph])
        rows.append({"article": a.label, "paragraph": 0, "max_penalty": penalty,
                     "max_months": months})
        rows += [{"article": a.label, "paragraph": n, "max_penalty": p, "max_months": m}
                 for n, p, m in per_paragraph]
    return rows


def fine_articles(articles: list[Article]) -> list[str]:
    """Labels of the articles whose every tier imposes a fine (or 没收财产 beside 罚金)."""
    found = []
    for a in articles:
        tiers = [t for text in a.paragraphs for t in derive_article(text)]
        if not tiers:
            continue
        mandatory = all(t.fine in ("and", "and_or_only", "confiscation") for t in tiers)
        if mandatory and any(t.fine in ("and", "and_or_only") for t in tiers):
            found.append(a.label)
    return found


def derive_thresholds(laws_dir: Path) -> list[dict[str, object]]:
    """数额较大 lower bounds: 盗窃 from the 2013 theft, 诈骗 from the 2011 fraud interpretation."""
    sources = [
        ("盗窃罪", "interpretation_theft_2013.md", "二百六十四"),
        ("诈骗罪", "interpretation_fraud_2011.md", "二百六十六"),
    ]
    rows = []
    for charge, name, article in sources:
        text = (laws_dir / name).read_text(encoding="utf-8")
        match = re.search(
            rf"第一条 \S+?价值(\S+?)元至\S+?以上.*?刑法第{article}条规定的“数额较大”", text
        )
        if not match:
            raise ValueError(f"{name}: 数额较大 not found")
        rows.append({"offence": charge, "threshold_yuan": _int(match.group(1)),
                     "source": f"{name} 第一条"})
    return rows


# --- the committed tables -----------------------------------------------------------

_HEADER_SOURCE = (
    "# Derived by tasks.supervision.law_tables from ../shared/data/laws/{file}\n"
    "# (consolidated 中华人民共和国刑法 through amendment XII; LawRefBook/Laws, public law).\n"
)


def _write(path: Path, header: str, fieldnames: list[str], rows: list[dict[str, object]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header)
        writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in fieldnames})


def _read(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


def write_tables(laws_dir: Path = LAWS_DIR, out: Path = DATA_DIR) -> None:
    articles = parse_articles((laws_dir / CRIMINAL_LAW_FILE).read_text(encoding="utf-8"))
    source = _HEADER_SOURCE.format(file=CRIMINAL_LAW_FILE)
    _write(out / "statutory_max.csv",
           source + "# Per article: the heaviest principal penalty of its text (paragraph 0) and\n"
           "# of each paragraph (款) with a penalty; months for 有期徒刑/拘役/管制.\n",
           ["article", "paragraph", "max_penalty", "max_months"], statutory_maxima(articles))
    _write(out / "fine_articles.csv",
           source + "# Articles whose every penalty tier imposes a fine (并处罚金,\n"
           "# 并处或者单处罚金, 并处罚金或者没收财产; 并处没收财产 beside tiers with 罚金).\n",
           ["article"], [{"article": label} for label in fine_articles(articles)])
    _write(out / "thresholds.csv",
           "# Amounts (yuan) from which the offence is a crime (数额较大, the national\n"
           "# lower bound), derived by tasks.supervision.law_tables from ../shared/data/laws\n"
           "# (两高 interpretations).\n"
           "# Overridden per deployment by DOSSIER_SUPERVISION_THRESHOLDS (JSON).\n",
           ["offence", "threshold_yuan", "source"], derive_thresholds(laws_dir))


@dataclass(frozen=True)
class ChargeArticle:
    charge: str
    article: str  # label: 264, 133之一
    paragraphs: tuple[int, ...]  # empty: the whole article


@lru_cache(maxsize=1)
def charge_articles() -> dict[str, ChargeArticle]:
    """Official charge name → its article (label) and paragraphs."""
    table = {}
    for row in _read(DATA_DIR / "charge_articles.csv"):
        label = article_label(int(row["article"]), int(row["sub"]) if row["sub"] else None)
        paragraphs = tuple(int(p) for p in row["paragraphs"].split("|") if p)
        table[row["charge"]] = ChargeArticle(row["charge"], label, paragraphs)
    return table


@lru_cache(maxsize=1)
def statutory_max_table() -> dict[tuple[str, int], tuple[str, int | None]]:
    return {
        (row["article"], int(row["paragraph"])): (
            row["max_penalty"], int(row["max_months"]) if row["max_months"] else None)
        for row in _read(DATA_DIR / "statutory_max.csv")
    }


def charge_maximum(charge: str) -> tuple[str, int | None] | None:
    """The statutory maximum for ``charge`` over its paragraphs (or whole article)."""
    mapped = charge_articles().get(charge)
    if mapped is None:
        return None
    table = statutory_max_table()
    keys = [(mapped.article, p) for p in mapped.paragraphs] or [(mapped.article, 0)]
    found = [table[k] for k in keys if k in table]
    if not found:
        found = [table[(mapped.article, 0)]] if (mapped.article, 0) in table else []
    return _heaviest(found) if found else None


@lru_cache(maxsize=1)
def fine_article_labels() -> frozenset[str]:
    return frozenset(row["article"] for row in _read(DATA_DIR / "fine_articles.csv"))


@lru_cache(maxsize=1)
def statutory_thresholds() -> dict[str, float]:
    return {row["offence"]: float(row["threshold_yuan"])
            for row in _read(DATA_DIR / "thresholds.csv")}


if __name__ == "__main__":
    write_tables()
    print(f"wrote {DATA_DIR}/statutory_max.csv, fine_articles.csv, thresholds.csv")

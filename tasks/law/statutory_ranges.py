"""Statutory ranges (法定刑幅度) of Criminal Law articles, derived from the statute text.

Each article's penalty clauses (处三年以下有期徒刑、拘役或者管制 / 处三年以上十年以下有期
徒刑 / 处十年以上有期徒刑、无期徒刑或者死刑 / 处拘役) are read in order into tiers, each
with the condition written before it (数额巨大或者有其他严重情节的, 致人重伤的) and its
lowest and highest penalty. The table is derived once, by ``derive_table``, from
``../shared/data/laws/criminal_law.md`` and committed as ``data/statutory_ranges.json``
(source noted in the file), because the shipped product cannot read ``../shared/data``;
a test checks the committed table is still what the statute derives.

Shared data module: the review rules (追诉时效 by maximum penalty, a sentence against its
tier) read it; other consumers (supervision: sentence above the statutory maximum;
sentencing: the statutory limits of a suggestion) can read the same file.

    .venv/bin/python -m tasks.law.statutory_ranges   # rewrite data/statutory_ranges.json
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import cn2an

DATA_FILE = Path(__file__).resolve().parent / "data" / "statutory_ranges.json"
SOURCE = (
    "../shared/data/laws/criminal_law.md (中华人民共和国刑法, consolidated through amendment XII)"
)

__all__ = [
    "DATA_FILE",
    "Tier",
    "article_tiers",
    "derive_article",
    "derive_table",
    "limitation_years",
    "max_months_of",
]

# Penalty types in order of severity; a fixed term's months are compared within 有期徒刑.
SEVERITY = {"管制": 1, "拘役": 2, "有期徒刑": 3, "无期徒刑": 4, "死刑": 5}
_NUM = "一二三四五六七八九十两"
_CLAUSE = re.compile(r"处([^；。：]*?)(?=[；。：]|并处|$)")
_YEARS = rf"([{_NUM}]+)年"


@dataclass(frozen=True)
class Tier:
    """One penalty tier: ``min_months``/``max_months`` bound the fixed term (None above
    it: life or death is the top); ``max_penalty`` and ``min_penalty`` are the severest and
    mildest penalty types the tier allows."""

    condition: str
    min_penalty: str
    min_months: int
    max_penalty: str
    max_months: int | None
    text: str


def _years(text: str) -> int:
    return int(cn2an.cn2an(text.replace("两", "二"), "smart"))


def _tier(condition: str, penalty: str) -> Tier | None:
    """A tier from one 处… phrase, or None when the phrase is not a penalty."""
    life = "无期徒刑" in penalty
    death = "死刑" in penalty
    top = "死刑" if death else "无期徒刑" if life else None
    low_types = [t for t in ("管制", "拘役") if t in penalty]
    if m := re.search(rf"{_YEARS}以上{_YEARS}以下有期徒刑", penalty):
        low, high = _years(m.group(1)) * 12, _years(m.group(2)) * 12
        return Tier(condition, "有期徒刑", low, top or "有期徒刑", None if top else high, penalty)
    if m := re.search(rf"{_YEARS}以下有期徒刑", penalty):
        high = _years(m.group(1)) * 12
        low_type = "管制" if "管制" in low_types else "拘役" if low_types else "有期徒刑"
        low = 3 if low_type == "管制" else 1 if low_type == "拘役" else 6
        return Tier(condition, low_type, low, top or "有期徒刑", None if top else high, penalty)
    if m := re.search(rf"{_YEARS}以上有期徒刑", penalty):
        return Tier(condition, "有期徒刑", _years(m.group(1)) * 12, top or "有期徒刑",
                    None if top else 180, penalty)
    if m := re.search(rf"{_YEARS}有期徒刑", penalty):  # 处十五年有期徒刑、无期徒刑或者死刑
        months = _years(m.group(1)) * 12
        return Tier(condition, "有期徒刑", months, top or "有期徒刑", None if top else months,
                    penalty)
    if penalty.startswith("拘役"):
        return Tier(condition, "拘役", 1, "拘役", 6, penalty)
    if penalty.startswith("管制"):
        return Tier(condition, "管制", 3, "管制", 24, penalty)
    if top:
        return Tier(condition, top, 0, top, None, penalty)
    return None


def derive_article(text: str) -> list[Tier]:
    """The tiers of one article's text, in the order the statute writes them."""
    tiers: list[Tier] = []
    last_end = 0
    for m in _CLAUSE.finditer(text):
        phrase = re.sub(r"[，,]?(?:可以|应当|或者)?$", "", m.group(1).strip("，, "))
        tier = _tier(text[last_end : m.start()], phrase)
        if tier is None:
            continue
        condition = re.split(r"[；。]", text[last_end : m.start()])[-1].strip("，, ")
        tiers.append(Tier(condition, tier.min_penalty, tier.min_months, tier.max_penalty,
                          tier.max_months, phrase))
        last_end = m.end()
    return tiers


_HEADING = re.compile(
    r"^第([零一二三四五六七八九十百]+)条(?:之([一二三四五六七八九十]+))?[ \u3000]"
)


def _articles(statute_markdown: str) -> dict[str, str]:
    """``"264"`` / ``"133-1"`` → the article's text (its paragraphs joined)."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in statute_markdown.splitlines():
        m = _HEADING.match(line)
        if m:
            number = int(cn2an.cn2an(m.group(1), "smart"))
            sub = int(cn2an.cn2an(m.group(2), "smart")) if m.group(2) else None
            current = f"{number}-{sub}" if sub else str(number)
            out[current] = [line[m.end():]]
        elif current and line.strip() and not line.startswith("#"):
            out[current].append(line.strip())
    return {k: "".join(v) for k, v in out.items()}


def derive_table(statute_markdown: str, articles: list[str]) -> dict[str, list[dict]]:
    texts = _articles(statute_markdown)
    return {a: [asdict(t) for t in derive_article(texts[a])] for a in articles}


@lru_cache(maxsize=1)
def _table() -> dict[str, list[Tier]]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {k: [Tier(**t) for t in v] for k, v in data["articles"].items()}


def article_tiers(article: int, sub: int | None = None) -> list[Tier]:
    """The committed tiers of an article (``[]`` when it is not in the table)."""
    return _table().get(f"{article}-{sub}" if sub else str(article), [])


def max_months_of(tier: Tier) -> int | None:
    """A tier's highest fixed term; None when it goes to life imprisonment or death."""
    return tier.max_months if SEVERITY[tier.max_penalty] <= SEVERITY["有期徒刑"] else None


def limitation_years(tier: Tier) -> int:
    """追诉时效 (刑法第八十七条) by the tier's statutory maximum: under 5 years → 5, 5 to
    under 10 → 10, 10 or more → 15, life or death → 20."""
    top = max_months_of(tier)
    if top is None:
        return 20
    if top < 60:
        return 5
    if top < 120:
        return 10
    return 15


def main() -> None:
    from dossier.settings import PROJECT_ROOT
    from tasks.review.law import covered_articles

    statute = PROJECT_ROOT.parent / "shared" / "data" / "laws" / "criminal_law.md"
    table = derive_table(statute.read_text(encoding="utf-8"), covered_articles())
    DATA_FILE.write_text(
        json.dumps({"source": SOURCE, "derived_by": "tasks.law.statutory_ranges",
                    "articles": table}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    print(f"{len(table)} articles -> {DATA_FILE}")


if __name__ == "__main__":
    main()

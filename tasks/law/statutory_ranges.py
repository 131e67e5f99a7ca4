"""Statutory ranges (法定刑幅度) of Criminal Law articles, derived from the statute text.

Each article's penalty clauses (处三年以下有期徒刑、拘役或者管制 / 处三年以上十年以下有期
徒刑 / 处十年以上有期徒刑、无期徒刑或者死刑 / 处拘役) are read in order into tiers, each
with the condition written before it (数额巨大或者有其他严重情节的, 致人重伤的) and its
lowest and highest penalty. The table is derived once, by ``derive_table``, from
``../shared/data/laws/criminal_law.md`` and committed as ``data/statutory_ranges.json``
(source noted in the file), because the shipped product cannot read ``../shared/data``;
a test checks the committed table is still what the statute derives.

The one reading of the Criminal Law's penalties: the articles and their paragraphs
(:func:`parse_articles`) and each penalty clause as a :class:`Tier` (:func:`derive_article`,
with the fine it imposes). The review rules (追诉时效 by maximum penalty, a sentence
against its tier) read the committed JSON; the other tables of statutory ranges are
derived from the same functions in the shape their consumers read:
``tasks/sentencing/data/statutory_ranges.csv`` (every clause by article, paragraph and
clause: the limits of a sentencing suggestion) and ``tasks/supervision/data/
statutory_max.csv`` / ``fine_articles.csv`` (the heaviest penalty per paragraph, the
articles whose every tier imposes a fine: the supervision models).

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
    "Article",
    "Tier",
    "article_label",
    "article_tiers",
    "derive_article",
    "derive_table",
    "limitation_years",
    "max_months_of",
    "parse_articles",
]

# Penalty types in order of severity; a fixed term's months are compared within 有期徒刑.
SEVERITY = {"管制": 1, "拘役": 2, "有期徒刑": 3, "无期徒刑": 4, "死刑": 5}
_NUM = "一二三四五六七八九十两"
_CLAUSE = re.compile(r"处([^；。：]*?)(?=[；。：]|并处|$)")
_YEARS = rf"([{_NUM}]+)年"
_ITEM = re.compile(r"^（[一二三四五六七八九十]+）")


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
    # the fine the clause imposes beside the principal penalty: and (并处罚金), and_or_only
    # (并处或者单处罚金), optional (可以并处罚金), alternative (…拘役或者罚金: a fine instead),
    # confiscation (并处没收财产 alone), none
    fine: str = "none"

    @property
    def detention_open(self) -> bool:
        """拘役 or 管制 is one of the tier's penalties."""
        return self.min_penalty in ("拘役", "管制")


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


def _fine(tail: str, optional: bool = False) -> str:
    """The fine of a clause from the words after its principal penalty (to the 。/；);
    ``optional``: the clause ended on 可以 (…剥夺政治权利，可以并处罚金)."""
    tail = re.split(r"[；。]", tail)[0]
    optional = optional or "可以并处" in tail
    if re.search(r"或者单处[^，；。]*罚金", tail):
        return "and_or_only"
    if "罚金" in tail:
        return "optional" if optional else "and"
    if re.search(r"并处[^，]*没收财产", tail) and not optional:
        return "confiscation"
    return "none"


def derive_article(text: str) -> list[Tier]:
    """The tiers of one article's (or paragraph's) text, in the order the statute writes
    them."""
    tiers: list[Tier] = []
    last_end = 0
    for m in _CLAUSE.finditer(text):
        phrase = re.sub(r"[，,]?(?:可以|应当|或者)?$", "", m.group(1).strip("，, "))
        tier = _tier(text[last_end : m.start()], phrase)
        if tier is None:
            continue
        condition = re.split(r"[；。]", text[last_end : m.start()])[-1].strip("，, ")
        tiers.append(Tier(condition, tier.min_penalty, tier.min_months, tier.max_penalty,
                          tier.max_months, phrase,
                          "alternative" if "罚金" in phrase else
                          _fine(text[m.end():], m.group(1).rstrip("，, ").endswith("可以"))))
        last_end = m.end()
    return tiers


_HEADING = re.compile(
    r"^第([零一二三四五六七八九十百]+)条(?:之([一二三四五六七八九十]+))?[ \u3000]"
)


def article_label(article: int, sub: int | None = None) -> str:
    """264, 133之一: how judgments and the judgments feed write an article."""
    return f"{article}" + (f"之{cn2an.an2cn(sub)}" if sub else "")


@dataclass(frozen=True)
class Article:
    article: int
    sub: int | None
    paragraphs: tuple[str, ...]  # 款, items (（一）…) folded into their paragraph

    @property
    def label(self) -> str:
        return article_label(self.article, self.sub)

    @property
    def key(self) -> str:
        """``"264"`` / ``"133-1"``: the key of the committed tables."""
        return f"{self.article}-{self.sub}" if self.sub else str(self.article)


def parse_articles(markdown: str) -> list[Article]:
    """Every article of the statute text with its paragraphs (款), in order."""
    articles: list[Article] = []
    current: tuple[int, int | None] | None = None
    paragraphs: list[str] = []

    def close() -> None:
        if current is not None:
            articles.append(Article(current[0], current[1], tuple(paragraphs)))

    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            close()
            current, paragraphs = None, []
            continue
        heading = _HEADING.match(line)
        if heading:
            close()
            sub = _years_or_none(heading.group(2))
            current = (_years(heading.group(1)), sub)
            paragraphs = [line[heading.end():]]
        elif current is not None:
            if _ITEM.match(line) and paragraphs:
                paragraphs[-1] += line
            else:
                paragraphs.append(line)
    close()
    return articles


def _years_or_none(text: str | None) -> int | None:
    return _years(text) if text else None


def _articles(statute_markdown: str) -> dict[str, str]:
    """``"264"`` / ``"133-1"`` → the article's text (its paragraphs joined)."""
    return {a.key: "".join(a.paragraphs) for a in parse_articles(statute_markdown)}


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

"""Statutory penalty ranges (法定刑幅度) of the Criminal Law, by penalty clause.

``python -m tasks.sentencing.statutory`` writes ``data/statutory_ranges.csv`` from
``../shared/data/laws/criminal_law.md``: for every article (之一 as ``sub``), paragraph
(款; its numbered items belong to it) and penalty clause in order (``clause``), the
range of the principal penalty in months. The articles, paragraphs and clauses are read
by :mod:`tasks.law.statutory_ranges` (the one reading of the statute's penalties); this
module only shapes them for the sentencing suggestion, which reads only the CSV:

处三年以下有期徒刑、拘役或者管制 → 1–36 months with 拘役/管制 open (1 month: the shortest
拘役); 处三年以上十年以下有期徒刑 → 36–120; 处十年以上有期徒刑、无期徒刑或者死刑 → 120–180
(a fixed term's ceiling, art. 45) with 无期/死刑 as heaviest; 处无期徒刑或者死刑 alone →
180–180; 处拘役 → 1–6. ``fine`` is the clause's fine: ``and`` (并处罚金), ``and_or_only``
(并处或者单处罚金), ``optional`` (可以并处罚金), ``alternative`` (…拘役或者罚金),
``confiscation`` (并处没收财产 alone), ``none``.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

from tasks.law.statutory_ranges import Tier, derive_article, parse_articles

DATA = Path(__file__).resolve().parent / "data" / "statutory_ranges.csv"
FIXED_TERM_CEILING = 180  # art. 45: 有期徒刑 up to 15 years
FINED = ("and", "and_or_only", "optional", "alternative")


@dataclass(frozen=True)
class StatutoryRange:
    article: int
    sub: int  # 0, or n for 第…条之n
    paragraph: int  # 1-based 款
    clause: int  # 1-based, in order of the paragraph's text
    min_months: int
    max_months: int
    heaviest: str  # 有期徒刑, 无期徒刑, 死刑, 拘役, 管制
    detention_open: bool  # 拘役 (or 管制) is one of the penalties
    fine: str  # and, and_or_only, optional, alternative, confiscation, none

    @property
    def key(self) -> str:
        sub = f"-{self.sub}" if self.sub else ""
        return f"{self.article}{sub}.{self.paragraph}.{self.clause}"

    @property
    def fined(self) -> bool:
        """The clause imposes or allows a fine (罚金)."""
        return self.fine in FINED


def from_tier(article: int, sub: int, paragraph: int, clause: int, tier: Tier) -> StatutoryRange:
    """A clause of the statute (:class:`tasks.law.statutory_ranges.Tier`) in months."""
    if tier.detention_open:
        low = 1
    elif tier.min_months:
        low = tier.min_months
    else:  # 无期徒刑 / 死刑 only
        low = FIXED_TERM_CEILING
    high = tier.max_months if tier.max_months is not None else FIXED_TERM_CEILING
    return StatutoryRange(article, sub, paragraph, clause, low, high, tier.max_penalty,
                          tier.detention_open, tier.fine)


def derive(law_text: str) -> list[StatutoryRange]:
    ranges: list[StatutoryRange] = []
    for a in parse_articles(law_text):
        for paragraph, text in enumerate(a.paragraphs, start=1):
            for clause, tier in enumerate(derive_article(text), start=1):
                ranges.append(from_tier(a.article, a.sub or 0, paragraph, clause, tier))
    return ranges


@lru_cache(maxsize=1)
def ranges() -> dict[str, StatutoryRange]:
    """Shipped ranges by key ``article[-sub].paragraph.clause`` (e.g. ``264.1.2``)."""
    out = {}
    with open(DATA, encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            r = StatutoryRange(
                int(row["article"]), int(row["sub"]), int(row["paragraph"]), int(row["clause"]),
                int(row["min_months"]), int(row["max_months"]), row["heaviest"],
                row["detention_open"] == "1", row["fine"],
            )
            out[r.key] = r
    return out


HEADER = """\
# Statutory ranges of the Criminal Law (法定刑幅度), one row per penalty clause (处…) of a 款.
# Derived by `python -m tasks.sentencing.statutory` from shared/data/laws/criminal_law.md
# (中华人民共和国刑法, consolidated through amendment XII; public law). Months; a fixed term's
# ceiling is 180 (art. 45); rows whose heaviest penalty is 无期徒刑/死刑 keep 180 as max_months.
"""


def main() -> None:
    from dossier.settings import PROJECT_ROOT

    law = (PROJECT_ROOT.parent / "shared" / "data" / "laws" / "criminal_law.md").read_text(
        encoding="utf-8")
    rows = derive(law)
    names = [f.name for f in fields(StatutoryRange)]
    with open(DATA, "w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        for r in rows:
            row = asdict(r)
            row["detention_open"] = int(r.detention_open)
            writer.writerow(row)
    print(f"{len(rows)} clauses -> {DATA}")


if __name__ == "__main__":
    main()

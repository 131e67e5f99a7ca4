"""Statutory penalty ranges (法定刑幅度) of the Criminal Law, derived from its text.

``python -m tasks.sentencing.statutory`` reads ``../shared/data/laws/criminal_law.md``
and writes ``data/statutory_ranges.csv``: for every article (之一 as ``sub``), paragraph
(款, counted as the article's lines that are not numbered items) and penalty clause in
order (``clause``), the range of the principal penalty in months. The shipped product
reads only the CSV.

A clause is one ``处…`` of the text: 处三年以下有期徒刑、拘役或者管制 → 0–36 months with
拘役/管制 open (min 1 month); 处三年以上十年以下有期徒刑 → 36–120; 处十年以上有期徒刑、
无期徒刑或者死刑 → 120–180 (a fixed term's ceiling, art. 45) with 无期/死刑 as heaviest;
处拘役 → 1–6. ``fine`` says whether the clause imposes a fine: ``and`` (并处罚金),
``and_or_only`` (并处或者单处罚金), ``none``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path

from tasks.nlp.normalize import term_to_months, to_int

DATA = Path(__file__).resolve().parent / "data" / "statutory_ranges.csv"
FIXED_TERM_CEILING = 180  # art. 45: 有期徒刑 up to 15 years
_ARTICLE = re.compile(
    r"^第([零〇一二三四五六七八九十百千]+)条(?:之([一二三四五六七八九十]))?\s+(.*)$"
)
_N = "[零〇一二两三四五六七八九十]+(?:年|个月)"
_CLAUSE = re.compile(
    rf"处(?:(?P<lo>{_N})以上)?(?:(?P<hi>{_N})以下)?(?P<fixed>{_N})?"
    r"(?P<kinds>(?:有期徒刑|无期徒刑|死刑|拘役|管制)(?:(?:、|或者|和)(?:有期徒刑|无期徒刑|死刑|拘役|管制))*)"
)


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
    fine: str  # and, and_or_only, none

    @property
    def key(self) -> str:
        sub = f"-{self.sub}" if self.sub else ""
        return f"{self.article}{sub}.{self.paragraph}.{self.clause}"


def _months(text: str | None) -> int | None:
    return term_to_months(text) if text else None


def parse_paragraph(text: str) -> list[tuple[int, int, str, bool, str]]:
    """(min, max, heaviest, detention open, fine) of each penalty clause of one 款."""
    out = []
    for m in _CLAUSE.finditer(text):
        kinds = re.split("、|或者|和", m["kinds"])
        lo, hi, fixed = _months(m["lo"]), _months(m["hi"]), _months(m["fixed"])
        detention = "拘役" in kinds or "管制" in kinds
        heaviest = ("死刑" if "死刑" in kinds else "无期徒刑" if "无期徒刑" in kinds
                    else "有期徒刑" if "有期徒刑" in kinds else kinds[0])
        if "有期徒刑" in kinds:
            low = lo if lo is not None else (fixed if fixed else (1 if detention else 6))
            high = hi if hi is not None else (fixed if fixed else FIXED_TERM_CEILING)
        elif kinds == ["拘役"]:
            low, high = 1, 6
        elif kinds == ["管制"]:
            low, high = 3, 24
        elif "拘役" in kinds:
            low, high = 1, 24
        else:  # 无期徒刑 / 死刑 only
            low, high = FIXED_TERM_CEILING, FIXED_TERM_CEILING
        tail = text[m.end(): m.end() + 40].split("；")[0].split("。")[0]
        fine = ("and_or_only" if re.search(r"并处或者单处罚金|或者单处罚金", tail)
                else "and" if "罚金" in tail else "none")
        out.append((low, high, heaviest, detention, fine))
    return out


def derive(law_text: str) -> list[StatutoryRange]:
    ranges: list[StatutoryRange] = []
    article = sub = paragraph = clause = 0
    for line in law_text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _ARTICLE.match(line)
        if m:
            article, sub, paragraph = to_int(m.group(1)) or 0, to_int(m.group(2) or "") or 0, 0
            line = m.group(3)
        elif not article:
            continue
        if not line.startswith("（"):
            paragraph, clause = paragraph + 1, 0
        # an item (（一）…) belongs to its paragraph; its clauses (art. 383's tiers) go on
        # the paragraph's count
        for lo, hi, heaviest, detention, fine in parse_paragraph(line):
            clause += 1
            ranges.append(StatutoryRange(article, sub, paragraph, clause, lo, hi, heaviest,
                                         detention, fine))
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

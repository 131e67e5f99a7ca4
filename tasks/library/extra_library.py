"""Real judgments beyond judge_dev for measuring similar cases on a larger library.

judge_dev's 200 judgments are a small library: most charges have fewer than ten other
judgments, so P@10 cannot reach 0.9 on it. The LeCaRD and LeCaRDv2 query sets (MIT, under
``../shared/data/cases``; never in the repository, a clone may not have them) are real
criminal cases too; imported beside judge_dev they make a library of about 630 cases in
which a judge_dev query has more same-charge cases to find.

* ``lecard``: 107 LeCaRD queries, facts only (field ``q``); their charges are LeCaRD's
  ``crime`` labels (gold).
* ``lecardv2``: the LeCaRDv2 query files (test, controversial, procedural; 360 lines, 320
  cases: an id in two files is the same case), header, parties and facts (field
  ``query``); their charges are what our extractor reads in that text (silver: no gold
  charge labels come with them).

Each source's ids get a prefix (``lecard:5156``) so they cannot collide with another's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dossier.settings import PROJECT_ROOT
from tasks.nlp.lexicon import canonical_charge

SHARED_CASES = PROJECT_ROOT.parent / "shared" / "data" / "cases"


@dataclass(frozen=True)
class ExtraSource:
    name: str
    files: tuple[str, ...]
    text_field: str
    id_field: str
    label_field: str | None  # gold charges, where the dataset has them
    note: str

    @property
    def prefix(self) -> str:
        return f"{self.name}:"

    def paths(self, root: Path | None = None) -> list[Path]:
        return [(root or SHARED_CASES) / f for f in self.files]

    def missing(self, root: Path | None = None) -> list[Path]:
        return [p for p in self.paths(root) if not p.exists()]

    def gold_charges(self, root: Path | None = None) -> dict[str, set[str]]:
        """Source id (prefixed) → catalogue charges, for a source with gold labels."""
        if self.label_field is None:
            return {}
        out: dict[str, set[str]] = {}
        for path in self.paths(root):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    out[self.prefix + str(row[self.id_field])] = {
                        canonical_charge(c) or c for c in row.get(self.label_field) or []}
        return out


SOURCES = {
    "lecard": ExtraSource(
        "lecard", ("lecard_query.jsonl",), "q", "ridx", "crime",
        "LeCaRD queries (facts only), gold charges"),
    "lecardv2": ExtraSource(
        "lecardv2", ("lecardv2_test_query.jsonl", "lecardv2_controversial_query.jsonl",
                     "lecardv2_procedural_query.jsonl"), "query", "id", None,
        "LeCaRDv2 queries, charges read by our extractor (silver)"),
}


def sources(names: list[str]) -> list[ExtraSource]:
    """The named sources (``lecard``, ``lecardv2``; ``all`` for both)."""
    if "all" in names:
        names = list(SOURCES)
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise KeyError(f"unknown extra library {', '.join(unknown)} "
                       f"(known: {', '.join(SOURCES)}, all)")
    return [SOURCES[n] for n in dict.fromkeys(names)]

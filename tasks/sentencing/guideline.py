"""The guideline table (``data/guideline.yaml``) joined to the statutory ranges."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from tasks.sentencing.statutory import StatutoryRange, ranges

DATA = Path(__file__).resolve().parent / "data" / "guideline.yaml"


@dataclass(frozen=True)
class Tier:
    statute: StatutoryRange
    start: tuple[int, int]
    start_from_guideline: bool
    threshold: float | None = None  # amount (yuan) or quantity (grams) where it starts
    when: tuple[str, ...] = ()
    to: float | None = None  # top tier: the measure at which the base reaches its maximum
    when_from: float | None = None  # the measure ``when`` words need, where it is known


@dataclass(frozen=True)
class ChargeRule:
    charge: str
    tiers: tuple[Tier, ...]
    guideline: bool
    unit: str | None = None  # yuan | grams
    interpretation: str | None = None
    fine: dict | None = None


@dataclass(frozen=True)
class CircumstanceRule:
    kind: str
    reduce: tuple[float, float] | None
    increase: tuple[float, float] | None
    typical: float
    first: bool
    mitigate_below_range: bool
    basis: str
    # read in the reasoning (tasks/sentencing/circumstances.py), not on the card
    words: tuple[str, ...] = ()
    charges: tuple[str, ...] = ()  # only for these charges (empty: any)
    excludes: tuple[str, ...] = ()  # not counted beside these (不作重复评价)
    # Criminal Law articles ("67.3") whose citation states it (tasks/sentencing/circumstances.py)
    articles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guideline:
    edition: str
    charges: dict[str, ChargeRule] = field(default_factory=dict)
    circumstances: dict[str, CircumstanceRule] = field(default_factory=dict)


def derived_start(statute: StatutoryRange) -> tuple[int, int]:
    """The lower quarter of a statutory range (at least six months wide): the starting
    point of a charge the guideline does not cover (a rule of this project)."""
    low = max(1, statute.min_months)
    span = max(6, (statute.max_months - statute.min_months) // 4)
    return low, min(statute.max_months, low + span)


@lru_cache(maxsize=1)
def guideline() -> Guideline:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    table = ranges()
    charges = {}
    for name, entry in raw["charges"].items():
        tiers = []
        for t in entry["tiers"]:
            statute = table[str(t["statute"])]
            start = tuple(t["start"]) if "start" in t else derived_start(statute)
            tiers.append(Tier(statute=statute, start=start,  # type: ignore[arg-type]
                              start_from_guideline="start" in t,
                              threshold=t.get("from"), when=tuple(t.get("when", ())),
                              to=t.get("to"), when_from=t.get("when_from")))
        charges[name] = ChargeRule(
            charge=name, tiers=tuple(tiers), guideline=entry.get("guideline", True),
            unit=entry.get("unit"), interpretation=entry.get("interpretation"),
            fine=entry.get("fine"),
        )
    circumstances = {
        kind: CircumstanceRule(
            kind=kind, reduce=tuple(c["reduce"]) if "reduce" in c else None,  # type: ignore[arg-type]
            increase=tuple(c["increase"]) if "increase" in c else None,  # type: ignore[arg-type]
            typical=c["typical"], first=c.get("first", False),
            mitigate_below_range=c.get("mitigate_below_range", False), basis=c["basis"],
            words=tuple(c.get("words", ())), charges=tuple(c.get("charges", ())),
            excludes=tuple(c.get("excludes", ())), articles=tuple(c.get("articles", ())),
        )
        for kind, c in raw["circumstances"].items()
    }
    return Guideline(edition=raw["edition"], charges=charges, circumstances=circumstances)

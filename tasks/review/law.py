"""The per-charge tables the rules read (``data/charges.yaml``), joined with the
statutory ranges derived from the Criminal Law (``tasks/law/data/statutory_ranges.json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from tasks.law.statutory_ranges import Tier, article_tiers

DATA_FILE = Path(__file__).resolve().parent / "data" / "charges.yaml"

__all__ = ["DATA_FILE", "ChargeSpec", "EvidenceNeed", "charge_spec", "charge_specs",
           "covered_articles"]


@dataclass(frozen=True)
class EvidenceNeed:
    kinds: tuple[str, ...]
    when: str | None = None  # an offence form the card must show (醉酒驾驶)


@dataclass(frozen=True)
class ChargeSpec:
    charge: str
    article: str  # "264", "133-1"
    tier_indexes: tuple[int, ...]
    evidence: tuple[EvidenceNeed, ...]
    amount: dict = field(default_factory=dict)
    quantity: dict = field(default_factory=dict)
    alcohol: dict = field(default_factory=dict)
    injury: dict = field(default_factory=dict)

    @property
    def tiers(self) -> list[Tier]:
        """This charge's statutory tiers, basic first (as ``tiers`` lists them)."""
        number, _, sub = self.article.partition("-")
        all_tiers = article_tiers(int(number), int(sub) if sub else None)
        return [all_tiers[i] for i in self.tier_indexes if i < len(all_tiers)]

    def statute_label(self) -> str:
        number, _, sub = self.article.partition("-")
        return f"刑法第{number}条" + (f"之{sub}" if sub else "")


def _needs(raw: list) -> tuple[EvidenceNeed, ...]:
    out = []
    for item in raw:
        if isinstance(item, dict):
            out.append(EvidenceNeed(tuple(item["kinds"]), item.get("when")))
        else:
            out.append(EvidenceNeed(tuple(item)))
    return tuple(out)


@lru_cache(maxsize=1)
def charge_specs() -> dict[str, ChargeSpec]:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return {
        charge: ChargeSpec(
            charge=charge,
            article=str(spec["article"]),
            tier_indexes=tuple(spec["tiers"]),
            evidence=_needs(spec.get("evidence", [])),
            amount=spec.get("amount", {}),
            quantity=spec.get("quantity", {}),
            alcohol=spec.get("alcohol", {}),
            injury=spec.get("injury", {}),
        )
        for charge, spec in raw.items()
    }


def charge_spec(charge: str) -> ChargeSpec | None:
    """The table for a charge as the card names it (official names; a selective charge's
    written form maps through the lexicon)."""
    from tasks.nlp.lexicon import canonical_charge

    specs = charge_specs()
    return specs.get(charge) or specs.get(canonical_charge(charge) or "")


def covered_articles() -> list[str]:
    """Every article the charge table names, for the statutory-range derivation."""
    return sorted({s.article for s in charge_specs().values()},
                  key=lambda a: tuple(int(x) for x in a.split("-")))

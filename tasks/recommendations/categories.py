"""Problem categories: what a recommendation about one model's leads says, and to whom.

Read from ``data/categories.yaml`` (one entry per supervision model, a default for
models without one). The recipient is the agency the leads name (the court of a
judgment, the agency of a penalty); leads that name none (police measures, pensions)
go to the category's recipient kind, resolved to a name by
``Settings.recommendation_recipients`` or else the procuratorate's place + the kind's
default (示范市示范区人民检察院 → 示范市示范区公安局).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dossier.settings import Settings, get_settings
from tasks.recommendations.legal_basis import squeeze

CATEGORIES_FILE = Path(__file__).resolve().parent / "data" / "categories.yaml"
PROCURATORATE_SUFFIX = "人民检察院"


@dataclass(frozen=True)
class Category:
    model_id: str
    kind: str  # 纠正违法检察建议 | 社会治理检察建议
    recipient_kind: str
    problem: str
    cause: str
    suggestions: tuple[str, ...]
    regulation_article: str
    statutes: tuple[str, ...]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return yaml.safe_load(CATEGORIES_FILE.read_text(encoding="utf-8"))


def category_for(model_id: str) -> Category:
    data = _data()
    entry = data["categories"].get(model_id, data["default"])
    kind = entry["kind"]
    kind_entry = data["kinds"][kind]
    statutes = tuple(dict.fromkeys([*kind_entry["statutes"], *entry.get("statutes", [])]))
    return Category(
        model_id=model_id, kind=kind, recipient_kind=entry["recipient"],
        problem=squeeze(entry["problem"]), cause=squeeze(entry["cause"]),
        suggestions=tuple(squeeze(s) for s in entry["suggestions"]),
        regulation_article=kind_entry["regulation_article"], statutes=statutes,
    )


def place_of(procuratorate: str) -> str:
    """示范市示范区人民检察院 → 示范市示范区."""
    return procuratorate.removesuffix(PROCURATORATE_SUFFIX) or procuratorate


def recipient_for(kind: str, settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    configured = settings.recommendation_recipients.get(kind)
    if configured:
        return configured
    suffix = _data()["recipient_defaults"].get(kind, "有关单位")
    return place_of(settings.procuratorate_name) + suffix

"""Which evidence kinds (证据种类) a document provides: ``data/evidence_kinds.yaml``.

The review rules ask, per charge, whether a dossier holds the evidence the charge needs
(a blood-alcohol appraisal for 醉驾, a price appraisal for 盗窃 …). A document's type
says most of it; its title says the rest for documents the splitter types broadly
(a 鉴定意见 titled 血液酒精含量检验鉴定书), and a 询问笔录's first lines say whether the
person heard is a victim (被害人陈述) or a witness (证人证言).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "evidence_kinds.yaml"
_HEAD_CHARS = 600  # a record says who is heard at its start

__all__ = ["DATA_FILE", "document_elements", "elements_table", "evidence_kinds", "kinds_table"]


@lru_cache(maxsize=1)
def kinds_table() -> dict[str, dict]:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return {
        kind: {
            "types": set(spec.get("types", [])),
            "titles": [re.compile(p) for p in spec.get("titles", [])],
            "text_in": set(spec.get("text_in", [])),
            "text": [re.compile(p) for p in spec.get("text", [])],
            "fallback_in": set(spec.get("fallback_in", [])),
        }
        for kind, spec in raw.items()
    }


def evidence_kinds(doc_type: str, title: str, text: str = "") -> list[str]:
    """The evidence kinds of one document, in the table's order."""
    head = text[:_HEAD_CHARS]
    found: list[str] = []
    for kind, spec in kinds_table().items():
        if (
            doc_type in spec["types"]
            or any(p.search(title) for p in spec["titles"])
            or (doc_type in spec["text_in"] and any(p.search(head) for p in spec["text"]))
        ):
            found.append(kind)
    for kind, spec in kinds_table().items():
        # a 询问笔录 that says neither is a witness's: victims are named as such
        if doc_type in spec["fallback_in"] and not any(
            k in found for k, s in kinds_table().items() if doc_type in s["text_in"]
        ):
            found.append(kind)
    return found


ELEMENTS_FILE = Path(__file__).resolve().parent / "data" / "document_elements.yaml"


@lru_cache(maxsize=1)
def elements_table() -> dict[str, dict[str, dict]]:
    """Document type → element → {basis, all/any patterns, when_circumstance}."""
    raw = yaml.safe_load(ELEMENTS_FILE.read_text(encoding="utf-8"))
    return {
        doc_type: {
            name: {
                **spec,
                "all": [re.compile(p) for p in spec.get("all", [])],
                "any": [re.compile(p) for p in spec.get("any", [])],
            }
            for name, spec in elements.items()
        }
        for doc_type, elements in raw.items()
    }


def document_elements(doc_type: str, text: str) -> list[str]:
    """The elements of an 起诉书 or 量刑建议书 its text carries (``[]`` for other types)."""
    found = []
    for name, spec in elements_table().get(doc_type, {}).items():
        if all(p.search(text) for p in spec["all"]) and (
            not spec["any"] or any(p.search(text) for p in spec["any"])
        ):
            found.append(name)
    return found

"""The rule registry: a rule is a declared unit that registers itself.

Each rule module under ``tasks/review/rules/`` declares its rules with :func:`rule`;
:func:`load_rules` imports every module there, so adding a rule is adding one function
(or one module), never a branch in the engine. A rule declares its id, kind (review,
conclusion, document), Chinese name, legal basis, the card fields and document types it
reads, and its default severity; its function yields :class:`Finding` s.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tasks.review.context import ReviewContext

__all__ = ["Finding", "Rule", "load_rules", "rule", "rules_version"]


@dataclass(frozen=True)
class Finding:
    message: str  # names already masked
    person: str | None = None  # masked
    severity: str | None = None  # None: the rule's default
    charge: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    name_zh: str
    basis: str
    reads_fields: tuple[str, ...]
    reads_documents: tuple[str, ...]
    severity: str
    check: Callable[[ReviewContext], Iterable[Finding]]


_RULES: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    kind: str,
    name_zh: str,
    basis: str,
    reads_fields: tuple[str, ...] = (),
    reads_documents: tuple[str, ...] = (),
    severity: str = "medium",
) -> Callable[[Callable], Callable]:
    """Register the decorated function as the check of rule ``id``."""
    if kind not in ("review", "conclusion", "document"):
        raise ValueError(f"unknown rule kind {kind!r}")

    def register(check: Callable) -> Callable:
        if id in _RULES and _RULES[id].check is not check:
            raise ValueError(f"rule {id!r} registered twice")
        _RULES[id] = Rule(id, kind, name_zh, basis, reads_fields, reads_documents, severity,
                          check)
        return check

    return register


RULES_PACKAGE = "tasks.review.rules"
_RULES_DIR = Path(__file__).resolve().parent / "rules"
_DATA = (
    Path(__file__).resolve().parent / "data",
    Path(__file__).resolve().parents[1] / "law" / "data",
    Path(__file__).resolve().parents[1] / "nlp" / "data" / "evidence_kinds.yaml",
    Path(__file__).resolve().parents[1] / "nlp" / "data" / "document_elements.yaml",
)


@lru_cache(maxsize=1)
def load_rules() -> dict[str, Rule]:
    """Every registered rule, by id (importing each module of ``tasks/review/rules``)."""
    for module in pkgutil.iter_modules([str(_RULES_DIR)]):
        importlib.import_module(f"{RULES_PACKAGE}.{module.name}")
    return dict(sorted(_RULES.items()))


@lru_cache(maxsize=1)
def rules_version() -> str:
    """A fingerprint of the rule modules and the data they read: a report names it, and
    the review stage reruns when it changes."""
    digest = hashlib.sha256()
    files = [*sorted(_RULES_DIR.glob("*.py")), Path(__file__)]
    for data in _DATA:
        files += sorted(data.glob("*")) if data.is_dir() else [data]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

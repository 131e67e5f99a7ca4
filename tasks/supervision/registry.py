"""The model registry: every supervision model is a declared :class:`SupervisionModel`.

A model declares its id, Chinese name, version, legal basis, the tables it
reads, its severity, a Chinese explanation template, which evidence feeds name
its records, and its rule: a function from a :class:`RuleContext` to one
SQLAlchemy Core ``Select`` (set-based; no Python loop over people). Adding a
model is adding a module under ``tasks/supervision/models/`` that calls
:func:`register`; the package imports every module in it.

What a rule's select returns (labels): ``subject`` (the person's keyed hash),
``person_masked``, ``case_no``, ``agency`` (the responsible agency, or NULL),
one ``r_<feed>`` column per evidence feed with that row's record id, and any
further columns the explanation template names (the lead's facts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

Severity = Literal["high", "medium", "low"]

_MODELS: dict[str, SupervisionModel] = {}


@dataclass(frozen=True)
class LegalBasis:
    law: str
    article: str

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}"


@dataclass(frozen=True)
class JudgmentSource:
    """Where the case-card models read sentences: the judgments feed or flattened cards.

    Both have the columns of ``feed_judgments``; ``record_feed``/``record_column``
    say how a row is named in a lead's records (``judgments:J1`` or ``card:<dossier>``),
    ``cites`` whether the judgment cites an article, and ``single_charge`` which
    rows carry one charge's own sentence (a card's combined sentence does not).
    """

    table: sa.FromClause
    record_feed: str
    record_column: str
    cites: Callable[[sa.ColumnElement], sa.ColumnElement[bool]]
    single_charge: sa.ColumnElement[bool]
    amount: sa.ColumnElement | None = None  # amount involved, for sentence_deviation bands


@dataclass(frozen=True)
class RuleContext:
    as_of: dt.date
    thresholds: Mapping[str, float]
    judgments: JudgmentSource | None = None
    population: sa.FromClause | None = None  # sentencing reference (sentence_deviation)

    def days_before(self, days: int) -> dt.date:
        return self.as_of - dt.timedelta(days=days)


@dataclass(frozen=True)
class SupervisionModel:
    id: str
    name_zh: str
    version: str
    legal_basis: tuple[LegalBasis, ...]
    reads: tuple[str, ...]
    severity: Severity
    explanation_zh: str
    evidence: tuple[str, ...]
    rule: Callable[[RuleContext], sa.Select]
    on_cards: bool = False
    description: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def record_columns(self) -> list[str]:
        return [f"r_{feed}" for feed in self.evidence]


def register(model: SupervisionModel) -> SupervisionModel:
    if model.id in _MODELS and _MODELS[model.id] is not model:
        raise ValueError(f"supervision model {model.id} registered twice")
    _MODELS[model.id] = model
    return model


def _load() -> None:
    import importlib
    import pkgutil

    from tasks.supervision import models

    for info in pkgutil.iter_modules(models.__path__):
        importlib.import_module(f"{models.__name__}.{info.name}")


def all_models() -> dict[str, SupervisionModel]:
    _load()
    return dict(_MODELS)


def get_models(ids: Iterable[str] | None = None, *, cards_only: bool = False) -> list[SupervisionModel]:
    """The models named (all when None), in registration order; unknown ids raise."""
    models = all_models()
    if ids is None:
        chosen = list(models.values())
    else:
        wanted = [i.strip() for i in ids if i.strip()]
        unknown = [i for i in wanted if i not in models]
        if unknown:
            raise KeyError(f"unknown supervision model(s): {', '.join(unknown)}; "
                           f"known: {', '.join(models)}")
        chosen = [models[i] for i in wanted]
    return [m for m in chosen if m.on_cards or not cards_only]

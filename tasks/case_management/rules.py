"""The time limits (办案期限) of ``data/deadlines.yaml``, read once.

The YAML is the table of law: each rule names the event that starts it, the events
that end it, its period, the extension the law allows (and on what condition), whether
the suspect is in custody during it, and the articles it rests on with their words.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

DATA_FILE = Path(__file__).resolve().parent / "data" / "deadlines.yaml"

EventKind = Literal[
    "arrest_request",  # 提请批准逮捕 (the procuratorate receives 提请批准逮捕书)
    "arrest_decision",  # 批准逮捕 / 不批准逮捕
    "prosecution_transfer",  # 移送审查起诉 (起诉意见书), or sent back after 补充侦查
    "returned",  # 退回补充侦查
    "prosecution_decision",  # 起诉 (起诉书) / 不起诉 (不起诉决定书)
    "extension",  # 延长审查起诉期限 approved
    "detained",  # 刑事拘留
    "released",  # 释放, 取保候审, 监视居住 (out of custody)
    "judgment",  # 判决
]
Applies = Literal["detained", "not_detained", "ordinary", "plea_fast_track", "returned"]


class Basis(BaseModel):
    law: str
    article: str
    paragraph: int | None = None
    quote: str

    def label(self) -> str:
        """刑事诉讼法第172条第1款: short, for tables and notices."""
        return f"{self.law}第{self.article}条" + (f"第{self.paragraph}款" if self.paragraph else "")


class Period(BaseModel):
    days: int = 0
    months: int = 0


class Extension(BaseModel):
    """``days`` added after the period, or the period extended ``to_days`` in all."""

    days: int | None = None
    to_days: int | None = None
    when: str


class Rule(BaseModel):
    id: str = ""
    name: str
    starts: EventKind
    ends: list[EventKind]
    applies: Applies
    custody: bool | None = None  # None: whether the suspect is held decides (per case)
    period: Period
    extension: Extension | None = None
    max_times: int | None = None
    basis: list[Basis]

    def basis_label(self) -> str:
        return "；".join(b.label() for b in self.basis)


class Counting(BaseModel):
    law: str
    article: str
    quote: str
    holiday_quote: str
    months_law: str
    months_article: str
    months_quote: str
    half_month_quote: str


class FastTrack(BaseModel):
    max_months: int
    basis: Basis


class DeadlineRules(BaseModel):
    counting: Counting
    rules: dict[str, Rule] = Field(default_factory=dict)
    fast_track: FastTrack

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]


@lru_cache(maxsize=1)
def deadline_rules() -> DeadlineRules:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    rules = DeadlineRules.model_validate(data)
    for rule_id, rule in rules.rules.items():
        rule.id = rule_id
    return rules

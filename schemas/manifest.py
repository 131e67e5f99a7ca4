"""``manifests/<dossier_id>.json``: every stage's outputs with their hashes (全程留痕)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

DossierStatus = Literal["received", "processing", "ok", "needs_review", "rejected"]


class StageOutput(BaseModel):
    key: str
    sha256: str | None
    size: int | None = None


class StageRecord(BaseModel):
    stage: str
    outputs: list[StageOutput] = Field(default_factory=list)
    code_version: str
    flow_run_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    note: str | None = None


class Manifest(BaseModel):
    schema_version: Literal["1"] = "1"
    dossier_id: str
    sha256: str
    original_key: str | None = None
    filename: str
    size: int
    status: DossierStatus = "received"
    reason: str | None = None
    stages: dict[str, StageRecord] = Field(default_factory=dict)

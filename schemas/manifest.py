"""``manifests/<dossier_id>.json``: every stage's outputs with their hashes (全程留痕).

A stage's record is also what lets a rerun skip it: the hashes of the inputs the
stage read, its parameters and its code version (``tasks.stages.contract``). A
rerun whose stage finds the same three skips the stage.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

DossierStatus = Literal["received", "processing", "ok", "needs_review", "rejected"]
# What a finished run concluded; a dossier stopped early (``--until``) or whose run
# failed stays ``processing`` and is taken up again by its next run.
FINISHED_STATUSES = frozenset({"ok", "needs_review", "rejected"})


class StageOutput(BaseModel):
    """An object a stage wrote (or read): key, sha256 of its bytes, size."""

    key: str
    sha256: str | None
    size: int | None = None


class StageRecord(BaseModel):
    stage: str
    outputs: list[StageOutput] = Field(default_factory=list)
    inputs: list[StageOutput] = Field(
        default_factory=list, description="The objects the stage read, as it read them."
    )
    params: dict[str, str] = Field(
        default_factory=dict, description="Run parameters that change the outputs (engine …)."
    )
    code_version: str = Field(
        description="Fingerprint of the stage's own code and model versions: the skip test."
    )
    model_versions: dict[str, str] = Field(default_factory=dict)
    build: str | None = Field(None, description="Package version + git commit that ran it.")
    flow_run_id: str | None = None
    task_run_id: str | None = None
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
    page_count: int | None = None
    status: DossierStatus = "received"
    reason: str | None = None
    finished: bool | None = Field(
        None,
        description="True once a run went through the whole chain; False while stopped "
        "early (--until) or after a failed run. None: written before this field existed.",
    )
    stopped_after: str | None = Field(
        None, description="The stage an early stop (--until) ended after."
    )
    stages: dict[str, StageRecord] = Field(default_factory=dict)

    @property
    def is_finished(self) -> bool:
        """Done: a re-upload of the same bytes is a duplicate, the sweep leaves it alone.

        Manifests from before ``finished`` existed count as done when their status
        says so and they were structured (an early stop was then recorded as ``ok``
        without a ``structure`` stage: such a dossier is taken up again).
        """
        if self.status == "rejected":
            return True
        if self.finished is not None:
            return self.finished and self.status in FINISHED_STATUSES
        return self.status in FINISHED_STATUSES and "structure" in self.stages

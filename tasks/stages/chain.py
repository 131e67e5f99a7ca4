"""The registry of a dossier's stages, in chain order (登记).

Each entry is a module of ``tasks.stages`` that defines ``STAGE`` (a
``tasks.stages.contract.Stage``). Adding a stage is adding its module here at its
place: the ingest flow runs every stage after ``load`` that it finds here, ``--until``
and ``dossier reprocess --from`` accept its name, and its code version is recorded.
"""

from __future__ import annotations

import functools
import importlib

from tasks.stages.contract import Stage

STAGE_MODULES: tuple[str, ...] = (
    "tasks.stages.intake",  # retrieve
    "tasks.stages.page_ocr",  # ocr
    "tasks.stages.structure",  # structure
    "tasks.stages.quality",  # validate
    "tasks.stages.library",  # load
    "tasks.stages.supervise",  # supervise: leads/<id>.json (issue 11)
    "tasks.stages.suggest",  # suggest: similar cases and the sentencing suggestion (issue 13)
    "tasks.stages.review",  # review (审查要点)
)


@functools.cache
def stages() -> tuple[Stage, ...]:
    """Every registered stage, in chain order (their modules import light: heavy
    libraries load when a stage runs)."""
    found = tuple(importlib.import_module(name).STAGE for name in STAGE_MODULES)
    names = [stage.name for stage in found]
    if len(set(names)) != len(names):
        raise ValueError(f"two stages share a name: {names}")
    return found


def stage_names() -> tuple[str, ...]:
    return tuple(stage.name for stage in stages())


def get_stage(name: str) -> Stage:
    for stage in stages():
        if stage.name == name:
            return stage
    raise KeyError(f"no stage {name!r}; the chain is {', '.join(stage_names())}")


def position(name: str) -> int:
    return stage_names().index(get_stage(name).name)


def stages_from(name: str) -> tuple[Stage, ...]:
    """``name`` and every stage after it."""
    return stages()[position(name):]


def stages_after(name: str) -> tuple[Stage, ...]:
    return stages()[position(name) + 1:]


def reprocessable_names() -> tuple[str, ...]:
    """Stages ``dossier reprocess --from`` accepts: those that run on stored outputs."""
    return tuple(s.name for s in stages() if s.reprocessable and s.run is not None)

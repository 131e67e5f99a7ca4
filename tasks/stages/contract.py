"""The stage contract: every stage of a dossier's chain is a declared unit (no Prefect).

A :class:`Stage` names the code it depends on, the keys it reads and writes for a
dossier id, and its run function. :func:`run_stage` runs it against the store by
dossier id and records in ``manifests/<id>.json`` what it read (key, sha256, size),
what it wrote, its parameters and its code version — and skips it when the record
says the same inputs were already turned into outputs that are still there by the
same code. Flows pass dossier ids between stages, never payloads: each run function
loads what it needs from the store (``tasks.stages.stored``).

The code version of a stage is a fingerprint of the source (and data files) of the
modules it declares plus the versions of the libraries and models it declares, not
the package version or git commit: a commit that touches the OCR engines does not
make every dossier's structuring stale, and a new extractor makes exactly the
structure stage stale (``dossier reprocess --if-older``). The git build that ran a
stage is recorded beside it (``build``) for the audit trail.

Registering a stage: a module in ``tasks.stages`` defines ``STAGE = Stage(...)``
and is named in ``tasks.stages.chain.STAGE_MODULES`` at its place in the chain.
A plain ``<stage>_dossier(store, dossier_id, settings=None)`` becomes its run
function through :func:`by_id`::

    STAGE = Stage(
        name="supervise",
        code=("tasks.stages.supervise", "tasks.supervision"),
        inputs=lambda ctx: [case_card_key(ctx.dossier_id)],
        outputs=lambda ctx: [f"leads/{ctx.dossier_id}.json"],
        run=by_id(supervise_dossier),
    )
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as distribution_version
from pathlib import Path

from pydantic import BaseModel, Field

from dossier.settings import PROJECT_ROOT, Settings, get_settings
from dossier.store.base import ObjectInfo, ObjectNotFoundError, ObjectStore
from schemas.manifest import DossierStatus, Manifest, StageOutput, StageRecord
from tasks.lineage import code_version as build_version
from tasks.lineage import load_manifest, save_manifest

log = logging.getLogger("dossier.stages")

# Never part of a fingerprint: caches, and what tools write beside versioned files.
_SKIPPED_DIRS = frozenset({"__pycache__", "uncommitted", ".ipynb_checkpoints"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
# Keys of one folder read through a single listing rather than one stat each.
_LIST_FOLDER_FROM = 4


@dataclass
class StageContext:
    """What a stage's key functions and run function get: the store and the dossier."""

    store: ObjectStore
    dossier_id: str
    manifest: Manifest
    params: dict[str, str] = field(default_factory=dict)
    settings: Settings = field(default_factory=get_settings)
    flow_run_id: str | None = None
    task_run_id: str | None = None


@dataclass
class StageResult:
    """What a run function may report besides its outputs: a note for people, and
    (the load stage) the dossier's new status with its reason (None clears it)."""

    note: str | None = None
    status: DossierStatus | None = None
    reason: str | None = None


KeysOf = Callable[[StageContext], Sequence[str]]
RecordKeeper = Callable[[StageContext, StageRecord], None]

# Who else keeps a stage's record once it is in the manifest: the library's lineage table
# (全程留痕; ``tasks.stages.library`` registers it, so this module needs no database).
RECORD_KEEPERS: list[RecordKeeper] = []
RunById = Callable[[StageContext], "StageResult | None"]


def by_id(function: Callable[..., object]) -> RunById:
    """A stage's run function from a plain ``f(store, dossier_id, settings=None)``; what it
    returns is kept when it is a :class:`StageResult`, else dropped (its outputs are in
    the store)."""

    def run(ctx: StageContext) -> StageResult | None:
        result = function(ctx.store, ctx.dossier_id, settings=ctx.settings)
        return result if isinstance(result, StageResult) else None

    run.__name__ = getattr(function, "__name__", "run")
    run.__doc__ = function.__doc__
    return run


@dataclass(frozen=True)
class Stage:
    """One stage of the chain, declared.

    ``code``: modules (``tasks.stages.structure``), packages (``tasks.nlp``, every file
    under it, data files included) or project paths (``expectations/gx``) whose content
    makes the stage's code version. ``libraries``: distributions whose versions join it
    (spaCy's rules change the tokens). ``models``: versions that depend on the run's
    parameters (the OCR engine's), recorded and compared beside the code version.
    ``outputs`` are keys, or folders ending in ``/`` (everything under them).
    ``pending``, when given, replaces the record comparison as the skip test (the
    OCR stage skips page by page, on what is stored beside each page).
    ``verify`` says why outputs that live outside the store are gone (the library's
    rows), or None when they are there.
    """

    name: str
    code: tuple[str, ...]
    inputs: KeysOf
    outputs: KeysOf
    run: Callable[[StageContext], StageResult | None] | None
    libraries: tuple[str, ...] = ()
    models: Callable[[StageContext], dict[str, str]] | None = None
    params: tuple[str, ...] = ()
    pending: Callable[[StageContext], str | None] | None = None
    verify: Callable[[StageContext, StageRecord], str | None] | None = None
    reprocessable: bool = True
    description: str = ""
    # markdown for the run's Prefect artifact after the stage ran (store, dossier id), or
    # None; domain code, so the orchestration layer creates the artifact (issue 13)
    artifact: Callable[[ObjectStore, str], str | None] | None = None

    @property
    def code_version(self) -> str:
        return code_fingerprint(self.code, self.libraries)


class StageRun(BaseModel):
    """What happened to one stage of one dossier in this run: it ran, or was skipped."""

    stage: str
    dossier_id: str
    ran: bool
    reason: str = Field(description="Why it ran (no record, inputs changed …) or was skipped.")
    seconds: float = 0.0
    note: str | None = None

    @property
    def action(self) -> str:
        return "ran" if self.ran else "skipped"

    def line(self) -> str:
        """One line for logs: ``structure skipped (inputs, parameters and code unchanged)``."""
        return f"{self.stage} {self.action} ({self.reason})"


# --- code versions ----------------------------------------------------------------------


def _code_path(spec: str) -> Path:
    """A module or package name to its file or folder; a name with '/' is a project path."""
    if "/" in spec:
        return PROJECT_ROOT / spec
    top, *rest = spec.split(".")
    package_file = importlib.import_module(top).__file__  # the top package only: cheap
    assert package_file is not None, f"{top} is a namespace package"
    base = Path(package_file).parent.joinpath(*rest)
    return base if base.is_dir() else base.with_suffix(".py")


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(
        p for p in path.rglob("*")
        if p.is_file() and not p.name.startswith(".")
        and not p.name.endswith(_SKIPPED_SUFFIXES)
        and not (_SKIPPED_DIRS & set(p.relative_to(path).parts))
    )


def _library_version(name: str) -> str:
    try:
        return distribution_version(name)
    except PackageNotFoundError:
        return "absent"


@functools.cache
def code_fingerprint(code: tuple[str, ...], libraries: tuple[str, ...] = ()) -> str:
    """16 hex of the sha256 over the declared files' paths and bytes and library versions.

    Computed once per process (the files do not change under a running worker).
    A declared path that does not exist counts as absent, so adding it later changes
    the fingerprint too.
    """
    digest = hashlib.sha256()
    for spec in code:
        root = _code_path(spec)
        digest.update(f"{spec}\0".encode())
        files = _files(root)
        if not files:
            digest.update(b"absent\0")
        for path in files:
            name = path.name if path == root else path.relative_to(root).as_posix()
            digest.update(f"{name}\0".encode())
            digest.update(path.read_bytes())
            digest.update(b"\0")
    for library in libraries:
        digest.update(f"{library}=={_library_version(library)}\0".encode())
    return digest.hexdigest()[:16]


# --- reading the store ------------------------------------------------------------------


def current_objects(store: ObjectStore, keys: Iterable[str]) -> dict[str, ObjectInfo | None]:
    """The store's record of each key (None when absent), as cheaply as the store allows:
    keys of one folder with several siblings come from one listing (sha256 included)."""
    wanted = list(dict.fromkeys(keys))
    folders: dict[str, list[str]] = {}
    for key in wanted:
        folders.setdefault(key.rsplit("/", 1)[0] + "/" if "/" in key else "", []).append(key)
    found: dict[str, ObjectInfo | None] = {}
    for folder, group in folders.items():
        if len(group) >= _LIST_FOLDER_FROM and folder:
            listed = {info.key: info for info in store.list(folder)}
            found.update({key: listed.get(key) for key in group})
            continue
        for key in group:
            try:
                found[key] = store.stat(key)
            except ObjectNotFoundError:
                found[key] = None
    return {key: found[key] for key in wanted}


def object_refs(store: ObjectStore, keys: Iterable[str]) -> list[StageOutput]:
    """Key, sha256 and size of each key; an absent one is recorded with sha256 None."""
    return [StageOutput(key=key, sha256=info.sha256 if info else None,
                        size=info.size if info else None)
            for key, info in current_objects(store, keys).items()]


def written_objects(store: ObjectStore, outputs: Iterable[str]) -> list[StageOutput]:
    """The outputs as they are now: declared keys that exist, and all under declared folders."""
    keys = [k for k in outputs if not k.endswith("/")]
    refs = [r for r in object_refs(store, keys) if r.sha256 is not None]
    for folder in (k for k in outputs if k.endswith("/")):
        refs += [StageOutput(key=i.key, sha256=i.sha256, size=i.size) for i in store.list(folder)]
    return refs


# --- the skip test ----------------------------------------------------------------------


def _changed_inputs(recorded: list[StageOutput], current: list[StageOutput]) -> int:
    before = {r.key: r.sha256 for r in recorded}
    now = {r.key: r.sha256 for r in current}
    return sum(before.get(k) != now.get(k) for k in before.keys() | now.keys())


def why_run(
    ctx: StageContext, stage: Stage, record: StageRecord | None, inputs: list[StageOutput],
    models: dict[str, str],
) -> str | None:
    """Why the stage must run, or None when its record matches and its outputs are there."""
    if stage.pending is not None:
        return stage.pending(ctx)
    if record is None:
        return "no record"
    if record.code_version != stage.code_version:
        return f"code changed ({record.code_version} -> {stage.code_version})"
    if record.model_versions != models:
        return "model versions changed"
    if record.params != ctx.params:
        return "parameters changed"
    changed = _changed_inputs(record.inputs, inputs)
    if changed:
        return f"inputs changed ({changed} of {len(inputs)})"
    kept = current_objects(ctx.store, (o.key for o in record.outputs))
    gone = [o.key for o in record.outputs
            if (kept.get(o.key) is None or kept[o.key].sha256 != o.sha256)]  # type: ignore[union-attr]
    if gone:
        return f"outputs missing or changed ({len(gone)})"
    if stage.verify is not None:
        return stage.verify(ctx, record)
    return None


# --- running and recording ----------------------------------------------------------------


def require_manifest(store: ObjectStore, dossier_id: str) -> Manifest:
    manifest = load_manifest(store, dossier_id)
    if manifest is None:
        raise LookupError(f"dossier {dossier_id} has no manifest: was it taken in?")
    return manifest


def stage_params(stage: Stage, params: dict[str, object] | None) -> dict[str, str]:
    """The parameters the stage declares, as strings; others are not its business."""
    given = params or {}
    return {name: str(given[name]) for name in stage.params if given.get(name) is not None}


def context(
    store: ObjectStore, dossier_id: str, stage: Stage, *, params: dict[str, object] | None = None,
    settings: Settings | None = None, flow_run_id: str | None = None,
    task_run_id: str | None = None, manifest: Manifest | None = None,
) -> StageContext:
    return StageContext(
        store=store, dossier_id=dossier_id,
        manifest=manifest or require_manifest(store, dossier_id),
        params=stage_params(stage, params), settings=settings or get_settings(),
        flow_run_id=flow_run_id, task_run_id=task_run_id,
    )


def record_run(
    ctx: StageContext, stage: Stage, *, inputs: list[StageOutput], started_at: datetime,
    result: StageResult | None = None, models: dict[str, str] | None = None,
) -> Manifest:
    """Write the stage's record (replacing an earlier one) and save the manifest.

    Used by :func:`run_stage`, and by flows that run a stage as many tasks (the pages)
    once those are done. The manifest is read again first: only the flow's stages
    write it, one after the other, but a long stage should not write back a stale copy.
    """
    manifest = require_manifest(ctx.store, ctx.dossier_id)
    manifest.stages[stage.name] = StageRecord(
        stage=stage.name,
        inputs=inputs,
        outputs=written_objects(ctx.store, stage.outputs(ctx)),
        params=ctx.params,
        code_version=stage.code_version,
        model_versions=models if models is not None else _models(ctx, stage),
        build=build_version(),
        flow_run_id=ctx.flow_run_id,
        task_run_id=ctx.task_run_id,
        started_at=started_at,
        finished_at=datetime.now(UTC),
        note=result.note if result else None,
    )
    if result is not None and result.status is not None:
        manifest.status = result.status
        manifest.reason = result.reason
    save_manifest(ctx.store, manifest)
    ctx.manifest = manifest
    for keeper in RECORD_KEEPERS:
        keeper(ctx, manifest.stages[stage.name])
    return manifest


def forget_run(store: ObjectStore, dossier_id: str, stage: Stage) -> None:
    """A stage that failed half-way leaves no record: its outputs may be half written,
    and later stages must not take an older output for its result."""
    manifest = require_manifest(store, dossier_id)
    if manifest.stages.pop(stage.name, None) is not None:
        save_manifest(store, manifest)


def _models(ctx: StageContext, stage: Stage) -> dict[str, str]:
    return dict(sorted(stage.models(ctx).items())) if stage.models else {}


def run_stage(
    store: ObjectStore,
    dossier_id: str,
    stage: Stage,
    force: bool = False,
    *,
    params: dict[str, object] | None = None,
    settings: Settings | None = None,
    flow_run_id: str | None = None,
    task_run_id: str | None = None,
) -> StageRun:
    """Run ``stage`` for the dossier unless its record matches; record what it did.

    Skipped when the manifest's record of the stage has the same code version, model
    versions and parameters, the inputs have the hashes recorded, and the recorded
    outputs are still there with theirs (and ``verify`` finds the rest). ``force``
    runs it regardless. A stage that raises leaves no record and re-raises.
    """
    if stage.run is None:
        raise ValueError(f"stage {stage.name} does not run by dossier id")
    ctx = context(store, dossier_id, stage, params=params, settings=settings,
                  flow_run_id=flow_run_id, task_run_id=task_run_id)
    inputs = object_refs(store, stage.inputs(ctx))
    models = _models(ctx, stage)
    reason = "forced" if force else why_run(ctx, stage, ctx.manifest.stages.get(stage.name),
                                            inputs, models)
    if reason is None:
        run = StageRun(stage=stage.name, dossier_id=dossier_id, ran=False,
                       reason="inputs, parameters and code unchanged",
                       note=ctx.manifest.stages[stage.name].note)
        log.info("dossier %s: %s", dossier_id, run.line())
        return run
    started, clock = datetime.now(UTC), time.perf_counter()
    try:
        result = stage.run(ctx)
    except Exception:
        forget_run(store, dossier_id, stage)
        raise
    record_run(ctx, stage, inputs=inputs, started_at=started, result=result, models=models)
    run = StageRun(stage=stage.name, dossier_id=dossier_id, ran=True, reason=reason,
                   seconds=round(time.perf_counter() - clock, 3),
                   note=result.note if result else None)
    log.info("dossier %s: %s", dossier_id, run.line())
    return run


def stale(manifest: Manifest, stage: Stage) -> bool:
    """Whether the dossier's record of ``stage`` was made by other code (``--if-older``)."""
    record = manifest.stages.get(stage.name)
    return record is None or record.code_version != stage.code_version

"""The OCR stage (识别) as a stage of the chain: which pages still need reading, and reading them.

Its unit is the page, not the dossier: a run reads only the pages whose stored
record does not answer for (the original's sha256, the page, the engine, the
engine's version) — see ``tasks.stages.pages`` — so a retry after a late failure
reads none, and a run stopped half-way through the pages reads the rest. The
ingest flow maps the pending pages over Prefect tasks (``pending_pages``) and
records the stage when they are done; :data:`STAGE`'s own run function reads them
from threads in this process, for callers without a flow.

Our own page code (deskew, orientation, the text-layer test) is fingerprinted and
recorded but does not make stored pages stale: re-reading every page costs seconds
a page, so a better OCR is a new engine version, not a commit.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from dossier.settings import Settings
from dossier.store.base import ObjectInfo, ObjectStore
from dossier.store.keys import ocr_key, page_image_key
from schemas.manifest import Manifest
from tasks.ocr.engines import engine_version
from tasks.stages.contract import Stage, StageContext, StageResult
from tasks.stages.workspace import local_original, release_original

NAME = "ocr"
_PAGE_NUMBER = re.compile(r"page-(\d+)\.json$")
DONE_STATUSES = frozenset({"ok", "blank"})


def resolve_engine(manifest: Manifest, engine: str | None, settings: Settings) -> str:
    """The engine asked for; else the one the dossier's pages were read with (a later
    run continues with it); else the configured default."""
    record = manifest.stages.get(NAME)
    return engine or (record.params.get("engine") if record else None) or settings.ocr_engine


def page_current(
    record: ObjectInfo | None, image: ObjectInfo | None, sha256: str, engine: str
) -> bool:
    """Whether a stored page answers for these bytes, this engine and its version."""
    if record is None or image is None:
        return False
    kept = record.metadata
    if kept.get("original-sha256") != sha256 or kept.get("status") not in DONE_STATUSES:
        return False
    if kept.get("source") == "text-layer":  # read from the PDF: no engine involved
        return True
    return kept.get("engine") == engine and kept.get("engine-version") == engine_version(engine)


def pending_pages(store: ObjectStore, manifest: Manifest, engine: str) -> list[int]:
    """Pages to read: two listings (records and images), whatever the page count."""
    dossier_id, count = manifest.dossier_id, manifest.page_count or 0
    records = {info.key: info for info in store.list(f"ocr/{dossier_id}/")}
    images = {info.key: info for info in store.list(f"pages/{dossier_id}/")}
    return [
        page for page in range(1, count + 1)
        if not page_current(records.get(ocr_key(dossier_id, page)),
                            images.get(page_image_key(dossier_id, page)), manifest.sha256, engine)
    ]


def failed_pages(store: ObjectStore, dossier_id: str) -> list[int]:
    """Pages whose stored record says failed (from the listing: no record is read)."""
    return sorted(int(match.group(1)) for info in store.list(f"ocr/{dossier_id}/")
                  if info.metadata.get("status") == "failed"
                  and (match := _PAGE_NUMBER.search(info.key)))


def ocr_note(store: ObjectStore, dossier_id: str, read: int) -> str:
    return f"{read} read, {len(failed_pages(store, dossier_id))} failed"


def _engine(ctx: StageContext) -> str:
    return ctx.params.get("engine") or resolve_engine(ctx.manifest, None, ctx.settings)


def _pending(ctx: StageContext) -> str | None:
    count = len(pending_pages(ctx.store, ctx.manifest, _engine(ctx)))
    if count:
        return f"{count} of {ctx.manifest.page_count} pages to read"
    return None if NAME in ctx.manifest.stages else "pages read, stage not recorded"


def read_pending(ctx: StageContext) -> StageResult:
    """Read the pending pages in the page workers, as many at once as there are workers."""
    from tasks.stages.page_pool import read_page_isolated

    manifest, engine = ctx.manifest, _engine(ctx)
    todo = pending_pages(ctx.store, manifest, engine)
    if todo:
        assert manifest.original_key is not None
        original = local_original(ctx.store, manifest.original_key, manifest.sha256, ctx.settings)
        with ThreadPoolExecutor(ctx.settings.page_workers(engine)) as pool:
            list(pool.map(lambda page: read_page_isolated(
                ctx.dossier_id, original, page, engine=engine, settings=ctx.settings,
                original_sha256=manifest.sha256), todo))
        release_original(manifest.sha256, ctx.settings)
    return StageResult(note=ocr_note(ctx.store, ctx.dossier_id, len(todo)))


STAGE = Stage(
    name=NAME,
    description="cut, keep and read every page (pages/, ocr/)",
    code=("tasks.stages.pages", "tasks.stages.page_pool", "tasks.stages.page_ocr", "tasks.ocr",
          "tasks.intake.paginate", "tasks.intake.pdf", "tasks.intake.images", "schemas.ocr"),
    libraries=("pypdfium2", "pillow", "opencv-python-headless"),
    inputs=lambda ctx: [ctx.manifest.original_key] if ctx.manifest.original_key else [],
    outputs=lambda ctx: [f"pages/{ctx.dossier_id}/", f"ocr/{ctx.dossier_id}/"],
    params=("engine",),
    models=lambda ctx: {_engine(ctx): engine_version(_engine(ctx))},
    pending=_pending,
    run=read_pending,
    reprocessable=False,
)

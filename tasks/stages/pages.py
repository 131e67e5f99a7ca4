"""Page stage: one page from the original to ``pages/`` and ``ocr/`` (分页 + 识别).

A page is cut out, kept as a PNG for reviewers, and read — from the PDF text
layer when it carries real text, else by OCR. One page at a time per worker, so
memory does not grow with the dossier; a page that cannot be read becomes a
``failed`` record, never an exception that would sink its neighbours.

Beside each ``ocr/<id>/page-NNNN.json`` the store keeps (object metadata) the
original's sha256, the page number, the engine and its version, and the page's
status: a rerun lists the folder once and reads again only the pages whose record
is missing, failed, or was made from other bytes or by another engine or version
(``tasks.stages.page_ocr``).
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore
from dossier.store.keys import ocr_key, page_image_key
from schemas.ocr import PageOcr
from tasks.intake.paginate import load_page
from tasks.ocr.engines import engine_version
from tasks.ocr.page import ocr_page, text_layer_page

PNG_COMPRESS_LEVEL = 1  # level 1 is ~5x faster than 6 for ~15% more bytes on scans


def page_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def read_page(
    store: ObjectStore,
    dossier_id: str,
    original: Path,
    page: int,
    *,
    engine: str | None = None,
    settings: Settings | None = None,
    original_sha256: str | None = None,
) -> PageOcr:
    """Cut, keep and read page ``page`` (1-based); writes both objects, returns the record.

    ``original_sha256`` (of the original's bytes) is kept beside the record, so a
    rerun can tell the page was read from these bytes.
    """
    settings = settings or get_settings()
    engine = engine or settings.ocr_engine
    try:
        cut = load_page(original, page, settings)
    except Exception as error:  # a corrupt page: the others still finish
        record = failed_page(dossier_id, page, engine, f"{type(error).__name__}: {error}")
    else:
        image_key = page_image_key(dossier_id, page)
        # The PNG for reviewers is encoded while the page is read: zlib and the OCR
        # engine both run without the GIL, and the encoding was ~30% of a page's time
        # (0.40 of 1.33 s with one page worker on 2 cores). Both only read the image.
        with ThreadPoolExecutor(1, thread_name_prefix="page-png") as keeper:
            kept = keeper.submit(_keep_image, store, image_key, cut.image)
            if cut.text_layer is not None:
                record = text_layer_page(
                    dossier_id, page, cut.text_layer, width=cut.image.width,
                    height=cut.image.height,
                )
                record.image_key = image_key
            else:
                record = ocr_page(dossier_id, page, cut.image, engine=engine,
                                  image_key=image_key)
            kept.result()  # a page whose image could not be kept is not done
        cut.image.close()
    keep_page_record(store, record, engine, original_sha256)
    return record


def page_metadata(record: PageOcr, engine: str, original_sha256: str | None) -> dict[str, str]:
    """What a rerun compares before reading a page again (see the module note)."""
    return {
        "original-sha256": original_sha256 or "",
        "page": str(record.page),
        "source": record.source,
        "engine": engine,
        "engine-version": record.engine_version or (
            engine_version(engine) if record.source == "ocr" else ""),
        "status": record.status,
    }


def keep_page_record(
    store: ObjectStore, record: PageOcr, engine: str, original_sha256: str | None
) -> None:
    store.put_json(ocr_key(record.dossier_id, record.page), record.model_dump(mode="json"),
                   metadata=page_metadata(record, engine, original_sha256))


def _keep_image(store: ObjectStore, key: str, image: Image.Image) -> None:
    store.put_bytes(key, page_png(image), content_type="image/png")


def failed_page(dossier_id: str, page: int, engine: str | None, error: str) -> PageOcr:
    """The record of a page that could not be read (also used when a task times out)."""
    return PageOcr(
        dossier_id=dossier_id, page=page, source="ocr", engine=engine, status="failed",
        error=error[:300],
    )

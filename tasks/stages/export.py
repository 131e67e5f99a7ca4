"""A dossier's outputs as plain files, for ``dossier process --out DIR``.

The object store stays the record; this is a convenience copy a person can open:
``text.txt`` (pages in reading order, separated by form feeds), ``pages.json``,
and the case card, documents and quality report when those stages ran. It is
written on every run, a duplicate's too, from the store.
"""

from __future__ import annotations

import json
from pathlib import Path

from dossier.store.base import ObjectNotFoundError, ObjectStore
from dossier.store.keys import case_card_key, documents_key, validation_key
from tasks.stages.stored import load_pages

PAGE_FIELDS = ("page", "source", "engine", "rotation", "blank", "mean_confidence", "chars",
               "status", "applied", "straightened", "seals")


def _write_json(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def export_dossier(store: ObjectStore, dossier_id: str, page_count: int, out_dir: Path) -> Path:
    """Write ``out_dir/<dossier_id>/``; returns that folder."""
    folder = out_dir / dossier_id
    folder.mkdir(parents=True, exist_ok=True)
    texts: list[str] = []
    rows: list[dict] = []
    for page in load_pages(store, dossier_id, page_count):
        texts.append(page.text)
        row = page.model_dump(mode="json", include=set(PAGE_FIELDS))
        if page.error:
            row["error"] = page.error
        if page.review:  # regions a person should check (handwriting, low confidence)
            row["review"] = [region.model_dump(mode="json") for region in page.review]
        rows.append(row)
    (folder / "text.txt").write_text("\f".join(texts), encoding="utf-8")
    _write_json(folder / "pages.json", rows)
    for key, name in ((case_card_key(dossier_id), "case.json"),
                      (documents_key(dossier_id), "documents.json"),
                      (validation_key(dossier_id), "validation.json")):
        try:
            _write_json(folder / name, store.get_json(key))
        except ObjectNotFoundError:
            (folder / name).unlink(missing_ok=True)
    return folder

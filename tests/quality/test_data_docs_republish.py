"""Publishing a dossier's Data Docs again (a retried run) replaces the site, never adds to it."""

from __future__ import annotations

from pathlib import Path

from dossier.store.local import LocalStore
from tasks.quality.validate import validate_dossier
from tasks.stages.quality import data_docs_prefix, publish_data_docs


def test_a_second_publication_replaces_the_first(gx_project: Path, dossier: dict,
                                                 tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    first = validate_dossier(**dossier)
    prefix = data_docs_prefix(first.dossier_id)
    assert publish_data_docs(store, first) == prefix + "index.html"
    once = sorted(info.key for info in store.list(prefix))
    assert any("/validations/" in key for key in once)

    second = validate_dossier(**dossier)  # the same dossier validated anew: a new GX run time
    publish_data_docs(store, second)
    twice = sorted(info.key for info in store.list(prefix))
    assert len(twice) == len(once)
    assert twice != once  # the validation pages are the second run's, not the first's
    assert store.exists(prefix + "index.html")

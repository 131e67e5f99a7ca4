"""No personal data where the deployed pipeline's operators look (issue 15).

tests/flows/test_personal_data.py runs the chain in-process; this is the rest: the
worker's and the watcher's own log files, the event-triggered runs (names,
parameters, logs, artifacts) and the events themselves, as the real watcher,
deployment and worker make them. Two uploads whose file names hold a person's name
(张三伟, nowhere in their pages): a sample dossier's 受案登记表, 拘留证, 起诉书 and
判决书 (names and ID numbers of its people), and an encrypted PDF that is
quarantined. Neither the fixture's ID numbers and full names nor the file name's
person may show anywhere; the file name stays only in the uploads' own keys and
their originals' (what points at those is cut out before searching).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from personal_data import NAME_IN_UPLOAD, NAMED_UPLOAD, file_views, leaks, prefect_views

from dossier.samples import formats
from dossier.samples.dossier import make_sample_dossier
from ops.helpers import upload

if TYPE_CHECKING:
    from ops.conftest import OpsStack

pytestmark = [pytest.mark.services, pytest.mark.slow]

RUN_TIMEOUT_S = 300
SEED = 43
PAGES = (2, 4, 15, 17, 18)  # 受案登记表 and 拘留证 (ID numbers), 起诉书, 判决书
# Where the uploads' bytes are kept as delivered: their keys carry the file name.
RAW_PREFIXES = ("incoming/", "originals/", "quarantine/")


def test_worker_watcher_runs_and_events_show_no_name_or_id_number(
    ops_stack: OpsStack, tmp_path: Path
) -> None:
    sample = make_sample_dossier(SEED)
    case = sample.case
    people = [d.person for d in case.defendants] + list(case.victims) + list(case.witnesses)
    numbers = {p.id_number for p in people}
    names = {p.name for p in people} | {d.lawyer for d in case.defendants if d.lawyer}
    assert not any(NAME_IN_UPLOAD in text for text in sample.pages if text)
    named = formats.write_text_pdf([sample.pages[i] for i in PAGES], tmp_path / NAMED_UPLOAD)
    locked = formats.write_encrypted_pdf([sample.pages[15]],
                                         tmp_path / f"{NAME_IN_UPLOAD} 讯问笔录.pdf")
    keys = [f"incoming/{p.name}" for p in (named, locked)]
    since = datetime.now(UTC) - timedelta(seconds=5)

    upload(ops_stack, named, locked)
    runs = ops_stack.wait_for_runs(keys, RUN_TIMEOUT_S)
    assert set(runs) == set(keys), f"runs within {RUN_TIMEOUT_S} s: {sorted(runs)}"
    assert {k: r.state_type.value for k, r in runs.items()} == dict.fromkeys(keys, "COMPLETED")

    store = ops_stack.store()
    originals = [i.key for i in store.list("originals/")]
    assert any(NAME_IN_UPLOAD in key for key in originals)  # the original keeps its name
    views = prefect_views([r.id for r in runs.values()], since=since)
    assert any(k.startswith("log ") for k in views), "no run log was read back"
    assert any(k.startswith("event dossier.uploaded") for k in views), "no upload event"
    services = ops_stack.ctx.services_dir
    worker_log = ops_stack.worker.log_path(ops_stack.ctx)
    watcher_log = services / "watcher" / "watcher.log"
    starter_log = worker_log.with_name("flow-starter.log")  # the runs' pre-warmed starter
    views |= file_views([worker_log, watcher_log, starter_log], services)
    assert str(runs[keys[0]].id) in views[f"file {worker_log.relative_to(services)}"]
    assert "dossier.uploaded" in views[f"file {watcher_log.relative_to(services)}"]
    # The store but the uploads as delivered; OCR text holds ID numbers as read.
    stored = {f"store {info.key}": info.key + "\n" + store.get_bytes(info.key).decode(
        "utf-8", errors="replace") for info in store.list("")
        if not info.key.startswith(RAW_PREFIXES)}
    rows = _library_text(ops_stack)
    views, stored, rows = ({where: _cut(text, originals) for where, text in v.items()}
                           for v in (views, stored, rows))
    found = (leaks(views, numbers | names | {NAME_IN_UPLOAD})
             + leaks(stored, {NAME_IN_UPLOAD}) + leaks(rows, {NAME_IN_UPLOAD})
             + leaks({k: v for k, v in stored.items() if not k.startswith("store ocr/")},
                     numbers))
    assert not found, "personal data found:\n" + "\n".join(found[:80])


def _library_text(stack: OpsStack) -> dict[str, str]:
    """Every row of the stack's library as text, table by table."""
    import json

    import sqlalchemy as sa

    from dossier import db

    engine = db.get_engine(stack.database_url)
    seen: dict[str, str] = {}
    with engine.connect() as connection:
        for table in sa.inspect(engine).get_table_names():
            rows = connection.execute(sa.text(f'SELECT * FROM "{table}"')).mappings().all()
            seen[f"rows {table}"] = json.dumps([dict(r) for r in rows], default=str,
                                               ensure_ascii=False)
    return seen


def _cut(text: str, originals: list[str]) -> str:
    for key in originals:
        text = text.replace(key, "<original>")
    return text

"""No personal data where operators look: one end-to-end run, everything it left behind.

A sample dossier with fictitious names and ID numbers (its every page, so the ID
numbers of the 受案登记表, 拘留证, 笔录 and 户籍证明 are read) goes through the whole
chain (retrieve → … → load → supervise → suggest → review); a feed batch whose
people carry full names, and one of whose measures is the dossier's defendant, is
imported; the supervision models run and find leads. Then everything an operator or
a log reader can see is collected and searched for every fixture ID number and full
name:

* the logs: every log line of every flow and task run, read back from the Prefect
  API, and everything this process printed or logged (console handlers included);
* the artifacts (read back from the Prefect API), flow-run names and parameters,
  task-run names;
* the Data Docs (Great Expectations HTML) in the store and anything under the data
  folder but the key file;
* the lead JSON files (the dossier's and the run's) and the leads' explanations and
  evidence in the library.

ID numbers are also searched for in every stored object that is not an original or
OCR text, and in the library rows but the pages' text: at rest an ID number is its
keyed hash and its masked form only. A lead found for the dossier's defendant from
the feeds carries the card's hash: feeds and cards are hashed by one function.
The upload's file name holds a person's name that its pages do not
(``personal_data.NAMED_UPLOAD``): it must stay with the original (its key, and what
points at it) and show nowhere else, the run's parameters included (``dossier
process`` passes a sealed reference). The worker's and watcher's log files, the
event-triggered runs and the events are checked by tests/ops/test_personal_data_ops.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from personal_data import NAME_IN_UPLOAD, NAMED_UPLOAD, leaks, prefect_views
from supervision import scenario

from dossier import db
from dossier.privacy import KEY_FILE, hash_id_number
from dossier.samples import formats
from dossier.samples.dossier import make_sample_dossier
from dossier.settings import get_settings
from dossier.store import get_store
from tasks.feeds.store import upload_batch
from tasks.stages.outcome import DossierOutcome

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

SEED = 31
# Where the raw ID number is the data itself: the upload, its OCR text and the feed
# batch as delivered. Everything else holds hashes and masks only.
RAW_PREFIXES = ("originals/", "ocr/", "feeds/", "incoming/", "quarantine/")
RAW_COLUMNS = {("pages", "text")}


def _fixture(tmp_path: Path) -> tuple[Path, Path, set[str], set[str], str]:
    """The upload, the feed batch folder, the ID numbers, the full names, and the
    defendant's ID number (the feeds name them too)."""
    sample = make_sample_dossier(SEED)
    case = sample.case
    people = [d.person for d in case.defendants] + list(case.victims) + list(case.witnesses)
    numbers = {p.id_number for p in people}
    names = {p.name for p in people} | {d.lawyer for d in case.defendants if d.lawyer}
    upload = formats.write_text_pdf([t for t in sample.pages if t], tmp_path / NAMED_UPLOAD)

    rows = scenario.rows()
    defendant = case.defendants[0].person.id_number
    rows["measures"].append({"measure_id": "M-DOSSIER-1", "person_id": defendant,
                             "case_id": "C-DOSSIER", "kind": "逮捕",
                             "start_date": "2026-01-05", "end_date": "", "extension": ""})
    feed_names = [f"{s}{g}" for s, g in zip("欧阳司马诸葛上官东方皇甫", "振华秀英建国丽娟志强海燕",
                                              strict=True)]
    for i, person in enumerate(rows["people"]):
        person["name"] = feed_names[i % len(feed_names)] + "某"[: i // len(feed_names)]
    rows["people"].append({"person_id": defendant, "name": case.defendants[0].person.name,
                           "birth_date": str(case.defendants[0].person.birth_date)})
    numbers |= {p["person_id"] for p in rows["people"]}
    names |= {p["name"] for p in rows["people"]}
    folder = scenario.write(tmp_path / "2026-06", rows)
    return upload, folder, numbers, names, defendant


class _Everything(logging.Handler):
    """Every record any logger emits in this process, formatted with its arguments."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(f"{record.name}: {record.getMessage()}")
        except Exception as error:  # a bad format string is no reason to lose a record
            self.lines.append(f"{record.name}: {record.msg!r} {error!r}")


@pytest.fixture
def every_log_record() -> Iterator[_Everything]:
    handler = _Everything()
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in
                                       list(logging.root.manager.loggerDict)]
    attached = [lg for lg in loggers if isinstance(lg, logging.Logger) and not lg.propagate]
    for logger in [logging.getLogger(), *attached]:
        logger.addHandler(handler)
    yield handler
    for logger in [logging.getLogger(), *attached]:
        logger.removeHandler(handler)


def _store_views(numbers_only: dict[str, str]) -> dict[str, str]:
    """Every stored object's text; ``numbers_only`` gets those that may hold names."""
    store = get_store()
    seen: dict[str, str] = {}
    for info in store.list(""):
        if info.key.startswith(RAW_PREFIXES):
            continue
        text = store.get_bytes(info.key).decode("utf-8", errors="replace")
        # Data Docs, leads, manifests and validation results must hold no name either;
        # the case card and its documents are the case data: names are its content.
        if info.key.startswith(("quality/", "leads/", "manifests/")) or "/docs/" in info.key:
            seen[f"store {info.key}"] = text
        else:
            numbers_only[f"store {info.key}"] = text
    return seen


def _library_views(numbers_only: dict[str, str]) -> dict[str, str]:
    """Leads (explanations, evidence) fully; every other text column for ID numbers."""
    engine = db.get_engine(get_settings().database_url)
    seen: dict[str, str] = {}
    with engine.connect() as connection:
        for table in sa.inspect(engine).get_table_names():
            rows = connection.execute(sa.text(f'SELECT * FROM "{table}"')).mappings().all()
            for i, row in enumerate(rows):
                for column, value in row.items():
                    if value is None or (table, column) in RAW_COLUMNS:
                        continue
                    text = value if isinstance(value, str) else json.dumps(
                        value, default=str, ensure_ascii=False)
                    where = f"row {table}.{column} #{i}"
                    if table in ("leads", "lead_history", "supervision_runs"):
                        seen[where] = text
                    else:
                        numbers_only[where] = text
    return seen


def _data_folder_views() -> dict[str, str]:
    """Files under the data folder (GX context, logs) but the store, the database, the
    work copies of originals, Prefect's home, jieba's dictionary cache and the key file:
    those hold what they must."""
    settings = get_settings()
    seen: dict[str, str] = {}
    for path in settings.data_dir.rglob("*"):
        if (not path.is_file() or path.name == KEY_FILE or settings.store_dir in path.parents
                or path.name.startswith(Path(settings.database_url or "").name)
                or {"prefect", "work"} & set(path.relative_to(settings.data_dir).parts)
                # jieba's dictionary cache (made from its package's dictionary, not from
                # any data): two-character feed names are common words in it
                or path.relative_to(settings.data_dir).parts[:2] == ("cache", "jieba")):
            continue
        seen[f"file {path.relative_to(settings.data_dir)}"] = path.read_bytes().decode(
            "utf-8", errors="replace")
    return seen


def test_no_name_or_id_number_reaches_logs_artifacts_docs_or_leads(
    tmp_path: Path, every_log_record: _Everything, capfd: pytest.CaptureFixture[str],
) -> None:
    from dossier.commands.process import run_batch
    from flows.import_feeds import import_feeds
    from flows.run_supervision import run_supervision

    upload, folder, numbers, names, defendant = _fixture(tmp_path)
    # As an operator runs it: `dossier process` (its index lines and progress lines too).
    [line] = run_batch([upload], tmp_path / "out")
    outcome = DossierOutcome.model_validate(line["outcome"])
    assert outcome.status in ("ok", "needs_review"), outcome
    store = get_store()
    card = store.get_bytes(f"nlp/{outcome.dossier_id}/case.json").decode()
    assert hash_id_number(defendant) in card, "the defendant's ID number was not read"
    for stage_key in (f"leads/{outcome.dossier_id}.json", f"suggestions/{outcome.dossier_id}.json",
                      f"review/{outcome.dossier_id}.json"):
        assert store.exists(stage_key), f"the chain did not reach {stage_key}"

    import_feeds(prefix=upload_batch(store, folder, "2026-06"))
    result = run_supervision(as_of=scenario.AS_OF)
    assert sum(m["new"] for m in result["models"]) >= sum(map(len, scenario.EXPECTED.values()))
    engine = db.get_engine(get_settings().database_url)
    with engine.connect() as connection:
        subjects = set(connection.scalars(sa.text("SELECT subject FROM leads")))
    # The dossier's defendant held past the limit: found under the hash the card has.
    assert hash_id_number(defendant) in subjects

    # `dossier process`'s index.jsonl names each input as given: it sits in the output
    # folder beside the exported case cards, which hold the names anyway. Its progress
    # lines (stdout) mask them.
    out, err = capfd.readouterr()
    everywhere = {"stdout": out, "stderr": err,
                  "log records": "\n".join(every_log_record.lines),
                  **prefect_views(), **_data_folder_views()}
    numbers_only: dict[str, str] = {}
    everywhere |= _store_views(numbers_only)
    everywhere |= _library_views(numbers_only)
    assert any(k.startswith("log ") for k in everywhere), "no run log was read back"
    assert any(k.startswith("artifact ") for k in everywhere), "no artifact was read back"
    assert any("/docs/" in k and k.endswith(".html") for k in everywhere), "no Data Docs"
    assert any(k.startswith("row leads.explanation") for k in everywhere), "no lead"

    # The file name is kept with the original only: its key, and what points at it.
    original = store.get_json(f"manifests/{outcome.dossier_id}.json")["original_key"]
    assert NAME_IN_UPLOAD in original
    everywhere, numbers_only = ({where: text.replace(original, "<original>")
                                 for where, text in views.items()}
                                for views in (everywhere, numbers_only))
    found = (leaks(everywhere, numbers | names | {NAME_IN_UPLOAD})
             + leaks(numbers_only, numbers | {NAME_IN_UPLOAD}))
    assert not found, "personal data found:\n" + "\n".join(found[:80])

"""全程留痕 for what no dossier's chain covers: leads, feed batches, 检察建议.

``tasks.audit`` verifies one dossier (its manifest's objects and the library rows
loaded from them). The rest of the system's records are verified here the same way,
each against what it was made from:

* **leads** (``audit_leads``): a lead's fingerprint is the hash of its model, subject
  and evidence records, its ``content_sha256`` the hash of what it says; both are
  recomputed from the row. Its status and version must be what its history says, and
  every evidence record that names a feed row (``measures:M-1``) must name a row
  that exists.
* **a feed batch** (``audit_feed_batch``): every file under ``feeds/<batch>/`` against
  the sha256 its ``_READY`` marker announced, the import manifest kept in the store
  (``manifests/feeds/<batch>.json``) and the one in ``feed_batches``; then the rows
  the loader makes of each verified file (its own ``typed_frame``, minus the lines
  ``feed_rejects`` records as refused) against the rows stored for the batch, column
  by column. A row a later batch delivered again belongs to that batch: not an error.
* **a recommendation** (``audit_recommendation``): the .docx against ``docx_sha256``,
  the .txt against the text rendered again from the row's ``context``, the outbox
  message against both, and the leads it cites against ``lead_count``.

Findings name keys, tables, columns and ids, never values (a value may be a name).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field

from dossier.store.base import ObjectNotFoundError, ObjectStore
from dossier.store.keys import feed_batch_prefix, feed_manifest_key
from schemas.feeds import FEEDS
from schemas.feeds_tables import FEED_TABLES, FeedBatch, FeedReject
from schemas.leads_tables import Lead, LeadHistory
from schemas.recommendations_tables import (
    Recommendation,
    RecommendationLead,
    RecommendationOutbox,
)
from tasks.audit import FAILING, Finding, _canonical, object_sha256
from tasks.feeds.batch import read_feed
from tasks.feeds.load import typed_frame
from tasks.feeds.store import READY
from tasks.supervision.findings import content_sha256, fingerprint


class RecordsAudit(BaseModel):
    """What was checked (counts by kind) and what did not match."""

    subject: str
    checked: dict[str, int] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.kind in FAILING for f in self.findings)

    def add(self, kind: str, stage: str, where: str, problem: str) -> None:
        self.findings.append(Finding(kind=kind, stage=stage, where=where,  # type: ignore[arg-type]
                                     problem=problem))

    def count(self, what: str, n: int = 1) -> None:
        self.checked[what] = self.checked.get(what, 0) + n


# --- leads -----------------------------------------------------------------------------

def _record_exists(connection: sa.Connection, record: str) -> bool | None:
    """Whether the feed row an evidence record names exists; None for other records."""
    name, _, record_id = record.partition(":")
    spec, model = FEEDS.get(name), FEED_TABLES.get(name)
    if spec is None or model is None or not record_id:
        return None
    table = model.__table__
    column = table.c.get(spec.id_column, table.c.person_key)
    return bool(connection.scalar(sa.select(sa.func.count()).where(column == record_id)))


def audit_leads(connection: sa.Connection, lead_ids: list[int] | None = None) -> RecordsAudit:
    """Every lead (or those given) against its own hashes, its history and its evidence."""
    report = RecordsAudit(subject="leads")
    query = sa.select(Lead).order_by(Lead.id)
    if lead_ids:
        query = query.where(Lead.id.in_(lead_ids))
    history: dict[int, list[Any]] = {}
    for row in connection.execute(sa.select(LeadHistory).order_by(LeadHistory.id)):
        history.setdefault(row.lead_id, []).append(row)
    for lead in connection.execute(query):
        report.count("leads")
        where = f"leads[id={lead.id}]"
        if fingerprint(lead.model_id, lead.subject, lead.records) != lead.fingerprint:
            report.add("tampered", "supervise", f"{where}.fingerprint",
                       "not the hash of its model, subject and evidence records")
        content = content_sha256(lead.model_version, lead.severity, lead.case_no, lead.agency,
                                 lead.explanation, lead.evidence)
        if content != lead.content_sha256:
            report.add("tampered", "supervise", f"{where}.content_sha256",
                       "its explanation, evidence, severity, case or agency are not what "
                       "was recorded")
        events = history.get(lead.id, [])
        if not events or events[0].event != "found":
            report.add("missing", "supervise", f"lead_history[lead_id={lead.id}]",
                       "no history of the lead being found")
        else:
            status = next((e.to_status for e in reversed(events) if e.to_status), "new")
            if status != lead.status:
                report.add("tampered", "review", f"{where}.status",
                           "not the status its history ends with")
            if max(e.version for e in events) != lead.version:
                report.add("tampered", "supervise", f"{where}.version",
                           "not the version its history ends with")
        for record in lead.records:
            exists = _record_exists(connection, record)
            if exists is None:
                continue
            report.count("evidence records")
            if not exists:
                report.add("missing", "feeds", f"{where}.records",
                           f"evidence record {record.partition(':')[0]}:… is in no feed row")
    return report


# --- feed batches ------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """numpy and pandas scalars as Python values, so they compare like stored ones."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def audit_feed_batch(store: ObjectStore, connection: sa.Connection, batch: str) -> RecordsAudit:
    """The batch's files against every recorded hash, then its rows against its files.

    Raises ``LookupError`` when neither the store nor the library knows the batch."""
    report = RecordsAudit(subject=f"feed batch {batch}")
    prefix = feed_batch_prefix(batch)
    row = connection.execute(sa.select(FeedBatch).where(FeedBatch.batch_id == batch)).first()
    files = {info.key.removeprefix(prefix) for info in store.list(prefix)}
    if row is None and not files:
        raise LookupError(f"feed batch {batch} is neither in the store nor in the library")
    try:
        marker = store.get_json(prefix + READY) or {}
    except ObjectNotFoundError:
        marker = {}
        report.add("missing", "feeds", prefix + READY, "the batch has no _READY marker")
    try:
        kept = store.get_json(feed_manifest_key(batch))
    except ObjectNotFoundError:
        kept = None
    recorded = row.manifest if row is not None else None
    if row is None:
        report.add("missing", "feeds", f"feed_batches[batch_id={batch}]",
                   "the batch was never imported")
    if kept is not None and recorded is not None and _canonical(kept) != _canonical(recorded):
        report.add("tampered", "feeds", feed_manifest_key(batch),
                   "the stored import manifest differs from feed_batches.manifest")
    sources = {"_READY marker": dict(marker.get("files") or {}),
               "feed_batches.manifest": {e.get("file"): e.get("sha256") for e in
                                         ((recorded or {}).get("files") or {}).values()},
               feed_manifest_key(batch): {e.get("file"): e.get("sha256") for e in
                                          ((kept or {}).get("files") or {}).values()}}
    verified: list[str] = []
    for spec in FEEDS.values():
        key = prefix + spec.file
        claims = {source: shas[spec.file] for source, shas in sources.items()
                  if shas.get(spec.file)}
        if spec.file not in files and not claims:
            continue
        report.count("files")
        actual = object_sha256(store, key)
        if actual is None:
            report.add("missing", "feeds", key, "the batch file is gone")
            continue
        wrong = [source for source, sha in claims.items() if sha != actual]
        if wrong:
            report.add("tampered", "feeds", key,
                       f"its bytes do not match the sha256 in {', '.join(wrong)}")
        elif claims:
            verified.append(spec.name)
    if row is not None:
        for name in verified:
            _compare_feed_rows(store, connection, batch, name, report)
    return report


def _compare_feed_rows(store: ObjectStore, connection: sa.Connection, batch: str, name: str,
                       report: RecordsAudit) -> None:
    spec, table = FEEDS[name], FEED_TABLES[name].__table__
    with tempfile.TemporaryDirectory(prefix="audit-feed-") as tmp:
        path = Path(tmp) / spec.file
        store.download(feed_batch_prefix(batch) + spec.file, path)
        raw = read_feed(path)
    if [c for c in spec.columns if c not in raw.columns]:
        return  # refused whole at import: no rows to compare
    refused = set(connection.scalars(sa.select(FeedReject.line).where(
        FeedReject.batch_id == batch, FeedReject.feed == name)))
    accepted = [line not in refused for line in range(2, len(raw) + 2)]
    expected = typed_frame(spec, raw[accepted], batch)
    key = "person_key" if spec.columns[spec.id_column] == "person" else spec.id_column
    stored = {r._mapping[key]: r._mapping for r in connection.execute(
        sa.select(table).where(table.c[key].in_([_plain(v) for v in expected[key]])))}
    mine = set(connection.scalars(sa.select(table.c[key]).where(table.c.batch_id == batch)))
    for record in expected.to_dict("records"):
        ident = _plain(record[key])
        report.count("feed rows")
        row = stored.get(ident)
        if row is None:
            report.add("missing", "feeds", f"{table.name}[{key}=…]",
                       f"line of {spec.file} with no row")
            continue
        if row["batch_id"] != batch:
            continue  # delivered again by a later batch: that batch's row now
        for column, value in record.items():
            if column in table.c and _canonical(_plain(value)) != _canonical(row[column]):
                report.add("tampered", "feeds", f"{table.name}.{column}",
                           f"a row of batch {batch} differs from its line in {spec.file}")
    extras = mine - {_plain(v) for v in expected[key]}
    if extras:
        report.add("tampered", "feeds", f"{table.name}[batch_id={batch}]",
                   f"{len(extras)} row(s) no line of {spec.file} accounts for")


# --- recommendations ---------------------------------------------------------------------

def audit_recommendation(store: ObjectStore, connection: sa.Connection,
                         number: str) -> RecordsAudit:
    """The issued documents against the row, the outbox message and the cited leads.

    Raises ``LookupError`` for an unknown number."""
    from tasks.recommendations.document import render_text

    report = RecordsAudit(subject=f"recommendation {number}")
    rec = connection.execute(sa.select(Recommendation).where(Recommendation.number == number)
                             ).first()
    if rec is None:
        raise LookupError(f"no recommendation numbered {number}")
    where = f"recommendations[number={number}]"
    docx = object_sha256(store, rec.docx_key) if rec.docx_key else None
    report.count("documents", 2)
    if docx is None:
        report.add("missing", "issue", str(rec.docx_key), "the .docx is gone")
    elif docx != rec.docx_sha256:
        report.add("tampered", "issue", str(rec.docx_key),
                   "its bytes do not match recommendations.docx_sha256")
    text = render_text(rec.context)
    try:
        stored_text = store.get_bytes(str(rec.txt_key)).decode("utf-8", errors="replace")
    except ObjectNotFoundError:
        report.add("missing", "issue", str(rec.txt_key), "the .txt is gone")
    else:
        if stored_text != text:
            report.add("tampered", "issue", str(rec.txt_key),
                       "not the text its recorded context renders")
    outbox = connection.execute(sa.select(RecommendationOutbox.payload).where(
        RecommendationOutbox.recommendation_id == rec.id)).scalar_one_or_none()
    if outbox is not None:
        report.count("outbox messages")
        if outbox.get("docx_sha256") != rec.docx_sha256 or outbox.get("text") != text:
            report.add("tampered", "deliver", f"recommendation_outbox[number={number}]",
                       "the message's document is not the recommendation's")
    cited = list(connection.execute(
        sa.select(Lead.id, Lead.status).join(RecommendationLead,
                                             RecommendationLead.lead_id == Lead.id)
        .where(RecommendationLead.recommendation_id == rec.id)))
    report.count("cited leads", len(cited))
    if len(cited) != rec.lead_count:
        report.add("tampered", "issue", f"{where}.lead_count", "not the number of leads cited")
    for lead in cited:
        if lead.status != "referred":
            report.add("tampered", "issue", f"leads[id={lead.id}].status",
                       "a lead cited by an issued recommendation is not referred")
    leads = audit_leads(connection, [lead.id for lead in cited]) if cited else None
    if leads is not None:
        report.findings += leads.findings
    return report

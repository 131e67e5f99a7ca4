"""Carrying leads over to a new ID-number key (身份证号哈希密钥轮换后的线索迁移).

A lead's ``subject`` is a person's keyed hash (``dossier.privacy.hash_id_number``):
after the key is rotated the same open finding would come back as a *new* lead,
beside the old one with its review status and history. This module maps every old
hash to the new one and rewrites what holds it, so a lead stays one lead.

Old → new is computed for every raw identity the system can still read, hashed
under both keys:

* ID numbers in the feed batch files kept in the store (``feeds/<batch>/*.csv``, the
  columns of type ``person``);
* ID-number-shaped strings in the stored OCR text (``ocr/<id>/page-*.json``), which is
  where the case cards' numbers come from;
* the stand-in key of a card's defendant without an ID number
  (``card:<dossier id>:<name>``, tasks.supervision.cards), from the stored cards.

Rewritten with the map: the leads (``subject``, ``records``, the evidence, and the
``fingerprint`` and ``content_sha256`` computed from them; one ``rekeyed`` history
entry each), the feed rows' ``person_key`` and the refused rows' (``feed_rejects``),
and the card rows of the case-card models. Case cards and the library's ``persons``
are rebuilt from OCR by ``dossier reprocess`` (docs/OPERATIONS.md), not here. A hash
that no readable source explains is left as it is and counted (``unmapped``): e.g. a
feed batch whose files are not in the store (imported from a folder by a version
before ``dossier feeds import`` kept them).

Idempotent: a second run finds only new hashes, which the map does not contain. A
lead the first supervision run after the rotation already found again (a duplicate
under the new hash, still ``new`` and untouched by reviewers) is merged into the old
one, which keeps its id, status, history and recommendations; a duplicate someone
already reviewed is left alone and reported (``conflicts``).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dossier.privacy import hash_id_number
from dossier.store.base import ObjectStore
from schemas.feeds import FEEDS
from schemas.feeds_tables import FEED_TABLES, FeedPerson, FeedReject
from schemas.leads_tables import CardSentence, Lead, LeadHistory
from tasks.feeds.batch import read_feed
from tasks.supervision.findings import content_sha256, fingerprint

HASH = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
# 18-character numbers (and the old 15-digit ones); a candidate that is no ID number
# only adds a map entry nothing holds.
ID_SHAPED = re.compile(r"(?<![0-9])(?:\d{17}[0-9Xx]|\d{15})(?![0-9Xx])")
REKEYED = "rekeyed"


def raw_identities(store: ObjectStore) -> Iterator[tuple[str, str]]:
    """``(source, raw identity)`` for everything hashed that the store can still give."""
    with tempfile.TemporaryDirectory(prefix="rekey-") as tmp:
        for info in store.list("feeds/"):
            spec = FEEDS.get(Path(info.key).stem)
            if spec is None or not info.key.endswith(".csv"):
                continue
            path = Path(tmp) / "feed.csv"
            store.download(info.key, path)
            frame = read_feed(path)
            columns = [c for c, kind in spec.columns.items() if kind == "person"]
            for column in [c for c in columns if c in frame.columns]:
                for value in frame[column].unique():
                    if value.strip():
                        yield "feeds", value
    for info in store.list("ocr/"):
        text = store.get_bytes(info.key).decode("utf-8", errors="replace")
        for number in set(ID_SHAPED.findall(text)):
            yield "ocr", number
    for info in store.list("nlp/"):
        if not info.key.endswith("/case.json"):
            continue
        dossier_id = info.key.split("/")[1]
        case = (store.get_json(info.key) or {}).get("case") or {}
        for sentence in case.get("sentences") or []:
            if sentence.get("person"):
                yield "cards", f"card:{dossier_id}:{sentence['person']}"


def key_map(store: ObjectStore, old_secret: bytes,
            new_secret: bytes | None = None) -> tuple[dict[str, str], Counter[str]]:
    """Old hash → new hash of every readable identity, and how many came from where."""
    mapping: dict[str, str] = {}
    sources: Counter[str] = Counter()
    seen: set[str] = set()
    for source, raw in raw_identities(store):
        if raw in seen:
            continue
        seen.add(raw)
        old, new = hash_id_number(raw, old_secret), hash_id_number(raw, new_secret)
        if old != new:
            mapping[old] = new
            sources[source] += 1
    return mapping, sources


def _swap(value: Any, mapping: dict[str, str]) -> Any:
    """``value`` with every mapped hash inside it replaced (strings, lists, dicts)."""
    if isinstance(value, str):
        return HASH.sub(lambda m: mapping.get(m.group(0), m.group(0)), value)
    if isinstance(value, list):
        return [_swap(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: _swap(v, mapping) for k, v in value.items()}
    return value


@dataclass
class RekeyReport:
    """What was (or, in a dry run, would be) rewritten."""

    mapped: int = 0  # identities with an old → new pair
    sources: dict[str, int] = field(default_factory=dict)
    leads: int = 0
    merged: list[tuple[int, int]] = field(default_factory=list)  # (kept, duplicate removed)
    conflicts: list[tuple[int, int]] = field(default_factory=list)  # (old, reviewed new)
    unmapped: int = 0  # leads whose subject hash no source explains
    feed_rows: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        would = "would be " if self.dry_run else ""
        out = [f"identities mapped old → new: {self.mapped} "
               f"({', '.join(f'{k} {v}' for k, v in sorted(self.sources.items())) or 'none'})",
               f"leads {would}rekeyed: {self.leads}",
               f"duplicate leads {would}merged into the older one: {len(self.merged)}",
               f"feed and card rows {would}rekeyed: {self.feed_rows}",
               f"leads whose subject no source explains (left as they are): {self.unmapped}"]
        out += [f"conflict: lead {old} and lead {new} (already reviewed) are one finding; "
                "review them by hand" for old, new in self.conflicts]
        return out


def rekey(engine: sa.Engine, mapping: dict[str, str], *, dry_run: bool = False,
          actor: str = "rekey") -> RekeyReport:
    """Rewrite leads and feed rows with ``mapping``, in one transaction (none in a dry run)."""
    report = RekeyReport(mapped=len(mapping), dry_run=dry_run)
    connection = engine.connect()
    transaction = connection.begin()
    try:
        _rekey_leads(connection, mapping, report, actor)
        _rekey_rows(connection, mapping, report)
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    except BaseException:
        transaction.rollback()
        raise
    finally:
        connection.close()
    return report


def _rekey_leads(connection: sa.Connection, mapping: dict[str, str], report: RekeyReport,
                 actor: str) -> None:
    new_hashes = set(mapping.values())
    now = dt.datetime.now(dt.UTC)
    leads = connection.execute(sa.select(Lead).order_by(Lead.id)).mappings().all()
    for lead in leads:
        subject = _swap(lead["subject"], mapping)
        records = _swap(list(lead["records"]), mapping)
        evidence = _swap(dict(lead["evidence"]), mapping)
        if subject == lead["subject"] and records == lead["records"] \
                and evidence == lead["evidence"]:
            if HASH.fullmatch(lead["subject"]) and lead["subject"] not in new_hashes:
                report.unmapped += 1
            continue
        print_ = fingerprint(lead["model_id"], subject, records)
        duplicate = connection.execute(
            sa.select(Lead.id, Lead.status, Lead.last_run_id, Lead.last_seen_at, Lead.as_of)
            .where(Lead.fingerprint == print_, Lead.id != lead["id"])).one_or_none()
        note = "ID-number key rotated: subject and evidence carried over to the new key"
        latest: dict[str, Any] = {}
        if duplicate is not None:
            if not _untouched(connection, duplicate):
                report.conflicts.append((lead["id"], duplicate.id))
                continue
            if not _remove_duplicate(connection, duplicate.id):
                report.conflicts.append((lead["id"], duplicate.id))
                continue
            report.merged.append((lead["id"], duplicate.id))
            note += f"; lead {duplicate.id}, found again under the new key, merged into it"
            if duplicate.last_seen_at and duplicate.last_seen_at > lead["last_seen_at"]:
                latest = {"last_run_id": duplicate.last_run_id,
                          "last_seen_at": duplicate.last_seen_at, "as_of": duplicate.as_of}
        content = content_sha256(lead["model_version"], lead["severity"], lead["case_no"],
                                 lead["agency"], lead["explanation"], evidence)
        connection.execute(sa.update(Lead).where(Lead.id == lead["id"]).values(
            subject=subject, records=records, evidence=evidence, fingerprint=print_,
            content_sha256=content, updated_at=now, **latest))
        connection.execute(sa.insert(LeadHistory).values(
            lead_id=lead["id"], event=REKEYED, version=lead["version"], actor=actor, note=note,
            at=now))
        report.leads += 1


def _untouched(connection: sa.Connection, duplicate: sa.Row) -> bool:
    """Still ``new`` with nothing in its history but being found: nobody reviewed it."""
    if duplicate.status != "new":
        return False
    events = set(connection.scalars(sa.select(LeadHistory.event)
                                    .where(LeadHistory.lead_id == duplicate.id)))
    return events <= {"found"}


def _remove_duplicate(connection: sa.Connection, lead_id: int) -> bool:
    """Delete the duplicate and its history; False when something else refers to it (a
    recommendation): then it is a conflict for a person to settle."""
    leads = Lead.__table__
    for table in Lead.metadata.tables.values():
        if table is LeadHistory.__table__:
            continue
        for key in table.foreign_keys:
            if key.column.table is leads and connection.scalar(
                    sa.select(sa.func.count()).select_from(table)
                    .where(key.parent == lead_id)):
                return False
    connection.execute(sa.delete(LeadHistory).where(LeadHistory.lead_id == lead_id))
    connection.execute(sa.delete(Lead).where(Lead.id == lead_id))
    return True


def _rekey_rows(connection: sa.Connection, mapping: dict[str, str],
                report: RekeyReport) -> None:
    """Feed rows, refused feed rows and the card rows of the case-card models."""
    for table in (*[t.__table__ for t in FEED_TABLES.values()], CardSentence.__table__):
        column = table.c.person_key
        held = set(connection.scalars(sa.select(column).distinct())) & mapping.keys()
        for old in held:
            new = mapping[old]
            if table is FeedPerson.__table__ and connection.scalar(
                    sa.select(sa.func.count()).where(column == new)):
                # imported again after the rotation: the old row is stale
                connection.execute(sa.delete(table).where(column == old))
            else:
                report.feed_rows += connection.execute(
                    sa.update(table).where(column == old).values(person_key=new)).rowcount
    rejects = FeedReject.__table__
    for row_id, row in connection.execute(sa.select(rejects.c.id, rejects.c.row)).all():
        swapped = _swap(row, mapping)
        if swapped != row:
            connection.execute(sa.update(rejects).where(rejects.c.id == row_id)
                               .values(row=swapped))
            report.feed_rows += 1

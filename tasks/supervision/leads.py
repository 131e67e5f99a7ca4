"""Keeping leads: found again is the same lead; changed content is a new version.

``record_findings`` upserts one model's findings of one run by fingerprint
(model + subject + records): an unknown fingerprint is a new lead (status
``new``, version 1, history ``found``); a known one moves its ``last_run_id``
and ``last_seen_at`` and, when its content changed (explanation, evidence,
severity, model version, case number, agency), takes the new content with
``version`` + 1 and a history ``updated`` entry. Review status is never reset
by a run. ``set_status`` is the one way a reviewer moves a lead, with history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from schemas.leads_tables import LEAD_STATUSES, Lead, LeadHistory
from tasks.supervision.findings import Finding

# Which status may follow which (the review work adds its own checks on top).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("under_review", "dismissed"),
    "under_review": ("confirmed", "dismissed", "new"),
    "confirmed": ("referred", "under_review"),
    "dismissed": ("under_review",),
    "referred": (),
}
_CHUNK = 5_000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_findings(connection: sa.Connection, findings: Sequence[Finding], run_id: str,
                    as_of: dt.date) -> tuple[int, int]:
    """Store one model's findings of one run; returns (new, existing)."""
    by_print = {f.fingerprint: f for f in findings}
    known: dict[str, tuple[int, str, int]] = {}
    prints = list(by_print)
    for start in range(0, len(prints), _CHUNK):
        chunk = prints[start:start + _CHUNK]
        rows = connection.execute(
            sa.select(Lead.id, Lead.fingerprint, Lead.content_sha256, Lead.version)
            .where(Lead.fingerprint.in_(chunk)))
        known.update({r.fingerprint: (r.id, r.content_sha256, r.version) for r in rows})
    now = _now()
    new_rows, touched, changed = [], [], []
    for fp, f in by_print.items():
        content = f.content_sha256()
        if fp not in known:
            new_rows.append({
                "fingerprint": fp, "model_id": f.model, "model_version": f.model_version,
                "subject": f.subject, "records": f.records, "case_no": f.case_no,
                "agency": f.agency, "severity": f.severity, "explanation": f.explanation,
                "evidence": f.evidence(), "as_of": as_of, "status": "new", "version": 1,
                "content_sha256": content, "first_run_id": run_id, "last_run_id": run_id,
                "first_seen_at": now, "last_seen_at": now, "updated_at": now,
            })
            continue
        lead_id, old_content, version = known[fp]
        if old_content == content:
            touched.append(lead_id)
        else:
            changed.append((lead_id, version + 1, f, content))
    if new_rows:
        for start in range(0, len(new_rows), _CHUNK):
            connection.execute(sa.insert(Lead), new_rows[start:start + _CHUNK])
        ids = dict(connection.execute(
            sa.select(Lead.fingerprint, Lead.id).where(Lead.first_run_id == run_id,
                                                       Lead.version == 1)).all())
        history = [{"lead_id": ids[r["fingerprint"]], "event": "found", "version": 1,
                    "to_status": "new", "run_id": run_id, "at": now} for r in new_rows
                   if r["fingerprint"] in ids]
        for start in range(0, len(history), _CHUNK):
            connection.execute(sa.insert(LeadHistory), history[start:start + _CHUNK])
    for start in range(0, len(touched), _CHUNK):
        connection.execute(sa.update(Lead).where(Lead.id.in_(touched[start:start + _CHUNK]))
                           .values(last_run_id=run_id, last_seen_at=now, as_of=as_of))
    for lead_id, version, f, content in changed:
        connection.execute(sa.update(Lead).where(Lead.id == lead_id).values(
            model_version=f.model_version, case_no=f.case_no, agency=f.agency,
            severity=f.severity, explanation=f.explanation, evidence=f.evidence(),
            content_sha256=content, version=version, last_run_id=run_id, last_seen_at=now,
            as_of=as_of, updated_at=now))
        connection.execute(sa.insert(LeadHistory).values(
            lead_id=lead_id, event="updated", version=version, run_id=run_id, at=now,
            note="content changed"))
    return len(new_rows), len(touched) + len(changed)


def set_status(connection: sa.Connection, lead_id: int, status: str, *, actor: str,
               note: str | None = None) -> Lead:
    """Move a lead to ``status`` (see :data:`TRANSITIONS`) and write its history."""
    if status not in LEAD_STATUSES:
        raise ValueError(f"status {status!r}: one of {', '.join(LEAD_STATUSES)}")
    row = connection.execute(sa.select(Lead).where(Lead.id == lead_id)).mappings().one_or_none()
    if row is None:
        raise LookupError(f"lead {lead_id} does not exist")
    if status not in TRANSITIONS[row["status"]]:
        raise ValueError(f"lead {lead_id}: {row['status']} → {status} is not allowed")
    now = _now()
    connection.execute(sa.update(Lead).where(Lead.id == lead_id)
                       .values(status=status, updated_at=now))
    connection.execute(sa.insert(LeadHistory).values(
        lead_id=lead_id, event="status", version=row["version"], from_status=row["status"],
        to_status=status, actor=actor, note=note, at=now))
    return row

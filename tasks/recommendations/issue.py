"""Issuing a draft: numbered, rendered, written back, in one transaction.

For each draft, one transaction: take the next serial (the sequence row locked),
lock the draft (still a draft? another run may have issued it meanwhile), check its
leads are still confirmed, render the .docx and .txt with the number and date, put
both under ``recommendations/<number>/`` in the store, mark the draft ``issued``
with its keys and reply due date, move its leads to ``referred`` (history: cited in
which number), record the event and write the outbox message. If anything fails the
transaction rolls back: no number is used, nothing is marked; objects already put
under the number's keys are overwritten by whichever issue takes that number next.

A rerun finds no uncited confirmed leads and no drafts: it writes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from dossier.db import write_transaction
from dossier.settings import Settings, get_settings
from dossier.store.base import ObjectStore
from dossier.store.keys import recommendation_key
from schemas.leads_tables import Lead
from schemas.recommendations_tables import (
    Recommendation,
    RecommendationEvent,
    RecommendationLead,
    RecommendationOutbox,
)
from tasks.recommendations.aggregate import draft_recommendations
from tasks.recommendations.dates import local_today, reply_due
from tasks.recommendations.document import issue_context, render_docx, render_text
from tasks.recommendations.legal_basis import reply_months
from tasks.recommendations.numbering import format_number, take_serial
from tasks.supervision.leads import set_status

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT_TYPE = "text/plain; charset=utf-8"
ROUNDS = 3


class NotADraft(Exception):
    """Another run issued this draft first."""


class LeadsChanged(Exception):
    """A cited lead is no longer confirmed (someone moved it): the draft cannot go out."""


@dataclass(frozen=True)
class Issued:
    id: int
    number: str
    recipient: str
    model_id: str
    lead_count: int
    docx_key: str
    txt_key: str
    reply_due_date: dt.date


@dataclass
class IssueReport:
    drafted: list[int] = field(default_factory=list)
    issued: list[Issued] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)  # drafts whose leads changed
    contended: int = 0  # drafts another run was issuing at the same time


def outbox_payload(rec: dict[str, Any], context: dict[str, Any], text: str,
                   docx: bytes) -> dict[str, Any]:
    """The message for the case-management system: self-contained (the document inside)."""
    return {
        "number": context["number"],
        "procuratorate": rec["procuratorate"],
        "recipient": rec["recipient"],
        "kind": rec["kind"],
        "title": rec["title"],
        "model_id": rec["model_id"],
        "issued_date": context["issued_date"],
        "reply_due_date": context["reply_due_date"],
        "case_refs": [case["ref"] for case in context["cases"]],
        "text": text,
        "docx_base64": base64.b64encode(docx).decode("ascii"),
        "docx_sha256": hashlib.sha256(docx).hexdigest(),
    }


def issue_draft(engine: sa.Engine, store: ObjectStore, rec_id: int, issued_on: dt.date,
                *, actor: str = "issue-recommendations") -> Issued:
    """Issue one draft; raises :class:`NotADraft` or :class:`LeadsChanged` (nothing written)."""
    with write_transaction(engine) as connection:
        # The draft first, skipping it when another issuer holds it (PostgreSQL: two runs
        # share the drafts instead of queueing on the same one), then the sequence row,
        # which every issuer takes: numbers follow the order of commits.
        rec = connection.execute(sa.select(Recommendation.__table__)
                                 .where(Recommendation.id == rec_id)
                                 .with_for_update(skip_locked=True)).mappings().one_or_none()
        if rec is None or rec["status"] != "draft":
            raise NotADraft(rec_id)
        abbr, department = rec["procuratorate_abbr"], rec["department"]
        serial = take_serial(connection, abbr, issued_on.year)
        leads = connection.execute(
            sa.select(Lead.id, Lead.status).join(RecommendationLead,
                                                 RecommendationLead.lead_id == Lead.id)
            .where(RecommendationLead.recommendation_id == rec_id)
            .with_for_update(of=Lead)).all()
        moved = [lead.id for lead in leads if lead.status != "confirmed"]
        if moved:
            raise LeadsChanged(rec_id, moved)
        number = format_number(abbr, department, issued_on.year, serial)
        due = reply_due(issued_on, None, reply_months())
        context = issue_context(rec["context"], number, issued_on, due)
        text = render_text(context)
        docx = render_docx(context)
        docx_key, txt_key = recommendation_key(number, "docx"), recommendation_key(number, "txt")
        store.put_bytes(docx_key, docx, content_type=DOCX_TYPE)
        store.put_bytes(txt_key, text.encode("utf-8"), content_type=TEXT_TYPE)
        connection.execute(sa.update(Recommendation).where(Recommendation.id == rec_id).values(
            number=number, year=issued_on.year, serial=serial, status="issued",
            issued_date=issued_on, reply_due_date=due, context=context, docx_key=docx_key,
            txt_key=txt_key, docx_sha256=hashlib.sha256(docx).hexdigest()))
        for lead in leads:
            set_status(connection, lead.id, "referred", actor=actor, note=f"cited in {number}")
        connection.execute(sa.insert(RecommendationEvent).values(
            recommendation_id=rec_id, event="issued", from_status="draft", to_status="issued",
            actor=actor, note=number))
        connection.execute(sa.insert(RecommendationOutbox).values(
            idempotency_key=number, recommendation_id=rec_id,
            payload=outbox_payload(dict(rec), context, text, docx), status="pending"))
    return Issued(id=rec_id, number=number, recipient=rec["recipient"],
                  model_id=rec["model_id"], lead_count=rec["lead_count"], docx_key=docx_key,
                  txt_key=txt_key, reply_due_date=due)


def withdraw_draft(engine: sa.Engine, rec_id: int) -> None:
    """A draft whose leads changed goes; its leads are drafted again as they now stand."""
    with write_transaction(engine) as connection:
        connection.execute(sa.delete(Recommendation).where(Recommendation.id == rec_id,
                                                           Recommendation.status == "draft"))


def open_drafts(connection: sa.Connection) -> list[int]:
    return list(connection.scalars(sa.select(Recommendation.id)
                                   .where(Recommendation.status == "draft")
                                   .order_by(Recommendation.id)))


def issue_recommendations(
    engine: sa.Engine,
    store: ObjectStore,
    *,
    issued_on: dt.date | None = None,
    settings: Settings | None = None,
    draft_only: bool = False,
    actor: str = "issue-recommendations",
) -> IssueReport:
    """Draft every group of confirmed leads, then issue every draft (unless ``draft_only``)."""
    settings = settings or get_settings()
    issued_on = issued_on or local_today()
    report = IssueReport()
    for _ in range(ROUNDS):  # a withdrawn draft's other leads are drafted again at once
        report.drafted += draft_recommendations(engine, settings, actor)
        if draft_only:
            return report
        with engine.connect() as connection:
            drafts = open_drafts(connection)
        withdrawn = []
        for rec_id in drafts:
            try:
                report.issued.append(issue_draft(engine, store, rec_id, issued_on, actor=actor))
            except NotADraft:
                report.contended += 1
            except LeadsChanged:
                withdraw_draft(engine, rec_id)
                withdrawn.append(rec_id)
        report.withdrawn += withdrawn
        if not withdrawn:
            break
    return report

"""A library for the report and the flows: sample dossiers and a generated feed batch.

Sample dossiers go through the real structure stage (their page texts → documents →
case card: no OCR, it is not what is measured here), are registered and loaded as the
load stage does, and their cards are put in the store where the stage writes them.
Each is taken in once; two are uploaded again (duplicates) and two uploads are
quarantined, as the retrieve task records them. A generated feed batch is imported,
every supervision model runs over it, some leads are confirmed (others dismissed),
the confirmed ones become 检察建议, one of which is answered in time and one late.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from dossier import db
from dossier.samples.dossier import fast_paginate, make_sample_dossier
from dossier.store.base import ObjectStore
from dossier.store.keys import case_card_key
from schemas.case_card import Case, CaseCard, CoerciveMeasure, DocumentRef, Person
from schemas.leads_tables import Lead
from schemas.recommendations_tables import Recommendation
from tasks.case_management.intake_log import record_intake
from tasks.stages.intake import IntakeOutcome

AS_OF = dt.date(2026, 6, 30)
SEEDS = (3, 7, 11, 42)
PEOPLE = 1500


def structured_card(seed: int) -> CaseCard:
    from tasks.nlp.case_card import build_case_card
    from tasks.nlp.clean import clean_dossier_text
    from tasks.nlp.documents import split_documents

    sample = make_sample_dossier(seed, paginate=fast_paginate)
    cleaned = clean_dossier_text(sample.pages)
    split = split_documents(cleaned)
    return build_case_card(f"d{seed:016x}", "\n".join(cleaned), [d.to_ref() for d in split],
                           document_texts=[d.text for d in split])


PENDING_CASE_NO = "（2026）示检刑诉1号"
PENDING_NAME = "李四海"


def pending_card() -> CaseCard:
    """A case under 审查起诉 since 2026-06-01, detained: due 07-01, pressing on AS_OF."""
    doc = DocumentRef(type="起诉意见书", title="示范市公安局起诉意见书", pages=(1, 2),
                      confidence=0.9, date=dt.date(2026, 6, 1))
    return CaseCard(dossier_id="d00000000000pend", documents=[doc], case=Case(
        case_no=PENDING_CASE_NO, charges=["诈骗罪"],
        persons=[Person(name=PENDING_NAME, role="犯罪嫌疑人")],
        coercive_measures=[CoerciveMeasure(person=PENDING_NAME, kind="刑事拘留",
                                           date=dt.date(2026, 4, 20))]))


def load_dossiers(url: str, store: ObjectStore, seeds: tuple[int, ...] = SEEDS) -> list[str]:
    """The sample dossiers' cards (and the pending case's) in the library and the store."""
    from tasks.library.load import load_case_card, register_dossier

    engine = db.get_engine(url)
    ids = []
    for card in [*map(structured_card, seeds), pending_card()]:
        store.put_json(case_card_key(card.dossier_id), card.model_dump(mode="json"))
        with db.session_scope(url) as session:
            register_dossier(session, dossier_id=card.dossier_id, sha256=card.dossier_id * 2,
                             filename="sample.pdf", size=1, status="ok")
            load_case_card(session, card, "trusted")
        record_intake(IntakeOutcome(upload="u", status="accepted", dossier_id=card.dossier_id),
                      None, engine)
        ids.append(card.dossier_id)
    for dossier_id in ids[:2]:
        record_intake(IntakeOutcome(upload="u", status="duplicate", dossier_id=dossier_id),
                      None, engine)
    for n, reason in enumerate(("encrypted", "unsupported_format")):
        record_intake(IntakeOutcome(upload="u", status="rejected", dossier_id=f"r{n:016x}",
                                    reason=reason), None, engine)
    return ids


def feeds_and_leads(url: str, store: ObjectStore, folder: Path) -> dict[str, int]:
    """Generated feeds → every model → decisions → 检察建议 → two replies."""
    from tasks.feeds.batch import import_batch
    from tasks.feeds.generate import generate_batch
    from tasks.lead_review.decisions import DecisionRequest, decide_all
    from tasks.recommendations.follow_up import mark_overdue, record_reply
    from tasks.recommendations.issue import issue_recommendations
    from tasks.supervision.run import supervise_database

    engine = db.get_engine(url)
    generate_batch(PEOPLE, 16, folder, AS_OF)
    import_batch(engine, folder, "report-test")
    supervise_database(engine, as_of=AS_OF, store=store)
    with engine.connect() as connection:
        leads = connection.execute(sa.select(Lead.id, Lead.model_id).order_by(Lead.id)).all()
    requests = [DecisionRequest(lead_id=lead.id, decision="confirm" if i % 3 else "dismiss",
                                note="核实") for i, lead in enumerate(leads) if i % 4 != 3]
    decide_all(engine, requests, actor="王检察官")
    issue_recommendations(engine, store, issued_on=dt.date(2026, 3, 2))
    with engine.connect() as connection:
        numbers = list(connection.scalars(sa.select(Recommendation.number)
                                          .where(Recommendation.status == "issued")
                                          .order_by(Recommendation.id)))
    if numbers:
        record_reply(engine, store, numbers[0], dt.date(2026, 3, 20), "已整改", actor="t")
    if len(numbers) > 1:
        record_reply(engine, store, numbers[1], dt.date(2026, 6, 10), "已整改", actor="t")
    mark_overdue(engine, AS_OF)
    return {"leads": len(leads), "decided": len(requests), "recommendations": len(numbers)}

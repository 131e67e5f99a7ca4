"""The ``supervise`` stage of one dossier: its case card through the case-card models.

``supervise_dossier(store, dossier_id)`` reads ``nlp/<id>/case.json`` and writes
``leads/<id>.json`` (FEEDS.md "Leads as JSON"), running the case-card models in
memory on this card alone (``tasks.supervision.cards``), with no database: the
stage's output depends only on its input key and the code. ``sentence_deviation``
needs 20 comparable cases, so on one card it finds nothing; the nightly
``run-supervision`` compares every card with the whole library and the feeds.
``as_of`` is the card's judgment date when it has one (the models that use
as-of count days from it), else today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dossier.settings import Settings
from dossier.store.base import ObjectStore
from dossier.store.keys import case_card_key, dossier_leads_key
from schemas.case_card import CaseCard
from tasks.supervision.cards import supervise_cards
from tasks.supervision.run import leads_document, thresholds

STAGE = "supervise"


def supervise_dossier(store: ObjectStore, dossier_id: str,
                      settings: Settings | None = None) -> dict[str, Any]:
    """Write ``leads/<dossier_id>.json``; returns the document written."""
    card = CaseCard.model_validate(store.get_json(case_card_key(dossier_id)))
    as_of = card.case.judgment_date or dt.date.today()
    findings = supervise_cards([(dossier_id, card)], as_of, thresholds=thresholds(settings))
    document = leads_document(as_of, findings)
    store.put_json(dossier_leads_key(dossier_id), document)
    return document

"""Confirmed leads grouped into draft recommendations.

A group is the confirmed leads not yet cited by any recommendation that share a
recipient (the agency the lead names, else the category's recipient) and a problem
category (the model). Each group becomes one draft: a ``recommendations`` row with
``group_key`` = sha256(recipient, model, lead ids) and one ``recommendation_leads``
row per lead. ``recommendation_leads.lead_id`` is unique, so a lead is cited once
however many runs draft at the same time: the loser's insert fails and its group is
simply not drafted by it. A lead confirmed after its group was drafted waits for the
next run and a recommendation of its own.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from dossier.db import write_transaction
from dossier.settings import Settings, get_settings
from schemas.leads_tables import Lead
from schemas.recommendations_tables import Recommendation, RecommendationEvent, RecommendationLead
from tasks.recommendations.categories import category_for, recipient_for
from tasks.recommendations.document import CitedLead, draft_context


@dataclass(frozen=True)
class LeadGroup:
    recipient: str
    model_id: str
    leads: tuple[CitedLead, ...]

    @property
    def group_key(self) -> str:
        ids = ",".join(str(lead.id) for lead in sorted(self.leads, key=lambda lead: lead.id))
        text = "\x00".join([self.recipient, self.model_id, ids])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def uncited_confirmed(connection: sa.Connection) -> list[tuple[CitedLead, str | None]]:
    """Confirmed leads no recommendation cites yet, with the agency each names."""
    cited = sa.select(RecommendationLead.lead_id)
    rows = connection.execute(
        sa.select(Lead.id, Lead.version, Lead.model_id, Lead.case_no, Lead.records,
                  Lead.explanation, Lead.evidence, Lead.as_of, Lead.agency)
        .where(Lead.status == "confirmed", Lead.id.not_in(cited))
        .order_by(Lead.id))
    return [(CitedLead(id=r.id, version=r.version, model_id=r.model_id, case_no=r.case_no,
                       records=tuple(r.records or ()), explanation=r.explanation,
                       facts=dict((r.evidence or {}).get("facts") or {}), as_of=r.as_of),
             r.agency) for r in rows]


def group_leads(leads: list[tuple[CitedLead, str | None]],
                settings: Settings | None = None) -> list[LeadGroup]:
    settings = settings or get_settings()
    groups: dict[tuple[str, str], list[CitedLead]] = defaultdict(list)
    for lead, agency in leads:
        recipient = (agency or "").strip() or recipient_for(
            category_for(lead.model_id).recipient_kind, settings)
        groups[(recipient, lead.model_id)].append(lead)
    return [LeadGroup(recipient, model_id, tuple(items))
            for (recipient, model_id), items in sorted(groups.items())]


def draft_group(engine: sa.Engine, group: LeadGroup, settings: Settings | None = None,
                actor: str = "issue-recommendations") -> int | None:
    """The group's draft id; None when another run drafted (some of) its leads first."""
    settings = settings or get_settings()
    context = draft_context(group.recipient, group.model_id, group.leads, settings)
    try:
        with write_transaction(engine) as connection:
            existing = connection.scalar(sa.select(Recommendation.id)
                                         .where(Recommendation.group_key == group.group_key))
            if existing is not None:
                return None
            rec_id = connection.scalar(sa.insert(Recommendation).values(
                group_key=group.group_key, procuratorate=settings.procuratorate_name,
                procuratorate_abbr=settings.procuratorate_abbr,
                department=settings.procuratorate_department, model_id=group.model_id,
                kind=context["kind"], recipient=group.recipient, title=context["title"],
                status="draft", lead_count=len(group.leads), context=context,
            ).returning(Recommendation.id))
            connection.execute(sa.insert(RecommendationLead), [
                {"lead_id": lead.id, "recommendation_id": rec_id, "lead_version": lead.version}
                for lead in group.leads])
            connection.execute(sa.insert(RecommendationEvent).values(
                recommendation_id=rec_id, event="drafted", to_status="draft", actor=actor,
                note=f"{len(group.leads)} confirmed leads of {group.model_id}"))
        return rec_id
    except IntegrityError:
        return None


def draft_recommendations(engine: sa.Engine, settings: Settings | None = None,
                          actor: str = "issue-recommendations") -> list[int]:
    """Draft every group of uncited confirmed leads; returns the new drafts' ids."""
    with engine.connect() as connection:
        groups = group_leads(uncited_confirmed(connection), settings)
    drafted = [draft_group(engine, group, settings, actor) for group in groups]
    return [rec_id for rec_id in drafted if rec_id is not None]

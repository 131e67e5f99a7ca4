"""The reviewer's form: a pydantic model built from a review session's leads.

One choice per lead (``lead_<id>``: later, confirm or dismiss; later leaves it
pending) with an optional note of its own (``note_<id>``), the reviewer's name and a
note that applies to every decided lead without its own. The Prefect UI renders the
model's JSON schema as the resume form (titles and descriptions are what the
operator reads: masked); the ``review-leads`` flow passes ``base=RunInput``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from tasks.lead_review.decisions import DecisionRequest
from tasks.lead_review.leads import LeadView

Choice = Literal["later", "confirm", "dismiss"]


def review_form(views: Sequence[LeadView], base: type[BaseModel] = BaseModel) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "reviewer": (str, Field(..., min_length=1, title="审查人 reviewer",
                                description="Your name: it goes into every lead's history.")),
        "note": (str, Field(..., min_length=1, title="审查意见 note",
                            description="Why: applies to every decided lead below that "
                                        "has no note of its own.")),
    }
    for view in views:
        fields[f"lead_{view.id}"] = (Choice, Field(
            "later", title=view.headline(),
            description=f"[{view.severity}] {view.explanation} — confirm 确认 / dismiss 排除 / "
                        "later 暂不决定"))
        fields[f"note_{view.id}"] = (str, Field("", title=f"线索 {view.id} 意见 note"))
    return create_model("LeadReview", __base__=base, **fields)


def requests_from(answer: BaseModel, views: Sequence[LeadView]) -> list[DecisionRequest]:
    """The decisions in a filled form, each pinned to the version shown."""
    data = answer.model_dump()
    requests = []
    for view in views:
        choice = data.get(f"lead_{view.id}", "later")
        if choice == "later":
            continue
        note = (data.get(f"note_{view.id}") or "").strip() or data["note"]
        requests.append(DecisionRequest(lead_id=view.id, decision=choice, version=view.version,
                                        note=note))
    return requests

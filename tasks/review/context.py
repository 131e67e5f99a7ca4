"""What a rule sees: the case card, the date of review, and the facts derived from both
(each defendant's age at the offence, the evidence the dossier holds, dates by document)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from dossier.privacy import mask_name
from schemas.case_card import CaseCard, Person
from tasks.review.law import ChargeSpec, charge_spec

__all__ = ["ACCUSED", "ReviewContext", "age_on"]

ACCUSED = ("被告人", "犯罪嫌疑人")
# Investigation records: a card holding one of these is a dossier (卷宗), whose evidence the
# review rules can judge; a published judgment alone holds none.
_RECORDS = frozenset({"讯问笔录", "询问笔录", "鉴定意见", "拘留证", "逮捕证", "受案登记表",
                      "立案决定书", "取保候审决定书", "起诉意见书"})


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years (周岁) on ``day``: a person reaches an age the day after the birthday
    (最高人民法院《关于审理未成年人刑事案件具体应用法律若干问题的解释》第二条)."""
    years = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    if (day.month, day.day) == (birth.month, birth.day):
        years -= 1  # on the birthday itself the new age is not yet reached
    return years


@dataclass
class ReviewContext:
    card: CaseCard
    as_of: dt.date

    @property
    def case(self):
        return self.card.case

    @cached_property
    def defendants(self) -> list[Person]:
        seen: dict[str, Person] = {}
        for p in self.case.persons:
            if p.role in ACCUSED and p.name not in seen:
                seen[p.name] = p
        return list(seen.values())

    @cached_property
    def charges(self) -> list[tuple[str, ChargeSpec]]:
        out = []
        for charge in dict.fromkeys(
            [*self.case.charges, *(c for s in self.case.sentences for c in s.charges)]
        ):
            spec = charge_spec(charge)
            if spec is not None and all(spec.charge != c for c, _ in out):
                out.append((spec.charge, spec))
        return out

    @cached_property
    def evidence(self) -> set[str]:
        return {kind for d in self.card.documents for kind in d.evidence}

    @cached_property
    def is_dossier(self) -> bool:
        """Whether the card is a dossier's (investigation records present), not a lone
        judgment's: only then can a missing piece of evidence be missing."""
        return any(d.type in _RECORDS for d in self.card.documents)

    def documents(self, *types: str):
        return [d for d in self.card.documents if d.type in types]

    def first_date(self, *types: str) -> dt.date | None:
        dates = [d.date for d in self.documents(*types) if d.date]
        return min(dates) if dates else None

    def measures(self, person: str, kind: str) -> list[dt.date]:
        return sorted(
            m.date for m in self.case.coercive_measures
            if m.person == person and m.kind == kind and m.date
        )

    @cached_property
    def procedure_start(self) -> dt.date | None:
        """When the case entered criminal procedure (受案, 立案 or the first measure): the
        date a limitation period stops running (刑法第八十八条)."""
        candidates = [
            self.first_date("受案登记表", "立案决定书"),
            *(m.date for m in self.case.coercive_measures if m.date),
        ]
        known = [d for d in candidates if d]
        return min(known) if known else None

    def circumstances_of(self, name: str) -> set[str]:
        return {c.kind for c in self.case.circumstances if c.person in (name, None)}

    @staticmethod
    def masked(name: str | None) -> str | None:
        return mask_name(name) if name else None

"""The agency feed interchange format (FEEDS.md): one CSV per feed, declared once.

Every feed is a :class:`FeedSpec`: its file, its record-id column, its columns
with their types, the enumerated values a column may take, and the dates that
must come in order. The import, the quality suites and the generator all read
these specs, so the format is written down in exactly one place.

Column types: ``id`` (record id, required), ``person`` (18-digit resident ID
number, stored as a keyed hash plus a mask), ``text``, ``date`` (ISO), ``month``
(``YYYY-MM``), ``amount`` (yuan, >= 0), ``int`` (>= 0), ``bool`` (``true``/``false``),
``charge`` (a charge name of the Criminal Law, normalised to the official name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["id", "person", "text", "date", "month", "amount", "int", "bool", "charge"]

MEASURE_KINDS = ("拘留", "提请逮捕", "逮捕", "延长羁押", "取保候审", "监视居住", "释放")
PENALTIES = ("有期徒刑", "拘役", "管制", "无期徒刑", "死刑", "免予刑事处罚", "单处罚金")
CORRECTION_KINDS = ("缓刑", "管制", "假释", "暂予监外执行")


@dataclass(frozen=True)
class FeedSpec:
    """One feed file of a batch: ``<name>.csv`` into table ``feed_<name>``."""

    name: str
    id_column: str
    columns: dict[str, ColumnType]
    required: tuple[str, ...] = ()
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_order: tuple[tuple[str, str], ...] = ()  # (earlier, later): later may be empty
    agency: str = ""  # who sends it (for people reading a manifest)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def table(self) -> str:
        return f"feed_{self.name}"

    @property
    def suite(self) -> str:
        return f"feed_{self.name}"

    @property
    def header(self) -> list[str]:
        return list(self.columns)


_P = "person"
FEEDS: dict[str, FeedSpec] = {
    spec.name: spec
    for spec in (
        FeedSpec("people", "person_id", {"person_id": _P, "name": "text", "birth_date": "date"},
                 agency="公安机关（人口信息）"),
        FeedSpec(
            "police_cases", "case_id",
            {"case_id": "id", "person_id": _P, "offence": "charge", "amount_yuan": "amount",
             "received_date": "date", "filed_date": "date", "withdrawn_date": "date"},
            required=("offence", "received_date"),
            date_order=(("received_date", "filed_date"), ("received_date", "withdrawn_date")),
            agency="公安机关",
        ),
        FeedSpec(
            "measures", "measure_id",
            {"measure_id": "id", "person_id": _P, "case_id": "text", "kind": "text",
             "start_date": "date", "end_date": "date", "extension": "int"},
            required=("kind", "start_date"),
            enums={"kind": MEASURE_KINDS},
            date_order=(("start_date", "end_date"),),
            agency="公安机关",
        ),
        FeedSpec(
            "admin_penalties", "penalty_id",
            {"penalty_id": "id", "person_id": _P, "agency": "text", "offence": "charge",
             "amount_yuan": "amount", "penalty": "text", "decided_date": "date",
             "transferred_date": "date"},
            required=("offence", "decided_date"),
            date_order=(("decided_date", "transferred_date"),),
            agency="行政执法机关",
        ),
        FeedSpec(
            "judgments", "judgment_id",
            {"judgment_id": "id", "case_no": "text", "person_id": _P, "court": "text",
             "charge": "charge", "article": "text", "penalty": "text", "months": "int",
             "probation_months": "int", "fine_yuan": "amount", "recidivist": "bool",
             "effective_date": "date"},
            required=("case_no", "charge", "effective_date"),
            enums={"penalty": PENALTIES},
            agency="人民法院",
        ),
        FeedSpec(
            "non_prosecutions", "decision_id",
            {"decision_id": "id", "person_id": _P, "charge": "charge",
             "blood_alcohol_mg": "amount", "decided_date": "date"},
            required=("charge", "decided_date"),
            agency="人民检察院",
        ),
        FeedSpec(
            "licence_revocations", "revocation_id",
            {"revocation_id": "id", "person_id": _P, "revoked_date": "date"},
            required=("revoked_date",),
            agency="公安机关交通管理部门",
        ),
        FeedSpec(
            "corrections", "correction_id",
            {"correction_id": "id", "person_id": _P, "case_no": "text", "kind": "text",
             "effective_date": "date", "checkin_date": "date"},
            required=("kind", "effective_date"),
            enums={"kind": CORRECTION_KINDS},
            date_order=(("effective_date", "checkin_date"),),
            agency="社区矫正机构",
        ),
        FeedSpec(
            "prison", "record_id",
            {"record_id": "id", "person_id": _P, "admitted_date": "date",
             "released_date": "date"},
            required=("admitted_date",),
            date_order=(("admitted_date", "released_date"),),
            agency="监狱",
        ),
        FeedSpec(
            "pensions", "payment_id",
            {"payment_id": "id", "person_id": _P, "month": "month", "amount_yuan": "amount"},
            required=("month",),
            agency="社会保险经办机构",
        ),
        FeedSpec(
            "fine_enforcement", "enforcement_id",
            {"enforcement_id": "id", "case_no": "text", "person_id": _P, "filed_date": "date"},
            required=("case_no", "filed_date"),
            agency="人民法院（执行）",
        ),
    )
}
FEED_NAMES = tuple(FEEDS)

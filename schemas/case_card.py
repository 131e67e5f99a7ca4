"""The case card (案件信息卡): the structured output of one dossier, ``nlp/<id>/case.json``.

Values people read stay Chinese (roles, penalties, charge names); identifiers are
English. A wrong value is worse than a blank, so every field may be empty.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["犯罪嫌疑人", "被告人", "被害人", "证人", "辩护人"]
Penalty = Literal["有期徒刑", "拘役", "管制", "无期徒刑", "死刑", "免予刑事处罚"]
MeasureKind = Literal["刑事拘留", "逮捕", "取保候审", "监视居住", "释放", "变更"]
CircumstanceKind = Literal["自首", "坦白", "认罪认罚", "累犯", "未遂", "从犯", "退赃退赔", "谅解"]
DocumentType = Literal[
    "卷宗封面", "卷内目录", "受案登记表", "立案决定书", "拘留证", "逮捕证", "取保候审决定书",
    "讯问笔录", "询问笔录", "鉴定意见", "起诉意见书", "起诉书", "量刑建议书", "判决书", "裁定书",
    "不起诉决定书",
    # evidence documents the review rules ask for by kind (issue 14)
    "血液酒精含量鉴定", "呼气酒精检测", "价格认定", "毒品称量", "毒品鉴定", "伤情鉴定", "扣押清单",
    "现场勘验", "辨认笔录", "户籍证明", "前科材料",
    "其他",
]
DOCUMENT_TYPES: tuple[str, ...] = DocumentType.__args__  # type: ignore[attr-defined]


class Statute(BaseModel):
    """A cited article.

    第一百三十三条之一第二款第（三）项 → article 133, sub 1, paragraph 2, item 3.
    """

    law: str = "中华人民共和国刑法"
    article: int = Field(ge=1)
    sub: int | None = None
    paragraph: int | None = None
    item: int | None = None


class Person(BaseModel):
    name: str
    role: Role
    gender: Literal["男", "女"] | None = None
    birth_date: dt.date | None = None
    ethnicity: str | None = None
    id_number_masked: str | None = None
    id_number_sha256: str | None = Field(None, description="Salted hash for matching, never raw.")
    id_number_valid: bool | None = None


class CoerciveMeasure(BaseModel):
    person: str
    kind: MeasureKind
    date: dt.date | None = None


class Sentence(BaseModel):
    person: str
    charges: list[str] = Field(default_factory=list)
    charges_written: list[str] = Field(
        default_factory=list,
        description="The charges as the verdict writes them (贩卖毒品罪); ``charges`` holds "
        "their catalogue names (走私、贩卖、运输、制造毒品罪). Empty on cards made before it.",
    )
    penalty: Penalty | None = None
    months: int | None = None
    probation_months: int | None = None
    fine_yuan: float | None = None


class Circumstance(BaseModel):
    person: str | None = None
    kind: CircumstanceKind


InjuryGrade = Literal[
    "轻微伤", "轻伤二级", "轻伤一级", "轻伤", "重伤二级", "重伤一级", "重伤", "死亡"
]


class AlcoholReading(BaseModel):
    """A blood (血液) or breath (呼气) alcohol content, in mg/100 ml."""

    person: str | None = None
    method: Literal["血液", "呼气"] = "血液"
    mg_per_100ml: float


class DrugSeizure(BaseModel):
    """A drug and its weight as the facts or the weighing record state it (甲基苯丙胺 12.5克)."""

    person: str | None = None
    drug: str
    grams: float


class Injury(BaseModel):
    """An injury grade from a forensic appraisal (损伤程度鉴定): 轻伤二级, 重伤一级 …"""

    person: str | None = None  # the injured, when named
    grade: InjuryGrade


class OffenceCount(BaseModel):
    """One count (一起) of the facts: when, where, how much."""

    date: dt.date | None = None
    place: str | None = None
    amount_yuan: float | None = None


class PriorConviction(BaseModel):
    """An earlier sentence (前科): when it was passed, what, and when the person was released."""

    person: str
    date: dt.date | None = None
    charges: list[str] = Field(default_factory=list)
    penalty: Penalty | None = None
    months: int | None = None
    probation: bool | None = None
    release_date: dt.date | None = None


class Case(BaseModel):
    case_no: str | None = None
    court: str | None = None
    procuratorate: str | None = None
    indictment_no: str | None = None
    charges: list[str] = Field(default_factory=list)
    charges_written: list[str] = Field(
        default_factory=list,
        description="The charges as decided, as the court or procuratorate wrote them "
        "(贩卖毒品罪, 非法持有枪支罪): a selective charge (选择性罪名) names only the acts "
        "found, which ``charges`` (catalogue names) folds together. Each maps to a "
        "catalogue name by tasks.nlp.lexicon.canonical_charge. Empty on older cards.",
    )
    statutes: list[Statute] = Field(default_factory=list)
    persons: list[Person] = Field(default_factory=list)
    coercive_measures: list[CoerciveMeasure] = Field(default_factory=list)
    sentences: list[Sentence] = Field(default_factory=list)
    circumstances: list[Circumstance] = Field(default_factory=list)
    amounts_yuan: list[float] = Field(default_factory=list)
    judgment_date: dt.date | None = None
    # Facts the review rules read (审查/结论规则); all optional, so older cards still load.
    offence_date: dt.date | None = None
    offence_last_date: dt.date | None = Field(
        None, description="The last date of the facts: where a continuing offence ends."
    )
    offence_place: str | None = None
    counts: list[OffenceCount] = Field(default_factory=list)
    amount_total_yuan: float | None = Field(
        None, description="The total the facts state (共计/合计/累计), else the counts' sum."
    )
    amount_tiers_stated: list[str] = Field(
        default_factory=list,
        description="数额较大/数额巨大/数额特别巨大 as the document finds them.",
    )
    offence_forms: list[str] = Field(
        default_factory=list, description="Forms that make an act a crime whatever the amount: "
        "多次盗窃, 入户盗窃, 携带凶器盗窃, 扒窃, 醉酒驾驶 …",
    )
    alcohol: list[AlcoholReading] = Field(default_factory=list)
    drugs: list[DrugSeizure] = Field(default_factory=list)
    injuries: list[Injury] = Field(default_factory=list)
    prior_convictions: list[PriorConviction] = Field(default_factory=list)


class PersonMention(BaseModel):
    """A person as one document names them, so documents can be compared: the card's
    persons merge every document, which would hide a birth date that differs."""

    name: str
    role: Role
    birth_date: dt.date | None = None
    id_number_masked: str | None = None
    id_number_sha256: str | None = None


class DocumentRef(BaseModel):
    type: DocumentType
    title: str
    pages: tuple[int, int]
    confidence: float = Field(ge=0.0, le=1.0)
    # What the review rules read per document; optional, so older cards still load.
    date: dt.date | None = Field(None, description="The document's own date (落款, 时间).")
    evidence: list[str] = Field(
        default_factory=list,
        description="Evidence kinds it provides (tasks/nlp/data/evidence_kinds.yaml).",
    )
    persons: list[PersonMention] = Field(default_factory=list)
    elements: list[str] = Field(
        default_factory=list,
        description="Elements of an 起诉书/量刑建议书 found in it "
        "(tasks/nlp/data/document_elements.yaml).",
    )


class CaseCard(BaseModel):
    schema_version: Literal["1"] = "1"
    dossier_id: str
    case: Case = Field(default_factory=Case)
    documents: list[DocumentRef] = Field(default_factory=list)

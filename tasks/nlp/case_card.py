"""The case card (案件信息卡) of a dossier from its text.

A dossier holds several documents; each field is taken from the document that is
authoritative for it (the judgment for sentences, the indictment for its number,
custody papers for coercive measures) and filled from the others only where that
one is silent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from schemas.case_card import Case, CaseCard, DocumentRef, PersonMention
from tasks.nlp.evidence import document_elements, evidence_kinds
from tasks.nlp.extract import extract_document
from tasks.nlp.extract.facts import document_date, person_mentions

__all__ = ["AUTHORITY", "build_case_card", "extract_case"]

# For each field, document types in order of authority (first wins when it has a value).
_JUDGMENT = ("判决书", "裁定书")
_PROSECUTION = ("起诉书", "量刑建议书", "起诉意见书", "不起诉决定书")
AUTHORITY: dict[str, tuple[str, ...]] = {
    "case_no": (*_JUDGMENT,),
    "court": (*_JUDGMENT, *_PROSECUTION),
    "procuratorate": (*_PROSECUTION, *_JUDGMENT),
    "indictment_no": ("起诉书", *_JUDGMENT, "量刑建议书"),
    "charges": (*_JUDGMENT, "起诉书", "量刑建议书", "起诉意见书", "不起诉决定书"),
    # the charges as written go with the catalogue names they came from
    "charges_written": (*_JUDGMENT, "起诉书", "量刑建议书", "起诉意见书", "不起诉决定书"),
    # the statutes of the decision: the judgment's, else the indictment's, else those a
    # 不起诉决定书 cites when the case ends there
    "statutes": (*_JUDGMENT, "起诉书", "量刑建议书", "不起诉决定书"),
    "persons": (*_JUDGMENT, "起诉书", "起诉意见书", "讯问笔录", "受案登记表"),
    "coercive_measures": (
        *_JUDGMENT, "起诉书", "拘留证", "逮捕证", "取保候审决定书", "起诉意见书", "不起诉决定书",
    ),
    "sentences": (*_JUDGMENT,),
    "circumstances": (*_JUDGMENT, "起诉书", "量刑建议书", "起诉意见书"),
    "amounts_yuan": (*_JUDGMENT, "起诉书", "起诉意见书"),
    "judgment_date": (*_JUDGMENT,),
    # the facts as charged: the indictment's account first (a review comes before a trial)
    "offence_date": ("起诉书", *_JUDGMENT, "起诉意见书"),
    "offence_last_date": ("起诉书", *_JUDGMENT, "起诉意见书"),
    "offence_place": ("起诉书", *_JUDGMENT, "起诉意见书"),
    "counts": ("起诉书", *_JUDGMENT, "起诉意见书"),
    "amount_total_yuan": ("起诉书", *_JUDGMENT, "起诉意见书", "价格认定", "鉴定意见"),
    "amount_tiers_stated": ("起诉书", *_JUDGMENT, "量刑建议书", "起诉意见书"),
    "offence_forms": ("起诉书", *_JUDGMENT, "起诉意见书"),
    "prior_convictions": (*_JUDGMENT, "起诉书", "起诉意见书"),
}
# Measurements every document that states one contributes to (an appraisal and the
# indictment both give the blood alcohol): the union, each reading once.
_UNION = ("alcohol", "drugs", "injuries")


def _empty(value: object) -> bool:
    return value is None or value == [] or value == ""


def merge_cases(parts: Sequence[tuple[str, Case]]) -> Case:
    """Combine per-document extractions, field by field, by :data:`AUTHORITY`.

    A field whose authorities are all silent takes the first value any other document
    gives: a blank is kept only when no document says anything.
    """
    merged: dict[str, object] = {}
    for field in Case.model_fields:
        order = AUTHORITY.get(field, ())
        ranked = sorted(
            range(len(parts)),
            key=lambda i: (order.index(parts[i][0]) if parts[i][0] in order else len(order), i),
        )
        if field == "coercive_measures":
            merged[field] = _measures(parts, ranked)
            continue
        if field in _UNION:
            merged[field] = _union(parts, ranked, field)
            continue
        for i in ranked:
            value = getattr(parts[i][1], field)
            if not _empty(value):
                merged[field] = value
                break
    return Case.model_validate(merged)


def _union(parts: Sequence[tuple[str, Case]], ranked: list[int], field: str) -> list:
    """Every reading of ``field`` once; the same value read without and with a person
    (an appraisal names nobody, the indictment names the defendant) is one reading."""
    out: list = []
    for i in ranked:
        for item in getattr(parts[i][1], field):
            anonymous = item.model_copy(update={"person": None})
            same = [o for o in out if o.model_copy(update={"person": None}) == anonymous]
            if not same:
                out.append(item)
            elif same[0].person is None and item.person is not None:
                out[out.index(same[0])] = item
    return out


# Documents that recount the whole custody history in their header (因涉嫌…于…被刑事拘留，
# 于…被逮捕): when one has measures, it is the record.
_FULL_HISTORY = (*_JUDGMENT, "起诉书")


def _measures(parts: Sequence[tuple[str, Case]], ranked: list[int]) -> list:
    """The custody history: from a judgment or indictment when there is one, else the
    union of the custody papers (a 取保候审决定书 must not hide the 拘留证 before it)."""
    for i in ranked:
        kind, case = parts[i]
        if case.coercive_measures and kind in _FULL_HISTORY:
            return list(case.coercive_measures)
    seen: dict[tuple[str, str], object] = {}
    for i in ranked:
        for measure in parts[i][1].coercive_measures:
            key = (measure.person, measure.kind)
            known = seen.get(key)
            if known is None or (getattr(known, "date", None) is None and measure.date):
                seen[key] = measure
    return sorted(seen.values(), key=lambda m: (m.date is None, m.date or 0, m.person))  # type: ignore[attr-defined]


def extract_case(text: str, documents: Iterable[tuple[str, str]] | None = None) -> Case:
    """The case in ``text`` (one judgment, indictment … or a whole dossier's text).

    With ``documents`` — ``(document_type, text)`` pairs from the document splitter —
    each document is read on its own and the fields are merged by authority; ``text``
    is then only used when no document is given.
    """
    pairs = [(kind, body) for kind, body in (documents or []) if body and body.strip()]
    if not pairs:
        return extract_document(text)._.case
    return merge_cases([(kind, extract_document(body)._.case) for kind, body in pairs])


def _annotate(ref: DocumentRef, text: str, case: Case | None, roles: dict[str, str]) -> DocumentRef:
    """A document's own date, the evidence kinds it provides and the people it identifies
    (as it writes them), for the review rules that compare documents."""
    mentions = [
        PersonMention(
            name=p.name, role=p.role, birth_date=p.birth_date,
            id_number_masked=p.id_number_masked, id_number_sha256=p.id_number_sha256,
        )
        for p in (case.persons if case else [])
        if p.birth_date or p.id_number_sha256
    ]
    for m in person_mentions(text, roles):
        if not any(o.name == m.name for o in mentions):
            mentions.append(m)
    return ref.model_copy(
        update={
            "date": document_date(text),
            "evidence": evidence_kinds(ref.type, ref.title, text),
            "persons": mentions,
            "elements": document_elements(ref.type, text),
        }
    )


def build_case_card(
    dossier_id: str,
    text: str,
    documents: list[DocumentRef],
    document_texts: Sequence[str] | None = None,
) -> CaseCard:
    """The case card of one dossier. ``document_texts[i]`` is the text of
    ``documents[i]`` when the splitter provides it; without it the whole text is read
    as one document. Each document ref comes back with its date, evidence kinds and the
    people it names (``DocumentRef.date``/``evidence``/``persons``)."""
    if document_texts is None:
        return CaseCard(dossier_id=dossier_id, case=extract_case(text), documents=documents)
    if len(document_texts) != len(documents):
        raise ValueError("document_texts must match documents one to one")
    cases: list[Case | None] = [
        extract_document(t)._.case if t and t.strip() else None for t in document_texts
    ]
    parts = [(d.type, c) for d, c in zip(documents, cases, strict=True) if c is not None]
    case = merge_cases(parts) if parts else extract_document(text)._.case
    roles = {p.name: p.role for p in case.persons}
    annotated = [
        _annotate(d, t or "", c, roles)
        for d, t, c in zip(documents, document_texts, cases, strict=True)
    ]
    return CaseCard(dossier_id=dossier_id, case=case, documents=annotated)

"""The 检察建议书: its content from a group of leads, rendered to .docx and .txt.

:func:`draft_context` writes everything the document says about the cases (it is
stored with the draft); :func:`issue_context` adds what issuing decides (number,
date, reply due). Both templates (``templates/recommendation.docx`` for docxtpl,
``templates/recommendation.txt.j2`` for plain text) render the same context.

Sections: 问题来源, 查明的事实 (every case by number, the first ten in the body and
all in the attached list), 原因分析 (the category's recurring cause), 法律依据 (the
laws the model applies, then the provisions that empower the recommendation),
检察建议 (numbered), 回复要求 (two months from receipt), then the procuratorate,
the date in Chinese and the seal's place.

No ID numbers, no names: a case is cited by its case number (or, without one, the
agency's record id), its facts re-rendered from the model's template with the
person as 某某, and anything ID-number-shaped, raw or masked, removed as well.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cn2an
import jinja2

from dossier.settings import Settings, get_settings
from tasks.recommendations.categories import Category, category_for
from tasks.recommendations.dates import chinese_date
from tasks.recommendations.legal_basis import regulation_article, reply_months, statutes

TEMPLATES = Path(__file__).resolve().parent / "templates"
DOCX_TEMPLATE = TEMPLATES / "recommendation.docx"
TEXT_TEMPLATE = TEMPLATES / "recommendation.txt.j2"
BODY_CASES = 10
PROCURATORATE_RULES = "人民检察院"
PERSON = "某某"

# An ID number, whole or masked (310104********123X, 310104***********X).
_ID_SHAPED = re.compile(r"(?<![0-9])[1-9]\d{5}[\d*]{8,11}[\dXx*](?![0-9Xx])")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
# How an evidence record is cited when its lead has no case number.
RECORD_LABELS = {
    "admin_penalties": "行政处罚", "police_cases": "受案登记", "measures": "强制措施",
    "judgments": "判决", "non_prosecutions": "不起诉决定", "licence_revocations": "吊销驾驶证",
    "corrections": "社区矫正", "prison": "服刑记录", "pensions": "养老金发放",
    "fine_enforcement": "罚金执行", "people": "人员登记", "card": "卷宗",
}
# What a model read, as the 问题来源 names it (tables of schemas/feeds_tables, leads_tables).
SOURCE_LABELS = {
    "feed_admin_penalties": "行政处罚", "feed_police_cases": "公安机关受案立案",
    "feed_measures": "刑事强制措施", "feed_judgments": "刑事判决",
    "feed_non_prosecutions": "不起诉决定", "feed_licence_revocations": "吊销机动车驾驶证",
    "feed_corrections": "社区矫正", "feed_prison": "监狱收监释放",
    "feed_pensions": "养老金发放", "feed_fine_enforcement": "罚金刑执行",
    "feed_people": "人员信息", "supervision_card_sentences": "案件卷宗",
    "supervision_card_statutes": "案件卷宗",
}


@dataclass(frozen=True)
class CitedLead:
    """What the document needs of a lead."""

    id: int
    version: int
    model_id: str
    case_no: str | None
    records: tuple[str, ...]
    explanation: str
    facts: dict[str, Any]
    as_of: dt.date


def scrub_ids(text: str) -> str:
    return _ID_SHAPED.sub(PERSON, text)


def case_ref(lead: CitedLead) -> str:
    if lead.case_no:
        return scrub_ids(lead.case_no)
    cited = []
    for record in lead.records:
        feed, _, record_id = record.partition(":")
        cited.append(f"{RECORD_LABELS.get(feed, feed)}{record_id}")
    return scrub_ids("、".join(cited)) or f"线索{lead.id}"


def chinese_dates(text: str) -> str:
    """2025-04-10 → 2025年4月10日, as a document writes a date in running text."""
    return _ISO_DATE.sub(lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", text)


def case_fact(lead: CitedLead) -> str:
    """The model's explanation again, with the person as 某某 (or the stored one, scrubbed)."""
    from tasks.supervision.findings import explain
    from tasks.supervision.registry import all_models

    model = all_models().get(lead.model_id)
    if model is None or not lead.facts:
        return chinese_dates(scrub_ids(lead.explanation))
    context = {**model.extra, "as_of": lead.as_of.isoformat(), **lead.facts,
               "person_masked": PERSON}
    return chinese_dates(scrub_ids(explain(model.explanation_zh, context)))


def _model(model_id: str):
    from tasks.supervision.registry import all_models

    return all_models().get(model_id)


def _cn(n: int) -> str:
    return cn2an.an2cn(n)


def _count_cn(n: int) -> str:
    """A count before a measure word: 两个月, not 二个月."""
    return "两" if n == 2 else _cn(n)


def _join(items: Sequence[str]) -> str:
    return "、".join(dict.fromkeys(items))


def draft_context(recipient: str, model_id: str, leads: Sequence[CitedLead],
                  settings: Settings | None = None) -> dict[str, Any]:
    """All the document says that does not depend on issuing (JSON-serialisable)."""
    settings = settings or get_settings()
    category: Category = category_for(model_id)
    model = _model(model_id)
    model_name = model.name_zh if model else model_id
    problem = category.problem.format(model_name=model_name, count=len(leads))
    ordered = sorted(leads, key=lambda lead: (case_ref(lead), lead.id))
    cases = [{"index": i, "index_cn": _cn(i), "ref": case_ref(lead), "fact": case_fact(lead),
              "lead_id": lead.id, "lead_version": lead.version}
             for i, lead in enumerate(ordered, start=1)]
    first, last = min(lead.as_of for lead in leads), max(lead.as_of for lead in leads)
    period = (f"{chinese_date(first)}" if first == last
              else f"{chinese_date(first)}至{chinese_date(last)}")
    reads = _join([SOURCE_LABELS.get(t, t) for t in (model.reads if model else ())]) \
        or "相关执法司法"
    basis = list(model.legal_basis) if model else []
    # A procuratorate's own rules (人民检察院…) empower the recommendation; the rest are
    # what the recipient did not apply.
    own = [str(b) for b in basis if b.law.startswith(PROCURATORATE_RULES)]
    violated = [str(b) for b in basis if not b.law.startswith(PROCURATORATE_RULES)]
    empowering = [statutes()[key].citation for key in category.statutes] + own
    empowering.append(regulation_article(category.regulation_article).citation)
    basis_text = (
        (f"上述情形不符合{_join(violated)}的规定。" if violated else "")
        + f"根据{_join(empowering)}的规定，本院向你单位提出如下检察建议："
    )
    months = reply_months()
    body_cases = cases[:BODY_CASES]
    more = len(cases) - len(body_cases)
    return {
        "procuratorate": settings.procuratorate_name,
        "recipient": recipient,
        "kind": category.kind,
        "model_id": model_id,
        "model_name": model_name,
        "title": f"关于{problem}问题的{category.kind}",
        "problem": problem,
        "opening": (f"本院在履行法律监督职责中，发现你单位在执法司法活动中存在{problem}的问题。"
                    f"现根据有关法律规定，向你单位提出{category.kind.removesuffix('检察建议')}"
                    "检察建议。"),
        "source": (f"本院于{period}运用“{model_name}”大数据法律监督模型，对{reads}等数据进行"
                   f"筛查比对，发现监督线索{len(cases)}条，经检察人员逐条审查确认，"
                   "属于同一类型、反复发生的问题。"),
        "facts_intro": f"经审查，下列{len(cases)}件案件存在{problem}的情形：",
        "body_cases": body_cases,
        "more_cases": f"其余{more}件案件详见附件案件清单。" if more else "",
        "cases": cases,
        "case_count": len(cases),
        "cause": category.cause.format(count=len(cases), model_name=model_name),
        "basis_violated": violated,
        "basis_empowering": empowering,
        "basis_text": basis_text,
        "suggestions": [{"index": i, "index_cn": _cn(i), "text": text}
                        for i, text in enumerate(category.suggestions, start=1)],
        "reply_months": months,
        "reply_text": (f"请你单位自收到本检察建议书之日起{_count_cn(months)}个月以内作出相应处理，"
                       "并将处理情况书面回复本院。"),
    }


def issue_context(draft: dict[str, Any], number: str, issued: dt.date,
                  reply_due: dt.date) -> dict[str, Any]:
    return {**draft, "number": number, "issued_date": issued.isoformat(),
            "date_cn": chinese_date(issued), "reply_due_date": reply_due.isoformat()}


@lru_cache(maxsize=1)
def _text_template() -> jinja2.Template:
    environment = jinja2.Environment(autoescape=False, keep_trailing_newline=True,
                                     undefined=jinja2.StrictUndefined)
    return environment.from_string(TEXT_TEMPLATE.read_text(encoding="utf-8"))


def render_text(context: dict[str, Any]) -> str:
    return scrub_ids(_text_template().render(**context))


def render_docx(context: dict[str, Any]) -> bytes:
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(DOCX_TEMPLATE))
    template.render(context, autoescape=True)
    issued = dt.date.fromisoformat(context["issued_date"])
    moment = dt.datetime(issued.year, issued.month, issued.day, tzinfo=dt.UTC)
    properties = template.docx.core_properties
    properties.title = f"检察建议书 {context['number']}"
    properties.author = context["procuratorate"]
    properties.last_modified_by = context["procuratorate"]
    properties.created = properties.modified = moment
    properties.comments = ""
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()

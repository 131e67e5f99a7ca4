"""Render a draft from its template: text and a .docx (python-docx).

``draft(card, kind, report)`` returns a :class:`Draft` holding the title block, the
sections with their paragraphs, and every value filled with its source; ``to_text`` and
``write_docx`` lay it out. A placeholder without a value prints 【待补充：label】.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from schemas.case_card import CaseCard
from schemas.review import ReviewReport
from tasks.drafts.values import Value, case_values, list_values

TEMPLATES = Path(__file__).resolve().parent / "templates" / "drafts.yaml"
KINDS = ("审查报告", "起诉书", "量刑建议书")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
PENDING = "【待补充：{}】"

__all__ = ["KINDS", "PENDING", "Draft", "Filled", "draft", "to_text", "write_docx"]


@dataclass(frozen=True)
class Filled:
    placeholder: str
    text: str
    sources: tuple[str, ...]


@dataclass
class Draft:
    kind: str
    title: list[str]
    sections: list[tuple[str, list[str]]]
    filled: list[Filled] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def templates() -> dict:
    return yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))


def _fill(text: str, values: dict[str, Value | None], out: Draft) -> str:
    labels = templates()["labels"]

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        value = values.get(name)
        if value is None or not value.text:
            label = labels.get(name, name)
            out.pending.append(label)
            return PENDING.format(label)
        if value.sources:
            out.filled.append(Filled(name, value.text, value.sources))
        return value.text

    return _PLACEHOLDER.sub(one, text)


def draft(card: CaseCard, kind: str, report: ReviewReport | None = None) -> Draft:
    if kind not in KINDS:
        raise ValueError(f"unknown draft kind {kind!r}; one of {', '.join(KINDS)}")
    template = templates()[kind]
    values = case_values(card, report)
    out = Draft(kind=kind, title=[], sections=[])
    out.title = [_fill(line, values, out) for line in template["title"]]
    for section in template["sections"]:
        paragraphs = []
        for paragraph in section["paragraphs"]:
            each = paragraph.get("each")
            if each:
                for item in list_values(card, report, each):
                    paragraphs.append(_fill(paragraph["text"], {**values, **item}, out))
            else:
                paragraphs.append(_fill(paragraph["text"], values, out))
        out.sections.append((section["heading"], paragraphs))
    return out


def to_text(d: Draft) -> str:
    lines = [*d.title, ""]
    for heading, paragraphs in d.sections:
        lines.append(heading)
        lines += [f"    {p}" for p in paragraphs]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_docx(d: Draft, path: Path) -> Path:
    """The draft as a Word document: centred title block, headed sections."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")  # type: ignore[union-attr]
    for i, line in enumerate(d.title):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER if i < 2 else WD_ALIGN_PARAGRAPH.RIGHT
        run = para.add_run(line)
        run.bold = i < 2
        run.font.size = Pt(18 if i == 1 else 14)
    for heading, paragraphs in d.sections:
        doc.add_heading(heading, level=2)
        for text in paragraphs:
            doc.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path

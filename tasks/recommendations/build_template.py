"""Builds ``templates/recommendation.docx``, the docxtpl template of the 检察建议书.

The committed .docx is the template the pipeline renders; this script is how it was
made and how to make it again (``python -m tasks.recommendations.build_template``).
An office may instead edit the .docx in Word (letterhead, fonts, spacing) as long as
the Jinja tags stay: docxtpl fills them from the same context as the plain-text
template ``templates/recommendation.txt.j2``.

Layout after GB/T 9704 (党政机关公文格式), as far as python-docx reaches: A4, margins
37/35/28/26 mm, title in 方正小标宋简体 二号 (22 pt), body in 仿宋_GB2312 三号 (16 pt)
on a fixed 28 pt line, section headings in 黑体, the issuing procuratorate, date and
seal place at the right, the list of cases as an attachment table.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TEMPLATE = Path(__file__).resolve().parent / "templates" / "recommendation.docx"

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"


def _style(document, name: str, font: str, size: float, *, bold: bool = False,
           align=None, indent_chars: float = 0.0, line_pt: float = 28):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.name = font
    style.font.size = Pt(size)
    style.font.bold = bold
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    fmt = style.paragraph_format
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if align is not None:
        fmt.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    return style


def build(path: Path = TEMPLATE) -> Path:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    title = _style(document, "RecTitle", TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER,
                   line_pt=36)
    number = _style(document, "RecNumber", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    plain = _style(document, "RecPlain", BODY_FONT, 16)
    body = _style(document, "RecBody", BODY_FONT, 16, indent_chars=2,
                  align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    heading = _style(document, "RecHeading", HEADING_FONT, 16, indent_chars=2)
    right = _style(document, "RecRight", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    small = _style(document, "RecTable", BODY_FONT, 12, line_pt=18)

    def para(text: str, style) -> None:
        document.add_paragraph(text, style=style)

    para("{{ procuratorate }}", title)
    para("检察建议书", title)
    para("{{ number }}", number)
    para("", plain)
    para("{{ recipient }}：", plain)
    para("{{ opening }}", body)
    para("一、问题来源", heading)
    para("{{ source }}", body)
    para("二、查明的事实", heading)
    para("{{ facts_intro }}", body)
    para("{%p for case in body_cases %}", body)
    para("（{{ case.index_cn }}）{{ case.ref }}：{{ case.fact }}", body)
    para("{%p endfor %}", body)
    para("{%p if more_cases %}", body)
    para("{{ more_cases }}", body)
    para("{%p endif %}", body)
    para("三、原因分析", heading)
    para("{{ cause }}", body)
    para("四、法律依据", heading)
    para("{{ basis_text }}", body)
    para("五、检察建议", heading)
    para("{%p for item in suggestions %}", body)
    para("（{{ item.index_cn }}）{{ item.text }}", body)
    para("{%p endfor %}", body)
    para("六、回复要求", heading)
    para("{{ reply_text }}", body)
    para("", plain)
    para("{{ procuratorate }}", right)
    para("{{ date_cn }}", right)
    para("（院印）", right)

    document.add_paragraph(style=plain).add_run().add_break(WD_BREAK.PAGE)
    para("附件：案件清单（共{{ case_count }}件）", heading)
    table = document.add_table(rows=4, cols=3)
    table.style = document.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, ("序号", "案号或记录", "查明的事实"), strict=True):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = small
    table.rows[1].cells[0].paragraphs[0].text = "{%tr for case in cases %}"
    for cell, text in zip(table.rows[2].cells,
                          ("{{ case.index }}", "{{ case.ref }}", "{{ case.fact }}"), strict=True):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = small
    table.rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"
    for row in table.rows:
        row.cells[0].width, row.cells[1].width, row.cells[2].width = Mm(14), Mm(50), Mm(92)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(f"wrote {build()}")

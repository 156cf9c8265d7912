"""The draft report as a Word document in the usual 公文 layout (python-docx).

A4, margins 3.7/3.5/2.8/2.6 cm; the title in 方正小标宋简体 二号 (22 pt) centred; headings in 黑体
三号 (16 pt); the body in 仿宋_GB2312 三号 with a first-line indent of two characters and a fixed
line spacing of 28 pt; page numbers centred in the footer (— 1 —). Fonts are named for East
Asian text as offices expect; where one is not installed, Word, WPS and LibreOffice substitute
their own (the fallbacks named here are the common system fonts: 宋体, 黑体, 仿宋). A placeholder
(【请补充：…】) is highlighted so that it is not missed.
"""

from __future__ import annotations

import io
import re

from scheduler.reports.summary import Draft

TITLE_FONT, HEADING_FONT, BODY_FONT, SUB_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312", "楷体_GB2312"
FALLBACK = {TITLE_FONT: "宋体", HEADING_FONT: "黑体", BODY_FONT: "仿宋", SUB_FONT: "楷体"}
PLACEHOLDER = re.compile(r"(【[^】]*】)")


def _font(run: object, name: str, size: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run.font  # type: ignore[attr-defined]
    font.name, font.size, font.bold = name, Pt(size), bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    fonts.set(qn("w:eastAsia"), name)  # what Chinese text is set in
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def _page_number(paragraph: object) -> None:
    """A centred "— N —" whose N is Word's PAGE field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(text: str) -> None:
        _font(paragraph.add_run(text), BODY_FONT, 14)  # type: ignore[attr-defined]

    run("— ")
    field_run = paragraph.add_run()  # type: ignore[attr-defined]
    _font(field_run, BODY_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        field_run._element.append(element)
    run(" —")


def _body(document: object, text: str, *, indent: bool = True) -> None:
    from docx.enum.text import WD_COLOR_INDEX, WD_LINE_SPACING
    from docx.shared import Pt

    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    layout = paragraph.paragraph_format
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    layout.space_before = layout.space_after = Pt(0)
    if indent:
        layout.first_line_indent = Pt(32)  # two characters of 16 pt
    for part in PLACEHOLDER.split(text):
        if not part:
            continue
        run = paragraph.add_run(part)
        _font(run, BODY_FONT, 16)
        if PLACEHOLDER.fullmatch(part):
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def docx_bytes(draft: Draft) -> bytes:
    """The draft as a .docx document."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(28)
    _font(title.add_run(draft.title), TITLE_FONT, 22)
    for heading, paragraphs in draft.sections:
        if heading:
            head = document.add_heading(level=1)
            head.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            head.paragraph_format.line_spacing = Pt(28)
            head.paragraph_format.first_line_indent = Pt(32)
            head.paragraph_format.space_before = head.paragraph_format.space_after = Pt(0)
            run = head.add_run(heading)
            _font(run, HEADING_FONT, 16)
            run.font.color.rgb = RGBColor(0, 0, 0)  # not the heading style's theme colour
        for text in paragraphs:
            _body(document, text)
    document.core_properties.title = draft.title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

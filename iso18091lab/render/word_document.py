"""The parts of a Word document laid out as a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP,
Appendix I), with python-docx: page set-up, fonts and proofing language, page numbers, the document head,
portrait and landscape sections, tables and figures with their captions.
"""
from __future__ import annotations

import re
from pathlib import Path

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.run import Run
import pandas as pd

from iso18091lab.i18n import TEXT, value_label
from iso18091lab.render.notebook import display_frame
from iso18091lab.render.pack_content import _label
from iso18091lab.render.page_layout import (FIGURE_DPI, FIGURE_MIN_PT, FIGURE_TEXT_PT, MARGINS_MM, PAGE_MM, TABLE_PT,
                                            figure_width_mm, readable_header, said_once, table_layout, text_width_mm)


MAX_TABLE_ROWS = 15
FONT = "Times New Roman"
BODY_PT = 13
TABLE_STYLE = "Table Text"


def _set_fonts(element, name: str) -> None:
    """Times New Roman for every script (ascii, hAnsi, eastAsia, cs), theme fonts removed."""
    rpr = element.get_or_add_rPr() if hasattr(element, "get_or_add_rPr") else element
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]


def _set_language(rpr, code: str) -> None:
    """The proofing language of a run-properties element (``w:lang``): Word spell-checks the text in it."""
    element = rpr.find(qn("w:lang"))
    if element is None:
        element = OxmlElement("w:lang")
        rpr.append(element)
    for attr in ("w:val", "w:eastAsia"):
        element.set(qn(attr), code)


#: Word's language code for each report language.
WORD_LANGUAGE = {"vi": "vi-VN", "en": "en-GB"}


def _setup_document(doc, lang: str = "vi") -> None:
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.header_distance = section.footer_distance = Mm(10)
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_field(paragraph)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _set_fonts(rpr, FONT)
            _set_language(rpr, WORD_LANGUAGE[lang])
    for style in doc.styles:
        if getattr(style, "font", None) is None or style.type != 1:  # paragraph styles
            continue
        style.font.name = FONT
        _set_fonts(style.element, FONT)
    cells = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)  # the text of every table cell
    cells.base_style = doc.styles["Normal"]
    cells.font.name, cells.font.size = FONT, Pt(TABLE_PT)
    _set_fonts(cells.element, FONT)
    cells.paragraph_format.space_after = Pt(0)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Title", 14), ("Heading 1", 14), ("Heading 2", 13), ("Heading 3", 13)):
        style = doc.styles[name]
        style.font.size, style.font.bold = Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(12), Pt(6)
    doc.styles["List Bullet"].font.size = Pt(BODY_PT)
    for style in doc.styles.element.findall(qn("w:style")):  # every style says the language (no en-US left)
        rpr = style.find(qn("w:rPr"))
        if rpr is None:  # in schema order: before the table properties of a table style
            rpr = OxmlElement("w:rPr")
            later = [style.find(qn(tag)) for tag in ("w:tblPr", "w:trPr", "w:tcPr", "w:tblStylePr")]
            later = [e for e in later if e is not None]
            if later:
                later[0].addprevious(rpr)
            else:
                style.append(rpr)
        _set_language(rpr, WORD_LANGUAGE[lang])


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _add_figure(doc, png: Path, caption: tuple[str, str], min_font_pt: float | None) -> None:
    """The figure sized by :func:`figure_width_mm` — on a landscape page of its own when its text would print
    below 9 pt on a portrait page but not on a landscape one — centred, kept with its caption below."""
    from docx.image.image import Image as DocxImage

    image = DocxImage.from_file(str(png))
    px_w, px_h = image.px_width, image.px_height
    portrait = figure_width_mm(px_w, px_h, min_font_pt)
    smallest = min_font_pt or FIGURE_TEXT_PT
    printed = lambda w: smallest * w / (px_w / FIGURE_DPI * 25.4)  # noqa: E731
    # landscape when the text would print clearly below 9 pt on a portrait page and larger on a landscape one
    landscape = printed(portrait) < FIGURE_MIN_PT - 0.5 and printed(figure_width_mm(px_w, px_h, min_font_pt, True)) > \
        printed(portrait) + 0.5
    _orient(doc, landscape)
    doc.add_picture(str(png), width=Mm(figure_width_mm(px_w, px_h, min_font_pt, landscape)))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(caption[0]).bold = True
    paragraph.add_run(caption[1]).italic = True


def _document_head(doc, document: dict, lang: str) -> None:
    """The head of an administrative document (Nghị định 30/2020/NĐ-CP): the issuing body in capitals with the
    document number under it on the left, the national name and motto on the right, in a table without borders;
    only the parts the Department chose."""
    if not (document.get("issuer") or document.get("number") or document.get("motto")):
        return
    table = doc.add_table(rows=1, cols=2)
    _fixed_widths(table, [68.0, text_width_mm() - 68.0])
    left, right = table.rows[0].cells
    lines_left = []
    if document.get("issuer"):
        lines_left.append((str(document["issuer"]).upper(), True, False))
    if document.get("number"):
        lines_left.append((_label("doc_number", lang, number=document["number"]), False, False))
    lines_right = [(_label("nation", lang), True, False), (_label("motto", lang), True, True)] \
        if document.get("motto") else []
    for cell, lines in ((left, lines_left), (right, lines_right)):
        for k, (text, bold, underline) in enumerate(lines):
            paragraph = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(text)
            run.bold, run.underline, run.font.size = bold, underline, Pt(BODY_PT - 1 if k == 0 else BODY_PT)
            run.font.name = FONT
    doc.add_paragraph()


#: "(mục 3)" / "(section 3)": a reference to a section of an HTML report, which the pack does not have.
_PAGE_SECTION = re.compile(r" \((?:" + "|".join(re.escape(TEXT["section_word"][k]) for k in ("vi", "en"))
                           + r") \d+\)")


def _plain(text: str) -> str:
    """A report sentence for the pack: no Markdown code marks, no references to the HTML pages' sections."""
    return _PAGE_SECTION.sub("", text.replace("`", ""))


def _docx_table(doc, frame: pd.DataFrame, lang: str, caption: tuple[str, str] | None = None) -> None:
    """The table as the report shows it, laid out for A4: the caption kept with it, column widths from the
    content (codes and numbers narrow, names wide), numbers right-aligned, the header row repeated on each page,
    rows never split across pages, a text repeated in every row (a method) said once under the table, and a
    table too wide for a portrait page on a landscape page of its own (:func:`table_layout`). The rows are made
    in one go and filled through the XML elements: python-docx's ``add_row`` and ``cell.text`` re-walk the
    table per cell."""
    from iso18091lab.render.excel import column_kind

    head = frame.head(MAX_TABLE_ROWS)
    kept, notes = said_once(head)
    shown = display_frame(kept, lang)
    numeric = [column_kind(name, kept.iloc[:, j]) != "text" for j, name in enumerate(kept.columns)]
    landscape, pt, widths = table_layout(shown, numeric)
    _orient(doc, landscape)
    if caption is not None:
        paragraph = doc.add_paragraph()
        paragraph.add_run(caption[0]).bold = True
        paragraph.add_run(caption[1])
        paragraph.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=len(shown) + 1, cols=len(shown.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_widths(table, widths)
    rows = table._tbl.tr_lst
    values = [[str(c) for c in shown.columns]] + [[str(v) for v in row] for row in shown.itertuples(index=False)]
    for r, (tr, texts) in enumerate(zip(rows, values)):
        no_split = OxmlElement("w:cantSplit")
        tr.get_or_add_trPr().append(no_split)
        for tc, text, right in zip(tr.tc_lst, texts, numeric):
            paragraph = tc.p_lst[0]
            paragraph.add_r().text = text
            if right:
                paragraph.get_or_add_pPr().jc_val = WD_ALIGN_PARAGRAPH.RIGHT
    for run in rows[0].iter(qn("w:r")):
        Run(run, None).bold = True
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    rows[0].get_or_add_trPr().append(repeat)
    _table_font(table, pt)
    for header, text in notes:
        note = doc.add_paragraph()
        note.add_run(f"{readable_header(header, lang)}: ").italic = True
        note.add_run(_plain(str(value_label(text, lang))))
    if len(frame) > MAX_TABLE_ROWS:
        doc.add_paragraph(_label("more_rows", lang, n=len(frame) - MAX_TABLE_ROWS))


def _orient(doc, landscape: bool) -> None:
    """Continue on a page of the given orientation: a new section (new page) only when the current one differs
    (landscape tables and figures in a row share their pages)."""
    if (doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE) != landscape:
        _new_section(doc, landscape)


def _new_section(doc, landscape: bool) -> None:
    """A new page in the given orientation, with the margins of Nghị định 30 and the page number at the top."""
    from docx.enum.section import WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (PAGE_MM[1], PAGE_MM[0]) if landscape else PAGE_MM
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.different_first_page_header_footer = False  # the page number on every page of this section


def _fixed_widths(table, widths_mm: list[float]) -> None:
    """Fixed layout with the given column widths on the grid and on every cell (Word and LibreOffice read the
    grid, some versions the cells), and the table as wide as their sum."""
    from docx.shared import Emu

    tbl = table._tbl
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl.tblPr.append(layout)
    twips = [int(round(w / 25.4 * 1440)) for w in widths_mm]
    tbl_w = tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl.tblPr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(twips)))
    for col, w in zip(tbl.tblGrid.gridCol_lst, twips):
        col.w = Emu(w * 635)
    for tr in tbl.tr_lst:
        for tc, w in zip(tr.tc_lst, twips):
            tc.width = Emu(w * 635)


def _table_font(table, pt: float = TABLE_PT) -> None:
    """Every cell paragraph in the table-text style (one attribute per paragraph: fast on long tables); a
    smaller size on the runs of a table that needs it to fit the page."""
    style_id = table.part.document.styles[TABLE_STYLE].style_id
    for paragraph in table._tbl.iter(qn("w:p")):
        paragraph.style = style_id
    if pt != TABLE_PT:
        for run in table._tbl.iter(qn("w:r")):
            Run(run, None).font.size = Pt(pt)

"""The Excel workbooks a body or a Department fills in (``iso18091lab template``).

``--kind sheet`` (:func:`write_template`): the long scoring sheet described below; ``--kind form``
(:func:`write_form`): a per-body form (labelled cells above one row per indicator, a self and a council column);
``--kind units`` (:func:`write_units_template`): the units table (group, pilot start, start round).

Sheets: "Hướng dẫn" (instructions in Vietnamese and English), "Chấm điểm" (one row per indicator
of the catalog, with drop-down lists for the rater and the traffic light and validation of score
ranges), "Danh mục chỉ số" (the catalog). Every word is a row of the text table (``tpl_*``, and ``hdr.*`` for the
column headers ingest also proposes in its fixes); the workbooks are written in Vietnamese, the language they
are filled in, and headers and drop-down words must stay spellings ingest recognises. Ingest reads the filled workbook back unchanged: the
scoring sheet is recognised from its headers, the other two are reported as skipped.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from iso18091lab.catalog import load_catalog
from iso18091lab.i18n import t
from iso18091lab.intake.clean import LEVELS

#: Headers of the scoring sheet (text-table keys; ``hdr.*`` are the headers ingest proposes in its fixes too).
TEMPLATE_HEADERS = ["hdr.province", "tpl_label_unit", "hdr.code", "hdr.year", "hdr.round", "hdr.rater", "hdr.rater_id",
                    "hdr.indicator", "tpl_col_indicator_name", "hdr.score", "hdr.rating", "tpl_col_notes"]
#: Drop-down lists (text-table keys; each word must stay a spelling ingest recognises).
RATER_CHOICES = ["self", "council"]
RATING_CHOICES = ["green", "yellow", "red", "na"]
#: The instructions of the scoring sheet: a title, then one line per numbered step, in both languages.
INSTRUCTIONS = ["tpl_title", "tpl_sheet_1", "tpl_sheet_2", "tpl_sheet_3", "tpl_sheet_4", "tpl_sheet_5", "tpl_sheet_6"]


def _words(keys: list[str]) -> list[str]:
    """The Vietnamese text of each key: the workbooks are filled in in Vietnamese and read back by ingest."""
    return [t(key, "vi") for key in keys]


def _new_workbook(path, catalog) -> tuple[Path, pd.DataFrame, "xlsxwriter.Workbook"]:
    """The output path (its folder made), the catalog (loaded unless given as a frame) and a new workbook."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(catalog, pd.DataFrame):
        catalog = load_catalog(catalog)
    return path, catalog, xlsxwriter.Workbook(str(path))


def write_template(path: str | Path, catalog: pd.DataFrame | str | Path | None = None, province: str = "",
                   unit: str = "", year: int | str = "", rater: str = "") -> Path:
    """Write a scoring workbook for one body (fields left blank are filled in by hand)."""
    path, catalog, book = _new_workbook(path, catalog)
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    locked = book.add_format({"num_format": "@", "font_color": "#555555"})

    _guide(book, title, INSTRUCTIONS)

    sheet = book.add_worksheet(t("tpl_sheet_scores", "vi"))
    sheet.write_string(0, 0, t("tpl_scores_title", "vi"), title)
    for c, header in enumerate(_words(TEMPLATE_HEADERS)):
        sheet.write_string(2, c, header, head)
    widths = [16, 28, 11, 8, 6, 20, 14, 8, 48, 8, 16, 30]
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width, text if c in (2, 6, 7) else None)
    first, last = 3, 3 + len(catalog) - 1
    for r, row in enumerate(catalog.itertuples(index=False), start=first):
        values = [province, unit, "", year, 1, rater, ""]
        for c, value in enumerate(values):
            if value != "":
                (sheet.write_number if isinstance(value, int) else sheet.write_string)(r, c, value)
        sheet.write_string(r, 7, row.indicator, locked)
        sheet.write_string(r, 8, f"{row.name_vi} / {row.name_en}", locked)
        sheet.data_validation(r, 9, r, 9, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(row.max_score),
            "error_title": t("tpl_bad_score", "vi"), "error_message": t("tpl_score_range", "vi", max=f"{row.max_score:g}")})
    sheet.data_validation(first, 5, last, 5, {"validate": "list", "source": _words(RATER_CHOICES)})
    sheet.data_validation(first, 10, last, 10, {"validate": "list", "source": _words(RATING_CHOICES)})
    sheet.data_validation(first, 3, last, 3, {"validate": "integer", "criteria": "between",
                                              "minimum": 1990, "maximum": 2100})
    sheet.freeze_panes(first, 2)
    _catalog_sheet(book, catalog, head)
    book.close()
    return path


# --------------------------------------------------------------------------- per-body form and units sheet

#: Labelled cells above the form's table, the units table's headers and drop-down lists (text-table keys).
FORM_LABELS = ["hdr.province", "tpl_label_unit", "hdr.code", "hdr.year"]
UNIT_HEADERS = ["hdr.province", "hdr.unit", "hdr.code", "hdr.level", "hdr.group", "hdr.pilot_start",
                "hdr.pilot_start_round", "hdr.aliases"]
GROUP_CHOICES = ["pilot", "tpl_choice_comparison"]
#: Levels offered in the units table: the canonical level names ingest stores (data, not words).
LEVEL_CHOICES = list(LEVELS)


def _guide(book, title_format, keys: list[str]) -> None:
    """The instructions sheet: the title in both languages, then each step in Vietnamese with its English below."""
    guide = book.add_worksheet(t("tpl_sheet_guide", "vi"))
    guide.set_column(0, 0, 130)
    guide.write_string(0, 0, f"{t(keys[0], 'vi')} / {t(keys[0], 'en')}", title_format)
    row = 2
    for key in keys[1:]:
        guide.write_string(row, 0, t(key, "vi"))
        guide.write_string(row + 1, 0, "   " + t(key, "en"))
        row += 2
    guide.write_string(row + 1, 0, t("tpl_working_titles", "vi"))
    guide.write_string(row + 2, 0, "   " + t("tpl_working_titles", "en"))


def write_form(path: str | Path, catalog: pd.DataFrame | str | Path | None = None, province: str = "",
               unit: str = "", code: str = "", year: int | str = "", round_: int = 1, members: int = 0) -> Path:
    """Write a per-body scoring form: labelled cells (province, body, code, year, round) above one row per
    indicator, with a 'Tự đánh giá' and a 'Hội đồng thẩm định' column pair ('Điểm' / 'Mức') and one pair per
    council member (``members``: TV01 …), and a 'Tổng cộng' row. Ingest reads it back as a per-body form
    (:mod:`iso18091lab.intake.layouts`)."""
    path, catalog, book = _new_workbook(path, catalog)
    title = book.add_format({"bold": True, "font_size": 14})
    label = book.add_format({"bold": True, "align": "right"})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center",
                            "valign": "vcenter"})
    text = book.add_format({"num_format": "@"})
    locked = book.add_format({"num_format": "@", "font_color": "#555555"})
    bold = book.add_format({"bold": True})
    _guide(book, title, ["tpl_form_title", "tpl_form_1", "tpl_form_2", "tpl_form_3", "tpl_form_4", "tpl_form_5"])

    sheet = book.add_worksheet(t("tpl_sheet_form", "vi"))
    sheet.write_string(0, 0, t("tpl_form_title", "vi"), title)
    values = [province, unit, code, year]
    for r, (name, value) in enumerate(zip(_words(FORM_LABELS), values), start=2):
        sheet.write_string(r, 0, f"{name}:", label)
        if value != "":
            (sheet.write_number if isinstance(value, int) else sheet.write_string)(r, 1, value, text if r == 4 else
                                                                                    None)
    sheet.write_string(5, 2, f"{t('hdr.round', 'vi')}:", label)
    sheet.write_number(5, 3, int(round_))
    raters = _words(RATER_CHOICES) + [f"TV{k + 1:02d}" for k in range(members)]
    top = 7
    sheet.merge_range(top, 0, top + 1, 0, t("hdr.indicator", "vi"), head)
    sheet.merge_range(top, 1, top + 1, 1, t("tpl_col_indicator_name", "vi"), head)
    for k, rater in enumerate(raters):
        sheet.merge_range(top, 2 + 2 * k, top, 3 + 2 * k, rater, head)
        sheet.write_string(top + 1, 2 + 2 * k, t("hdr.score", "vi"), head)
        sheet.write_string(top + 1, 3 + 2 * k, t("hdr.rating", "vi"), head)
    notes = 2 + 2 * len(raters)
    sheet.merge_range(top, notes, top + 1, notes, t("tpl_col_notes", "vi"), head)
    sheet.set_column(0, 0, 16, text)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, notes - 1, 11)
    sheet.set_column(notes, notes, 30)
    first = top + 2
    for r, row in enumerate(catalog.itertuples(index=False), start=first):
        sheet.write_string(r, 0, row.indicator, locked)
        sheet.write_string(r, 1, f"{row.name_vi} / {row.name_en}", locked)
        for k in range(len(raters)):
            sheet.data_validation(r, 2 + 2 * k, r, 2 + 2 * k, {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(row.max_score),
                "error_title": t("tpl_bad_score", "vi"), "error_message": t("tpl_score_range", "vi", max=f"{row.max_score:g}")})
    last = first + len(catalog) - 1
    for k in range(len(raters)):
        sheet.data_validation(first, 3 + 2 * k, last, 3 + 2 * k, {"validate": "list", "source": _words(RATING_CHOICES)})
        column = xlsxwriter.utility.xl_col_to_name(2 + 2 * k)
        sheet.write_formula(last + 1, 2 + 2 * k, f'=IF(COUNT({column}{first + 1}:{column}{last + 1})=0,"",'
                                                 f'SUM({column}{first + 1}:{column}{last + 1}))', bold, "")
    sheet.write_string(last + 1, 0, t("tpl_total", "vi"), bold)
    sheet.freeze_panes(first, 2)
    _catalog_sheet(book, catalog, head)
    book.close()
    return path


def write_units_template(path: str | Path, province: str = "", rows: int = 100) -> Path:
    """Write a units workbook: one row per body with its group, pilot start and start round (drop-down lists for
    the level and the group); ingest reads it as the units table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    _guide(book, title, ["tpl_units_title", "tpl_units_1", "tpl_units_2", "tpl_units_3", "tpl_units_4"])
    sheet = book.add_worksheet(t("tpl_sheet_units", "vi"))
    sheet.write_string(0, 0, t("tpl_units_title", "vi"), title)
    for c, header in enumerate(_words(UNIT_HEADERS)):
        sheet.write_string(2, c, header, head)
    for c, width in enumerate([16, 30, 11, 11, 11, 12, 12, 40]):
        sheet.set_column(c, c, width, text if c in (2, 7) else None)
    first, last = 3, 3 + rows - 1
    if province:
        for r in range(first, last + 1):
            sheet.write_string(r, 0, province)
    sheet.data_validation(first, 3, last, 3, {"validate": "list", "source": LEVEL_CHOICES})
    sheet.data_validation(first, 4, last, 4, {"validate": "list", "source": _words(GROUP_CHOICES)})
    for column in (5, 6):
        low, high = (1990, 2100) if column == 5 else (1, 1000)
        sheet.data_validation(first, column, last, column, {"validate": "integer", "criteria": "between",
                                                             "minimum": low, "maximum": high})
    sheet.freeze_panes(first, 2)
    book.close()
    return path


def _catalog_sheet(book, catalog: pd.DataFrame, head) -> None:
    listing = book.add_worksheet(t("tpl_sheet_catalog", "vi"))
    columns = ["indicator", "pillar", "pillar_name_vi", "name_vi", "name_en", "max_score"]
    labels = ["hdr.indicator", "pillar", "tpl_col_pillar_name", "col.name_vi", "tpl_col_name_en", "tpl_col_max_score"]
    for c, name in enumerate(_words(labels)):
        listing.write_string(0, c, name, head)
    for r, row in enumerate(catalog[columns].itertuples(index=False), start=1):
        listing.write_string(r, 0, row.indicator)
        listing.write_number(r, 1, int(row.pillar))
        listing.write_string(r, 2, row.pillar_name_vi)
        listing.write_string(r, 3, row.name_vi)
        listing.write_string(r, 4, row.name_en)
        listing.write_number(r, 5, float(row.max_score))

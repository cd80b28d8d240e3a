"""Writing tables people open in Excel: typed cells, Vietnamese display formats, no formula injection.

* Text cells that Excel (or LibreOffice) would run as formulas — starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return — get an apostrophe in front. Only *text* cells: the number -3.5 stays a number.
* Codes stay text ("1.10", "06658"): frames are written as typed (never re-guessed from CSV).
* Numbers are numbers, shown with a display format: whole-number columns (counts, years, ranks) as integers,
  p- and q-values as "< 0,001" below 0.001, other numbers with two decimals. The formats carry the Vietnamese
  locale id (``[$-42A]``); the decimal separator itself is the one of the reader's Excel.
"""
from __future__ import annotations

import pandas as pd

from iso18091lab.storage import safe_for_excel

#: Column names (raw or localised) that hold p- or q-values.
P_COLUMNS = {"p", "q", "p_value", "q_value", "p-value", "q-value"}

FORMATS = {
    "year": "0",
    "integer": "[$-42A]#,##0",
    "decimal": "[$-42A]#,##0.00",
    "p": '[$-42A][<0.001]"< 0,001";0.000',
}
FORMATS_EN = {"year": "0", "integer": "#,##0", "decimal": "#,##0.00", "p": '[<0.001]"< 0.001";0.000'}


def is_whole_column(column: pd.Series) -> bool:
    """True for integer columns and float columns whose values are all whole numbers (counts, years, ranks)."""
    if pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_integer_dtype(column):
        return True
    if not pd.api.types.is_float_dtype(column):
        return False
    values = pd.to_numeric(column, errors="coerce").dropna()
    return len(values) > 0 and bool(((values % 1) == 0).all()) and bool((values.abs() < 1e15).all())


def _year_headers() -> set[str]:
    """Headers of year columns, raw and localised (years print without a thousands separator)."""
    from iso18091lab.i18n import COLUMN_LABELS

    keys = ("year", "baseline_year", "latest_year", "pilot_start")
    return {k for k in keys} | {COLUMN_LABELS[k][lang].lower() for k in keys if k in COLUMN_LABELS for lang in ("vi", "en")}


def column_kind(name, column: pd.Series) -> str:
    """How a column is shown: 'text', 'year' (whole, no thousands separator), 'integer', 'p' or 'decimal'."""
    if not (pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)):
        return "text"
    label = str(name).strip().lower()
    if label in P_COLUMNS:
        return "p"
    if is_whole_column(column):
        return "year" if label in _year_headers() else "integer"
    return "decimal"


def typed_for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole-number float columns become integers (``Int64``); text neutralised; other columns unchanged."""
    out = safe_for_excel(frame)
    for j, name in enumerate(out.columns):
        if column_kind(name, out.iloc[:, j]) in ("integer", "year") and not pd.api.types.is_integer_dtype(out.iloc[:, j]):
            out.isetitem(j, pd.to_numeric(out.iloc[:, j]).round().astype("Int64"))
    return out


def write_excel_sheet(writer: pd.ExcelWriter, frame: pd.DataFrame, sheet_name: str, banner: str = "",
                      lang: str = "vi") -> None:
    """One formatted sheet: an optional banner row, bold wrapped headers, column widths from the content,
    number formats by column kind, the header frozen, and text cells Excel would read as formulas made safe
    (xlsxwriter engine)."""
    header_row = 1 if banner else 0
    typed = typed_for_excel(frame)
    typed.to_excel(writer, sheet_name=sheet_name, index=False, startrow=header_row, inf_rep="∞")
    book, sheet = writer.book, writer.sheets[sheet_name]
    if banner:
        sheet.write_string(0, 0, banner, book.add_format({"bold": True, "font_color": "#9C0006",
                                                          "bg_color": "#FFC7CE"}))
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    codes = FORMATS if lang == "vi" else FORMATS_EN
    formats = {kind: book.add_format({"num_format": code}) for kind, code in codes.items()}
    text_format = book.add_format({"num_format": "@"})
    for j, column in enumerate(typed.columns):
        sheet.write_string(header_row, j, str(column), head)
        width = max([len(str(column))] + [len(str(v)) for v in typed.iloc[:, j].head(200)])
        kind = column_kind(column, typed.iloc[:, j])
        sheet.set_column(j, j, min(max(width + 2, 8), 60), formats.get(kind, text_format))
    sheet.freeze_panes(header_row + 1, 0)

"""Laying tables and figures out on an A4 page with the margins of Nghị định 30/2020/NĐ-CP (Appendix I): column
widths from the content, portrait or landscape, a smaller font when needed, long repeated texts said once
under the table, and the printed width of a figure. Sizes only; no Word document.
"""
from __future__ import annotations

import pandas as pd

from iso18091lab.i18n import COLUMN_LABELS


TABLE_PT = 11


#: Nghị định 30/2020/NĐ-CP, Appendix I: A4; margins top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 17}


#: Width of one character of Times New Roman at 1 pt, in mm (0.55 em: wide letters, diacritics and bold
#: headers included, so that a word measured to fit does fit),
#: and the left + right padding of a cell (Word's default 1.9 mm each side).
CHAR_MM_PER_PT = 0.55 * 25.4 / 72
CELL_PAD_MM = 3.8


#: Longest cell text counted when a column's natural width is measured (longer text wraps).
NATURAL_CHARS = 42


#: A text column whose value is the same in every row and longer than this is said once, under the table.
REPEATED_TEXT_CHARS = 30


def readable_header(header: str, lang: str) -> str:
    """'(1) method' -> '(1) Phương pháp': a note's label with the column's name as readers see it."""
    mark, _, name = header.rpartition(") ")
    shown = COLUMN_LABELS.get(name, {}).get(lang, name) if name else COLUMN_LABELS.get(header, {}).get(lang, header)
    return f"{mark}) {shown}" if mark else shown


def text_width_mm(landscape: bool = False) -> float:
    """Width of the text area of an A4 page with the margins of Nghị định 30 (portrait 163 mm, landscape 247 mm)."""
    page = PAGE_MM[1] if landscape else PAGE_MM[0]
    return page - MARGINS_MM["left"] - MARGINS_MM["right"]


def _chars_mm(chars: int, pt: float) -> float:
    return chars * CHAR_MM_PER_PT * pt + CELL_PAD_MM


def column_widths(shown: pd.DataFrame, numeric: list[bool], width_mm: float, pt: float) -> list[float] | None:
    """Column widths (mm) from the content, summing to at most ``width_mm``: each column at least as wide as its
    longest word (header included: no word is broken, "second/ary"), numbers and codes as wide as their longest
    value, text columns sharing what is left in proportion to their natural width. None when the longest words
    alone do not fit."""
    least, natural = [], []
    for j, header in enumerate(shown.columns):
        cells = [str(v) for v in shown.iloc[:, j]]
        words = [w for text in [str(header)] + cells for w in text.split()] or [""]
        longest_word = max(len(w) for w in words)
        longest_cell = max([len(c) for c in cells] + [0])
        if numeric[j]:  # as wide as the longest value; the header on at most two lines when there is room
            least.append(_chars_mm(max(longest_word, longest_cell), pt))
            natural.append(_chars_mm(max(longest_word, longest_cell, min(len(str(header)) // 2 + 1, 12)), pt))
        else:
            least.append(_chars_mm(longest_word, pt))
            natural.append(_chars_mm(max(longest_word, min(longest_cell, NATURAL_CHARS)), pt))
    if sum(least) > width_mm:
        return None
    if sum(natural) <= width_mm:
        return natural
    spare, wanted = width_mm - sum(least), sum(n - m for n, m in zip(natural, least))
    return [m + spare * (n - m) / wanted for n, m in zip(natural, least)]


def table_layout(shown: pd.DataFrame, numeric: list[bool]) -> tuple[bool, float, list[float]]:
    """(landscape, font size, column widths in mm) for a table: portrait at the table font size when it fits,
    else landscape, else landscape in a smaller font, else landscape with the widths scaled to the page (words
    may then break)."""
    for landscape, pt in ((False, TABLE_PT), (True, TABLE_PT), (True, TABLE_PT - 2)):
        widths = column_widths(shown, numeric, text_width_mm(landscape), pt)
        if widths is not None:
            return landscape, pt, widths
    pt = TABLE_PT - 2
    least = [max(_chars_mm(max([len(w) for t_ in [str(h)] + [str(v) for v in shown.iloc[:, j]] for w in t_.split()]
                                   + [1]), pt), 8.0) for j, h in enumerate(shown.columns)]
    scale = text_width_mm(True) / sum(least)
    return True, pt, [w * scale for w in least]


def said_once(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Long texts repeated down a column — a method description in each row — said once under the table: a
    column with one such value is taken out of the table; a column with a few distinct long values keeps a
    note number, "(1)", in each row. Returns (the table, [(label, text)] to print under it)."""
    if len(frame) < 2:
        return frame, []
    notes, keep, out = [], [], frame.copy()
    for j, name in enumerate(frame.columns):
        column = frame.iloc[:, j]
        if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
            keep.append(j)
            continue
        texts = column.dropna().astype(str)
        values = list(dict.fromkeys(texts))
        long = texts.str.len().max() > REPEATED_TEXT_CHARS if len(texts) else False
        if long and len(values) == 1 and column.notna().all():
            notes.append((str(name), values[0]))
            continue
        if long and len(values) <= max(3, len(frame) // 3) and len(values) < len(texts):
            marks = {v: f"({len(notes) + k + 1})" for k, v in enumerate(values)}
            notes += [(f"{marks[v]} {name}", v) for v in values]
            out.isetitem(j, column.map(lambda v: marks.get(str(v), v) if isinstance(v, str) else v).astype("string"))
        keep.append(j)
    return out.iloc[:, keep], notes


#: Smallest printed text of a figure (pt), and the figure text assumed when results.json does not record it.
FIGURE_MIN_PT = 9.0
FIGURE_TEXT_PT = 7.0
FIGURE_DPI = 150  # plots.use_style: savefig.dpi


def figure_width_mm(px_width: int, px_height: int, min_font_pt: float | None, landscape: bool = False,
                    dpi: float = FIGURE_DPI) -> float:
    """Printed width of a figure: wide enough that its smallest text prints at :data:`FIGURE_MIN_PT` or more
    (its natural width x 9 / smallest font size), at least 160 mm when that fits, at most the text width, and
    not taller than the text area (a grid of a hundred bodies is tall)."""
    natural_mm = px_width / dpi * 25.4
    smallest = min_font_pt or FIGURE_TEXT_PT
    width = max(160.0, natural_mm * FIGURE_MIN_PT / smallest)
    width = min(width, text_width_mm(landscape))
    tallest = (PAGE_MM[0] if landscape else PAGE_MM[1]) - MARGINS_MM["top"] - MARGINS_MM["bottom"] - 25
    return min(width, tallest * px_width / px_height)

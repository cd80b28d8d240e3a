"""Wide layouts: summary matrices and per-body forms, turned into the long rows of an assessments table.

Departments keep three layouts (``docs/data-format.md``): the long table (one row per score, read by
:func:`iso18091lab.intake.reader.recognise_table` itself), and the two read here, recognised from their headers too:

* a **summary matrix** ("Bảng tổng hợp"): one row per body (or per body and rater / wave), one column per
  indicator ("1.1", "Chỉ số 1.1", "CS 1.10"), possibly under a second header row with each pillar's name merged
  over its indicators; cells hold a score or a traffic light. Total columns ("Tổng điểm", "Tổng trụ cột 1",
  "Tổng") are not scores: they are checked against the row's scores (:class:`TotalCheck`).
* a **per-body form**: labelled cells above the table ("Tỉnh/Thành phố: …", "Đơn vị: …", "Mã đơn vị: …",
  "Năm: …", "Đợt: …") and a table of indicator rows with one column per rater ("Tự đánh giá", "Hội đồng thẩm
  định", council members "TV01", "TV02"), for scores and/or traffic lights (a header row "Điểm" / "Mức" under a
  merged rater header, or "Điểm tự đánh giá", "Mức HĐTĐ").

What is not in a column comes from the context: a labelled cell, the sheet's title rows, or the sheet name
("NĂM 2024", "ĐỢT 2", "HỘI ĐỒNG THẨM ĐỊNH", "HĐTĐ", "TỰ ĐÁNH GIÁ", "TĐG", "TỈNH QUẢNG NINH"). Two sources that
disagree, or a required value found nowhere (province, body, year, rater), give a :class:`LayoutError` that says
what is missing and how to add it: never a guess. The round defaults to 1, as in the long layout.

The result is an ordinary :class:`~iso18091lab.intake.reader.FoundTable` of kind ``assessments`` whose rows are the long
rows *before* cleaning (cells as typed), so every cleaning rule, the quarantine and the reconciliation apply
unchanged. Each long row keeps where its value was: the spreadsheet row and, in ``FoundTable.places``, the column
of every canonical column (a title or labelled cell is named by its reference, e.g. "A1").
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field

import numpy as np

from iso18091lab.catalog import normalise_indicator_id
from iso18091lab.intake.clean import Rejected, parse_number, parse_rater, parse_rating
from iso18091lab.intake.headers import HEADER_SEARCH_ROWS, StructuralError, _header_map, canonical_header, column_letter
from iso18091lab.intake.reader import FoundTable, RawSheet, _factorize_cells
from iso18091lab.intake.provinces import province_key, province_table
from iso18091lab.i18n import t
from iso18091lab.normalize import fold, nfc

#: Columns a wide layout takes from a column, a labelled cell, the title or the sheet name.
CONTEXT_COLUMNS = ("province", "unit", "code", "year", "round", "rater", "rater_id", "source")
#: Required context (``unit`` or ``code``); the round defaults to 1.
REQUIRED_CONTEXT = ("province", "unit", "year", "rater")
_ID_IN_HEADER = re.compile(r"^(?:chi so|indicator|cs|ind)?\.?\s*(\d{1,2})\s*[.,]\s*(\d{1,2})(?:[.):]?\s+\S.*|[.)]?)$")
_TOTAL = re.compile(r"^(?:tong|total|cong|sum)\b")
_PILLAR = re.compile(r"\b(?:tru cot|tc|pillar|p)\s*(\d{1,2})\b")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
_YEAR = re.compile(r"\b(?:nam|year)\s*((?:19|20)\d\d)\b")
_BARE_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_ROUND = re.compile(r"\b(?:dot|lan|round|wave)\s*(\d{1,2})\b")
_MEMBER = re.compile(r"^(?:tv|thanh vien|member)\s*0*(\d{1,3})$")
_COUNCIL_WORDS = re.compile(r"\b(?:hoi dong tham dinh|tham dinh|hdtd|hoi dong(?! nhan dan)|council|appraisal)\b")
_SELF_WORDS = re.compile(r"\b(?:tu danh gia|tu cham diem|tu cham|tdg|self assessment|self)\b")
_PROVINCE_WORDS = re.compile(r"\b(?:tinh|thanh pho|tp)\s+([a-z]+(?:\s+[a-z]+){0,2})")
_SCORE_WORDS = re.compile(r"^(?:diem|diem so|diem cham|score|points)\s+")
_RATING_WORDS = re.compile(r"^(?:muc|muc danh gia|den|den tin hieu|xep loai|rating|light)\s+")
_RESULT_WORDS = re.compile(r"^(?:ket qua|ket qua cham|result)\s+")
#: Tolerance of a total check (points).
TOTAL_TOLERANCE = 0.01


@dataclass
class TotalCheck:
    """A total written beside the scores (a matrix column or a form row) and the sum of the scores it covers.

    ``status``: ``ok``, ``mismatch`` (differs by more than :data:`TOTAL_TOLERANCE`), ``not_checked`` (the
    scope holds traffic lights, no points, or the total is not a number)."""

    file: str
    sheet: str
    row: int
    cell: str
    column: str  # the total's header (matrix) or label (form) as written
    pillar: int | None
    total: object  # as typed
    sum_scores: float
    n_scores: int
    status: str
    unit: str = ""
    rater: str = ""
    year: str = ""

    @property
    def difference(self) -> float:
        try:
            return float(parse_number(self.total)) - self.sum_scores
        except Rejected:
            return float("nan")


@dataclass
class LayoutError(StructuralError):
    """A sheet that is a wide layout (matrix or form) but cannot be read: a required value (province, body,
    year, rater) is in no column, labelled cell, title row or sheet name, or two of them disagree. No row of it
    is read; the message says what is missing and how to add it."""

    layout: str = "matrix"
    problems: list = field(default_factory=list)  # (what, detail) pairs: what in REQUIRED_CONTEXT, detail '' or values

    def _message(self, lang: str) -> str:  # message_vi, message_en and the reasons of StructuralError say this
        where = t("layout_where_sheet", lang, file=self.file.as_posix(), sheet=self.sheet) if self.sheet else \
            t("layout_where_file", lang, file=self.file.as_posix())
        parts, fixes = [], []
        for what, detail in self.problems:
            if detail:
                parts.append(t("layout_conflict", lang, what=t(f"layout_what_{what}", lang), values=detail))
                fixes.append(t("layout_fix_conflict", lang, what=t(f"layout_what_{what}", lang)))
            else:
                parts.append(t(f"layout_what_{what}", lang))
                fixes.append(t(f"layout_fix_{self.layout}_{what}", lang))
        return t(f"layout_error_{self.layout}", lang, where=where, rows="+".join(map(str, self.header_rows)),
                 missing="; ".join(parts), fixes="; ".join(fixes), n=self.data_rows)


# --------------------------------------------------------------------------- headers

def indicator_header(cell: object) -> str | None:
    """The indicator id a header cell names ('1.1', 'Chỉ số 1.10', 'CS 4.9', '2.3. Đổi mới'), or None."""
    if cell is None or isinstance(cell, bool) or cell == "":
        return None
    if isinstance(cell, (str, int, float)) and (not isinstance(cell, str) or len(cell) <= 120):
        return _indicator_header_cached(cell)
    return None


@functools.lru_cache(maxsize=65536, typed=True)
def _indicator_header_cached(cell: object) -> str | None:
    if isinstance(cell, (int, float)):
        if float(cell).is_integer():
            return None  # '1' or '2024' is not an indicator id
        return normalise_indicator_id(cell)
    folded = fold(cell)
    if not folded or len(folded) > 120:
        return None
    direct = normalise_indicator_id(cell)
    if direct:
        return direct
    text = nfc(cell).lower()
    from iso18091lab.normalize import strip_diacritics

    match = _ID_IN_HEADER.match(re.sub(r"\s+", " ", strip_diacritics(text)))
    return f"{int(match.group(1))}.{int(match.group(2))}" if match else None


def total_header(cell: object) -> tuple[bool, int | None]:
    """(is a total, its pillar or None for the overall total) for a header or label ('Tổng trụ cột 2')."""
    folded = fold(cell)
    if not folded or not _TOTAL.match(folded):
        return False, None
    pillar = _PILLAR.search(folded)
    if pillar:
        return True, int(pillar.group(1))
    roman = re.search(r"\b(i{1,3}|iv|v|vi)\b$", folded)
    return True, (_ROMAN[roman.group(1)] if roman else None)


def rater_header(cell: object) -> tuple[str, str, str] | None:
    """(rater, rater id, what) for a rater column header: 'Tự đánh giá' -> ('self', '', ''), 'Điểm HĐTĐ' ->
    ('council', '', 'score'), 'Mức TV02' -> ('council', 'TV02', 'rating'); None when it names no rater."""
    folded = fold(cell)
    if not folded:
        return None
    what = ""
    for pattern, kind in ((_SCORE_WORDS, "score"), (_RATING_WORDS, "rating"), (_RESULT_WORDS, "")):
        stripped = pattern.sub("", folded)
        if stripped != folded:
            folded, what = stripped, kind
            break
    folded = re.sub(r"^(?:cua|of)\s+", "", folded)
    member = _MEMBER.match(folded)
    if member:
        return "council", f"TV{int(member.group(1)):02d}", what
    try:
        return parse_rater(folded), "", what
    except Rejected:
        return None


# --------------------------------------------------------------------------- context

@dataclass
class _Context:
    """Values found for the context columns: canonical -> list of (value, where) (where: a cell ref or '')."""

    found: dict = field(default_factory=dict)

    def add(self, column: str, value: object, where: str) -> None:
        if nfc(value):
            self.found.setdefault(column, []).append((value, where))

    def resolve(self, column: str) -> tuple[object, str, str]:
        """(value, where, conflict): the one value found, or a conflict listing the different values."""
        items = self.found.get(column, [])
        if not items:
            return None, "", ""
        keys = {_context_key(column, v) for v, _ in items}
        if len(keys) > 1:
            shown = ", ".join(f"'{nfc(v)}' ({w or _sheet_name_label()})" for v, w in items)
            return None, "", shown
        return items[0][0], items[0][1], ""


def _sheet_name_label() -> str:
    return f"{t('layout_sheet_name', 'vi')} / {t('layout_sheet_name', 'en')}"


def _context_key(column: str, value: object) -> object:
    if column == "province":
        return province_key(value)
    if column == "rater":
        try:
            return parse_rater(nfc(value))
        except Rejected:
            return fold(value)
    if column in ("year", "round"):
        digits = re.findall(r"\d+", nfc(value))
        return int(digits[-1]) if digits else fold(value)
    return fold(value)


def _labelled_cells(rows: list[list[object]], stop: int, context: _Context) -> set[tuple[int, int]]:
    """Read 'Label: value' cells and 'Label' | value pairs in rows[:stop] into ``context``; returns the cells
    used (so the title text search skips them)."""
    used: set[tuple[int, int]] = set()
    for r in range(min(stop, len(rows))):
        row = rows[r]
        for c, cell in enumerate(row):
            if cell is None or cell == "" or (c and cell == row[c - 1]) or (r, c) in used:
                continue  # empty, or a merged cell filled across
            text = nfc(cell)
            if not text:
                continue
            label, sep, rest = text.partition(":")
            canonical = canonical_header(label) if len(label) <= 40 else None
            if canonical not in CONTEXT_COLUMNS:
                continue
            where = f"{column_letter(c)}{r + 1}"
            if sep and rest.strip():
                context.add(canonical, rest.strip(), where)
                used.add((r, c))
                continue
            # the value in the next non-empty cell to the right
            for c2 in range(c + 1, len(row)):
                value = row[c2]
                if nfc(value):
                    if canonical_header(nfc(value).rstrip(":")) is None:
                        context.add(canonical, value, f"{column_letter(c2)}{r + 1}")
                        used.update({(r, c), (r, c2)})
                    break
    return used


def _text_context(text: str, where: str, context: _Context, sheet_name: bool) -> None:
    """Year, round, rater, province written in a title or sheet name ('… HỘI ĐỒNG THẨM ĐỊNH NĂM 2024')."""
    folded = fold(text)
    if not folded:
        return
    years = set(_YEAR.findall(folded))
    if not years and sheet_name:
        years = set(_BARE_YEAR.findall(folded))
    for year in sorted(years):
        context.add("year", year, where)
    for round_ in sorted(set(_ROUND.findall(folded))):
        context.add("round", round_, where)
    council, self_ = bool(_COUNCIL_WORDS.search(folded)), bool(_SELF_WORDS.search(folded))
    if council:
        context.add("rater", "council", where)
    if self_:
        context.add("rater", "self", where)
    keys = province_table().by_key
    for match in _PROVINCE_WORDS.finditer(folded):
        words = match.group(1).split()
        for n in range(len(words), 0, -1):
            key = "".join(words[:n])
            if key in keys:
                context.add("province", min(keys[key]), where)
                break


def _context(sheet: RawSheet, top: int) -> _Context:
    """Everything above the header (labelled cells, then title text) and the sheet name."""
    context = _Context()
    used = _labelled_cells(sheet.rows, top, context)
    for r in range(min(top, len(sheet.rows))):
        for c, cell in enumerate(sheet.rows[r]):
            if (r, c) in used or not isinstance(cell, str):
                continue
            if c and cell == sheet.rows[r][c - 1]:
                continue  # a merged title filled across: read once
            _text_context(cell, f"{column_letter(c)}{r + 1}", context, False)
    if sheet.sheet:
        _text_context(sheet.sheet, "", context, True)
    return context


def _columns(data: list[list[object]], columns: list[int]) -> np.ndarray:
    """The cells of ``columns`` in every row of ``data`` as an object array (rows x columns; None past a row's
    end). Rows of one width (calamine gives a rectangle) are converted in one go."""
    out = np.empty((len(data), len(columns)), dtype=object)
    if not data:
        return out
    width = len(data[0])
    if all(len(row) == width for row in data) and columns and max(columns) < width:
        block = np.fromiter(itertools.chain.from_iterable(data), dtype=object, count=len(data) * width)
        return block.reshape(len(data), width)[:, columns]
    out[:] = [[row[c] if c < len(row) else None for c in columns] for row in data]
    return out


def _title(rows: list[list[object]], top: int) -> str:
    """The text above the header, each merged cell once."""
    return " ".join(nfc(c) for row in rows[:top] for k, c in enumerate(row)
                    if c not in (None, "") and (not k or c != row[k - 1]) and nfc(c))


# --------------------------------------------------------------------------- building the long rows

class _Long:
    """Columns of long rows being built: per canonical column either per-row cells or one context value."""

    def __init__(self, n: int):
        self.n = n
        self.codes: dict[str, np.ndarray] = {}
        self.uniques: dict[str, np.ndarray] = {}
        self.places: dict[str, object] = {}
        self.headers: dict[str, str] = {}
        self.column_names: dict[int, str] = {}

    def constant(self, column: str, value: object, where: str, header: str) -> None:
        self.uniques[column] = np.array([value], dtype=object)
        self.codes[column] = np.zeros(self.n, dtype=np.intp)
        self.places[column] = where
        self.headers[column] = header

    def cells(self, column: str, values: np.ndarray, place: object, header: str) -> None:
        codes, uniques = _factorize_cells(values)
        self.codes[column], self.uniques[column] = codes, uniques
        self.places[column] = place
        self.headers[column] = header

    def coded(self, column: str, codes: np.ndarray, uniques: np.ndarray, place: object, header: str) -> None:
        self.codes[column], self.uniques[column] = codes, uniques
        self.places[column] = place
        self.headers[column] = header

    def table(self, sheet: RawSheet, header_rows: tuple[int, ...], rows: np.ndarray, title: str, layout: str,
              empty_rows: int, checks: list) -> FoundTable:
        found = FoundTable(file=sheet.file, sheet=sheet.sheet, kind="assessments", header_rows=header_rows,
                           headers=dict(self.headers), row_numbers=rows.astype(np.int64), title=title,
                           empty_rows=empty_rows)
        found.codes, found.uniques = self.codes, self.uniques
        found.places, found.layout, found.checks = self.places, layout, checks
        found.column_names = self.column_names
        return found


def _value_kinds(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct cell: (blank, is a number, is a traffic light)."""
    kinds = _kinds(uniques)
    return kinds[:, 0].astype(bool), kinds[:, 1].astype(bool), kinds[:, 2].astype(bool)


def _kinds(uniques) -> np.ndarray:
    """Per distinct cell, a row (blank, is a number, is a traffic light, the number or NaN) as floats: what
    :func:`_cell_kind` says of each, remembered across sheets (a national dataset repeats a few dozen scores
    in every sheet)."""
    out = np.empty((len(uniques), 4), dtype=float)
    for i, u in enumerate(uniques):
        try:
            out[i] = _cell_kind(u)
        except TypeError:  # an unhashable cell: not remembered
            out[i] = _cell_kind.__wrapped__(u)
    return out


@functools.lru_cache(maxsize=65536, typed=True)
def _cell_kind(value: object) -> tuple[float, float, float, float]:
    if nfc(value) == "":
        return 1.0, 0.0, 0.0, np.nan
    try:
        return 0.0, 1.0, 0.0, parse_number(value)
    except Rejected:
        try:
            parse_rating(nfc(value))
            return 0.0, 0.0, 1.0, np.nan
        except Rejected:
            return 0.0, 0.0, 0.0, np.nan


def _apply_context(long: _Long, context: _Context, columns: dict[str, tuple[int, str]], per_row: dict,
                   required: tuple[str, ...]) -> list[tuple[str, str]]:
    """Fill the context columns of ``long`` from per-row columns (``per_row``: canonical -> (codes, uniques)) or
    the context; returns the problems ((what, '') missing, (what, values) conflicting)."""
    problems = []
    for column in CONTEXT_COLUMNS:
        if column in per_row:
            codes, uniques = per_row[column]
            long.coded(column, codes, uniques, columns[column][0], columns[column][1])
            continue
        value, where, conflict = context.resolve(column)
        if conflict:
            problems.append(("unit" if column == "code" else column, conflict))
            continue
        if value is None:
            continue
        long.constant(column, value, where, where or _sheet_name_label())
    have = set(long.codes)
    for column in required:
        if column == "unit":
            if not have & {"unit", "code"} and not any(w == "unit" for w, _ in problems):
                problems.append(("unit", ""))
        elif column not in have and not any(w == column for w, _ in problems):
            problems.append((column, ""))
    return problems


# --------------------------------------------------------------------------- summary matrix

def _matrix_header(rows: list[list[object]]) -> tuple[int, dict[int, object], dict[int, tuple[str, str]]] | None:
    """(header row index, {column: indicator header cell}, identity mapping) of a summary matrix, or None."""
    for r in range(min(HEADER_SEARCH_ROWS, len(rows))):
        row = rows[r]
        ids = {c: cell for c, cell in enumerate(row) if indicator_header(cell)}
        if len(ids) < 2:
            continue
        above = rows[r - 1] if r else []
        mapping = _header_map(above, row) if r else _header_map(row)
        mapping = {c: m for c, m in mapping.items() if c not in ids}
        canon = {m[0] for m in mapping.values()}
        if canon & {"indicator", "measure", "value"}:
            return None  # a long table's header above its first data row
        # the identity headers are in this row, or above it with this row's cell empty or the same (merged)
        header_like = all(canonical_header(row[c] if c < len(row) else None) is not None
                          or nfc(row[c] if c < len(row) else None) in ("", nfc(above[c] if c < len(above) else None))
                          for c in mapping)
        if canon & {"unit", "code"} and header_like:
            return r, ids, {c: m for c, m in mapping.items() if m[0] in CONTEXT_COLUMNS}
    return None


def _matrix(sheet: RawSheet) -> FoundTable | LayoutError | None:
    rows = sheet.rows
    found = _matrix_header(rows)
    if found is None:
        return None
    r, ids, mapping = found
    header = rows[r]
    above = rows[r - 1] if r else []
    # two-row header: the row above names the pillars over the indicator columns (or repeats the identity headers)
    identity = [c for c in mapping if c < len(above)]
    title_across = bool(identity) and all(nfc(above[c]) == nfc(above[identity[0]]) for c in identity + [
        c for c in ids if c < len(above)])  # one title merged over the whole width, not pillar names
    two_rows = bool(r) and not title_across and any(nfc(above[c]) for c in ids if c < len(above)) and not any(
        indicator_header(above[c]) for c in ids if c < len(above))
    top = r - 1 if two_rows else r
    header_rows = (top + 1, r + 1) if two_rows else (r + 1,)
    context = _context(sheet, top)
    title = _title(rows, top)
    id_cols = sorted(ids)
    totals = {}
    for c in range(len(header)):
        if c in ids or c in mapping:
            continue
        is_total, pillar = total_header(header[c])
        if not is_total and two_rows and c < len(above):
            is_total, pillar = total_header(above[c])
            if is_total and pillar is None and nfc(header[c]):
                is_total = False  # a pillar name merged over its indicators, not a total
        if is_total:
            totals[c] = pillar
    data = rows[r + 1:]
    n_rows = len(data)
    used_cols = id_cols + sorted(mapping) + sorted(totals)
    grid = _columns(data, used_cols)
    k = len(id_cols)
    values = grid[:, :k]
    flat_codes, uniques = _factorize_cells(values.ravel())
    kinds = np.vstack([_kinds(uniques), [[1.0, 0.0, 0.0, np.nan]]])  # the last slot: an empty cell
    blank_u, number_u, light_u = kinds[:, 0] > 0, kinds[:, 1] > 0, kinds[:, 2] > 0
    nonblank = ~blank_u[flat_codes]
    # every other column (identity, totals) factorised once: its codes, distinct cells and blanks
    other = {}
    row_blank = np.ones(n_rows, dtype=bool)
    if n_rows:
        row_blank &= ~nonblank.reshape(n_rows, k).any(axis=1)
    other_kinds = {}  # each total column's :func:`_kinds`, made once (its sums are distinct in almost every row)
    for j, c in enumerate(used_cols[k:], start=k):
        codes, uq = _factorize_cells(grid[:, j])
        other[c] = (codes, uq)
        other_kinds[c] = _kinds(uq)
        row_blank &= np.append(other_kinds[c][:, 0] > 0, True)[codes]
    keep = np.flatnonzero(nonblank)
    body = keep // k
    column = keep % k
    long = _Long(len(keep))
    per_row = {}
    for c in sorted(mapping):
        codes, uq = other[c]
        per_row[mapping[c][0]] = (codes[body], uq)
    columns = {mapping[c][0]: (c, mapping[c][1]) for c in mapping}
    problems = _apply_context(long, context, columns, per_row, REQUIRED_CONTEXT)
    data_rows = int((~row_blank).sum())
    if problems:
        return LayoutError(sheet.file, sheet.sheet, "assessments", header_rows, {}, {}, [], [], data_rows,
                           rule="layout_context", layout="matrix", problems=problems)
    long.coded("indicator", column, np.array([ids[c] if not isinstance(ids[c], str) else indicator_header(ids[c])
                                              for c in id_cols], dtype=object),
               ("header", r + 1, np.array(id_cols, dtype=np.int32)[column]), nfc(header[id_cols[0]]))
    # a cell is a score or a traffic light from what it holds; unreadable text goes where most cells went
    cell_codes = flat_codes[keep]
    lights_sheet = light_u[cell_codes].sum() > number_u[cell_codes].sum()
    to_rating = light_u | (~number_u & ~blank_u & lights_sheet)
    n_u = len(uniques)
    places = np.array(id_cols, dtype=np.int32)[column]
    long.coded("score", np.where(to_rating[cell_codes], n_u, cell_codes), uniques, places, "")
    long.coded("rating", np.where(to_rating[cell_codes], cell_codes, n_u), uniques, places, "")
    long.headers["score"] = long.headers["rating"] = long.headers["indicator"]
    long.column_names = {c: nfc(header[c]) for c in id_cols}
    checks = _matrix_totals(sheet, r, data, totals, id_cols, ids, flat_codes, kinds, other, mapping, header,
                            other_kinds)
    return long.table(sheet, header_rows, body + r + 2, title, "matrix", int(row_blank.sum()), checks)


def _matrix_totals(sheet, r, data, totals, id_cols, ids, flat_codes, kinds, other, mapping, header,
                   other_kinds) -> list[TotalCheck]:
    """Check each total column against the sum of the row's points in its scope (all indicators, or one pillar);
    returns a :class:`TotalCheck` for every total that does not match (or cannot be checked) and, for the totals
    that match, their number.
    Traffic lights carry no points and are left out of the sum; a cell that is neither (a typo) makes the total
    ``not_checked``. ``kinds``: per distinct score cell (and the empty cell last), :func:`_kinds`; ``other``:
    each total column's (codes, distinct cells); ``other_kinds``: the :func:`_kinds` of those distinct cells, by
    column."""
    if not totals or not len(data):
        return []
    k = len(id_cols)
    n_rows = len(flat_codes) // k
    grid = kinds[:, 3][flat_codes].reshape(n_rows, k)
    no_points = (kinds[:, 0] > 0) | (kinds[:, 2] > 0)
    text_cell = (~(kinds[:, 1] > 0) & ~no_points)[flat_codes].reshape(n_rows, k)
    pillar_of = np.array([int(str(indicator_header(ids[c])).split(".")[0]) for c in id_cols])
    unit_col = next((c for c, m in mapping.items() if m[0] == "unit"), None)
    code_col = next((c for c, m in mapping.items() if m[0] == "code"), None)
    checks = []
    file, letters = sheet.file.as_posix(), {c: column_letter(c) for c in totals}
    for c, pillar in totals.items():
        scope = np.ones(k, dtype=bool) if pillar is None else pillar_of == pillar
        sums = np.nansum(grid[:, scope], axis=1)
        counts = (~np.isnan(grid[:, scope])).sum(axis=1)
        typos = text_cell[:, scope].any(axis=1)
        codes, typed = other[c]
        typed_kinds = other_kinds[c]
        parsed = np.append(typed_kinds[:, 3], np.nan)
        value = parsed[codes]
        status = np.where(np.isnan(value) | typos | (counts == 0), "not_checked",
                          np.where(np.abs(value - sums) > TOTAL_TOLERANCE, "mismatch", "ok"))
        name = nfc(header[c]) or t("total_column_unnamed")
        written = np.append(typed_kinds[:, 0] == 0, False)[codes]  # not blank
        ok = written & (status == "ok")
        checks.append(int(ok.sum()))  # totals that match are counted, not listed
        for i in np.flatnonzero(written & ~ok):
            row = data[i]
            unit = nfc(row[unit_col]) if unit_col is not None and unit_col < len(row) else ""
            if not unit and code_col is not None and code_col < len(row):
                unit = nfc(row[code_col])
            checks.append(TotalCheck(file, sheet.sheet, r + 2 + i, f"{letters[c]}{r + 2 + i}", name, pillar,
                                     nfc(typed[codes[i]]), float(sums[i]), int(counts[i]), str(status[i]), unit))
    return checks


# --------------------------------------------------------------------------- per-body form

@dataclass
class _RaterColumn:
    column: int
    rater: str
    rater_id: str
    what: str  # 'score', 'rating' or '' (from the cell)
    header: str


def _form_header(rows: list[list[object]]) -> tuple[int, int, int, list[_RaterColumn]] | None:
    """(top header row, last header row, indicator column, rater columns) of a per-body form, or None."""
    for r in range(min(HEADER_SEARCH_ROWS, len(rows))):
        row = rows[r]
        singles = _header_map(row)
        ind = next((c for c, (canonical, _) in singles.items() if canonical == "indicator"), None)
        above = rows[r - 1] if r else []
        if ind is None and r:
            ind = next((c for c, (canonical, _) in _header_map(above).items() if canonical == "indicator"), None)
            if ind is None or nfc(row[ind] if ind < len(row) else "") not in ("", nfc(above[ind])):
                continue
        if ind is None:
            continue
        canon = {m[0] for m in singles.values()}
        if canon & {"province", "unit", "code", "year", "rater"}:
            return None  # a long table (with a column missing), not a form
        raters, plain, two = [], [], False
        for c in range(max(len(row), len(above))):
            if c == ind:
                continue
            cell = row[c] if c < len(row) else None
            upper = above[c] if c < len(above) else None
            own = rater_header(cell)
            sub = canonical_header(cell)
            over = rater_header(upper) if r else None
            if own is not None:
                below = rows[r + 1] if r + 1 < len(rows) else []
                if canonical_header(below[c] if c < len(below) else None) in ("score", "rating") and not own[2]:
                    raters, plain = [], []
                    break  # the rater is merged over 'Điểm' / 'Mức' in the next row: the header ends there
                raters.append(_RaterColumn(c, own[0], own[1], own[2], nfc(cell)))
            elif over is not None and sub in ("score", "rating"):
                raters.append(_RaterColumn(c, over[0], over[1], sub, f"{nfc(upper)} / {nfc(cell)}"))
                two = True
            elif sub in ("score", "rating"):
                plain.append(_RaterColumn(c, "", "", sub, nfc(cell)))
        if raters:
            return (r - 1 if two else r), r, ind, raters
        below = rows[r + 1] if r + 1 < len(rows) else []
        if any(rater_header(row[c]) and canonical_header(below[c] if c < len(below) else None) in ("score", "rating")
               for c in range(len(row))):
            continue
        if plain:
            return r, r, ind, plain
    return None


def _form(sheet: RawSheet) -> FoundTable | LayoutError | None:
    rows = sheet.rows
    found = _form_header(rows)
    if found is None:
        return None
    top, last, ind, raters = found
    header_rows = tuple(range(top + 1, last + 2))
    context = _context(sheet, top)
    title = _title(rows, top)
    needs_rater = any(not rc.rater for rc in raters)
    required = tuple(c for c in REQUIRED_CONTEXT if c != "rater" or needs_rater)
    data = rows[last + 1:]
    # long rows: one per data row and rater (with its score and/or rating cell)
    groups: dict[tuple[str, str], dict[str, _RaterColumn]] = {}
    for rc in raters:
        groups.setdefault((rc.rater, rc.rater_id), {})[rc.what or "any"] = rc
    out = {name: [] for name in ("row", "indicator", "rater", "rater_id", "score", "rating", "score_col",
                                 "rating_col")}
    empty, checks, data_rows = 0, [], 0
    totals = []
    for i, row in enumerate(data):
        cells = [row[c] if c < len(row) else None for c in range(len(row))]
        indicator = cells[ind] if ind < len(cells) else None
        values = {(key, what): cells[rc.column] if rc.column < len(cells) else None
                  for key, columns in groups.items() for what, rc in columns.items()}
        if not any(nfc(v) for v in values.values()):
            if not any(nfc(v) for v in cells):
                empty += 1
            continue  # a pillar heading, a signature line, an indicator not used
        data_rows += 1
        is_total, pillar = total_header(indicator) if not indicator_header(indicator) else (False, None)
        if is_total:
            totals.append((i, pillar, values))
            continue
        for key, columns in groups.items():
            score = rating = None
            score_col = rating_col = -1
            for what, rc in columns.items():
                value = values[(key, what)]
                if not nfc(value):
                    continue
                if what == "rating" or (what == "any" and _is_light(value)):
                    rating, rating_col = value, rc.column
                else:
                    score, score_col = value, rc.column
            if score is None and rating is None:
                continue
            out["row"].append(last + 2 + i)
            out["indicator"].append(indicator)
            out["rater"].append(key[0] or None)
            out["rater_id"].append(key[1] or None)
            out["score"].append(score)
            out["rating"].append(rating)
            out["score_col"].append(score_col if score_col >= 0 else rating_col)
            out["rating_col"].append(rating_col if rating_col >= 0 else score_col)
    n = len(out["row"])
    long = _Long(n)
    per_row = {}
    if not needs_rater:
        codes, uq = _factorize_cells(np.array(out["rater"], dtype=object))
        per_row["rater"] = (codes, uq)
        codes, uq = _factorize_cells(np.array(out["rater_id"], dtype=object))
        per_row["rater_id"] = (codes, uq)
    rater_places = np.array(out["score_col"], dtype=np.int32)
    columns = {"rater": (("header", header_rows[0], rater_places), raters[0].header),
               "rater_id": (("header", header_rows[0], rater_places), raters[0].header)}
    problems = _apply_context(long, context, columns, per_row, required)
    if problems:
        return LayoutError(sheet.file, sheet.sheet, "assessments", header_rows, {}, {}, [], [], data_rows,
                           rule="layout_context", layout="form", problems=problems)
    long.cells("indicator", np.array(out["indicator"], dtype=object), ind, nfc(rows[last][ind]) or
               nfc(rows[top][ind]))
    long.cells("score", np.array(out["score"], dtype=object), np.array(out["score_col"], dtype=np.int32),
               " / ".join(dict.fromkeys(rc.header for rc in raters)))
    long.cells("rating", np.array(out["rating"], dtype=object), np.array(out["rating_col"], dtype=np.int32),
               " / ".join(dict.fromkeys(rc.header for rc in raters)))
    long.column_names = {rc.column: rc.header for rc in raters}
    unit = nfc(long.uniques["unit"][0]) if "unit" in long.uniques else nfc(long.uniques["code"][0])
    checks = _form_totals(sheet, last, data, ind, totals, out, groups, unit)
    return long.table(sheet, header_rows, np.array(out["row"], dtype=np.int64), title, "form", empty, checks)


def _is_light(value: object) -> bool:
    try:
        parse_number(value)
        return False
    except Rejected:
        try:
            parse_rating(nfc(value))
            return True
        except Rejected:
            return False


def _form_totals(sheet, last, data, ind, totals, out, groups, unit) -> list:
    """Check each total row ('Tổng cộng', 'Tổng trụ cột 1') against the sum of the points above it, per rater;
    the totals that do not match or cannot be checked, then the number that match."""
    checks, ok = [], 0
    for i, pillar, values in totals:
        label = nfc(data[i][ind])
        for key, columns in groups.items():
            rc = columns.get("score") or columns.get("any")
            if rc is None:
                continue
            total = values[(key, "score" if "score" in columns else "any")]
            if not nfc(total):
                continue
            scores, lights = [], False
            for row_number, indicator, rater, rater_id, score, rating in zip(
                    out["row"], out["indicator"], out["rater"], out["rater_id"], out["score"], out["rating"]):
                if (rater or "", rater_id or "") != key:
                    continue
                ident = indicator_header(indicator) or ""
                if pillar is not None and not ident.startswith(f"{pillar}."):
                    continue
                if score is None:
                    continue  # a traffic light: no points
                try:
                    scores.append(parse_number(score))
                except Rejected:
                    lights = True
            try:
                value = parse_number(total)
                status = "not_checked" if lights or not scores else (
                    "mismatch" if abs(value - sum(scores)) > TOTAL_TOLERANCE else "ok")
            except Rejected:
                status = "not_checked"
            row = last + 2 + i
            if status == "ok":
                ok += 1
                continue
            checks.append(TotalCheck(sheet.file.as_posix(), sheet.sheet, row, f"{column_letter(rc.column)}{row}",
                                     label, pillar, nfc(total), float(sum(scores)), len(scores), status, unit,
                                     rater=key[1] or key[0]))
    return checks + [ok]


# --------------------------------------------------------------------------- entry point

def recognise_layout(sheet: RawSheet) -> FoundTable | LayoutError | None:
    """The long rows of a summary matrix or a per-body form, a :class:`LayoutError` when the sheet is one but a
    required value is missing or contradictory, or None when the sheet is neither."""
    if not sheet.rows:
        return None
    return _matrix(sheet) or _form(sheet)


def cell_refs(place: object, local: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Cell references ('J7') of long rows ``local`` (positions in the table; ``rows`` their spreadsheet rows)
    for a column whose place is an int (that column, the row's own row), an int array (per row), a string (one
    cell for every row: a title or labelled cell, '' for the sheet name) or ('header', row, columns)."""
    local = np.asarray(local, dtype=np.intp)
    rows = np.asarray(rows)
    if place is None:
        return np.full(len(local), "", dtype=object)
    if isinstance(place, str):
        return np.full(len(local), place, dtype=object)
    if isinstance(place, tuple):
        _, row, columns = place
        columns = np.asarray(columns)
        return np.array([f"{column_letter(int(c))}{row}" if c >= 0 else "" for c in columns[local]], dtype=object)
    if isinstance(place, (int, np.integer)):
        letter = column_letter(int(place))
        return np.array([f"{letter}{int(r)}" for r in rows], dtype=object)
    columns = np.asarray(place)[local]
    letters = {int(c): column_letter(int(c)) for c in np.unique(columns) if c >= 0}
    return np.array([f"{letters[int(c)]}{int(r)}" if c >= 0 else "" for c, r in zip(columns, rows)], dtype=object)


def column_of(place: object, local: np.ndarray) -> np.ndarray:
    """The column letter of each long row's cell for a place (see :func:`cell_refs`); '' for context values."""
    local = np.asarray(local, dtype=np.intp)
    if isinstance(place, (int, np.integer)):
        return np.full(len(local), column_letter(int(place)), dtype=object)
    if place is None or isinstance(place, (str, tuple)):
        return np.full(len(local), "", dtype=object)
    columns = np.asarray(place)[local]
    uniq, inverse = np.unique(columns, return_inverse=True)
    letters = np.array([column_letter(int(c)) if c >= 0 else "" for c in uniq], dtype=object)
    return letters[inverse.reshape(-1)]

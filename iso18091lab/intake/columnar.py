"""Recognised tables in columnar form, for cleaning: each column factorised once into its distinct raw values, every
distinct value parsed once (:func:`_parse_unique`), the broken rules of a table (:class:`_Problems`), the clean
columns of a table and what its cleaning found beside them (:class:`_Cleaned`), and the dates of its waves."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from iso18091lab.intake import admin_map
from iso18091lab.intake.clean import Rejected, parse_whole
from iso18091lab.intake.reader import FoundTable
from iso18091lab.normalize import nfc


class _Table:
    """A recognised table in columnar form: each column factorised into codes and its distinct raw values.

    ``values(column)`` gives the distinct raw values with one more slot at the end for an empty cell; ``codes``
    index into it (an empty cell points at the last slot)."""

    def __init__(self, found: FoundTable, number: int):
        self.file, self.sheet, self.kind = found.file, found.sheet, found.kind
        self.headers, self.header_rows, self.empty_rows = found.headers, found.header_rows, found.empty_rows
        self.number = number
        self.n = found.n
        self.places, self.layout, self.checks = dict(found.places), found.layout, list(found.checks)
        self.column_names = dict(found.column_names)
        self.rows = found.row_numbers if found.row_numbers is not None else np.zeros(0, dtype=np.int64)
        self._codes: dict[str, np.ndarray] = {}
        self._uniques: dict[str, np.ndarray] = {}
        for column in found.headers:  # factorised once, when the table was recognised
            self._codes[column], self._uniques[column] = found.codes[column], np.append(found.uniques[column], None)
        found.codes, found.uniques = {}, {}  # held here now

    def has(self, column: str) -> bool:
        return column in self._codes

    def _check(self, column: str) -> None:
        if column in self._codes and self._codes[column] is None:  # pragma: no cover - a bug
            raise AssertionError(f"column {column!r} of {self.file}/{self.sheet} was released")

    def codes(self, column: str) -> np.ndarray:
        self._check(column)
        return self._codes[column] if column in self._codes else np.zeros(self.n, dtype=np.intp)

    def values(self, column: str) -> np.ndarray:
        self._check(column)
        return self._uniques[column] if column in self._uniques else np.array([None], dtype=object)

    def raw(self, column: str) -> np.ndarray:
        """The raw cell of every row (object array; None for an empty or absent cell)."""
        return self.values(column)[self.codes(column)]

    def parts(self) -> np.ndarray:
        """The table each row comes from, as an index into the tables cleaned together (:class:`_Batch`): 0."""
        return np.zeros(self.n, dtype=np.int64)

    def release(self, keep: tuple[str, ...] = ("province", "unit")) -> None:
        """Forget the cells of every column but ``keep`` (what the quarantine table still reads) once the
        table is cleaned: at national scale each column's codes are ~10 MB."""
        for column in [c for c in self._codes if c not in keep]:
            self._codes[column] = self._uniques[column] = None


class _Batch(_Table):
    """Tables of one kind cleaned in one pass (the sheets of one workbook): their rows one after the other, each
    column's codes into the distinct values of every table in turn (a value two tables share is there twice; an
    empty cell points at the one last slot). Cleaning reads its rows as it reads one table's; :meth:`parts` says
    which table each row comes from, for what must not cross tables (the blocks of :func:`_recover_indicators`).
    Where rows came from (file, sheet, row, cell) stays with the tables themselves."""

    def __init__(self, tables: list[_Table]):
        first = tables[0]
        self.file, self.sheet, self.kind = first.file, first.sheet, first.kind
        self.headers, self.header_rows, self.empty_rows = {}, (), 0
        self.number, self.places, self.layout, self.checks, self.column_names = first.number, {}, first.layout, [], {}
        sizes = [t.n for t in tables]
        self.n = int(sum(sizes))
        self.rows = np.concatenate([t.rows for t in tables])
        self._parts = np.repeat(np.arange(len(tables), dtype=np.int64), sizes)
        self._codes, self._uniques = {}, {}
        for column in dict.fromkeys(c for t in tables for c in t._codes):
            values = [t.values(column) for t in tables]
            starts = np.cumsum([0] + [len(v) - 1 for v in values])  # each table's distinct values without the empty slot
            empty = int(starts[-1])
            self._codes[column] = np.concatenate([
                np.where(t.codes(column) == len(v) - 1, empty, t.codes(column) + start)
                for t, v, start in zip(tables, values, starts)]).astype(np.intp)
            self._uniques[column] = np.concatenate([v[:-1] for v in values] + [np.array([None], dtype=object)])

    def parts(self) -> np.ndarray:
        return self._parts


class _Problems:
    """Broken rules found while cleaning one table: row positions, the column, the value as typed, the rule."""

    def __init__(self):
        self.parts: list[pd.DataFrame] = []

    def add(self, positions: np.ndarray, column: str, values, rule, hint="", suggestion="") -> None:
        positions = np.asarray(positions)
        if not len(positions):
            return
        part = pd.DataFrame({"pos": positions, "column": column, "value": values, "rule": rule, "hint": hint,
                             "suggestion": suggestion})
        self.parts.append(part)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=["pos", "column", "value", "rule", "hint", "suggestion"])
        return pd.concat(self.parts, ignore_index=True)


def _parse_unique(table: _Table, column: str, parse, problems: _Problems, required: bool = False,
                  default=None) -> np.ndarray:
    """Parse every distinct raw value of ``column`` once; return the parsed value per row (``default`` for
    blanks) and record problems (``missing_value`` for blanks when ``required``)."""
    uniques = table.values(column)
    parsed = np.empty(len(uniques), dtype=object)
    rules = np.full(len(uniques), None, dtype=object)
    hints = np.full(len(uniques), "", dtype=object)
    suggestions = np.full(len(uniques), "", dtype=object)
    texts = _unique_texts(table, column)
    for i, value in enumerate(uniques):
        if texts[i] == "":
            parsed[i] = default
            if required:
                rules[i] = "missing_value"
            continue
        try:
            parsed[i] = parse(value)
        except Rejected as exc:
            parsed[i], rules[i], hints[i], suggestions[i] = default, exc.rule, exc.hint, exc.suggestion
    codes = table.codes(column)
    bad = np.flatnonzero(rules[codes] != None)  # noqa: E711 - elementwise on an object array
    problems.add(bad, column, texts[codes[bad]], rules[codes[bad]], hints[codes[bad]], suggestions[codes[bad]])
    return parsed[codes]


def _per_unique(values, function, dtype=object) -> np.ndarray:
    """``function`` of every element of ``values``, computed once per distinct value (None/NaN included).
    ``values``: an array, or its :func:`_distinct` (to apply several functions after one factorisation)."""
    codes, uniques = values if isinstance(values, tuple) else _distinct(values)
    results = np.array([function(u) for u in uniques] + [function(None)], dtype=dtype)
    return results[codes]


def _distinct(values: np.ndarray) -> tuple[np.ndarray, list]:
    """(each element's index into the distinct values, the distinct values as Python objects); a missing value
    (None/NaN) gets the index ``len(distinct)``. Numbers are factorised as numbers, not as objects."""
    values = np.asarray(values)
    codes, uniques = pd.factorize(values if values.dtype.kind in "fiub" else values.astype(object),
                                  use_na_sentinel=True)
    return np.where(codes < 0, len(uniques), codes), list(np.asarray(uniques).tolist())


def _unique_rows(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows as a k x m array, index of each row's distinct row) of non-negative integer code columns —
    one hash pass over a combined key instead of sorting rows (``np.unique(axis=0)``)."""
    sizes = [int(c.max()) + 1 if len(c) else 1 for c in columns]
    if float(np.prod([float(x) for x in sizes])) >= 2.0 ** 62:  # pragma: no cover - astronomically many values
        combos, inverse = np.unique(np.stack(columns, axis=1), axis=0, return_inverse=True)
        return combos, inverse.reshape(-1)
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for codes, size in zip(columns, sizes):
        key = key * size + codes.astype(np.int64)
    inverse, distinct = pd.factorize(key)
    combos = np.empty((len(distinct), len(columns)), dtype=np.int64)
    rest = distinct.astype(np.int64)
    for j in range(len(columns) - 1, -1, -1):
        rest, combos[:, j] = np.divmod(rest, sizes[j])
    return combos, inverse


def _unique_texts(table: _Table, column: str) -> np.ndarray:
    """The NFC text of each distinct cell of ``column`` ('' for the empty slot), in the order of ``values``."""
    return np.array([nfc(u) for u in table.values(column)], dtype=object)


def _texts(table: _Table, column: str) -> np.ndarray:
    """The NFC text of every row's cell ('' when empty)."""
    return _unique_texts(table, column)[table.codes(column)]


def _blank(table: _Table, column: str) -> np.ndarray:
    """True where the row's cell is empty."""
    return (_unique_texts(table, column) == "")[table.codes(column)]


def _dates(table: _Table) -> tuple[np.ndarray, np.ndarray]:
    """(the date of each distinct cell of the date column, None when empty or unreadable; True where unreadable)."""
    values = table.values("date")
    days = np.full(len(values), None, dtype=object)
    bad = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        try:
            days[i] = admin_map.wave_date(value)
        except ValueError:
            bad[i] = True
    return days, bad


def _wave_dates(table: _Table, problems: _Problems) -> np.ndarray:
    """The assessment date of each distinct cell of the date column (None when empty or unreadable; an
    unreadable one is a ``bad_date`` problem of its rows). Read once per table: the bodies are placed on the map
    of these dates (:meth:`_Bodies.locate`) and the rows keep them (:func:`_assessed_on`)."""
    days, bad = _dates(table)
    rows = np.flatnonzero(bad[table.codes("date")])
    problems.add(rows, "date", _texts(table, "date")[rows], "bad_date")
    return days


def _assessed_on(table: _Table, days: np.ndarray, year: np.ndarray, problems: _Problems) -> np.ndarray:
    """The assessment date of every row from ``days`` (:func:`_wave_dates`; None when the cell is empty or no
    date). A date in another year than the row's ``year`` is a ``date_year_mismatch`` problem of the date cell
    (its reason names the row's year)."""
    if all(d is None for d in days):  # no date in the table (a summary matrix): no row's date to compare
        return days[table.codes("date")]
    day_year = np.array([d.year if d is not None else -1 for d in days], dtype=np.int64)[table.codes("date")]
    years = pd.to_numeric(pd.Series(year, dtype=object), errors="coerce").to_numpy(dtype=float)
    wrong = np.flatnonzero((day_year >= 0) & ~np.isnan(years) & (day_year != years))
    problems.add(wrong, "date", _texts(table, "date")[wrong], "date_year_mismatch",
                 np.array([str(int(y)) for y in years[wrong]], dtype=object))
    return days[table.codes("date")]


def _whole(low: int, high: int, rule: str):
    return lambda value: parse_whole(value, rule, low, high)


@dataclass
class _Cleaned:
    """What the cleaning of one table gives: its clean columns (name -> array), the province each row was
    attributed to ('' where none), the category names of columns kept as integer codes, and, for a units table,
    the rows rejected as (province, name, code, problems) — rows that refer to them say why. :func:`_collect`
    joins those of every table of a kind into one frame at once (a DataFrame per sheet turned each text column
    into Arrow text and back, sheet by sheet)."""

    columns: dict
    province: np.ndarray
    categories: dict = field(default_factory=dict)
    rejected: list = field(default_factory=list)

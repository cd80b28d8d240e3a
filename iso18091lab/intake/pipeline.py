"""Ingest: raw files -> clean tables + quarantine + run summary, with counts that reconcile.

``rows read = accepted + quarantined + duplicates dropped`` holds for every sheet and overall,
and is checked here before anything is written. Empty rows are counted separately and are not
rows read. Raw files are only read; outputs are written atomically (temporary file, rename).

Cleaning is **columnar**: each column of a sheet is factorised once into its distinct raw values, every
distinct value is normalised and parsed once (a national dataset repeats a few hundred provinces, bodies,
years and scores 1.5 million times), and the results are mapped back to the rows with numpy. Bodies are
located once per distinct (province, name, code) as typed. Only rows that need it (indicator ids Excel may
have turned into numbers, duplicate keys) are looked at one by one.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from iso18091lab._version import __version__
from iso18091lab.storage import tables_digest, write_atomic
from iso18091lab.catalog import load_catalog, normalise_indicator_id
from iso18091lab.intake.clean import (
    NOT_ASSESSED, TIER, Problem, Rejected, UnitMatcher, body_id, exact_key, is_blank, is_synthetic_marker, parse_code,
    parse_group, parse_level, parse_number, parse_rater, parse_rating, parse_whole, problem_values,
    rejected_unit_hint,
)
from iso18091lab.storage import write_csv
from iso18091lab.i18n import said, t
from iso18091lab.config import DEFAULT_LIMITS, DEFAULT_PROCESSED, DEFAULT_RAW, DEFAULT_SCALE, ReadLimits, Scale
from iso18091lab.intake.reader import (FileReadError, FoundTable, SkippedSheet, StructuralError, iter_raw_files, list_raw_files,
                 read_sheets, recognise_table, workbook_children)
from iso18091lab.intake import admin_map
from iso18091lab.intake import lineage
from iso18091lab.intake.schema import (ASSESSMENT_COLUMNS, ASSESSMENT_DTYPES, BODY_COLUMNS,
                                         CHECK_COLUMNS, DATE_DTYPE, FILE_SUMMARY_COLUMNS, HASHED_FILES,
                                         NAME_MATCH_COLUMNS, OUTCOME_COLUMNS, OUTCOME_DTYPES, PARTITIONS,
                                         QUARANTINE_COLUMNS, UNIT_COLUMNS, UNIT_DTYPES)
from iso18091lab.intake.provinces import canonical_name, name_2025, of_today, province_key
from iso18091lab.normalize import fold, nfc


class IngestError(RuntimeError):
    """The ingest as a whole cannot proceed (no input files, unusable catalog...)."""


@dataclass
class IngestResult:
    """The clean tables, the quarantine, the per-sheet summary and the overall summary."""

    assessments: pd.DataFrame
    units: pd.DataFrame
    outcomes: pd.DataFrame
    quarantine: pd.DataFrame
    files: pd.DataFrame
    summary: dict = field(default_factory=dict)
    name_matches: pd.DataFrame | None = None
    catalog: pd.DataFrame | None = None
    checks: pd.DataFrame | None = None


# --------------------------------------------------------------------------- columnar tables

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

    def release(self, keep: tuple[str, ...] = ("province", "unit")) -> None:
        """Forget the cells of every column but ``keep`` (what the quarantine table still reads) once the
        table is cleaned: at national scale each column's codes are ~10 MB."""
        for column in [c for c in self._codes if c not in keep]:
            self._codes[column] = self._uniques[column] = None


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
    texts = np.array([nfc(u) for u in uniques], dtype=object)
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


def _texts(table: _Table, column: str) -> np.ndarray:
    """The NFC text of every row's cell ('' when empty)."""
    uniques = table.values(column)
    return np.array([nfc(u) for u in uniques], dtype=object)[table.codes(column)]


def _blank(table: _Table, column: str) -> np.ndarray:
    """True where the row's cell is empty."""
    uniques = table.values(column)
    return np.array([nfc(u) == "" for u in uniques], dtype=bool)[table.codes(column)]


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


# --------------------------------------------------------------------------- bodies

class _Bodies:
    """Locates bodies typed as (province, name, code) — once per distinct combination — and keeps the table of
    bodies rows refer to: the units table's rows, or, without one, the bodies as typed."""

    def __init__(self, units: pd.DataFrame, rejected: list | None = None):
        self.matcher = UnitMatcher(units)
        # units rows that were rejected, by (province key, folded name) and (province key, folded code): a
        # score row for such a body says why its unit is missing, not "not in the units table"
        self.rejected: dict[tuple[str, str], str] = {}
        for province, name, code, found in rejected or []:
            why = rejected_unit_hint(found)
            for key in (name, code):
                if key:
                    self.rejected[(province_key(province), fold(key))] = why
        self.rows: list[dict] = units[BODY_COLUMNS].to_dict(orient="records") if len(units) else []
        self.n_units = len(self.rows)
        self._ad_hoc: dict[str, int] = {}
        self._cache: dict[tuple, tuple] = {}
        self._old: dict[tuple, tuple] = {}
        self.name_matches: dict[tuple, int] = {}
        # the 2025 reform: each listed body placed on its map; waves on the new map are matched to the bodies of
        # that map first (listed ones, then the official list), so a code reused by a new commune never points
        # at its predecessor (lineage.py)
        self._post_reform: dict[str, int] = {}
        new = []
        for index, row in enumerate(self.rows):
            unit = lineage.place(row["province"], row["unit"], row["code"], row["tier"])
            row.update(vintage=unit.vintage if unit else admin_map.OLD, official_code=unit.code if unit else pd.NA,
                       official_level=unit.level if unit else "")
            if row["vintage"] == admin_map.NEW:
                new.append(index)
                self._post_reform[unit.code] = index
        self._new_index = np.array(new, dtype=np.int64)
        self.matcher_new = UnitMatcher(units.iloc[new]) if new else None
        #: body index -> the rules that put its waves on a map (MAP_RULES; ``map_rule`` of the units table)
        self.map_rules: dict[int, set[str]] = {}

    def locate(self, table: _Table, problems: _Problems, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(body index per row, -1 where none; attributed province per row, '' where none); ``days``: the date of
        each distinct cell of the date column (:func:`_wave_dates`), which picks the map of each row's wave."""
        columns = ["province", "unit", "code", "year", "date"]
        combos, inverse = _unique_rows([table.codes(c) for c in columns])
        counts = np.bincount(inverse, minlength=len(combos))
        body = np.full(len(combos), -1, dtype=np.int64)
        province = np.full(len(combos), "", dtype=object)
        failures: list[tuple[int, Problem]] = []
        typed_values = [table.values(c) for c in ("province", "unit", "code")]
        texts = [[nfc(v) for v in values] for values in typed_values]  # each distinct cell normalised once
        years = table.values("year")
        cache = self._cache
        for k, (pc, uc, cc, yc, dc) in enumerate(combos.tolist()):
            vintage, rule = admin_map.map_rule(years[yc], days[dc])
            key = (texts[0][pc], texts[1][uc], texts[2][cc], vintage, rule)
            found = cache.get(key)
            if found is None:
                typed = (typed_values[0][pc], typed_values[1][uc], typed_values[2][cc])
                if rule == admin_map.UNDATED_2025:
                    found = self._locate_undated(*typed)
                else:
                    found = self._locate(*typed, vintage=vintage) + (rule,)
                cache[key] = found
            body[k], province[k], problem, match, placed_by = found
            if problem is not None:
                failures.append((k, problem))
            if match is not None:
                self.name_matches[match] = self.name_matches.get(match, 0) + int(counts[k])
            if body[k] >= 0:
                self.map_rules.setdefault(int(body[k]), set()).add(placed_by)
        for k, problem in failures:
            positions = np.flatnonzero(inverse == k)
            problems.add(positions, problem.column, problem.value, problem.rule, problem.hint, problem.suggestion)
        return body[inverse], province[inverse]

    def _locate_undated(self, typed_province, name, code) -> tuple[int, str, Problem | None, tuple | None, str]:
        """A body typed in a wave of 2025 with no date, placed by the terms it is named in (the rule is returned
        last, ``admin_map.MAP_RULES``): a name or code only the new map has (a listed post-reform body, or a
        commune of the official list) -> the new map (``undated_2025_new_terms``); one only the listed former
        bodies have -> the old map (``undated_2025_old_terms``). Both: one territory (a commune kept whole) -> the
        listed former body (``undated_2025_same_unit``); else a typed code of one map only decides; else the body
        the units table lists comes first (``undated_2025_listed_first``), and the row is listed in the data-quality
        report's name matches, with the way to settle it (an assessment date)."""
        old = self._locate_old(typed_province, name, code)
        if self.matcher.empty or is_blank(typed_province) or (is_blank(name) and is_blank(code)):
            return old + ("undated_2025_old_terms",)
        old_body = old[0] if old[2] is None and old[0] >= 0 else -1
        if old_body >= 0 and self.rows[old_body].get("vintage") == admin_map.NEW:
            return old + ("undated_2025_new_terms",)
        if old_body >= 0 and not is_blank(name) and not is_blank(code) and \
                self._locate_old(typed_province, name, None)[:3] != (old_body, old[1], None):
            old_body = -1  # only the code names the listed body ('Xã An Quang' 11647, Xã Quang Trung's code)
        found = self._locate_new(typed_province, name, code, probe=True)
        if isinstance(found, admin_map.OfficialUnit):
            new_code = found.code
        elif found is not None and found[2] is None:
            new_code = nfc(self.rows[found[0]].get("official_code"))
        else:  # not on the new map (or several communes of it): the old map's answer
            return old + ("undated_2025_old_terms",)
        if old_body < 0:
            return self._locate_new(typed_province, name, code) + ("undated_2025_new_terms",)
        old_code = nfc(self.rows[old_body].get("official_code")) if not lineage._blank(
            self.rows[old_body].get("official_code")) else ""
        if old_code and lineage.same_territory(old_code, new_code):
            return old + ("undated_2025_same_unit",)
        typed_code = parse_code(code).lstrip("0") if not is_blank(code) else ""
        if typed_code and typed_code == new_code.lstrip("0") != old_code.lstrip("0"):
            return self._locate_new(typed_province, name, code) + ("undated_2025_new_terms",)
        if typed_code and typed_code == old_code.lstrip("0") != new_code.lstrip("0"):
            return old + ("undated_2025_old_terms",)
        body = self.rows[old_body]
        match = (body["province"], nfc(name) or nfc(code), body["unit"], body["body_id"], "undated_2025_listed_first")
        return old[0], old[1], None, match, "undated_2025_listed_first"

    def _locate(self, typed_province, name, code, vintage: str | None = admin_map.OLD
                ) -> tuple[int, str, Problem | None, tuple | None]:
        """(body index, province, problem, non-exact match key) for one typed combination on the map of its wave
        (``vintage``: ``pre2025``, ``2025``, or None for a wave of 2025: the old map first, then the new)."""
        if self.matcher.empty or vintage == admin_map.OLD or is_blank(typed_province) or (
                is_blank(name) and is_blank(code)):
            return self._locate_old(typed_province, name, code)
        if vintage == admin_map.NEW:  # the new map first; else a former body's name typed after the reform
            found = self._locate_new(typed_province, name, code)
            if found is not None:
                return found
            old = self._locate_old(typed_province, name, code)
            if old[2] is not None and old[2].rule == "unknown_unit":
                from dataclasses import replace

                problem = replace(old[2], suggestion=self._new_suggestion(typed_province, name) or old[2].suggestion)
                return old[0], old[1], problem, old[3]
            return old
        old = self._locate_old(typed_province, name, code)  # a wave of 2025: the old map, then the new one
        if old[2] is None:
            return old
        found = self._locate_new(typed_province, name, code)
        return found if found is not None and found[2] is None else old

    @staticmethod
    def _new_suggestion(typed_province, name) -> str:
        """The commune of the new map closest in spelling to a typed name ('' when none is close)."""
        import difflib

        from iso18091lab.normalize import fold

        table = admin_map.units(admin_map.NEW)
        names = table.loc[(table["level"] == "commune")
                          & table["province"].isin(admin_map.provinces_on_map(typed_province, admin_map.NEW)), "name"]
        close = difflib.get_close_matches(fold(name), [fold(n) for n in names], n=1, cutoff=0.75)
        return next((n for n in names if fold(n) == close[0]), "") if close else ""

    def _locate_new(self, typed_province, name, code, probe: bool = False
                    ) -> tuple[int, str, Problem | None, tuple | None] | None:
        """A body typed in a wave on the new map: a listed post-reform body, else a commune of the official list
        (added as a post-reform body); None when neither has it (the name may be a former body's). ``probe``:
        only look — an official commune is returned as its :class:`OfficialUnit`, not added."""
        if self.matcher_new is not None:
            try:
                found = self.matcher_new.locate(typed_province, name, code)
            except Rejected:
                found = None
            if found is not None:
                index = int(self._new_index[found.index])
                body = self.rows[index]
                match = None if found.exact else (body["province"], nfc(name) or nfc(code), body["unit"],
                                                  body["body_id"], found.how)
                return index, body["province"], None, match
        try:
            unit = admin_map.find(typed_province, name, code, admin_map.NEW)
        except admin_map.NotOnMap as exc:
            if exc.candidates:
                hint = ": " + "; ".join(f"{u.name} ({u.code}, {u.province})" for u in exc.candidates)
                column = "unit" if not is_blank(name) else "code"
                return -1, "", Problem(column, nfc(name) or nfc(code), "ambiguous_unit", hint), None
            return None
        if not lineage._consistent(unit, name, code):  # name of one commune, code of another: not this one
            return None
        if probe:
            return unit
        if unit.code not in self._post_reform:
            self._post_reform[unit.code] = len(self.rows)
            self.rows.append(lineage.post_reform_body(unit))
        index = self._post_reform[unit.code]
        body = self.rows[index]
        typed = {exact_key(name)} | ({nfc(code)} if not is_blank(code) else set())
        exact = bool(typed & {exact_key(unit.name), unit.code})
        match = None if exact else (body["province"], nfc(name) or nfc(code), body["unit"], body["body_id"],
                                    "official list 2025")
        return index, body["province"], None, match

    def _locate_old(self, typed_province, name, code) -> tuple[int, str, Problem | None, tuple | None]:
        """(body index, province, problem, non-exact match key) for one typed combination (units table);
        remembered per typed (province, name, code): a wave of 2025 and a wave after it look a body up alike."""
        key = (nfc(typed_province), nfc(name), nfc(code))
        if key not in self._old:
            self._old[key] = self._locate_units(typed_province, name, code)
        return self._old[key]

    def _locate_units(self, typed_province, name, code) -> tuple[int, str, Problem | None, tuple | None]:
        matcher = self.matcher
        if is_blank(typed_province):
            return -1, "", Problem("province", "", "missing_value"), None
        try:
            province = matcher.province(typed_province)
        except Rejected as exc:
            return -1, "", Problem("province", nfc(typed_province), exc.rule, exc.hint, exc.suggestion), None
        if is_blank(name) and is_blank(code):
            return -1, province, Problem("unit", "", "missing_value"), None
        if matcher.empty:
            unit = nfc(name) or nfc(code)
            code_text = parse_code(code) if not is_blank(code) else ""
            identity = body_id(province, code_text, unit)
            if identity not in self._ad_hoc:
                self._ad_hoc[identity] = len(self.rows)
                self.rows.append({"province": province, "body_id": identity, "unit": unit, "body_label": unit,
                                  "code": code_text or pd.NA, "province_2025": name_2025(province) or pd.NA})
            return self._ad_hoc[identity], province, None, None
        column = "unit" if not is_blank(name) else "code"
        try:
            found = matcher.locate(typed_province, name, code)
        except Rejected as exc:
            typed = nfc(name if column == "unit" else code)
            why = self.rejected.get((province_key(province), fold(typed))) if exc.rule == "unknown_unit" else None
            if why:
                return -1, province, Problem(column, typed, "unit_rejected", why), None
            return -1, province, Problem(column, typed, exc.rule, exc.hint, exc.suggestion), None
        body = self.rows[found.index]
        match = None if found.exact else (body["province"], nfc(name) or nfc(code), body["unit"], body["body_id"],
                                          found.how)
        return found.index, body["province"], None, match

    def columns(self, index: np.ndarray) -> dict[str, pd.api.extensions.ExtensionArray]:
        """Body columns, typed as in the output tables, for rows pointing at ``index`` (assessment/outcome
        naming: ``code`` -> ``unit_code``). Cleaning keeps only the body's index per row (``_body``); the columns
        are taken from the bodies table for the accepted rows (no per-row Python objects)."""
        table = pd.DataFrame(self.rows, columns=BODY_COLUMNS).astype({c: UNIT_DTYPES[c] for c in BODY_COLUMNS})
        if table.empty:
            table = table.reindex(range(1))  # no body at all: every row is quarantined; one empty body to point at
        index = np.maximum(np.asarray(index, dtype=np.intp), 0)
        return {("unit_code" if c == "code" else c): table[c].array.take(index) for c in BODY_COLUMNS}


# --------------------------------------------------------------------------- indicator ids Excel made numbers

def _indicator_id(value: object) -> str | None:
    """:func:`~iso18091lab.catalog.normalise_indicator_id`, remembered per cell value (every sheet repeats them)."""
    try:
        return _indicator_id_cached(value)
    except TypeError:  # an unhashable cell
        return normalise_indicator_id(value)


@lru_cache(maxsize=1 << 14, typed=True)
def _indicator_id_cached(value: object) -> str | None:
    return normalise_indicator_id(value)


def _recover_indicators(table: _Table, catalog_ids: list[str], problems: _Problems,
                        block_keys: list[np.ndarray], recovered: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The indicator id of every row (None where it is not an id), recovering ids that Excel may have turned
    into numbers ('1.10' typed into a General cell is 1.1).

    A cell is *suspect* when its id has a longer sibling in the catalog that reads as the same number ('1.1'
    and '1.10') and either the cell holds a number or its block repeats the id. A block is one body, wave and
    rater in one sheet, in row order; sheets list indicators in catalog order, so a suspect cell is recovered
    when exactly one candidate not used by another row of the block fits between its neighbours' positions (or
    the block holds as many such rows as candidates, in order); a text cell with no such candidate keeps the id
    as typed (a repeated id is then a duplicate or a conflict, as any other). Otherwise the row is quarantined ('ambiguous_indicator') with how to fix the sheet.
    Never dropped silently; every id read otherwise than typed is appended to ``recovered`` as (row, id as
    typed, id recovered), for the data-quality report.
    """
    uniques = table.values("indicator")
    unique_ids = np.array([_indicator_id(u) for u in uniques], dtype=object)
    ids = unique_ids[table.codes("indicator")]
    position = {ind: i for i, ind in enumerate(catalog_ids)}
    same_number: dict[float, list[str]] = {}
    for ind in catalog_ids:
        same_number.setdefault(float(ind), []).append(ind)
    ambiguous = {ind for ids_ in same_number.values() if len(ids_) > 1 for ind in ids_}
    unique_amb = np.array([u in ambiguous for u in unique_ids], dtype=bool)
    flagged = np.zeros(table.n, dtype=bool)
    if not unique_amb.any():
        return ids, flagged
    numeric = np.array([isinstance(u, (int, float)) and not isinstance(u, bool) for u in uniques],
                       dtype=bool)[table.codes("indicator")]
    amb = unique_amb[table.codes("indicator")]
    # a repeated id is an ambiguous one: look for repeats among the ambiguous rows only
    among = np.flatnonzero(amb)
    keys = [pd.factorize(np.asarray(key, dtype=object)[among])[0] for key in block_keys]
    keys.append(pd.factorize(ids[among])[0])
    repeated = np.zeros(table.n, dtype=bool)
    if len(among):
        same = _unique_rows([k + 1 for k in keys])[1]  # NA (-1) becomes a value of its own
        repeated[among] = np.bincount(same)[same] > 1
    suspect = amb & (numeric | repeated)
    if not suspect.any():
        return ids, flagged
    folded = np.stack([pd.factorize(np.asarray(key, dtype=object))[0] for key in block_keys], axis=1)
    block = np.unique(folded, axis=0, return_inverse=True)[1].reshape(-1)
    number = np.array([float(i) if i is not None else np.nan for i in ids])
    ids = ids.copy()
    for b in np.unique(block[suspect]):
        members = np.flatnonzero(block == b)  # in row order within the table
        member_ids = ids[members]
        member_suspect = suspect[members]
        resolved = [position[i] if (not s and i in position) else None for i, s in zip(member_ids, member_suspect)]
        used = {i for i, s in zip(member_ids, member_suspect) if not s and i in position}
        for j, row in enumerate(members):
            if not member_suspect[j]:
                continue
            before = [p for p in resolved[:j] if p is not None]
            after = [p for p in resolved[j + 1:] if p is not None]
            low, high = (before[-1] if before else -1), (after[0] if after else len(catalog_ids))
            options = same_number[number[row]]
            fits = [c for c in options if low < position[c] < high and c not in used]
            if len(fits) > 1:
                waiting = sum(1 for m in range(j, len(members))
                              if member_suspect[m] and number[members[m]] == number[row])
                if len(fits) > 1 and waiting == len(fits):  # as many rows as candidates: they come in order
                    fits = fits[:1]
            if len(fits) == 1:
                choice = fits[0]
            elif not fits and not numeric[row]:  # text out of order: the id as typed
                choice = member_ids[j]
            else:
                problems.add([row], "indicator", nfc(table.raw("indicator")[row]), "ambiguous_indicator",
                             f" ({' / '.join(options)})")
                ids[row] = None
                flagged[row] = True
                continue
            if recovered is not None and choice != member_ids[j]:
                recovered.append((row, member_ids[j], choice))
            ids[row] = choice
            resolved[j] = position[choice]
            used.add(choice)
    return ids, flagged


# --------------------------------------------------------------------------- cleaning one table

def _whole(low: int, high: int, rule: str):
    return lambda value: parse_whole(value, rule, low, high)


def _clean_assessments(table: _Table, bodies: _Bodies, catalog: pd.DataFrame | tuple, scale: Scale,
                       problems: _Problems) -> _Columns:
    """The clean columns of every row of an assessments table (rows with problems are dropped later);
    ``catalog`` indexed by indicator, or its :func:`_catalog_lookups`."""
    days = _wave_dates(table, problems)
    body, province = bodies.locate(table, problems, days)
    year = _parse_unique(table, "year", _whole(1990, 2100, "bad_year"), problems, required=True)
    round_ = _parse_unique(table, "round", _whole(1, 1000, "bad_round"), problems, default=1)
    rater = _parse_unique(table, "rater", lambda v: parse_rater(nfc(v)), problems, required=True)
    catalog_ids, in_catalog, max_of, pillar_of = _catalog_lookups(catalog)
    typed = _unique_rows([table.codes(c) for c in ("province", "unit", "code")])[1]
    rater_id = _texts(table, "rater_id")
    block_keys = [np.where(body >= 0, body, -1 - typed), year, round_, rater, rater_id]
    recovered: list[tuple[int, str, str]] = []
    indicator, recovered_problem = _recover_indicators(table, catalog_ids, problems, block_keys, recovered)
    for row, typed_id, read_id in recovered:  # listed with the name matches: "1.1" read as "1.10", how many rows
        if body[row] >= 0:
            key = (bodies.rows[body[row]]["province"], typed_id, read_id, "", "indicator_order")
            bodies.name_matches[key] = bodies.name_matches.get(key, 0) + 1
    indicator_blank = _blank(table, "indicator")
    missing = np.flatnonzero(indicator_blank)
    problems.add(missing, "indicator", "", "missing_value")
    indicator_distinct = _distinct(indicator)
    known = _per_unique(indicator_distinct, lambda i: i is not None and i in in_catalog, bool)
    unknown = np.flatnonzero(~known & ~indicator_blank & ~recovered_problem)
    problems.add(unknown, "indicator", _texts(table, "indicator")[unknown], "unknown_indicator")
    max_score = _per_unique(indicator_distinct, lambda i: max_of.get(i, np.nan), float)

    score_blank = _blank(table, "score")
    rating_blank = _blank(table, "rating")
    score = np.array(_parse_unique(table, "score", parse_number, problems, default=np.nan), dtype=float)
    out_of_range = np.flatnonzero(~np.isnan(score) & ~np.isnan(max_score) & ((score < 0) | (score > max_score)))
    problems.add(out_of_range, "score", _texts(table, "score")[out_of_range], "score_out_of_range",
                 np.array([f"{m:g}" for m in max_score[out_of_range]], dtype=object))
    rating = _parse_unique(table, "rating", lambda v: parse_rating(nfc(v)), problems)
    neither = np.flatnonzero(score_blank & rating_blank)
    problems.add(neither, "score", "", "missing_score")
    both = np.flatnonzero(~np.isnan(score) & (rating == NOT_ASSESSED))
    problems.add(both, "rating", _texts(table, "rating")[both], "score_and_not_assessed")

    not_assessed = rating == NOT_ASSESSED
    has_score = ~np.isnan(score)
    with np.errstate(invalid="ignore", divide="ignore"):
        from_points = 100.0 * score / max_score
    light_100 = _per_unique(rating, lambda r: scale.rating_to_100.get(r, np.nan) if isinstance(r, str) else np.nan,
                            float)
    score_100 = np.where(has_score, from_points, np.where(not_assessed, np.nan, light_100))
    derived = _per_unique(from_points, lambda v: scale.rating_of(v) if v is not None else None)
    final_rating = np.where(has_score, np.where(rating == None, derived, rating),  # noqa: E711
                            np.where(not_assessed, None, rating))
    source = np.where(has_score, 0, np.where(not_assessed, 1, 2)).astype(np.int8)  # codes: categories below
    assessed_on = _assessed_on(table, days, year, problems)
    frame = _Columns({
        "_body": body, "year": year, "round": round_, "assessed_on": assessed_on, "rater": rater,
        "rater_id": np.where(rater_id == "", None, rater_id), "indicator": indicator,
        "pillar": _per_unique(indicator_distinct, pillar_of.get), "score": score, "max_score": max_score,
        "score_100": score_100, "rating": final_rating, "not_assessed": not_assessed, "score_source": source,
    })
    frame.attrs["province"] = province
    frame.attrs["located"] = body >= 0
    frame.attrs["categories"] = {"score_source": SCORE_SOURCES}
    return frame


#: Where a score row's 0-100 value comes from (``score_source``).
SCORE_SOURCES = ["points", "not_assessed", "rating"]


def _catalog_lookups(catalog: pd.DataFrame | tuple) -> tuple[list, set, dict, dict]:
    """(indicator ids in order, the set of them, max score by id, pillar by id) of a catalog indexed by
    indicator; given as such a tuple (made once by ingest, not once per sheet), returned as it is."""
    if isinstance(catalog, tuple):
        return catalog
    return catalog.index.tolist(), set(catalog.index), catalog["max_score"].to_dict(), catalog["pillar"].to_dict()


def _clean_outcomes(table: _Table, bodies: _Bodies, problems: _Problems) -> pd.DataFrame:
    days = _wave_dates(table, problems)
    body, province = bodies.locate(table, problems, days)
    year = _parse_unique(table, "year", _whole(1990, 2100, "bad_year"), problems, required=True)
    _assessed_on(table, days, year, problems)
    measure = _parse_unique(table, "measure", nfc, problems, required=True)

    def value(v):
        try:
            return parse_number(v)
        except Rejected:
            raise Rejected("bad_value")
    values = np.array(_parse_unique(table, "value", value, problems, required=True, default=np.nan), dtype=float)
    frame = _Columns({"_body": body, "year": year, "measure": measure, "value": values})
    frame.attrs["province"] = province
    frame.attrs["located"] = body >= 0
    return frame


def _clean_units(table: _Table, problems: _Problems) -> pd.DataFrame:
    """Units rows, one by one (a units table is small)."""
    rows = []
    raw = {c: table.raw(c) for c in ("province", "unit", "code", "level", "group", "pilot_start",
                                      "pilot_start_round", "aliases")}
    provinces = np.full(table.n, "", dtype=object)
    rejected: list[tuple[str, str, str, list[Problem]]] = []
    for i in range(table.n):
        found: list[Problem] = []

        def check(column, parse, required=False, default=None):
            value = raw[column][i]
            if is_blank(value):
                if required:
                    found.append(Problem(column, "", "missing_value"))
                return default
            try:
                return parse(value)
            except Rejected as exc:
                found.append(Problem(column, nfc(value), exc.rule, exc.hint, exc.suggestion))
                return default

        province = check("province", nfc, required=True)
        if province is not None:
            province = canonical_name(province) or province
            provinces[i] = province
        name = check("unit", nfc, required=True)
        level = check("level", parse_level)
        tier = TIER.get(level) if level else None
        group = check("group", parse_group, required=True)
        pilot_start = check("pilot_start", _whole(1990, 2100, "bad_year"), default=pd.NA)
        pilot_round = check("pilot_start_round", _whole(1, 1000, "bad_round"), default=pd.NA)
        if group == "pilot" and is_blank(raw["pilot_start"][i]):
            found.append(Problem("pilot_start", "", "pilot_without_start"))
        for problem in found:
            problems.add([i], problem.column, problem.value, problem.rule, problem.hint, problem.suggestion)
        if found:
            rows.append(None)
            if province is not None and name is not None:  # its score rows will say why it is not there
                rejected.append((province, name, nfc(raw["code"][i]), found))
            continue
        if group == "pilot":
            pilot_round = 1 if pilot_round is pd.NA else pilot_round
        else:  # a comparison body has no pilot start; what was typed there is not used
            pilot_start = pilot_round = pd.NA
        code = parse_code(raw["code"][i], tier) if not is_blank(raw["code"][i]) else ""
        rows.append({
            "province": province, "body_id": body_id(province, code, name), "unit": name, "body_label": name,
            "code": code or pd.NA, "level": level or pd.NA, "tier": tier or pd.NA, "group": group,
            "pilot_start": pilot_start, "pilot_start_round": pilot_round, "province_2025": name_2025(province) or pd.NA,
            "aliases": ";".join(filter(None, map(nfc, nfc(raw["aliases"][i]).replace("|", ";").split(";")))) or pd.NA,
        })
    empty = {c: None for c in UNIT_COLUMNS if c not in ("synthetic", "source_file", "source_sheet", "source_row")}
    frame = pd.DataFrame([r if r is not None else empty for r in rows],
                         columns=[c for c in UNIT_COLUMNS if c not in ("synthetic", "source_file", "source_sheet",
                                                                     "source_row")])
    frame.attrs["province"] = provinces
    frame.attrs["located"] = np.ones(table.n, dtype=bool)
    frame.attrs["rejected"] = rejected
    return frame


# --------------------------------------------------------------------------- all tables of one kind

@dataclass
class _Kind:
    """Every row of one kind of table: the clean columns, where each row came from, its status, its problems."""

    frame: pd.DataFrame  # clean columns + _table, _row, _pos, _province, synthetic, source_*
    problems: pd.DataFrame  # pos, column, value, rule, hint, suggestion (pos = position in frame)
    #: units rows rejected: (province, name, code, problems) — rows that refer to them say why
    rejected: list = field(default_factory=list)

    def keep_provenance(self) -> None:
        """Once the accepted rows are out, keep only what the quarantine and file tables read."""
        if not self.frame.empty:
            self.frame = self.frame[["_table", "_local", "_status", "_province", "source_file", "source_sheet",
                                     "source_row"]]


class _Columns(dict):
    """The clean columns of one table (name -> array) with ``attrs`` as a DataFrame has them: the cleaning of
    a table builds one, and :func:`_collect` joins those of every table of a kind into one frame at once (a
    DataFrame per sheet turned each text column into Arrow text and back, sheet by sheet)."""

    def __init__(self, columns: dict):
        super().__init__(columns)
        self.attrs: dict = {}


def _join(parts: list[dict]) -> pd.DataFrame:
    """One frame of the columns of every table (dicts of arrays, emptied as they are joined), in order; numpy
    columns keep their dtype (text stays as Python objects until the output tables are typed)."""
    out = {}
    for name in list(parts[0]):
        arrays = [part.pop(name) for part in parts]  # each table's column let go once joined
        if all(isinstance(a, np.ndarray) for a in arrays):
            joined = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
            out[name] = pd.Series(joined, dtype=joined.dtype, copy=False)
        elif all(isinstance(a, pd.Categorical) and a.dtype == arrays[0].dtype for a in arrays):
            out[name] = pd.Series(pd.Categorical.from_codes(np.concatenate([a.codes for a in arrays]),
                                                            dtype=arrays[0].dtype))
        else:
            out[name] = pd.concat([pd.Series(a).reset_index(drop=True) for a in arrays], ignore_index=True)
    return pd.DataFrame(out)


def _collect(tables: list[_Table], clean) -> _Kind:
    parts, problem_parts, offset, rejected = [], [], 0, []
    files: dict[str, int] = {}
    sheets: dict[str, int] = {}
    for table in tables:
        problems = _Problems()
        frame = clean(table, problems)
        rejected += frame.attrs.pop("rejected", [])
        categories = frame.attrs.pop("categories", {})
        province = frame.attrs.pop("province")
        frame.attrs.pop("located")
        columns = dict(frame.items()) if isinstance(frame, pd.DataFrame) else dict(frame)
        if table.has("source"):
            marks = np.array([is_synthetic_marker(u) for u in table.values("source")], dtype=bool)
            columns["synthetic"] = marks[table.codes("source")]
        else:
            columns["synthetic"] = np.zeros(table.n, dtype=bool)
        # where each row came from: a code per table into the files and sheets of this kind (categories below)
        columns["source_file"] = np.full(table.n, files.setdefault(table.file.as_posix(), len(files)), dtype=np.int64)
        columns["source_sheet"] = np.full(table.n, sheets.setdefault(table.sheet, len(sheets)), dtype=np.int64)
        columns["source_row"] = np.asarray(table.rows)
        if table.kind == "assessments":  # the column of the value's cell (the score's, else the light's)
            from iso18091lab.intake.layouts import column_of

            local = np.arange(table.n)
            score_at = column_of(table.places.get("score", table.places.get("rating")), local)
            rating_at = column_of(table.places.get("rating", table.places.get("score")), local)
            columns["source_column"] = np.where(_blank(table, "score"), rating_at, score_at).astype(object)
        columns["_table"] = np.full(table.n, table.number, dtype=np.int64)
        columns["_local"] = np.arange(table.n)
        columns["_province"] = np.asarray(province, dtype=object)
        table.release()
        if problems.parts:  # most tables have none: no empty frame for them
            found = problems.frame()
            found["pos"] = found["pos"].astype(np.int64) + offset
            problem_parts.append(found)
        parts.append(columns)
        offset += table.n
    frame = _join(parts) if parts else pd.DataFrame()
    for column, names in (categories.items() if parts else ()):  # codes made categorical once, for every table
        frame[column] = pd.Categorical.from_codes(frame[column].to_numpy(), names)
    for column, names in (("source_file", files), ("source_sheet", sheets)):
        if len(frame):
            frame[column] = pd.Categorical.from_codes(frame[column].to_numpy(),
                                                      pd.Index(list(names), dtype=object))
    problems = (pd.concat(problem_parts, ignore_index=True) if problem_parts
                else pd.DataFrame(columns=["pos", "column", "value", "rule", "hint", "suggestion"]))
    if len(frame):
        frame["_status"] = pd.Series(np.full(len(frame), "accepted", dtype=object), dtype=object)
        frame.loc[problems["pos"].unique(), "_status"] = "quarantined"
    return _Kind(frame, problems, rejected)


def _resolve_duplicates(kind: _Kind, key: list[str], values: list[str], value_column: str) -> None:
    """Exact duplicates: keep the first, mark the rest 'duplicate'. Same key, other values: quarantine every
    row of the key ('conflicting_duplicate', the reason names the other rows)."""
    frame = kind.frame
    if frame.empty:
        return
    keys = frame.loc[frame["_status"].to_numpy() == "accepted", key]
    index = keys.index[keys.duplicated(keep=False)]
    if index.empty:
        return
    provenance = ["source_file", "source_sheet", "source_row"] + (["source_column"] if "source_column" in frame else [])
    repeated = frame.loc[index, list(dict.fromkeys(key + values + provenance))]
    new_problems = []
    for _, group in repeated.groupby(key, dropna=False, sort=False):
        distinct = {tuple(_hashable(v) for v in row) for row in group[values].itertuples(index=False)}
        if len(distinct) == 1:
            frame.loc[group.index[1:], "_status"] = "duplicate"
            continue
        columns = group["source_column"] if "source_column" in group else [""] * len(group)
        places = [f"{Path(f).name}/{s or '-'}/{c}{r}" for f, s, r, c in
                  zip(group["source_file"], group["source_sheet"], group["source_row"], columns)]
        for n, position in enumerate(group.index):
            others = ", ".join(p for m, p in enumerate(places) if m != n)
            shown = next((nfc(frame.at[position, c]) for c in values if _hashable(frame.at[position, c]) is not None), "")
            column = next((c for c in values if _hashable(frame.at[position, c]) is not None), value_column)
            new_problems.append({"pos": position, "column": column, "value": shown, "rule": "conflicting_duplicate",
                                 "hint": f": {others}", "suggestion": ""})
        frame.loc[group.index, "_status"] = "quarantined"
    if new_problems:
        kind.problems = pd.concat([kind.problems, pd.DataFrame(new_problems)], ignore_index=True)


def _hashable(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value


def _flag_duplicate_codes(kind: _Kind) -> None:
    """Two different bodies of one province with the same code: quarantine both."""
    frame = kind.frame
    if frame.empty:
        return
    live = frame[(frame["_status"] == "accepted") & frame["code"].notna()]
    clash = live[live.duplicated(["province", "code"], keep=False)]
    new_problems = []
    for _, group in clash.groupby(["province", "code"], sort=False):
        for position in group.index:
            others = ", ".join(group.loc[group.index != position, "unit"])
            new_problems.append({"pos": position, "column": "code", "value": str(frame.at[position, "code"]),
                                 "rule": "duplicate_code", "hint": f": {others}", "suggestion": ""})
        frame.loc[group.index, "_status"] = "quarantined"
    if new_problems:
        kind.problems = pd.concat([kind.problems, pd.DataFrame(new_problems)], ignore_index=True)


# --------------------------------------------------------------------------- files

_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)", re.M)
_PLAIN_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w.]+)", re.M)


def _package_imports(path: Path, root: Path) -> set[Path]:
    """The package's own modules that the module at ``path`` imports (anywhere in it, functions included), read
    from its import statements (relative, or absolute from the package)."""
    text = path.read_text(encoding="utf-8")
    package = path.parent.relative_to(root.parent).parts  # e.g. ("iso18091lab", "stats")
    candidates = []
    for dots, module, names in _FROM_IMPORT.findall(text):
        if dots:
            base = list(package[:len(package) - len(dots) + 1])
        elif module.split(".")[0] == root.name:
            base = []
        else:
            continue
        parts = base + (module.split(".") if module else [])
        candidates.append(parts)
        for name in names.strip("()").replace("\n", " ").split(","):
            name = name.split(" as ")[0].strip()
            if name.isidentifier():
                candidates.append(parts + [name])
    candidates += [m.split(".") for m in _PLAIN_IMPORT.findall(text) if m.split(".")[0] == root.name]
    found = set()
    for parts in candidates:
        target = root.parent.joinpath(*parts)
        for file in (target.with_suffix(".py"), target / "__init__.py"):
            if file.is_file():
                found.add(file)
    return found


@lru_cache(maxsize=1)
def ingest_fingerprint() -> str:
    """A hash of everything ingest's output depends on besides the raw files and the catalog: the source of
    this module and of every package module it imports, transitively (found from the code, so a new rule module
    counts without a list to keep), and the package's data tables (official lists, texts of quarantine
    reasons). Processed data written under another fingerprint is made again."""
    root = Path(__file__).resolve().parents[1]
    todo, seen = [Path(__file__).resolve()], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        if path.name != "__init__.py":  # a package's __init__ counts, but what it re-exports is not a dependency
            todo.extend(_package_imports(path, root) - seen)
    digest = hashlib.sha256()
    for path in sorted(seen) + sorted((root / "data").glob("*.csv")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def raw_fingerprint(raw_dir: str | Path) -> str:
    """SHA-256 over the names and contents of every raw input file."""
    raw_dir = Path(raw_dir)
    digest = hashlib.sha256()
    for path in iter_raw_files(raw_dir):
        digest.update(path.relative_to(raw_dir).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def _astype(frame: pd.DataFrame, dtypes: dict) -> pd.DataFrame:
    """``frame.astype(dtypes)``; a column of Python objects that are all text (or all whole numbers) is converted
    once per distinct value and spread to its rows (a million cells repeat a few dozen values)."""
    out = {}
    for column, dtype in dtypes.items():
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) and len(values):  # the categories, spread by code
            categories = pd.Series(values.cat.categories.to_numpy(dtype=object), dtype=object).astype(dtype).array
            out[column] = categories.take(values.cat.codes.to_numpy(), allow_fill=True)
            continue
        if values.dtype == object and len(values):
            codes, uniques = pd.factorize(values.to_numpy(), use_na_sentinel=True)
            kinds = {type(u) for u in uniques}
            if kinds <= {str} or kinds <= {int, np.int64}:
                converted = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(dtype).array
                out[column] = converted.take(codes, allow_fill=True)
                continue
        out[column] = values.astype(dtype).array
    frame = frame.copy(deep=False)
    for column, array in out.items():
        frame[column] = pd.Series(array, index=frame.index, copy=False)
    return frame


def _typed_assessments(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _astype(frame, {c: d for c, d in ASSESSMENT_DTYPES.items() if c != "assessed_on"})
    frame["assessed_on"] = frame["assessed_on"].astype(object).astype(DATE_DTYPE)  # days from Python dates
    return frame


def _typed_units(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reindex(columns=UNIT_COLUMNS).astype(UNIT_DTYPES)


def _typed_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    return _astype(frame, OUTCOME_DTYPES)


def _label_bodies(units: pd.DataFrame) -> pd.DataFrame:
    """``body_label``: the name, with the code added where two bodies of a province share the name."""
    if units.empty:
        return units
    key = units["province"].astype(str) + "|" + units["unit"].map(exact_key)
    shared = key.duplicated(keep=False)
    code = units["code"].astype(object).where(units["code"].notna(), "?")
    units = units.copy()
    units["body_label"] = units["unit"].where(~shared, units["unit"] + " (" + code.astype(str) + ")")
    return units


def _read_ahead(files: list[Path], limits: ReadLimits, ahead: int | None = None):
    """(path, future of its sheets) in order, while the next files are read: each workbook is parsed in a child
    process (one long-lived child per reading thread, :func:`~iso18091lab.intake.reader.workbook_children`), so
    ``ahead`` (default: the number of cores, at most 4) parse at once beside the cleaning of the current one; at
    most ``ahead + 1`` files' cells are held at a time."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    ahead = ahead or max(1, min(4, os.cpu_count() or 1))
    with workbook_children() as children, \
            ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="iso18091lab-read") as pool:
        pending: deque = deque()
        queue = iter(files)
        for path in itertools.islice(queue, ahead):
            pending.append((path, pool.submit(read_sheets, path, limits, children)))
        while pending:
            path, future = pending.popleft()
            following = next(queue, None)
            if following is not None:
                pending.append((following, pool.submit(read_sheets, following, limits, children)))
            yield path, future


def catalog_fingerprint(catalog: pd.DataFrame) -> str:
    """SHA-256 of a catalog's content (ids, pillars, names, maxima), as written to ``catalog.csv``."""
    return hashlib.sha256(catalog.to_csv(index=False).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- entry point

def ingest(raw_dir: str | Path = DEFAULT_RAW, processed_dir: str | Path | None = DEFAULT_PROCESSED,
           catalog: pd.DataFrame | str | Path | None = None, scale: Scale = DEFAULT_SCALE,
           limits: ReadLimits = DEFAULT_LIMITS, progress: bool | str = False, lang: str | None = None) -> IngestResult:
    """Read every data file under ``raw_dir``, clean and validate it, and write the processed tables,
    ``quarantine.csv``, ``name_matches.csv``, the catalog used and the run summary to ``processed_dir``
    (None: write nothing). ``result.summary["exit_status"]`` is 0 when everything was clean, 1 when rows
    were quarantined or files failed, 2 when nothing usable was read. ``progress``: a progress bar (True, or
    the language of its label, "vi" / "en"). ``lang``: the language of the errors raised (and of the progress
    label); None: both, Vietnamese first.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise IngestError(said("ingest_no_raw", lang, folder=raw_dir))
    catalog_source = "bundled" if catalog is None else ("frame" if isinstance(catalog, pd.DataFrame) else str(catalog))
    if not isinstance(catalog, pd.DataFrame):
        catalog = load_catalog(catalog)
    by_indicator = catalog.set_index("indicator")
    listing = list_raw_files(raw_dir)
    files = [f.path for f in listing if f.status == "read"]
    if not files:
        raise IngestError(said("ingest_no_files", lang, folder=raw_dir))

    sheet_rows: list[dict] = [{"file": f.relative, "sheet": "", "table": "", "status": "skipped",
                               "message_vi": f.reason_vi, "message_en": f.reason_en}
                              for f in listing if f.status != "read"]
    tables: list[_Table] = []
    label = lang or (progress if progress in ("vi", "en") else "vi")
    for path, sheets in tqdm(_read_ahead(files, limits), total=len(files), desc=t("progress_reading", label),
                             unit=t("progress_unit_file", label), disable=not progress):
        relative = path.relative_to(raw_dir).as_posix()
        try:
            sheets = sheets.result()
        except FileReadError as exc:
            sheet_rows.append({"file": relative, "sheet": "", "table": "", "status": "error",
                               "message_vi": exc.reason_vi, "message_en": exc.reason_en})
            continue
        except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            sheet_rows.append({"file": relative, "sheet": "", "table": "", "status": "error",
                               "message_vi": t("ingest_file_unexpected", "vi", detail=detail),
                               "message_en": t("ingest_file_unexpected", "en", detail=detail)})
            continue
        for sheet in sheets:
            sheet.file = Path(relative)  # messages name the file as the user sees it in the raw folder
            try:
                found = recognise_table(sheet)
            except Exception as exc:  # noqa: BLE001 - one sheet the readers cannot make sense of must not stop the run
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                sheet_rows.append({"file": relative, "sheet": sheet.sheet, "table": "", "status": "error",
                                   "message_vi": t("ingest_sheet_unexpected", "vi", detail=detail),
                                   "message_en": t("ingest_sheet_unexpected", "en", detail=detail)})
                continue
            if isinstance(found, StructuralError):  # one file-level error, not one quarantine line per row
                sheet_rows.append({"file": relative, "sheet": sheet.sheet, "table": found.kind, "status": "error",
                                   "message_vi": found.message_vi, "message_en": found.message_en})
            elif isinstance(found, SkippedSheet):
                sheet_rows.append({"file": relative, "sheet": sheet.sheet, "table": "", "status": "skipped",
                                   "message_vi": found.reason_vi, "message_en": found.reason_en})
            else:
                tables.append(_Table(found, len(tables)))
        del sheets

    of_kind = lambda kind: [t for t in tables if t.kind == kind]  # noqa: E731
    units_kind = _collect(of_kind("units"), _clean_units)
    _resolve_duplicates(units_kind, ["province", "unit", "code"],
                        ["level", "group", "pilot_start", "pilot_start_round", "aliases"], "unit")
    _flag_duplicate_codes(units_kind)
    units = _label_bodies(_finish(units_kind, UNIT_COLUMNS, _typed_units))
    bodies = _Bodies(units, units_kind.rejected)
    lookups = _catalog_lookups(by_indicator)
    assessments_kind = _collect(of_kind("assessments"),
                                lambda t, p: _clean_assessments(t, bodies, lookups, scale, p))
    _resolve_duplicates(assessments_kind, ["_body", "year", "round", "rater", "rater_id", "indicator"],
                        ["score", "rating", "not_assessed"], "score")
    outcomes_kind = _collect(of_kind("outcomes"), lambda t, p: _clean_outcomes(t, bodies, p))
    _resolve_duplicates(outcomes_kind, ["_body", "year", "measure"], ["value"], "value")
    units = _with_lineage(units, bodies)

    assessments = _finish(assessments_kind, ASSESSMENT_COLUMNS, _typed_assessments, bodies)
    assessments_kind.keep_provenance()
    outcomes = _finish(outcomes_kind, OUTCOME_COLUMNS, _typed_outcomes, bodies)
    outcomes_kind.keep_provenance()
    if units.empty:  # no units table: the label is the name as written (codes added where names repeat)
        for frame in (assessments, outcomes):
            shared = frame.groupby(["province", "unit"])["body_id"].transform("nunique") > 1
            frame["body_label"] = frame["unit"].where(~shared, frame["unit"] + " (" + frame["unit_code"].fillna("?")
                                                      + ")")
    kinds = {"units": units_kind, "assessments": assessments_kind, "outcomes": outcomes_kind}
    checks = _check_table(tables, assessments_kind)
    quarantine = _quarantine_table(kinds, tables, bodies.matcher)
    files_table = _file_summary(tables, kinds, sheet_rows)
    name_matches = _frame([dict(zip(NAME_MATCH_COLUMNS, key + (n,))) for key, n in sorted(bodies.name_matches.items())],
                          NAME_MATCH_COLUMNS)
    summary = _summary(raw_dir, files_table, assessments, units, outcomes, catalog)
    summary.update(catalog_source=catalog_source, catalog_fingerprint=catalog_fingerprint(catalog),
                   name_matches=len(name_matches), total_checks=len(checks) + checks.attrs.get("ok", 0),
                   total_mismatches=int((checks["status"] == "mismatch").sum()),
                   quarantined_unattributed=int((quarantine.drop_duplicates(["file", "sheet", "row"])["province"]
                                                 == "").sum()))
    summary["exit_status"] = exit_status(summary)
    summary["file_provinces"] = file_provinces(assessments, units, outcomes, quarantine)
    result = IngestResult(assessments, units, outcomes, quarantine, files_table, summary, name_matches, catalog, checks)
    parts = _Parts(result)  # each province's rows taken when its folder is written
    tables = _TableWriter(result, Path(processed_dir), parts) if processed_dir is not None else None
    try:  # the Parquet tables are written while the province hashes are made
        summary["province_hashes"] = province_hashes(result, parts)
    except BaseException:
        if tables is not None:
            tables.close()
        raise
    if tables is not None:
        write_processed(result, processed_dir, parts, tables)
    return result


def _with_lineage(units: pd.DataFrame, bodies: _Bodies) -> pd.DataFrame:
    """The units table with each body's place across the 2025 reform (:func:`iso18091lab.intake.lineage.annotate`), and
    the communes of the new map that waves after 1 July 2025 named without the units table listing them (rows
    with no source file: they come from the official list)."""
    if bodies.matcher.empty:
        return units
    for index, rules in bodies.map_rules.items():  # which rule put the body's waves on their map
        bodies.rows[index]["map_rule"] = ";".join(r for r in admin_map.MAP_RULES if r in rules)
    lineage.annotate(bodies.rows)
    units = units.copy()
    if any(row.get("vintage") == admin_map.NEW for row in bodies.rows):  # data on the map of today: labels speak it
        for index, row in enumerate(bodies.rows[:bodies.n_units]):
            if not lineage._blank(row.get("label_today")):
                row["body_label"] = row["label_today"]
                units.at[index, "body_label"] = row["label_today"]
    for column in lineage.BODY_LINEAGE:  # group and pilot start: listed bodies keep what the units table says
        units[column] = pd.array([row.get(column, pd.NA) for row in bodies.rows[:bodies.n_units]],
                                 dtype=UNIT_DTYPES[column])
    added = bodies.rows[bodies.n_units:]
    if added:
        extra = pd.DataFrame(added).reindex(columns=UNIT_COLUMNS)
        extra["synthetic"] = bool(units["synthetic"].any()) if len(units) else False
        extra["aliases"] = pd.NA
        units = pd.concat([units, _typed_units(extra)], ignore_index=True)
    return _typed_units(units)


def _check_table(tables: list[_Table], kind: _Kind) -> pd.DataFrame:
    """The totals written beside the scores that do not match them or cannot be checked
    (:class:`iso18091lab.intake.layouts.TotalCheck`), with the province their row's scores were attributed to ('' when
    none); ``attrs["ok"]`` is the number of totals that match (a table's ``checks`` holds such counts as ints)."""
    ok = sum(c for t in tables for c in t.checks if isinstance(c, int))
    rows = [dict(c.__dict__, difference=c.difference, _table=t.number) for t in tables for c in t.checks
            if not isinstance(c, int)]
    if not rows:
        frame = _frame([], CHECK_COLUMNS)
        frame.attrs["ok"] = ok
        return frame
    frame = pd.DataFrame(rows)
    province = {}
    if not kind.frame.empty:
        located = kind.frame[kind.frame["_province"] != ""]
        province = dict(zip(zip(located["_table"], located["source_row"]), located["_province"]))
    frame["province"] = [province.get((t, r), "") for t, r in zip(frame["_table"], frame["row"])]
    if (frame["province"] == "").any():  # a form's total row: the province of the table's scores
        by_table = {}
        if not kind.frame.empty:
            by_table = kind.frame[kind.frame["_province"] != ""].groupby("_table")["_province"].first().to_dict()
        frame["province"] = [p or by_table.get(t, "") for p, t in zip(frame["province"], frame["_table"])]
    frame["pillar"] = frame["pillar"].astype("Int64")
    frame = frame[CHECK_COLUMNS].reset_index(drop=True)
    frame.attrs["ok"] = ok
    return frame


def exit_status(summary: dict) -> int:
    """0: everything read and accepted; 1: some rows quarantined or files failed; 2: nothing usable."""
    if summary["accepted"] == 0 or summary["tables"]["assessments"] == 0:
        return 2
    if summary["quarantined"] or summary["files_failed"]:
        return 1
    return 0


def _finish(kind: _Kind, columns: list[str], typed, bodies: _Bodies | None = None) -> pd.DataFrame:
    """The accepted rows of one kind, with the documented columns and types (``bodies``: fill in the body
    columns from each row's ``_body``)."""
    frame = kind.frame
    if frame.empty:
        return typed(pd.DataFrame(columns=columns))
    accepted = frame["_status"].to_numpy() == "accepted"
    if bodies is None:
        return typed(frame.loc[accepted, columns].reset_index(drop=True))
    body_columns = pd.DataFrame(bodies.columns(frame["_body"].to_numpy()[accepted]))
    own = frame.loc[accepted, [c for c in columns if c not in body_columns]].reset_index(drop=True)  # keeps Arrow text
    return typed(pd.concat([body_columns, own], axis=1)[columns])


def _quarantine_table(kinds: dict[str, _Kind], tables: list[_Table], matcher: UnitMatcher) -> pd.DataFrame:
    """One row per broken rule. ``province`` is the province the row was attributed to ('' when none could
    be), ``province_suggested`` the likeliest one for rows that could not be attributed."""
    parts = []
    for name, kind in kinds.items():
        problems = kind.problems
        if problems.empty:
            continue
        frame = kind.frame
        positions = problems["pos"].to_numpy(np.int64)
        table_of = frame["_table"].to_numpy()[positions]
        part = pd.DataFrame({
            "file": frame["source_file"].to_numpy()[positions], "sheet": frame["source_sheet"].to_numpy()[positions],
            "row": frame["source_row"].to_numpy()[positions], "table": name,
            "column": _column_names(tables, table_of, frame["_local"].to_numpy()[positions],
                                    problems["column"].to_numpy()),
            "cell": _cell_refs(tables, table_of, frame["_local"].to_numpy()[positions],
                               frame["source_row"].to_numpy()[positions], problems["column"].to_numpy()),
            "value": problems["value"].to_numpy(), "rule": problems["rule"].to_numpy(),
            "province": frame["_province"].to_numpy()[positions],
            "_hint": problems["hint"].to_numpy(), "_suggestion": problems["suggestion"].to_numpy(),
            "_typed_province": _cells(tables, table_of, frame["_local"].to_numpy()[positions], "province"),
            "_typed_unit": _cells(tables, table_of, frame["_local"].to_numpy()[positions], "unit"),
        })
        parts.append(part)
    if not parts:
        return _frame([], QUARANTINE_COLUMNS).astype({"row": "Int64"})
    frame = pd.concat(parts, ignore_index=True)
    frame["values"] = [json.dumps(problem_values(r, h, s), ensure_ascii=False)
                       for r, h, s in zip(frame["rule"], frame["_hint"], frame["_suggestion"])]
    frame["province"] = frame["province"].fillna("").astype(str)
    suggestions: dict[tuple, str] = {}
    for key in {(nfc(p), nfc(u)) for p, u, q in zip(frame["_typed_province"], frame["_typed_unit"], frame["province"])
                if q == ""}:
        suggestions[key] = matcher.likely_province(*key)
    frame["province_suggested"] = [suggestions.get((nfc(p), nfc(u)), "") if q == "" else ""
                                   for p, u, q in zip(frame["_typed_province"], frame["_typed_unit"], frame["province"])]
    frame = frame[QUARANTINE_COLUMNS].astype({"row": "Int64"})
    return frame.sort_values(["file", "sheet", "row"], kind="stable").reset_index(drop=True)


def _column_names(tables: list[_Table], table_of: np.ndarray, local: np.ndarray, columns: np.ndarray) -> list[str]:
    """The header as written of each problem's column; in a wide layout, of the cell's own column (the indicator
    '2.2' of a summary matrix, the rater 'Hội đồng thẩm định / Điểm' of a form)."""
    out = []
    for k, i, c in zip(table_of, local, columns):
        table = tables[k]
        place = table.places.get("rating" if c == "not_assessed" else c)
        if table.column_names and isinstance(place, np.ndarray):
            out.append(table.column_names.get(int(place[i]), table.headers.get(c, c)))
        elif table.column_names and isinstance(place, tuple):
            out.append(table.column_names.get(int(place[2][i]), table.headers.get(c, c)))
        else:
            out.append(table.headers.get(c, c))
    return out


def _cell_refs(tables: list[_Table], table_of: np.ndarray, local: np.ndarray, rows: np.ndarray,
               columns: np.ndarray) -> np.ndarray:
    """The cell ('J7', or a title / labelled cell such as 'B3'; '' for a value from the sheet name) of each
    problem: (table number, position within the table, spreadsheet row, canonical column)."""
    from iso18091lab.intake.layouts import cell_refs

    out = np.full(len(local), "", dtype=object)
    columns = np.array(["rating" if c == "not_assessed" else c for c in columns], dtype=object)
    for number in np.unique(table_of):
        for column in np.unique(columns[table_of == number]):
            mask = (table_of == number) & (columns == column)
            place = tables[number].places.get(column)
            if place is not None:
                out[mask] = cell_refs(place, local[mask], rows[mask])
    return out


def _cells(tables: list[_Table], table_of: np.ndarray, local: np.ndarray, column: str) -> np.ndarray:
    """Raw cells of ``column`` for rows given by (table number, position within the table)."""
    out = np.empty(len(local), dtype=object)
    for number in np.unique(table_of):
        mask = table_of == number
        out[mask] = tables[number].raw(column)[local[mask]]
    return out


def _file_summary(tables: list[_Table], kinds: dict[str, _Kind], other_rows: list[dict]) -> pd.DataFrame:
    counts: dict[int, dict[str, int]] = {}
    for kind in kinds.values():
        if kind.frame.empty:
            continue
        tally = kind.frame.groupby(["_table", "_status"]).size()
        for (table, status), n in tally.items():
            counts.setdefault(int(table), {"accepted": 0, "quarantined": 0, "duplicate": 0})[status] = int(n)
    rows = list(other_rows)
    for table in tables:
        tally = counts.get(table.number, {"accepted": 0, "quarantined": 0, "duplicate": 0})
        if table.n != tally["accepted"] + tally["quarantined"] + tally["duplicate"]:  # pragma: no cover - a bug
            raise AssertionError(f"row counts do not reconcile for {table.file}/{table.sheet}")
        rows.append({"file": table.file.as_posix(), "sheet": table.sheet, "table": table.kind, "status": "ok",
                     "rows_read": table.n, "accepted": tally["accepted"], "quarantined": tally["quarantined"],
                     "duplicates": tally["duplicate"], "empty_rows": table.empty_rows,
                     "header_row": "+".join(map(str, table.header_rows)), "message_vi": "", "message_en": ""})
    frame = _frame(rows, FILE_SUMMARY_COLUMNS)
    for column in ("rows_read", "accepted", "quarantined", "duplicates", "empty_rows"):
        frame[column] = frame[column].fillna(0).astype(int)
    text = [c for c in FILE_SUMMARY_COLUMNS if c not in ("rows_read", "accepted", "quarantined", "duplicates",
                                                          "empty_rows")]
    frame[text] = frame[text].astype(object).fillna("")
    return frame.sort_values(["file", "sheet"], kind="stable").reset_index(drop=True)


def _summary(raw_dir: Path, files: pd.DataFrame, assessments: pd.DataFrame, units: pd.DataFrame,
             outcomes: pd.DataFrame, catalog: pd.DataFrame) -> dict:
    totals = {c: int(files[c].sum()) for c in ("rows_read", "accepted", "quarantined", "duplicates", "empty_rows")}
    listed = int(units["source_file"].notna().sum()) if "source_file" in units else len(units)  # + official list
    accepted = len(assessments) + listed + len(outcomes)
    if totals["accepted"] != accepted or totals["rows_read"] != (
            totals["accepted"] + totals["quarantined"] + totals["duplicates"]):  # pragma: no cover - a bug
        raise AssertionError("ingest row counts do not reconcile")
    flags = pd.concat([assessments["synthetic"], units["synthetic"], outcomes["synthetic"]])
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "package_version": __version__,
        "ingest_fingerprint": ingest_fingerprint(),
        "raw_dir": str(raw_dir.resolve()),
        "raw_fingerprint": raw_fingerprint(raw_dir),
        "files_read": int(files.loc[files["status"] != "error", "file"].nunique()),
        "files_failed": sorted(files.loc[files["status"] == "error", "file"].unique().tolist()),
        "sheets_skipped": int((files["status"] == "skipped").sum()),
        **totals,
        "tables": {"assessments": len(assessments), "units": len(units), "outcomes": len(outcomes)},
        "synthetic": "yes" if len(flags) and bool(flags.all()) else ("mixed" if bool(flags.any()) else "no"),
        "provinces": sorted(set(of_today(pd.concat([assessments["province"], units["province"]]).dropna().unique()))
                            - {""}),  # one report per province of today
        "catalog_indicators": len(catalog),
        "units_table_empty": bool(units.empty),
    }




def processed_hash(processed_dir: str | Path) -> str:
    """SHA-256 of the processed tables: the identity of a dataset (reports folder, caches, evidence packs)."""
    if not isinstance(processed_dir, (str, os.PathLike)):
        raise ValueError(f"processed_dir must be a folder path, not {type(processed_dir).__name__}")
    folder = Path(processed_dir)
    if not (folder / "assessments.parquet").exists():
        raise ValueError(f"no processed data in {folder}")
    digest = hashlib.sha256()
    for name in HASHED_FILES:
        path = folder / name
        if path.exists():
            digest.update(name.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def file_provinces(assessments: pd.DataFrame, units: pd.DataFrame, outcomes: pd.DataFrame,
                   quarantine: pd.DataFrame) -> dict[str, list[str]]:
    """Which provinces each input file holds rows of (accepted or quarantined); a file not listed holds none
    that could be attributed (unreadable, or only unattributable rows) and concerns every province."""
    pairs = [_distinct_rows(frame, ["source_file", "province"]).set_axis(["file", "province"], axis=1)
             for frame in (assessments, units, outcomes)]
    pairs.append(quarantine.loc[quarantine["province"] != "", ["file", "province"]])
    found = pd.concat(pairs, ignore_index=True).dropna().drop_duplicates()
    found["province"] = of_today(found["province"]).to_numpy()
    found = found.drop_duplicates()
    return {file: sorted(group["province"].astype(str)) for file, group in found.groupby("file", sort=True)}


def _distinct_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The first row of each distinct combination of ``columns`` (missing values a value of their own), in
    row order: a national table repeats a few dozen (file, province) pairs a million times."""
    if not len(frame):
        return frame[columns]
    codes = [pd.factorize(frame[c], use_na_sentinel=True)[0] + 1 for c in columns]
    first = np.unique(_unique_rows(codes)[1], return_index=True)[1]
    return frame[columns].iloc[np.sort(first)]


def _rows_of_today(column: pd.Series) -> dict[str, np.ndarray]:
    """Positions of the rows of each province of today (:func:`~iso18091lab.intake.provinces.of_today`: a
    missing province is ''), in row order; the province of today of each distinct value is looked up once."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    today = of_today(pd.Series(np.asarray(uniques, dtype=object), dtype=object)).tolist() + [""]
    names = list(dict.fromkeys(today))
    group = np.array([names.index(t) for t in today], dtype=np.int64)[np.where(codes < 0, len(uniques), codes)]
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(names) + 1))
    return {name: order[bounds[i]:bounds[i + 1]] for i, name in enumerate(names)}


def province_files(summary: dict, province: str) -> list[dict]:
    """The file entries of an ingest summary that concern ``province``: the files holding its rows, and the
    files attributable to no province (unreadable ones, or with only unattributable rows)."""
    where = summary.get("file_provinces") or {}
    return [f for f in summary.get("files", []) if province in where.get(f["file"], [province])]


def by_province(result: IngestResult) -> dict[str, dict[str, pd.DataFrame]]:
    """Each province's rows of the three tables (row order kept, index reset), split in one pass per table."""
    parts = _Parts(result)
    return {province: parts[province] for province in parts}


class _Parts(Mapping):
    """:func:`by_province` made one province at a time, when asked (``parts[province]``): writing the province
    folders then holds one province's copy of the rows, not a second copy of every table. ``rows``: per table,
    the positions of each province's rows."""

    def __init__(self, result: IngestResult):
        self.result = result
        self.rows = {name: _rows_of_today(getattr(result, name)["province"]) if len(getattr(result, name)) else {}
                     for name in ("assessments", "units", "outcomes")}  # the province of today

    def __getitem__(self, province: str) -> dict[str, pd.DataFrame]:
        if province not in self.result.summary["provinces"]:
            raise KeyError(province)
        return {name: getattr(self.result, name).take(rows.get(province, np.zeros(0, dtype=np.intp)))
                .reset_index(drop=True) for name, rows in self.rows.items()}

    def __iter__(self):
        return iter(self.result.summary["provinces"])

    def __len__(self) -> int:
        return len(self.result.summary["provinces"])


def province_hashes(result: IngestResult, parts: dict[str, dict[str, pd.DataFrame]]) -> dict[str, str]:
    """SHA-256 of everything a province's reports read: its rows of the three tables (``parts``, from
    :func:`by_province`), its quarantine rows and the unattributed ones, its name matches, its files' entries,
    the catalog and the synthetic flag. A province whose hash is unchanged gets the same reports (the runner
    reuses them).

    A row's hash (``pandas.util.hash_pandas_object``) depends on that row alone, so each whole table is hashed
    once and a province's rows are taken from it (hashing each province's part column by column cost a
    thousand small hashes): the same bytes as hashing ``parts``."""
    summary = {**result.summary, "files": result.files.to_dict(orient="records")}
    common = json.dumps([summary.get("catalog_fingerprint"), summary.get("synthetic")]).encode()
    matches = result.name_matches if result.name_matches is not None else pd.DataFrame(columns=["province"])

    def update(digest, name: str, frame: pd.DataFrame) -> None:
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        digest.update(",".join(map(str, frame.columns)).encode())

    rows, columns = {}, {}
    for name in ("assessments", "units", "outcomes"):
        frame = _dates_as_categories(getattr(result, name))
        if any(isinstance(dtype, pd.ArrowDtype) for dtype in frame.dtypes):
            continue  # Arrow numbers hash as their numpy form, which depends on the part's nulls: hash the parts
        where = parts.rows[name] if isinstance(parts, _Parts) else (
            _rows_of_today(frame["province"]) if len(frame) else {})
        rows[name] = (pd.util.hash_pandas_object(frame, index=False).to_numpy(), where)
        columns[name] = ",".join(map(str, frame.columns)).encode()
    hashes = {}
    for province in parts:
        digest = hashlib.sha256(common)
        for name in ("assessments", "units", "outcomes"):
            if name not in rows:
                update(digest, name, parts[province][name])
                continue
            row_hashes, where = rows[name]
            digest.update(name.encode())
            digest.update(row_hashes[where.get(province, np.zeros(0, dtype=np.intp))].tobytes())
            digest.update(columns[name])
        update(digest, "name_matches", matches[of_today(matches["province"]).to_numpy() == province])
        update(digest, "quarantine", result.quarantine[of_today(result.quarantine["province"]).isin([province, ""])
                                                       .to_numpy()])
        if result.checks is not None and len(result.checks):
            update(digest, "total_checks", result.checks[of_today(result.checks["province"]).isin([province, ""])
                                                         .to_numpy()])
        digest.update(json.dumps(province_files(summary, province), sort_keys=True, default=str).encode())
        hashes[province] = digest.hexdigest()
    return hashes


def _dates_as_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its Arrow date columns as categoricals of the same ``datetime.date`` values, which
    ``pandas.util.hash_pandas_object`` hashes to the same row hashes (both hash each distinct date's text, and a
    missing date as the null hash) without making a Python object of every cell; other columns are shared.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table of the ingest.

    Returns
    -------
    pandas.DataFrame
        ``frame`` itself when it has no Arrow date column, else a shallow copy.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    dates = [name for name, dtype in frame.dtypes.items()
             if isinstance(dtype, pd.ArrowDtype) and pa.types.is_date(dtype.pyarrow_dtype)]
    if not dates:
        return frame
    frame = frame.copy(deep=False)
    for name in dates:
        column = pa.array(frame[name].array)
        encoded = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
        frame[name] = pd.Categorical.from_codes(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False),
                                                pd.Index(encoded.dictionary.to_pylist(), dtype=object))
    return frame


def write_partitions(parts: dict[str, dict[str, pd.DataFrame]], out: Path) -> None:
    """One folder per province under ``<out>/provinces/`` with its rows of the three tables (``parts``, from
    :func:`by_province`), so that a province report reads only its own province; the folder is replaced whole.
    Each records the digest of the whole tables it was cut from (``partition.json``), so a reader can tell a
    stale partition by content, not by file times."""
    _place_partitions(_stage_partitions(parts, out), parts, out)


def _stage_partitions(parts: dict[str, dict[str, pd.DataFrame]], out: Path) -> Path:
    """The province folders' tables, written into a staging folder in ``out`` (returned)."""
    from iso18091lab.normalize import slugify

    staging = Path(tempfile.mkdtemp(dir=out, prefix=".provinces."))
    try:
        for province, tables in parts.items():
            folder = staging / slugify(province)
            folder.mkdir()
            for name, frame in tables.items():
                frame.to_parquet(folder / f"{name}.parquet", index=False)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _place_partitions(staging: Path, parts: dict[str, dict[str, pd.DataFrame]], out: Path) -> None:
    """Record the whole tables' digest in each staged province folder and put the folders in place at once."""
    from iso18091lab.normalize import slugify

    source = tables_digest(out)
    for province in parts:
        (staging / slugify(province) / "partition.json").write_text(
            json.dumps({"province": province, "tables_digest": source}), encoding="utf-8")
    old = out / PARTITIONS
    if old.exists():
        retired = Path(tempfile.mkdtemp(dir=out, prefix=".old-provinces."))
        os.replace(old, retired / PARTITIONS)
        shutil.rmtree(retired, ignore_errors=True)
    os.replace(staging, old)


class _TableWriter:
    """Writes the Parquet tables of an ingest, whole and by province, in two threads (Arrow encodes and
    compresses without holding the GIL) while the calling thread goes on with the province hashes and the CSV
    files. :meth:`finish` waits for them and puts the province folders in place; :meth:`close` waits and
    discards the province folders (the run failed)."""

    def __init__(self, result: IngestResult, out: Path, parts: dict[str, dict[str, pd.DataFrame]]):
        from concurrent.futures import ThreadPoolExecutor

        self.out, self.parts = Path(out), parts
        self.out.mkdir(parents=True, exist_ok=True)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="iso18091lab-write")
        self._whole = [self._pool.submit(write_atomic, self.out / f"{name}.parquet",
                                         lambda p, f=frame: f.to_parquet(p, index=False))
                       for name, frame in (("assessments", result.assessments), ("units", result.units),
                                           ("outcomes", result.outcomes))]
        self._staging = self._pool.submit(_stage_partitions, parts, self.out)

    def finish(self) -> None:
        try:
            for future in self._whole:
                future.result()
            staging = self._staging.result()
        except BaseException:
            self.close()
            raise
        self._pool.shutdown()
        _place_partitions(staging, self.parts, self.out)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._staging.exception() is None:
            shutil.rmtree(self._staging.result(), ignore_errors=True)


def write_processed(result: IngestResult, processed_dir: str | Path,
                    parts: dict[str, dict[str, pd.DataFrame]] | None = None,
                    tables: _TableWriter | None = None) -> None:
    """Write the clean tables (whole and by province: ``parts`` from :func:`by_province`, split here when not
    given), quarantine and summary atomically into ``processed_dir``. ``tables``: the Parquet writes already
    under way (:class:`_TableWriter`), else started here; the summary is written last."""
    out = Path(processed_dir)
    if tables is None:
        tables = _TableWriter(result, out, parts if parts is not None else _Parts(result))
    try:
        # files people open in Excel: text that Excel would run as a formula is neutralised (excel.write_csv)
        write_atomic(out / "quarantine.csv", lambda p: write_csv(result.quarantine, p))
        write_atomic(out / "ingest_summary.csv", lambda p: write_csv(result.files, p))
        if result.name_matches is not None:
            write_atomic(out / "name_matches.csv", lambda p: write_csv(result.name_matches, p))
        if result.checks is not None:
            write_atomic(out / "total_checks.csv", lambda p: write_csv(result.checks, p))
        lineage_rows = lineage.lineage_table(result.units)
        write_atomic(out / "unit_lineage.csv", lambda p: write_csv(lineage_rows, p))
        if result.catalog is not None:
            write_atomic(out / "catalog.csv", lambda p: result.catalog.to_csv(p, index=False, encoding="utf-8-sig"))
    except BaseException:
        tables.close()
        raise
    tables.finish()
    write_atomic(out / "ingest_summary.json", lambda p: p.write_text(
        json.dumps({**result.summary, "files": result.files.to_dict(orient="records")}, ensure_ascii=False, indent=2),
        encoding="utf-8"))

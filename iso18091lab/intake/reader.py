"""Reading tables in raw CSV, text and spreadsheet files, safely.

* :func:`read_sheets` returns every sheet of a file as rows of cell values, row ``i`` of the
  list being spreadsheet row ``i + 1``; text is NFC. Read: ``.xlsx``/``.xlsm``, legacy ``.xls``
  (BIFF), ``.ods``, and delimited text (``.csv``, ``.tsv``, ``.txt``; :mod:`iso18091lab.intake.decoding`).
  Workbooks are checked before parsing (:func:`iso18091lab.intake.files.check_workbook`) and parsed in a child
  process with a memory and time limit, so a hostile or broken workbook cannot take the whole run down.
* :func:`recognise_table` recognises which table a sheet holds from its headers
  (:mod:`iso18091lab.intake.headers`; the wide layouts — summary matrices and per-body forms — through
  :mod:`iso18091lab.intake.layouts`) and returns a :class:`FoundTable`, a :class:`SkippedSheet` (no table:
  instructions, lists) or a :class:`~iso18091lab.intake.headers.StructuralError` (a table of a known kind whose
  required column is missing or not recognised, with a fix in Vietnamese and English).

Files are only ever opened for reading.
"""
from __future__ import annotations

import pickle
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from iso18091lab.config import DEFAULT_LIMITS, ReadLimits
from iso18091lab.i18n import t
from iso18091lab.intake.decoding import _read_csv_rows
from iso18091lab.intake.files import EXCEL_SUFFIXES, FileReadError, _both, check_workbook
from iso18091lab.intake.headers import (TABLE_COLUMNS, StructuralError, UnrecognisedHeader, _Candidate, _candidates,
                                        _suggest, canonical_header, column_letter)
from iso18091lab.intake.workbook_child import run_one
from iso18091lab.normalize import nfc


@dataclass
class RawSheet:
    """Cell values of one sheet (or a CSV file); ``rows[i]`` is spreadsheet row ``i + 1``."""

    file: Path
    sheet: str
    rows: list[list[object]]


@dataclass
class FoundTable:
    """A recognised table: its kind, where its header is, and its data rows — kept by column: ``row_numbers``
    (spreadsheet row of each data row), and per canonical column its distinct cells (``uniques``) and each row's
    index into them (``codes``; an empty cell, None, is ``len(uniques)``)."""

    file: Path
    sheet: str
    kind: str
    header_rows: tuple[int, ...]
    headers: dict[str, str]  # canonical column -> header text as written in the file
    row_numbers: "np.ndarray" = None
    codes: dict = field(default_factory=dict)
    uniques: dict = field(default_factory=dict)
    empty_rows: int = 0
    title: str = ""
    #: Where each canonical column's cells are: a column index (the row's own row), an array of column indexes (one
    #: per row), a cell reference for every row (a title or labelled cell; '' for the sheet name), or
    #: ('header', row, column indexes). See :func:`iso18091lab.intake.layouts.cell_refs`.
    places: dict = field(default_factory=dict)
    #: ``long``, or the wide layout the rows were built from: ``matrix`` or ``form``.
    layout: str = "long"
    #: Totals written beside the scores and their checks (:class:`iso18091lab.intake.layouts.TotalCheck`).
    checks: list = field(default_factory=list)
    #: Wide layouts: the header of each column a value can come from (column index -> header as written).
    column_names: dict = field(default_factory=dict)

    def cells(self, column: str) -> "np.ndarray":
        """The cells of one column, row by row (an object array; None for an empty cell)."""
        import numpy as np

        return np.append(self.uniques[column], None)[self.codes[column]]

    @property
    def n(self) -> int:
        return 0 if self.row_numbers is None else len(self.row_numbers)

    @property
    def records(self) -> list[tuple[int, dict[str, object]]]:
        """The data rows as (row number, {column: cell}) — a row view for callers and tests that want one."""
        columns = {name: self.cells(name) for name in self.codes}
        return [(int(row), {name: cells[i] for name, cells in columns.items()})
                for i, row in enumerate(self.row_numbers if self.row_numbers is not None else [])]


@dataclass
class SkippedSheet:
    """A sheet that holds no recognisable table (instructions, charts, lists)."""

    file: Path
    sheet: str
    reason_vi: str
    reason_en: str


# --------------------------------------------------------------------------- reading

def read_sheets(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS, children=None) -> list[RawSheet]:
    """All sheets of a data file as rows of values (text in NFC); raises :class:`FileReadError`. ``children``:
    a :class:`~iso18091lab.intake.workbook_child.WorkbookChildren` whose long-lived child parses the workbook
    (:func:`workbook_children`), else a child started for this file alone."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileReadError(path, "unreadable", "io_cannot_open", detail=str(exc))
    if size > limits.max_file_bytes:
        raise FileReadError(path, "too_large", "io_too_large", size=str(size))
    if path.suffix.lower() in EXCEL_SUFFIXES:
        fmt = check_workbook(path, limits, areas=False)  # the child measures an xlsx's sheets before parsing
        if fmt == "text":  # a web application's "Excel" export that is really delimited text
            return [RawSheet(path, "", _read_csv_rows(path))]
        return _read_workbook_isolated(path, fmt, limits, children)
    return [RawSheet(path, "", _read_csv_rows(path))]


# --------------------------------------------------------------------------- parsing in a child process

#: The script that parses a workbook in a child process.
WORKBOOK_CHILD = Path(__file__).resolve().with_name("workbook_child.py")

def workbook_children():
    """Long-lived workbook children, one per reading thread, for a batch of :func:`read_sheets` calls (``with
    workbook_children() as children: read_sheets(path, limits, children)``): each answers as a one-workbook child
    would, with the same limits, and a workbook that takes its child down gets a new one for the next."""
    from iso18091lab.intake.workbook_child import WorkbookChildren

    return WorkbookChildren(str(WORKBOOK_CHILD))


def _read_workbook_isolated(path: Path, fmt: str, limits: ReadLimits, children=None) -> list[RawSheet]:
    """Parse a workbook with calamine in a child process (:mod:`iso18091lab.intake.workbook_child`, run as a script so
    it imports nothing of the package; -I keeps its folder off sys.path, where io.py would shadow the standard
    library) that limits its own memory; the parent limits its time. ``children``: see :func:`read_sheets`."""
    try:
        if children is not None:
            done = children.run(str(path), fmt, limits.max_sheet_cells, limits.parse_memory_bytes,
                                limits.parse_timeout_s)
        else:
            done = run_one(str(WORKBOOK_CHILD), str(path), fmt, limits.max_sheet_cells, limits.parse_memory_bytes,
                           limits.parse_timeout_s)
    except subprocess.TimeoutExpired:
        raise FileReadError(path, "timeout", "io_timeout")
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace")
        message = stderr.strip().splitlines()
        detail = message[-1] if message else f"reader exited with code {done.returncode}"
        too_large = next((line for line in message if line.startswith("SHEET_TOO_LARGE\t")), None)
        if too_large:
            _, name, area = too_large.split("\t")
            raise FileReadError(path, "sheet_too_large", "io_sheet_too_large", sheet=name, area=str(area))
        if "PasswordError" in stderr or "password" in detail.lower():
            raise FileReadError(path, "password", "io_password")
        if "memory allocation of" in stderr or "MemoryError" in stderr or done.returncode == -9:
            gib = limits.parse_memory_bytes / 1024**3
            raise FileReadError(path, "out_of_memory", "io_out_of_memory", gib=f"{gib:g}")
        raise FileReadError(path, "unreadable", "io_unreadable_workbook", detail=detail)
    sheets = []
    for name, rows, merged in pickle.loads(done.stdout):
        _fill_merged(rows, merged)
        sheets.append(RawSheet(path, nfc(name), rows))
    return sheets


def _fill_merged(rows: list[list[object]], merged: list) -> None:
    """Give every cell of a merged range the value of its top-left cell."""
    for (r1, c1), (r2, c2) in merged:
        if r1 >= len(rows) or c1 >= len(rows[r1]) or rows[r1][c1] in ("", None):
            continue
        value = rows[r1][c1]
        for r in range(r1, min(r2, len(rows) - 1) + 1):  # within the cells the sheet really has
            row = rows[r]
            for c in range(c1, min(c2, len(row) - 1) + 1):
                if row[c] == "" or row[c] is None:
                    row[c] = value


def recognise_table(sheet: RawSheet) -> FoundTable | SkippedSheet | StructuralError:
    """Recognise the table a sheet holds from its header row(s).

    Returns a :class:`FoundTable` (every required column present) with its data rows, a
    :class:`StructuralError` when the headers clearly make a table of a known kind but a required
    column is missing or not recognised (no row is read), or a :class:`SkippedSheet` when there is
    no table (instructions, lists, an empty sheet).
    """
    rows = sheet.rows
    if not any(c not in ("", None) and nfc(c) for row in rows for c in row):
        return SkippedSheet(sheet.file, sheet.sheet, *_both("io_empty_sheet"))
    candidates = _candidates(rows)
    valid = [c for c in candidates if c.valid]
    if valid:
        best = max(valid, key=lambda c: len(c.mapping))  # the first on a tie
        return _found_table(sheet, best)
    from iso18091lab.intake.layouts import recognise_layout  # summary matrices and per-body forms become long rows

    wide = recognise_layout(sheet)
    if wide is not None:
        return wide
    broken = [c for c in candidates if c.kind]
    if broken:
        best = max(broken, key=lambda c: (c.complete, len(c.mapping)))
        return _structural_error(sheet, best)
    best = max(candidates, key=lambda c: len(c.mapping), default=None)
    if best is None or not best.mapping:
        return SkippedSheet(sheet.file, sheet.sheet, *_both("io_no_table"))
    names = sorted(best.mapping.items())
    row = str(best.rows[0] + 1)
    return SkippedSheet(sheet.file, sheet.sheet,
                        t("io_no_table_partial", "vi", row=row, columns=", ".join(f"'{h}'" for _, (_, h) in names)),
                        t("io_no_table_partial", "en", row=row,
                          columns=", ".join(f"'{h}' ({c})" for _, (c, h) in names)))


def _found_table(sheet: RawSheet, best: _Candidate) -> FoundTable:
    rows = sheet.rows
    header_rows, mapping = best.rows, best.mapping
    table = FoundTable(
        file=sheet.file, sheet=sheet.sheet, kind=best.kind,
        header_rows=tuple(r + 1 for r in header_rows),
        headers={canonical: text for canonical, text in mapping.values()},
        title=" ".join(nfc(c) for r in rows[: header_rows[0]] for c in r if nfc(c)),
        places={canonical: col for col, (canonical, _) in mapping.items()},
    )
    import numpy as np

    first = header_rows[-1] + 1
    data = rows[first:]
    blank = np.ones(len(data), dtype=bool)
    for col, (canonical, _) in mapping.items():
        cells = np.empty(len(data), dtype=object)
        cells[:] = [row[col] if col < len(row) else "" for row in data]
        codes, uniques = _factorize_cells(cells)
        blank &= np.append(np.array([nfc(u) == "" for u in uniques], dtype=bool), True)[codes]
        table.codes[canonical], table.uniques[canonical] = codes, uniques
    keep = ~blank
    table.empty_rows = int(blank.sum())
    table.row_numbers = np.flatnonzero(keep).astype(np.int64) + first + 1
    table.codes = {name: codes[keep] for name, codes in table.codes.items()}
    return table


def _factorize_cells(values: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """Codes and distinct values of an object array; missing values (None, NaN) get the code ``len(uniques)``."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return np.where(codes < 0, len(uniques), codes), np.asarray(uniques, dtype=object)


def _structural_error(sheet: RawSheet, best: _Candidate) -> StructuralError:
    rows = sheet.rows
    header_rows = [rows[i] for i in best.rows]
    width = max(len(r) for r in header_rows)
    headers: dict[str, str] = {}
    unrecognised_cells: list[tuple[str, str]] = []
    for col in range(width):
        letter = column_letter(col)
        if col in best.mapping:
            headers[letter] = best.mapping[col][1]
            continue
        texts = [nfc(r[col]) for r in header_rows if col < len(r) and nfc(r[col])]
        if not texts:
            continue
        text = texts[-1]
        headers[letter] = text
        if canonical_header(text) is None:
            unrecognised_cells.append((letter, text))
    recognised = {canonical: text for canonical, text in best.mapping.values()}
    missing_columns = {c for m in best.missing for c in (m.column, *m.alternatives)}
    absent = [c for c in TABLE_COLUMNS[best.kind] if c not in recognised]
    # suggest the missing required columns first, then the other columns the table may have
    unrecognised = []
    for letter, text in unrecognised_cells:
        suggestion = _suggest(text, [c for c in absent if c in missing_columns]) or _suggest(text, absent)
        unrecognised.append(UnrecognisedHeader(letter, text, suggestion))
    data_rows = sum(1 for row in rows[best.rows[-1] + 1:] if any(nfc(c) for c in row))
    return StructuralError(sheet.file, sheet.sheet, best.kind, tuple(r + 1 for r in best.rows), headers, recognised,
                           best.missing, unrecognised, data_rows)

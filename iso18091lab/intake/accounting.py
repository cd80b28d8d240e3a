"""Accounting for every row read: the quarantine table (one row per broken rule, with the cell and the province),
the per-sheet summary whose counts reconcile (``rows read = accepted + quarantined + duplicates``), the checks of
totals written beside the scores, and the exit status."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from iso18091lab.intake.clean import UnitMatcher, problem_values
from iso18091lab.intake.columnar import _Table
from iso18091lab.intake.kinds import _Kind, _frame
from iso18091lab.intake.schema import CHECK_COLUMNS, FILE_SUMMARY_COLUMNS, QUARANTINE_COLUMNS
from iso18091lab.normalize import nfc


def _check_table(tables: list[_Table], kind: _Kind) -> tuple[pd.DataFrame, int]:
    """(the totals written beside the scores that do not match them or cannot be checked
    (:class:`iso18091lab.intake.layouts.TotalCheck`), with the province their row's scores were attributed to ('' when
    none); the number of totals that match — a table's ``checks`` holds such counts as ints)."""
    ok = sum(c for t in tables for c in t.checks if isinstance(c, int))
    rows = [dict(c.__dict__, difference=c.difference, _table=t.number) for t in tables for c in t.checks
            if not isinstance(c, int)]
    if not rows:
        return _frame([], CHECK_COLUMNS), ok
    frame = pd.DataFrame(rows)
    located = kind.frame[kind.frame["_province"] != ""] if not kind.frame.empty else None
    province = {} if located is None else dict(zip(zip(located["_table"], located["source_row"]),
                                                   located["_province"]))
    frame["province"] = [province.get((t, r), "") for t, r in zip(frame["_table"], frame["row"])]
    if (frame["province"] == "").any():  # a form's total row: the province of the table's scores
        by_table = {} if located is None else located.groupby("_table")["_province"].first().to_dict()
        frame["province"] = [p or by_table.get(t, "") for p, t in zip(frame["province"], frame["_table"])]
    frame["pillar"] = frame["pillar"].astype("Int64")
    return frame[CHECK_COLUMNS].reset_index(drop=True), ok


def exit_status(summary: dict) -> int:
    """0: everything read and accepted; 1: some rows quarantined or files failed; 2: nothing usable."""
    if summary["accepted"] == 0 or summary["tables"]["assessments"] == 0:
        return 2
    if summary["quarantined"] or summary["files_failed"]:
        return 1
    return 0


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
        local, rows = frame["_local"].to_numpy()[positions], frame["source_row"].to_numpy()[positions]
        columns = problems["column"].to_numpy()
        part = pd.DataFrame({
            "file": frame["source_file"].to_numpy()[positions], "sheet": frame["source_sheet"].to_numpy()[positions],
            "row": rows, "table": name,
            "column": _column_names(tables, table_of, local, columns),
            "cell": _cell_refs(tables, table_of, local, rows, columns),
            "value": problems["value"].to_numpy(), "rule": problems["rule"].to_numpy(),
            "province": frame["_province"].to_numpy()[positions],
            "_hint": problems["hint"].to_numpy(), "_suggestion": problems["suggestion"].to_numpy(),
            "_typed_province": _cells(tables, table_of, local, "province"),
            "_typed_unit": _cells(tables, table_of, local, "unit"),
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

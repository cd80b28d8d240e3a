"""All tables of one kind: their clean columns joined into one frame with where each row came from and its status
(:func:`_collect`), duplicates resolved, and the accepted rows typed as the output tables (:func:`_finish`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from iso18091lab.intake.bodies import _Bodies
from iso18091lab.intake.clean import is_synthetic_marker
from iso18091lab.intake.columnar import _Batch, _Problems, _Table, _blank
from iso18091lab.intake.schema import ASSESSMENT_DTYPES, DATE_DTYPE, OUTCOME_DTYPES, UNIT_COLUMNS, UNIT_DTYPES
from iso18091lab.normalize import nfc


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


def _batches(tables: list[_Table]) -> list[list[_Table]]:
    """The tables cleaned together: the assessments tables of one file that follow each other (a workbook's
    sheets, cleaned in one pass of the columnar code); any other table alone."""
    batches: list[list[_Table]] = []
    for table in tables:
        if (batches and table.kind == "assessments" and batches[-1][0].kind == "assessments"
                and batches[-1][0].file == table.file):
            batches[-1].append(table)
        else:
            batches.append([table])
    return batches


def _provenance(table: _Table, files: dict[str, int], sheets: dict[str, int]) -> dict[str, np.ndarray]:
    """Where each row of one table came from (a code per table into the files and sheets of this kind), whether it
    is marked synthetic, and the table's own row numbering."""
    columns = {}
    if table.has("source"):
        marks = np.array([is_synthetic_marker(u) for u in table.values("source")], dtype=bool)
        columns["synthetic"] = marks[table.codes("source")]
    else:
        columns["synthetic"] = np.zeros(table.n, dtype=bool)
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
    return columns


def _collect(tables: list[_Table], clean) -> _Kind:
    parts, problem_parts, offset, rejected = [], [], 0, []
    files: dict[str, int] = {}
    sheets: dict[str, int] = {}
    for batch in _batches(tables):
        problems = _Problems()
        cleaned = clean(batch[0] if len(batch) == 1 else _Batch(batch), problems)
        rejected += cleaned.rejected
        categories, province = cleaned.categories, cleaned.province
        columns = dict(cleaned.columns)
        where = [_provenance(table, files, sheets) for table in batch]
        for name in where[0]:
            columns[name] = where[0][name] if len(batch) == 1 else np.concatenate([w[name] for w in where])
        columns["_province"] = np.asarray(province, dtype=object)
        for table in batch:
            table.release()
        if problems.parts:  # most tables have none: no empty frame for them
            found = problems.frame()
            found["pos"] = found["pos"].astype(np.int64) + offset
            problem_parts.append(found)
        parts.append(columns)
        offset += len(columns["_local"])
    frame = _join(parts) if parts else pd.DataFrame()
    for column, names in (categories.items() if parts else ()):  # codes made categorical once, for every table
        frame[column] = pd.Categorical.from_codes(frame[column].to_numpy(), names)
    for column, names in (("source_file", files), ("source_sheet", sheets)):
        if len(frame):
            frame[column] = pd.Categorical.from_codes(frame[column].to_numpy(),
                                                      pd.Index(list(names), dtype=object))
    problems = pd.concat(problem_parts, ignore_index=True) if problem_parts else _Problems().frame()
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

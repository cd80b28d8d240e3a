"""Ingest: raw files -> clean tables + quarantine + run summary, with counts that reconcile.

``rows read = accepted + quarantined + duplicates dropped`` holds for every sheet and overall,
and is checked here before anything is written. Empty rows are counted separately and are not
rows read. Raw files are only read; outputs are written atomically (temporary file, rename).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from . import __version__
from .catalog import load_catalog, normalise_indicator_id
from .clean import (
    NOT_ASSESSED, TIER, Problem, Rejected, UnitMatcher, body_id, exact_key, is_blank, is_synthetic_marker, parse_code,
    parse_group, parse_level, parse_number, parse_rater, parse_rating, parse_whole,
)
from .excel import write_csv
from .config import DEFAULT_LIMITS, DEFAULT_PROCESSED, DEFAULT_RAW, DEFAULT_SCALE, RATINGS, ReadLimits, Scale
from .io import FileReadError, FoundTable, SkippedSheet, find_table, iter_raw_files, read_sheets
from .provinces import canonical_name, name_2025
from .text import fold, nfc

ASSESSMENT_COLUMNS = [
    "province", "body_id", "unit", "body_label", "unit_code", "level", "tier", "group", "pilot_start",
    "pilot_start_round", "province_2025", "year", "round", "rater",
    "rater_id", "indicator", "pillar", "score", "max_score", "score_100", "rating", "not_assessed",
    "score_source", "synthetic", "source_file", "source_sheet", "source_row",
]
UNIT_COLUMNS = [
    "province", "body_id", "unit", "body_label", "code", "level", "tier", "group", "pilot_start", "pilot_start_round",
    "province_2025", "aliases", "synthetic",
    "source_file", "source_sheet", "source_row",
]
OUTCOME_COLUMNS = [
    "province", "body_id", "unit", "body_label", "unit_code", "level", "tier", "group", "pilot_start",
    "pilot_start_round", "province_2025", "year", "measure", "value", "synthetic",
    "source_file", "source_sheet", "source_row",
]
QUARANTINE_COLUMNS = ["file", "sheet", "row", "table", "column", "value", "rule", "reason_vi", "reason_en",
                      "province", "province_suggested"]
#: Body columns copied from the units table onto assessment and outcome rows.
BODY_COLUMNS = ["province", "body_id", "unit", "body_label", "code", "level", "tier", "group", "pilot_start",
                "pilot_start_round", "province_2025"]
NAME_MATCH_COLUMNS = ["province", "typed", "matched", "body_id", "how", "rows"]
FILE_SUMMARY_COLUMNS = [
    "file", "sheet", "table", "status", "rows_read", "accepted", "quarantined", "duplicates", "empty_rows",
    "header_row", "message_vi", "message_en",
]
RATING_DTYPE = pd.CategoricalDtype(list(RATINGS), ordered=True)
PROCESSED_FILES = ("assessments.parquet", "units.parquet", "outcomes.parquet", "quarantine.csv",
                   "ingest_summary.csv", "ingest_summary.json", "name_matches.csv", "catalog.csv")


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


@dataclass
class _Record:
    table: FoundTable
    row: int
    cells: dict
    status: str = ""  # accepted / quarantined / duplicate
    province: str | None = None  # canonical province once matched
    clean: dict | None = None
    problems: list[Problem] = field(default_factory=list)
    recovered_indicator: str | None = None  # an id Excel turned into a number, recovered from the row order
    indicator_problem: Problem | None = None

    def get(self, column: str) -> object:
        return self.cells.get(column, "")


# --------------------------------------------------------------------------- per-row cleaning

def _required(record: _Record, column: str) -> object:
    value = record.get(column)
    if is_blank(value):
        raise Rejected("missing_value")
    return value


def _check(record: _Record, column: str, parse, *args):
    """Run ``parse``; on failure remember the problem (column, value, rule) and return None."""
    try:
        return parse(*args)
    except Rejected as exc:
        record.problems.append(Problem(column, nfc(record.get(column)), exc.rule, exc.hint, exc.suggestion))
        return None


class _Context:
    """What row cleaning needs besides the row: the units matcher, the catalog, the scale, and a tally of the
    name matches that were not exact (listed in the summary so a researcher can check them)."""

    def __init__(self, units: pd.DataFrame, catalog: pd.DataFrame, scale: Scale):
        self.matcher = UnitMatcher(units)
        self.bodies = units.to_dict(orient="records")
        self.catalog = catalog
        self.scale = scale
        self.name_matches: dict[tuple, int] = {}


def _locate_unit(record: _Record, context: _Context) -> tuple[str | None, dict | None]:
    """(province, body columns) of a row's body, or problems recorded on the record."""
    matcher = context.matcher
    province = _check(record, "province", lambda: matcher.province(_required(record, "province")))
    record.province = province
    if province is None:
        return None, None
    name, code = record.get("unit"), record.get("code")
    if is_blank(name) and is_blank(code):
        record.problems.append(Problem("unit", "", "missing_value"))
        return province, None
    if matcher.empty:
        unit = nfc(name) or nfc(code)
        code_text = parse_code(code) or pd.NA
        return province, {"province": province, "body_id": body_id(province, "" if code_text is pd.NA else code_text,
                                                                    unit),
                          "unit": unit, "body_label": unit, "code": code_text, "province_2025": name_2025(province)}
    column = "unit" if not is_blank(name) else "code"
    found = _check(record, column, matcher.locate, record.get("province"), name, code)
    if found is None:
        return province, None
    body = context.bodies[found.index]
    record.province = body["province"]
    if not found.exact:
        key = (body["province"], nfc(name) or nfc(code), body["unit"], body["body_id"], found.how)
        context.name_matches[key] = context.name_matches.get(key, 0) + 1
    return body["province"], {k: body.get(k, pd.NA) for k in BODY_COLUMNS}


def _clean_unit_row(record: _Record) -> None:
    province = _check(record, "province", lambda: nfc(_required(record, "province")))
    if province is not None:
        province = canonical_name(province) or province
        record.province = province
    name = _check(record, "unit", lambda: nfc(_required(record, "unit")))
    level = tier = None
    if not is_blank(record.get("level")):
        level = _check(record, "level", parse_level, record.get("level"))
        tier = TIER.get(level)
    group = _check(record, "group", lambda: parse_group(_required(record, "group")))
    pilot_start = pilot_round = pd.NA
    if not is_blank(record.get("pilot_start")):
        pilot_start = _check(record, "pilot_start", parse_whole, record.get("pilot_start"), "bad_year", 1990, 2100)
    if not is_blank(record.get("pilot_start_round")):
        pilot_round = _check(record, "pilot_start_round", parse_whole, record.get("pilot_start_round"), "bad_round",
                             1, 1000)
    if group == "pilot" and is_blank(record.get("pilot_start")):
        record.problems.append(Problem("pilot_start", "", "pilot_without_start"))
    if record.problems:
        return
    if group == "pilot":
        pilot_round = 1 if pilot_round is pd.NA else pilot_round
    else:  # a comparison body has no pilot start; what was typed there is not used
        pilot_start = pilot_round = pd.NA
    code = parse_code(record.get("code"), tier) or pd.NA
    record.clean = {
        "province": province, "body_id": body_id(province, "" if code is pd.NA else code, name), "unit": name,
        "body_label": name, "code": code, "level": level or pd.NA, "tier": tier or pd.NA, "group": group,
        "pilot_start": pilot_start, "pilot_start_round": pilot_round, "province_2025": name_2025(province) or pd.NA,
        "aliases": ";".join(filter(None, map(nfc, nfc(record.get("aliases")).replace("|", ";").split(";"))))
                   or pd.NA,
    }


def _indicator_info(record: _Record, context: _Context):
    """The catalog row of a row's indicator (an id Excel turned into a number is recovered first)."""
    raw = _required(record, "indicator")
    indicator = record.recovered_indicator or normalise_indicator_id(raw)
    if indicator not in context.catalog.index:
        raise Rejected("unknown_indicator")
    return context.catalog.loc[indicator]


def _clean_assessment_row(record: _Record, context: _Context) -> None:
    province, unit = _locate_unit(record, context)
    year = _check(record, "year", lambda: parse_whole(_required(record, "year"), "bad_year", 1990, 2100))
    round_ = 1
    if not is_blank(record.get("round")):
        round_ = _check(record, "round", parse_whole, record.get("round"), "bad_round", 1, 1000)
    rater = _check(record, "rater", lambda: parse_rater(nfc(_required(record, "rater"))))
    if record.indicator_problem:
        record.problems.append(record.indicator_problem)
        info = None
    else:
        info = _check(record, "indicator", _indicator_info, record, context)

    score = rating = None
    if not is_blank(record.get("score")):
        score = _check(record, "score", parse_number, record.get("score"))
        if score is not None and info is not None and not 0 <= score <= info["max_score"]:
            record.problems.append(Problem("score", nfc(record.get("score")), "score_out_of_range",
                                           f"{info['max_score']:g}"))
    if not is_blank(record.get("rating")):
        rating = _check(record, "rating", lambda: parse_rating(nfc(record.get("rating"))))
    if is_blank(record.get("score")) and is_blank(record.get("rating")):
        record.problems.append(Problem("score", "", "missing_score"))
    if score is not None and rating == NOT_ASSESSED:
        record.problems.append(Problem("rating", nfc(record.get("rating")), "score_and_not_assessed"))
    if record.problems:
        return
    scale = context.scale
    not_assessed = rating == NOT_ASSESSED
    if score is not None:
        score_100 = 100.0 * score / info["max_score"]
        source = "points"
        rating = rating if rating else scale.rating_of(score_100)
    elif not_assessed:
        score_100, source, rating = float("nan"), "not_assessed", None
    else:
        score_100, source = scale.rating_to_100[rating], "rating"
    record.clean = {
        **_body_cells(unit), "year": year, "round": round_, "rater": rater,
        "rater_id": nfc(record.get("rater_id")) or pd.NA, "indicator": info.name, "pillar": info["pillar"],
        "score": score if score is not None else float("nan"), "max_score": info["max_score"],
        "score_100": score_100, "rating": rating, "not_assessed": not_assessed, "score_source": source,
    }


def _body_cells(unit: dict) -> dict:
    """Body columns for an assessment or outcome row (the units table's ``code`` becomes ``unit_code``)."""
    cells = {k: unit.get(k, pd.NA) for k in BODY_COLUMNS}
    cells["unit_code"] = cells.pop("code")
    return cells


def _clean_outcome_row(record: _Record, context: _Context) -> None:
    province, unit = _locate_unit(record, context)
    year = _check(record, "year", lambda: parse_whole(_required(record, "year"), "bad_year", 1990, 2100))
    measure = _check(record, "measure", lambda: nfc(_required(record, "measure")))

    def number():
        try:
            return parse_number(_required(record, "value"))
        except Rejected as exc:
            raise Rejected("bad_value" if exc.rule == "bad_score" else exc.rule)
    value = _check(record, "value", number)
    if record.problems:
        return
    record.clean = {**_body_cells(unit), "year": year, "measure": measure, "value": value}


# --------------------------------------------------------------------------- indicator ids Excel made numbers

def recover_indicator_ids(records: list[_Record], catalog_ids: list[str]) -> None:
    """Indicator ids that Excel may have turned into numbers ('1.10' typed into a General cell is 1.1).

    A cell is *suspect* when its id has a longer sibling in the catalog that reads as the same number ('1.1'
    and '1.10') and either the cell holds a number or its block repeats the id. A block is one body, wave and
    rater in one sheet, in row order; sheets list indicators in catalog order, so a suspect cell is recovered
    when exactly one candidate fits between its neighbours' positions and is not used elsewhere in the block.
    Otherwise the row is quarantined ('ambiguous_indicator') with how to fix the sheet. Never dropped silently.
    """
    position = {ind: i for i, ind in enumerate(catalog_ids)}
    same_number: dict[float, list[str]] = {}
    for ind in catalog_ids:
        same_number.setdefault(float(ind), []).append(ind)
    blocks: dict[tuple, list[_Record]] = {}
    for record in records:
        key = (id(record.table),) + tuple(fold(record.get(c)) for c in
                                          ("province", "unit", "code", "year", "round", "rater", "rater_id"))
        blocks.setdefault(key, []).append(record)
    for block in blocks.values():
        ids = [normalise_indicator_id(r.get("indicator")) for r in block]
        counts: dict[str, int] = {}
        for ind in ids:
            counts[ind] = counts.get(ind, 0) + 1
        suspect = []
        for i, (record, ind) in enumerate(zip(block, ids)):
            siblings = same_number.get(float(ind), []) if ind in position else []
            raw = record.get("indicator")
            numeric = isinstance(raw, (int, float)) and not isinstance(raw, bool)
            suspect.append(len(siblings) > 1 and (numeric or counts[ind] > 1))
        resolved = [position[ind] if (not s and ind in position) else None for ind, s in zip(ids, suspect)]
        used = {ind for ind, s in zip(ids, suspect) if not s and ind in position}
        for i, record in enumerate(block):
            if not suspect[i]:
                continue
            before = [p for p in resolved[:i] if p is not None]
            after = [p for p in resolved[i + 1:] if p is not None]
            low, high = (before[-1] if before else -1), (after[0] if after else len(catalog_ids))
            options = same_number[float(ids[i])]
            fits = [c for c in options if low < position[c] < high]
            if len(fits) > 1:
                fits = [c for c in fits if c not in used]
                waiting = sum(1 for j in range(i, len(block)) if suspect[j] and float(ids[j]) == float(ids[i]))
                if len(fits) > 1 and waiting == len(fits):  # as many rows as candidates: they come in order
                    fits = fits[:1]
            raw = record.get("indicator")
            numeric = isinstance(raw, (int, float)) and not isinstance(raw, bool)
            if len(fits) == 1:
                choice = fits[0]
            elif not fits and not numeric:  # text out of order: the id as typed
                choice = ids[i]
            else:
                record.indicator_problem = Problem("indicator", nfc(raw), "ambiguous_indicator",
                                                   f" ({' / '.join(options)})")
                continue
            record.recovered_indicator = choice
            resolved[i] = position[choice]
            used.add(choice)


# --------------------------------------------------------------------------- duplicates

def _resolve_duplicates(records: list[_Record], key: list[str], values: list[str]) -> None:
    """Exact duplicates: keep the first, mark the rest 'duplicate'. Same key, other values:
    quarantine every row of the key ('conflicting_duplicate')."""
    groups: dict[tuple, list[_Record]] = {}
    for record in records:
        if record.clean is not None:
            groups.setdefault(tuple(_hashable(record.clean[k]) for k in key), []).append(record)
    for group in groups.values():
        if len(group) == 1:
            continue
        distinct = {tuple(_hashable(r.clean[v]) for v in values) for r in group}
        if len(distinct) == 1:
            for record in group[1:]:
                record.status = "duplicate"
            continue
        places = [f"{r.table.file.name}/{r.table.sheet or '-'}/{r.row}" for r in group]
        for record in group:
            others = ", ".join(p for p, r in zip(places, group) if r is not record)
            column = next((v for v in values if v in record.cells), values[0])
            record.problems.append(Problem(column, nfc(record.get(column)), "conflicting_duplicate", f": {others}"))
            record.clean = None


def _hashable(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value


# --------------------------------------------------------------------------- files

def raw_fingerprint(raw_dir: str | Path) -> str:
    """SHA-256 over the names and contents of every raw input file."""
    raw_dir = Path(raw_dir)
    digest = hashlib.sha256()
    for path in iter_raw_files(raw_dir):
        digest.update(path.relative_to(raw_dir).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _write_atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


_BODY_TEXT = ["province", "body_id", "unit", "body_label", "level", "tier", "group", "province_2025"]
_BODY_WHOLE = {"pilot_start": "Int64", "pilot_start_round": "Int64"}


def _typed_assessments(frame: pd.DataFrame) -> pd.DataFrame:
    text = _BODY_TEXT + ["unit_code", "rater", "rater_id", "indicator", "score_source", "source_file", "source_sheet"]
    frame = frame.astype({c: "string" for c in text})
    frame = frame.astype({**_BODY_WHOLE, "year": "Int64", "round": "Int64", "pillar": "Int64",
                          "source_row": "Int64", "score": "Float64", "max_score": "Float64",
                          "score_100": "Float64", "not_assessed": "boolean", "synthetic": "boolean"})
    frame["rating"] = frame["rating"].astype(RATING_DTYPE)
    return frame


def _typed_units(frame: pd.DataFrame) -> pd.DataFrame:
    text = _BODY_TEXT + ["code", "aliases", "source_file", "source_sheet"]
    frame = frame.astype({c: "string" for c in text})
    return frame.astype({**_BODY_WHOLE, "synthetic": "boolean", "source_row": "Int64"})


def _typed_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    text = _BODY_TEXT + ["unit_code", "measure", "source_file", "source_sheet"]
    frame = frame.astype({c: "string" for c in text})
    return frame.astype({**_BODY_WHOLE, "year": "Int64", "value": "Float64", "synthetic": "boolean",
                         "source_row": "Int64"})


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


def catalog_fingerprint(catalog: pd.DataFrame) -> str:
    """SHA-256 of a catalog's content (ids, pillars, names, maxima), as written to ``catalog.csv``."""
    return hashlib.sha256(catalog.to_csv(index=False).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- entry point

def ingest(raw_dir: str | Path = DEFAULT_RAW, processed_dir: str | Path | None = DEFAULT_PROCESSED,
           catalog: pd.DataFrame | str | Path | None = None, scale: Scale = DEFAULT_SCALE,
           limits: ReadLimits = DEFAULT_LIMITS, progress: bool = False) -> IngestResult:
    """Read every data file under ``raw_dir``, clean and validate it, and write the processed tables,
    ``quarantine.csv``, ``name_matches.csv``, the catalog used and the run summary to ``processed_dir``
    (None: write nothing). ``result.summary["exit_status"]`` is 0 when everything was clean, 1 when rows
    were quarantined or files failed, 2 when nothing usable was read.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise IngestError(f"raw folder not found: {raw_dir} / không tìm thấy thư mục dữ liệu thô")
    catalog_source = "bundled" if catalog is None else ("frame" if isinstance(catalog, pd.DataFrame) else str(catalog))
    if not isinstance(catalog, pd.DataFrame):
        catalog = load_catalog(catalog)
    by_indicator = catalog.set_index("indicator")
    files = iter_raw_files(raw_dir)
    if not files:
        raise IngestError(f"no CSV or XLSX files under {raw_dir} / không có tệp CSV hoặc XLSX trong {raw_dir}")

    sheet_rows: list[dict] = []
    tables: list[FoundTable] = []
    for path in tqdm(files, desc="Đọc tệp / reading files", unit="tệp", disable=not progress):
        relative = path.relative_to(raw_dir).as_posix()
        try:
            sheets = read_sheets(path, limits)
        except FileReadError as exc:
            sheet_rows.append({"file": relative, "sheet": "", "table": "", "status": "error",
                               "message_vi": exc.reason_vi, "message_en": exc.reason_en})
            continue
        except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            sheet_rows.append({"file": relative, "sheet": "", "table": "", "status": "error",
                               "message_vi": f"lỗi không lường trước khi đọc tệp: {detail}",
                               "message_en": f"unexpected error reading the file: {detail}"})
            continue
        for sheet in sheets:
            found = find_table(sheet)
            if isinstance(found, SkippedSheet):
                sheet_rows.append({"file": relative, "sheet": sheet.sheet, "table": "", "status": "skipped",
                                   "message_vi": found.reason_vi, "message_en": found.reason_en})
            else:
                found.file = Path(relative)
                tables.append(found)

    records = {kind: [_Record(t, row, cells) for t in tables if t.kind == kind for row, cells in t.records]
               for kind in ("units", "assessments", "outcomes")}
    for record in records["units"]:
        _clean_unit_row(record)
    _resolve_duplicates(records["units"], ["province", "unit", "code"],
                        ["level", "group", "pilot_start", "pilot_start_round", "aliases"])
    _flag_duplicate_codes(records["units"])
    units = _label_bodies(_finish(records["units"], UNIT_COLUMNS, _typed_units))
    context = _Context(units, by_indicator, scale)
    recover_indicator_ids(records["assessments"], catalog["indicator"].tolist())
    for record in tqdm(records["assessments"], desc="Kiểm tra điểm / checking scores", unit="dòng",
                       disable=not progress, mininterval=0.5):
        _clean_assessment_row(record, context)
    _resolve_duplicates(records["assessments"], ["body_id", "year", "round", "rater", "rater_id", "indicator"],
                        ["score", "rating", "not_assessed"])
    for record in records["outcomes"]:
        _clean_outcome_row(record, context)
    _resolve_duplicates(records["outcomes"], ["body_id", "year", "measure"], ["value"])

    assessments = _finish(records["assessments"], ASSESSMENT_COLUMNS, _typed_assessments)
    outcomes = _finish(records["outcomes"], OUTCOME_COLUMNS, _typed_outcomes)
    if units.empty:  # no units table: the label is the name as written (codes added where names repeat)
        for frame in (assessments, outcomes):
            shared = frame.groupby(["province", "unit"])["body_id"].transform("nunique") > 1
            frame["body_label"] = frame["unit"].where(~shared, frame["unit"] + " (" + frame["unit_code"].fillna("?")
                                                      + ")")
    quarantine = _quarantine_table(records, context.matcher)
    files_table = _file_summary(tables, records, sheet_rows)
    name_matches = _frame([dict(zip(NAME_MATCH_COLUMNS, key + (n,))) for key, n in sorted(context.name_matches.items())],
                          NAME_MATCH_COLUMNS)
    summary = _summary(raw_dir, files_table, assessments, units, outcomes, catalog)
    summary.update(catalog_source=catalog_source, catalog_fingerprint=catalog_fingerprint(catalog),
                   name_matches=len(name_matches),
                   quarantined_unattributed=int((quarantine.drop_duplicates(["file", "sheet", "row"])["province"]
                                                 == "").sum()))
    summary["exit_status"] = exit_status(summary)
    result = IngestResult(assessments, units, outcomes, quarantine, files_table, summary, name_matches, catalog)
    if processed_dir is not None:
        write_processed(result, processed_dir)
    return result


def exit_status(summary: dict) -> int:
    """0: everything read and accepted; 1: some rows quarantined or files failed; 2: nothing usable."""
    if summary["accepted"] == 0 or summary["tables"]["assessments"] == 0:
        return 2
    if summary["quarantined"] or summary["files_failed"]:
        return 1
    return 0


def _flag_duplicate_codes(records: list[_Record]) -> None:
    by_code: dict[tuple, list[_Record]] = {}
    for record in records:
        if record.clean is not None and record.status != "duplicate" and record.clean["code"] is not pd.NA:
            by_code.setdefault((record.clean["province"], record.clean["code"]), []).append(record)
    for group in by_code.values():
        if len(group) > 1:
            for record in group:
                others = ", ".join(r.clean["unit"] for r in group if r is not record)
                record.problems.append(Problem("code", nfc(record.get("code")), "duplicate_code", f": {others}"))
            for record in group:
                record.clean = None


def _finish(records: list[_Record], columns: list[str], typed) -> pd.DataFrame:
    rows = []
    for record in records:
        if record.status == "duplicate":
            continue
        if record.clean is None:
            record.status = "quarantined"
            continue
        record.status = "accepted"
        rows.append({**record.clean, "synthetic": is_synthetic_marker(record.get("source")),
                     "source_file": record.table.file.as_posix(), "source_sheet": record.table.sheet,
                     "source_row": record.row})
    return typed(_frame(rows, columns))


def _quarantine_table(records: dict[str, list[_Record]], matcher: UnitMatcher) -> pd.DataFrame:
    """One row per broken rule. ``province`` is the province the row was attributed to ('' when none could
    be), ``province_suggested`` the likeliest one for rows that could not be attributed."""
    rows = []
    for kind, group in records.items():
        for record in group:
            if record.status != "quarantined":
                continue
            province = record.province or ""
            suggested = "" if province else matcher.likely_province(record.get("province"), record.get("unit"))
            for problem in record.problems:
                reason_vi, reason_en = problem.reasons()
                rows.append({"file": record.table.file.as_posix(), "sheet": record.table.sheet, "row": record.row,
                             "table": kind, "column": record.table.headers.get(problem.column, problem.column),
                             "value": problem.value, "rule": problem.rule,
                             "reason_vi": reason_vi, "reason_en": reason_en,
                             "province": province, "province_suggested": suggested})
    frame = _frame(rows, QUARANTINE_COLUMNS)
    return frame.astype({"row": "Int64"}).sort_values(["file", "sheet", "row"], kind="stable").reset_index(drop=True)


def _file_summary(tables: list[FoundTable], records: dict[str, list[_Record]], other_rows: list[dict]) -> pd.DataFrame:
    counts: dict[int, dict[str, int]] = {}
    for group in records.values():
        for record in group:
            tally = counts.setdefault(id(record.table), {"accepted": 0, "quarantined": 0, "duplicate": 0})
            tally[record.status] += 1
    rows = list(other_rows)
    for table in tables:
        tally = counts.get(id(table), {"accepted": 0, "quarantined": 0, "duplicate": 0})
        read = len(table.records)
        if read != tally["accepted"] + tally["quarantined"] + tally["duplicate"]:  # pragma: no cover - a bug
            raise AssertionError(f"row counts do not reconcile for {table.file}/{table.sheet}")
        rows.append({"file": table.file.as_posix(), "sheet": table.sheet, "table": table.kind, "status": "ok",
                     "rows_read": read, "accepted": tally["accepted"], "quarantined": tally["quarantined"],
                     "duplicates": tally["duplicate"], "empty_rows": table.empty_rows,
                     "header_row": "+".join(map(str, table.header_rows)),
                     "message_vi": "", "message_en": ""})
    frame = _frame(rows, FILE_SUMMARY_COLUMNS)
    for column in ("rows_read", "accepted", "quarantined", "duplicates", "empty_rows"):
        frame[column] = frame[column].fillna(0).astype(int)
    return frame.fillna("").sort_values(["file", "sheet"], kind="stable").reset_index(drop=True)


def _summary(raw_dir: Path, files: pd.DataFrame, assessments: pd.DataFrame, units: pd.DataFrame,
             outcomes: pd.DataFrame, catalog: pd.DataFrame) -> dict:
    totals = {c: int(files[c].sum()) for c in ("rows_read", "accepted", "quarantined", "duplicates", "empty_rows")}
    accepted = len(assessments) + len(units) + len(outcomes)
    if totals["accepted"] != accepted or totals["rows_read"] != (
            totals["accepted"] + totals["quarantined"] + totals["duplicates"]):  # pragma: no cover - a bug
        raise AssertionError("ingest row counts do not reconcile")
    flags = pd.concat([assessments["synthetic"], units["synthetic"], outcomes["synthetic"]])
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "package_version": __version__,
        "raw_dir": str(raw_dir.resolve()),
        "raw_fingerprint": raw_fingerprint(raw_dir),
        "files_read": int(files.loc[files["status"] != "error", "file"].nunique()),
        "files_failed": sorted(files.loc[files["status"] == "error", "file"].unique().tolist()),
        "sheets_skipped": int((files["status"] == "skipped").sum()),
        **totals,
        "tables": {"assessments": len(assessments), "units": len(units), "outcomes": len(outcomes)},
        "synthetic": "yes" if len(flags) and bool(flags.all()) else ("mixed" if bool(flags.any()) else "no"),
        "provinces": sorted(set(assessments["province"].dropna()) | set(units["province"].dropna())),
        "catalog_indicators": len(catalog),
        "units_table_empty": bool(units.empty),
    }


def write_processed(result: IngestResult, processed_dir: str | Path) -> None:
    """Write the clean tables, quarantine and summary atomically into ``processed_dir``."""
    out = Path(processed_dir)
    for name, frame in (("assessments", result.assessments), ("units", result.units), ("outcomes", result.outcomes)):
        _write_atomic(out / f"{name}.parquet", lambda p, f=frame: f.to_parquet(p, index=False))
    # files people open in Excel: text that Excel would run as a formula is neutralised (excel.write_csv)
    _write_atomic(out / "quarantine.csv", lambda p: write_csv(result.quarantine, p))
    _write_atomic(out / "ingest_summary.csv", lambda p: write_csv(result.files, p))
    if result.name_matches is not None:
        _write_atomic(out / "name_matches.csv", lambda p: write_csv(result.name_matches, p))
    if result.catalog is not None:
        _write_atomic(out / "catalog.csv", lambda p: result.catalog.to_csv(p, index=False, encoding="utf-8-sig"))
    _write_atomic(out / "ingest_summary.json", lambda p: p.write_text(
        json.dumps({**result.summary, "files": result.files.to_dict(orient="records")}, ensure_ascii=False, indent=2),
        encoding="utf-8"))

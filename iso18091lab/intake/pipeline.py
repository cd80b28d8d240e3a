"""Ingest: raw files -> clean tables + quarantine + run summary, with counts that reconcile.

``rows read = accepted + quarantined + duplicates dropped`` holds for every sheet and overall,
and is checked here before anything is written. Empty rows are counted separately and are not
rows read. Raw files are only read; outputs are written atomically (temporary file, rename).

Cleaning is **columnar**: each column of a sheet is factorised once into its distinct raw values, every
distinct value is normalised and parsed once (a national dataset repeats a few hundred provinces, bodies,
years and scores 1.5 million times), and the results are mapped back to the rows with numpy. Bodies are
located once per distinct (province, name, code) as typed. Only rows that need it (indicator ids Excel may
have turned into numbers, duplicate keys) are looked at one by one.

The run is orchestrated here: discovery (:mod:`~iso18091lab.intake.files`), reading (:mod:`~iso18091lab.intake.reader`),
cleaning each kind of table (:mod:`~iso18091lab.intake.units`, :mod:`~iso18091lab.intake.assessments`,
:mod:`~iso18091lab.intake.outcomes`, joined by :mod:`~iso18091lab.intake.kinds`), placing the bodies
(:mod:`~iso18091lab.intake.bodies`), accounting (:mod:`~iso18091lab.intake.accounting`) and writing
(:mod:`~iso18091lab.intake.store`).
"""
from __future__ import annotations

import hashlib
import itertools
import os
import re
import traceback
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from iso18091lab._version import __version__
from iso18091lab.catalog import load_catalog
from iso18091lab.config import DEFAULT_LIMITS, DEFAULT_PROCESSED, DEFAULT_RAW, DEFAULT_SCALE, ReadLimits, Scale
from iso18091lab.i18n import said, t
from iso18091lab.intake.accounting import _check_table, _file_summary, _quarantine_table, exit_status
from iso18091lab.intake.assessments import _catalog_lookups, _clean_assessments
from iso18091lab.intake.bodies import _Bodies
from iso18091lab.intake.columnar import _Table
from iso18091lab.intake.files import FileReadError, _both, list_raw_files
from iso18091lab.intake.headers import StructuralError
from iso18091lab.intake.kinds import (_collect, _finish, _flag_duplicate_codes, _frame, _resolve_duplicates,
                                      _typed_assessments, _typed_outcomes, _typed_units)
from iso18091lab.intake.outcomes import _clean_outcomes
from iso18091lab.intake.provinces import of_today
from iso18091lab.intake.reader import SkippedSheet, read_sheets, recognise_table, workbook_children
from iso18091lab.intake.schema import ASSESSMENT_COLUMNS, NAME_MATCH_COLUMNS, OUTCOME_COLUMNS, UNIT_COLUMNS
from iso18091lab.intake.store import (IngestResult, _Parts, _TableWriter, catalog_fingerprint, file_provinces,
                                      province_hashes, raw_fingerprint, write_processed)
from iso18091lab.intake.units import _clean_units, _label_bodies, _with_lineage


class IngestError(RuntimeError):
    """The ingest as a whole cannot proceed (no input files, unusable catalog...)."""


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

    sheet_rows: list[dict] = [_sheet_row(f.relative, "", "", "skipped", (f.reason_vi, f.reason_en))
                              for f in listing if f.status != "read"]
    tables: list[_Table] = []
    label = lang or (progress if progress in ("vi", "en") else "vi")
    for path, sheets in tqdm(_read_ahead(files, limits), total=len(files), desc=t("progress_reading", label),
                             unit=t("progress_unit_file", label), disable=not progress):
        relative = path.relative_to(raw_dir).as_posix()
        try:
            sheets = sheets.result()
        except FileReadError as exc:
            sheet_rows.append(_sheet_row(relative, "", "", "error", (exc.reason_vi, exc.reason_en)))
            continue
        except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others
            sheet_rows.append(_sheet_row(relative, "", "", "error", _unexpected("ingest_file_unexpected", exc)))
            continue
        for sheet in sheets:
            sheet.file = Path(relative)  # messages name the file as the user sees it in the raw folder
            try:
                found = recognise_table(sheet)
            except Exception as exc:  # noqa: BLE001 - one sheet the readers cannot make sense of must not stop the run
                sheet_rows.append(_sheet_row(relative, sheet.sheet, "", "error",
                                             _unexpected("ingest_sheet_unexpected", exc)))
                continue
            if isinstance(found, StructuralError):  # one file-level error, not one quarantine line per row
                sheet_rows.append(_sheet_row(relative, sheet.sheet, found.kind, "error",
                                             (found.message_vi, found.message_en)))
            elif isinstance(found, SkippedSheet):
                sheet_rows.append(_sheet_row(relative, sheet.sheet, "", "skipped", (found.reason_vi, found.reason_en)))
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
    checks, checks_ok = _check_table(tables, assessments_kind)
    quarantine = _quarantine_table(kinds, tables, bodies.matcher)
    files_table = _file_summary(tables, kinds, sheet_rows)
    name_matches = _frame([dict(zip(NAME_MATCH_COLUMNS, key + (n,))) for key, n in sorted(bodies.name_matches.items())],
                          NAME_MATCH_COLUMNS)
    summary = _summary(raw_dir, files_table, assessments, units, outcomes, catalog)
    summary.update(catalog_source=catalog_source, catalog_fingerprint=catalog_fingerprint(catalog),
                   name_matches=len(name_matches), total_checks=len(checks) + checks_ok,
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


def _sheet_row(file: str, sheet: str, table: str, status: str, messages: tuple[str, str]) -> dict:
    """A row of the per-sheet summary for a file or sheet that gives no rows (``status`` ``error`` or
    ``skipped``), with its message in Vietnamese and English."""
    return {"file": file, "sheet": sheet, "table": table, "status": status, "message_vi": messages[0],
            "message_en": messages[1]}


def _unexpected(key: str, exc: Exception) -> tuple[str, str]:
    """The message ``key`` of the text table, in both languages, naming an exception no reader expected."""
    return _both(key, detail=traceback.format_exception_only(type(exc), exc)[-1].strip())


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

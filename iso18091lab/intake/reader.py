"""Finding tables in raw CSV, text and spreadsheet files, safely.

* :func:`list_raw_files` accounts for every file below the raw folder: each one is either
  ``read`` or ``skipped`` with a reason (hidden, reserved ``_`` name, Excel lock file, not a data
  file type, empty). :func:`iter_raw_files` returns just the readable ones.
* :func:`read_sheets` returns every sheet of a file as rows of cell values, row ``i`` of the
  list being spreadsheet row ``i + 1``; text is NFC. Read: ``.xlsx``/``.xlsm``, legacy ``.xls``
  (BIFF), ``.ods``, and delimited text (``.csv``, ``.tsv``, ``.txt``) in UTF-8 (with or without
  BOM), UTF-16 (Excel's "Unicode text") or Windows-1258, with ``,`` ``;`` tab or ``|`` between
  fields. Workbooks are checked before parsing (file size, uncompressed size, compression ratio,
  sheet dimensions) and parsed in a child process with a memory and time limit, so a hostile or
  broken workbook cannot take the whole run down.
* :func:`recognise_table` recognises which table a sheet holds from its headers (Vietnamese or
  English, any case, with or without diacritics, below a title, over one or two merged rows; the wide
  layouts — summary matrices and per-body forms — through :mod:`iso18091lab.intake.layouts`) and
  returns a :class:`FoundTable`, a :class:`SkippedSheet` (no table: instructions, lists) or a
  :class:`StructuralError` (a table of a known kind whose required column is missing or not
  recognised, with a fix in Vietnamese and English).

Files are only ever opened for reading.
"""
from __future__ import annotations

import csv
import difflib
import functools
import io as _io
import itertools
import os
import pickle
import re
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from iso18091lab.config import DEFAULT_LIMITS, ReadLimits
from iso18091lab.i18n import t
from iso18091lab.normalize import fold, nfc

#: Workbook types parsed by calamine in a child process.
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
#: Delimited text types.
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
DATA_SUFFIXES = EXCEL_SUFFIXES | CSV_SUFFIXES
HEADER_SEARCH_ROWS = 25
#: Candidate field separators of delimited text, in the order preferred on a tie.
DELIMITERS = (",", ";", "\t", "|")

#: Canonical column -> accepted header spellings, compared after :func:`fold`.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("province", "tinh", "tinh thanh pho", "tinh tp", "thanh pho", "tinh thanh", "dia phuong"),
    "unit": ("unit", "unit name", "body", "don vi", "ten don vi", "co quan", "ten co quan",
             "don vi duoc danh gia", "ubnd", "ten ubnd", "ubnd xa phuong", "ubnd xa phuong thi tran",
             "don vi hanh chinh", "ten don vi hanh chinh", "ten xa", "ten xa phuong", "xa phuong",
             "xa phuong thi tran"),
    "code": ("code", "unit code", "ma", "ma don vi", "ma dvhc", "ma hanh chinh", "ma so", "ma xa",
             "ma xa phuong", "ma huyen", "ma don vi hanh chinh"),
    "year": ("year", "nam", "nam danh gia"),
    "round": ("round", "dot", "dot danh gia", "ky danh gia", "lan danh gia"),
    "date": ("date", "assessment date", "date assessed", "ngay", "ngay danh gia", "ngay cham", "ngay cham diem",
             "thoi diem danh gia"),
    "rater": ("rater", "rater type", "nguoi danh gia", "loai danh gia", "ben danh gia", "hinh thuc danh gia"),
    "rater_id": ("rater id", "ma nguoi cham", "ma nguoi danh gia", "thanh vien hoi dong", "thanh vien",
                 "council member", "member"),
    "indicator": ("indicator", "indicator id", "chi so", "ma chi so", "so hieu chi so"),
    "score": ("score", "points", "diem", "diem so", "diem cham", "ket qua cham", "ket qua cham diem",
              "diem tu cham"),
    "rating": ("rating", "traffic light", "muc", "muc danh gia", "den", "mau", "xep loai", "den tin hieu"),
    "level": ("level", "cap", "cap hanh chinh", "loai don vi", "loai"),
    "group": ("group", "nhom", "nhom so sanh", "nhom doi tuong"),
    "pilot_start": ("pilot start", "nam bat dau thi diem", "bat dau thi diem", "nam thi diem",
                    "thi diem tu nam"),
    "pilot_start_round": ("pilot start round", "dot bat dau thi diem", "dot bat dau"),
    "aliases": ("aliases", "alias", "ten khac", "ten goi khac", "cach viet khac"),
    "measure": ("measure", "chi tieu", "thuoc do", "ten chi tieu"),
    "value": ("value", "gia tri", "ket qua"),
    "source": ("source", "data source", "nguon", "nguon du lieu"),
}
_ALIAS_LOOKUP = {alias: canonical for canonical, aliases in HEADER_ALIASES.items() for alias in aliases}
_PARENTHESES = re.compile(r"\(.*?\)|\[.*?\]")

#: Canonical column -> (Vietnamese, English) header shown in messages and proposed in fixes (text-table rows
#: ``hdr.<column>``; the template writes the same headers).
EXPECTED_HEADERS: dict[str, tuple[str, str]] = {
    column: (t(f"hdr.{column}", "vi"), t(f"hdr.{column}", "en"))
    for column in ("province", "unit", "code", "year", "round", "date", "rater", "rater_id", "indicator", "score",
                   "rating", "level", "group", "pilot_start", "pilot_start_round", "aliases", "measure", "value",
                   "source")
}

#: The kinds of table, in the order preferred when the evidence ties.
TABLE_KINDS = ("assessments", "units", "outcomes")
#: Required columns of each kind: each entry is a group of alternatives (one of them suffices).
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "assessments": (("province",), ("unit", "code"), ("year",), ("rater",), ("indicator",), ("score", "rating")),
    "units": (("province",), ("unit",), ("group",)),
    "outcomes": (("province",), ("unit", "code"), ("year",), ("measure",), ("value",)),
}
#: Every column a table of each kind may have.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "assessments": ("province", "unit", "code", "year", "round", "date", "rater", "rater_id", "indicator", "score",
                    "rating", "source"),
    "units": ("province", "unit", "code", "level", "group", "pilot_start", "pilot_start_round", "aliases",
              "source"),
    "outcomes": ("province", "unit", "code", "year", "date", "measure", "value", "source"),
}
#: Columns only a table of that kind has (the evidence for a kind when its signature is incomplete).
_KIND_COLUMNS = {
    "assessments": {"indicator", "score", "rating", "rater", "rater_id"},
    "units": {"level", "group", "pilot_start", "pilot_start_round", "aliases"},
    "outcomes": {"measure", "value"},
}
_IDENTITY = {"province", "unit", "code", "year"}
#: What each kind of table is called in messages (text-table rows ``io_kind_<kind>``).
KIND_NAMES: dict[str, tuple[str, str]] = {kind: (t(f"io_kind_{kind}", "vi"), t(f"io_kind_{kind}", "en"))
                                          for kind in TABLE_KINDS}


def _both(key: str, **values) -> tuple[str, str]:
    """A message of the text table in Vietnamese and in English; a value given as a (vi, en) pair is put in each
    language's message."""
    def pick(lang: str) -> dict:
        return {k: (v[0] if lang == "vi" else v[1]) if isinstance(v, tuple) else v for k, v in values.items()}
    return t(key, "vi", **pick("vi")), t(key, "en", **pick("en"))


class FileReadError(Exception):
    """A file that cannot be read at all: the ``rule`` and the reason, the text-table row ``key`` worded with
    ``values`` (``reason_vi``, ``reason_en``; a value may be a (vi, en) pair)."""

    def __init__(self, file: Path, rule: str, key: str, **values):
        self.file, self.rule, self.key, self.values = file, rule, key, values
        self.reason_vi, self.reason_en = _both(key, **values)
        super().__init__(f"{file}: {self.reason_en}")


@dataclass(frozen=True)
class RawFile:
    """One file (or skipped folder) below the raw folder and whether it is read.

    ``status`` is ``"read"`` or ``"skipped"``; a skipped entry has a ``rule`` (``hidden``,
    ``reserved``, ``lock_file``, ``unsupported_type``, ``empty_file``, ``unreadable``) and a reason
    in Vietnamese and English. ``is_folder`` marks a skipped folder listed as one entry
    (``relative`` then ends with ``/``).
    """

    path: Path
    relative: str
    status: str
    rule: str = ""
    reason_vi: str = ""
    reason_en: str = ""
    is_folder: bool = False


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


@dataclass(frozen=True)
class MissingColumn:
    """A required column a table lacks: ``column`` or one of ``alternatives`` is needed."""

    column: str
    alternatives: tuple[str, ...] = ()

    @property
    def header_vi(self) -> str:
        """The Vietnamese header to use, e.g. 'Nhóm'."""
        return EXPECTED_HEADERS[self.column][0]

    @property
    def header_en(self) -> str:
        """The English header to use, e.g. 'group'."""
        return EXPECTED_HEADERS[self.column][1]

    @property
    def expected(self) -> str:
        """Both headers, e.g. 'Nhóm / group'."""
        return f"{self.header_vi} / {self.header_en}"


@dataclass(frozen=True)
class UnrecognisedHeader:
    """A header cell that matches no accepted spelling, with the closest accepted one if close."""

    column: str  # spreadsheet column letter, e.g. "B"
    header: str  # as written (NFC)
    suggestion: str | None = None  # canonical column it probably means

    @property
    def suggested(self) -> str:
        """The suggested header in both languages ('Tên đơn vị / unit'), or ''."""
        if not self.suggestion:
            return ""
        vi, en = EXPECTED_HEADERS[self.suggestion]
        return f"{vi} / {en}"


@dataclass
class StructuralError:
    """A sheet that clearly holds a table of kind ``kind`` but cannot be read: a required column is
    missing or its header is not recognised. No row of it is read.

    ``headers`` are the header cells as written (column letter -> text), ``recognised`` maps the
    canonical columns found to their header text, ``missing`` lists the required columns lacking,
    ``unrecognised`` the other header cells (with a suggestion when one is close), ``data_rows`` the
    non-empty rows below the header that were not read.
    """

    file: Path
    sheet: str
    kind: str
    header_rows: tuple[int, ...]
    headers: dict[str, str]
    recognised: dict[str, str]
    missing: list[MissingColumn]
    unrecognised: list[UnrecognisedHeader]
    data_rows: int = 0
    rule: str = "missing_columns"

    def _renames(self) -> list[tuple[MissingColumn, UnrecognisedHeader | None]]:
        used: set[int] = set()
        out = []
        for missing in self.missing:
            wanted = (missing.column, *missing.alternatives)
            match = next((i for i, u in enumerate(self.unrecognised) if u.suggestion in wanted and i not in used), None)
            if match is not None:
                used.add(match)
                # propose the header for the alternative the cell resembles ('Mã xã' -> code, not unit)
                out.append((MissingColumn(self.unrecognised[match].suggestion), self.unrecognised[match]))
            else:
                out.append((missing, None))
        return out

    def _fixes(self, lang: str) -> list[str]:
        """One fix per missing column: rename the cell that resembles it, else add the column."""
        english = lang == "en"
        fixes = []
        for missing, cell in self._renames():
            wanted = f"'{missing.header_vi}'" + (f" ({missing.header_en})" if english else "")
            if cell is not None:
                fixes.append(t("io_fix_rename", lang, column=cell.column, header=cell.header, wanted=wanted))
                continue
            names = [f"'{EXPECTED_HEADERS[a][0]}'" + (f" ({EXPECTED_HEADERS[a][1]})" if english else "")
                     for a in missing.alternatives]
            other = "".join(f" {t('io_or', lang)} {name}" for name in names)
            fixes.append(t("io_fix_add", lang, wanted=wanted, other=other))
        return fixes

    @property
    def fixes_vi(self) -> list[str]:
        """One fix per missing column, in Vietnamese."""
        return self._fixes("vi")

    @property
    def fixes_en(self) -> list[str]:
        """One fix per missing column, in English."""
        return self._fixes("en")

    def _where(self, lang: str) -> str:
        where = f"'{self.file.as_posix()}'"
        if self.sheet:
            where += f", {t('io_where_sheet', lang)} '{self.sheet}'"
        return where + f", {t('io_where_header_row', lang)} {'+'.join(map(str, self.header_rows))}"

    def _message(self, lang: str) -> str:
        missing = ", ".join(_missing_text(m, t("io_or", lang)) for m in self.missing)
        found = "; ".join(f"{c}: '{h}'" for c, h in self.headers.items()) or t("io_none", lang)
        text = t("io_structural", lang, where=self._where(lang), kind=t(f"io_kind_{self.kind}", lang),
                 missing=missing, found=found)
        hints = [t("io_close_to", lang, column=u.column, header=u.header,
                   suggested=EXPECTED_HEADERS[u.suggestion][0] if lang == "vi" else u.suggested)
                 for u in self.unrecognised if u.suggestion]
        if hints:
            text += " " + t("io_not_recognised", lang, hints=", ".join(hints))
        text += " " + t("io_fix", lang, fixes="; ".join(self._fixes(lang)))
        return text + " " + t("io_rows_not_read", lang, n=str(self.data_rows))

    @property
    def message_vi(self) -> str:
        """The whole problem and its fix in Vietnamese."""
        return self._message("vi")

    @property
    def message_en(self) -> str:
        """The whole problem and its fix in English."""
        return self._message("en")

    @property
    def reason_vi(self) -> str:
        """Same as :attr:`message_vi` (named like :class:`SkippedSheet`'s reason)."""
        return self.message_vi

    @property
    def reason_en(self) -> str:
        """Same as :attr:`message_en`."""
        return self.message_en


def _missing_text(missing: MissingColumn, word: str) -> str:
    others = "".join(f" ({word} {EXPECTED_HEADERS[a][0]} / {EXPECTED_HEADERS[a][1]})" for a in missing.alternatives)
    return missing.expected + others


# --------------------------------------------------------------------------- which files

_ARCHIVES = {".zip", ".rar", ".7z", ".gz", ".tar"}


def _skip_reason(name: str, is_folder: bool) -> tuple[str, str, str] | None:
    """(rule, vi, en) for a name that is never read, or None."""
    what = "io_what_folder" if is_folder else "io_what_file"
    if name.startswith("~$"):
        return ("lock_file", *_both("io_lock_file"))
    for prefix, rule in ((".", "hidden"), ("_", "reserved")):
        if name.startswith(prefix):
            return (rule, t(f"io_{rule}", "vi", what=t(what, "vi")), t(f"io_{rule}", "en", what=t(what, "en")))
    return None


def _type_reason(path: Path) -> tuple[str, str, str] | None:
    suffix = path.suffix.lower()
    if suffix in DATA_SUFFIXES:
        return None
    if not suffix:
        return ("unsupported_type", *_both("io_no_extension"))
    if suffix in _ARCHIVES:
        return ("unsupported_type", *_both("io_archive", suffix=suffix))
    if suffix == ".xlsb":
        return ("unsupported_type", *_both("io_xlsb"))
    return ("unsupported_type", *_both("io_not_data_type", suffix=suffix))


def _is_empty(path: Path, size: int) -> bool:
    if size == 0:
        return True
    if size > 64:
        return False
    data = path.read_bytes()
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        data = data.removeprefix(bom)
    return not data.replace(b"\x00", b"").strip()


def list_raw_files(raw_dir: str | Path) -> list[RawFile]:
    """Every file below ``raw_dir``, each exactly once, marked ``read`` or ``skipped`` with a reason.

    A folder whose name starts with ``.`` or ``_`` (e.g. ``_synthetic/``) is one skipped entry,
    its files not listed. Sorted like the paths (by their parts).
    """
    raw_dir = Path(raw_dir)
    entries: list[RawFile] = []
    for folder, dirnames, filenames in os.walk(raw_dir, followlinks=False):
        base = Path(folder)
        kept = []
        for name in sorted(dirnames):
            path = base / name
            relative = path.relative_to(raw_dir).as_posix() + "/"
            skip = _skip_reason(name, True)
            if skip is None and path.is_symlink():
                skip = ("unreadable", *_both("io_folder_link"))
            if skip is None:
                kept.append(name)
                continue
            count = sum(len(files) for _, _, files in os.walk(path)) if not path.is_symlink() else 0
            rule, vi, en = skip
            entries.append(RawFile(path, relative, "skipped", rule, t("io_folder_files", "vi", reason=vi, count=count),
                                   t("io_folder_files", "en", reason=en, count=count), is_folder=True))
        dirnames[:] = kept
        for name in filenames:
            path = base / name
            relative = path.relative_to(raw_dir).as_posix()
            skip = _skip_reason(name, False) or _type_reason(path)
            if skip is None:
                try:
                    size = path.stat().st_size
                    if _is_empty(path, size):
                        skip = ("empty_file", *_both("io_empty_file"))
                except OSError as exc:
                    skip = ("unreadable", *_both("io_cannot_open", detail=str(exc)))
            if skip is None:
                entries.append(RawFile(path, relative, "read"))
            else:
                entries.append(RawFile(path, relative, "skipped", *skip))
    entries.sort(key=lambda f: PurePosixPath(f.relative).parts)
    return entries


def iter_raw_files(raw_dir: str | Path) -> list[Path]:
    """The readable files below ``raw_dir`` (those :func:`list_raw_files` marks ``read``), sorted."""
    return [f.path for f in list_raw_files(raw_dir) if f.status == "read"]


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
        fmt = check_workbook(path, limits)
        if fmt == "text":  # a web application's "Excel" export that is really delimited text
            return [RawSheet(path, "", _read_csv_rows(path))]
        return _read_workbook_isolated(path, fmt, limits, children)
    return [RawSheet(path, "", _read_csv_rows(path))]


def decode_text(data: bytes) -> str:
    """Text of a CSV/TXT file: UTF-8 (with or without BOM), UTF-16 (BOM or not), else Windows-1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    head = data[:4096]
    if len(head) >= 4:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        # ASCII and Vietnamese letters have a zero high byte far more often than a zero low byte
        if odd > len(head) // 4 and even <= odd // 8:
            return data.decode("utf-16-le")
        if even > len(head) // 4 and odd <= even // 8:
            return data.decode("utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258")


def _read_csv_rows(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        raise FileReadError(path, "encoding", "io_encoding")
    if "\x00" in text:
        raise FileReadError(path, "binary", "io_binary")
    default = "\t" if path.suffix.lower() in (".tsv", ".txt") else ","
    delimiter = detect_delimiter(text, default)
    cache: dict[str, str] = {}

    def cell(value: str) -> str:  # NFC; repeated values are normalised once
        if value.isascii():
            return value
        done = cache.get(value)
        if done is None:
            done = cache[value] = unicodedata.normalize("NFC", value)
        return done
    try:
        return [[cell(c) for c in row] for row in csv.reader(_io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise FileReadError(path, "bad_csv", "io_bad_csv", detail=str(exc))


def detect_delimiter(text: str, default: str = ",") -> str:
    """The field separator of delimited ``text``: ``,`` ``;`` tab or ``|``.

    Judged on the first records of the file, for each candidate: first the number of recognised
    column headers in one row (the header row found), then the longest run of consecutive
    non-blank records splitting into the same number (≥ 2) of fields — title rows above the
    header and decimal commas inside fields do not break the table's run — then the later run,
    then the more fields; ``default`` wins a full tie.
    """
    limit = 65536
    sample, truncated = text[:limit], len(text) > limit
    order = [default] + [d for d in DELIMITERS if d != default]
    best_key, best = None, default
    for rank, delimiter in enumerate(order):
        try:
            records = list(itertools.islice(csv.reader(_io.StringIO(sample), delimiter=delimiter), 300))
        except csv.Error:
            continue
        if truncated and len(records) > 1:
            records = records[:-1]  # possibly cut in the middle
        hits = max((_header_hits(r) for r in records[:HEADER_SEARCH_ROWS]), default=0)
        run = run_count = run_end = 0
        length, count = 0, None
        position = 0
        for record in records:
            if not any(c.strip() for c in record):
                continue  # blank lines do not break a table
            position += 1
            if len(record) >= 2 and len(record) == count:
                length += 1
            else:
                count, length = len(record), (1 if len(record) >= 2 else 0)
            if length and (length, position) >= (run, run_end):
                run, run_count, run_end = length, count, position
        key = (hits if hits >= 2 else 0, run, run_end, run_count, -rank)
        if best_key is None or key > best_key:
            best_key, best = key, delimiter
    return best


def _header_hits(record: list[str]) -> int:
    return len({canonical_header(c) for c in record if len(c) <= 80} - {None})


# --------------------------------------------------------------------------- workbook checks

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"')
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def column_letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index: 0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _not_a_workbook(path: Path, detail: str = "", why: str = "") -> FileReadError:
    """Not a workbook of its type: ``detail`` as the parser said it, or ``why``, a text-table key."""
    suffix = path.suffix.lower()
    rule = {".xls": "not_xls", ".ods": "not_ods"}.get(suffix, "not_xlsx")
    return FileReadError(path, rule, "io_not_workbook", suffix=suffix, detail=_both(why) if why else detail)


def check_workbook(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Reject workbooks that would exhaust memory before any reader parses them; return the
    format found from the content: ``"xlsx"``, ``"ods"``, ``"xls"`` or ``"text"``.

    Zip workbooks (``.xlsx``/``.xlsm``/``.ods``): total uncompressed size, compression ratio per
    member, and the area each worksheet spans (declared ``<dimension>`` and actual cell references
    for xlsx; repeated rows and columns of non-empty cells for ods): one cell at XFD1048576 makes
    the fast readers allocate hundreds of GiB and kill the process. Legacy ``.xls`` (BIFF) has at
    most 65,536 × 256 cells a sheet; it is bounded by the file size limit and the reader's memory
    limit. A ``.xls`` that is really delimited text is read as text; one that is a web page (HTML
    or XML) is rejected with how to fix it.
    """
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK"):
        return _check_zip_workbook(path, limits)
    if head == _OLE2:  # a BIFF workbook, or an encrypted .xlsx (also a compound file)
        if _encrypted_ole(path):
            raise FileReadError(path, "password", "io_encrypted")
        return "xls"
    with open(path, "rb") as handle:
        start = handle.read(4096)
    utf16 = start.startswith((b"\xff\xfe", b"\xfe\xff"))
    text = start.decode("utf-16" if utf16 else "utf-8", "ignore").lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        raise FileReadError(path, "web_page_as_excel", "io_web_page")
    if path.suffix.lower() == ".xls" and text and (utf16 or b"\x00" not in start):
        return "text"
    raise _not_a_workbook(path, why="io_unknown_format")


def _encrypted_ole(path: Path) -> bool:
    data = path.read_bytes()
    return "EncryptedPackage".encode("utf-16-le") in data


def _check_zip_workbook(path: Path, limits: ReadLimits) -> str:
    def reject(rule: str, key: str, **values) -> FileReadError:
        return FileReadError(path, rule, key, **values)

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _not_a_workbook(path, str(exc))
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "mimetype" in names and archive.read("mimetype").strip().startswith(_ODS_MIME):
            fmt = "ods"
        elif "xl/workbook.xml" in names:
            fmt = "xlsx"
        elif "xl/workbook.bin" in names:
            raise reject("unsupported_type", "io_xlsb")
        elif any(n.startswith("xl/worksheets/") for n in names):
            fmt = "xlsx"
        else:
            raise _not_a_workbook(path, why="io_zip_without_workbook")
        total = sum(m.file_size for m in members)
        if total > limits.max_uncompressed_bytes:
            raise reject("too_large", "io_uncompressed_too_large", size=str(total))
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1_000_000 and ratio > limits.max_compression_ratio:
                raise reject("zip_bomb", "io_zip_bomb", ratio=f"{ratio:.0f}", member=member.filename)
        if fmt == "ods":
            if "content.xml" in names:
                for name, area in _ods_areas(archive):
                    if area > limits.max_sheet_cells:
                        raise reject("sheet_too_large", "io_sheet_too_large", sheet=name, area=str(area))
            return fmt
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                area = _sheet_area(archive, member)
                if area > limits.max_sheet_cells:
                    raise reject("sheet_too_large", "io_sheet_too_large", sheet=member.filename, area=str(area))
    return fmt


_REF_COLUMN = re.compile(rb' r="([A-Z]{1,3})\d')  # a cell reference's column letters (rows have r="N", no letters)
_REF_ROW = re.compile(rb' r="[A-Z]{1,3}(\d{1,7})"')


def _sheet_area(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """Cells a reader would allocate for one worksheet: the larger of the declared ``<dimension>`` and A1 to the
    last row and column that any cell reference names (two C-level regex scans per MiB, no per-cell Python)."""
    import numpy as np

    columns: set[bytes] = set()
    max_row = declared = 0
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            block = tail + chunk
            if not declared:
                dim = _DIMENSION.search(block)
                if dim:
                    c1, r1 = _column_number(dim.group(1)), int(dim.group(2))
                    c2 = _column_number(dim.group(3)) if dim.group(3) else c1
                    r2 = int(dim.group(4)) if dim.group(4) else r1
                    declared = (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
            # a reference cut at the block's end is found whole in the next block (the tail is carried over)
            cut = block.rfind(b"<")
            whole, tail = (block[:cut], block[cut:]) if cut > len(block) - 64 else (block, b"")
            columns.update(_REF_COLUMN.findall(whole))
            rows = _REF_ROW.findall(whole)
            if rows:
                max_row = max(max_row, int(np.array(rows).astype(np.int64).max()))
    if tail:
        columns.update(_REF_COLUMN.findall(tail))
        rows = _REF_ROW.findall(tail)
        max_row = max([max_row] + [int(r) for r in rows])
    # calamine allocates from A1 when reading with skip_empty_area=False
    actual = max_row * max(map(_column_number, columns)) if max_row and columns else 0
    return max(declared, actual)


_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _ods_areas(archive: zipfile.ZipFile) -> list[tuple[str, int]]:
    """(sheet name, cells from A1 to the last non-empty cell) of every table in content.xml,
    counting repeated rows and columns as the reader expands them."""
    from defusedxml.ElementTree import iterparse

    t = "{%s}" % _TABLE_NS
    value_type = "{%s}value-type" % _OFFICE_NS
    areas = []
    name, row, col, max_row, max_col, row_last = "", 0, 0, 0, 0, 0
    with archive.open("content.xml") as stream:
        for event, elem in iterparse(stream, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == t + "table":
                    name, row, max_row, max_col = elem.get(t + "name", ""), 0, 0, 0
                elif tag == t + "table-row":
                    col, row_last = 0, 0
                continue
            if tag in (t + "table-cell", t + "covered-table-cell"):
                repeat = int(elem.get(t + "number-columns-repeated", "1") or 1)
                col += repeat
                if elem.get(value_type) or len(elem) or (elem.text or "").strip():
                    row_last = col
                elem.clear()
            elif tag == t + "table-row":
                repeat = int(elem.get(t + "number-rows-repeated", "1") or 1)
                row += repeat
                if row_last:
                    max_row, max_col = row, max(max_col, row_last)
                elem.clear()
            elif tag == t + "table":
                areas.append((name, max_row * max_col))
                elem.clear()
    return areas


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
            done = subprocess.run(
                [sys.executable, "-I", str(WORKBOOK_CHILD), str(path), fmt, str(limits.max_sheet_cells),
                 str(limits.parse_memory_bytes)], capture_output=True, timeout=limits.parse_timeout_s)
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


# --------------------------------------------------------------------------- recognising tables

def canonical_header(text: object) -> str | None:
    """Canonical column for a header cell ('Tỉnh/Thành phố' -> 'province'), or None."""
    if not isinstance(text, str):  # a number, date or empty cell is never a header: every alias is words
        return None
    if len(text) > 200:
        return _canonical_header(text)
    return _canonical_header_cached(text)


@functools.lru_cache(maxsize=65536)
def _canonical_header_cached(text: str) -> str | None:
    return _canonical_header(text)


def _canonical_header(text: str) -> str | None:
    folded = fold(_PARENTHESES.sub(" ", nfc(text)))
    if folded in _ALIAS_LOOKUP:
        return _ALIAS_LOOKUP[folded]
    compact = folded.replace(" ", "_")
    if compact in HEADER_ALIASES:
        return compact
    return None


def _header_map(*header_rows: list[object]) -> dict[int, tuple[str, str]]:
    """Column index -> (canonical, header text); later rows win (sub-headers under merged ones)."""
    mapping: dict[int, tuple[str, str]] = {}
    width = max(len(r) for r in header_rows)
    for col in range(width):
        for row in reversed(header_rows):
            cell = row[col] if col < len(row) else ""
            canonical = canonical_header(cell)
            if canonical:
                mapping[col] = (canonical, nfc(cell))
                break
    # first column wins for a canonical name used twice
    seen: set[str] = set()
    for col in sorted(mapping):
        if mapping[col][0] in seen:
            del mapping[col]
        else:
            seen.add(mapping[col][0])
    return mapping


def _missing(kind: str, columns: set[str]) -> list[MissingColumn]:
    return [MissingColumn(group[0], group[1:]) for group in REQUIRED_COLUMNS[kind] if not columns & set(group)]


def table_kind(columns: set[str]) -> tuple[str, bool] | None:
    """(kind, complete signature) for a set of recognised canonical columns, or None (no table).

    Signatures: assessments = indicator and (score or rating); outcomes = measure and value;
    units = level, group, pilot start or aliases with province, unit or code, no indicator or
    measure, and no more assessment columns (rater, score...) than unit columns. Without a full
    signature a kind is still recognised (signature incomplete) from at least one of its own
    columns and two of province / unit / code / year, or two of its own columns and one of those:
    such a sheet is a table with a structural problem, not instructions.
    """
    if "indicator" in columns and columns & {"score", "rating"}:
        return "assessments", True
    if {"measure", "value"} <= columns:
        return "outcomes", True
    evidence = {kind: len(columns & _KIND_COLUMNS[kind]) for kind in TABLE_KINDS}
    if (evidence["units"] and evidence["units"] >= evidence["assessments"] and not columns & {"indicator", "measure"}
            and columns & {"province", "unit", "code"}):
        return "units", True
    identity = len(columns & _IDENTITY)
    kind = max(TABLE_KINDS, key=lambda k: evidence[k])  # first of the order on a tie
    if (evidence[kind] >= 1 and identity >= 2) or (evidence[kind] >= 2 and identity >= 1):
        return kind, False
    return None


def _suggest(header: str, candidates: list[str]) -> str | None:
    """The canonical column among ``candidates`` whose accepted spelling ``header`` resembles."""
    folded = fold(_PARENTHESES.sub(" ", header))
    if not folded:
        return None
    best, best_score = None, 0.0
    for canonical in candidates:
        for alias in HEADER_ALIASES[canonical]:
            if folded.startswith(alias + " ") and len(alias) >= 3:
                score = 0.9 + len(alias) / 1000  # Vietnamese puts the head noun first: 'Nhóm đơn vị' is a group
            else:
                score = difflib.SequenceMatcher(None, folded, alias).ratio()
            if score > best_score:
                best, best_score = canonical, score
    return best if best_score >= 0.7 else None


@dataclass
class _Candidate:
    rows: tuple[int, ...]  # 0-based
    mapping: dict[int, tuple[str, str]]
    kind: str | None
    complete: bool
    missing: list[MissingColumn]

    @property
    def valid(self) -> bool:
        return self.kind is not None and self.complete and not self.missing


def _candidates(rows: list[list[object]]) -> list[_Candidate]:
    limit = min(HEADER_SEARCH_ROWS, len(rows))
    singles = [_header_map(rows[i]) if rows[i] else {} for i in range(limit)]
    raw = []
    for start in range(limit):
        raw.append(((start,), singles[start]))
        if start + 1 < limit and singles[start] and rows[start + 1]:
            combined = _header_map(rows[start], rows[start + 1])
            if len(combined) > max(len(singles[start]), len(singles[start + 1])):
                raw.append(((start, start + 1), combined))
    out = []
    for header_rows, mapping in raw:
        columns = {c for c, _ in mapping.values()}
        found = table_kind(columns)
        kind, complete = found if found else (None, False)
        out.append(_Candidate(header_rows, mapping, kind, complete, _missing(kind, columns) if kind else []))
    return out


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

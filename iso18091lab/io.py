"""Finding tables in raw CSV and Excel files, safely.

* :func:`iter_raw_files` lists the CSV/XLSX files under a folder (names starting with ``.``,
  ``_`` or ``~$`` are skipped: hidden files, Excel lock files, the synthetic generator's truth).
* :func:`read_sheets` returns every sheet of a file as rows of cell values, row ``i`` of the
  list being spreadsheet row ``i + 1``. Workbooks are checked before parsing (file size,
  uncompressed size, compression ratio, sheet dimensions) and parsed in a child process with a
  memory limit, so a hostile or broken workbook cannot take the whole run down.
* :func:`find_table` recognises which table a sheet holds from its headers (Vietnamese or
  English, any case, with or without diacritics, below a title, over one or two merged rows).

Files are only ever opened for reading.
"""
from __future__ import annotations

import csv
import io as _io
import pickle
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import DEFAULT_LIMITS, ReadLimits
from .text import fold, nfc

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
HEADER_SEARCH_ROWS = 25

#: Canonical column -> accepted header spellings, compared after :func:`fold`.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("province", "tinh", "tinh thanh pho", "tinh tp", "thanh pho", "tinh thanh", "dia phuong"),
    "unit": ("unit", "unit name", "body", "don vi", "ten don vi", "co quan", "ten co quan",
             "don vi duoc danh gia", "ubnd"),
    "code": ("code", "unit code", "ma", "ma don vi", "ma dvhc", "ma hanh chinh", "ma so"),
    "year": ("year", "nam", "nam danh gia"),
    "round": ("round", "dot", "dot danh gia", "ky danh gia", "lan danh gia"),
    "rater": ("rater", "rater type", "nguoi danh gia", "loai danh gia", "ben danh gia", "hinh thuc danh gia"),
    "rater_id": ("rater id", "ma nguoi cham", "ma nguoi danh gia", "thanh vien hoi dong", "thanh vien",
                 "council member", "member"),
    "indicator": ("indicator", "indicator id", "chi so", "ma chi so", "so hieu chi so"),
    "score": ("score", "points", "diem", "diem so", "diem cham"),
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

#: What a sheet must have to be recognised as each kind of table.
TABLE_KINDS = ("assessments", "units", "outcomes")


class FileReadError(Exception):
    """A file that cannot be read at all; ``reason`` is (vi, en)."""

    def __init__(self, file: Path, rule: str, reason_vi: str, reason_en: str):
        super().__init__(f"{file}: {reason_en}")
        self.file, self.rule, self.reason_vi, self.reason_en = file, rule, reason_vi, reason_en


@dataclass
class RawSheet:
    """Cell values of one sheet (or a CSV file); ``rows[i]`` is spreadsheet row ``i + 1``."""

    file: Path
    sheet: str
    rows: list[list[object]]


@dataclass
class FoundTable:
    """A recognised table: its kind, where its header is, and its data rows."""

    file: Path
    sheet: str
    kind: str
    header_rows: tuple[int, ...]
    headers: dict[str, str]  # canonical column -> header text as written in the file
    records: list[tuple[int, dict[str, object]]] = field(default_factory=list)  # (row number, cells)
    empty_rows: int = 0
    title: str = ""


@dataclass
class SkippedSheet:
    """A sheet that holds no recognisable table (instructions, charts, lists)."""

    file: Path
    sheet: str
    reason_vi: str
    reason_en: str


def iter_raw_files(raw_dir: str | Path) -> list[Path]:
    """Every CSV/XLSX file below ``raw_dir``, sorted, skipping hidden, lock and ``_`` names."""
    raw_dir = Path(raw_dir)
    found = []
    for path in sorted(raw_dir.rglob("*")):
        parts = path.relative_to(raw_dir).parts
        if any(p.startswith((".", "_", "~$")) for p in parts):
            continue
        if path.is_file() and path.suffix.lower() in EXCEL_SUFFIXES | CSV_SUFFIXES:
            found.append(path)
    return found


def read_sheets(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[RawSheet]:
    """All sheets of a CSV or Excel file as rows of values; raises :class:`FileReadError`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileReadError(path, "unreadable", f"không mở được tệp ({exc})", f"cannot open file ({exc})")
    if size > limits.max_file_bytes:
        raise FileReadError(path, "too_large", f"tệp quá lớn ({size} byte)", f"file too large ({size} bytes)")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        check_workbook(path, limits)
        return _read_workbook_isolated(path, limits)
    return [RawSheet(path, "", _read_csv_rows(path))]


def _read_csv_rows(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes almost anything
        raise FileReadError(path, "encoding", "không nhận ra bảng mã ký tự", "unknown text encoding")
    if "\x00" in text:
        raise FileReadError(path, "binary", "tệp không phải văn bản CSV", "file is not CSV text")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    return [list(row) for row in csv.reader(_io.StringIO(text), delimiter=delimiter)]


_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def check_workbook(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Reject workbooks that would exhaust memory before any reader parses them.

    Checks the zip container, total uncompressed size, compression ratio per member, and the
    area each worksheet spans (declared ``<dimension>`` and actual cell references): one cell at
    XFD1048576 makes the fast readers allocate hundreds of GiB and kill the process.
    """
    def reject(rule: str, vi: str, en: str) -> FileReadError:
        return FileReadError(path, rule, vi, en)

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise reject("not_xlsx", f"không phải tệp Excel .xlsx hợp lệ ({exc})", f"not a valid .xlsx workbook ({exc})")
    with archive:
        members = archive.infolist()
        total = sum(m.file_size for m in members)
        if total > limits.max_uncompressed_bytes:
            raise reject("too_large", f"nội dung giải nén quá lớn ({total} byte)",
                         f"uncompressed content too large ({total} bytes)")
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1_000_000 and ratio > limits.max_compression_ratio:
                raise reject("zip_bomb", f"tỷ lệ nén bất thường ({ratio:.0f}:1) ở {member.filename}",
                             f"suspicious compression ratio ({ratio:.0f}:1) in {member.filename}")
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                area = _sheet_area(archive, member)
                if area > limits.max_sheet_cells:
                    raise reject("sheet_too_large",
                                 f"trang tính {member.filename} trải trên {area} ô, vượt giới hạn",
                                 f"worksheet {member.filename} spans {area} cells, over the limit")


def _sheet_area(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    min_row = min_col = 10**9
    max_row = max_col = 0
    declared = 0
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
            for match in _CELL_REF.finditer(block):
                col, row = _column_number(match.group(1)), int(match.group(2))
                min_row, max_row = min(min_row, row), max(max_row, row)
                min_col, max_col = min(min_col, col), max(max_col, col)
            tail = block[-64:]
    # calamine allocates from A1 when reading with skip_empty_area=False
    actual = max_row * max_col if max_row else 0
    return max(declared, actual)


_CHILD = r"""
import pickle, sys
import python_calamine as pc
wb = pc.CalamineWorkbook.from_path(sys.argv[1])
out = []
for name in wb.sheet_names:
    sheet = wb.get_sheet_by_name(name)
    rows = sheet.to_python(skip_empty_area=False)
    merged = sheet.merged_cell_ranges or []
    out.append((name, rows, [tuple(map(tuple, m)) for m in merged]))
sys.stdout.buffer.write(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
"""


def _limit_memory(max_bytes: int):
    def apply() -> None:  # runs in the child before exec
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    return apply


def _read_workbook_isolated(path: Path, limits: ReadLimits) -> list[RawSheet]:
    """Parse a workbook with calamine in a child process with a memory and time limit."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path)], capture_output=True, timeout=limits.parse_timeout_s,
            preexec_fn=_limit_memory(limits.parse_memory_bytes) if sys.platform != "win32" else None,
        )
    except subprocess.TimeoutExpired:
        raise FileReadError(path, "timeout", "đọc tệp quá thời gian cho phép", "reading the file timed out")
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"reader exited with code {done.returncode}"
        if "PasswordError" in detail or "password" in detail.lower():
            raise FileReadError(path, "password", "tệp có mật khẩu", "workbook is password-protected")
        raise FileReadError(path, "unreadable", f"không đọc được tệp Excel ({detail})",
                            f"cannot read workbook ({detail})")
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


def canonical_header(text: object) -> str | None:
    """Canonical column for a header cell ('Tỉnh/Thành phố' -> 'province'), or None."""
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


def _kind_of(columns: set[str]) -> str | None:
    if "unit" not in columns and "code" not in columns:
        return None
    if "indicator" in columns and ({"score", "rating"} & columns):
        return "assessments"
    if {"measure", "value"} <= columns:
        return "outcomes"
    if "indicator" not in columns and "measure" not in columns and ({"level", "group"} & columns):
        return "units"
    return None


def find_table(sheet: RawSheet) -> FoundTable | SkippedSheet:
    """Recognise the table a sheet holds from its header row(s)."""
    rows = sheet.rows
    limit = min(HEADER_SEARCH_ROWS, len(rows))
    singles = [_header_map(rows[i]) for i in range(limit)]
    candidates = []
    for start in range(limit):
        candidates.append(((start,), singles[start]))
        if start + 1 < limit and singles[start]:
            combined = _header_map(rows[start], rows[start + 1])
            if len(combined) > max(len(singles[start]), len(singles[start + 1])):
                candidates.append(((start, start + 1), combined))
    best: tuple[int, tuple[int, ...], dict] | None = None
    for header_rows, mapping in candidates:
        if _kind_of({c for c, _ in mapping.values()}) and (best is None or len(mapping) > best[0]):
            best = (len(mapping), header_rows, mapping)
    if best is None:
        return SkippedSheet(sheet.file, sheet.sheet,
                            "không nhận ra bảng dữ liệu (tiêu đề cột không khớp)",
                            "no data table recognised (column headers do not match)")
    _, header_rows, mapping = best
    columns = {c for c, _ in mapping.values()}
    table = FoundTable(
        file=sheet.file, sheet=sheet.sheet, kind=_kind_of(columns),
        header_rows=tuple(r + 1 for r in header_rows),
        headers={canonical: text for canonical, text in mapping.values()},
        title=" ".join(nfc(c) for r in rows[: header_rows[0]] for c in r if nfc(c)),
    )
    for index in range(header_rows[-1] + 1, len(rows)):
        row = rows[index]
        cells = {canonical: (row[col] if col < len(row) else "") for col, (canonical, _) in mapping.items()}
        if all(nfc(v) == "" for v in cells.values()):
            table.empty_rows += 1
            continue
        table.records.append((index + 1, cells))
    return table

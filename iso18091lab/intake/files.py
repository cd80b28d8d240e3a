"""Files below the raw folder and their safety: which files are read, and workbook checks before any parser runs.

* :func:`list_raw_files` accounts for every file below the raw folder: each one is either ``read`` or ``skipped``
  with a reason (hidden, reserved ``_`` name, Excel lock file, not a data file type, empty). :func:`iter_raw_files`
  returns just the readable ones.
* :func:`check_workbook` rejects workbooks that would exhaust memory before they are parsed (file size,
  uncompressed size, compression ratio, sheet dimensions) and finds the format from the content.
* :class:`FileReadError`: a file that cannot be read at all, with the reason in Vietnamese and English.

Files are only ever opened for reading.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from iso18091lab.config import DEFAULT_LIMITS, ReadLimits
from iso18091lab.i18n import t
from iso18091lab.intake.workbook_child import sheet_over

#: Workbook types parsed by calamine in a child process.
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
#: Delimited text types.
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
DATA_SUFFIXES = EXCEL_SUFFIXES | CSV_SUFFIXES


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


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _not_a_workbook(path: Path, detail: str = "", why: str = "") -> FileReadError:
    """Not a workbook of its type: ``detail`` as the parser said it, or ``why``, a text-table key."""
    suffix = path.suffix.lower()
    rule = {".xls": "not_xls", ".ods": "not_ods"}.get(suffix, "not_xlsx")
    return FileReadError(path, rule, "io_not_workbook", suffix=suffix, detail=_both(why) if why else detail)


def check_workbook(path: Path, limits: ReadLimits = DEFAULT_LIMITS, areas: bool = True) -> str:
    """Reject workbooks that would exhaust memory before any reader parses them; return the
    format found from the content: ``"xlsx"``, ``"ods"``, ``"xls"`` or ``"text"``.

    Zip workbooks (``.xlsx``/``.xlsm``/``.ods``): total uncompressed size, compression ratio per
    member, and the area each worksheet spans (declared ``<dimension>`` and actual cell references
    for xlsx; repeated rows and columns of non-empty cells for ods): one cell at XFD1048576 makes
    the fast readers allocate hundreds of GiB and kill the process. Legacy ``.xls`` (BIFF) has at
    most 65,536 × 256 cells a sheet; it is bounded by the file size limit and the reader's memory
    limit. A ``.xls`` that is really delimited text is read as text; one that is a web page (HTML
    or XML) is rejected with how to fix it.

    ``areas=False`` leaves the xlsx worksheets' areas to the workbook child, which checks them (the same scan,
    the same error) before it parses the workbook, outside this interpreter (the scan reads every cell reference
    of every sheet): the reader's way. Everything else is checked here either way.
    """
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK"):
        return _check_zip_workbook(path, limits, areas)
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


def _check_zip_workbook(path: Path, limits: ReadLimits, areas: bool = True) -> str:
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
        found = sheet_over(archive, limits.max_sheet_cells) if areas else None
        if found is not None:
            raise reject("sheet_too_large", "io_sheet_too_large", sheet=found[0], area=str(found[1]))
    return fmt


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

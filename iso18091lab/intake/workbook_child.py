"""Parse workbooks with calamine in a child process and send their sheets back as a pickle — run as a script by
:func:`iso18091lab.intake.reader._read_workbook_isolated`, so a hostile file (a cell at XFD1048576, a zip bomb)
can only take this process down, never the ingest.

    python workbook_child.py PATH FORMAT MAX_SHEET_CELLS MAX_MEMORY_BYTES     # one workbook, sheets on stdout
    python workbook_child.py --serve MAX_MEMORY_BYTES                         # one workbook per request

It sets its own address-space limit first (no ``preexec_fn`` in the parent, which is unsafe with threads),
normalises text to NFC, refuses a sheet whose area exceeds MAX_SHEET_CELLS (stderr
``SHEET_TOO_LARGE<TAB>name<TAB>area``, exit 3: for an xlsx, before calamine opens it, each worksheet's declared
``<dimension>`` and the last row and column its cell references name, :func:`sheet_area`, the scan
:func:`iso18091lab.intake.files.check_workbook` makes when asked; else the area calamine reports), and imports nothing of the package (it runs as a file, not as
``-m iso18091lab...``, whose ``__init__`` would load pandas and the reports).

With ``--serve`` one child parses a batch of workbooks, one request at a time (an interpreter start-up per
workbook cost more than parsing a small one): :class:`WorkbookChildren`, used by the parent, keeps one such child
per reading thread and gives each request the answer a one-workbook child would have given — its exit code, the
pickle, and its error text — so the parent words every failure as before. A workbook that fails is answered as
failed and the child reads the next one; a workbook that takes the child down (over the memory limit) or over the
time limit is answered from the child's exit and its error output, and the next workbook gets a new child.
"""
from __future__ import annotations

import os
import pickle
import re
import struct
import sys
import unicodedata
import zipfile

#: A request: the length of its UTF-8 text ``PATH<TAB>FORMAT<TAB>MAX_SHEET_CELLS``.
_REQUEST = struct.Struct("<I")
#: An answer: the exit code a one-workbook child would have had, and the length of what follows (the pickle when
#: the code is 0, else the text it would have written to stderr).
_ANSWER = struct.Struct("<iQ")


class SheetTooLarge(Exception):
    """A sheet whose declared area is over the limit; its text is the line the parent recognises."""

    def __init__(self, name: str, area: int):
        super().__init__(f"SHEET_TOO_LARGE\t{name}\t{area}\n")


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?"')
_REF_COLUMN = re.compile(rb' r="([A-Z]{1,3})\d')  # a cell reference's column letters (rows have r="N", no letters)
_REF_ROW = re.compile(rb' r="[A-Z]{1,3}(\d{1,7})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number


def is_worksheet(name: str) -> bool:
    """Whether a member of an xlsx archive is a worksheet's XML (whose area :func:`sheet_area` measures)."""
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def sheet_area(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """Cells a reader would allocate for one worksheet of an xlsx: the larger of the declared ``<dimension>`` and
    A1 to the last row and column that any cell reference names (two C-level regex scans per MiB, no per-cell
    Python).

    Parameters
    ----------
    archive : zipfile.ZipFile
        The open workbook.
    member : zipfile.ZipInfo
        One worksheet of it (:func:`is_worksheet`).

    Returns
    -------
    int
        The area in cells; 0 for a sheet with no cell and no dimension.
    """
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
                max_row = max(max_row, max(map(int, rows)))
    if tail:
        columns.update(_REF_COLUMN.findall(tail))
        rows = _REF_ROW.findall(tail)
        max_row = max([max_row] + [int(r) for r in rows])
    # calamine allocates from A1 when reading with skip_empty_area=False
    actual = max_row * max(map(_column_number, columns)) if max_row and columns else 0
    return max(declared, actual)


def sheet_over(archive: zipfile.ZipFile, max_cells: int) -> tuple[str, int] | None:
    """(member name, :func:`sheet_area`) of the first worksheet of an open xlsx whose area is over ``max_cells``;
    None when every worksheet is within it."""
    for member in archive.infolist():
        if is_worksheet(member.filename):
            area = sheet_area(archive, member)
            if area > max_cells:
                return member.filename, area
    return None


def check_sheet_areas(path: str, max_cells: int) -> None:
    """Raise :class:`SheetTooLarge` (named by the worksheet's member name) for the first worksheet of the xlsx at
    ``path`` whose :func:`sheet_area` is over ``max_cells`` (:func:`sheet_over`)."""
    with zipfile.ZipFile(path) as archive:
        found = sheet_over(archive, max_cells)
    if found is not None:
        raise SheetTooLarge(*found)


def limit_memory(max_bytes: int) -> None:
    """Cap this process's address space (POSIX); elsewhere the parent's time limit is the only guard."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def read_sheets(path: str, fmt: str, max_cells: int) -> list[tuple[str, list[list[object]], list[tuple]]]:
    """(sheet name, rows of values, merged ranges) for every sheet; raises :class:`SheetTooLarge` on a sheet over
    ``max_cells`` (an xlsx's worksheets are measured before calamine opens it, :func:`check_sheet_areas`)."""
    import python_calamine as pc

    if fmt == "xlsx":  # before calamine allocates a sheet from A1 to its last cell reference
        check_sheet_areas(path, max_cells)
    suffix = path.rsplit(".", 1)[-1].lower()
    suffix = {"xlsm": "xlsx"}.get(suffix, suffix)
    if suffix == fmt or fmt == "ods":  # calamine picks its reader from the name
        workbook = pc.CalamineWorkbook.from_path(path)
    else:  # content and name differ (e.g. an .xlsx saved with a .xls name): let calamine detect it
        with open(path, "rb") as handle:
            workbook = pc.CalamineWorkbook.from_filelike(handle)
    cache: dict[str, str] = {}

    def text(value):  # NFC; repeated values (province, unit, rater) are normalised once and shared
        if type(value) is str and not value.isascii():
            done = cache.get(value)
            if done is None:
                done = cache[value] = unicodedata.normalize("NFC", value)
            return done
        return value

    out = []
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        end = sheet.end
        area = (end[0] + 1) * (end[1] + 1) if end else 0
        if area > max_cells:
            raise SheetTooLarge(name, area)
        rows = [[text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        merged = sheet.merged_cell_ranges or []
        out.append((name, rows, [tuple(map(tuple, m)) for m in merged]))
    return out


def main(argv: list[str]) -> None:
    """One workbook: its sheets as a pickle on stdout; exit 3 on a sheet over the limit."""
    path, fmt, max_cells, max_bytes = argv[0], argv[1], int(argv[2]), int(argv[3])
    limit_memory(max_bytes)
    try:
        sheets = read_sheets(path, fmt, max_cells)
    except SheetTooLarge as exc:
        sys.stderr.write(str(exc))
        sys.exit(3)
    sys.stdout.buffer.write(pickle.dumps(sheets, protocol=pickle.HIGHEST_PROTOCOL))


def run_one(script: str, path: str, fmt: str, max_cells: int, max_bytes: int, timeout: float):
    """Parse one workbook in a child of its own (``python -I script PATH FORMAT MAX_SHEET_CELLS MAX_MEMORY_BYTES``):
    the ``subprocess.CompletedProcess`` with its exit code, the pickle on stdout and its error text; raises
    ``subprocess.TimeoutExpired`` after ``timeout`` seconds."""
    import subprocess

    return subprocess.run([sys.executable, "-I", script, path, fmt, str(max_cells), str(max_bytes)],
                          capture_output=True, timeout=timeout)


def _read_exactly(handle, n: int) -> bytes | None:
    data = handle.read(n)
    return data if data is not None and len(data) == n else None


def serve(max_bytes: int) -> None:
    """Answer requests on stdin until it closes: per workbook, (0, pickle of its sheets), (3, the
    ``SHEET_TOO_LARGE`` line) or (1, the traceback an uncaught exception prints). After a ``MemoryError`` the
    child answers and ends (its heap is not to be trusted); the parent starts another for the next workbook."""
    import traceback

    limit_memory(max_bytes)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    while True:
        head = _read_exactly(requests, _REQUEST.size)
        if head is None:
            return
        body = _read_exactly(requests, _REQUEST.unpack(head)[0])
        if body is None:
            return
        path, fmt, max_cells = body.decode("utf-8").split("\t")
        fatal = False
        try:
            code, payload = 0, pickle.dumps(read_sheets(path, fmt, int(max_cells)), protocol=pickle.HIGHEST_PROTOCOL)
        except SheetTooLarge as exc:
            code, payload = 3, str(exc).encode("utf-8")
        except Exception as exc:  # noqa: BLE001 - answered as the one-workbook child's traceback
            code, payload = 1, traceback.format_exc().encode("utf-8", "replace")
            fatal = isinstance(exc, MemoryError)
        answers.write(_ANSWER.pack(code, len(payload)))
        answers.write(payload)
        answers.flush()
        del payload
        if fatal:
            return


class WorkbookChildren:
    """Long-lived ``--serve`` children for the parent, one per calling thread, started when first needed and
    ended by :meth:`close` (or the ``with`` block): :meth:`run` parses one workbook and returns what
    ``subprocess.run(..., capture_output=True)`` of a one-workbook child returns (``returncode``, ``stdout``: the
    pickle, ``stderr``), or raises ``subprocess.TimeoutExpired``.

    On Windows (no ``select`` on pipes) each workbook still gets a child of its own.

    Parameters
    ----------
    script : str
        This file's path (the child runs it with ``python -I``, so it imports nothing of the package).
    """

    def __init__(self, script: str):
        import threading

        self.script = script
        self._lock = threading.Lock()
        self._children: dict[int, tuple] = {}  # thread id -> (process, stderr file, memory limit)
        self._closed = False

    def __enter__(self) -> "WorkbookChildren":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _child(self, max_bytes: int):
        import subprocess
        import tempfile
        import threading

        key = threading.get_ident()
        with self._lock:
            if self._closed:
                raise RuntimeError("WorkbookChildren is closed")
            found = self._children.get(key)
        if found is not None and found[2] == max_bytes and found[0].poll() is None:
            return found
        if found is not None:
            self._end(key)
        errors = tempfile.TemporaryFile()
        process = subprocess.Popen([sys.executable, "-I", self.script, "--serve", str(max_bytes)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, bufsize=0)
        found = (process, errors, max_bytes)
        with self._lock:
            self._children[key] = found
        return found

    def _end(self, key: int, kill: bool = False) -> None:
        with self._lock:
            found = self._children.pop(key, None)
        if found is None:
            return
        process, errors, _ = found
        if kill:  # over the time limit: it would not read its closed stdin before it is done
            process.kill()
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - a child that does not end on EOF is killed
            process.kill()
            process.wait()
        errors.close()

    def run(self, path: str, fmt: str, max_cells: int, max_bytes: int, timeout: float):
        """Parse ``path`` in this thread's child; see the class."""
        import subprocess
        import threading
        import time

        if os.name == "nt":  # no select() on pipes: a child per workbook, as before
            return run_one(self.script, path, fmt, max_cells, max_bytes, timeout)
        process, errors, _ = self._child(max_bytes)
        errors.seek(0, os.SEEK_END)
        start_of_errors = errors.tell()
        deadline = time.monotonic() + timeout
        request = "\t".join((path, fmt, str(max_cells))).encode("utf-8")
        head = None
        try:
            process.stdin.write(_REQUEST.pack(len(request)) + request)
            head = self._receive(process, _ANSWER.size, deadline)
            if head is not None:
                code, length = _ANSWER.unpack(head)
                payload = self._receive(process, length, deadline)
        except BrokenPipeError:
            head = None
        except subprocess.TimeoutExpired:
            self._end(threading.get_ident(), kill=True)
            raise subprocess.TimeoutExpired([path], timeout) from None
        if head is None or payload is None:  # the child ended: answer from its exit and error output
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()) + 1)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            errors.seek(start_of_errors)
            stderr = errors.read()
            code = process.returncode
            self._end(threading.get_ident())
            return subprocess.CompletedProcess([path], code if code else 1, b"", stderr)
        if code != 0:
            if b"MemoryError" in payload:  # that child ends after a MemoryError: the next workbook gets a new one
                self._end(threading.get_ident())
            return subprocess.CompletedProcess([path], code, b"", bytes(payload))
        return subprocess.CompletedProcess([path], 0, payload, b"")

    @staticmethod
    def _receive(process, n: int, deadline: float) -> bytes | None:
        """``n`` bytes from the child's stdout by ``deadline`` (``subprocess.TimeoutExpired`` after it); None when
        the child ended first."""
        import select
        import subprocess
        import time

        out = bytearray(n)
        view, got, fd = memoryview(out), 0, process.stdout.fileno()
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise subprocess.TimeoutExpired([], 0)
            read = process.stdout.readinto(view[got:got + (1 << 22)])
            if not read:
                return None
            got += read
        return bytes(out) if n < 1 << 20 else out

    def close(self) -> None:
        """End every child (each ends when its stdin closes)."""
        with self._lock:
            self._closed = True
            keys = list(self._children)
        for key in keys:
            self._end(key)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
    else:
        main(sys.argv[1:])

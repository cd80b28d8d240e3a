"""Parse one workbook with calamine and write its sheets to stdout as a pickle — run as a script in a child
process by :func:`iso18091lab.intake.reader._read_workbook_isolated`, so a hostile file (a cell at XFD1048576, a zip bomb)
can only take this process down, never the ingest.

    python workbook_child.py PATH FORMAT MAX_SHEET_CELLS MAX_MEMORY_BYTES

It sets its own address-space limit first (no ``preexec_fn`` in the parent, which is unsafe with threads),
normalises text to NFC, refuses a sheet whose declared area exceeds MAX_SHEET_CELLS (stderr
``SHEET_TOO_LARGE<TAB>name<TAB>area``, exit 3), and imports nothing of the package (it runs as a file, not as
``-m iso18091lab...``, whose ``__init__`` would load pandas and the reports).
"""
from __future__ import annotations

import pickle
import sys
import unicodedata


def limit_memory(max_bytes: int) -> None:
    """Cap this process's address space (POSIX); elsewhere the parent's time limit is the only guard."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def read_sheets(path: str, fmt: str, max_cells: int) -> list[tuple[str, list[list[object]], list[tuple]]]:
    """(sheet name, rows of values, merged ranges) for every sheet; exits 3 on a sheet over ``max_cells``."""
    import python_calamine as pc

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
            sys.stderr.write(f"SHEET_TOO_LARGE\t{name}\t{area}\n")
            sys.exit(3)
        rows = [[text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        merged = sheet.merged_cell_ranges or []
        out.append((name, rows, [tuple(map(tuple, m)) for m in merged]))
    return out


def main(argv: list[str]) -> None:
    path, fmt, max_cells, max_bytes = argv[0], argv[1], int(argv[2]), int(argv[3])
    limit_memory(max_bytes)
    sys.stdout.buffer.write(pickle.dumps(read_sheets(path, fmt, max_cells), protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Files several processes share: locks and atomic writes, and the digest of the processed tables.

Several kernels write into one report folder or one cache folder at once; each read-modify-write happens under
the folder's lock (:func:`locked`: fcntl on Linux/macOS, msvcrt on Windows), and every file is written whole or
not at all (:func:`write_atomic`). Used by ingest (processed tables), the reports and the run caches.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


def _lock(handle) -> None:
    """An exclusive lock on an open file, waiting for it."""
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt
        import time

        while True:
            try:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:
                time.sleep(0.1)
    import fcntl

    fcntl.flock(handle, fcntl.LOCK_EX)


def _unlock(handle) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def locked(path: str | Path):
    """Hold an exclusive lock on ``path`` (created if missing) for the ``with`` block; others wait."""
    with open(path, "a+") as handle:
        _lock(handle)
        try:
            yield
        finally:
            _unlock(handle)


def write_atomic(path: Path, write) -> None:
    """``write(tmp)`` into a temporary file next to ``path``, then move it over ``path`` in one step: readers see
    the old file or the new one, never half of it. The move is retried for a few seconds where the target is
    open elsewhere (Windows refuses to replace an open file; another kernel may be reading it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(tmp))
        for attempt in range(50):
            try:
                os.replace(tmp, path)
                break
            except PermissionError:
                if attempt == 49:
                    raise
                time.sleep(0.1)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


#: The whole processed tables a province partition is cut from; a partition records their digest.
WHOLE_TABLES = ("assessments.parquet", "units.parquet", "outcomes.parquet")


def tables_digest(folder: str | Path) -> str:
    """SHA-256 of the whole processed tables' bytes (``WHOLE_TABLES`` in ``folder``): what a province partition
    was cut from (``partition.json``), so staleness is judged by content, not file times."""
    digest = hashlib.sha256()
    for name in WHOLE_TABLES:
        digest.update(name.encode())
        digest.update((Path(folder) / name).read_bytes())
    return digest.hexdigest()


#: Text starting with these is run by Excel or LibreOffice as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text value Excel would run as a formula, made inert with a leading apostrophe; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that Excel would read as formulas ('=', '+', '-', '@') are prefixed with an apostrophe.

    Numeric columns are left untouched (negative numbers stay numbers)."""
    out = frame.copy()
    for j in range(out.shape[1]):
        column = out.iloc[:, j]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out.iloc[:, j] = column.map(neutralise)
    return out


def write_csv(frame: pd.DataFrame, path, **kwargs) -> None:
    """A CSV for people (UTF-8 with BOM so Excel reads Vietnamese), formula-like text neutralised."""
    safe_for_excel(frame).to_csv(path, index=False, encoding="utf-8-sig", **kwargs)

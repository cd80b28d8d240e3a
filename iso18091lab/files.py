"""Files that several processes share during a run: locks, atomic writes, the package fingerprint and a
result cache.

Several kernels write into one report folder (``results.json``) or one cache folder at once; each
read-modify-write happens under the folder's lock (:func:`locked`: fcntl on Linux/macOS, msvcrt on Windows),
and every file is written whole or not at all (:func:`write_atomic`).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from ._version import __version__


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


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """The package version and a hash of its code, texts and templates: a changed package re-runs reports and
    never reads an old cache entry."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".csv", ".j2", ".css", ".json", ".tpl") and \
                "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(parts: list) -> str:
    """A hash of the package, the pandas/numpy/scipy versions, and ``parts``: frames row by row, in order, with
    their column names; other values by ``repr``."""
    from importlib.metadata import version

    import pandas as pd

    digest = hashlib.sha256(package_fingerprint().encode())
    digest.update(" ".join(version(n) for n in ("pandas", "numpy", "scipy")).encode())
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest.update(repr(list(part.columns)).encode())
            digest.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()


def cached(cache: Path, name: str, parts: list, compute):
    """``compute()``, kept in the folder ``cache`` under ``name`` and :func:`cache_key` of ``parts`` (pickled:
    tables keep their ``attrs``). A concurrent caller with the same key waits on the entry's lock and reads the
    result; an unreadable entry (cut short, another library) is computed again."""
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{name}_{cache_key(parts)[:24]}.pkl"
    with locked(path.with_suffix(".lock")):
        if path.exists():
            try:
                with open(path, "rb") as handle:
                    return pickle.load(handle)
            except Exception:  # noqa: BLE001 - a miss
                pass
        result = compute()
        write_atomic(path, lambda tmp: tmp.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)))
        return result


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


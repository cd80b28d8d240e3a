"""The run's result cache: the package fingerprint (code, texts, templates) and entries kept under a hash of
their inputs, read by any kernel of a run (:func:`cached`)."""
from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from pathlib import Path

from iso18091lab._version import __version__
from iso18091lab.storage import locked, write_atomic


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """The package version and a hash of its code, texts and templates: a changed package re-runs reports and
    never reads an old cache entry."""
    digest = hashlib.sha256(__version__.encode())
    root = Path(__file__).resolve().parents[1]
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
    """``compute()``, kept in the folder ``cache`` under ``name`` and :func:`cache_key` of ``parts`` (pickled: a
    result keeps its type). A concurrent caller with the same key waits on the entry's lock and reads the
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

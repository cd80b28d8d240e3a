"""An exclusive lock on a file, shared by processes (report kernels) and threads: ``with locked(path): ...``.

Several kernels write into one report folder (``results.json``) or one cache folder at once; each
read-modify-write happens under the folder's lock. fcntl on Linux/macOS, msvcrt on Windows.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path


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

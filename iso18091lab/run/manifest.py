"""What a run records per report folder: the runs of its notebooks (:class:`NotebookRun`, :class:`ProvinceRun`),
the hash of each notebook's inputs (an unchanged report is reused), the package versions, and
``manifest.json`` written atomically under the folder's manifest lock.
"""
from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from iso18091lab._version import __version__
from iso18091lab.run.cache import package_fingerprint
from iso18091lab.storage import locked, write_atomic


KEY_PACKAGES = ("pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert", "pyarrow", "python-calamine")


@dataclass
class NotebookRun:
    notebook: str
    status: str = "pending"
    html: str = ""
    executed: str = ""
    error: str = ""
    failing_cell: int | None = None  # position of the failing cell in the notebook file, counted from 1
    failing_line: int | None = None  # line of that cell where it failed, counted from 1
    failing_source: str = ""  # that line's text
    seconds: float = 0.0
    started: str = ""  # when it started and ended in this run (UTC, ISO 8601 to the millisecond; "" when reused)
    finished: str = ""
    not_estimable: list = field(default_factory=list)  # [{"section", "reason"}]: the report is "partial"
    inputs_hash: str = ""  # data, catalog, parameters, notebook, package: equal hash -> the report is reused
    reused: bool = False  # True when this run kept the previous run's report (same inputs_hash)


@dataclass
class ProvinceRun:
    province: str
    slug: str
    status: str = "pending"
    notebooks: list[NotebookRun] = field(default_factory=list)
    started: str = ""
    finished: str = ""
    evidence: dict = field(default_factory=dict)  # {"docx": name, "xlsx": name} or {"error": message}


def dependency_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "iso18091lab": __version__}
    for name in KEY_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover
            versions[name] = "not installed"
    return versions


def _not_estimable(folder: Path, notebook: str) -> list[dict]:
    """What a rendered notebook said it could not estimate (from its results.json entry)."""
    path = folder / "results.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get(notebook, {}).get("not_estimable", [])


def notebook_inputs_hash(notebook: Path, data_hash: str, parameters: dict) -> str:
    """Hash of everything a notebook's report depends on: the data it reads (``data_hash``: the province's,
    or the whole dataset's for national notebooks), its parameters, the notebook and the package."""
    payload = {"data": data_hash, "parameters": parameters, "notebook": hashlib.sha256(notebook.read_bytes()).hexdigest(),
               "package": package_fingerprint()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _reusable(manifest: dict, out: Path) -> dict[str, dict]:
    """The notebook entries of a province's last manifest whose report can be kept (ok or partial, files there)."""
    return {e["notebook"]: e for e in manifest.get("notebooks", []) if e.get("status") in ("ok", "partial")
            and e.get("inputs_hash") and (out / str(e.get("executed"))).is_file()
            and (out / str(e.get("html"))).is_file()}


#: The lock every writer of a report folder's ``manifest.json`` holds (this run's provinces, another run's
#: :func:`claim_reports_folder`).
MANIFEST_LOCK = ".manifest.lock"


def write_manifest(folder: Path, manifest: dict) -> Path:
    """Write ``folder/manifest.json`` atomically (readers see the old manifest or the new one, never half of
    one: :func:`iso18091lab.storage.write_atomic`) under the folder's manifest lock (:data:`MANIFEST_LOCK`).

    Parameters
    ----------
    folder : Path
        A report folder.
    manifest : dict
        What the manifest says.

    Returns
    -------
    Path
        The manifest's path.
    """
    path = Path(folder) / "manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path.parent / MANIFEST_LOCK):
        _write_json(path, manifest)
    return path


def _write_json(path: Path, content: dict) -> None:
    """``content`` as indented JSON (UTF-8, letters as they are) in ``path``, atomically."""
    text = json.dumps(content, ensure_ascii=False, indent=2)
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}

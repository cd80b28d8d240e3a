"""What a run is asked to do, checked before anything runs: the analysis notebooks (province and national),
the parameters their ``parameters`` cells declare, the provinces named, and whether the data must be ingested
first. A bad request raises :class:`RunError`.
"""
from __future__ import annotations

import json
from pathlib import Path

from iso18091lab.catalog import load_catalog
from iso18091lab.i18n import said, t
from iso18091lab.intake.pipeline import ingest_fingerprint
from iso18091lab.intake.provinces import province_key
from iso18091lab.intake.store import catalog_fingerprint, raw_fingerprint
from iso18091lab.normalize import slugify


def find_notebooks_dir() -> Path:
    """Where the analysis notebooks are: the ``notebooks/`` folder of a source checkout (so edits there are
    used at once), else the copy installed inside the package (``iso18091lab.notebooks``, found with
    importlib.resources; the wheel maps the repository's ``notebooks/`` folder to it)."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").exists() and any((checkout / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        return checkout / "notebooks"
    from importlib.resources import files

    return Path(str(files("iso18091lab.notebooks")))


NOTEBOOKS_DIR = find_notebooks_dir()
BASE_PARAMETERS = ("province", "processed_dir", "output_dir", "lang", "seed")


class RunError(Exception):
    """Bad run request (unknown province, parameter not declared by the notebooks...)."""


NATIONAL_SLUG = "toan-quoc"
NATIONAL_NAME = t("national_name")  # the national synthesis is run as this "province"


def analysis_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR, lang: str | None = None) -> list[Path]:
    """Province notebooks in reading order: ``NN_name.ipynb`` with NN below 40 (40+ are national). None found
    raises :class:`RunError`, worded in ``lang`` (None: both languages)."""
    found = sorted(p for p in Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb") if int(p.name[:2]) < 40)
    if not found:
        raise RunError(said("run_no_notebooks", lang, folder=notebooks_dir))
    return found


def national_notebooks(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """National notebooks (``NN_name.ipynb`` with NN of 40 or more), run after the provinces."""
    return sorted(p for p in Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb") if int(p.name[:2]) >= 40)


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's tagged ``parameters`` cell (those papermill's ``inspect_notebook``
    lists), read with ``ast``: checking a run's parameters does not import papermill and nbformat, whose
    jsonschema import alone takes ~1.6 s (its ``rfc3987_syntax`` builds a grammar; jsonschema issue #1428),
    so an unchanged re-run never pays for it. (Unlike papermill's line-by-line reading, names assigned in
    a chained or tuple assignment count, and assignments nested in a block do not.)"""
    import ast

    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    names: set[str] = set()
    for cell in cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            try:
                body = ast.parse(source).body
            except SyntaxError:  # e.g. an IPython magic in the cell: papermill's own line-by-line reading
                import papermill

                return set(papermill.inspect_notebook(str(notebook)).keys())
            for node in body:
                targets = node.targets if isinstance(node, ast.Assign) else \
                    [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
                names |= {n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name)}
            break  # papermill reads the first tagged cell
    return names


def check_parameters(notebooks: list[Path], extra: dict[str, object], lang: str | None = None) -> None:
    """Refuse any parameter name that a notebook does not declare (papermill would run it as code): a
    :class:`RunError` worded in ``lang`` (None: both languages)."""
    for notebook in notebooks:
        declared = declared_parameters(notebook)
        missing = set(BASE_PARAMETERS) - declared
        if missing:
            raise RunError(said("run_parameters_lack", lang, notebook=notebook.name, missing=sorted(missing)))
        unknown = set(extra) - declared
        if unknown:
            raise RunError(said("run_unknown_parameter", lang, unknown=sorted(unknown), notebook=notebook.name,
                                declared=sorted(declared)))


def resolve_provinces(requested: list[str], known: list[str], lang: str | None = None) -> list[str]:
    """Canonical province names for names, slugs or spellings ('hai-phong', 'TP. Hải Phòng'); an unknown one
    raises :class:`RunError`, worded in ``lang`` (None: both languages)."""
    by_key = {province_key(p): p for p in known} | {slugify(p): p for p in known}
    resolved = []
    for name in requested:
        match = by_key.get(province_key(name)) or by_key.get(slugify(name))
        if match is None:
            raise RunError(said("run_unknown_province", lang, name=repr(name),
                                 known=", ".join(known) or said("run_none_known", lang)))
        resolved.append(match)
    return list(dict.fromkeys(resolved))


def needs_ingest(raw: Path, processed: Path, catalog: Path | None = None) -> bool:
    """True when the processed data is missing, or the raw files, the catalog or the ingest code and its data
    tables (:func:`ingest.ingest_fingerprint`) changed since it was written. ``catalog`` None means the bundled
    catalog."""
    summary = processed / "ingest_summary.json"
    if summary.exists() and raw.is_dir():
        previous = json.loads(summary.read_text(encoding="utf-8"))
        wanted = catalog_fingerprint(load_catalog(catalog))
        if (previous.get("raw_fingerprint") == raw_fingerprint(raw) and previous.get("catalog_fingerprint") == wanted
                and previous.get("ingest_fingerprint") == ingest_fingerprint()):
            return False
    return True

"""``iso18091lab run``: ingest when the raw data changed, run every analysis notebook per province with
papermill, render HTML without code, write a manifest per province and ``reports/index.html``.

Notebooks run concurrently in a thread pool, one task per notebook, so a worker never idles while another
still has a province to run. The national report reads the provinces' saved summaries, so its task is queued
last and waits (:class:`NationalGate`) until every province's reports 20 and 30 have ended; a province whose
report failed is passed to it as missing (each papermill kernel is its own process; process pools with fork collide on
kernel ports). A province's notebooks may run at once in different kernels: each writes its own files and its
``results.json`` entry under the folder's lock; the worker that runs a province's last notebook renders its pages
and evidence pack. papermill's ``cwd`` option changes the working directory of the *whole
process* (``os.chdir``), which races between threads and can leave the process in another folder, so it is
never passed: every path is made absolute first and notebooks read only the absolute paths they are given. Parameters are checked before anything runs: only names that the notebooks'
``parameters`` cells declare may be passed, and every value is passed as text or number exactly as given.

Speed at national scale:

* **Warm kernels.** Each worker keeps one kernel for all the notebooks it runs (papermill with our own engine
  and a kernel manager we own), started — and the package imported in it — while the data is ingested.
  Before each notebook a hidden first cell deletes every user name (not ``__name__`` and the other dunders)
  and the output cache and closes figures, so only imported modules carry over (``%reset -f`` does the same
  plus two full garbage collections, ~0.25 s per notebook). A kernel whose notebook failed is replaced.
* **One write per notebook.** papermill writes the output notebook when it ends (and when a cell fails), not
  after every cell (``request_save_on_cell_execute=False``): each write serialises every figure again.
* **One BLAS thread per kernel** when several run at once (``OPENBLAS_NUM_THREADS`` etc. set for the kernels).
* **Incremental runs.** A notebook is skipped when the hash of its inputs — the province's data (written by
  ingest, ``province_hashes``; for the national report the whole dataset and the bytes of the province summaries
  it reads, :func:`summaries_digest`), the catalog, its parameters, the notebook and the package — matches its
  last successful run; ``force=True`` runs everything. Each manifest entry says ``reused`` true/false.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import platform
import sys
import threading
import traceback
from queue import Queue
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from tqdm import tqdm

from iso18091lab._version import __version__
from iso18091lab.intake.provinces import province_key
from iso18091lab.config import DEFAULT_PROCESSED, DEFAULT_RAW, DEFAULT_REPORTS
from iso18091lab.i18n import TEXT, both, date_text, number, said, t
from iso18091lab.catalog import load_catalog
from iso18091lab.run.cache import package_fingerprint
from iso18091lab.intake.pipeline import ingest, ingest_fingerprint
from iso18091lab.intake.store import catalog_fingerprint, processed_hash, raw_fingerprint
from iso18091lab.summaries.base import has_summary
from iso18091lab.summaries.data_quality import DataQualitySummary
from iso18091lab.summaries.effect import effect_summary, effect_verdict_of
from iso18091lab.summaries.national import PROVINCE_REPORTS, NationalSummary
from iso18091lab.normalize import slugify
from iso18091lab.storage import locked, write_atomic
from iso18091lab.threads import child_environment

TEMPLATES = Path(__file__).resolve().parents[1] / "render" / "templates"


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
KERNEL_NAME = "python3"
BASE_PARAMETERS = ("province", "processed_dir", "output_dir", "lang", "seed")
KEY_PACKAGES = ("pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert", "pyarrow", "python-calamine")
REMOVE_TAGS = {"remove_cell", "parameters", "injected-parameters"}


def skip_slow_iri_format_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this process (when jsonschema is not loaded yet).

    papermill and nbformat import jsonschema, whose ``_format`` module imports ``rfc3987_syntax`` if it is
    installed (jupyterlab brings it, through jupyter-events' ``jsonschema[format-nongpl]``); that import builds a
    Lark grammar and takes ~1.6 s of CPU on every run (jsonschema issue #1428). It only serves the "iri" format
    checks, which notebook validation never uses. Marking the module absent makes jsonschema skip those two
    checkers in the runner's process; kernels and other processes are unaffected."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def kernel_manager_class():
    """The kernel manager for report runs: it gives each kernel CurveZMQ keys (so its messages are encrypted
    and ipykernel has nothing to warn about), or — where pyzmq lacks CURVE — IPC transport on POSIX. A run then
    prints its progress bar and one line per report, not one transport warning per kernel."""
    import zmq
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        def write_connection_file(self, **kwargs):
            if self.curve_secretkey is None and zmq.has("curve"):
                self.curve_publickey, self.curve_secretkey = zmq.curve_keypair()
            elif self.curve_secretkey is None and os.name == "posix" and self.transport == "tcp":
                self.transport = "ipc"
                self.ip = str(Path(self.connection_file).with_suffix("")) + "-ipc"
            return super().write_connection_file(**kwargs)

    return QuietKernelManager


class RunError(Exception):
    """Bad run request (unknown province, parameter not declared by the notebooks...)."""


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


def render_html(executed: Path, html_path: Path, synthetic: bool, lang: str, reports: list[dict] | None = None,
                index_href: str = "../index.html", tables_href: str = "tables.html") -> None:
    """HTML without code cells or prompts, through the project's nbconvert template (``templates/nbconvert/
    iso18091lab``): page language ``lang``, figures embedded with their captions as alt text, nothing loaded
    from the network, the synthetic banner only for synthetic data, and navigation to ``reports`` (a list of
    {"title", "href", "current"}), the province's tables page and the index."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    notebook = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="iso18091lab", extra_template_basedirs=[str(TEMPLATES / "nbconvert")])
    exporter.language_code = lang
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    remover = TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS, enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    iso = {"synthetic": bool(synthetic), "banner": t("synthetic_banner", lang), "reports": reports or [],
           "index_href": index_href, "tables_href": tables_href, "index_title": t("nav_index", lang),
           "tables_title": t("nav_tables", lang), "nav_label": t("nav_label", lang),
           "figure_alt": t("figure", lang)}
    notebook.metadata["title"] = _notebook_title(executed.stem, lang)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": executed.stem}, "iso": iso})
    html_path.write_text(body, encoding="utf-8")


def _jinja():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))


def write_tables_page(folder: Path, province: str, lang: str, synthetic: bool, reports: list[dict],
                      evidence: dict | None = None) -> Path:
    """``<province>/tables.html``: every table of the province's reports (XLSX and CSV) and the evidence pack."""
    from iso18091lab.render.packs import table_caption

    results_path = folder / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    rows = []
    for notebook, entry in results.items():
        for info in entry.get("tables", []):
            rows.append({"report": _notebook_title(notebook, lang), "caption": table_caption(info, lang),
                         "rows": number(float(info["rows"]), lang, 0),
                         "csv": info["csv"], "xlsx": info["xlsx"]})
    heads = [t(k, lang) for k in ("index_reports", "tables_caption", "rows", "tables_files")]
    html = _jinja().get_template("tables.html.j2").render(
        lang=lang, title=f"{t('nav_tables', lang)} — {province}", synthetic=synthetic,
        banner=t("synthetic_banner", lang), nav_label=t("nav_label", lang), index_title=t("nav_index", lang),
        reports=reports, heads=heads, rows=rows, evidence=evidence if evidence and evidence.get("docx") else None,
        evidence_title=t("ev_title", lang))
    path = folder / "tables.html"
    path.write_text(html, encoding="utf-8")
    return path


def notebook_inputs_hash(notebook: Path, data_hash: str, parameters: dict) -> str:
    """Hash of everything a notebook's report depends on: the data it reads (``data_hash``: the province's,
    or the whole dataset's for national notebooks), its parameters, the notebook and the package."""
    payload = {"data": data_hash, "parameters": parameters, "notebook": hashlib.sha256(notebook.read_bytes()).hexdigest(),
               "package": package_fingerprint()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def thread_environment(workers: int) -> dict[str, str]:
    """Environment for report kernels: one BLAS/OpenMP thread each when several kernels run at once (the
    user's own settings win; :func:`iso18091lab.threads.child_environment`)."""
    return child_environment(workers)


#: The hidden first cell of every report on a warm kernel: a call, the code is :mod:`iso18091lab.run.kernel_setup`.
RESET_SOURCE = ("# iso18091lab: a fresh namespace for this report (the kernel is kept warm between reports)\n"
                "__import__('iso18091lab.run.kernel_setup', fromlist=['reset_namespace']).reset_namespace(get_ipython())")


class WarmKernel:
    """One kernel kept across the notebooks that one worker thread runs; created on first use, replaced after
    a failure, shut down by :meth:`close` (from the same thread: its event loop is that thread's)."""

    def __init__(self, env: dict[str, str]):
        self.env, self.manager = env, None

    def get(self):
        from jupyter_core.utils import run_sync

        if self.manager is None:
            manager = kernel_manager_class()(kernel_name=KERNEL_NAME)
            run_sync(manager.start_kernel)(env=self.env)
            self.manager = manager
        return self.manager

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        if self.manager is not None:
            try:
                run_sync(self.manager.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - already dead
                pass
            self.manager = None


def _warm_engine() -> str:
    """Register (once) the papermill engine that runs a notebook on a kernel it is given and leaves it running."""
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, km=None, **kwargs):
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.log import logger

            client = PapermillNotebookClient(nb_man, km=km, kernel_name=kernel_name, timeout=execution_timeout,
                                             startup_timeout=start_timeout, log=logger, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file)
            try:
                return client.execute()
            finally:
                if client.kc is not None:  # the channels of this notebook's client; the kernel stays
                    client.kc.stop_channels()

    papermill_engines.register("iso18091lab-warm", WarmKernelEngine)
    return "iso18091lab-warm"


def _with_reset_cell(notebook: Path):
    import nbformat

    node = nbformat.read(notebook, as_version=4)
    cell = nbformat.v4.new_code_cell(RESET_SOURCE, metadata={"tags": ["remove_cell", "iso18091lab-reset"]})
    node.cells.insert(0, cell)
    return node


def _execute(notebook: Path, executed: Path, parameters: dict, kernel: WarmKernel, keep: bool = True) -> None:
    """Run one notebook with papermill on the worker's kernel; ``keep=False`` shuts it down afterwards (the next
    notebook gets a fresh kernel). A failure always replaces the kernel, whatever state it left."""
    import papermill

    try:
        papermill.execute_notebook(_with_reset_cell(notebook), str(executed), parameters=parameters,
                                   kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                                   request_save_on_cell_execute=False, engine_name=_warm_engine(),
                                   km=kernel.get())
    except BaseException:
        kernel.close()
        raise
    if not keep:
        kernel.close()


_CELL_FRAME = re.compile(r"Cell In\[\d*\], line (\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def failure_location(notebook: Path, error) -> tuple[int | None, int | None, str]:
    """Where a notebook failed, as its user finds it: (position of the cell in the notebook file, counted from 1
    over all its cells; line in that cell, from 1; that line's text). None/'' where unknown, e.g. a failure in a
    cell the runner added.

    papermill's ``cell_index`` counts the cells it ran: the hidden reset cell the runner puts first, and the
    injected-parameters cell papermill puts after the ``parameters`` cell (first, when there is none). Its
    ``exec_count`` is the kernel's execution counter, which a warm kernel carries over from earlier reports, so it
    is not shown. The line comes from IPython's traceback frame of the cell ("Cell In[n], line k")."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    parameters = next((i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    index = error.cell_index - 1  # the reset cell
    if parameters is None or index > parameters + 1:
        index -= 1  # the injected-parameters cell
    if not (0 <= index < len(cells) and _source(cells[index]) == error.source):
        same = [i for i, c in enumerate(cells) if _source(c) == error.source]
        index = same[0] if len(same) == 1 else None
    if index is None:
        return None, None, ""
    frame = _CELL_FRAME.search(_ANSI.sub("", "\n".join(error.traceback or [])))
    lines = _source(cells[index]).splitlines()
    if frame is None or not 1 <= int(frame.group(1)) <= len(lines):
        return index + 1, None, ""
    line = int(frame.group(1))
    return index + 1, line, lines[line - 1].strip()


def failure_text(item: dict, lang: str = "vi") -> str:
    """'ô 8, dòng 16: reds = …' for a failed report's manifest entry ('' when the cell is unknown)."""
    if item.get("failing_cell") is None:
        return ""
    if item.get("failing_line") is None:
        return t("failed_cell", lang, cell=item["failing_cell"])
    return t("failed_cell_line", lang, cell=item["failing_cell"], line=item["failing_line"],
             source=item.get("failing_source", ""))


def _reusable(manifest: dict, out: Path) -> dict[str, dict]:
    """The notebook entries of a province's last manifest whose report can be kept (ok or partial, files there)."""
    return {e["notebook"]: e for e in manifest.get("notebooks", []) if e.get("status") in ("ok", "partial")
            and e.get("inputs_hash") and (out / str(e.get("executed"))).is_file()
            and (out / str(e.get("html"))).is_file()}


def summaries_digest(folders: dict[str, Path], reports: tuple[str, ...] = PROVINCE_REPORTS) -> str:
    """A hash of the saved summaries of ``reports`` in each report folder (name -> folder): the JSON and the
    Parquet bytes, so the national report is run again when any province summary it reads changed."""
    digest = hashlib.sha256()
    for name, folder in sorted(folders.items()):
        digest.update(f"\0{name}".encode())
        for report in reports:
            files = [Path(folder) / "summaries" / f"{report}.json"]
            files += sorted((Path(folder) / "summaries" / report).glob("*.parquet"))
            for path in files:
                digest.update(f"\0{path.name}\0".encode())
                digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


class NationalGate:
    """Starts the national job once every province job of the run has finished its reports 20 and 30
    (:data:`~iso18091lab.summaries.national.PROVINCE_REPORTS`) and saved their summaries: the worker that ends
    the last of them runs it next (those reports are queued first), and its own task, queued last, waits for
    them when none is left to run (all reused). The national notebooks get ``province_dirs`` (each
    province's report folder whose reports ran) and ``provinces_missing`` (province -> its report that failed,
    in this run or, for a province not run now, in its last manifest); their inputs hash holds the summaries'
    bytes (:func:`summaries_digest`)."""

    def __init__(self, jobs: list["ProvinceJob"], folders: dict[str, Path], cancelled: threading.Event):
        self.jobs, self.folders, self.cancelled = jobs, folders, cancelled
        self.claimed = False

    def _ready(self) -> bool:
        return all(job.items.get(stem) is None or job.items[stem].status != "pending"
                   for job in self.jobs for stem in PROVINCE_REPORTS)

    def inputs(self) -> tuple[dict[str, str], dict[str, str]]:
        """``province_dirs`` and ``provinces_missing`` as the national notebooks take them."""
        status = {job.province: {stem: job.items[stem].status for stem in PROVINCE_REPORTS if stem in job.items}
                  for job in self.jobs}
        for name, folder in self.folders.items():
            if name not in status:  # not run now: its last manifest says which reports failed
                entries = _read_json(Path(folder) / "manifest.json").get("notebooks", [])
                status[name] = {e.get("notebook"): e.get("status") for e in entries
                                if e.get("notebook") in PROVINCE_REPORTS}
        missing = {name: next(stem for stem in PROVINCE_REPORTS if status.get(name, {}).get(stem) == "failed")
                   for name in self.folders if "failed" in status.get(name, {}).values()}
        dirs = {name: str(folder) for name, folder in sorted(self.folders.items()) if name not in missing}
        return dirs, dict(sorted(missing.items()))

    def run_national(self, job: "ProvinceJob", kernel: WarmKernel, wait: bool = False) -> list["ProvinceRun"]:
        """Prepare and run ``job`` on this worker once the provinces' reports 20 and 30 have ended, unless
        another worker already did (``[]``); ``wait`` for them (the gate's own task, queued last), else return
        ``[]`` at once when they have not ended."""
        with PROVINCE_DONE:
            while not self._ready():
                if not wait or self.cancelled.is_set():
                    return []
                PROVINCE_DONE.wait(timeout=1.0)
            if self.claimed:
                return []
            self.claimed = True
        dirs, missing = self.inputs()
        job.parameters.update(province_dirs=dirs, provinces_missing=missing)
        job.data_hash = hashlib.sha256(f"{job.input_hash}:{summaries_digest(dict(dirs))}".encode()).hexdigest()
        for notebook in job.prepare():
            job.execute(notebook, kernel)
        return [job.finish()]


#: Notified whenever a notebook ends (the national gate waits on it).
PROVINCE_DONE = threading.Condition()


class ProvinceJob:
    """One report folder's run, in three steps so that its notebooks can run on different workers:
    :meth:`prepare` (which reports can be reused, in the calling thread), :meth:`execute` (one notebook on a
    worker's kernel; any worker, in any order) and :meth:`finish` (HTML, evidence pack, tables page and
    manifest, once every notebook has run). ``input_hash`` identifies the dataset, ``data_hash`` the data the
    notebooks read (the province's rows; the whole dataset for the national notebooks)."""

    def __init__(self, province: str, notebooks: list[Path], processed: Path, reports: Path, lang: str, seed: int,
                 extra: dict, synthetic: bool, summary: dict, bar, slug: str | None, input_hash: str,
                 data_hash: str, force: bool = False, keep_kernel: bool = True, document: dict | None = None):
        self.document = {k: v for k, v in (document or {}).items() if v}  # only what was chosen
        self.province, self.notebooks, self.processed, self.lang, self.seed = province, notebooks, processed, lang, seed
        self.synthetic, self.summary, self.bar, self.force, self.keep_kernel = synthetic, summary, bar, force, keep_kernel
        self.input_hash, self.data_hash = input_hash, data_hash
        self.slug = slug or slugify(province)
        self.out = reports / self.slug
        self.parameters = {"province": province, "processed_dir": str(processed), "output_dir": str(self.out),
                           "lang": lang, "seed": seed, **extra}
        self.lock = threading.Lock()
        self.items: dict[str, NotebookRun] = {}
        self.remaining = 0

    def prepare(self) -> list[Path]:
        """Keep the reports whose inputs are unchanged; the notebooks that must run (in reading order)."""
        self.out.mkdir(parents=True, exist_ok=True)
        self.run = ProvinceRun(self.province, self.slug)  # started: when its first notebook starts
        self.old_manifest = _read_json(self.out / "manifest.json")
        self.previous = {} if self.force else _reusable(self.old_manifest, self.out)
        hashes = {nb.stem: notebook_inputs_hash(nb, self.data_hash, self.parameters) for nb in self.notebooks}
        reusable = {stem for stem, h in hashes.items() if self.previous.get(stem, {}).get("inputs_hash") == h}
        from iso18091lab.render.notebook import forget_results

        forget_results(self.out, [nb.stem for nb in self.notebooks if nb.stem not in reusable])
        pending = []
        for notebook in self.notebooks:
            if notebook.stem in reusable:
                kept = self.previous[notebook.stem]
                self.items[notebook.stem] = NotebookRun(
                    notebook.stem, status=kept["status"], html=kept["html"], executed=kept["executed"], seconds=0.0,
                    not_estimable=kept.get("not_estimable", []), inputs_hash=hashes[notebook.stem], reused=True)
                self.bar.update(1)
            else:
                self.items[notebook.stem] = NotebookRun(notebook.stem, inputs_hash=hashes[notebook.stem])
                pending.append(notebook)
        self.remaining = len(pending)
        return pending

    def execute(self, notebook: Path, kernel: WarmKernel) -> bool:
        """Run one notebook on ``kernel`` (a failure is recorded, never raised); True when it was the job's last."""
        from papermill.exceptions import PapermillExecutionError

        item = self.items[notebook.stem]
        executed = self.out / notebook.name
        start = datetime.now(timezone.utc)
        with self.lock:
            self.run.started = self.run.started or start.isoformat(timespec="seconds")
        (self.out / f"{notebook.stem}.html").unlink(missing_ok=True)
        try:
            _execute(notebook, executed, self.parameters, kernel, self.keep_kernel)
            item.executed = executed.name
            item.html, item.status = f"{notebook.stem}.html", "ok"
            item.not_estimable = _not_estimable(self.out, notebook.stem)
            if item.not_estimable:
                item.status = "partial"
        except PapermillExecutionError as exc:
            item.status = "failed"
            item.failing_cell, item.failing_line, item.failing_source = failure_location(notebook, exc)
            item.error = f"{exc.ename}: {exc.evalue}"
            item.executed = executed.name if executed.exists() else ""
        except Exception as exc:  # noqa: BLE001 - one province's failure must not stop the others
            item.status = "failed"
            item.error = traceback.format_exception_only(type(exc), exc)[-1].strip()
        end = datetime.now(timezone.utc)
        item.seconds = round((end - start).total_seconds(), 1)
        item.started, item.finished = (x.isoformat(timespec="milliseconds") for x in (start, end))
        self.bar.update(1)
        with PROVINCE_DONE:
            PROVINCE_DONE.notify_all()
        with self.lock:
            self.remaining -= 1
            return self.remaining == 0

    def finish(self) -> ProvinceRun:
        """Render the pages, write the evidence pack, tables page and manifest."""
        from iso18091lab.render.packs import write_evidence_pack

        out, lang, run = self.out, self.lang, self.run
        run.started = run.started or datetime.now(timezone.utc).isoformat(timespec="seconds")
        run.notebooks = [self.items[nb.stem] for nb in self.notebooks]
        provenance = {"input_hash": self.data_hash, "seed": self.seed, "processed": str(self.processed)}
        # HTML once every notebook has run, so each page links to the province's other reports that exist; a
        # reused page is rendered again only when that set of reports changed
        done = [n for n in run.notebooks if n.status in ("ok", "partial")]
        same_pages = {n.notebook for n in done} == set(self.previous)
        for item in done:
            if item.reused and same_pages:
                continue
            nav = [{"title": _notebook_title(other.notebook, lang), "href": other.html, "current": other is item}
                   for other in done]
            try:
                render_html(out / item.executed, out / item.html, self.synthetic, lang, nav)
            except Exception as exc:  # noqa: BLE001 - a rendering failure is this report's failure
                item.status, item.html = "failed", ""
                item.error = traceback.format_exception_only(type(exc), exc)[-1].strip()
        if all(n.reused for n in run.notebooks) and same_pages and self.old_manifest.get("evidence", {}).get("docx") \
                and self.old_manifest.get("document", {}) == self.document:
            run.evidence = self.old_manifest["evidence"]
        elif (out / "results.json").exists():
            try:
                docx_path, xlsx_path = write_evidence_pack(out, self.province, provenance, lang,
                                                           document=self.document)
                run.evidence = {"docx": docx_path.name, "xlsx": xlsx_path.name}
            except Exception as exc:  # noqa: BLE001 - reported in the manifest and the index
                run.evidence = {"error": traceback.format_exception_only(type(exc), exc)[-1].strip()}
        write_tables_page(out, self.province, lang, self.synthetic,
                          [{"title": _notebook_title(n.notebook, lang), "href": n.html} for n in run.notebooks
                           if n.html], run.evidence)
        if any(n.status == "failed" for n in run.notebooks) or "error" in run.evidence:
            run.status = "failed"
        else:
            run.status = "partial" if any(n.status == "partial" for n in run.notebooks) else "ok"
        run.finished = datetime.now(timezone.utc).isoformat(timespec="seconds")
        manifest = {
            "province": self.province, "slug": self.slug, "status": run.status, "started": run.started,
            "finished": run.finished, "parameters": self.parameters, "seed": self.seed, "lang": lang,
            "synthetic": self.synthetic, "raw_fingerprint": self.summary.get("raw_fingerprint"),
            "input_hash": self.input_hash, "data_hash": self.data_hash, "versions": dependency_versions(),
            "notebooks": [vars(n) for n in run.notebooks], "evidence": run.evidence, "document": self.document,
            "scope": "national" if self.slug == NATIONAL_SLUG else "province",
        }
        write_manifest(out, manifest)
        return run


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


def default_workers() -> int:
    """Notebooks run at once by default: one per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


#: The one cell a new kernel runs while the data is ingested: a call, the code is :mod:`iso18091lab.run.kernel_setup`.
WARM_UP_SOURCE = ("# iso18091lab: import what the reports use while the data is ingested\n"
                  "__import__('iso18091lab.run.kernel_setup', fromlist=['warm_up']).warm_up()")


def _warm_up(kernel: WarmKernel) -> None:
    """Start ``kernel`` and import the package's report modules in it (a hidden notebook of one cell)."""
    import nbformat
    import papermill

    node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WARM_UP_SOURCE)])
    node.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    try:
        papermill.execute_notebook(node, None, kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                                   engine_name=_warm_engine(), km=kernel.get())
    except Exception:  # noqa: BLE001 - only a head start: the first report starts a kernel if this one failed
        kernel.close()


class _Workers:
    """``count`` worker threads, each with its own warm kernel, started before the tasks are known: with
    ``warm=True`` each starts its kernel and imports the package in it at once (while the main thread ingests).
    :meth:`run` gives them the tasks; :meth:`close` stops them and their kernels (also after an error);
    :meth:`cancel` (Ctrl-C) drops the tasks not started yet. An exception in one task is raised by :meth:`run`
    once the other tasks are done (one province's failure does not stop the others)."""

    _STOP = object()

    def __init__(self, count: int, env: dict[str, str], warm: bool = False):
        self.queue: Queue = Queue()
        self.results: list = []
        self.errors: list[BaseException] = []
        self.cancelled = threading.Event()
        self.threads = [threading.Thread(target=self._worker, args=(WarmKernel(env), warm), daemon=True,
                                         name=f"iso18091lab-worker-{i}") for i in range(max(1, count))]
        for thread in self.threads:
            thread.start()

    def _worker(self, kernel: WarmKernel, warm: bool) -> None:
        try:
            if warm and not self.cancelled.is_set():
                _warm_up(kernel)
            while True:
                item = self.queue.get()
                if item is self._STOP:
                    return
                if self.cancelled.is_set():
                    continue
                work, task = item
                try:
                    self.results.append(work(task, kernel))
                except Exception as exc:  # noqa: BLE001 - raised again in the calling thread, after the others
                    self.errors.append(exc)
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            self.errors.append(exc)
            self.cancelled.set()
        finally:
            kernel.close()

    def run(self, tasks: list, work) -> list:
        """``work(task, kernel)`` for every task, in order, then stop; the results (in completion order)."""
        for task in tasks:
            self.queue.put((work, task))
        self.close()
        if self.errors:
            raise self.errors[0]
        return self.results

    def cancel(self) -> None:
        """Drop every task not started yet (the running notebooks end, then the kernels are shut down)."""
        self.cancelled.set()

    def close(self) -> None:
        for _ in self.threads:
            self.queue.put(self._STOP)
        for thread in self.threads:
            thread.join()


def run(provinces: list[str] | None = None, all_provinces: bool = False, raw: Path = DEFAULT_RAW,
        processed: Path = DEFAULT_PROCESSED, reports: Path = DEFAULT_REPORTS, lang: str = "vi", seed: int = 2024,
        extra: dict | None = None, notebooks_dir: Path = NOTEBOOKS_DIR, workers: int | None = None,
        progress: bool = True, national: bool = False, catalog: Path | None = None,
        force: bool = False, warm_kernels: bool = True, document: dict | None = None) -> list[ProvinceRun]:
    """Run every analysis notebook for the given provinces (or all), then — with ``all_provinces`` or
    ``national`` — the national notebooks into ``reports/toan-quoc/``, and write the index page.

    Notebooks whose inputs are unchanged since their last successful run are reused (``force`` re-runs all);
    ``workers`` notebooks run at once (default :func:`default_workers`), each worker on one warm kernel
    (``warm_kernels=False``: a fresh kernel per notebook, with the same environment). ``document``: what the
    Department chooses for the Word pack's head (``issuer``, ``number``, ``motto``; see
    :func:`iso18091lab.render.packs.write_evidence_pack`)."""
    skip_slow_iri_format_checker()
    raw, processed, reports = Path(raw).resolve(), Path(processed).resolve(), Path(reports).resolve()
    notebooks_dir = Path(notebooks_dir).resolve()
    extra = dict(extra or {})
    workers = workers or default_workers()
    if lang not in ("vi", "en"):
        raise RunError(both("run_unknown_lang", lang_=repr(lang)))
    notebooks = analysis_notebooks(notebooks_dir, lang)
    national_set = national_notebooks(notebooks_dir) if (all_provinces or national) else []
    check_parameters(notebooks + national_set, extra, lang)
    env = thread_environment(workers)
    # when the data must be ingested first, the kernels start and import the package meanwhile
    ingesting = needs_ingest(raw, processed, catalog)
    # (the number of notebooks is known before ingest unless every province is run)
    expected = workers if all_provinces else len(provinces or []) * len(notebooks) + len(national_set)
    pool = _Workers(max(1, min(workers, expected)), env, warm=ingesting and warm_kernels)
    try:
        if ingesting:
            ingest(raw, processed, catalog=catalog, progress=progress, lang=lang)
        summary = _read_json(processed / "ingest_summary.json")
        synthetic = summary.get("synthetic") in ("yes", "mixed")
        known = list(summary.get("provinces", []))
        targets = known if all_provinces else ([] if national and not provinces else
                                               resolve_provinces(provinces or [], known, lang))
        if not targets and not national_set:
            raise RunError(t("run_no_target", lang))
        reports.mkdir(parents=True, exist_ok=True)
        input_hash = processed_hash(processed)
        province_hashes = summary.get("province_hashes", {})
        claim_reports_folder(reports, input_hash, synthetic, province_hashes)
        total = len(targets) * len(notebooks) + len(national_set)
        with tqdm(total=total, desc=t("progress_running", lang), unit=t("progress_unit_report", lang),
                  disable=not progress) as bar:
            jobs = [ProvinceJob(p, notebooks, processed, reports, lang, seed, extra, synthetic, summary, bar, None,
                                input_hash, province_hashes.get(p, input_hash), force, warm_kernels, document)
                    for p in targets]
            # one task per notebook, so that no worker idles while another still has a province to run; the
            # worker that runs a job's last notebook renders its pages and writes its evidence pack
            tasks = []
            for job in jobs:
                tasks += [(job, notebook) for notebook in job.prepare()] or [(job, None)]
            if national_set:  # the reports the national one reads first, so it can start beside the others
                tasks.sort(key=lambda task: task[1] is None or task[1].stem not in PROVINCE_REPORTS)
            if national_set:  # last: it reads the provinces' summaries of reports 20 and 30 (NationalGate)
                gate = NationalGate(jobs, {p: reports / slugify(p) for p in known}, pool.cancelled)
                national_job = ProvinceJob(NATIONAL_NAME, national_set, processed, reports, lang, seed, extra,
                                           synthetic, summary, bar, NATIONAL_SLUG, input_hash, input_hash, force,
                                           warm_kernels, document)
                tasks.append((gate, national_job))

            def work(task, kernel: WarmKernel) -> list[ProvinceRun]:
                job, notebook = task
                if isinstance(job, NationalGate):  # the last task: unless a worker already ran it
                    return job.run_national(notebook, kernel, wait=True)
                done = [job.finish()] if notebook is None or job.execute(notebook, kernel) else []
                # the worker that ends the provinces' last report 20 or 30 runs the national report next
                return done + (gate.run_national(national_job, kernel) if national_set else [])

            runs = [r for result in pool.run(tasks, work) for r in result]
    except BaseException:  # Ctrl-C or a failure: no further notebook starts
        pool.cancel()
        raise
    finally:
        pool.close()
    write_index(reports, lang, summary, input_hash=input_hash, synthetic=synthetic)
    return sorted(runs, key=lambda r: (r.slug == NATIONAL_SLUG, r.province))


DATASET_MARKER = "dataset.json"
OTHER_DATA = "_du-lieu-khac"


def claim_reports_folder(reports: Path, input_hash: str, synthetic: bool,
                         province_hashes: dict[str, str] | None = None) -> list[Path]:
    """Make ``reports`` belong to the dataset ``input_hash``: report folders written from other data (their
    manifest has another input hash) move to ``_du-lieu-khac/<hash>/`` — kept, never mixed into this
    dataset's index — and ``dataset.json`` records the current data. A province folder whose own data is
    unchanged (its ``data_hash`` equals the province's hash in ``province_hashes``) stays and is marked as
    belonging to this dataset: its reports are those of the same rows. Returns the folders moved."""
    moved = []
    for manifest_path in sorted(reports.glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("input_hash") == input_hash:
            continue
        same_rows = (manifest.get("scope") == "province" and manifest.get("data_hash")
                     and (province_hashes or {}).get(manifest.get("province")) == manifest["data_hash"])
        if same_rows:
            with locked(manifest_path.parent / MANIFEST_LOCK):  # read again: another run may have written it
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
                _write_json(manifest_path, {**manifest, "input_hash": input_hash})
            continue
        folder = manifest_path.parent
        target = reports / OTHER_DATA / str(manifest.get("input_hash") or "unknown")[:12] / folder.name
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))
        moved.append(target)
    _write_json(reports / DATASET_MARKER, {"input_hash": input_hash, "synthetic": bool(synthetic)})
    return moved


def write_index(reports: Path, lang: str = "vi", summary: dict | None = None, input_hash: str | None = None,
                synthetic: bool | None = None) -> Path:
    """``reports/index.html`` (Jinja2 template ``templates/index.html.j2``): the runs of ONE input dataset —
    ``input_hash``, by default the one recorded in ``dataset.json`` — with status, date, main result, links to
    reports, tables and evidence packs, the ``not_estimable`` reasons, and the ingest totals (rows read,
    accepted, quarantined — also those not attributable to any province). Runs on other data are not listed;
    the synthetic banner follows the current data."""
    marker = reports / DATASET_MARKER
    recorded = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    input_hash = input_hash or recorded.get("input_hash")
    if synthetic is None:
        synthetic = (summary or {}).get("synthetic") in ("yes", "mixed") if summary else bool(recorded.get("synthetic"))
    manifests = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(reports.glob("*/manifest.json"))]
    manifests = [m for m in manifests if input_hash is None or m.get("input_hash") == input_hash]
    rows = []
    for m in sorted(manifests, key=lambda m: (m.get("scope") != "national", m["province"])):
        items = []
        for n in m["notebooks"]:
            title = _notebook_title(n["notebook"], lang)
            if n["status"] in ("ok", "partial") and n.get("html"):
                items.append({"title": title, "href": f"{m['slug']}/{n['html']}",
                              "notes": list(dict.fromkeys(x["reason"] for x in n.get("not_estimable", [])))})
            else:
                items.append({"title": title, "href": "", "error": n.get("error", ""), "where": failure_text(n, lang)})
        evidence = m.get("evidence", {})
        status = {"ok": "✔ " + t("index_status_ok", lang), "partial": "◐ " + t("index_status_partial", lang)
                  }.get(m["status"], "✘ " + t("failed", lang))
        tables_page = reports / m["slug"] / "tables.html"
        rows.append({"province": m["province"], "status": m["status"], "status_text": status,
                     "finished": date_text(m["finished"], lang, time=True), "headline": headline(reports / m["slug"], lang),
                     "reports": items, "manifest": f"{m['slug']}/manifest.json",
                     "tables_href": f"{m['slug']}/tables.html" if tables_page.exists() else "",
                     "docx": f"{m['slug']}/{evidence['docx']}" if evidence.get("docx") else "",
                     "xlsx": f"{m['slug']}/{evidence['xlsx']}" if evidence.get("xlsx") else "",
                     "evidence_error": evidence.get("error", "")})
    other = reports / OTHER_DATA
    archived = t("index_archived", lang, folder=OTHER_DATA) if other.is_dir() and any(other.iterdir()) else ""
    html = _jinja().get_template("index.html.j2").render(
        lang=lang, title=t("index_title", lang), synthetic=bool(synthetic), banner=t("synthetic_banner", lang),
        dataset_line=t("index_dataset", lang), input_hash=input_hash or "–",
        ingest_line=_ingest_line(summary, lang), heads=[t(k, lang) for k in ("province", "index_status", "index_time", "index_headline",
                                                       "index_reports", "index_record")],
        rows=rows, partial=t("partial", lang), tables_title=t("nav_tables", lang), archived=archived,
        record_link=t("index_record_link", lang),
        version=__version__)
    path = reports / "index.html"
    path.write_text(html, encoding="utf-8")
    return path


def _ingest_line(summary: dict | None, lang: str) -> str:
    """The ingest totals for the index page (plain text; the template escapes it)."""
    if not summary:
        return ""
    text = t("index_ingest", lang, rows_read=summary["rows_read"], accepted=summary["accepted"],
             quarantined=summary["quarantined"], duplicates=summary["duplicates"],
             unattributed=summary.get("quarantined_unattributed", 0))
    return text


def headline(folder: Path, lang: str = "vi") -> str:
    """The main result of a report folder in plain words, read from its typed summary (national, else the
    province's effectiveness): the verdict word ("Có", "Không", "Chưa rõ"), then how many points higher or lower
    the pilot bodies scored and the 95% interval as "from … to …" (and over how many provinces, nationally), or,
    nationally, that the provinces' designs cannot answer (no number); when the report could not estimate the
    effect, why (its not-estimated reason, never the data size); with no effect summary, the data size (bodies,
    from the data-quality summary)."""
    fmt = lambda x: number(x, lang)  # noqa: E731
    summary = effect_summary(folder)
    record, key, k = None, "index_effect", "–"
    if isinstance(summary, NationalSummary):
        verdict = effect_verdict_of(summary)
        if summary.pooled is None and verdict.reason == "design_too_small":  # the provinces cannot answer
            return t("index_effect_national_design_too_small", lang, verdict=t("verdict_" + verdict.answer, lang),
                     n=int(verdict.values.get("n_pooled") or 0), k=int(verdict.values.get("n_provinces") or 0))
        record, key = summary.pooled, "index_effect_national"
        k = record.n if record is not None else "–"
    elif summary is not None:
        record = summary.primary
    if summary is not None and record is None:  # the report ran but could not estimate the effect: say why
        from iso18091lab.render.packs import headline_reason

        why = headline_reason(summary, lang)
        return (t("index_effect_not_estimated", lang, verdict=verdict_word(effect_verdict_of(summary), lang),
                  why=why) if why else t("not_estimable", lang))
    if record is not None:
        estimate = float(record.estimate)
        direction = t("index_higher" if estimate >= 0 else "index_lower", lang)
        if not (math.isfinite(record.ci_low) and math.isfinite(record.ci_high)):
            key = "index_effect_unbounded"  # too few bodies: the interval has no end
        return t(key, lang, verdict=verdict_word(effect_verdict_of(summary), lang), direction=direction,
                 estimate=fmt(abs(estimate)), low=fmt(record.ci_low), high=fmt(record.ci_high), k=k)
    if has_summary(folder, "00_data_quality"):
        quality = DataQualitySummary.load(folder)
        return f"{number(float(quality.n_bodies), lang, 0)} {t('bodies', lang)}"
    return "–"


def verdict_word(verdict, lang: str = "vi") -> str:
    """The verdict word the index puts before the effect and its interval: "Có", "Không", "Chưa rõ", except
    where the interval lies wholly below MIN_EFFECT (``improved_small``: "Có, nhưng nhỏ"; ``below_min_effect``:
    no meaningful improvement, which a bare "Không" beside a positive estimate would misstate)."""
    if verdict.reason in ("improved_small", "below_min_effect"):
        return t(f"verdict_{verdict.reason}", lang,
                 min_effect=number(verdict.values.get("min_effect", float("nan")), lang, 0))
    return t("verdict_" + verdict.answer, lang)


def _notebook_title(notebook: str, lang: str) -> str:
    """The report title of a notebook ('10_scorecard' -> 'Bảng điểm theo đèn tín hiệu'), else its name."""
    return t(f"title_{notebook}", lang) if f"title_{notebook}" in TEXT else notebook

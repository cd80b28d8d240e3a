"""A report folder's run split in steps that different workers can take (:class:`ProvinceJob`), and the gate that
starts the national report once the provinces' reports 20 and 30 have ended (:class:`NationalGate`).
"""
from __future__ import annotations

import hashlib
import threading
import traceback
from datetime import datetime, timezone
from pathlib import Path

from iso18091lab.normalize import slugify
from iso18091lab.run.failures import failure_location
from iso18091lab.run.kernels import WarmKernel, _execute
from iso18091lab.run.manifest import (NotebookRun, ProvinceRun, _not_estimable, _read_json, _reusable,
                                      dependency_versions, notebook_inputs_hash, write_manifest)
from iso18091lab.run.pages import _notebook_title, render_html, write_tables_page
from iso18091lab.run.request import NATIONAL_SLUG
from iso18091lab.summaries.national import PROVINCE_REPORTS


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

"""``iso18091lab run``: ingest when the raw data changed, run every analysis notebook per province with
papermill, render HTML without code, write a manifest per province and ``reports/index.html``.

Notebooks run concurrently in a thread pool, one task per notebook, so a worker never idles while another still has
a province to run. The national report reads the provinces' saved summaries, so its task is queued last and waits
(:class:`~iso18091lab.run.jobs.NationalGate`) until every province's reports 20 and 30 have ended; a province whose
report failed is passed to it as missing (each papermill kernel is its own process; process pools with fork collide
on kernel ports). A province's notebooks may run at once in different kernels: each writes its own files and its
``results.json`` entry under the folder's lock; the worker that runs a province's last notebook renders its pages
and evidence pack. papermill's ``cwd`` option changes the working directory of the *whole process* (``os.chdir``),
which races between threads and can leave the process in another folder, so it is never passed: every path is made
absolute first and notebooks read only the absolute paths they are given. Parameters are checked before anything
runs: only names that the notebooks' ``parameters`` cells declare may be passed, and every value is passed as text
or number exactly as given.

Speed at national scale:

* **Warm kernels.** Each worker keeps one kernel for all the notebooks it runs (papermill with our own engine
  and a kernel manager we own), started — and the package imported in it — while the data is ingested.
  Before each notebook a hidden first cell deletes every user name (not ``__name__`` and the other dunders)
  and the output cache and closes figures, so only imported modules carry over (``%reset -f`` does the same
  plus two full garbage collections, ~0.25 s per notebook). A kernel whose notebook failed is replaced.
* **One write per notebook.** papermill writes the output notebook when it ends (and when a cell fails), not
  after every cell (``request_save_on_cell_execute=False``): each write serialises every figure again.
* **One BLAS thread per kernel** when several run at once (``OPENBLAS_NUM_THREADS`` etc. set for the kernels).
* **Incremental runs.** A notebook is skipped when the hash of its inputs — the province's data (written by ingest,
  ``province_hashes``; for the national report the whole dataset and the bytes of the province summaries it reads,
  :func:`~iso18091lab.run.jobs.summaries_digest`), the catalog, its parameters, the notebook and the package —
  matches its last successful run; ``force=True`` runs everything. Each manifest entry says ``reused`` true/false.
"""
from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from iso18091lab.config import DEFAULT_PROCESSED, DEFAULT_RAW, DEFAULT_REPORTS
from iso18091lab.i18n import both, t
from iso18091lab.intake.pipeline import ingest
from iso18091lab.intake.store import processed_hash
from iso18091lab.normalize import slugify
from iso18091lab.run.folders import claim_reports_folder
from iso18091lab.run.index_page import write_index
from iso18091lab.run.jobs import NationalGate, ProvinceJob
from iso18091lab.run.kernels import WarmKernel, skip_slow_iri_format_checker, thread_environment
from iso18091lab.run.manifest import ProvinceRun, _read_json
from iso18091lab.run.request import (NATIONAL_NAME, NATIONAL_SLUG, NOTEBOOKS_DIR, RunError, analysis_notebooks,
                                     check_parameters, national_notebooks, needs_ingest, resolve_provinces)
from iso18091lab.run.workers import _Workers, default_workers
from iso18091lab.summaries.national import PROVINCE_REPORTS


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

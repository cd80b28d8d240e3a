"""``iso18091lab demo`` and ``iso18091lab lab``: the sample run and the notebooks opened in JupyterLab.

Both work the same on Windows, macOS and Linux: paths are ``pathlib`` paths and nothing calls a shell tool.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from iso18091lab.normalize import slugify


def small_design():
    """A quick two-province sample (6 pilot + 6 comparison bodies each, two waves) for ``demo --small`` and the
    tests; the second wave of each province is the first under the pilot (pilot_start), so the first is its
    baseline. Six pilots in the one start cohort is ``stats.verdict.MIN_PILOTS_PER_START``: each province's
    headline uses the BJS interval, so the national report has two provinces to pool (with fewer, each
    province's own randomization interval is unbounded and the national report, rightly, gives no number)."""
    from iso18091lab.synthetic.design import ProvinceDesign
    from iso18091lab.synthetic.designs import HAI_PHONG, QUANG_NINH

    per_group = 6
    hp = [b for b in HAI_PHONG if b[3] == "pilot" and b[2] in ("quận", "xã")][:per_group] + \
        [b for b in HAI_PHONG if b[3] == "comparison" and b[2] in ("quận", "xã")][:per_group]
    qn = [b for b in QUANG_NINH if b[3] == "pilot"][6:6 + per_group] + \
        [b for b in QUANG_NINH if b[3] == "comparison"][5:5 + per_group]
    return [ProvinceDesign("Hải Phòng", hp, (2022, 2023), 2023, "xlsx_vi", member_bodies=4),
            ProvinceDesign("Quảng Ninh", qn, (2024, 2025), 2025, "csv_plain", light_levels=("xã", "thị trấn"),
                           member_bodies=4)]


def demo(out: Path, seed: int = 2024, small: bool = False, lang: str = "vi", progress: bool = True):
    """Write the synthetic sample to ``out/raw``, ingest it into ``out/processed`` and run every report into
    ``out/reports``; returns the runs (``out/reports/index.html`` is the page to open)."""
    from iso18091lab.run.runner import run
    from iso18091lab.synthetic.write import write_synthetic

    out = Path(out)
    raw = out / "raw"
    if not any(raw.glob("SYNTHETIC_*")):
        write_synthetic(raw, seed=seed, **({"design": small_design()} if small else {}))
    return run(all_provinces=True, raw=raw, processed=out / "processed", reports=out / "reports", lang=lang,
               seed=seed, progress=progress)


def prepare_lab(processed: Path, province: str, work: Path, lang: str = "vi", seed: int = 2024) -> list[Path]:
    """Copies of the analysis notebooks in ``work``, parameterised (an ``injected-parameters`` cell, as papermill
    writes it, right after the notebook's own ``parameters`` cell) for ``province`` and the processed data, writing their
    figures and tables to ``work/reports/<province>``. Run top to bottom in JupyterLab, they do what
    ``iso18091lab run`` does. Returns the notebooks written (province notebooks, then the national one)."""
    import nbformat

    from iso18091lab.intake.dataset import load
    from iso18091lab.run.request import (NATIONAL_NAME, NATIONAL_SLUG, NOTEBOOKS_DIR, analysis_notebooks,
                                         national_notebooks, resolve_provinces)

    processed, work = Path(processed).resolve(), Path(work).resolve()
    data = load(processed)
    [canonical] = resolve_provinces([province], data.provinces, lang)
    work.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook in analysis_notebooks(NOTEBOOKS_DIR, lang) + national_notebooks(NOTEBOOKS_DIR):
        national = notebook in national_notebooks(NOTEBOOKS_DIR)
        name, slug = (NATIONAL_NAME, NATIONAL_SLUG) if national else (canonical, slugify(canonical))
        parameters = {"province": name, "processed_dir": str(processed),
                      "output_dir": str(work / "reports" / slug), "lang": lang, "seed": seed}
        if national:  # the province's reports 20 and 30, run first in the lab, are what it reads
            parameters["province_dirs"] = {canonical: str(work / "reports" / slugify(canonical))}
        node = nbformat.read(notebook, as_version=4)
        at = next(i for i, c in enumerate(node.cells) if "parameters" in c.metadata.get("tags", []))
        source = "# Parameters for this copy (iso18091lab lab); change them and run all cells\n" + "".join(
            f"{name} = {value!r}\n" for name, value in parameters.items())
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
        node.cells.insert(at + 1, cell)
        target = work / notebook.name
        nbformat.write(node, target)
        written.append(target)
    return written


def open_lab(work: Path, browser: bool = True) -> int:
    """Start JupyterLab on ``work`` (blocks until it is stopped with Ctrl+C)."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={Path(work).resolve()}"]
    if not browser:
        command.append("--no-browser")
    return subprocess.call(command)



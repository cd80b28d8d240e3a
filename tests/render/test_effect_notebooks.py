"""Notebook 30 renders for every valid design: what cannot be estimated is said, never a traceback (notebook 40 on
the same designs: tests/render/test_national_notebooks.py, a file of its own so that a second xdist worker runs it).

Designs are made from the small synthetic fixture by editing its processed tables. The fixture follows the
product's timing rule (``pilot_start`` = the year of the first wave under the pilot); the "old timing" design
writes the baseline year there instead, as the previous version read it, so that no pilot has a wave before its
start.
"""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import papermill as pm
import pytest

from iso18091lab.run.request import NOTEBOOKS_DIR
from iso18091lab.stats.did.table import EFFECTIVENESS_COLUMNS


def _shift(frames):
    """Nothing to change: the fixture already follows the product's timing rule."""


def _old_timing(frames):
    for frame in frames.values():
        frame["pilot_start"] = frame["pilot_start"] - 1


def _drop(frames, keep):
    for name in frames:
        try:
            frames[name] = frames[name][keep(frames[name])].reset_index(drop=True)
        except KeyError:  # e.g. the units table has no year
            pass


def _odd(frames):
    """Blank levels, no outcomes table, no self scores, traffic lights only."""
    _shift(frames)
    a = frames["assessments"]
    for name in ("assessments", "units"):
        f = frames[name]
        f["level"] = f["level"].where(f["body_id"].str[-1].isin(list("02468")), pd.NA)
    a = a[a["rater"] != "self"].copy()
    a["score"] = np.nan
    a["score_100"] = a["rating"].astype(object).map({"red": 20.0, "yellow": 55.0, "green": 85.0}).astype("Float64")
    frames["assessments"] = a.reset_index(drop=True)
    frames["outcomes"] = frames["outcomes"].iloc[:0]


def _no_units(frames):
    _shift(frames)
    frames["units"] = frames["units"].iloc[:0]
    for name in ("assessments", "outcomes"):
        frames[name]["group"] = pd.Series(pd.NA, index=frames[name].index, dtype="string")


DESIGNS = {
    "estimable": (_shift, []),
    "one wave": (lambda f: _drop(f, lambda x: x["year"].isin([2022, 2024])), ["one_wave"]),
    "no comparison": (lambda f: (_shift(f), _drop(f, lambda x: x["group"] != "comparison")), ["no_comparison"]),
    "no pilot": (lambda f: (_shift(f), _drop(f, lambda x: x["group"] != "pilot")), ["no_pilot"]),
    "no units table": (_no_units, ["no_groups"]),
    "odd (blank levels, lights only, no self, no outcomes)": (_odd, []),
    "old timing (no wave before the start)": (_old_timing, ["no_pre_wave"]),
    "one province": (lambda f: (_shift(f), _drop(f, lambda x: x["province"] == "Quảng Ninh")), []),
}


def _design(small_processed, tmp_path, change):
    """(processed folder, empty output folder): the small fixture's tables edited by ``change``."""
    folder = tmp_path / "processed"
    shutil.copytree(small_processed / "processed", folder)
    frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in ("assessments", "units", "outcomes")}
    change(frames)
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet")
    out = tmp_path / "out"
    out.mkdir()
    return folder, out


#: Report 30's parameters here (notebook and the province summaries report 40 reads).
EFFECT_PARAMS = {"seed": 1, "n_permutations": 99, "n_resamples": 199}


def _run(notebook, folder, out, province, **extra):
    pm.execute_notebook(str(NOTEBOOKS_DIR / notebook), str(out / notebook),
                        parameters={"province": province, "processed_dir": str(folder), "output_dir": str(out),
                                    "lang": "en", "seed": 1, **({"n_permutations": 99, "n_resamples": 199}
                                                                if notebook.startswith("30") else {}), **extra},
                        kernel_name="python3", cwd=str(out), progress_bar=False)
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("design", list(DESIGNS))
def test_effectiveness_notebook_renders(design, small_processed, tmp_path):
    change, reasons = DESIGNS[design]
    folder, out = _design(small_processed, tmp_path, change)
    result = _run("30_effectiveness.ipynb", folder, out, "Quảng Ninh")["30_effectiveness"]
    table = pd.read_csv(out / "tables" / "effectiveness.csv", keep_default_na=False)
    assert list(table.columns) == EFFECTIVENESS_COLUMNS
    said = " ".join(n["reason"] for n in result.get("not_estimable", []))
    if reasons:
        assert len(table) == 0 and result["not_estimable"]
        from iso18091lab.i18n import t
        for reason in reasons:
            assert t(f"ne_{reason}", "en", wave="2024", n=1, detail="")[:25] in said
    else:
        primary = table[(table["level"] == "overall") & (table["rater"] == "council")]
        assert len(primary) == 1 and 0 < primary["p_value"].iloc[0] <= 1
        assert "caused" not in " ".join(result["summary"]).replace("not prove that the pilot caused", "")
    if design.startswith("odd"):
        assert "self-assessment" in said and "external outcomes" in said

"""Notebooks 30 and 40 render for every valid design: what cannot be estimated is said, never a traceback.

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

from iso18091lab.run.request import NATIONAL_NAME, NOTEBOOKS_DIR
from iso18091lab.stats.did.table import EFFECTIVENESS_COLUMNS
from iso18091lab.summaries.base import load_summary


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
    folder = tmp_path / "processed"
    shutil.copytree(small_processed / "processed", folder)
    frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in ("assessments", "units", "outcomes")}
    change(frames)
    for name, frame in frames.items():
        frame.to_parquet(folder / f"{name}.parquet")
    return folder


#: Report 30's parameters here (notebook and the province summaries report 40 reads).
EFFECT_PARAMS = {"seed": 1, "n_permutations": 99, "n_resamples": 199}


def _run(notebook, folder, out, province, **extra):
    pm.execute_notebook(str(NOTEBOOKS_DIR / notebook), str(out / notebook),
                        parameters={"province": province, "processed_dir": str(folder), "output_dir": str(out),
                                    "lang": "en", "seed": 1, **({"n_permutations": 99, "n_resamples": 199}
                                                                if notebook.startswith("30") else {}), **extra},
                        kernel_name="python3", cwd=str(out), progress_bar=False)
    return json.loads((out / "results.json").read_text(encoding="utf-8"))


def _run_national(folder, out):
    """Report 40 as a run gives it: each province's report folder with the summaries its reports 30 and 20 save
    (the builders they call, with their parameters here); a province whose report fails is passed as missing."""
    import iso18091lab as lab
    from iso18091lab.normalize import slugify
    from iso18091lab.summaries.effectiveness import build_effectiveness
    from iso18091lab.summaries.reliability import build_reliability

    dirs, missing = {}, {}
    for province in lab.load(folder).provinces:
        data, target = lab.load(folder, province=province), out / slugify(province)
        for report, build in (("30_effectiveness", lambda: build_effectiveness(data, EFFECT_PARAMS)),
                              ("20_reliability", lambda: build_reliability(data, {"seed": 1, "n_resamples": 99,
                                                                             "province": province}))):
            try:
                build().save(target)
            except ValueError:  # as in a run: the report failed, the province is missing
                missing.setdefault(province, report)
        dirs[province] = str(target)
    return _run("40_national.ipynb", folder, out, NATIONAL_NAME, province_dirs=dirs, provinces_missing=missing)


@pytest.mark.parametrize("design", list(DESIGNS))
def test_effectiveness_notebook_renders(design, small_processed, tmp_path):
    change, reasons = DESIGNS[design]
    folder = _design(small_processed, tmp_path, change)
    out = tmp_path / "out"
    out.mkdir()
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


@pytest.mark.parametrize("design", ["estimable", "one province", "no units table", "one wave"])
def test_national_notebook_renders(design, small_processed, tmp_path):
    change, _ = DESIGNS[design]
    folder = _design(small_processed, tmp_path, change)
    out = tmp_path / "out"
    out.mkdir()
    result = _run_national(folder, out)["40_national"]
    summary = load_summary(out, "40_national")
    if design == "estimable":
        assert summary.pooled.n == 2 and summary.missing == []
        # two provinces: tau² is not estimated, a range is shown
        assert summary.power is not None and len(summary.power_sensitivity)
    else:
        assert summary.pooled is None
        assert any("at least two provinces" in n["reason"] for n in result["not_estimable"])


def _pilots_kept(counts):
    """Keep the first ``counts[province]`` pilot bodies of a province (units-table order), all of the others:
    with one pilot, the randomization test has fewer than 20 assignments, so the province's own interval is
    unbounded and its report says the design cannot answer."""
    def change(frames):
        units = frames["units"]
        pilots = units[units["group"] == "pilot"]
        drop = [b for province, part in pilots.groupby("province", observed=True) if province in counts
                for b in part["body_id"].iloc[counts[province]:]]
        _drop(frames, lambda x: ~x["body_id"].isin(drop))
    return change


#: design -> (change, provinces whose own design cannot answer). The fixture has 6 pilots per start cohort
#: (BJS) in each province; keeping one pilot makes a province randomization-only with an unbounded interval.
NATIONAL_DESIGNS = {
    "no province can answer (one pilot each)": (_pilots_kept({"Hải Phòng": 1, "Quảng Ninh": 1}),
                                                ["Hải Phòng", "Quảng Ninh"]),
    "one province can answer, the other cannot": (_pilots_kept({"Quảng Ninh": 1}), ["Quảng Ninh"]),
}


@pytest.mark.parametrize("design", list(NATIONAL_DESIGNS))
def test_national_report_leaves_out_provinces_whose_own_design_cannot_answer(design, small_processed, tmp_path):
    from iso18091lab.i18n import t

    change, cannot = NATIONAL_DESIGNS[design]
    folder = _design(small_processed, tmp_path, change)
    out = tmp_path / "out"
    out.mkdir()
    result = _run_national(folder, out)["40_national"]
    national = load_summary(out, "40_national")
    assert national.pooled is None  # no pooled number ...
    assert (national.verdict.answer, national.verdict.reason) == ("unclear", "design_too_small")
    assert result["summary"][0] == t("nat_cannot_answer", "en", n=2 - len(cannot), k=2)  # ... and why
    assert [(x.province, x.reason) for x in national.left_out] == [(p, "unbounded") for p in cannot]
    assert result["summary"][1].startswith("Left out of the pooling: ") and all(p in result["summary"][1]
                                                                                 for p in cannot)
    by_province = {r["province"]: r for r in national.by_province.to_dict(orient="records")}
    for province, row in by_province.items():
        assert row["inference"] == ("randomization" if province in cannot else "bjs")
    # the province left out says the same in its own report: randomization inference, the design cannot answer,
    # the same unbounded interval
    province = cannot[-1]
    _run("30_effectiveness.ipynb", folder, tmp_path / "out", province)
    own = load_summary(tmp_path / "out", "30_effectiveness")
    assert own.primary.params["inference"] == "randomization" and own.verdict.reason == "design_too_small"
    assert (own.primary.ci_low, own.primary.ci_high) == (by_province[province]["ci_low"],
                                                         by_province[province]["ci_high"])

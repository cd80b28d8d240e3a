"""Notebook 20 renders for every valid design, never a traceback; what cannot be estimated is said so.

Each design is made from the small synthetic dataset by editing its processed tables (drop council members'
scores, drop self scores, keep one wave, lights only, points only, blank levels, a body's own subset of
indicators, bodies sharing one name, only two bodies)."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from iso18091lab.run.kernels import KERNEL_NAME
from iso18091lab.run.request import NOTEBOOKS_DIR
from iso18091lab.summaries.base import load_summary

LIGHT_POINTS = {"red": 20.0, "yellow": 55.0, "green": 85.0}


def _lights_only(a):
    a = a.copy()
    a["score"] = pd.NA
    a["score_100"] = a["rating"].astype(object).map(LIGHT_POINTS).astype("Float64")
    return a


def _subset(a):
    rng = np.random.default_rng(1)
    keys = a[["body_id", "indicator"]].drop_duplicates()
    dropped = keys[rng.random(len(keys)) < 0.3]
    merged = a.merge(dropped.assign(_drop=True), on=["body_id", "indicator"], how="left")
    return merged[merged["_drop"].isna()].drop(columns="_drop")


DESIGNS = {
    "no_members": lambda a: a[a["rater_id"].isna() | (a["rater_id"] == "")],
    "no_self": lambda a: a[a["rater"] != "self"],
    "no_council": lambda a: a[a["rater"] != "council"],
    "one_wave": lambda a: a[a["year"] == a.groupby("province")["year"].transform("min")],
    "no_data_for_province": lambda a: a[a["province"] != "Quảng Ninh"],
    "lights_only": _lights_only,
    "points_only": lambda a: a.assign(rating=pd.Categorical([None] * len(a), dtype=a["rating"].dtype)),
    "blank_levels": lambda a: a.assign(level=pd.NA, tier=pd.NA),
    "own_subset": _subset,
    "duplicate_names": lambda a: a.assign(body_label="xã An Hòa", unit="xã An Hòa"),
    "two_bodies": lambda a: a[a["body_id"].isin(sorted(a["body_id"].unique())[:2])],
}


@pytest.mark.parametrize("design", list(DESIGNS))
def test_notebook_20_renders_for_every_design(design, small_processed, tmp_path):
    import papermill

    processed = tmp_path / "processed"
    shutil.copytree(small_processed / "processed", processed, ignore=shutil.ignore_patterns("cache"))
    a = pd.read_parquet(processed / "assessments.parquet")
    a = DESIGNS[design](a).reset_index(drop=True)
    a.to_parquet(processed / "assessments.parquet", index=False)
    out = tmp_path / "out"
    papermill.execute_notebook(str(NOTEBOOKS_DIR / "20_reliability.ipynb"), str(tmp_path / "run.ipynb"),
                               parameters={"province": "Quảng Ninh", "processed_dir": str(processed),
                                           "output_dir": str(out), "lang": "en", "seed": 1, "n_resamples": 60},
                               kernel_name=KERNEL_NAME, progress_bar=False, cwd=str(tmp_path))
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))["20_reliability"]
    exported = pd.read_csv(out / "tables" / "indicator_review.csv", dtype={"indicator": str})
    assert len(exported) == 39 and {"flag", "reason"} <= set(exported.columns)
    parts = set(load_summary(out, "20_reliability").not_estimable_parts)
    expected = {"no_members": {"members", "raters"}, "no_self": {"self_council", "inflation"},
                "no_council": {"members", "items", "self_council", "inflation", "raters"}}.get(design, set())
    assert expected <= parts
    if expected:
        assert results.get("not_estimable"), "the report says what cannot be estimated"

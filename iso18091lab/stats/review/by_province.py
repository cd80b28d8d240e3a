"""The indicator review across provinces: flags per province, the indicators flagged in every province, and the
rows of the cross-province reliability comparison (each province and all of them pooled)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.catalog import indicator_order
from iso18091lab.stats import NotEstimable
from iso18091lab.stats.review.assessments import _check
from iso18091lab.stats.review.leniency import self_inflation
from iso18091lab.stats.review.pillar_items import internal_consistency
from iso18091lab.stats.review.table import review_indicators


def flags_by_province(assessments: pd.DataFrame, n_resamples: int = 500, seed=2024) -> pd.DataFrame:
    """:func:`review_indicators` for each province: one row per flagged indicator and province."""
    a = _check(assessments, "flags_by_province")
    rows = []
    for province, part in a.groupby("province", observed=True):
        try:
            review = review_indicators(part, n_resamples=n_resamples, seed=seed).table
        except NotEstimable:
            continue
        flagged = review[review["flag"]]
        rows += [{"indicator": i, "province": province, "reasons": r}
                 for i, r in zip(flagged["indicator"], flagged["reason"])]
    return pd.DataFrame(rows, columns=["indicator", "province", "reasons"])


def flagged_everywhere(flags: pd.DataFrame, provinces: list[str]) -> list[str]:
    """Indicators flagged in every one of ``provinces``, in catalog order."""
    if not isinstance(flags, pd.DataFrame) or not {"indicator", "province"} <= set(flags.columns):
        raise ValueError("flags must be the table of flags_by_province")
    if not provinces:
        return []
    common = set.intersection(*[set(flags.loc[flags["province"] == p, "indicator"]) for p in provinces])
    return indicator_order(common)


#: The columns of a row of the cross-province reliability comparison (:func:`comparison_row`).
COMPARISON_COLUMNS = ["province", "n_bodies", "alpha_min", "icc_c1_median", "inflation", "inflation_ci_low",
                      "inflation_ci_high", "n_flagged", "flagged"]


def comparison_row(part: pd.DataFrame, name: str, n_resamples: int = 1000, seed=2024,
                   catalog: pd.DataFrame | None = None, review=None) -> tuple[dict, list[tuple[str, str]]]:
    """One row of the cross-province reliability comparison for the rows ``part`` (a province, or all of them as
    ``name="pooled"``): bodies, lowest pillar alpha, median self–council ICC(C,1) over indicators, overall
    self-inflation with CI, indicators flagged (:data:`COMPARISON_COLUMNS`); and the flagged indicators with
    their reasons. A part that cannot be estimated is left missing (NaN). ``review`` as in
    :func:`summary_by_province`."""
    review_of = review_indicators if review is None else review
    part = _check(part, "comparison_row")
    record = {"province": name, "n_bodies": int(part["body_id"].nunique()), "alpha_min": np.nan,
              "icc_c1_median": np.nan, "inflation": np.nan, "inflation_ci_low": np.nan,
              "inflation_ci_high": np.nan, "n_flagged": 0, "flagged": ""}
    flags: list[tuple[str, str]] = []
    try:
        record["alpha_min"] = internal_consistency(part, omega=False)["alpha"].min()
    except NotEstimable:
        pass
    try:
        overall = self_inflation(part, n_resamples, seed).iloc[0]
        record.update(inflation=overall["estimate"], inflation_ci_low=overall["ci_low"],
                      inflation_ci_high=overall["ci_high"])
    except NotEstimable:
        pass
    try:
        table = review_of(part, catalog, n_resamples=n_resamples, seed=seed).table
        record["icc_c1_median"] = table["icc_c1"].median()
        flagged = table[table["flag"]]
        record.update(n_flagged=len(flagged), flagged=", ".join(flagged["indicator"]))
        flags = list(zip(flagged["indicator"], flagged["reason"]))
    except NotEstimable:
        pass
    return record, flags


def summary_by_province(assessments: pd.DataFrame, n_resamples: int = 1000, seed=2024,
                        catalog: pd.DataFrame | None = None, review=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per province and pooled (last row, ``province='pooled'``): bodies, lowest pillar alpha, median
    self–council ICC(C,1) over indicators, overall self-inflation with CI, indicators flagged; and the flags
    table of :func:`flags_by_province`. Each part is reviewed by ``review(part, catalog, n_resamples=, seed=)``
    (default :func:`review_indicators`). Report 40 reads each province's row from its report 20's summary and
    computes only the pooled row (:func:`comparison_row`)."""
    review_of = review_indicators if review is None else review
    a = _check(assessments, "summary_by_province")
    provinces = sorted(a["province"].dropna().unique())
    rows, flags = [], []
    for name in provinces + ["pooled"]:
        part = a if name == "pooled" else a[a["province"] == name]
        record, flagged = comparison_row(part, name, n_resamples, seed, catalog, review_of)
        if name != "pooled":
            flags += [{"indicator": i, "province": name, "reasons": r} for i, r in flagged]
        rows.append(record)
    return pd.DataFrame(rows), pd.DataFrame(flags, columns=["indicator", "province", "reasons"])

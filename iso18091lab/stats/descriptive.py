"""Scores, completeness and rankings: the descriptive layer under the scorecard and data-quality reports.

Definitions (also in every report's methods note):

* a body's **pillar score** in a year, for one rater, is the mean ``score_100`` of the indicators of that
  pillar it was assessed on (not-assessed and missing indicators are left out, never counted as zero);
* its **overall score** is the mean of its pillar scores (each pillar weighs the same, whatever its number of
  indicators);
* council scores are the council's consensus rows (``rater_id`` empty); individual council members' rows are
  used only for inter-rater reliability.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import indicator_order, indicator_sort_key

BODY_KEYS = ["province", "unit", "unit_code", "level", "tier", "group", "pilot_start"]


def consensus(assessments: pd.DataFrame, rater: str | None = None) -> pd.DataFrame:
    """Rows of self-assessments and council consensus (individual members' rows dropped)."""
    rows = assessments[assessments["rater_id"].isna()]
    if rater is not None:
        rows = rows[rows["rater"] == rater]
    return rows


def pillar_scores(assessments: pd.DataFrame, rater: str = "council") -> pd.DataFrame:
    """One row per body, year, round and pillar: mean score_100, number of indicators scored."""
    rows = consensus(assessments, rater).dropna(subset=["score_100"])
    keys = [k for k in BODY_KEYS if k in rows] + ["year", "round", "pillar"]
    grouped = rows.groupby(keys, dropna=False, observed=True)["score_100"]
    out = grouped.agg(score="mean", n_indicators="size").reset_index()
    out["score"] = out["score"].astype(float)
    out["rater"] = rater
    return out


def overall_scores(assessments: pd.DataFrame, rater: str = "council") -> pd.DataFrame:
    """One row per body, year and round: the mean of its pillar scores and the pillars it covers."""
    pillars = pillar_scores(assessments, rater)
    keys = [k for k in BODY_KEYS if k in pillars] + ["year", "round"]
    out = pillars.groupby(keys, dropna=False, observed=True).agg(
        score=("score", "mean"), n_pillars=("pillar", "size"), n_indicators=("n_indicators", "sum")).reset_index()
    out["rater"] = rater
    return out


def change_since_baseline(scores: pd.DataFrame) -> pd.DataFrame:
    """Per body: score in its first and last year of ``scores`` and the change (last - first)."""
    ordered = scores.sort_values(["unit", "year"])
    keys = [k for k in BODY_KEYS if k in ordered]
    first = ordered.groupby(keys, dropna=False).first().reset_index()
    last = ordered.groupby(keys, dropna=False).last().reset_index()
    out = first[keys + ["year", "score"]].rename(columns={"year": "baseline_year", "score": "baseline"})
    out = out.merge(last[keys + ["year", "score"]].rename(columns={"year": "latest_year", "score": "latest"}),
                    on=keys)
    out["change"] = out["latest"] - out["baseline"]
    out.loc[out["latest_year"] == out["baseline_year"], "change"] = np.nan
    return out


def ranking(scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """Bodies ranked by score in ``year`` (1 = highest; ties share the best rank)."""
    rows = scores[scores["year"] == year].copy()
    rows["rank"] = rows["score"].rank(ascending=False, method="min").astype(int)
    return rows.sort_values(["rank", "unit"]).reset_index(drop=True)


def red_indicators(assessments: pd.DataFrame, year: int, rater: str = "council") -> pd.DataFrame:
    """Per body, the indicators rated red in ``year`` (input to its action programme)."""
    rows = consensus(assessments, rater)
    rows = rows[(rows["year"] == year) & (rows["rating"] == "red")]
    rows = rows.sort_values("indicator", key=indicator_sort_key)
    out = rows.groupby(["unit", "group"], observed=True)["indicator"].agg(
        n_red="size", indicators=lambda s: ", ".join(s)).reset_index()
    return out.sort_values(["n_red", "unit"], ascending=[False, True]).reset_index(drop=True)


def light_matrix(assessments: pd.DataFrame, year: int) -> pd.DataFrame:
    """Traffic lights, indicators x (body, rater), for ``year``: 'red'/'yellow'/'green'/'na' (not assessed)."""
    rows = consensus(assessments)
    rows = rows[rows["year"] == year].copy()
    rows["light"] = rows["rating"].astype(object).where(~rows["not_assessed"].astype(bool), "na")
    table = rows.pivot_table(index="indicator", columns=["unit", "rater"], values="light", aggfunc="first")
    return table.loc[indicator_order(table.index)]


def completeness(assessments: pd.DataFrame, units: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """Per body, year and rater: indicators scored, not assessed, missing, and the share scored."""
    rows = consensus(assessments)
    n_catalog = len(catalog)
    counted = rows.groupby(["unit", "year", "rater"], observed=True).agg(
        scored=("score_100", lambda s: int(s.notna().sum())),
        not_assessed=("not_assessed", lambda s: int(s.sum()))).reset_index()
    years = sorted(rows["year"].dropna().unique())
    grid = pd.MultiIndex.from_product([units["unit"].tolist(), years, ["self", "council"]],
                                      names=["unit", "year", "rater"]).to_frame(index=False)
    out = grid.merge(counted, how="left", on=["unit", "year", "rater"]).fillna({"scored": 0, "not_assessed": 0})
    out[["scored", "not_assessed"]] = out[["scored", "not_assessed"]].astype(int)
    out["missing"] = n_catalog - out["scored"] - out["not_assessed"]
    out["share_scored"] = out["scored"] / n_catalog
    return out.merge(units[["unit", "level", "group"]], on="unit", how="left")


def indicator_coverage(assessments: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: the share of body-years (council consensus) with a score."""
    rows = consensus(assessments, "council")
    body_years = rows[["unit", "year"]].drop_duplicates().shape[0]
    scored = rows.dropna(subset=["score_100"]).groupby("indicator").size()
    out = catalog[["indicator", "pillar", "name_vi", "name_en"]].copy()
    out["scored"] = out["indicator"].map(scored).fillna(0).astype(int)
    out["share_scored"] = out["scored"] / body_years if body_years else np.nan
    return out

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

from iso18091lab.catalog import indicator_order, indicator_sort_key

BODY_KEYS = ["province", "body_id", "unit", "body_label", "unit_code", "level", "tier", "group", "pilot_start",
             "pilot_start_round", "province_2025", "vintage", "lineage_status", "continues"]


def wave_dated(assessments: pd.DataFrame) -> pd.DataFrame:
    """The rows with ``assessed_on`` the date of their body's wave (its year and round): the latest date of the
    wave's rows, any rater, so a wave is on one map whatever panel is cut from it (a wave dated from 1 July 2025
    is on the map of today: :func:`iso18091lab.intake.lineage.post_reform`). Rows without any date are returned
    as they are.

    Parameters
    ----------
    assessments : pandas.DataFrame
        Assessment rows (``body_id``, ``year``, ``round`` and, when the files gave one, ``assessed_on``).

    Returns
    -------
    pandas.DataFrame
    """
    if "assessed_on" not in assessments or not assessments["assessed_on"].notna().any():
        return assessments
    keys = [k for k in ("body_id", "year", "round") if k in assessments]
    latest = assessments.groupby(keys, dropna=False, observed=True)["assessed_on"].transform("max")
    return assessments.assign(assessed_on=latest)


def wave_keys(rows: pd.DataFrame) -> list[str]:
    """The columns a panel keys a wave on: ``year``, ``round``, and the wave's date (``assessed_on``, one per
    wave after :func:`wave_dated`) when some row has one.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows to group into a panel.

    Returns
    -------
    list of str
    """
    dated = "assessed_on" in rows and bool(rows["assessed_on"].notna().any())
    return ["year", "round"] + (["assessed_on"] if dated else [])


def consensus(assessments: pd.DataFrame, rater: str | None = None) -> pd.DataFrame:
    """Rows of self-assessments and council consensus (individual members' rows dropped)."""
    rows = assessments[assessments["rater_id"].isna()]
    if rater is not None:
        rows = rows[rows["rater"] == rater]
    return rows


def pillar_scores(assessments: pd.DataFrame, rater: str = "council") -> pd.DataFrame:
    """One row per body, year, round and pillar: mean score_100, number of indicators scored (and the wave's
    date, ``assessed_on``, when the files gave dates: :func:`wave_dated`)."""
    rows = consensus(wave_dated(assessments), rater).dropna(subset=["score_100"])
    keys = [k for k in BODY_KEYS if k in rows] + wave_keys(rows) + ["pillar"]
    grouped = rows.groupby(keys, dropna=False, observed=True)["score_100"]
    out = grouped.agg(score="mean", n_indicators="size").reset_index()
    out["score"] = out["score"].astype(float)
    out["rater"] = rater
    return out


def overall_scores(assessments: pd.DataFrame, rater: str = "council") -> pd.DataFrame:
    """One row per body, year and round: the mean of its pillar scores and the pillars it covers."""
    pillars = pillar_scores(assessments, rater)
    keys = [k for k in BODY_KEYS if k in pillars] + wave_keys(pillars)
    out = pillars.groupby(keys, dropna=False, observed=True).agg(
        score=("score", "mean"), n_pillars=("pillar", "size"), n_indicators=("n_indicators", "sum")).reset_index()
    out["rater"] = rater
    return out


def change_since_baseline(scores: pd.DataFrame) -> pd.DataFrame:
    """Per body: score in its first and last wave of ``scores`` and the change (last - first)."""
    ordered = scores.sort_values(["body_id", "year"] + (["round"] if "round" in scores else []))
    keys = [k for k in BODY_KEYS if k in ordered]
    first = ordered.groupby(keys, dropna=False).first().reset_index()
    last = ordered.groupby(keys, dropna=False).last().reset_index()
    out = first[keys + ["year", "score"]].rename(columns={"year": "baseline_year", "score": "baseline"})
    out = out.merge(last[keys + ["year", "score"]].rename(columns={"year": "latest_year", "score": "latest"}),
                    on=keys)
    out["change"] = out["latest"] - out["baseline"]
    out.loc[out["latest_year"] == out["baseline_year"], "change"] = np.nan
    return out


def self_minus_council(self_scores: pd.DataFrame, council_scores: pd.DataFrame) -> pd.DataFrame:
    """Per body and wave: self score, council score and ``difference`` (self − council), where both exist."""
    keys = ["body_id", "body_label", "group", "year", "round"]
    both = self_scores[keys + ["score"]].merge(council_scores[["body_id", "year", "round", "score"]],
                                               on=["body_id", "year", "round"], suffixes=("_self", "_council"))
    return both.assign(difference=both["score_self"] - both["score_council"])


def ranking(scores: pd.DataFrame, year: int) -> pd.DataFrame:
    """Bodies ranked by score in ``year`` (1 = highest; ties share the best rank)."""
    rows = scores[scores["year"] == year].copy()
    rows["rank"] = rows["score"].rank(ascending=False, method="min").astype(int)
    return rows.sort_values(["rank", "body_label"]).reset_index(drop=True)


def red_indicators(assessments: pd.DataFrame, year: int, rater: str = "council", catalog: pd.DataFrame | None = None,
                   lang: str = "vi") -> pd.DataFrame:
    """Per body, the indicators rated red in ``year``'s last wave (input to its action programme); with a
    ``catalog`` each id is followed by its name ('1.10 An ninh công cộng')."""
    rows = consensus(assessments, rater)
    if catalog is not None:
        names = dict(zip(catalog["indicator"], catalog["name_vi" if lang == "vi" else "name_en"].astype(str)))
        rows = rows.assign(indicator=rows["indicator"].map(lambda i: f"{i} {names.get(i, '')}".strip()))
    rows = rows[rows["year"] == year]
    rows = rows[(rows["round"] == rows["round"].max()) & (rows["rating"] == "red")]
    rows = rows.sort_values("indicator", key=lambda s: indicator_sort_key(s.str.split(" ").str[0]))
    out = rows.groupby(["body_id", "body_label", "group"], observed=True, dropna=False)["indicator"].agg(
        n_red="size", indicators=lambda s: "; ".join(s)).reset_index()
    return out.sort_values(["n_red", "body_label"], ascending=[False, True]).reset_index(drop=True)


def light_matrix(assessments: pd.DataFrame, year: int) -> pd.DataFrame:
    """Traffic lights, indicators x (body label, rater), for ``year``: 'red'/'yellow'/'green'/'na' (not
    assessed). With several rounds in the year, the last round."""
    rows = consensus(assessments)
    rows = rows[rows["year"] == year].copy()
    rows = rows[rows["round"] == rows["round"].max()]
    rows["light"] = rows["rating"].astype(object).where(~rows["not_assessed"].astype(bool), "na")
    table = rows.pivot_table(index="indicator", columns=["body_label", "rater"], values="light", aggfunc="first")
    return table.loc[indicator_order(table.index)]


def completeness(assessments: pd.DataFrame, units: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """Per body, wave and rater: indicators possible, scored, not assessed, missing, and the share scored.

    A wave is a year and its round (``year``, ``round``, ``wave``: its label, as :func:`waves`), so a year with
    two rounds gives two cells. Only cells that can exist are counted: a rater is in a wave's cells when some body
    has that rater's scores in that wave (a design without self-assessment has no self cells), and a body's cell is
    out of the indicators the body uses (``possible``: those it has any row for, in any wave and by any rater;
    the whole catalog for a body with no rows), so an indicator outside a body's own set is not missing.

    Parameters
    ----------
    assessments : pandas.DataFrame
        Score rows (``body_id, year, round, rater, rater_id, indicator, score_100, not_assessed`` and the body
        columns).
    units : pandas.DataFrame
        The units table (may be empty): its bodies without rows get cells too.
    catalog : pandas.DataFrame
        The indicator catalog (its length is a row-less body's ``possible``).

    Returns
    -------
    pandas.DataFrame
        ``body_id, rater, year, round, wave, scored, not_assessed, possible, missing, share_scored`` and the body
        columns; ``missing = possible - scored - not_assessed``, ``share_scored = scored / possible``.
    """
    rows = consensus(assessments)
    n_catalog = len(catalog)
    counted = rows.groupby(["body_id", "year", "round", "rater"], observed=True).agg(
        scored=("score_100", lambda s: int(s.notna().sum())),
        not_assessed=("not_assessed", lambda s: int(s.sum()))).reset_index()
    found = waves(rows)
    bodies = body_table(assessments, units)
    grid = pd.MultiIndex.from_product([bodies["body_id"].tolist(), range(len(found)), ["self", "council"]],
                                      names=["body_id", "wave_index", "rater"]).to_frame(index=False)
    grid = grid.merge(found.rename(columns={"label": "wave"}), left_on="wave_index", right_index=True)
    grid = grid.drop(columns="wave_index")
    raters = rows[["year", "round", "rater"]].dropna().drop_duplicates()
    raters = raters.astype({"year": int, "round": int, "rater": str})
    grid = grid.merge(raters, on=["year", "round", "rater"])  # the raters each wave has
    out = grid.merge(counted.astype({"year": int, "round": int}), how="left", on=["body_id", "year", "round", "rater"])
    out = out.fillna({"scored": 0, "not_assessed": 0})
    out[["scored", "not_assessed"]] = out[["scored", "not_assessed"]].astype(int)
    uses = assessments.groupby(assessments["body_id"].astype(str))["indicator"].nunique()
    out["possible"] = out["body_id"].astype(str).map(uses).fillna(n_catalog).astype(int)
    out["missing"] = out["possible"] - out["scored"] - out["not_assessed"]
    out["share_scored"] = out["scored"] / out["possible"].where(out["possible"] > 0)
    return out.merge(bodies, on="body_id", how="left")


def body_table(assessments: pd.DataFrame, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per body (``body_id, body_label, level, group``): the units table's bodies, plus any body that
    has scores but is not in it (when there is no units table)."""
    columns = ["body_id", "body_label", "level", "group"]
    parts = [units[columns]] if units is not None and len(units) else []
    parts.append(assessments[columns])
    return pd.concat(parts, ignore_index=True).drop_duplicates("body_id").reset_index(drop=True)


def indicator_coverage(assessments: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: the share of body-years (council consensus) with a score."""
    rows = consensus(assessments, "council")
    body_years = rows[["body_id", "year", "round"]].drop_duplicates().shape[0]
    scored = rows.dropna(subset=["score_100"]).groupby("indicator").size()
    out = catalog[["indicator", "pillar", "name_vi", "name_en"]].copy()
    out["scored"] = out["indicator"].map(scored).fillna(0).astype(int)
    out["share_scored"] = out["scored"] / body_years if body_years else np.nan
    return out


# --------------------------------------------------------------------------- pilot timing

def wave_order(year, round_) -> np.ndarray:
    """A sortable number for a wave (year, round): ``year * 1000 + round``."""
    return np.asarray(year, dtype=float) * 1000 + np.asarray(round_, dtype=float)


def under_pilot(frame: pd.DataFrame) -> np.ndarray:
    """True for the rows of pilot bodies in waves under the pilot: (year, round) >= (pilot_start,
    pilot_start_round). ``pilot_start`` is the year of the body's first wave under the pilot (as R ``did``'s
    gname, Stata ``csdid`` and diff-diff's first_treat); ``pilot_start_round`` defaults to 1. Rows without a
    ``round`` column count as round 1."""
    pilot = frame["group"].astype(object).eq("pilot").to_numpy(bool)
    start_year = pd.to_numeric(frame["pilot_start"].astype(object), errors="coerce").to_numpy(float)
    start_round = (pd.to_numeric(frame["pilot_start_round"].astype(object), errors="coerce").fillna(1)
                   .to_numpy(float) if "pilot_start_round" in frame else np.ones(len(frame)))
    rounds = (pd.to_numeric(frame["round"].astype(object), errors="coerce").fillna(1).to_numpy(float)
              if "round" in frame else np.ones(len(frame)))
    wave = wave_order(pd.to_numeric(frame["year"].astype(object), errors="coerce").to_numpy(float), rounds)
    start = wave_order(np.nan_to_num(start_year, nan=np.inf), start_round)
    return pilot & (wave >= start)


def wave_label(year: int, round_: int, several_rounds: bool = True) -> str:
    """'2024' for a year's only round, '2024/2' for round 2."""
    return f"{int(year)}/{int(round_)}" if several_rounds else f"{int(year)}"


def pilot_timing(assessments: pd.DataFrame) -> pd.DataFrame:
    """Per pilot body: its first wave under the pilot, the waves it was assessed in before and under the pilot,
    and whether it can enter the comparison (it needs at least one wave before its start)."""
    columns = ["body_id", "body_label", "level", "pilot_start", "pilot_start_round", "waves_before", "waves_under",
               "usable"]
    rows = assessments[assessments["group"].astype(object).eq("pilot")]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    waves = assessments[["year", "round"]].drop_duplicates()
    several = waves.groupby("year")["round"].nunique().gt(1).to_dict()
    rows = rows.assign(under=under_pilot(rows))
    out = []
    for body, part in rows.groupby("body_id", sort=False):
        first = part.iloc[0]
        seen = part[["year", "round", "under"]].drop_duplicates().sort_values(["year", "round"])
        label = lambda r: wave_label(r.year, r.round, several.get(r.year, False))  # noqa: E731
        before = [label(r) for r in seen.itertuples() if not r.under]
        under = [label(r) for r in seen.itertuples() if r.under]
        out.append({"body_id": body, "body_label": first["body_label"], "level": first["level"],
                    "pilot_start": first["pilot_start"], "pilot_start_round": first["pilot_start_round"],
                    "waves_before": ", ".join(before), "waves_under": ", ".join(under), "usable": bool(before)})
    return pd.DataFrame(out, columns=columns).sort_values("body_label").reset_index(drop=True)


def waves(assessments: pd.DataFrame) -> pd.DataFrame:
    """The assessment waves in the data, in order: ``year, round, label`` ('2024' or '2024/2')."""
    found = assessments[["year", "round"]].dropna().drop_duplicates().astype(int).sort_values(["year", "round"])
    several = found.groupby("year")["round"].transform("nunique") > 1
    found["label"] = [wave_label(y, r, s) for y, r, s in zip(found["year"], found["round"], several)]
    return found.reset_index(drop=True)


def count_rows(quarantine: pd.DataFrame) -> int:
    """Number of distinct input rows in a quarantine table (a row may break several rules)."""
    return int(len(quarantine[["file", "sheet", "row"]].drop_duplicates())) if len(quarantine) else 0


def file_rows(summary: dict) -> pd.DataFrame:
    """Every input file and sheet from the ingest summary: ``status`` (the key ``ok``, ``skipped`` or ``error``),
    counts, and why, as ingest wrote it in both languages (``message_vi``, ``message_en``)."""
    columns = ["file", "sheet", "table", "status", "rows_read", "accepted", "quarantined", "duplicates",
               "message_vi", "message_en"]
    files = pd.DataFrame(summary.get("files", []))
    if files.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in COUNT_COLUMNS else object) for c in columns})
    for column in COUNT_COLUMNS:
        files[column] = pd.to_numeric(files[column], errors="coerce").fillna(0).astype(int)
    return files.reindex(columns=columns).reset_index(drop=True)


COUNT_COLUMNS = ("rows_read", "accepted", "quarantined", "duplicates")

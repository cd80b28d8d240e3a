"""Can the indicators and the self-scoring be trusted? Dataset-level tables built on ``stats.reliability``.

Every function takes the clean assessments table (``iso18091lab.load(...).assessments``) and returns a tidy
DataFrame whose ``attrs`` say the method. Subjects are **body-years** (a body assessed in two years counts
twice); uncertainty for the headline numbers comes from a cluster bootstrap that resamples *bodies*, so the
repeated years of one body are kept together.

Interpretation bands: ICC after Koo & Li (2016) — below 0.50 poor, 0.50–0.75 moderate, 0.75–0.90 good, above
0.90 excellent; kappa after Landis & Koch (1977) — below 0 poor, to 0.20 slight, to 0.40 fair, to 0.60
moderate, to 0.80 substantial, above almost perfect.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import indicator_order, indicator_sort_key
from . import reliability as rel
from .descriptive import consensus

LIGHTS = ["red", "yellow", "green"]
ICC_BANDS = [(0.5, "poor"), (0.75, "moderate"), (0.9, "good"), (np.inf, "excellent")]
KAPPA_BANDS = [(0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial"),
               (np.inf, "almost perfect")]
BAND_VI = {"poor": "kém", "moderate": "trung bình", "good": "tốt", "excellent": "rất tốt", "slight": "rất thấp",
           "fair": "thấp", "substantial": "khá cao", "almost perfect": "gần như hoàn toàn"}


def band(value: float, kind: str = "icc", lang: str = "en") -> str:
    """Koo & Li band for an ICC (``kind='icc'``) or Landis & Koch band for a kappa (``kind='kappa'``)."""
    if value is None or value != value:
        return "–"
    if kind == "icc":
        name = next(n for limit, n in ICC_BANDS if value < limit)
    else:
        name = "poor" if value < 0 else next(n for limit, n in KAPPA_BANDS[1:] if value <= limit)
    return BAND_VI.get(name, name) if lang == "vi" else name


def _target(frame: pd.DataFrame, columns: tuple[str, ...] = ("unit", "year", "round")) -> pd.Series:
    """One key per ICC target, e.g. a body-year-round ('quận Hồng Bàng|2023|1')."""
    return frame[list(columns)].astype(str).agg("|".join, axis=1)


def _icc_a1(long: pd.DataFrame, raters: str, ratings: str) -> dict:
    """ICC(A,1) with its CI for targets in ``long['target']`` (NaN when there is too little data)."""
    try:
        icc = rel.icc(long, "target", raters, ratings).loc["ICC2"]
    except ValueError:
        return {"icc_a1": np.nan, "icc_ci_low": np.nan, "icc_ci_high": np.nan}
    return {"icc_a1": icc["icc"], "icc_ci_low": icc["ci_low"], "icc_ci_high": icc["ci_high"]}


def _paired(assessments: pd.DataFrame) -> pd.DataFrame:
    """Self and council consensus side by side, one row per body, year and indicator."""
    rows = consensus(assessments).dropna(subset=["score_100"])
    wide = rows.pivot_table(index=["unit", "year", "round", "indicator", "pillar"], columns="rater",
                            values="score_100", aggfunc="first", observed=True)
    lights = rows.pivot_table(index=["unit", "year", "round", "indicator", "pillar"], columns="rater",
                              values="rating", aggfunc="first", observed=True)
    wide = wide.join(lights.add_suffix("_light")).reset_index()
    return wide.dropna(subset=[c for c in ("self", "council") if c in wide])


def internal_consistency(assessments: pd.DataFrame, rater: str = "council") -> pd.DataFrame:
    """Per pillar: Cronbach's alpha (Feldt CI) and McDonald's omega over body-years."""
    rows = consensus(assessments, rater).dropna(subset=["score_100"])
    out = []
    for pillar, part in rows.groupby("pillar", observed=True):
        wide = part.pivot_table(index=["unit", "year", "round"], columns="indicator", values="score_100",
                                observed=True)
        record = {"pillar": int(pillar), "k": wide.shape[1], "n_body_years": int(len(wide.dropna()))}
        try:
            alpha = rel.cronbach_alpha(wide)
            record.update(alpha=alpha.alpha, alpha_ci_low=alpha.ci_low, alpha_ci_high=alpha.ci_high)
        except ValueError:
            record.update(alpha=np.nan, alpha_ci_low=np.nan, alpha_ci_high=np.nan)
        try:
            record["omega"] = rel.mcdonald_omega(wide).omega
        except ValueError:
            record["omega"] = np.nan
        out.append(record)
    frame = pd.DataFrame(out)
    frame.attrs.update(method="Cronbach's alpha (Feldt 95% CI) and McDonald's omega (one-factor ML) per pillar; "
                              f"{rater} scores; subjects = body-years; listwise deletion")
    return frame


def item_review(assessments: pd.DataFrame, rater: str = "council") -> pd.DataFrame:
    """Per indicator: corrected item-rest correlation and alpha if deleted within its pillar, with the
    pillar's alpha, plus floor and ceiling shares."""
    rows = consensus(assessments, rater).dropna(subset=["score_100"])
    parts = []
    for pillar, part in rows.groupby("pillar", observed=True):
        wide = part.pivot_table(index=["unit", "year", "round"], columns="indicator", values="score_100",
                                observed=True)
        if wide.shape[1] < 3 or len(wide.dropna()) < 3:
            continue
        items = rel.item_analysis(wide).rename(columns={"item": "indicator"})
        items["pillar"] = int(pillar)
        items["pillar_alpha"] = items.attrs["alpha"]
        parts.append(items)
    review = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["indicator", "item_rest_r", "alpha_if_deleted", "pillar", "pillar_alpha"])
    fc = rel.floor_ceiling(rows)
    review = review.merge(fc, on="indicator", how="outer")
    review = review.sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    review.attrs.update(method="corrected item-rest correlation and alpha if deleted within the pillar "
                               "(listwise, body-years); floor/ceiling = share of scores at 0 or 100")
    return review


def self_council_agreement(assessments: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: ICC(A,1) of self vs council scores, linear weighted kappa of their traffic lights,
    and the mean self-inflation (self − council, points on 0–100)."""
    paired = _paired(assessments)
    out = []
    for indicator, part in paired.groupby("indicator", observed=True):
        record = {"indicator": indicator, "pillar": int(part["pillar"].iloc[0]), "n": len(part),
                  "mean_self_minus_council": float((part["self"] - part["council"]).mean())}
        long = part.melt(id_vars=["unit", "year", "round"], value_vars=["self", "council"], var_name="rater",
                         value_name="score")
        record.update(_icc_a1(long.assign(target=_target(long)), "rater", "score"))
        lights = part.dropna(subset=["self_light", "council_light"])
        if len(lights) >= 2:
            kappa = rel.weighted_kappa(lights["self_light"].astype(str), lights["council_light"].astype(str),
                                       LIGHTS, weights="linear")
            record.update(kappa_w=kappa.kappa, kappa_ci_low=kappa.ci_low, kappa_ci_high=kappa.ci_high)
        out.append(record)
    frame = pd.DataFrame(out)
    frame = frame.sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    frame.attrs.update(method="ICC(A,1) two-way random absolute agreement (McGraw-Wong CI) of self vs council "
                              "scores over body-years; linear weighted kappa on red < yellow < green")
    return frame


def pillar_agreement(assessments: pd.DataFrame, n_resamples: int = 500, seed: int = 2024) -> pd.DataFrame:
    """Per pillar and overall: ICC(A,1) of self vs council pillar scores, mean inflation with a cluster
    bootstrap CI (resampling bodies)."""
    from .descriptive import overall_scores, pillar_scores

    frames = []
    for rater in ("self", "council"):
        pillars = pillar_scores(assessments, rater)[["unit", "year", "round", "pillar", "score"]]
        overall = overall_scores(assessments, rater)[["unit", "year", "round", "score"]].assign(pillar=0)
        frames.append(pd.concat([pillars, overall]).assign(rater=rater))
    scores = pd.concat(frames, ignore_index=True)
    scores["target"] = _target(scores)
    out = []
    for pillar, part in scores.groupby("pillar"):
        wide = part.pivot_table(index=["unit", "target"], columns="rater", values="score").dropna().reset_index()
        record = {"pillar": int(pillar), "n_body_years": len(wide), "n_bodies": wide["unit"].nunique()}
        if len(wide) >= 3:
            record.update(_icc_a1(part[part["target"].isin(wide["target"])], "rater", "score"))
            boot = rel.cluster_bootstrap_mean(wide["self"] - wide["council"], wide["unit"],
                                              n_resamples=n_resamples, seed=seed)
            record.update(inflation=boot["estimate"], inflation_ci_low=boot["ci_low"],
                          inflation_ci_high=boot["ci_high"])
        out.append(record)
    frame = pd.DataFrame(out)
    frame.attrs.update(method="ICC(A,1) of self vs council pillar scores (pillar 0 = overall); inflation = mean "
                              f"self − council with a {n_resamples}-resample cluster bootstrap over bodies")
    return frame


def council_interrater(assessments: pd.DataFrame) -> pd.DataFrame:
    """Agreement among individual council members, where their own scores exist: ICC (single member and
    mean of members) and Krippendorff's interval alpha over (body, year, indicator) targets, and Fleiss'
    kappa on traffic lights for targets rated by the same number of members."""
    members = assessments[assessments["rater_id"].notna() & (assessments["rater"] == "council")]
    members = members.dropna(subset=["score_100"])
    if members.empty:
        return pd.DataFrame(columns=["measure", "value", "ci_low", "ci_high", "n_targets", "n_raters"])
    members = members.assign(target=_target(members, ("unit", "year", "indicator")))
    out = []
    icc = rel.icc(members, "target", "rater_id", "score_100")
    for form, label in (("ICC2", "ICC(A,1) single member"), ("ICC2k", "ICC(A,k) mean of members")):
        out.append({"measure": label, "value": icc.loc[form, "icc"], "ci_low": icc.loc[form, "ci_low"],
                    "ci_high": icc.loc[form, "ci_high"], "n_targets": icc.attrs["n"], "n_raters": icc.attrs["k"]})
    wide = members.pivot_table(index="rater_id", columns="target", values="score_100")
    out.append({"measure": "Krippendorff alpha (interval)", "value": rel.krippendorff_alpha(wide, "interval"),
                "ci_low": np.nan, "ci_high": np.nan, "n_targets": wide.shape[1], "n_raters": wide.shape[0]})
    lights = members.dropna(subset=["rating"]).pivot_table(index="target", columns="rating", values="score_100",
                                                           aggfunc="size", observed=False).reindex(columns=LIGHTS)
    lights = lights.fillna(0)
    totals = lights.sum(axis=1)
    common = totals.mode().iloc[0] if len(totals) else 0
    lights = lights[totals == common]
    if len(lights) >= 2 and common >= 2 and (lights.sum(axis=0) > 0).sum() >= 2:
        out.append({"measure": "Fleiss kappa (traffic lights)", "value": rel.fleiss_kappa(lights.to_numpy()).kappa,
                    "ci_low": np.nan, "ci_high": np.nan, "n_targets": len(lights), "n_raters": int(common)})
    frame = pd.DataFrame(out)
    frame.attrs.update(method="targets = body × year × indicator; raters = council members; ICC complete targets "
                              "only; Krippendorff alpha uses every pairable score")
    return frame


def flag_indicators(items: pd.DataFrame, agreement: pd.DataFrame, icc_threshold: float = 0.5,
                    item_rest_threshold: float = 0.3, floor_ceiling_threshold: float = 0.15) -> pd.DataFrame:
    """Indicators to review, with every reason that applies: poor self–council agreement (ICC below 0.5),
    weak item-rest correlation, alpha rising when dropped, many scores at the floor or ceiling."""
    table = items.merge(agreement[["indicator", "icc_a1", "kappa_w", "mean_self_minus_council"]]
                        if "kappa_w" in agreement else agreement[["indicator", "icc_a1", "mean_self_minus_council"]],
                        on="indicator", how="outer")
    reasons = []
    for row in table.itertuples():
        why = []
        if row.icc_a1 == row.icc_a1 and row.icc_a1 < icc_threshold:
            why.append("low_agreement")
        if row.item_rest_r == row.item_rest_r and row.item_rest_r < item_rest_threshold:
            why.append("weak_item_rest")
        if row.alpha_if_deleted == row.alpha_if_deleted and row.alpha_if_deleted > row.pillar_alpha:
            why.append("alpha_rises_if_dropped")
        if (row.floor_share == row.floor_share and row.floor_share > floor_ceiling_threshold) or \
                (row.ceiling_share == row.ceiling_share and row.ceiling_share > floor_ceiling_threshold):
            why.append("floor_or_ceiling")
        reasons.append(", ".join(why))
    table["reasons"] = reasons
    flagged = table[table["reasons"] != ""].sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    flagged.attrs.update(method=f"flags: ICC(A,1) < {icc_threshold}; item-rest r < {item_rest_threshold}; alpha if "
                                f"deleted > pillar alpha; floor or ceiling share > {floor_ceiling_threshold:.0%}")
    return flagged


def flags_by_province(assessments: pd.DataFrame) -> pd.DataFrame:
    """:func:`flag_indicators` for each province: one row per flagged indicator and province."""
    rows = []
    for province, part in assessments.groupby("province", observed=True):
        flags = flag_indicators(item_review(part), self_council_agreement(part))
        rows += [{"indicator": i, "province": province, "reasons": r} for i, r in zip(flags["indicator"], flags["reasons"])]
    return pd.DataFrame(rows, columns=["indicator", "province", "reasons"])


def flagged_everywhere(flags: pd.DataFrame, provinces: list[str]) -> list[str]:
    """Indicators flagged in every one of ``provinces``, in catalog order."""
    if not provinces:
        return []
    common = set.intersection(*[set(flags.loc[flags["province"] == p, "indicator"]) for p in provinces])
    return indicator_order(common)


def summary_by_province(assessments: pd.DataFrame, n_resamples: int = 200, seed: int | None = None) -> pd.DataFrame:
    """Key reliability measures per province and pooled over all of them (last row, ``province='pooled'``):
    lowest pillar alpha, overall self–council ICC(A,1), mean self-inflation, indicators flagged."""
    provinces = sorted(assessments["province"].dropna().unique())
    rows = []
    for name in provinces + ["pooled"]:
        part = assessments if name == "pooled" else assessments[assessments["province"] == name]
        overall = pillar_agreement(part, n_resamples=n_resamples, seed=seed).set_index("pillar").loc[0]
        flags = flag_indicators(item_review(part), self_council_agreement(part))
        rows.append({"province": name, "alpha_min": internal_consistency(part)["alpha"].min(),
                     "icc_a1": overall["icc_a1"], "inflation": overall["inflation"],
                     "flagged": ", ".join(flags["indicator"])})
    return pd.DataFrame(rows)

"""The indicators as items of their pillar's scale: per pillar, Cronbach's alpha and McDonald's omega; per
indicator, item-rest correlation, alpha if dropped (with a bootstrap interval of the gain, resampling bodies)
and the shares of scores at the floor and the ceiling.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from iso18091lab.catalog import indicator_sort_key
from iso18091lab.stats import NotEstimable, _level, method_part, method_token, scales
from iso18091lab.stats.inputs import _check_confidence
from iso18091lab.stats.review.assessments import _check, _consensus, _need, _wave_body
from iso18091lab.stats.review.assessments import _example  # noqa: F401 (the docstrings' Examples)
from iso18091lab.stats.review.resampling import _percentiles, _resample_counts


def _wide(rows: pd.DataFrame, pillar) -> pd.DataFrame:
    """Body-waves x the pillar's indicators from consensus rows (:func:`_consensus`)."""
    rows = rows[rows["pillar"] == pillar]
    return rows.pivot(index="wave", columns="indicator", values="score_100")


def internal_consistency(assessments: pd.DataFrame, rater: str = "council", omega: bool = True) -> pd.DataFrame:
    """Per pillar: Cronbach's alpha (Feldt 95 % CI) and McDonald's omega over body-waves (listwise deletion).

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table.
    rater : str
        ``"council"`` or ``"self"``: whose consensus scores.
    omega : bool
        False leaves omega empty (its one-factor fit is most of the cost).

    Returns
    -------
    DataFrame
        ``pillar, k, n_body_years, n_bodies, alpha, alpha_ci_low, alpha_ci_high, omega, method``
        (``method``: ``pillar_alpha_omega`` with whose scores).

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika 16(3), 297-334. Feldt, L. S. (1965). Psychometrika 30(3), 357-370.
    McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum.

    Examples
    --------
    >>> out = internal_consistency(_example(n_bodies=8))
    >>> list(out["pillar"]), bool((out["alpha"] > 0.5).all()), out.loc[0, "method"].split()[0]
    ([1, 2], True, 'pillar_alpha_omega')
    """
    a = _check(assessments, "internal_consistency")
    rows = _consensus(a, rater)
    _need(rows, "no_council" if rater == "council" else "no_self", "internal_consistency")
    out = []
    wave_body = _wave_body(a)
    for pillar in sorted(rows["pillar"].dropna().unique()):
        wide = _wide(rows, pillar)
        complete = wide.dropna()
        record = {"pillar": int(pillar), "k": wide.shape[1], "n_body_years": len(complete),
                  "n_bodies": int(complete.index.map(wave_body).nunique()),
                  "alpha": np.nan, "alpha_ci_low": np.nan, "alpha_ci_high": np.nan, "omega": np.nan}
        try:
            alpha = scales.cronbach_alpha(wide)
            record.update(alpha=alpha.alpha, alpha_ci_low=alpha.ci_low, alpha_ci_high=alpha.ci_high)
            if omega:
                record["omega"] = scales.mcdonald_omega(wide).omega
        except ValueError:
            pass
        out.append(record)
    frame = pd.DataFrame(out)
    if frame["alpha"].isna().all():
        raise NotEstimable("no_complete_pillar", "internal_consistency: no pillar has enough complete body-waves",
                           min=2)
    frame["method"] = method_token("pillar_alpha_omega", level=95, scores=method_part(f"scores_{rater}"))
    return frame


def _alpha_from_cov(cov: np.ndarray) -> np.ndarray:
    """Alpha from covariance matrices (..., k, k); NaN where the total variance is 0 (every body the same, e.g.
    a bootstrap replicate of one body), where alpha is undefined."""
    k = cov.shape[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return k / (k - 1) * (1 - np.trace(cov, axis1=-2, axis2=-1) / cov.sum(axis=(-2, -1)))


def item_review(assessments: pd.DataFrame, rater: str = "council", n_resamples: int = 1000, seed=None,
                confidence: float = 0.95) -> pd.DataFrame:
    """Per indicator within its pillar (``rater`` consensus scores, body-waves, listwise deletion):
    item-rest correlation with a Fisher-z CI; alpha if the indicator is dropped and the gain over the pillar's
    alpha with a bootstrap CI (resampling bodies, vectorised through the resampled covariance matrices); shares
    of scores at 0 and 100 with Wilson lower bounds.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table.
    rater : str
        ``"council"`` or ``"self"``.
    n_resamples : int
        Bootstrap resamples of bodies.
    seed : int, optional
        Seed of the resampling.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        One row per indicator: ``indicator, pillar, n_body_years, item_rest_r, item_rest_ci_low,
        item_rest_ci_high, pillar_alpha, alpha_if_deleted, alpha_gain, alpha_gain_ci_low, alpha_gain_ci_high,
        floor_share, floor_ci_low, ceiling_share, ceiling_ci_low, method`` (``item_rest_review``).

    References
    ----------
    Fisher, R. A. (1921). Metron 1, 3-32 (z transform). Wilson, E. B. (1927). JASA 22(158), 209-212.
    Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    Examples
    --------
    >>> out = item_review(_example(n_bodies=8), n_resamples=50, seed=1)
    >>> len(out), bool(out["item_rest_r"].notna().all()), out.loc[0, "method"].split()[0]
    (6, True, 'item_rest_review')
    """
    _check_confidence(confidence)
    a = _check(assessments, "item_review")
    rows_all = _consensus(a, rater)
    _need(rows_all, "no_council" if rater == "council" else "no_self", "item_review")
    z = sps.norm.ppf((1 + confidence) / 2)
    parts = []
    wave_body = _wave_body(a)
    for j, pillar in enumerate(sorted(rows_all["pillar"].dropna().unique())):
        wide = _wide(rows_all, pillar).dropna()
        items = list(wide.columns)
        base = {"pillar": int(pillar), "n_body_years": len(wide)}
        if len(items) < 3 or len(wide) < 4:
            parts += [{"indicator": i, **base} for i in items]
            continue
        x = wide.to_numpy(float)
        n, k = x.shape
        total = x.sum(axis=1)
        alpha = float(_alpha_from_cov(np.cov(x, rowvar=False)))
        body_codes, bodies = pd.factorize(pd.Series(wide.index.map(wave_body)))
        counts = _resample_counts(len(bodies), n_resamples, None if seed is None else [seed, j])[:, body_codes]
        w = counts / counts.sum(axis=1, keepdims=True)
        mean = w @ x
        second = (w @ (x[:, :, None] * x[:, None, :]).reshape(n, k * k)).reshape(-1, k, k)  # one BLAS product
        cov = second - mean[:, :, None] * mean[:, None, :]
        alpha_reps = _alpha_from_cov(cov)
        for c, indicator in enumerate(items):
            rest = total - x[:, c]
            r = np.corrcoef(x[:, c], rest)[0, 1] if x[:, c].std() > 0 and rest.std() > 0 else np.nan
            se = 1 / np.sqrt(n - 3)
            keep = [i for i in range(k) if i != c]
            without = float(_alpha_from_cov(np.cov(x[:, keep], rowvar=False)))
            with np.errstate(invalid="ignore"):  # a replicate with no alpha on either side (-inf - -inf): NaN,
                gain_reps = _alpha_from_cov(cov[:, keep][:, :, keep]) - alpha_reps  # which _percentiles leaves out
            lo, hi = _percentiles(gain_reps[:, None], confidence)
            parts.append({"indicator": indicator, **base, "item_rest_r": r,
                          "item_rest_ci_low": np.tanh(np.arctanh(r) - z * se) if r == r and abs(r) < 1 else np.nan,
                          "item_rest_ci_high": np.tanh(np.arctanh(r) + z * se) if r == r and abs(r) < 1 else np.nan,
                          "pillar_alpha": alpha, "alpha_if_deleted": without, "alpha_gain": without - alpha,
                          "alpha_gain_ci_low": float(lo[0]), "alpha_gain_ci_high": float(hi[0])})
    review = pd.DataFrame(parts)
    for column in ("item_rest_r", "item_rest_ci_low", "item_rest_ci_high", "pillar_alpha", "alpha_if_deleted",
                   "alpha_gain", "alpha_gain_ci_low", "alpha_gain_ci_high"):
        if column not in review:
            review[column] = np.nan
    fc = scales.floor_ceiling(rows_all[["indicator", "score_100"]])
    n_fc = fc["n"].to_numpy(float)
    for side in ("floor", "ceiling"):
        share = fc[f"{side}_share"].to_numpy(float)
        centre = (share + z ** 2 / (2 * n_fc)) / (1 + z ** 2 / n_fc)
        half = z * np.sqrt(share * (1 - share) / n_fc + z ** 2 / (4 * n_fc ** 2)) / (1 + z ** 2 / n_fc)
        fc[f"{side}_ci_low"] = centre - half
    fc = fc.drop(columns=["n", "method"])
    review = review.merge(fc, on="indicator", how="outer") if len(review) else fc
    review = review.sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    review["method"] = method_token("item_rest_review", level=_level(confidence), resamples=int(n_resamples))
    return review

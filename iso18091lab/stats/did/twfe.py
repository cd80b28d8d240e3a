"""Two-way fixed effects (body + province × wave) with SE clustered by body: a labelled secondary estimate
(:func:`did_within_province`), and the under-pilot indicator (:func:`treated`)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from iso18091lab.stats import NotEstimable, method_token
from iso18091lab.stats.did.fixed_effects import _fit_masked
from iso18091lab.stats.did.panel import _prepare
from iso18091lab.stats.did.result import EffectResult
from iso18091lab.stats.verdict import MIN_PILOTS_PER_START


def treated(panel: pd.DataFrame) -> np.ndarray:
    """1 for pilot body-waves under the pilot (:func:`descriptive.under_pilot`), else 0."""
    from iso18091lab.stats.descriptive import under_pilot

    if not isinstance(panel, pd.DataFrame):
        raise ValueError("panel must be a pandas DataFrame")
    missing = {"group", "pilot_start", "year"} - set(panel.columns)
    if missing:
        raise ValueError(f"panel lacks the column(s) {sorted(missing)}")
    return under_pilot(panel).astype(float)


def did_within_province(panel: pd.DataFrame, outcome: str = "score", confidence: float = 0.95) -> EffectResult:
    """Two-way fixed effects: outcome on the under-pilot indicator with body FE and province × wave FE; SE
    clustered by body (CR1 counting only the FE not nested in the body clusters, t with G − 1 df). A
    variance-weighted average of effects — not the ATT when starts are staggered or effects change over time;
    shown as a labelled secondary estimate. Its cluster-robust SE is not trustworthy with few treated clusters
    (one pilot gives SE 0): with fewer than :data:`MIN_PILOTS_PER_START` pilot bodies under the pilot it raises
    :class:`NotEstimable` (``too_few``)."""
    prepared = _prepare(panel, outcome)
    n_treated_bodies = sum(int(b.treated.any(axis=1).sum()) for b in prepared.blocks)
    if n_treated_bodies < MIN_PILOTS_PER_START:
        raise NotEstimable("too_few_twfe", "the two-way FE clustered SE needs more pilot bodies under the pilot",
                           n=n_treated_bodies, min=MIN_PILOTS_PER_START)
    num = den = 0.0
    parts = []
    n_fe = 0
    for block in prepared.blocks:
        d = block.treated.astype(float)
        ay, ly, *_ = _fit_masked(block.y, block.obs)
        ad, ld, *_ = _fit_masked(d, block.obs)
        y_t = np.where(block.obs, block.y - ay[:, None] - ly[None, :], 0.0)
        d_t = np.where(block.obs, d - ad[:, None] - ld[None, :], 0.0)
        num += (d_t * y_t).sum()
        den += (d_t * d_t).sum()
        parts.append((y_t, d_t, block.obs))
        n_fe += int(block.obs.any(axis=0).sum()) - 1
    if den < 1e-12:
        raise NotEstimable("no_variation_twfe", "no variation in the pilot indicator after the fixed effects")
    beta = num / den
    scores = np.concatenate([((d_t * (y_t - beta * d_t)) * obs).sum(axis=1) for y_t, d_t, obs in parts])
    g = len(scores)
    n_obs = int(sum(obs.sum() for _, _, obs in parts))
    n_par = n_fe + 1
    correction = g / (g - 1) * (n_obs - 1) / max(n_obs - n_par, 1)
    se = float(math.sqrt(correction * (scores ** 2).sum()) / den)
    t = stats.t.ppf((1 + confidence) / 2, g - 1)
    p = float(2 * stats.t.sf(abs(beta / se), g - 1)) if se > 0 else float("nan")
    return EffectResult(float(beta), float(beta - t * se), float(beta + t * se), p,
                        method_token("twfe"),
                        prepared.n_pilot, prepared.n_comparison, se=se,
                        effect_size=float(beta / prepared.baseline_sd), confidence=confidence,
                        details={"n_obs": n_obs, "n_clusters": g, "excluded": prepared.excluded})

"""Pilot bodies before and under the pilot, without a comparison group: rank tests and the mean change
(:func:`pre_post`; the tests themselves are in :mod:`iso18091lab.stats.rank`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.stats import NotEstimable, method_token
from iso18091lab.stats.did.panel import _prepare
from iso18091lab.stats.rank import bootstrap_mean_change, hodges_lehmann, wilcoxon_signed_rank


def pre_post(panel: pd.DataFrame, outcome: str = "score", seed: int | None = None,
             n_resamples: int = 9999) -> pd.DataFrame:
    """Per pilot body: its last wave before its start against the mean of its waves under the pilot; Wilcoxon
    signed-rank test and Hodges–Lehmann estimate (as R ``wilcox.test``) and the mean change (BCa bootstrap).
    Without a comparison group this cannot separate the pilot from common trends: shown beside the ATT."""
    prepared = _prepare(panel, outcome, require_comparison=False)
    before, after = [], []
    for block in prepared.blocks + []:
        widx = block.pos
        for i in np.flatnonzero(block.pilot):
            pre = np.flatnonzero(block.obs[i] & (widx < block.start[i]))
            post = np.flatnonzero(block.obs[i] & (widx >= block.start[i]))
            if len(pre) and len(post):
                before.append(block.y[i, pre[-1]])
                after.append(block.y[i, post].mean())
    if len(before) < 3:
        raise NotEstimable("too_few_prepost", "pre/post needs at least 3 pilot bodies with waves before and under the pilot",
                           n=len(before), min=3)
    after, before = np.asarray(after), np.asarray(before)
    w = wilcoxon_signed_rank(after, before)
    try:
        hl = hodges_lehmann(after, before)
        hl_row = {"method": hl.method, "estimate": hl.estimate, "ci_low": hl.ci_low, "ci_high": hl.ci_high,
                  "p_value": np.nan, "n": hl.n}
    except NotEstimable:
        hl_row = {"method": method_token("hl_too_few"), "estimate": np.nan,
                  "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "n": w.n}
    mean = bootstrap_mean_change(after, before, seed=seed, n_resamples=n_resamples)
    return pd.DataFrame([
        {"method": w.method, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": w.p_value, "n": w.n},
        hl_row,
        {"method": mean.method, "estimate": mean.estimate, "ci_low": mean.ci_low, "ci_high": mean.ci_high,
         "p_value": np.nan, "n": mean.n_pilot}])

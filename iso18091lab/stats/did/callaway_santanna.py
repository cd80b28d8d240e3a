"""Callaway & Sant'Anna (2021) ATT with not-yet-treated controls: a point estimate that cross-checks the
headline (:func:`callaway_santanna`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.stats import NotEstimable, method_token
from iso18091lab.stats.did.panel import _prepare
from iso18091lab.stats.did.result import EffectResult


def callaway_santanna(panel: pd.DataFrame, outcome: str = "score") -> EffectResult:
    """Callaway & Sant'Anna (2021) ATT with not-yet-treated controls: a cross-check of the headline.

    Controls are the comparison bodies and the pilots not yet under the pilot; the base wave is the wave before
    each start cohort's first wave, within province; the overall ATT averages ATT(g, t) over post-start cells
    weighted by cohort size ("simple" aggregation). Bodies enter a cell when observed in both its waves. Point
    estimate only (``se``, ``ci_low``, ``ci_high`` are NaN). Checked against diff-diff's
    ``CallawaySantAnna(control_group="not_yet_treated")`` to 1e-8 (``tests/stats/test_did.py``).

    Parameters
    ----------
    panel : pandas.DataFrame
        Tidy panel, one row per body and wave (see the module docstring).
    outcome : str
        The outcome column.

    Returns
    -------
    EffectResult
        The overall ATT, with the numbers of pilot and comparison bodies.

    References
    ----------
    Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time periods. Journal of
    Econometrics 225(2), 200–230.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("A", b, y, g, 2024 if g == "pilot" else None, s)
    ...         for b, g, base in [("p1", "pilot", 50), ("p2", "pilot", 60), ("c1", "comparison", 52),
    ...                            ("c2", "comparison", 58)]
    ...         for y, s in [(2023, base), (2024, base + (8 if g == "pilot" else 1))]]
    >>> panel = pd.DataFrame(rows, columns=["province", "body_id", "year", "group", "pilot_start", "score"])
    >>> round(callaway_santanna(panel).estimate, 6)
    7.0
    """
    prepared = _prepare(panel, outcome)
    num = den = 0.0
    for block in prepared.blocks:
        n_t = len(block.waves)
        for g in np.unique(block.start[block.pilot]):
            if g <= 0 or g >= n_t:
                continue
            cohort = block.pilot & (block.start == g)
            size = int(cohort.sum())
            for t in range(g, n_t):
                both = block.obs[:, t] & block.obs[:, g - 1]
                treated = cohort & both
                control = (~block.pilot | (block.start > t)) & both
                if not treated.any() or not control.any():
                    continue
                change = block.y[:, t] - block.y[:, g - 1]
                att_gt = change[treated].mean() - change[control].mean()
                num += size * att_gt
                den += size
    if den == 0:
        raise NotEstimable("no_post_wave", "no cohort has a post-start wave with not-yet-treated controls")
    est = num / den
    return EffectResult(float(est), float("nan"), float("nan"), float("nan"), method_token("callaway_santanna"),
                        prepared.n_pilot, prepared.n_comparison, effect_size=float(est / prepared.baseline_sd))

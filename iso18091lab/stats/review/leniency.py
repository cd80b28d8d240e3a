"""Do bodies score themselves leniently? Self − council in points on 0–100 with a CR1 cluster-robust CI: overall,
by pillar and by indicator (clustered by body, t(bodies − 1)), and per body (clustered by indicator).

A constant self-inflation is a question of its own, never read as unreliable indicators (it does not enter the
consistency measures of :mod:`iso18091lab.stats.review.rater_consistency`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from iso18091lab.catalog import indicator_order
from iso18091lab.stats import _level, cluster_robust, method_token
from iso18091lab.stats.inputs import _check_confidence
from iso18091lab.stats.review.assessments import MIN_BODIES, _check, _enough_bodies, _paired
from iso18091lab.stats.review.assessments import _example  # noqa: F401 (the docstrings' Examples)


def self_inflation(assessments: pd.DataFrame, n_resamples: int | None = None, seed=None,
                   confidence: float = 0.95) -> pd.DataFrame:
    """Self − council in points (0–100): ``scope`` (``overall``, ``pillar N``, indicator id), ``estimate``,
    ``se``, ``ci_low``, ``ci_high``, ``df``, ``n_bodies``, ``n_pairs``, ``not_estimable``.

    The estimate is the mean difference over the body-wave-indicator cells scored by both. The sampling unit
    is the body (the question is about bodies scoring themselves; a body's waves and indicators share its
    staff and habits), so the CI is the CR1 cluster-robust interval clustered by body with t(G − 1), G = bodies
    in the scope (:func:`stats.cluster_robust.cr1_means`; as statsmodels OLS ``cov_type="cluster"``). It keeps
    its 95 % coverage from 3 bodies (calibration in ``docs/methods.md``); the percentile bootstrap over bodies
    used before covered 78 % with 3 bodies. A scope with fewer than :data:`MIN_BODIES` bodies gets no interval
    (``not_estimable`` = ``too_few_bodies``); with fewer than that overall, :class:`NotEstimable` is raised.
    ``n_resamples`` and ``seed`` are accepted for the callers' signature and ignored (nothing is resampled).

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table.
    n_resamples, seed
        Ignored (kept for the callers' signature).
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        One row per scope with the columns above and ``method`` (``inflation_cr1_body`` with the level and
        :data:`MIN_BODIES`).

    References
    ----------
    Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference. Journal of Human
    Resources 50(2), 317-372.

    Examples
    --------
    >>> out = self_inflation(_example(n_bodies=8))
    >>> out.loc[0, "scope"], int(out.loc[0, "n_bodies"]), bool(out.loc[0, "ci_low"] > 0), out.loc[0, "method"].split()[0]
    ('overall', 8, True, 'inflation_cr1_body')
    """
    _check_confidence(confidence)
    if n_resamples is not None and (not isinstance(n_resamples, (int, np.integer)) or n_resamples < 1):
        raise ValueError(f"n_resamples must be a positive whole number, not {n_resamples!r}")
    paired = _paired(_check(assessments, "self_inflation"))
    body_codes, bodies = pd.factorize(paired["body_id"])
    _enough_bodies(len(bodies), "self_inflation")
    scopes = [("overall", np.ones(len(paired), bool))]
    for pillar in sorted(paired["pillar"].dropna().unique()):
        scopes.append((f"pillar {int(pillar)}", (paired["pillar"] == pillar).to_numpy()))
    for indicator in indicator_order(paired["indicator"].unique()):
        scopes.append((indicator, (paired["indicator"] == indicator).to_numpy()))
    diff = paired["diff"].to_numpy(float)
    g = len(bodies)
    sums = np.column_stack([np.bincount(body_codes[m], weights=diff[m], minlength=g) for _, m in scopes])
    sizes = np.column_stack([np.bincount(body_codes[m], minlength=g) for _, m in scopes]).astype(float)
    cr1 = cluster_robust.cr1_means(sums, sizes, confidence)
    few = cr1["n_clusters"] < MIN_BODIES
    for key in ("se", "ci_low", "ci_high", "df"):
        cr1[key] = np.where(few, np.nan, cr1[key])
    out = pd.DataFrame({"scope": [name for name, _ in scopes], "estimate": cr1["estimate"], "se": cr1["se"],
                        "ci_low": cr1["ci_low"], "ci_high": cr1["ci_high"], "df": cr1["df"],
                        "n_bodies": cr1["n_clusters"], "n_pairs": cr1["n"],
                        "not_estimable": np.where(few, "too_few_bodies", ""),
                        "method": method_token("inflation_cr1_body", level=_level(confidence),
                                               min_bodies=MIN_BODIES)})
    return out


def self_inflation_by_body(assessments: pd.DataFrame, n_resamples: int | None = None, seed=None,
                           confidence: float = 0.95) -> pd.DataFrame:
    """Per body: mean self − council over its scored indicators and waves, most lenient bodies first.
    Columns ``body_id, body_label, estimate, ci_low, ci_high, n_indicators, n_pairs``.

    What a per-body row means: the body is fixed, and the question is whether *this* body scores itself above
    the council beyond the scatter of its own indicator-level differences. Its sampling units are therefore its
    indicators (the self and council scoring of each indicator is one replicate; the waves of one indicator
    share the indicator's evidence and are kept together as one cluster), and the CI is the same CR1 interval
    as for the scopes of :func:`self_inflation`, clustered by indicator with t(indicators − 1). It needs at
    least :data:`MIN_BODIES` indicators (the minimum number of clusters of every CR1 interval here) and says
    nothing about the body's leniency in another year or before another council. ``n_resamples`` and ``seed``
    are ignored.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table (``body_label`` used when present).
    n_resamples, seed
        Ignored.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        The columns above and ``method`` (``inflation_cr1_indicator``).

    References
    ----------
    As :func:`self_inflation` (Cameron & Miller 2015), with the indicators of one body as its clusters.

    Examples
    --------
    >>> out = self_inflation_by_body(_example(n_bodies=4))
    >>> len(out), out["n_indicators"].unique().tolist(), out.loc[0, "method"].split()[0]
    (4, [6], 'inflation_cr1_indicator')
    """
    _check_confidence(confidence)
    a = _check(assessments, "self_inflation_by_body")
    paired = _paired(a)
    labels = a.drop_duplicates("body_id").set_index("body_id")["body_label"] if "body_label" in a else None
    rows = []
    for body, part in paired.groupby("body_id", sort=True):
        record = {"body_id": body, "body_label": labels.get(body, body) if labels is not None else body,
                  "estimate": float(part["diff"].mean()), "ci_low": np.nan, "ci_high": np.nan,
                  "n_indicators": int(part["indicator"].nunique()), "n_pairs": len(part)}
        if record["n_indicators"] >= MIN_BODIES:
            ci = cluster_robust.cluster_robust_mean(part["diff"].to_numpy(float),
                                                    part["indicator"].astype(str).to_numpy(), confidence)
            record.update(ci_low=ci["ci_low"], ci_high=ci["ci_high"])
        rows.append(record)
    out = pd.DataFrame(rows).sort_values(["estimate", "body_id"], ascending=[False, True]).reset_index(drop=True)
    out["method"] = method_token("inflation_cr1_indicator", level=_level(confidence), min_indicators=MIN_BODIES)
    return out

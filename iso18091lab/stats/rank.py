"""Rank tests and the mean change of paired differences, as R reports them.

:func:`wilcoxon_signed_rank` and :func:`hodges_lehmann` compute what R ``wilcox.test(paired = TRUE)`` reports (the
exact distribution without ties or zero differences, otherwise the normal approximation with the tie-corrected
variance and the continuity correction); :func:`bootstrap_mean_change` the mean change with a BCa bootstrap CI.
Each result carries its method token (:func:`iso18091lab.stats.method_token`). The pilot bodies' before/after
comparison that uses them is :func:`iso18091lab.stats.did.pre_post.pre_post`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from iso18091lab.stats import NotEstimable, method_part, method_token
from iso18091lab.stats.did.result import EffectResult


def _as_differences(x, y=None) -> np.ndarray:
    try:
        d = np.asarray(x, dtype=float) - (0.0 if y is None else np.asarray(y, dtype=float))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"differences must be numbers: {exc}") from None
    if d.ndim != 1:
        raise ValueError("x (and y) must be one-dimensional and of the same length")
    return d[~np.isnan(d)]


@dataclass
class WilcoxonResult:
    statistic: float  # V: sum of the ranks of the positive differences (as R's wilcox.test)
    p_value: float
    n: int  # non-zero differences used
    n_zeros: int
    method: str


def _signrank_counts(n: int) -> np.ndarray:
    """Number of sign patterns giving V = 0..n(n+1)/2 for n untied non-zero differences."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1
    for i in range(1, n + 1):
        shifted = np.zeros_like(counts)
        shifted[i:] = counts[:-i]
        counts = counts + shifted
    return counts


def _signrank_cdf(n: int) -> np.ndarray:
    """P(V <= v), v = 0..n(n+1)/2 (R ``psignrank``)."""
    return np.cumsum(_signrank_counts(n)) / 2 ** n


def _tie_sigma(abs_d: np.ndarray) -> float:
    n = len(abs_d)
    _, ties = np.unique(stats.rankdata(abs_d), return_counts=True)
    return math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - (ties ** 3 - ties).sum() / 48)


def wilcoxon_signed_rank(x, y=None, correct: bool = True, exact: bool | None = None) -> WilcoxonResult:
    """Two-sided paired Wilcoxon signed-rank test of ``x - y`` (or ``x``) against 0, as R
    ``wilcox.test(x, y, paired = TRUE)`` computes it: zero differences are dropped; the exact distribution when
    n < 50 and there are neither ties nor zeros; otherwise the normal approximation with the tie-corrected
    variance and (``correct=True``, R's default) the continuity correction. ``method`` says which was used."""
    d = _as_differences(x, y)
    n_zeros = int((d == 0).sum())
    d = d[d != 0]
    n = len(d)
    if n == 0:
        raise NotEstimable("too_few_differences", "every difference is zero or missing", n=0, min=1)
    ranks = stats.rankdata(np.abs(d))
    v = float(ranks[d > 0].sum())
    ties = len(np.unique(ranks)) < n
    if exact is None:
        exact = n < 50
    if exact and not ties and not n_zeros:
        cdf = _signrank_cdf(n)
        if v > n * (n + 1) / 4:
            p = 1 - cdf[int(v) - 1]
        else:
            p = cdf[int(v)]
        return WilcoxonResult(v, float(min(1.0, 2 * p)), n, 0, method_token("wilcoxon_exact"))
    z = v - n * (n + 1) / 4
    sigma = _tie_sigma(np.abs(d))
    if sigma == 0:
        raise NotEstimable("too_few_differences", "the signed-rank variance is zero", n=n, min=2)
    correction = 0.5 * np.sign(z) if correct else 0.0
    z = (z - correction) / sigma
    p = float(min(1.0, 2 * min(stats.norm.cdf(z), stats.norm.sf(z))))
    name = method_token("wilcoxon_normal_cc" if correct else "wilcoxon_normal", why=_why(n_zeros, ties))
    return WilcoxonResult(v, p, n, n_zeros, name)


def _why(n_zeros: int, ties: bool) -> list[dict]:
    """Why a rank test used the normal approximation: zero differences dropped, ties (method parts)."""
    return ([method_part("zeros_dropped", n=n_zeros)] if n_zeros else []) + ([method_part("ties")] if ties else [])


@dataclass
class HodgesLehmannResult:
    estimate: float
    ci_low: float
    ci_high: float
    achieved_confidence: float
    n: int
    method: str


def hodges_lehmann(x, y=None, confidence: float = 0.95, correct: bool = True) -> HodgesLehmannResult:
    """Hodges–Lehmann estimate of the (pseudo)median of ``x - y`` (paired; or of ``x``) with its CI, as R
    ``wilcox.test(conf.int = TRUE)``: zero differences dropped; without ties or zeros (n < 50) the median of the
    Walsh averages and the exact CI (order statistics at ``qsignrank``); otherwise the asymptotic CI by
    inverting the normal approximation with continuity correction, and the estimate where the uncorrected
    statistic crosses 0 (R finds these roots with ``uniroot(tol = 1e-4)``; here they are exact)."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    d = _as_differences(x, y)
    n_zeros = int((d == 0).sum())
    d = d[d != 0]
    n = len(d)
    if n < 2:
        raise NotEstimable("too_few_differences", "Hodges-Lehmann needs at least 2 non-zero differences", n=n, min=2)
    alpha = 1 - confidence
    ties = len(np.unique(np.abs(d))) < n
    if n < 50 and not ties and not n_zeros:
        i, j = np.triu_indices(n)
        walsh = np.sort((d[i] + d[j]) / 2)
        m = len(walsh)
        cdf = _signrank_cdf(n)
        qu = max(int(np.searchsorted(cdf, alpha / 2 - 1e-12)), 1)  # R: qsignrank(alpha/2, n), at least 1
        ql = m - qu
        achieved = 1 - 2 * cdf[qu - 1]
        return HodgesLehmannResult(float(np.median(walsh)), float(walsh[qu - 1]), float(walsh[ql]),
                                   float(achieved), n, method_token("hl_exact"))

    def w(shift, use_correction):
        xd = d - shift
        xd = xd[xd != 0]
        nx = len(xd)
        ranks = stats.rankdata(np.abs(xd))
        zd = ranks[xd > 0].sum() - nx * (nx + 1) / 4
        sigma = _tie_sigma(np.abs(xd))
        corr = 0.5 * np.sign(zd) if use_correction else 0.0
        return (zd - corr) / sigma

    lo_end, hi_end = float(d.min()), float(d.max())

    def root(zq, use_correction):
        f_low, f_high = w(lo_end, use_correction) - zq, w(hi_end, use_correction) - zq
        if f_low <= 0:
            return lo_end
        if f_high >= 0:
            return hi_end
        return float(optimize.brentq(lambda s: w(s, use_correction) - zq, lo_end, hi_end, xtol=1e-12))

    zq = stats.norm.isf(alpha / 2)
    low, high = root(zq, correct), root(-zq, correct)
    estimate = root(0.0, False)
    return HodgesLehmannResult(estimate, low, high, confidence, n,
                               method_token("hl_asymptotic_cc" if correct else "hl_asymptotic", why=_why(n_zeros, ties)))


def bootstrap_mean_change(x, y=None, confidence: float = 0.95, n_resamples: int = 9999,
                          seed: int | None = None) -> EffectResult:
    """Mean of ``x - y`` with a BCa bootstrap CI (scipy.stats.bootstrap)."""
    d = _as_differences(x, y)
    if len(d) < 3:
        raise NotEstimable("too_few_differences", "a bootstrap CI needs at least 3 differences", n=len(d), min=3)
    if np.all(d == d[0]):
        return EffectResult(float(d[0]), float(d[0]), float(d[0]), float("nan"), method_token("mean_change_equal"),
                            len(d), 0, se=0.0, confidence=confidence)
    res = stats.bootstrap((d,), np.mean, confidence_level=confidence, n_resamples=n_resamples, method="BCa",
                          random_state=np.random.default_rng(seed))
    return EffectResult(float(d.mean()), float(res.confidence_interval.low), float(res.confidence_interval.high),
                        float("nan"), method_token("mean_change_bca", resamples=int(n_resamples)), len(d), 0,
                        se=float(res.standard_error), effect_size=float(d.mean() / d.std(ddof=1)),
                        confidence=confidence)

"""Scales: internal consistency of items meant to measure one thing — Cronbach's alpha with its Feldt CI
(:func:`cronbach_alpha`) and McDonald's omega from a one-factor ML model (:func:`mcdonald_omega`), both with
listwise deletion — and the share of scores at the floor and the ceiling (:func:`floor_ceiling`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from iso18091lab.stats import _level, _plain_number, method_token
from iso18091lab.stats.inputs import _check_confidence, _items_frame, _numeric, _require_frame


@dataclass
class AlphaResult:
    """Cronbach's alpha with its Feldt confidence interval. ``method`` is the method token
    (:func:`iso18091lab.stats.method_token`: ``cronbach_alpha_feldt`` with the CI ``level``), worded by
    :func:`iso18091lab.i18n.method_text`."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    confidence: float
    method: str


def _listwise(items, what: str = "alpha") -> np.ndarray:
    return _items_frame(items, what).dropna(axis=0, how="any").to_numpy(dtype=float)


def _alpha(values: np.ndarray) -> float:
    k = values.shape[1]
    item_var = values.var(axis=0, ddof=1).sum()
    total_var = values.sum(axis=1).var(ddof=1)
    return k / (k - 1) * (1 - item_var / total_var)


def cronbach_alpha(items: pd.DataFrame, confidence: float = 0.95) -> AlphaResult:
    """Cronbach's alpha of a wide table (rows = subjects, columns = items), Feldt CI, listwise deletion."""
    _check_confidence(confidence)
    values = _listwise(items, "cronbach_alpha")
    n, k = values.shape
    if n < 2 or k < 2:
        raise ValueError(f"alpha needs at least 2 complete subjects and 2 items (have {n} x {k})")
    if values.sum(axis=1).var() == 0:
        raise ValueError("alpha is undefined when every subject has the same total")
    alpha = _alpha(values)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    return AlphaResult(float(alpha), float(low), float(high), n, k, confidence,
                       method_token("cronbach_alpha_feldt", level=_level(confidence)))


@dataclass
class OmegaResult:
    """McDonald's omega (total) from a one-factor model fitted by maximum likelihood."""

    omega: float
    loadings: np.ndarray
    uniquenesses: np.ndarray
    n: int
    k: int
    converged: bool
    method: str  # the method token (``mcdonald_omega_ml``), worded by :func:`iso18091lab.i18n.method_text`


def one_factor_ml(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Loadings and uniquenesses of a one-factor model minimising the ML discrepancy for ``cov``."""
    cov = np.asarray(cov, dtype=float)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1] or cov.shape[0] < 3 or not np.isfinite(cov).all():
        raise ValueError("one_factor_ml needs a finite square covariance matrix of at least 3 items")
    k = cov.shape[0]
    eigen = np.linalg.eigvalsh(cov)
    _, logdet_s = np.linalg.slogdet(cov)
    if not (np.diag(cov) > 0).all() or eigen[0] <= 1e-12 * eigen[-1]:  # a constant item, or one repeating others
        raise ValueError("one_factor_ml needs a positive definite covariance matrix (no constant item, no item "
                         "a combination of the others): the one-factor ML fit is not defined")
    sign_ref = np.linalg.eigh(cov)[1][:, -1]
    start_load = np.sqrt(np.clip(np.linalg.eigh(cov)[0][-1], 1e-9, None)) * np.abs(sign_ref)
    start_psi = np.clip(np.diag(cov) - start_load ** 2, 1e-3 * np.diag(cov), None)

    def discrepancy(theta):
        """F = log|Sigma| + tr(S Sigma^-1) - log|S| - k and its gradient: with G = Sigma^-1 - Sigma^-1 S Sigma^-1,
        dF/dlambda = 2 G lambda and dF/dlog(psi_i) = G_ii psi_i."""
        lam, psi = theta[:k], np.exp(theta[k:])
        sigma = np.outer(lam, lam) + np.diag(psi)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10, np.zeros_like(theta)
        inverse = np.linalg.inv(sigma)
        inverse_s = inverse @ cov
        g = inverse - inverse_s @ inverse
        return logdet + np.trace(inverse_s) - logdet_s - k, np.concatenate([2 * g @ lam, np.diag(g) * psi])

    fit = optimize.minimize(discrepancy, np.concatenate([start_load, np.log(start_psi)]), jac=True, method="BFGS",
                            options={"gtol": 1e-10, "maxiter": 10_000})
    lam, psi = fit.x[:k], np.exp(fit.x[k:])
    if lam.sum() < 0:
        lam = -lam
    # BFGS often stops with "precision loss" at the optimum: judge convergence by the gradient instead
    converged = bool(fit.success) or float(np.max(np.abs(fit.jac))) < 1e-5
    return lam, psi, converged


def mcdonald_omega(items: pd.DataFrame) -> OmegaResult:
    """McDonald's omega: (sum of loadings)^2 / ((sum of loadings)^2 + sum of uniquenesses)."""
    values = _listwise(items, "mcdonald_omega")
    n, k = values.shape
    if n < k + 1 or k < 3:
        raise ValueError(f"omega needs at least 3 items and more subjects than items (have {n} x {k})")
    cov = np.cov(values, rowvar=False, ddof=0)
    lam, psi, ok = one_factor_ml(cov)
    omega = lam.sum() ** 2 / (lam.sum() ** 2 + psi.sum())
    return OmegaResult(float(omega), lam, psi, n, k, ok, method_token("mcdonald_omega_ml"))


def floor_ceiling(scores: pd.DataFrame, item: str = "indicator", value: str = "score_100",
                  floor: float = 0.0, ceiling: float = 100.0) -> pd.DataFrame:
    """Per item: share of scores at the floor and at the ceiling of the scale, and n.

    Parameters
    ----------
    scores : DataFrame
        One row per score.
    item, value : str
        The item column and the score column (missing scores dropped).
    floor, ceiling : float
        The ends of the scale.

    Returns
    -------
    DataFrame
        ``item, n, floor_share, ceiling_share, method`` (``method``: the key ``floor_ceiling`` with ``floor``
        and ``ceiling``).

    References
    ----------
    Terwee, C. B. et al. (2007). Quality criteria were proposed for measurement properties of health status
    questionnaires. Journal of Clinical Epidemiology 60(1), 34-42 (floor and ceiling effects).

    Examples
    --------
    >>> out = floor_ceiling(pd.DataFrame({"indicator": ["a"] * 4, "score_100": [0, 50, 100, 100]}))
    >>> out[["indicator", "n", "floor_share", "ceiling_share"]].to_dict("records")
    [{'indicator': 'a', 'n': 4, 'floor_share': 0.25, 'ceiling_share': 0.5}]
    """
    scores = _require_frame(scores, [item, value], "floor_ceiling")
    if not floor < ceiling:
        raise ValueError("floor must be below ceiling")
    frame = scores.assign(**{value: _numeric(scores[value], "floor_ceiling", value)}).dropna(subset=[value])
    if frame.empty:
        raise ValueError("floor_ceiling: no scores")
    grouped = frame.groupby(item, observed=True)[value]
    out = pd.DataFrame({"n": grouped.size(), "floor_share": grouped.apply(lambda s: float((s <= floor).mean())),
                        "ceiling_share": grouped.apply(lambda s: float((s >= ceiling).mean()))}).reset_index()
    out["method"] = method_token("floor_ceiling", floor=_plain_number(floor), ceiling=_plain_number(ceiling))
    return out

"""REML variance components of crossed random intercepts, as ``lme4::lmer(REML = TRUE)`` fits them
(:func:`variance_components`, :class:`VarianceComponents`): the engine under
:func:`iso18091lab.stats.intraclass.icc_reml` and the G study (:mod:`iso18091lab.stats.generalizability`). Missing
responses are dropped, every other rating kept. The small dense algebra runs on one BLAS thread
(:func:`iso18091lab.threads.one_blas_thread`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, sparse
from scipy.linalg import lapack

from iso18091lab.stats import method_token
from iso18091lab.stats.inputs import _numeric, _require_frame
from iso18091lab.threads import one_blas_thread


def _reml_setup(y: np.ndarray, codes: list[np.ndarray]):
    """Cross-products for the REML deviance of y = mu + sum_j u_j[codes_j] + e (all random intercepts).

    ``cross`` (levels of the largest factor x the other levels + intercept) is kept as its non-zero entries,
    and ``pairs``, the sparse linear map w -> cross' diag(w) cross (flattened), so that each deviance evaluation
    is a few sparse products instead of a dense (s x big) @ (big x s) one."""
    n = len(y)
    sizes = [int(c.max()) + 1 for c in codes]
    big = int(np.argmax(sizes))
    others = [j for j in range(len(codes)) if j != big]
    offsets = np.cumsum([0] + [sizes[j] for j in others])
    s = int(offsets[-1]) + 1  # the other factors' levels, then the intercept
    cols = np.empty((n, len(others) + 1), dtype=int)
    for pos, j in enumerate(others):
        cols[:, pos] = codes[j] + offsets[pos]
    cols[:, -1] = s - 1
    # the sparse (big x s) cross-product as its non-zero entries, rows sorted
    keys, counts = np.unique(codes[big][:, None] * s + cols, return_counts=True)
    nz_row, nz_col, nz_val = keys // s, keys % s, counts.astype(float)
    small = np.bincount((cols[:, :, None] * s + cols[:, None, :]).ravel(), minlength=s * s).reshape(s, s)
    zsy = np.bincount(cols.ravel(), weights=np.repeat(y, cols.shape[1]), minlength=s)
    # cross' diag(w) cross = sum over the pairs of a row's non-zero entries: (i, j) <- value_i * value_j * w_row
    per_row = np.bincount(nz_row, minlength=sizes[big])
    starts = np.cumsum(per_row) - per_row
    pair_row = np.repeat(np.arange(sizes[big]), per_row ** 2)
    within = np.arange(pair_row.size) - np.repeat(np.cumsum(per_row ** 2) - per_row ** 2, per_row ** 2)
    left = starts[pair_row] + within // per_row[pair_row]
    right = starts[pair_row] + within % per_row[pair_row]
    return {"n": n, "big": big, "others": others, "offsets": offsets, "s": s, "small": small.astype(float),
            "nz_row": nz_row, "nz_col": nz_col, "nz_val": nz_val, "n_big": sizes[big],
            "pairs": sparse.csr_matrix((nz_val[left] * nz_val[right], (nz_col[left] * s + nz_col[right], pair_row)),
                                       shape=(s * s, sizes[big])),
            "counts": np.bincount(codes[big], minlength=sizes[big]).astype(float),
            "zby": np.bincount(codes[big], weights=y, minlength=sizes[big]), "zsy": zsy, "yy": float(y @ y),
            "level_factor": np.concatenate([np.full(sizes[j], j) for j in others]),
            "levels": np.array(sizes, dtype=float),
            "penalty": np.diag(np.append(np.ones(s - 1), 0.0))}


def _reml_pieces(setup: dict, theta: np.ndarray, gradient: bool = False):
    """log|M| (M = the penalised system of Bates et al. 2015, incl. the fixed effect), penalised RSS, solution;
    with ``gradient`` also the gradient of the REML deviance in theta (see :func:`_reml_gradient`).

    The factor with most levels is eliminated first (its block is diagonal), so the dense algebra is only
    over the other factors' levels: with w = 1 / d, the Schur complement is
    Lambda (small - theta_big^2 cross' W cross) Lambda + the intercept's zero penalty."""
    lam = np.append(theta[setup["level_factor"]], 1.0)
    lb = theta[setup["big"]]
    d = lb ** 2 * setup["counts"] + 1.0
    inv_d = 1.0 / d
    s = setup["s"]
    inner = (setup["pairs"] @ inv_d).reshape(s, s)  # cross' diag(1 / d) cross
    schur = lam[:, None] * (setup["small"] - lb ** 2 * inner) * lam[None, :] + setup["penalty"]
    rb = lb * setup["zby"]
    rs = lam * setup["zsy"]
    chol, info = lapack.dpotrf(schur, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("the REML system is not positive definite")
    rows, cols, values = setup["nz_row"], setup["nz_col"], setup["nz_val"]
    cross_t_rb = np.bincount(cols, weights=values * (rb * inv_d)[rows], minlength=s)  # cross' (rb / d)
    xs, _ = lapack.dpotrs(chol, rs - lb * lam * cross_t_rb, lower=1)
    cross_xs = np.bincount(rows, weights=values * (lam * xs)[cols], minlength=setup["n_big"])  # cross (lam xs)
    xb = (rb - lb * cross_xs) * inv_d
    rss = setup["yy"] - rb @ xb - rs @ xs
    logdet = np.log(d).sum() + 2 * np.log(np.diag(chol)).sum()
    if not gradient:
        return logdet, rss, xs
    return logdet, rss, xs, _reml_gradient(setup, theta, chol, lam, lb, inv_d, xs, xb, rss)


def _reml_gradient(setup: dict, theta, chol, lam, lb, inv_d, xs, xb, rss) -> np.ndarray:
    """Gradient of the profiled REML deviance  log|M| + (n - p) (1 + log(2 pi r2 / (n - p))).

    With M = D G D + P (D = diag(Lambda, 1), G the cross-products of [Z X], P = diag(I, 0)):
    d log|M| / d theta_j = 2 (q_j - tr_j(M^-1)) / theta_j, where tr_j sums the diagonal of M^-1 over factor
    j's q_j levels, and (envelope theorem, normal equations Lambda Z' r = u) d r2 / d theta_j =
    -2 |u_j|^2 / theta_j. So the gradient is 2 / theta_j (q_j - tr_j - (n - p) |u_j|^2 / r2). The deviance is
    even in each theta_j, so its derivative at theta_j = 0 is 0. The big block's trace is
    sum(1 / d) + theta_big^2 tr(S^-1 Lambda cross' D^-2 cross Lambda) (S the Schur complement)."""
    s, n_factors = setup["s"], len(theta)
    inverse, info = lapack.dpotri(chol, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError("the REML system is not positive definite")
    inverse = np.tril(inverse) + np.tril(inverse, -1).T
    traces = np.bincount(setup["level_factor"], weights=np.diag(inverse)[:-1], minlength=n_factors)
    norms = np.bincount(setup["level_factor"], weights=xs[:-1] ** 2, minlength=n_factors)
    inner2 = (setup["pairs"] @ inv_d ** 2).reshape(s, s)  # cross' diag(1 / d^2) cross
    big = setup["big"]
    traces[big] = inv_d.sum() + lb ** 2 * np.sum(inverse * (lam[:, None] * inner2 * lam[None, :]))
    norms[big] = xb @ xb
    residual_df = setup["n"] - 1
    grad = np.zeros(n_factors)
    positive = theta > 1e-8
    grad[positive] = 2.0 / theta[positive] * (setup["levels"][positive] - traces[positive]
                                              - residual_df * norms[positive] / rss)
    return grad


def _reml_fit(y: np.ndarray, codes: list[np.ndarray], start: np.ndarray | None = None, polish: bool = False):
    setup = _reml_setup(y, codes)
    n, p = setup["n"], 1

    def deviance(theta):  # and its gradient (analytic: see _reml_gradient)
        theta = np.abs(theta)
        try:
            logdet, rss, _, grad = _reml_pieces(setup, theta, gradient=True)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros(len(theta))
        if not rss > 0:
            return np.inf, np.zeros(len(theta))
        return logdet + (n - p) * (1 + np.log(2 * np.pi * rss / (n - p))), grad

    x0 = np.ones(len(codes)) if start is None else np.maximum(np.asarray(start, dtype=float), 1e-3)
    # a refit from a known optimum (a bootstrap replicate) stops at a relative change of 1e-10 in the REML
    # criterion (~1e-6 in the variances, far below the bootstrap's own spread); a first fit goes to 1e-13
    options = {"ftol": 1e-13 if start is None else 1e-10, "gtol": 1e-9 if start is None else 1e-7, "maxiter": 5000}
    # small dense algebra: BLAS threads only add overhead (8x slower with 2 threads on a 2-core machine)
    with one_blas_thread():
        fit = optimize.minimize(deviance, x0, jac=True, method="L-BFGS-B", bounds=[(0, None)] * len(codes),
                                options=options)
        best_x, best_f = fit.x, fit.fun
        if polish and start is not None:  # a bootstrap start can sit in a poor basin: also try from 1
            again = optimize.minimize(deviance, np.ones(len(codes)), jac=True, method="L-BFGS-B",
                                      bounds=[(0, None)] * len(codes),
                                      options=options)
            if again.fun < best_f:
                best_x, best_f = again.x, again.fun
    theta = np.abs(best_x)
    with one_blas_thread():
        _, rss, xs = _reml_pieces(setup, theta)
    sigma2 = rss / (n - p)
    return theta, sigma2, float(best_f), float(xs[-1])


@dataclass(frozen=True, eq=False)
class VarianceComponents:
    """REML variance components of crossed random intercepts (:func:`variance_components`, :func:`g_study`).

    ``table`` has one row per factor and the residual with ``variance`` and ``share`` (indexed by ``component``
    from :func:`variance_components`; a ``component`` column named after :data:`G_COMPONENTS` from
    :func:`g_study`); ``method`` the method key (``reml_crossed`` or ``g_study``); ``n`` the responses used;
    ``levels`` the number of levels of each factor; ``reml_criterion`` -2 log L (lme4's ``REMLcrit``);
    ``intercept`` the fixed mean; ``theta`` the relative standard deviations sigma_j / sigma_e of the optimum
    (a refit's start)."""

    table: pd.DataFrame
    method: str
    n: int
    levels: dict
    reml_criterion: float
    intercept: float
    theta: np.ndarray = field(repr=False)


def variance_components(data: pd.DataFrame, response: str, factors: list[str], start=None) -> VarianceComponents:
    """REML variance components of crossed random intercepts: ``response ~ 1 + (1|f1) + (1|f2) + …``.

    Missing responses are dropped (every other rating is kept: no complete-case deletion). The REML
    criterion is profiled over the ratios theta_j = sigma_j / sigma_e and minimised with the sparse
    structure of the random effects (lme4's formulation), so the answer equals ``lme4::lmer(REML = TRUE)``
    (tested against it to ~1e-7 relative).

    Parameters
    ----------
    data : DataFrame
        One row per response.
    response : str
        The response column (numbers; missing values dropped).
    factors : list of str
        The crossed random factors (levels told apart as text).
    start : array, optional
        Starting theta (e.g. the ``theta`` of a fit on the full data, for a bootstrap refit).

    Returns
    -------
    VarianceComponents
        ``table`` indexed by ``component`` (each factor, then ``residual``) with ``variance`` and ``share``;
        ``method`` ``reml_crossed``; ``n``, ``levels``, ``reml_criterion``, ``intercept``, ``theta``.

    References
    ----------
    Bates, D., Mächler, M., Bolker, B. & Walker, S. (2015). Fitting linear mixed-effects models using lme4.
    Journal of Statistical Software 67(1), 1-48.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> frame = pd.DataFrame({"t": np.repeat(np.arange(20), 3), "r": np.tile(["a", "b", "c"], 20)})
    >>> frame["y"] = rng.normal(0, 2, 20)[frame["t"]] + rng.normal(0, 1, 60)
    >>> vc = variance_components(frame, "y", ["t", "r"])
    >>> list(vc.table.index), vc.n, vc.levels, vc.method
    (['t', 'r', 'residual'], 60, {'t': 20, 'r': 3}, 'reml_crossed')
    """
    if not isinstance(factors, (list, tuple)) or not factors:
        raise ValueError("factors must be a non-empty list of column names")
    frame = _require_frame(data, [response, *factors], "variance_components")
    y = _numeric(frame[response], "variance_components", response)
    keep = ~np.isnan(y)
    if frame.loc[keep, list(factors)].isna().any().any():
        raise ValueError("variance_components: factor columns must not be missing")
    codes = [pd.factorize(frame.loc[keep, f].astype(str))[0] for f in factors]
    return _variance_components_codes(y[keep], codes, list(factors), start)


def _variance_components_codes(y: np.ndarray, codes: list[np.ndarray], factors: list[str],
                               start=None) -> VarianceComponents:
    """:func:`variance_components` on the responses and each factor's level codes (0, 1, … in order of first
    appearance, as ``pd.factorize``)."""
    levels = {f: int(c.max()) + 1 if len(c) else 0 for f, c in zip(factors, codes)}
    if len(y) < 3 or any(v < 2 for v in levels.values()):
        raise ValueError(f"variance_components needs at least 3 responses and 2 levels per factor (have "
                         f"{len(y)} responses, levels {levels})")
    if len(y) <= sum(levels.values()) - len(factors) + 1:
        raise ValueError("variance_components: too few responses for the number of levels")
    theta, sigma2, crit, mu = _reml_fit(y, codes, start=start)
    variances = list(sigma2 * theta ** 2) + [sigma2]
    total = float(np.sum(variances))
    table = pd.DataFrame({"variance": variances, "share": np.array(variances) / total if total > 0 else np.nan},
                         index=pd.Index(list(factors) + ["residual"], name="component"))
    return VarianceComponents(table, method_token("reml_crossed"), int(len(y)), levels, crit, mu, theta)

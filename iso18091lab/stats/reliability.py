"""Reliability of the indicators and of the scoring, in the style of ``scipy.stats``.

Plain functions, arrays or tidy DataFrames in, small result objects or tidy DataFrames out, each carrying
its method and parameters. Where an established package is right it is used (statsmodels for Cohen's and
Fleiss' kappa); where a bootstrap over many indicators needs speed, the computation is vectorised here and
tested against the package (pingouin, krippendorff, scikit-learn) on the same data.

Missing data (documented policy):

* :func:`icc` uses complete targets only: a target (body) with any missing rating is dropped, and the number
  dropped is reported (the table's ``n_dropped`` column), as pingouin does (and R ``psych::ICC(lmer=FALSE)``,
  which stops instead). This is the *complete-case* ICC.
* :func:`icc_reml` keeps every rating: variance components for targets, raters and residual by REML (two crossed
  random factors, :func:`variance_components`), turned into the six forms as R ``psych::ICC`` does by default
  (``lmer=TRUE``); checked against lme4 to ~1e-7.
* Duplicate ratings (one rater rating one target twice) are an error: the ICC functions raise ``ValueError``
  naming them, never average them.
* :func:`cronbach_alpha` and :func:`mcdonald_omega` use listwise deletion.
* :func:`krippendorff_alpha` uses every pairable value (units with fewer than two values drop out).
* :func:`bland_altman` drops pairs with either rating missing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, sparse, stats
from scipy.linalg import lapack

from iso18091lab.stats import method_part, method_token
from iso18091lab.threads import one_blas_thread

ICC_FORMS = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
#: The method key of each Shrout-Fleiss form (``method.<key>`` in the text table: its McGraw-Wong name).
ICC_METHODS = {"ICC1": "icc_form_1", "ICC2": "icc_form_a1", "ICC3": "icc_form_c1", "ICC1k": "icc_form_k",
               "ICC2k": "icc_form_ak", "ICC3k": "icc_form_ck"}
#: Columns of an ICC table (:func:`icc`, :func:`icc_reml`), indexed by form.
ICC_COLUMNS = ["method", "icc", "F", "df1", "df2", "p_value", "ci_low", "ci_high", "n", "k", "n_dropped",
               "n_incomplete"]


def _plain_number(x) -> float | int:
    """A number as a method description states it: whole numbers without a decimal point."""
    x = float(x)
    return int(x) if x.is_integer() else x


def _level(confidence: float) -> float | int:
    """A confidence as the percentage a method description states (0.95 -> 95, 0.975 -> 97.5)."""
    return _plain_number(round(100 * float(confidence), 6))


# --------------------------------------------------------------------------- ICC

def _require_frame(data, columns, what: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"{what} needs a DataFrame with columns {list(columns)}, not {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{what}: column(s) {missing} not in the data (have {list(data.columns)})")
    if data.empty:
        raise ValueError(f"{what}: the data is empty")
    return data


def _numeric(values, what: str, column: str = "ratings") -> np.ndarray:
    """Numbers as floats (missing as NaN); text that is not a number is an error, never silently dropped."""
    if isinstance(values, pd.Series) and pd.api.types.is_numeric_dtype(values) \
            and not pd.api.types.is_bool_dtype(values):  # already numbers: no per-value conversion
        out = values.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(out).any():
            raise ValueError(f"{what}: {column} contain infinite values")
        return out
    series = pd.Series(values).astype(object).where(pd.Series(values).notna(), np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    bad = series.notna() & converted.isna()
    if bad.any():
        examples = sorted({str(v) for v in series[bad]})[:5]
        raise ValueError(f"{what}: {column} must be numbers; found text {examples}")
    out = converted.to_numpy(dtype=float)
    if np.isinf(out).any():
        raise ValueError(f"{what}: {column} contain infinite values")
    return out


def check_duplicates(data: pd.DataFrame, keys: list[str], what: str = "ratings") -> None:
    """Raise ``ValueError`` naming the first duplicates when a combination of ``keys`` occurs twice
    (e.g. one rater rating one target twice): duplicates are an error to report, never averaged."""
    dup = data.duplicated(subset=keys, keep=False)
    if dup.any():
        shown = data.loc[dup, keys].drop_duplicates().head(5)
        listed = "; ".join(", ".join(f"{k}={v}" for k, v in zip(keys, row)) for row in shown.itertuples(index=False))
        raise ValueError(f"duplicate {what}: {int(dup.sum())} rows share {'/'.join(keys)} ({listed}); "
                         "resolve them at ingest (conflicting_duplicate) instead of averaging")


def _long_ratings(data, targets: str, raters: str, ratings: str, what: str) -> pd.DataFrame:
    """Validated long ratings: numeric, no duplicates, missing ratings dropped."""
    frame = _require_frame(data, [targets, raters, ratings], what)
    frame = frame[[targets, raters, ratings]].copy()
    frame[ratings] = _numeric(frame[ratings], what, ratings)
    if frame[targets].isna().any() or frame[raters].isna().any():
        raise ValueError(f"{what}: {targets} and {raters} must not be missing")
    frame = frame.dropna(subset=[ratings])
    if frame.empty:
        raise ValueError(f"{what}: no non-missing ratings")
    check_duplicates(frame, [targets, raters])
    return frame


def _icc_matrix(data: pd.DataFrame, targets: str, raters: str, ratings: str) -> tuple[np.ndarray, int]:
    frame = _long_ratings(data, targets, raters, ratings, "ICC")
    wide = frame.pivot(index=targets, columns=raters, values=ratings)
    complete = wide.dropna(axis=0, how="any")
    return complete.to_numpy(dtype=float), len(wide) - len(complete)


def _check_matrix(matrix, what: str, min_rows: int = 2, min_cols: int = 2) -> np.ndarray:
    values = np.asarray(matrix, dtype=float) if not isinstance(matrix, pd.DataFrame) else \
        np.column_stack([_numeric(matrix[c], what, str(c)) for c in matrix.columns]) if matrix.shape[1] else \
        np.empty((len(matrix), 0))
    if values.ndim != 2:
        raise ValueError(f"{what} needs a 2-D targets x raters matrix (got {values.ndim}-D)")
    if values.shape[0] < min_rows or values.shape[1] < min_cols:
        raise ValueError(f"{what} needs at least {min_rows} targets and {min_cols} raters (have "
                         f"{values.shape[0]} x {values.shape[1]})")
    if not np.isfinite(values).all():
        raise ValueError(f"{what} needs a complete matrix without NaN or infinite values")
    return values


def icc_anova(matrix: np.ndarray) -> dict[str, float]:
    """Two-way ANOVA mean squares of an n targets x k raters matrix (no missing values)."""
    matrix = _check_matrix(matrix, "icc_anova")
    n, k = matrix.shape
    grand = matrix.mean()
    ss_total = ((matrix - grand) ** 2).sum()
    ss_rows = k * ((matrix.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((matrix.mean(axis=0) - grand) ** 2).sum()
    ss_error = ss_total - ss_rows - ss_cols
    return {"n": n, "k": k, "msr": ss_rows / (n - 1), "msc": ss_cols / (k - 1),
            "mse": ss_error / ((n - 1) * (k - 1)), "msw": (ss_cols + ss_error) / (n * (k - 1))}


def _icc_values(msr, msc, mse, msw, n, k):
    """The six Shrout-Fleiss ICCs from mean squares (works on arrays of resamples too)."""
    return {
        "ICC1": (msr - msw) / (msr + (k - 1) * msw),
        "ICC2": (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n),
        "ICC3": (msr - mse) / (msr + (k - 1) * mse),
        "ICC1k": (msr - msw) / msr,
        "ICC2k": (msr - mse) / (msr + (msc - mse) / n),
        "ICC3k": (msr - mse) / msr,
    }


def _icc_table(msr, msc, mse, msw, n, k, confidence, fit: str = "fit_complete_only", n_dropped: int = 0,
               n_incomplete: int = 0):
    """The six forms with F tests and McGraw-Wong CIs from (possibly REML-based) mean squares, as psych::ICC;
    each row's ``method`` is its form's key with ``fit`` (a ``method.fit_*`` part) and the confidence level."""
    values = _icc_values(msr, msc, mse, msw, n, k)
    alpha = 1 - confidence
    df1, df1w, df2 = n - 1, n * (k - 1), (n - 1) * (k - 1)
    f1, f3 = msr / msw, msr / mse
    f1l, f1u = f1 / stats.f.ppf(1 - alpha / 2, df1, df1w), f1 * stats.f.ppf(1 - alpha / 2, df1w, df1)
    f3l, f3u = f3 / stats.f.ppf(1 - alpha / 2, df1, df2), f3 * stats.f.ppf(1 - alpha / 2, df2, df1)
    icc2 = values["ICC2"]
    fj = msc / mse
    vn = df2 * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    vd = df1 * k ** 2 * icc2 ** 2 * fj ** 2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
    v = vn / vd
    f2u, f2l = stats.f.ppf(1 - alpha / 2, n - 1, v), stats.f.ppf(1 - alpha / 2, v, n - 1)
    l2 = n * (msr - f2u * mse) / (f2u * (k * msc + (k * n - k - n) * mse) + n * msr)
    u2 = n * (f2l * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f2l * msr)
    ci = {
        "ICC1": ((f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1)),
        "ICC2": (l2, u2),
        "ICC3": ((f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1)),
        "ICC1k": (1 - 1 / f1l, 1 - 1 / f1u),
        "ICC2k": (l2 * k / (1 + l2 * (k - 1)), u2 * k / (1 + u2 * (k - 1))),
        "ICC3k": (1 - 1 / f3l, 1 - 1 / f3u),
    }
    tests = {"ICC1": (f1, df1, df1w), "ICC1k": (f1, df1, df1w)}
    for form in ("ICC2", "ICC3", "ICC2k", "ICC3k"):
        tests[form] = (f3, df1, df2)
    rows = []
    for form in ICC_FORMS:
        f_value, d1, d2 = tests[form]
        rows.append({"method": method_token(ICC_METHODS[form], fit=method_part(fit), level=_level(confidence)),
                     "icc": values[form], "F": f_value, "df1": d1, "df2": d2, "p_value": stats.f.sf(f_value, d1, d2),
                     "ci_low": ci[form][0], "ci_high": ci[form][1], "n": int(n), "k": int(k),
                     "n_dropped": int(n_dropped), "n_incomplete": int(n_incomplete)})
    return pd.DataFrame(rows, index=pd.Index(ICC_FORMS, name="form"), columns=ICC_COLUMNS)


def _check_confidence(confidence: float) -> None:
    if not (isinstance(confidence, (int, float)) and 0 < confidence < 1):
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")


def icc(data: pd.DataFrame, targets: str, raters: str, ratings: str, confidence: float = 0.95) -> pd.DataFrame:
    """Complete-case intraclass correlations: the six Shrout-Fleiss forms, F tests and exact McGraw-Wong CIs.

    Parameters
    ----------
    data : DataFrame
        Long ratings: one row per target, rater and rating. Targets with any missing rating are dropped
        (counted in ``n_dropped``); use :func:`icc_reml` to keep them. Duplicate (target, rater) rows raise
        ``ValueError``.
    targets, raters, ratings : str
        Column names.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        Indexed ``ICC1 … ICC3k`` (:data:`ICC_FORMS`), columns :data:`ICC_COLUMNS`: ``method`` (the form's
        method key with the fit ``fit_complete_only`` and the level, :func:`iso18091lab.stats.method_token`),
        ``icc, F, df1, df2, p_value`` (the F test of ICC = 0), ``ci_low, ci_high`` (McGraw & Wong, as R
        ``psych::ICC``), and the sample: ``n`` complete targets, ``k`` raters, ``n_dropped`` targets dropped,
        ``n_incomplete`` (= ``n_dropped`` here).

    References
    ----------
    Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater reliability.
    Psychological Bulletin 86(2), 420-428. McGraw, K. O. & Wong, S. P. (1996). Forming inferences about some
    intraclass correlation coefficients. Psychological Methods 1(1), 30-46.

    Examples
    --------
    >>> ratings = pd.DataFrame({"target": [1, 1, 2, 2, 3, 3, 4, 4], "rater": ["a", "b"] * 4,
    ...                         "rating": [9, 8, 5, 6, 2, 2, 7, 5]})
    >>> out = icc(ratings, "target", "rater", "rating")
    >>> float(round(out.loc["ICC3", "icc"], 2)), int(out.loc["ICC3", "n"]), out.loc["ICC3", "method"].split()[0]
    (0.89, 4, 'icc_form_c1')
    """
    _check_confidence(confidence)
    matrix, dropped = _icc_matrix(data, targets, raters, ratings)
    n, k = matrix.shape
    if n < 2 or k < 2:
        raise ValueError(f"ICC needs at least 2 complete targets and 2 raters (have {n} x {k}, {dropped} dropped)")
    a = icc_anova(matrix)
    return _icc_table(a["msr"], a["msc"], a["mse"], a["msw"], n, k, confidence, "fit_complete_only", dropped, dropped)


def icc_reml(data: pd.DataFrame, targets: str, raters: str, ratings: str, confidence: float = 0.95) -> pd.DataFrame:
    """ICCs that keep targets with missing ratings: REML variance components, as R ``psych::ICC`` (lmer=TRUE).

    Variance components of targets (s2_t), raters (s2_r) and residual (s2_e) come from
    :func:`variance_components` (REML, two crossed random factors). As psych does, they are turned into
    mean squares MSB = k s2_t + s2_e, MSJ = n s2_r + s2_e, MSE = s2_e, MSW = s2_e + s2_r (n targets with at
    least one rating, k raters) and the six forms, F values and bounds follow the usual formulas; so
    ICC(A,1) = s2_t / (s2_t + s2_r + s2_e) and ICC(C,1) = s2_t / (s2_t + s2_e). The bounds are psych's
    (the McGraw-Wong formulas applied to these mean squares), approximate with missing ratings.

    Parameters
    ----------
    data, targets, raters, ratings, confidence
        As for :func:`icc`; missing ratings are dropped but their targets kept.

    Returns
    -------
    DataFrame
        The table of :func:`icc` (columns :data:`ICC_COLUMNS`), ``method`` with the fit ``fit_reml_kept``,
        ``n_dropped`` = 0 and ``n_incomplete`` the targets kept with some rating missing.

    References
    ----------
    Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research, ``ICC``
    (lmer = TRUE). Bates, D., Mächler, M., Bolker, B. & Walker, S. (2015). Fitting linear mixed-effects models
    using lme4. Journal of Statistical Software 67(1).

    Examples
    --------
    >>> ratings = pd.DataFrame({"target": [1, 1, 2, 2, 3, 3, 4, 4, 5], "rater": ["a", "b"] * 4 + ["a"],
    ...                         "rating": [9, 8, 5, 6, 2, 2, 7, 5, 4]})
    >>> out = icc_reml(ratings, "target", "rater", "rating")
    >>> int(out.loc["ICC2", "n"]), int(out.loc["ICC2", "n_incomplete"]), out.loc["ICC2", "method"].split()[0]
    (5, 1, 'icc_form_a1')
    """
    _check_confidence(confidence)
    frame = _long_ratings(data, targets, raters, ratings, "ICC (REML)")
    n, k = frame[targets].nunique(), frame[raters].nunique()
    if n < 2 or k < 2:
        raise ValueError(f"ICC needs at least 2 targets and 2 raters (have {n} x {k})")
    if len(frame) <= n + k - 1:
        raise ValueError(f"ICC (REML) needs more ratings than targets + raters - 1 (have {len(frame)})")
    vc = variance_components(frame, ratings, [targets, raters]).table
    s2t, s2r, s2e = vc.loc[targets, "variance"], vc.loc[raters, "variance"], vc.loc["residual", "variance"]
    msb, msj, mse, msw = k * s2t + s2e, n * s2r + s2e, s2e, s2e + s2r
    complete = frame.groupby(targets)[raters].nunique().eq(k).sum()
    return _icc_table(msb, msj, mse, msw, n, k, confidence, "fit_reml_kept", 0, int(n - complete))


# --------------------------------------------------------------------------- REML variance components

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


# --------------------------------------------------------------------------- generalizability (G and D studies)

G_COMPONENTS = ["body", "indicator", "body_indicator", "rater", "residual"]


def g_study(data: pd.DataFrame, score: str, body: str, rater: str, indicator: str,
            start=None) -> VarianceComponents:
    """Generalizability study of council members' scores: REML variance components (missing ratings allowed).

    Model: score = mu + body + indicator + body x indicator + rater + residual, all random (crossed), fitted by
    :func:`variance_components`. ``body`` is the subject (a body-wave), ``rater`` a council member; the
    rater x target interaction is confounded with the residual (one rating per member and target). Duplicate
    (body, indicator, rater) rows raise ``ValueError``.

    Parameters
    ----------
    data : DataFrame
        One row per score.
    score, body, rater, indicator : str
        Column names.
    start : array, optional
        Starting theta (a bootstrap refit).

    Returns
    -------
    VarianceComponents
        ``table`` with columns ``component`` (:data:`G_COMPONENTS`), ``variance``, ``share``; ``method``
        ``g_study``; ``levels`` of ``body``, ``indicator``, ``body_indicator`` and ``rater``.

    References
    ----------
    Brennan, R. L. (2001). Generalizability Theory. Springer. Shavelson, R. J. & Webb, N. M. (1991).
    Generalizability Theory: A Primer. Sage.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> frame = pd.DataFrame([(b, i, r) for b in range(8) for i in range(3) for r in range(3)],
    ...                      columns=["body", "indicator", "rater"])
    >>> frame["score"] = (rng.normal(0, 3, 8)[frame["body"]] + rng.normal(0, 1, 3)[frame["rater"]]
    ...                   + rng.normal(0, 1, len(frame)))
    >>> g = g_study(frame, "score", "body", "rater", "indicator")
    >>> list(g.table["component"]), g.levels["body"], g.levels["rater"]
    (['body', 'indicator', 'body_indicator', 'rater', 'residual'], 8, 3)
    """
    frame = _require_frame(data, [score, body, rater, indicator], "g_study")
    frame = frame[[score, body, rater, indicator]].copy()
    frame[score] = _numeric(frame[score], "g_study", score)
    frame = frame.dropna(subset=[score])
    if frame.empty:
        raise ValueError("g_study: no scores")
    check_duplicates(frame, [body, indicator, rater], "member scores")
    frame["_target"] = frame[body].astype(str) + "\x1f" + frame[indicator].astype(str)
    if frame[body].nunique() < 2 or frame[rater].nunique() < 2 or frame[indicator].nunique() < 2:
        raise ValueError("g_study needs at least 2 bodies, 2 raters and 2 indicators")
    return _g_result(variance_components(frame, score, [body, indicator, "_target", rater], start=start))


def _g_result(vc: VarianceComponents) -> VarianceComponents:
    """Variance components of body, indicator, body x indicator, rater as a G study (named :data:`G_COMPONENTS`)."""
    table = pd.DataFrame({"component": G_COMPONENTS, "variance": vc.table["variance"].to_numpy(),
                          "share": vc.table["share"].to_numpy()})
    levels = dict(zip(G_COMPONENTS[:4], vc.levels.values()))
    return VarianceComponents(table, method_token("g_study"), vc.n, levels, vc.reml_criterion, vc.intercept,
                              vc.theta)


def _g_study_codes(y: np.ndarray, body: np.ndarray, indicator: np.ndarray, rater: np.ndarray,
                   start=None) -> VarianceComponents:
    """:func:`g_study` on integer keys of the body (-wave), indicator and rater of each score (no missing
    scores, no duplicate body x indicator x rater): the same fit, without the frame (bootstrap refits).
    Levels are coded in order of first appearance, as :func:`variance_components` codes them."""
    codes = [pd.factorize(body)[0], pd.factorize(indicator)[0]]
    codes.append(pd.factorize(codes[0].astype(np.int64) * (int(codes[1].max()) + 1) + codes[1])[0])
    codes.append(pd.factorize(rater)[0])
    if min(int(codes[j].max()) + 1 for j in (0, 1, 3)) < 2:
        raise ValueError("g_study needs at least 2 bodies, 2 raters and 2 indicators")
    return _g_result(_variance_components_codes(np.asarray(y, dtype=float), codes,
                                                ["body", "indicator", "_target", "rater"], start=start))


def _components(components) -> dict[str, float]:
    if isinstance(components, VarianceComponents):
        components = components.table
    if isinstance(components, pd.DataFrame):
        if not {"component", "variance"} <= set(components.columns):
            raise ValueError("components must have columns component and variance (see g_study)")
        components = dict(zip(components["component"], components["variance"]))
    components = dict(components)
    missing = [c for c in G_COMPONENTS if c not in components]
    if missing:
        raise ValueError(f"components lack {missing}")
    values = {c: float(components[c]) for c in G_COMPONENTS}
    if any(not np.isfinite(v) or v < 0 for v in values.values()):
        raise ValueError("variance components must be finite and non-negative")
    if values["body"] + values["body_indicator"] <= 0:
        raise ValueError("no variance between bodies: reliability is undefined")
    return values


def d_study(components, raters=range(1, 8)) -> pd.DataFrame:
    """Decision study: reliability of one body's indicator score given by the mean of a council of m members.

    Universe-score variance (differences between bodies on an indicator) v = body + body x indicator.
    ``reliability`` is the dependability (absolute) coefficient Phi = v / (v + (rater + residual) / m), right
    when bodies are appraised by different councils (member leniency counts as error);
    ``reliability_relative`` is E rho^2 = v / (v + residual / m), for one council scoring every body.
    """
    c = _components(components)
    m = np.asarray(list(raters), dtype=float)
    if m.ndim != 1 or len(m) == 0 or (m < 1).any():
        raise ValueError("raters must be one or more numbers of council members (>= 1)")
    v = c["body"] + c["body_indicator"]
    return pd.DataFrame({"raters": m.astype(int), "reliability": v / (v + (c["rater"] + c["residual"]) / m),
                         "reliability_relative": v / (v + c["residual"] / m)})


def raters_needed(components, target: float = 0.8, kind: str = "absolute") -> int:
    """Smallest council size m whose D-study reliability reaches ``target`` (Spearman-Brown on the G study)."""
    if not 0 < target < 1:
        raise ValueError("target reliability must be between 0 and 1")
    if kind not in ("absolute", "relative"):
        raise ValueError("kind must be 'absolute' or 'relative'")
    c = _components(components)
    v = c["body"] + c["body_indicator"]
    error = c["rater"] + c["residual"] if kind == "absolute" else c["residual"]
    return max(1, int(np.ceil(target / (1 - target) * error / v - 1e-12)))


# --------------------------------------------------------------------------- internal consistency

@dataclass
class AlphaResult:
    """Cronbach's alpha with its Feldt confidence interval."""

    alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    confidence: float
    method: str = "Cronbach's alpha, Feldt (1965) F-based CI, listwise deletion"


def _items_frame(items, what: str) -> pd.DataFrame:
    """A subjects x items table of numbers: text cells are an error (never silently dropped)."""
    if isinstance(items, pd.Series) or (not isinstance(items, pd.DataFrame) and np.ndim(items) != 2):
        raise ValueError(f"{what} needs a 2-D table: rows = subjects, columns = items")
    frame = pd.DataFrame(items)
    if frame.empty:
        raise ValueError(f"{what}: the table is empty")
    return pd.DataFrame({c: _numeric(frame[c], what, f"item {c!r}") for c in frame.columns}, index=frame.index)


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
    return AlphaResult(float(alpha), float(low), float(high), n, k, confidence)


@dataclass
class OmegaResult:
    """McDonald's omega (total) from a one-factor model fitted by maximum likelihood."""

    omega: float
    loadings: np.ndarray
    uniquenesses: np.ndarray
    n: int
    k: int
    converged: bool
    method: str = "McDonald's omega, one-factor ML (N-denominator covariance), listwise deletion"


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
    return OmegaResult(float(omega), lam, psi, n, k, ok)


# --------------------------------------------------------------------------- Krippendorff's alpha

def _delta2(values: np.ndarray, counts: np.ndarray, level: str) -> np.ndarray:
    """Squared difference function between the distinct values (Krippendorff 2011)."""
    a, b = np.meshgrid(values, values, indexing="ij")
    if level == "nominal":
        return (a != b).astype(float)
    if level == "interval":
        return (a - b) ** 2
    if level == "ratio":
        with np.errstate(divide="ignore", invalid="ignore"):
            d = ((a - b) / (a + b)) ** 2
        return np.nan_to_num(d)
    if level == "ordinal":
        cum = np.cumsum(counts)
        lo, hi = np.minimum.outer(np.arange(len(values)), np.arange(len(values))), \
            np.maximum.outer(np.arange(len(values)), np.arange(len(values)))
        between = cum[hi] - np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0) - (counts[lo] + counts[hi]) / 2
        return between ** 2
    raise ValueError(f"level must be nominal, ordinal, interval or ratio, not {level!r}")


def krippendorff_alpha(reliability_data, level: str = "interval") -> float:
    """Krippendorff's alpha for raters x units data with NaN for missing (Krippendorff 2011)."""
    if isinstance(reliability_data, pd.DataFrame):
        frame = _items_frame(reliability_data, "krippendorff_alpha")
        data = frame.to_numpy(dtype=float)
    else:
        try:
            data = np.asarray(reliability_data, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"krippendorff_alpha: reliability data must be numbers ({exc})") from None
    if data.ndim != 2 or data.size == 0:
        raise ValueError("reliability_data must be a non-empty raters x units table")
    if np.isinf(data).any():
        raise ValueError("krippendorff_alpha: infinite values")
    values = np.unique(data[~np.isnan(data)])
    if len(values) < 2:
        raise ValueError("alpha is undefined with fewer than two distinct values")
    index = np.searchsorted(values, data)
    present = ~np.isnan(data)
    v = len(values)
    per_unit = np.zeros((data.shape[1], v))
    rows, cols = np.nonzero(present)
    np.add.at(per_unit, (cols, index[rows, cols]), 1.0)
    m = per_unit.sum(axis=1)
    pairable = m >= 2
    per_unit, m = per_unit[pairable], m[pairable]
    coincidence = (per_unit.T / (m - 1)) @ per_unit - np.diag((per_unit / (m - 1)[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=0)
    total = n_c.sum()
    delta = _delta2(values, n_c, level)
    observed = (coincidence * delta).sum()
    expected = (np.outer(n_c, n_c) * delta).sum() / (total - 1)
    return float(1 - observed / expected)


# --------------------------------------------------------------------------- kappa

@dataclass
class FleissResult:
    kappa: float
    n_subjects: int
    n_raters: int
    method: str = "Fleiss' kappa (statsmodels)"


def fleiss_kappa(counts) -> FleissResult:
    """Fleiss' kappa from a subjects x categories table of counts (each row sums to the number of raters)."""
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    try:
        table = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("counts must be numbers (a subjects x categories table of counts)") from None
    if table.ndim != 2 or len(table) < 2 or table.shape[1] < 2:
        raise ValueError("counts must be a subjects x categories table with at least 2 subjects and 2 categories")
    if not np.isfinite(table).all() or (table < 0).any() or (table != np.round(table)).any():
        raise ValueError("counts must be non-negative whole numbers without missing values")
    totals = table.sum(axis=1)
    if not np.allclose(totals, totals[0]):
        raise ValueError("Fleiss' kappa needs the same number of raters for every subject "
                         f"(row totals range {totals.min():g}-{totals.max():g})")
    if totals[0] < 2:
        raise ValueError("Fleiss' kappa needs at least 2 raters per subject")
    if np.count_nonzero(table.sum(axis=0)) < 2:
        raise ValueError("Fleiss' kappa is undefined when every rating falls in one category")
    return FleissResult(float(sm_fleiss(table, method="fleiss")), len(table), int(totals[0]))


# --------------------------------------------------------------------------- agreement, floor/ceiling

@dataclass
class BlandAltmanResult:
    """Mean difference (bias), limits of agreement and their confidence intervals (Bland & Altman 1986, 1999)."""

    bias: float
    sd: float
    lower: float
    upper: float
    bias_ci: tuple[float, float]
    lower_ci: tuple[float, float]
    upper_ci: tuple[float, float]
    n: int
    confidence: float
    differences: np.ndarray = field(repr=False)
    means: np.ndarray = field(repr=False)
    method: str = "Bland-Altman limits of agreement (bias ± 1.96 SD); CIs with SE(limit) = SD·sqrt(3/n)"


def bland_altman(a, b, confidence: float = 0.95) -> BlandAltmanResult:
    """Agreement of two measurements of the same subjects: differences ``a - b`` against their means."""
    _check_confidence(confidence)
    if np.ndim(a) != 1 or np.ndim(b) != 1 or len(a) != len(b):
        raise ValueError("bland_altman needs two 1-D sequences of measurements of the same length")
    a, b = _numeric(a, "bland_altman", "a"), _numeric(b, "bland_altman", "b")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = len(a)
    if n < 3:
        raise ValueError("Bland-Altman needs at least 3 pairs")
    d = a - b
    bias, sd = d.mean(), d.std(ddof=1)
    z = stats.norm.ppf(0.975)
    t = stats.t.ppf((1 + confidence) / 2, n - 1)
    lower, upper = bias - z * sd, bias + z * sd
    se_bias, se_limit = sd / np.sqrt(n), sd * np.sqrt(3 / n)
    return BlandAltmanResult(bias, sd, lower, upper, (bias - t * se_bias, bias + t * se_bias),
                             (lower - t * se_limit, lower + t * se_limit), (upper - t * se_limit, upper + t * se_limit),
                             n, confidence, d, (a + b) / 2)


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


# --------------------------------------------------------------------------- cluster-robust mean (CR1, t(G-1))

def cr1_means(sums, sizes, confidence: float = 0.95) -> dict:
    """Means of several scopes with CR1 cluster-robust intervals on t(G − 1), from per-cluster totals.

    ``sums`` and ``sizes`` are (G, S) arrays: the sum of the observations and their number in cluster g for
    scope s (a cluster with size 0 is not part of that scope). For each scope the estimate is the mean over its
    observations (the OLS intercept), the variance the CR1 sandwich ``G / (G − 1) · Σ_g (Σ_i e_gi)² / N²``
    (Stata's and statsmodels' small-sample factor; with one regressor (N − 1)/(N − K) = 1) and the interval
    ``mean ± t_{(1+c)/2}(G − 1) · se``, G = clusters in the scope. Returns arrays ``estimate, se, ci_low,
    ci_high, df, n_clusters, n`` (NaN interval where G < 2). Applying a minimum number of clusters above 2 is the
    caller's decision."""
    _check_confidence(confidence)
    sums, sizes = np.atleast_2d(np.asarray(sums, float).T).T, np.atleast_2d(np.asarray(sizes, float).T).T
    if sums.shape != sizes.shape or sums.ndim != 2:
        raise ValueError("sums and sizes must be (clusters, scopes) arrays of the same shape")
    n = sizes.sum(axis=0)
    g = (sizes > 0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums.sum(axis=0) / n
        resid = sums - sizes * mean  # per cluster: the sum of its residuals
        var = g / (g - 1) * (resid ** 2).sum(axis=0) / n ** 2
        se = np.sqrt(np.where(g >= 2, var, np.nan))
        df = np.where(g >= 2, g - 1, np.nan).astype(float)
        half = stats.t.ppf((1 + confidence) / 2, df) * se
    return {"estimate": mean, "se": se, "ci_low": mean - half, "ci_high": mean + half, "df": df,
            "n_clusters": g.astype(int), "n": n.astype(int)}


def cluster_robust_mean(values, clusters, confidence: float = 0.95) -> dict:
    """Mean of ``values`` with a CR1 cluster-robust CI on t(G − 1), G = number of clusters (:func:`cr1_means`).

    Equals OLS of the values on a constant with statsmodels ``cov_type="cluster"`` (its default small-sample
    correction) and a t interval on G − 1 degrees of freedom. With few clusters this interval keeps its
    coverage (93–97 % from 3 clusters in the calibration of ``docs/methods.md``), where a percentile bootstrap
    over clusters (removed) covered 78 % with 3. Needs at least 2 clusters (1 degree of
    freedom); callers set their own minimum above that."""
    _check_confidence(confidence)
    if np.ndim(values) != 1 or np.ndim(clusters) != 1 or len(values) != len(clusters):
        raise ValueError("cluster_robust_mean needs 1-D values and clusters of the same length")
    values = _numeric(values, "cluster_robust_mean", "values")
    if np.isnan(values).any():
        raise ValueError("cluster_robust_mean: values contain missing values; drop them first")
    if pd.Series(clusters).isna().any():
        raise ValueError("cluster_robust_mean: clusters must not be missing")
    codes, keys = pd.factorize(pd.Series(clusters))
    if len(keys) < 2:
        raise ValueError("cluster_robust_mean needs at least 2 clusters")
    g = len(keys)
    res = cr1_means(np.bincount(codes, weights=values, minlength=g)[:, None],
                    np.bincount(codes, minlength=g).astype(float)[:, None], confidence)
    return {**{k: (float(v[0]) if k not in ("n_clusters", "n") else int(v[0])) for k, v in res.items()},
            "confidence": confidence, "method": "mean with CR1 cluster-robust CI, t(G − 1)"}


def icc_subjects_needed(estimate: float, threshold: float, k: int = 2, confidence: float = 0.95,
                        max_subjects: int = 10_000) -> int | None:
    """Smallest number of subjects (rated targets) for which the exact McGraw–Wong CI of ICC(C,1) with ``k``
    raters, computed at the observed ``estimate`` (taken as the truth, an expected-precision planning rule),
    lies wholly on one side of ``threshold``: above it when the estimate is above, below it otherwise.

    The CI is the one :func:`icc` reports for ICC3: with F = (1 + (k − 1) ρ) / (1 − ρ), the bounds are
    (F_L − 1) / (F_L + k − 1), F_L = F / F_{1−α/2}(n − 1, (n − 1)(k − 1)), and likewise for the upper bound.
    Returns None when no number up to ``max_subjects`` would do (the estimate sits on the threshold)."""
    _check_confidence(confidence)
    if not (isinstance(k, (int, np.integer)) and k >= 2):
        raise ValueError("k must be a whole number of raters, at least 2")
    if not (-1 < threshold < 1) or not np.isfinite(estimate) or not (-1 / (k - 1) < estimate < 1):
        raise ValueError("estimate must lie in (-1/(k-1), 1) and threshold in (-1, 1)")
    alpha = 1 - confidence
    f_obs = (1 + (k - 1) * estimate) / (1 - estimate)
    above = estimate > threshold

    def decided(n: int) -> bool:
        d1, d2 = n - 1, (n - 1) * (k - 1)
        if above:
            fl = f_obs / stats.f.ppf(1 - alpha / 2, d1, d2)
            return (fl - 1) / (fl + k - 1) > threshold
        fu = f_obs * stats.f.ppf(1 - alpha / 2, d2, d1)
        return (fu - 1) / (fu + k - 1) < threshold

    if estimate == threshold or not decided(max_subjects):
        return None
    low, high = 2, max_subjects  # decided(high) is True; find the smallest such n (the bounds narrow with n)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if decided(mid) else (mid, high)
    return high

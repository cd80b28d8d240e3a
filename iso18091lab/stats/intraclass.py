"""Intraclass correlations: the six Shrout–Fleiss forms with F tests and McGraw–Wong CIs, complete-case
(:func:`icc`) or keeping every rating (:func:`icc_reml`), and the subjects an ICC(C,1) interval needs
(:func:`icc_subjects_needed`).

Missing data (documented policy):

* :func:`icc` uses complete targets only: a target (body) with any missing rating is dropped, and the number
  dropped is reported (the table's ``n_dropped`` column), as pingouin does (and R ``psych::ICC(lmer=FALSE)``,
  which stops instead). This is the *complete-case* ICC.
* :func:`icc_reml` keeps every rating: variance components for targets, raters and residual by REML (two crossed
  random factors, :func:`iso18091lab.stats.reml.variance_components`), turned into the six forms as R
  ``psych::ICC`` does by default (``lmer=TRUE``); checked against lme4 to ~1e-7.
* Duplicate ratings (one rater rating one target twice) are an error: the ICC functions raise ``ValueError``
  naming them, never average them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from iso18091lab.stats import _level, method_part, method_token
from iso18091lab.stats.inputs import _check_confidence, _numeric, _require_frame, check_duplicates
from iso18091lab.stats.reml import variance_components


ICC_FORMS = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]


#: The method key of each Shrout-Fleiss form (``method.<key>`` in the text table: its McGraw-Wong name).
ICC_METHODS = {"ICC1": "icc_form_1", "ICC2": "icc_form_a1", "ICC3": "icc_form_c1", "ICC1k": "icc_form_k",
               "ICC2k": "icc_form_ak", "ICC3k": "icc_form_ck"}


#: Columns of an ICC table (:func:`icc`, :func:`icc_reml`), indexed by form.
ICC_COLUMNS = ["method", "icc", "F", "df1", "df2", "p_value", "ci_low", "ci_high", "n", "k", "n_dropped",
               "n_incomplete"]


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

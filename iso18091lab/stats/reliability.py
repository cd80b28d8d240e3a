"""Reliability of the indicators and of the scoring, in the style of ``scipy.stats``.

Plain functions, arrays or tidy DataFrames in, small result objects or tidy DataFrames out, each carrying
its method and parameters. Where an established package is right it is used (statsmodels for Cohen's and
Fleiss' kappa); where a bootstrap over many indicators needs speed, the computation is vectorised here and
tested against the package (pingouin, krippendorff, scikit-learn) on the same data.

Missing data (documented policy):

* :func:`icc` uses complete targets only: a target (body) with any missing rating is dropped, and the number
  dropped is reported (``result.attrs["n_dropped"]``), as in pingouin and R ``psych::ICC``. The design must be
  fully crossed after that (every rater rates every remaining target).
* :func:`cronbach_alpha`, :func:`item_analysis` and :func:`mcdonald_omega` use listwise deletion.
* :func:`krippendorff_alpha` uses every pairable value (units with fewer than two values drop out).
* :func:`weighted_kappa` drops pairs with either rating missing; :func:`bland_altman` likewise.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

ICC_FORMS = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
ICC_DESCRIPTIONS = {
    "ICC1": "one-way random, single rater (McGraw-Wong ICC(1))",
    "ICC2": "two-way random, absolute agreement, single rater (McGraw-Wong ICC(A,1))",
    "ICC3": "two-way mixed, consistency, single rater (McGraw-Wong ICC(C,1))",
    "ICC1k": "one-way random, mean of k raters (McGraw-Wong ICC(k))",
    "ICC2k": "two-way random, absolute agreement, mean of k raters (McGraw-Wong ICC(A,k))",
    "ICC3k": "two-way mixed, consistency, mean of k raters (McGraw-Wong ICC(C,k))",
}


# --------------------------------------------------------------------------- ICC

def _icc_matrix(data: pd.DataFrame, targets: str, raters: str, ratings: str) -> tuple[np.ndarray, int]:
    wide = data.pivot_table(index=targets, columns=raters, values=ratings, aggfunc="mean", observed=True)
    complete = wide.dropna(axis=0, how="any")
    return complete.to_numpy(dtype=float), len(wide) - len(complete)


def icc_anova(matrix: np.ndarray) -> dict[str, float]:
    """Two-way ANOVA mean squares of an n targets x k raters matrix (no missing values)."""
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


def icc(data: pd.DataFrame, targets: str, raters: str, ratings: str, confidence: float = 0.95) -> pd.DataFrame:
    """Intraclass correlations (Shrout & Fleiss 1979; McGraw & Wong 1996) with F tests and exact CIs.

    ``data`` is long: one row per target, rater and rating. Returns a DataFrame indexed
    ``ICC1 … ICC3k`` with columns ``description, icc, F, df1, df2, pval, ci_low, ci_high`` (the F test is of
    ICC = 0; CIs follow McGraw & Wong, as R ``psych::ICC``). ``attrs`` carry n, k, confidence, the number
    of targets dropped for missing ratings, and the method.
    """
    matrix, dropped = _icc_matrix(data, targets, raters, ratings)
    n, k = matrix.shape
    if n < 2 or k < 2:
        raise ValueError(f"ICC needs at least 2 complete targets and 2 raters (have {n} x {k}, {dropped} dropped)")
    a = icc_anova(matrix)
    msr, msc, mse, msw = a["msr"], a["msc"], a["mse"], a["msw"]
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
        rows.append({"description": ICC_DESCRIPTIONS[form], "icc": values[form], "F": f_value, "df1": d1,
                     "df2": d2, "pval": stats.f.sf(f_value, d1, d2), "ci_low": ci[form][0], "ci_high": ci[form][1]})
    out = pd.DataFrame(rows, index=pd.Index(ICC_FORMS, name="form"))
    out.attrs.update(method="Shrout-Fleiss ICC, two-way ANOVA; McGraw-Wong confidence intervals", n=n, k=k,
                     confidence=confidence, n_dropped=dropped, missing="complete targets only")
    return out


def icc_bootstrap(matrix: np.ndarray, n_resamples: int = 1000, confidence: float = 0.95,
                  seed: int | np.random.Generator | None = None, indices: np.ndarray | None = None) -> pd.DataFrame:
    """Percentile bootstrap CIs of the six ICCs, resampling targets (bodies), vectorised.

    Each resample is a vector of counts over targets; every sum the ANOVA needs is a count-weighted sum of
    per-target quantities, so all resamples are one matrix product. ``indices`` (resamples x n) may be given
    to reuse the same resamples elsewhere. Returns estimate, ci_low, ci_high per form (``attrs['replicates']``
    holds the replicate values).
    """
    matrix = np.asarray(matrix, dtype=float)
    n, k = matrix.shape
    rng = np.random.default_rng(seed)
    if indices is None:
        indices = rng.integers(0, n, size=(n_resamples, n))
    resamples = len(indices)
    flat = (np.arange(resamples)[:, None] * n + indices).ravel()
    counts = np.bincount(flat, minlength=resamples * n).reshape(resamples, n).astype(float)
    row_means = matrix.mean(axis=1)
    per_target = np.column_stack([matrix, row_means, row_means ** 2, (matrix ** 2).sum(axis=1)])
    sums = counts @ per_target / n  # weighted means over targets
    col_means = sums[:, :k]
    grand = sums[:, k]
    ss_rows = k * n * (sums[:, k + 1] - grand ** 2)
    ss_cols = n * ((col_means - grand[:, None]) ** 2).sum(axis=1)
    ss_total = n * sums[:, k + 2] - n * k * grand ** 2
    ss_error = ss_total - ss_rows - ss_cols
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = _icc_values(ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1)),
                           (ss_cols + ss_error) / (n * (k - 1)), n, k)
    a = icc_anova(matrix)
    point = _icc_values(a["msr"], a["msc"], a["mse"], a["msw"], n, k)
    lo, hi = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2
    out = pd.DataFrame({form: {"estimate": point[form], "ci_low": np.nanpercentile(reps[form], lo),
                               "ci_high": np.nanpercentile(reps[form], hi)} for form in ICC_FORMS}).T
    out.index.name = "form"
    out.attrs.update(method="percentile bootstrap, resampling targets", n=n, k=k, n_resamples=len(indices),
                     confidence=confidence, replicates=reps)
    return out


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


def _listwise(items: pd.DataFrame) -> np.ndarray:
    values = pd.DataFrame(items).apply(pd.to_numeric, errors="coerce").dropna(axis=0, how="any")
    return values.to_numpy(dtype=float)


def _alpha(values: np.ndarray) -> float:
    k = values.shape[1]
    item_var = values.var(axis=0, ddof=1).sum()
    total_var = values.sum(axis=1).var(ddof=1)
    return k / (k - 1) * (1 - item_var / total_var)


def cronbach_alpha(items: pd.DataFrame, confidence: float = 0.95) -> AlphaResult:
    """Cronbach's alpha of a wide table (rows = subjects, columns = items), Feldt CI."""
    values = _listwise(items)
    n, k = values.shape
    if n < 2 or k < 2:
        raise ValueError(f"alpha needs at least 2 complete subjects and 2 items (have {n} x {k})")
    alpha = _alpha(values)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    return AlphaResult(float(alpha), float(low), float(high), n, k, confidence)


def item_analysis(items: pd.DataFrame) -> pd.DataFrame:
    """Per item: corrected item-total correlation (item vs sum of the others) and alpha if item deleted."""
    frame = pd.DataFrame(items).apply(pd.to_numeric, errors="coerce").dropna(axis=0, how="any")
    values = frame.to_numpy(dtype=float)
    total = values.sum(axis=1)
    rows = []
    for j, name in enumerate(frame.columns):
        rest = total - values[:, j]
        r = np.corrcoef(values[:, j], rest)[0, 1] if values[:, j].std() > 0 and rest.std() > 0 else np.nan
        others = np.delete(values, j, axis=1)
        rows.append({"item": name, "item_rest_r": r,
                     "alpha_if_deleted": _alpha(others) if others.shape[1] >= 2 else np.nan})
    out = pd.DataFrame(rows)
    out.attrs.update(method="corrected item-total correlation; alpha if item deleted; listwise deletion",
                     n=len(frame), alpha=_alpha(values) if values.shape[1] >= 2 else np.nan)
    return out


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
    k = cov.shape[0]
    sign_ref = np.linalg.eigh(cov)[1][:, -1]
    start_load = np.sqrt(np.clip(np.linalg.eigh(cov)[0][-1], 1e-9, None)) * np.abs(sign_ref)
    start_psi = np.clip(np.diag(cov) - start_load ** 2, 1e-3 * np.diag(cov), None)
    _, logdet_s = np.linalg.slogdet(cov)

    def discrepancy(theta):
        lam, psi = theta[:k], np.exp(theta[k:])
        sigma = np.outer(lam, lam) + np.diag(psi)
        sign, logdet = np.linalg.slogdet(sigma)
        if sign <= 0:
            return 1e10
        return logdet + np.trace(np.linalg.solve(sigma, cov)) - logdet_s - k

    fit = optimize.minimize(discrepancy, np.concatenate([start_load, np.log(start_psi)]), method="BFGS",
                            options={"gtol": 1e-10, "maxiter": 10_000})
    lam, psi = fit.x[:k], np.exp(fit.x[k:])
    if lam.sum() < 0:
        lam = -lam
    # BFGS often stops with "precision loss" at the optimum: judge convergence by the gradient instead
    converged = bool(fit.success) or float(np.max(np.abs(fit.jac))) < 1e-5
    return lam, psi, converged


def mcdonald_omega(items: pd.DataFrame) -> OmegaResult:
    """McDonald's omega: (sum of loadings)^2 / ((sum of loadings)^2 + sum of uniquenesses)."""
    values = _listwise(items)
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
        data = reliability_data.to_numpy(dtype=float, na_value=np.nan)
    else:
        data = np.asarray(reliability_data, dtype=float)
    if data.ndim != 2:
        raise ValueError("reliability_data must be raters x units")
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
class KappaResult:
    """Cohen's (weighted) kappa with its asymptotic standard error and confidence interval."""

    kappa: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    weights: str | None
    categories: list
    confidence: float
    method: str = "Cohen's kappa (statsmodels), full declared category set, Fleiss-Cohen-Everitt SE"


def weighted_kappa(rater1, rater2, categories, weights: str | None = None, confidence: float = 0.95) -> KappaResult:
    """Cohen's kappa (weights None) or weighted kappa ("linear", "quadratic") of two raters.

    The contingency table is always built on the full declared ``categories`` (in their order), also when
    some are not observed: observed-only tables give different weights and a different answer. Linear and
    quadratic weights use the category positions, so declare equally spaced categories.
    """
    from statsmodels.stats.inter_rater import cohens_kappa

    if weights not in (None, "linear", "quadratic"):
        raise ValueError("weights must be None, 'linear' or 'quadratic'")
    categories = list(categories)
    a, b = pd.Series(list(rater1)), pd.Series(list(rater2))
    keep = a.notna() & b.notna()
    a, b = a[keep], b[keep]
    unknown = (set(a) | set(b)) - set(categories)
    if unknown:
        raise ValueError(f"ratings {sorted(map(str, unknown))} are not among the declared categories")
    position = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    np.add.at(table, (a.map(position).to_numpy(int), b.map(position).to_numpy(int)), 1)
    res = cohens_kappa(table, wt=weights) if weights else cohens_kappa(table)
    z = stats.norm.ppf((1 + confidence) / 2)
    kappa, se = float(res.kappa), float(res.std_kappa)
    return KappaResult(kappa, se, kappa - z * se, kappa + z * se, int(table.sum()), weights, categories, confidence)


@dataclass
class FleissResult:
    kappa: float
    n_subjects: int
    n_raters: int
    method: str = "Fleiss' kappa (statsmodels)"


def fleiss_kappa(counts) -> FleissResult:
    """Fleiss' kappa from a subjects x categories table of counts (each row sums to the number of raters)."""
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    table = np.asarray(counts, dtype=float)
    totals = table.sum(axis=1)
    if table.ndim != 2 or len(table) < 2:
        raise ValueError("counts must be a subjects x categories table with at least 2 subjects")
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
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
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
    """Per item: share of scores at the floor and at the ceiling of the scale, and n."""
    frame = scores.dropna(subset=[value])
    grouped = frame.groupby(item, observed=True)[value]
    out = pd.DataFrame({"n": grouped.size(), "floor_share": grouped.apply(lambda s: float((s <= floor).mean())),
                        "ceiling_share": grouped.apply(lambda s: float((s >= ceiling).mean()))}).reset_index()
    out.attrs.update(method=f"share of scores <= {floor} and >= {ceiling}")
    return out


def cluster_bootstrap(data: pd.DataFrame, statistic, cluster: str, n_resamples: int = 1000,
                      confidence: float = 0.95, seed: int | None = None) -> dict:
    """Percentile CI of ``statistic(frame) -> float`` resampling whole clusters (bodies) with replacement."""
    rng = np.random.default_rng(seed)
    groups = {key: frame for key, frame in data.groupby(cluster, observed=True)}
    keys = list(groups)
    replicates = np.empty(n_resamples)
    for r in range(n_resamples):
        chosen = rng.integers(0, len(keys), len(keys))
        parts = []
        for new_id, idx in enumerate(chosen):
            part = groups[keys[idx]].copy()
            part[cluster] = f"{keys[idx]}#{new_id}"
            parts.append(part)
        try:
            replicates[r] = statistic(pd.concat(parts, ignore_index=True))
        except (ValueError, ZeroDivisionError, np.linalg.LinAlgError):
            replicates[r] = np.nan
    estimate = statistic(data)
    lo, hi = np.nanpercentile(replicates, [100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2])
    return {"estimate": float(estimate), "ci_low": float(lo), "ci_high": float(hi), "n_clusters": len(keys),
            "n_resamples": n_resamples, "n_failed": int(np.isnan(replicates).sum()), "confidence": confidence,
            "method": "percentile cluster bootstrap (resampling bodies)"}


def cluster_bootstrap_mean(values, clusters, n_resamples: int = 1000, confidence: float = 0.95,
                           seed: int | None = None) -> dict:
    """Percentile CI of a mean over observations, resampling clusters (bodies) — vectorised.

    Equals :func:`cluster_bootstrap` with ``statistic = mean`` for the same resampled clusters.
    """
    values = np.asarray(values, dtype=float)
    codes, keys = pd.factorize(pd.Series(clusters))
    g = len(keys)
    sums = np.bincount(codes, weights=values, minlength=g)
    sizes = np.bincount(codes, minlength=g).astype(float)
    rng = np.random.default_rng(seed)
    chosen = rng.integers(0, g, size=(n_resamples, g))
    counts = np.bincount((np.arange(n_resamples)[:, None] * g + chosen).ravel(),
                         minlength=n_resamples * g).reshape(n_resamples, g)
    replicates = (counts @ sums) / (counts @ sizes)
    lo, hi = np.percentile(replicates, [100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2])
    return {"estimate": float(values.mean()), "ci_low": float(lo), "ci_high": float(hi), "n_clusters": g,
            "n_resamples": n_resamples, "n_failed": 0, "confidence": confidence,
            "method": "percentile cluster bootstrap of the mean (resampling bodies), vectorised"}

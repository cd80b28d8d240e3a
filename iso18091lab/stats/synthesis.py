"""Combining provinces and planning a national evaluation.

* :func:`meta_analysis` — random-effects meta-analysis with DL, REML or Paule–Mandel τ², optional
  Hartung–Knapp adjustment (recommended with few provinces), I², H² and a prediction interval; conventions as
  R ``metafor::rma`` (I² from the typical within-study variance; prediction interval with z, or t with k − 1 df
  under Hartung–Knapp).
* :func:`did_variance` / :func:`did_mde` / :func:`bodies_needed` — power for a difference-in-differences on
  body means with serially correlated outcomes (Burlig, Preonas & Woerman 2020: the pre, post and cross-period
  covariances enter the variance) and a design effect for clustering of bodies.
* :func:`serial_covariances`, :func:`effect_icc` and :func:`cluster_icc` estimate those inputs from loaded data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats


@dataclass
class MetaResult:
    """A random-effects summary with heterogeneity and a prediction interval."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_p_value: float
    pi_low: float
    pi_high: float
    k: int
    method: str
    confidence: float = 0.95
    weights: np.ndarray = field(default_factory=lambda: np.array([]), repr=False)


def _tau2_dl(y, v):
    w = 1 / v
    mu = (w * y).sum() / w.sum()
    q = (w * (y - mu) ** 2).sum()
    c = w.sum() - (w ** 2).sum() / w.sum()
    return max(0.0, (q - (len(y) - 1)) / c)


def _q_at(tau2, y, v):
    w = 1 / (v + tau2)
    mu = (w * y).sum() / w.sum()
    return (w * (y - mu) ** 2).sum()


def _tau2_pm(y, v):
    k = len(y)
    if _q_at(0.0, y, v) <= k - 1:
        return 0.0
    upper = max(10 * np.var(y, ddof=1), 1e-8)
    while _q_at(upper, y, v) > k - 1:
        upper *= 10
    return optimize.brentq(lambda t: _q_at(t, y, v) - (k - 1), 0.0, upper, xtol=1e-14, rtol=1e-14)


def _tau2_reml(y, v, tol=1e-12, max_iter=1000):
    """Fisher scoring on the restricted likelihood, starting at DL (as metafor), truncated at 0."""
    tau2 = _tau2_dl(y, v)
    for _ in range(max_iter):
        w = 1 / (v + tau2)
        p = np.diag(w) - np.outer(w, w) / w.sum()
        py = p @ y
        score = -0.5 * np.trace(p) + 0.5 * py @ py
        info = 0.5 * np.trace(p @ p)
        new = max(0.0, tau2 + score / info)
        if abs(new - tau2) < tol:
            return new
        tau2 = new
    return tau2


def meta_analysis(estimates, variances, method: str = "REML", hartung_knapp: bool = False,
                  confidence: float = 0.95) -> MetaResult:
    """Random-effects meta-analysis of ``estimates`` with sampling ``variances``.

    ``method``: "DL" (DerSimonian–Laird), "REML", "PM" (Paule–Mandel) or "FE" (fixed effect, τ² = 0).
    ``hartung_knapp=True`` uses the Hartung–Knapp(-Sidik-Jonkman) variance and t with k − 1 df for the CI, test
    and prediction interval.
    """
    y = np.asarray(estimates, dtype=float)
    v = np.asarray(variances, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise ValueError("estimates and variances must be 1-d and of the same length")
    if len(y) < 2:
        raise ValueError("a meta-analysis needs at least 2 estimates")
    if (v <= 0).any():
        raise ValueError("variances must be positive")
    k = len(y)
    method = method.upper()
    tau2 = {"DL": _tau2_dl, "REML": _tau2_reml, "PM": _tau2_pm, "FE": lambda *_: 0.0}[method](y, v)
    w = 1 / (v + tau2)
    mu = float((w * y).sum() / w.sum())
    se = float(np.sqrt(1 / w.sum()))
    w_fixed = 1 / v
    mu_fixed = (w_fixed * y).sum() / w_fixed.sum()
    q = float((w_fixed * (y - mu_fixed) ** 2).sum())
    typical = (k - 1) * w_fixed.sum() / (w_fixed.sum() ** 2 - (w_fixed ** 2).sum())
    i2 = float(100 * tau2 / (tau2 + typical))
    h2 = float((tau2 + typical) / typical)
    alpha = 1 - confidence
    if hartung_knapp:
        se = float(np.sqrt((w * (y - mu) ** 2).sum() / ((k - 1) * w.sum())))
        crit = stats.t.ppf(1 - alpha / 2, k - 1)
        p = float(2 * stats.t.sf(abs(mu / se), k - 1))
    else:
        crit = stats.norm.ppf(1 - alpha / 2)
        p = float(2 * stats.norm.sf(abs(mu / se)))
    pi_half = crit * np.sqrt(tau2 + se ** 2)
    name = {"DL": "DerSimonian-Laird", "REML": "REML", "PM": "Paule-Mandel", "FE": "fixed effect"}[method]
    return MetaResult(mu, se, mu - crit * se, mu + crit * se, p, float(tau2), i2, h2, q,
                      float(stats.chi2.sf(q, k - 1)), mu - pi_half, mu + pi_half, k,
                      f"random-effects meta-analysis, tau² by {name}" + (", Hartung-Knapp" if hartung_knapp else ""),
                      confidence, w / w.sum())


# --------------------------------------------------------------------------- power

@dataclass
class Covariances:
    """Outcome variance and average covariances between distinct pre periods, distinct post periods, and
    across pre and post (Burlig, Preonas & Woerman 2020)."""

    variance: float
    pre: float
    post: float
    cross: float

    @classmethod
    def equicorrelated(cls, variance: float, rho: float) -> "Covariances":
        return cls(variance, rho * variance, rho * variance, rho * variance)


def did_variance(n_treated: float, n_control: float, n_pre: int, n_post: int, cov: Covariances,
                 design_effect: float = 1.0) -> float:
    """Variance of the DiD estimate on body means with ``n_pre`` and ``n_post`` periods:
    Var(post mean − pre mean of a body) × (1/n_T + 1/n_C) × design effect, where the per-body variance is
    (σ² + (m−1)ψ_pre)/m + (σ² + (r−1)ψ_post)/r − 2ψ_cross."""
    per_body = ((cov.variance + (n_pre - 1) * cov.pre) / n_pre + (cov.variance + (n_post - 1) * cov.post) / n_post
                - 2 * cov.cross)
    return float(per_body * (1 / n_treated + 1 / n_control) * design_effect)


def design_effect(cluster_size: float, icc: float) -> float:
    """Kish design effect for bodies in clusters of ``cluster_size`` with intra-cluster correlation ``icc``."""
    return 1 + (cluster_size - 1) * icc


def did_mde(n_treated: float, n_control: float, n_pre: int, n_post: int, cov: Covariances, alpha: float = 0.05,
            power: float = 0.8, design_effect: float = 1.0) -> float:
    """Minimum detectable effect (two-sided test at ``alpha`` with ``power``), normal approximation."""
    se = np.sqrt(did_variance(n_treated, n_control, n_pre, n_post, cov, design_effect))
    return float((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * se)


def bodies_needed(effect: float, n_pre: int, n_post: int, cov: Covariances, alpha: float = 0.05, power: float = 0.8,
                  design_effect: float = 1.0, treated_share: float = 0.5) -> int:
    """Total bodies (pilot + comparison) for a DiD to detect ``effect`` with ``power``."""
    per_body = did_variance(1, 1, n_pre, n_post, cov, 1.0) / 2  # variance of one body's change
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    total = (z / effect) ** 2 * per_body * design_effect / (treated_share * (1 - treated_share))
    return int(np.ceil(total))


def serial_covariances(panel: pd.DataFrame, outcome: str = "score", pre_years: int = 1) -> Covariances:
    """Estimate σ² and the pre/post/cross covariances from comparison bodies' outcomes after removing
    province × year means (so province-year shocks do not count as serial correlation)."""
    data = panel[panel["group"].astype(str) == "comparison"].copy()
    data[outcome] = data[outcome].astype(float)
    data["resid"] = data[outcome] - data.groupby(["province", "year"])[outcome].transform("mean")
    covs = {"var": [], "pre": [], "post": [], "cross": []}
    for _, part in data.groupby("province"):
        wide = part.pivot_table(index="unit", columns="year", values="resid").dropna(axis=1, how="all")
        years = sorted(wide.columns)
        if len(years) < 2:
            continue
        c = wide.cov().to_numpy()
        m = min(pre_years, len(years) - 1)
        covs["var"].extend(np.diag(c))
        for i in range(len(years)):
            for j in range(i + 1, len(years)):
                kind = "pre" if j < m else ("post" if i >= m else "cross")
                covs[kind].append(c[i, j])
    if not covs["var"]:
        raise ValueError("need comparison bodies observed in at least two years")
    variance = float(np.mean(covs["var"]))
    cross = float(np.mean(covs["cross"])) if covs["cross"] else 0.0
    return Covariances(variance, float(np.mean(covs["pre"])) if covs["pre"] else cross,
                       float(np.mean(covs["post"])) if covs["post"] else cross, cross)


def effect_icc(tau2: float, per_body_variance: float) -> float:
    """Share of the variance of a body's change that is between-province effect heterogeneity:
    τ² / (τ² + per-body variance). With province × year fixed effects, province shocks cancel, so this — not the
    raw clustering of outcomes — is what makes bodies of one province less informative than independent ones
    when the target is the average effect over provinces."""
    if tau2 <= 0:
        return 0.0
    return float(tau2 / (tau2 + per_body_variance))


def cluster_icc(values: pd.Series, clusters: pd.Series) -> float:
    """One-way ANOVA estimate of the intra-cluster correlation (truncated at 0)."""
    frame = pd.DataFrame({"v": np.asarray(values, float), "g": np.asarray(clusters)}).dropna()
    groups = frame.groupby("g")["v"]
    k, n = groups.ngroups, len(frame)
    if k < 2 or n <= k:
        return 0.0
    sizes = groups.size().to_numpy(float)
    msb = (sizes * (groups.mean() - frame["v"].mean()) ** 2).sum() / (k - 1)
    msw = groups.var(ddof=1).mul(sizes - 1).sum() / (n - k)
    n0 = (n - (sizes ** 2).sum() / n) / (k - 1)
    return float(max(0.0, (msb - msw) / (msb + (n0 - 1) * msw)))


# --------------------------------------------------------------------------- helpers for the national report

def effects_by_group(panel: pd.DataFrame, by: list[str], outcome: str = "score") -> pd.DataFrame:
    """Within-province DiD (:func:`iso18091lab.stats.effect.did_within_province`) for each group of ``by``
    (e.g. ``["province"]`` or ``["tier", "province"]``); groups without pilot and comparison bodies are skipped."""
    from .effect import did_within_province

    rows = []
    for key, part in panel.groupby(by, observed=True):
        try:
            r = did_within_province(part, outcome)
        except (ValueError, ZeroDivisionError, np.linalg.LinAlgError):
            continue
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low,
                     "ci_high": r.ci_high, "n_pilot": r.n_pilot, "n_comparison": r.n_comparison})
    return pd.DataFrame(rows, columns=by + ["estimate", "se", "ci_low", "ci_high", "n_pilot", "n_comparison"])


def evidence_strength(result: MetaResult) -> str:
    """'strong' when the CI and the prediction interval exclude 0, 'moderate' when only the CI does, else 'weak'."""
    ci = result.ci_low > 0 or result.ci_high < 0
    pi = result.pi_low > 0 or result.pi_high < 0
    return "strong" if ci and pi else ("moderate" if ci else "weak")


def power_curves(cov: Covariances, design_effect: float = 1.0, bodies=range(20, 801, 10),
                 follow_up_years=(1, 2, 3), n_pre: int = 1, alpha: float = 0.05, power: float = 0.8) -> pd.DataFrame:
    """MDE by total bodies (half pilot) for each number of follow-up years."""
    rows = [{"design": f"{n_pre} + {post}", "follow_up_years": post, "bodies": n,
             "mde": did_mde(n / 2, n / 2, n_pre, post, cov, alpha, power, design_effect)}
            for post in follow_up_years for n in bodies]
    return pd.DataFrame(rows)


def bodies_needed_table(effects, cov: Covariances, design_effect: float = 1.0, follow_up_years=(1, 2, 3),
                        n_pre: int = 1) -> pd.DataFrame:
    """Bodies needed (total, half pilot) for each effect and number of follow-up years (80 % power, 5 %)."""
    return pd.DataFrame([{"effect": e, **{f"bodies_{p}y": bodies_needed(e, n_pre, p, cov, design_effect=design_effect)
                                          for p in follow_up_years}} for e in effects])

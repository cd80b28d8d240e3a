"""Combining provinces and planning a national evaluation.

* :func:`meta_analysis` — random-effects meta-analysis with DL, REML or Paule–Mandel τ², optional
  Hartung–Knapp adjustment (recommended with few provinces), I², H² and a prediction interval; conventions as
  R ``metafor::rma`` (I² from the typical within-study variance; prediction interval with z, or t with k − 1 df
  under Hartung–Knapp).
* :func:`did_variance` / :func:`did_mde` / :func:`bodies_needed` — power for a difference-in-differences on
  body means with serially correlated outcomes (Burlig, Preonas & Woerman 2020: the pre, post and cross-period
  covariances enter the variance) and a design effect for clustering of bodies.
* :func:`serial_covariances` and :func:`effect_icc` estimate those inputs from loaded data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from iso18091lab.stats import NotEstimable, method_part, method_token

METHODS = {"DL": "DerSimonian-Laird", "REML": "REML", "PM": "Paule-Mandel", "FE": "fixed effect"}
#: Below this many provinces the between-province variance tau² cannot be estimated usefully: power is then
#: shown over a range of assumed values instead of tau² = 0.
MIN_PROVINCES_FOR_TAU2 = 5


def _positive_or_negative(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number, not {value!r}") from None


def _positive(name: str, value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not value > 0 or not np.isfinite(value):
        raise ValueError(f"{name} must be a positive number, not {value!r}")
    return value


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
                  confidence: float = 0.95, adhoc: bool = False) -> MetaResult:
    """Random-effects meta-analysis of ``estimates`` with sampling ``variances``.

    ``method``: "DL" (DerSimonian–Laird), "REML", "PM" (Paule–Mandel) or "FE" (fixed effect, τ² = 0).
    ``hartung_knapp=True`` uses the Hartung–Knapp(-Sidik-Jonkman) variance and t with k − 1 df for the CI, test
    and prediction interval. ``adhoc=True`` (with ``hartung_knapp``) is Knapp & Hartung's (2003) ad hoc
    variant, R ``metafor::rma(test = "adhoc")``: the Hartung–Knapp variance factor is at least 1, so the
    interval is never narrower than the random-effects one with t. Without it, estimates that agree by chance
    give an interval narrower than any of their own (two provinces 0.05 apart, each with SE 3: 5.0 to 5.3).

    References
    ----------
    Knapp, G. & Hartung, J. (2003). Improved tests for a random effects meta-regression with a single
    covariate. Statistics in Medicine 22(17), 2693–2710.
    Röver, C., Knapp, G. & Friede, T. (2015). Hartung-Knapp-Sidik-Jonkman approach and its modification for
    random-effects meta-analysis with few studies. BMC Medical Research Methodology 15, 99.

    Examples
    --------
    >>> plain = meta_analysis([5.0, 5.05], [9.0, 9.0], hartung_knapp=True)
    >>> adhoc = meta_analysis([5.0, 5.05], [9.0, 9.0], hartung_knapp=True, adhoc=True)
    >>> [round(x, 2) for x in (plain.ci_low, plain.ci_high, adhoc.ci_low, adhoc.ci_high)]
    [4.71, 5.34, -21.93, 31.98]
    """
    try:
        y = np.asarray(estimates, dtype=float)
        v = np.asarray(variances, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("estimates and variances must be numbers") from None
    if y.shape != v.shape or y.ndim != 1:
        raise ValueError("estimates and variances must be 1-d and of the same length")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise ValueError(f"unknown meta-analysis method {method!r}; use one of {sorted(METHODS)}")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if not (np.isfinite(y).all() and np.isfinite(v).all()):
        raise ValueError("estimates and variances must be finite numbers")
    if len(y) < 2:
        raise NotEstimable("one_province", "a meta-analysis needs at least 2 estimates", n=len(y))
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
        factor = float((w * (y - mu) ** 2).sum() / (k - 1))
        se = float(np.sqrt((max(factor, 1.0) if adhoc else factor) / w.sum()))
        crit = stats.t.ppf(1 - alpha / 2, k - 1)
        p = float(2 * stats.t.sf(abs(mu / se), k - 1))
    else:
        crit = stats.norm.ppf(1 - alpha / 2)
        p = float(2 * stats.norm.sf(abs(mu / se)))
    pi_half = crit * np.sqrt(tau2 + se ** 2)
    return MetaResult(mu, se, float(mu - crit * se), float(mu + crit * se), p, float(tau2), i2, h2, q,
                      float(stats.chi2.sf(q, k - 1)), float(mu - pi_half), float(mu + pi_half), k,
                      method_token(("meta_hk_adhoc" if adhoc else "meta_hk") if hartung_knapp else "meta",
                                   tau2=method_part(f"tau2_{method.lower()}")),
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
    if not isinstance(cov, Covariances):
        raise ValueError("cov must be a Covariances (see serial_covariances)")
    for name, value in (("n_treated", n_treated), ("n_control", n_control), ("n_pre", n_pre), ("n_post", n_post),
                        ("design_effect", design_effect)):
        _positive(name, value)
    per_body = ((cov.variance + (n_pre - 1) * cov.pre) / n_pre + (cov.variance + (n_post - 1) * cov.post) / n_post
                - 2 * cov.cross)
    return float(per_body * (1 / n_treated + 1 / n_control) * design_effect)


def design_effect(cluster_size: float, icc: float) -> float:
    """Kish design effect for bodies in clusters of ``cluster_size`` with intra-cluster correlation ``icc``."""
    _positive("cluster_size", cluster_size)
    if not 0 <= icc <= 1:
        raise ValueError(f"icc must lie in [0, 1], not {icc!r}")
    return 1 + (cluster_size - 1) * icc


def did_mde(n_treated: float, n_control: float, n_pre: int, n_post: int, cov: Covariances, alpha: float = 0.05,
            power: float = 0.8, design_effect: float = 1.0) -> float:
    """Minimum detectable effect (two-sided test at ``alpha`` with ``power``), normal approximation."""
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError("alpha and power must lie between 0 and 1")
    se = np.sqrt(did_variance(n_treated, n_control, n_pre, n_post, cov, design_effect))
    return float((stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) * se)


def bodies_needed(effect: float, n_pre: int, n_post: int, cov: Covariances, alpha: float = 0.05, power: float = 0.8,
                  design_effect: float = 1.0, treated_share: float = 0.5) -> int:
    """Total bodies (pilot + comparison) for a DiD to detect ``effect`` with ``power``."""
    effect = _positive("effect (in absolute value)", abs(_positive_or_negative(effect)))
    if not 0 < treated_share < 1:
        raise ValueError("treated_share must lie between 0 and 1")
    per_body = did_variance(1, 1, n_pre, n_post, cov, 1.0) / 2  # variance of one body's change
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    total = (z / abs(effect)) ** 2 * per_body * design_effect / (treated_share * (1 - treated_share))
    return int(np.ceil(total))


#: Columns of :func:`serial_moments`: the province, the kind of moment (``var``, ``pre``, ``post``, ``cross``) and
#: its value.
MOMENT_COLUMNS = ["province", "kind", "value"]


def serial_moments(panel: pd.DataFrame, outcome: str = "score", pre_years: int = 1) -> pd.DataFrame:
    """The moments :func:`serial_covariances` averages, one row each, per province: the variances (``var``) and
    the covariances between two pre waves (``pre``), two post waves (``post``) or one of each (``cross``) of
    comparison bodies' outcomes after removing province × wave means. Waves are (year, round); the first
    ``pre_years`` waves of each province count as "pre". Provinces with fewer than 2 waves or 3 comparison
    bodies give no rows. Saved per province (a province summary), pooled by :func:`covariances_from_moments`."""
    if not isinstance(panel, pd.DataFrame):
        raise ValueError("panel must be a pandas DataFrame")
    missing = {"province", "body_id", "year", "group", outcome} - set(panel.columns)
    if missing:
        raise ValueError(f"panel lacks the column(s) {sorted(missing)}")
    data = panel[panel["group"].astype(object).eq("comparison")].copy()
    rows = []
    if data.empty:
        return pd.DataFrame(rows, columns=MOMENT_COLUMNS)
    data[outcome] = pd.to_numeric(data[outcome].astype(object), errors="coerce").astype(float)
    data["wave"] = (pd.to_numeric(data["year"].astype(object), errors="coerce").astype(float) * 1000
                    + (pd.to_numeric(data["round"].astype(object), errors="coerce").fillna(1).astype(float)
                       if "round" in data else 1.0))
    data = data.dropna(subset=[outcome, "wave"])
    data["resid"] = data[outcome] - data.groupby(["province", "wave"])[outcome].transform("mean")
    for province, part in data.groupby("province"):
        wide = part.pivot_table(index="body_id", columns="wave", values="resid").dropna(axis=1, how="all")
        waves = sorted(wide.columns)
        if len(waves) < 2 or len(wide) < 3:
            continue
        c = wide.cov().to_numpy()
        m = min(pre_years, len(waves) - 1)
        rows += [(province, "var", float(v)) for v in np.diag(c) if v == v]
        for i in range(len(waves)):
            for j in range(i + 1, len(waves)):
                if c[i, j] == c[i, j]:
                    rows.append((province, "pre" if j < m else ("post" if i >= m else "cross"), float(c[i, j])))
    return pd.DataFrame(rows, columns=MOMENT_COLUMNS)


def covariances_from_moments(moments: pd.DataFrame) -> Covariances:
    """σ² and the pre/post/cross covariances: the means of the :func:`serial_moments` rows of each kind (over
    every province given). Raises :class:`NotEstimable` (``no_repeated_comparison``) without any variance (no
    comparison body observed in two waves, though the data may have several), (``nonpositive_change_variance``)
    when the averaged moments give a non-positive variance of a body's change."""
    if not isinstance(moments, pd.DataFrame) or not set(MOMENT_COLUMNS) <= set(moments.columns):
        raise ValueError(f"moments must be a table with the columns {MOMENT_COLUMNS} (serial_moments)")
    covs = {kind: moments.loc[moments["kind"] == kind, "value"].astype(float).tolist()
            for kind in ("var", "pre", "post", "cross")}
    if not covs["var"]:
        raise NotEstimable("no_repeated_comparison", "need comparison bodies observed in at least two waves")
    variance = float(np.mean(covs["var"]))
    cross = float(np.mean(covs["cross"])) if covs["cross"] else 0.0
    out = Covariances(variance, float(np.mean(covs["pre"])) if covs["pre"] else cross,
                      float(np.mean(covs["post"])) if covs["post"] else cross, cross)
    # the moments are averaged over provinces with different numbers of waves, so together they need not be a
    # valid covariance: the variance of a body's change (1 wave before, 2 under the pilot) can come out negative
    change = did_variance(1, 1, 1, 2, out) / 2  # per body: (1/n_T + 1/n_C) = 2
    if not change > 0:
        raise NotEstimable("nonpositive_change_variance",
                           "the pooled covariances give a non-positive variance of a body's change", value=change)
    return out


def serial_covariances(panel: pd.DataFrame, outcome: str = "score", pre_years: int = 1) -> Covariances:
    """Estimate σ² and the pre/post/cross covariances from comparison bodies' outcomes after removing
    province × wave means (so province shocks do not count as serial correlation): the moments of
    :func:`serial_moments` averaged by :func:`covariances_from_moments`. Raises :class:`NotEstimable`
    (``no_comparison``) without comparison bodies."""
    moments = serial_moments(panel, outcome, pre_years)
    if moments.empty and not panel["group"].astype(object).eq("comparison").any():
        raise NotEstimable("no_comparison", "power inputs come from comparison bodies")
    return covariances_from_moments(moments)


def effect_icc(tau2: float, per_body_variance: float) -> float:
    """Share of the variance of a body's change that is between-province effect heterogeneity:
    τ² / (τ² + per-body variance). With province × year fixed effects, province shocks cancel, so this — not the
    raw clustering of outcomes — is what makes bodies of one province less informative than independent ones
    when the target is the average effect over provinces."""
    _positive("per_body_variance", per_body_variance)
    if not np.isfinite(tau2) or tau2 < 0:
        raise ValueError(f"tau2 must be a non-negative number, not {tau2!r}")
    if tau2 == 0:
        return 0.0
    return float(tau2 / (tau2 + per_body_variance))


# --------------------------------------------------------------------------- helpers for the national report

def interval_se(ci_low, ci_high, confidence: float = 0.95) -> float:
    """The standard error a (1 − ``confidence``) interval implies when it has no SE of its own (randomization
    inference, whose interval inverts a test): (``ci_high`` − ``ci_low``) / (2·z), z = 1.96 at 95 %. Infinite
    when an end is unbounded or missing: such a province cannot be weighed (:func:`poolable` drops it).

    Examples
    --------
    >>> round(interval_se(2.0 - 1.96, 2.0 + 1.96), 3)
    1.0
    >>> interval_se(float("-inf"), 3.0)
    inf
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    try:
        low, high = float(ci_low), float(ci_high)
    except (TypeError, ValueError):
        raise ValueError(f"interval ends must be numbers, not {ci_low!r} and {ci_high!r}") from None
    if not (np.isfinite(low) and np.isfinite(high)):
        return float("inf")
    if high < low:
        raise ValueError(f"the interval's upper end {high} lies below its lower end {low}")
    return float((high - low) / (2 * stats.norm.ppf((1 + confidence) / 2)))


#: Why a province's estimate is left out of the pooling (:func:`left_out`; ``text.csv``: ``nat_left_out_<key>``).
LEFT_OUT_REASONS = ("not_estimable", "unbounded", "zero_se")

BY_GROUP_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "p_value", "p_min", "inference", "se_bjs", "n_pilot",
                    "n_comparison", "n_treated"]


@dataclass(frozen=True, eq=False)
class GroupEffects:
    """The result of :func:`effects_by_group`: ``table``, one row per estimable group (``by`` +
    :data:`BY_GROUP_COLUMNS`), and ``not_estimable``, the groups where nothing can be estimated, each a dict with
    the ``by`` columns, ``reason`` (a :class:`~iso18091lab.stats.NotEstimable` key) and its ``values``."""

    table: pd.DataFrame
    not_estimable: list = field(default_factory=list)


def _group_effects(by_province) -> GroupEffects:
    """A :class:`GroupEffects` as given, or a bare table of :func:`effects_by_group`'s columns (none left out)."""
    if isinstance(by_province, GroupEffects):
        return by_province
    return GroupEffects(by_province, [])


def effects_by_group(panel: pd.DataFrame, by: list[str], outcome: str = "score", n_permutations: int = 2000,
                     seed: int | None = None) -> GroupEffects:
    """The headline ATT of each group of ``by`` (e.g. ``["province"]`` or ``["tier", "province"]``), with the
    inference its own report uses: :func:`iso18091lab.stats.did.imputation.imputation_att` with ``inference="auto"``, so
    the BJS SE when every start cohort has at least :data:`~iso18091lab.stats.verdict.MIN_PILOTS_PER_START`
    pilot bodies, else seeded randomization inference (``n_permutations``, ``seed``: pass the province
    report's, and a province enters with the very interval its report prints).

    Parameters
    ----------
    panel : DataFrame
        Body-wave outcomes (``stats.descriptive.overall_scores``) with the columns of ``by``.
    by : list of str
        The grouping columns.
    outcome : str
        The outcome column.
    n_permutations, seed : int
        Randomization inference of the groups below the BJS threshold (as ``imputation_att``);
        ``n_permutations=0`` forces BJS everywhere (not the reports' rule: the pooled interval would rest on
        intervals that under-cover).

    Returns
    -------
    GroupEffects
        ``table``: one row per estimable group, ``by`` + :data:`BY_GROUP_COLUMNS`. ``se`` is the SE the pooling
        weighs: the BJS SE (``inference == "bjs"``), else the SE implied by the test-inverted interval
        (:func:`interval_se`; infinite when the interval is unbounded). ``se_bjs`` is the BJS SE whichever
        procedure was used. ``not_estimable``: the groups where nothing can be estimated (group, ``reason`` key
        and its ``values``), left out of ``table``.

    References
    ----------
    Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs: robust and efficient
    estimation. Review of Economic Studies 91(6), 3253–3285.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [(p, f"{p}{b}", y, g, 2024 if g == "pilot" else None, 50 + b + (8 if g == "pilot" and y == 2024 else 0))
    ...         for p in ("A", "B") for b, g in enumerate(["pilot"] * 3 + ["comparison"] * 3) for y in (2023, 2024)]
    >>> panel = pd.DataFrame(rows, columns=["province", "body_id", "year", "group", "pilot_start", "score"])
    >>> result = effects_by_group(panel, ["province"], seed=1)
    >>> result.table["inference"].tolist(), result.table["se"].tolist()  # 3 + 3 bodies: the design cannot answer
    (['randomization', 'randomization'], [inf, inf])
    >>> no_comparison = panel[~((panel["province"] == "B") & (panel["group"] == "comparison"))]
    >>> [(item["province"], item["reason"]) for item in effects_by_group(no_comparison, ["province"], seed=1).not_estimable]
    [('B', 'no_comparison')]
    """
    from iso18091lab.stats.did.imputation import imputation_att

    if not isinstance(panel, pd.DataFrame):
        raise ValueError("panel must be a pandas DataFrame")
    missing = set(by) - set(panel.columns)
    if missing:
        raise ValueError(f"panel lacks the column(s) {sorted(missing)}")
    rows, skipped = [], []
    for key, part in panel.groupby(by, observed=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        try:
            r = imputation_att(part, outcome, n_permutations=n_permutations, seed=seed)
        except NotEstimable as exc:
            skipped.append({**dict(zip(by, key)), "reason": exc.reason, "values": dict(exc.values)})
            continue
        se = r.se if r.inference == "bjs" else interval_se(r.ci_low, r.ci_high, r.confidence)
        rows.append({**dict(zip(by, key)), "estimate": r.estimate, "se": se, "ci_low": r.ci_low,
                     "ci_high": r.ci_high, "p_value": r.p_value, "p_min": r.p_min, "inference": r.inference,
                     "se_bjs": r.se, "n_pilot": r.n_pilot, "n_comparison": r.n_comparison,
                     "n_treated": r.details["n_treated"]})
    return GroupEffects(pd.DataFrame(rows, columns=by + BY_GROUP_COLUMNS), skipped)


def poolable(by_province: GroupEffects | pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`effects_by_group` (a :class:`GroupEffects` or its table) a meta-analysis can weigh: a
    finite, positive SE (an unbounded randomization interval gives an infinite SE; a province whose only pilot
    body gives an SE of 0 has no within-province variance to weigh it by)."""
    by_province = _group_effects(by_province).table
    se = pd.to_numeric(by_province["se"], errors="coerce").astype(float)
    return by_province[(se > 0) & np.isfinite(se)]


def _checked(by_province) -> GroupEffects:
    result = _group_effects(by_province)
    if not isinstance(result.table, pd.DataFrame) or not {"estimate", "se"} <= set(result.table.columns):
        raise ValueError("by_province must be a table with 'estimate' and 'se' columns (effects_by_group)")
    return result


def left_out(by_province: GroupEffects | pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """The groups of :func:`effects_by_group` that the pooling leaves out, and why.

    Parameters
    ----------
    by_province : GroupEffects or DataFrame
        The result of :func:`effects_by_group`, or a table of its columns (then no group is ``not_estimable``).
    by : list of str, optional
        The grouping columns (default: those of the table before ``estimate``).

    Returns
    -------
    DataFrame
        ``by`` + ``reason, detail, values``: ``reason`` one of :data:`LEFT_OUT_REASONS` — ``not_estimable``
        (nothing could be estimated; ``detail`` is the :class:`NotEstimable` key and ``values`` its values),
        ``unbounded`` (the province's own inference gives an interval without an end: its design cannot answer)
        or ``zero_se`` (an SE of 0 cannot be weighed).

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T. & Rothstein, H. R. (2009). Introduction to Meta-Analysis,
    ch. 12 (inverse-variance weights need a finite, positive variance).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"province": ["A", "B", "C"], "estimate": [2.0, 5.0, 1.0], "se": [1.0, float("inf"), 0.0]})
    >>> left_out(table)[["province", "reason"]].values.tolist()
    [['B', 'unbounded'], ['C', 'zero_se']]
    >>> result = GroupEffects(table, [{"province": "D", "reason": "no_comparison", "values": {}}])
    >>> left_out(result)[["province", "reason", "detail"]].values.tolist()[0]
    ['D', 'not_estimable', 'no_comparison']
    """
    result = _checked(by_province)
    by_province = result.table
    by = list(by) if by is not None else list(by_province.columns[:list(by_province.columns).index("estimate")])
    rows = [{**{c: item.get(c) for c in by}, "reason": "not_estimable", "detail": item.get("reason", ""),
             "values": dict(item.get("values") or {})} for item in result.not_estimable]
    se = pd.to_numeric(by_province["se"], errors="coerce").astype(float)
    for index in by_province.index[~((se > 0) & np.isfinite(se))]:
        reason = "zero_se" if se[index] == 0 else "unbounded"
        rows.append({**{c: by_province.at[index, c] for c in by}, "reason": reason, "detail": "", "values": {}})
    return pd.DataFrame(rows, columns=by + ["reason", "detail", "values"])


def national_effect(by_province: GroupEffects | pd.DataFrame, method: str = "REML",
                    hartung_knapp: bool = True, adhoc: bool = True) -> MetaResult:
    """Random-effects meta-analysis of the province ATTs of :func:`effects_by_group` that can be weighed
    (:func:`poolable`).

    Parameters
    ----------
    by_province : GroupEffects or DataFrame
        The result of :func:`effects_by_group` (its ``not_estimable`` provinces count among the provinces), or
        a table of its columns.
    method, hartung_knapp, adhoc
        As :func:`meta_analysis`. ``adhoc`` (the default) keeps the Hartung–Knapp variance factor at least 1:
        a pooled interval is never narrower than its inputs support, also when two provinces agree by chance.

    Returns
    -------
    MetaResult

    Raises
    ------
    NotEstimable
        With fewer than two provinces to weigh: ``one_province`` when the data has one province (one province
        says nothing about how the effect varies between provinces, and a national statement needs that
        variation), ``few_answerable`` when provinces were left out because their own design cannot answer (an
        unbounded interval), else ``few_estimable``.

    References
    ----------
    Hartung, J. & Knapp, G. (2001). On tests of the overall treatment effect in meta-analysis with normally
    distributed responses. Statistics in Medicine 20(12), 1771–1782.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"province": ["A", "B", "C"], "estimate": [2.0, 4.0, 3.0], "se": [1.0, 1.0, 1.0]})
    >>> result = national_effect(table, method="FE", hartung_knapp=False)
    >>> round(result.estimate, 6), result.k
    (3.0, 3)
    >>> national_effect(GroupEffects(table.iloc[:1], [{"province": "B", "reason": "no_comparison", "values": {}}]))
    Traceback (most recent call last):
    ...
    iso18091lab.stats.NotEstimable: fewer than two provinces have an estimate
    """
    result = _checked(by_province)
    by_province = result.table
    usable = poolable(by_province)
    if len(usable) < 2:
        total = len(by_province) + len(result.not_estimable)
        unbounded = int((left_out(result)["reason"] == "unbounded").sum())
        if total >= 2 and unbounded:
            raise NotEstimable("few_answerable", "fewer than two provinces have an interval with both ends",
                               n=len(usable), k=total, m=unbounded)
        if total >= 2:
            raise NotEstimable("few_estimable", "fewer than two provinces have an estimate", n=len(usable), k=total)
        raise NotEstimable("one_province", "a national synthesis needs at least two provinces", n=total)
    return meta_analysis(usable["estimate"], usable["se"] ** 2, method=method, hartung_knapp=hartung_knapp,
                         adhoc=adhoc)


def power_sensitivity(cov: Covariances, tau_values=(0.0, 0.5, 1.0, 1.5, 2.0, 3.0), effects=(2.0, 3.0, 5.0),
                      bodies_per_province: int = 30, n_pre: int = 1, n_post: int = 2) -> pd.DataFrame:
    """Bodies needed (total, half pilot; 80 % power, α = 5 %) over a range of *assumed* between-province
    heterogeneity of the effect, τ = SD of the true effect between provinces (points): used instead of an
    estimated τ² when there are too few provinces to estimate it (:data:`MIN_PROVINCES_FOR_TAU2`). Columns:
    ``tau, tau2, icc, design_effect`` and ``bodies_<effect>`` per effect."""
    _positive("bodies_per_province", bodies_per_province)
    per_body = did_variance(1, 1, n_pre, n_post, cov) / 2
    rows = []
    for tau in tau_values:
        if not np.isfinite(tau) or tau < 0:
            raise ValueError(f"assumed heterogeneity must be a non-negative number, not {tau!r}")
        icc = effect_icc(tau ** 2, per_body)
        deff = design_effect(bodies_per_province, icc)
        rows.append({"tau": float(tau), "tau2": float(tau ** 2), "icc": icc, "design_effect": deff,
                     **{f"bodies_{e:g}": bodies_needed(e, n_pre, n_post, cov, design_effect=deff) for e in effects}})
    return pd.DataFrame(rows)


def evidence_strength(result: MetaResult) -> str:
    """'strong' when the CI and the prediction interval exclude 0, 'moderate' when only the CI does, else 'weak'.

    The prediction interval says what a new province might see only when the between-province variance could be
    estimated: with fewer than :data:`MIN_PROVINCES_FOR_TAU2` provinces, τ² is at its boundary or a guess, so an
    interval that excludes 0 is at most 'moderate' (Röver, Knapp & Friede 2015; IntHout et al. 2016).
    """
    if not isinstance(result, MetaResult):
        raise ValueError("evidence_strength needs a MetaResult from meta_analysis")
    ci = result.ci_low > 0 or result.ci_high < 0
    pi = result.pi_low > 0 or result.pi_high < 0
    if not ci:
        return "weak"
    return "strong" if pi and result.k >= MIN_PROVINCES_FOR_TAU2 else "moderate"


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

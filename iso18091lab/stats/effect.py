"""Did the pilot work? Pre/post and pilot-vs-comparison estimators, in the style of ``scipy.stats``.

The design: 12–16 pilot bodies per province, comparison bodies with ISO 9001 only, starts in different years in
different provinces, and province-wide shocks. Naive pooled comparisons then mislead, so the default estimators
compare **within province**:

* :func:`did_within_province` — body fixed effects + province × year fixed effects, standard errors clustered by
  body (CR1, t with G − 1 df);
* :func:`permutation_did` — the same estimate, p-value from reshuffling pilot status among bodies within
  province (and level), exact when all reassignments can be enumerated;
* :func:`imputation_did` — the imputation estimator for staggered adoption (Borusyak, Jaravel & Spiess 2024):
  fixed effects fitted on untreated body-years only, treated outcomes compared with their imputed untreated
  values; event-time effects for the event-study plot; CIs from a cluster bootstrap over bodies within
  province;
* :func:`wilcoxon_signed_rank`, :func:`hodges_lehmann`, :func:`bootstrap_mean_change` — pre/post for pilot bodies;
* :func:`bh_qvalues` — Benjamini–Hochberg q-values across indicators.

Panels are tidy: one row per body (``unit``) and year with ``province``, ``group``, ``pilot_start``, the
outcome, and optionally ``level``. A body-year is *treated* when the body is a pilot and ``year > pilot_start``
(``pilot_start`` is the pilot's baseline year).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..catalog import indicator_order


# --------------------------------------------------------------------------- results

@dataclass
class EffectResult:
    """An estimate with its uncertainty, the method, and the sample."""

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str
    n_pilot: int
    n_comparison: int
    se: float = float("nan")
    effect_size: float = float("nan")  # estimate / SD of the outcome among bodies at baseline
    confidence: float = 0.95
    details: dict = field(default_factory=dict, repr=False)


# --------------------------------------------------------------------------- pre / post

@dataclass
class WilcoxonResult:
    statistic: float  # V: sum of the ranks of the positive differences (as R's wilcox.test)
    p_value: float
    n: int
    method: str


def wilcoxon_signed_rank(x, y=None, alternative: str = "two-sided") -> WilcoxonResult:
    """Paired Wilcoxon signed-rank test of ``x - y`` (or ``x``) against 0; exact for n ≤ 50 without ties."""
    d = np.asarray(x, dtype=float) - (0.0 if y is None else np.asarray(y, dtype=float))
    d = d[~np.isnan(d)]
    nonzero = d[d != 0]
    ranks = stats.rankdata(np.abs(nonzero))
    exact = len(nonzero) <= 50 and len(np.unique(np.abs(nonzero))) == len(nonzero) and len(nonzero) == len(d)
    method = "exact" if exact else "approx"
    res = stats.wilcoxon(d, alternative=alternative, method=method if exact else "auto",
                         zero_method="wilcox")
    v = float(ranks[nonzero > 0].sum())
    name = "Wilcoxon signed-rank test, " + ("exact distribution" if exact else "normal approximation with ties")
    return WilcoxonResult(v, float(res.pvalue), len(nonzero), name)


def _signrank_cdf(n: int) -> np.ndarray:
    """P(V <= v), v = 0..n(n+1)/2, for the signed-rank statistic with n untied non-zero differences."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1
    for i in range(1, n + 1):
        shifted = np.zeros_like(counts)
        shifted[i:] = counts[:-i]
        counts = counts + shifted
    return np.cumsum(counts) / 2 ** n


@dataclass
class HodgesLehmannResult:
    estimate: float
    ci_low: float
    ci_high: float
    achieved_confidence: float
    n: int
    method: str


def hodges_lehmann(x, y=None, confidence: float = 0.95) -> HodgesLehmannResult:
    """Hodges–Lehmann estimate of the median of ``x - y`` (paired; or of ``x``) with the exact CI from the
    signed-rank distribution (as R ``wilcox.test(conf.int = TRUE)``): order statistics of the Walsh averages."""
    d = np.asarray(x, dtype=float) - (0.0 if y is None else np.asarray(y, dtype=float))
    d = d[~np.isnan(d)]
    n = len(d)
    if n < 2:
        raise ValueError("Hodges-Lehmann needs at least 2 differences")
    i, j = np.triu_indices(n)
    walsh = np.sort((d[i] + d[j]) / 2)
    m = len(walsh)
    cdf = _signrank_cdf(n)
    alpha = 1 - confidence
    qu = int(np.searchsorted(cdf, alpha / 2 - 1e-12))  # smallest v with P(V <= v) >= alpha/2 (qsignrank)
    qu = max(qu, 1)
    ql = m - qu
    achieved = 1 - 2 * (cdf[qu - 1] if qu >= 1 else 0.0)
    return HodgesLehmannResult(float(np.median(walsh)), float(walsh[qu - 1]), float(walsh[ql]), float(achieved), n,
                               "Hodges-Lehmann median of Walsh averages; exact signed-rank CI")


def bootstrap_mean_change(x, y=None, confidence: float = 0.95, n_resamples: int = 9999,
                          seed: int | None = None) -> EffectResult:
    """Mean of ``x - y`` with a BCa bootstrap CI (scipy.stats.bootstrap)."""
    d = np.asarray(x, dtype=float) - (0.0 if y is None else np.asarray(y, dtype=float))
    d = d[~np.isnan(d)]
    res = stats.bootstrap((d,), np.mean, confidence_level=confidence, n_resamples=n_resamples, method="BCa",
                          random_state=np.random.default_rng(seed))
    return EffectResult(float(d.mean()), float(res.confidence_interval.low), float(res.confidence_interval.high),
                        float("nan"), f"mean change, BCa bootstrap ({n_resamples} resamples)", len(d), 0,
                        se=float(res.standard_error), effect_size=float(d.mean() / d.std(ddof=1)) if len(d) > 1
                        else float("nan"), confidence=confidence)


# --------------------------------------------------------------------------- DiD helpers

def treated(panel: pd.DataFrame) -> np.ndarray:
    """1 for pilot body-years after the pilot's baseline year, else 0."""
    pilot = panel["group"].astype(object).eq("pilot").to_numpy(bool)
    start = pd.to_numeric(panel["pilot_start"].astype(object), errors="coerce").to_numpy(float)
    year = pd.to_numeric(panel["year"].astype(object), errors="coerce").to_numpy(float)
    return (pilot & (year > np.nan_to_num(start, nan=np.inf))).astype(float)


def _fe_matrix(panel: pd.DataFrame) -> np.ndarray:
    """Body dummies + province×year dummies (one column dropped per extra set for full rank)."""
    body = pd.get_dummies(panel["unit"].astype(str), dtype=float)
    py = pd.get_dummies(panel["province"].astype(str) + "|" + panel["year"].astype(str), dtype=float)
    # drop one province×year per province: body FE already span the province intercepts
    keep = py.columns[py.columns.to_series().str.split("|").str[0].duplicated(keep="first").to_numpy()]
    return np.column_stack([body.to_numpy(), py[keep].to_numpy()])


def _residualiser(x: np.ndarray):
    """Function returning residuals of columns on ``x`` (least squares, via QR)."""
    q, r = np.linalg.qr(x)
    rank = int((np.abs(np.diag(r)) > 1e-10 * np.abs(r).max()).sum())
    q = q[:, :rank] if rank == x.shape[1] else np.linalg.svd(x, full_matrices=False)[0][:, :rank]
    return lambda v: v - q @ (q.T @ v)


def _clean_panel(panel: pd.DataFrame, outcome: str) -> pd.DataFrame:
    keep = panel.dropna(subset=[outcome]).copy()
    keep = keep[keep["group"].astype(object).isin(["pilot", "comparison"])]
    keep[outcome] = keep[outcome].astype("float64")
    for column in ("year", "pilot_start"):
        keep[column] = pd.to_numeric(keep[column].astype(object), errors="coerce").astype("float64")
    for column in ("province", "unit", "group"):
        keep[column] = keep[column].astype(str)
    return keep.sort_values(["province", "unit", "year"]).reset_index(drop=True)


def _counts(panel: pd.DataFrame) -> tuple[int, int]:
    bodies = panel.drop_duplicates("unit")
    return int((bodies["group"] == "pilot").sum()), int((bodies["group"] == "comparison").sum())


def _baseline_sd(panel: pd.DataFrame, outcome: str) -> float:
    """SD of the outcome among bodies in their first year (NaN when it is 0 or undefined)."""
    first = panel.sort_values("year").groupby("unit").first()
    sd = float(first[outcome].std(ddof=1))
    return sd if sd > 0 else float("nan")


def _within_fit(data: pd.DataFrame, outcome: str):
    """Residualiser on body FE + province×year FE, the residualised outcome, and the number of parameters not
    nested in the body clusters (province×year effects + the treatment) for the CR1 factor."""
    fe = _fe_matrix(data)
    resid = _residualiser(fe)
    return resid, resid(data[outcome].to_numpy(float)), fe.shape[1] - data["unit"].nunique() + 1


def _clustered_estimate(data: pd.DataFrame, outcome: str, d_t: np.ndarray, y_t: np.ndarray, n_par: int,
                        confidence: float) -> EffectResult:
    """OLS slope of residualised outcome on residualised treatment, SE clustered by body (CR1)."""
    if np.allclose(d_t, 0):
        raise ValueError("no variation in treatment after the fixed effects (need pilot and comparison bodies "
                         "observed before and after the pilot start)")
    beta = float(d_t @ y_t / (d_t @ d_t))
    codes, _ = pd.factorize(data["unit"].astype(str).to_numpy())
    g = codes.max() + 1
    scores = np.bincount(codes, weights=d_t * (y_t - beta * d_t), minlength=g)
    # CR1 small-sample factor; body fixed effects are nested in the body clusters and are not counted
    # (Cameron & Miller 2015; as Stata xtreg/reghdfe): counting them would inflate the SE by ~25 % here
    n_obs = len(data)
    correction = g / (g - 1) * (n_obs - 1) / max(n_obs - n_par, 1)
    se = float(math.sqrt(correction * (scores ** 2).sum()) / (d_t @ d_t))
    t = stats.t.ppf((1 + confidence) / 2, g - 1)
    p = float(2 * stats.t.sf(abs(beta / se), g - 1)) if se > 0 else float("nan")
    n_pilot, n_comparison = _counts(data)
    return EffectResult(beta, beta - t * se, beta + t * se, p,
                        "DiD, body FE + province×year FE, SE clustered by body (CR1, nested FE not counted, t G−1 df)",
                        n_pilot, n_comparison, se=se, effect_size=beta / _baseline_sd(data, outcome),
                        confidence=confidence, details={"n_obs": n_obs, "n_clusters": int(g)})


def did_within_province(panel: pd.DataFrame, outcome: str, confidence: float = 0.95) -> EffectResult:
    """DiD with body FE and province × year FE; SE clustered by body (CR1), t with G − 1 df."""
    data = _clean_panel(panel, outcome)
    resid, y_t, n_par = _within_fit(data, outcome)
    return _clustered_estimate(data, outcome, resid(treated(data)), y_t, n_par, confidence)


def _strata(bodies: pd.DataFrame, by: list[str]) -> list[np.ndarray]:
    return [idx.to_numpy() for _, idx in bodies.groupby(by, observed=True).groups.items()]


def permutation_did(panel: pd.DataFrame, outcome: str, n_permutations: int = 5000, strata: tuple = ("province",
                    "level"), seed: int | None = None, exact_limit: int = 20000) -> EffectResult:
    """DiD estimate (as :func:`did_within_province`) with a p-value from reshuffling pilot status among
    bodies within strata (province and level by default). Exact (all reassignments) when there are at most
    ``exact_limit`` of them, else Monte Carlo with ``n_permutations`` draws (p = (1 + hits) / (1 + draws))."""
    data = _clean_panel(panel, outcome)
    resid, y_t, n_par = _within_fit(data, outcome)
    bodies = data.drop_duplicates("unit")[["unit", "province", "group", "pilot_start"]
                                          + [s for s in strata if s in data and s != "province"]]
    bodies = bodies.reset_index(drop=True)
    by = [s for s in strata if s in bodies]
    unit_index = pd.Index(bodies["unit"]).get_indexer(data["unit"])
    years = data["year"].to_numpy(float)
    # a body reassigned to the pilot takes its province's pilot start year
    province_start = data[data["group"] == "pilot"].groupby("province")["pilot_start"].min().to_dict()
    post = years > bodies["province"].map(province_start).to_numpy(float)[unit_index]

    def treatment_for(flags: np.ndarray) -> np.ndarray:
        """flags: bodies (one assignment) or assignments x bodies -> treatment per body-year (columns)."""
        return (np.atleast_2d(flags)[:, unit_index] & post).T.astype(float)

    observed_flags = (bodies["group"] == "pilot").to_numpy()
    strata_idx = _strata(bodies, by)
    sizes = [(len(idx), int(observed_flags[idx].sum())) for idx in strata_idx]
    n_assignments = math.prod(math.comb(n, k) for n, k in sizes)
    rng = np.random.default_rng(seed)
    exact = n_assignments <= exact_limit
    if exact:
        per_stratum = [[np.isin(idx, list(c)) for c in itertools.combinations(idx, k)] for idx, (_, k) in
                       zip(strata_idx, sizes)]
        assignments = np.zeros((n_assignments, len(bodies)), bool)
        for row, combo in enumerate(itertools.product(*per_stratum)):
            for idx, chosen in zip(strata_idx, combo):
                assignments[row, idx] = chosen
    else:
        assignments = np.zeros((n_permutations, len(bodies)), bool)
        for idx in strata_idx:
            k = int(observed_flags[idx].sum())
            order = rng.random((n_permutations, len(idx))).argsort(axis=1)[:, :k]
            rows = np.repeat(np.arange(n_permutations), k)
            assignments[rows, idx[order].ravel()] = True
    d_t = resid(treatment_for(assignments))
    denom = (d_t * d_t).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        betas = (d_t * y_t[:, None]).sum(axis=0) / denom
    reference = _clustered_estimate(data, outcome, resid(treatment_for(observed_flags))[:, 0], y_t, n_par, 0.95)
    beta = reference.estimate
    hits = np.sum(np.abs(betas) >= abs(beta) - 1e-12)
    p = float(hits / len(betas)) if exact else float((1 + hits) / (1 + len(betas)))
    how = f"exact, {len(betas)} reassignments" if exact else f"Monte Carlo, {len(betas)} permutations"
    return EffectResult(beta, reference.ci_low, reference.ci_high, p,
                        f"DiD body FE + province×year FE; p from permutation of pilot status within "
                        f"{' × '.join(by)} ({how}); CI from SE clustered by body",
                        reference.n_pilot, reference.n_comparison, se=reference.se,
                        effect_size=reference.effect_size,
                        details={"exact": exact, "n_assignments": n_assignments, "permutation_estimates": betas})


def imputation_did(panel: pd.DataFrame, outcome: str, confidence: float = 0.95, n_resamples: int = 999,
                   seed: int | None = None) -> EffectResult:
    """Imputation estimator (Borusyak, Jaravel & Spiess 2024): body FE and province×year FE fitted on untreated
    body-years, treatment effect = mean of observed − imputed outcome over treated body-years. Event-time
    effects in ``details['event_study']``; CIs from a cluster bootstrap of bodies within province."""
    data = _clean_panel(panel, outcome)
    point, events = _imputation(data, outcome)
    rng = np.random.default_rng(seed)
    bodies = data.drop_duplicates("unit")[["unit", "province", "group"]].reset_index(drop=True)
    groups = {k: v["unit"].to_numpy() for k, v in bodies.groupby(["province", "group"])}
    by_unit = {u: f for u, f in data.groupby("unit")}
    reps, event_reps = [], []
    for _ in range(n_resamples):
        parts = []
        for members in groups.values():
            for n_new, unit in enumerate(rng.choice(members, size=len(members), replace=True)):
                parts.append(by_unit[unit].assign(unit=f"{unit}#{n_new}"))
        sample = pd.concat(parts, ignore_index=True)
        try:
            value, ev = _imputation(sample, outcome)
        except (ValueError, np.linalg.LinAlgError):
            continue
        reps.append(value)
        event_reps.append(ev.set_index("event_time")["estimate"])
    reps = np.asarray(reps)
    lo, hi = np.percentile(reps, [100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2])
    se = float(reps.std(ddof=1))
    p = float(min(1.0, 2 * min((reps <= 0).mean(), (reps >= 0).mean()) + 1 / (len(reps) + 1)))
    if event_reps:
        boot_events = pd.concat(event_reps, axis=1)
        events = events.set_index("event_time")
        events["ci_low"] = boot_events.quantile((1 - confidence) / 2, axis=1)
        events["ci_high"] = boot_events.quantile((1 + confidence) / 2, axis=1)
        events = events.reset_index()
    n_pilot, n_comparison = _counts(data)
    return EffectResult(point, float(lo), float(hi), p,
                        "imputation DiD (Borusyak-Jaravel-Spiess): FE fitted on untreated body-years; "
                        f"cluster bootstrap over bodies within province ({len(reps)} resamples)",
                        n_pilot, n_comparison, se=se, effect_size=point / _baseline_sd(data, outcome),
                        confidence=confidence, details={"event_study": events})


def _imputation(data: pd.DataFrame, outcome: str) -> tuple[float, pd.DataFrame]:
    d = treated(data).astype(bool)
    untreated = data[~d]
    body = pd.get_dummies(untreated["unit"].astype(str), dtype=float)
    py_key = untreated["province"].astype(str) + "|" + untreated["year"].astype(str)
    py = pd.get_dummies(py_key, dtype=float)
    x = np.column_stack([body.to_numpy(), py.to_numpy()])
    coef, *_ = np.linalg.lstsq(x, untreated[outcome].to_numpy(float), rcond=None)
    body_fe = dict(zip(body.columns, coef[: body.shape[1]]))
    py_fe = dict(zip(py.columns, coef[body.shape[1]:]))
    treated_rows = data[d]
    if treated_rows.empty:
        raise ValueError("no treated body-years")
    keys = treated_rows["province"].astype(str) + "|" + treated_rows["year"].astype(str)
    missing = set(treated_rows["unit"].astype(str)) - set(body_fe) | set(keys) - set(py_fe)
    if missing:
        raise ValueError(f"cannot impute untreated outcomes for {sorted(missing)[:3]} (no untreated observations)")
    imputed = treated_rows["unit"].astype(str).map(body_fe) + keys.map(py_fe)
    # the lstsq solution is one of many (collinear dummies), but body + province×year sums are identified
    effects = treated_rows[outcome].to_numpy(float) - imputed.to_numpy(float)
    event_time = (treated_rows["year"] - treated_rows["pilot_start"]).to_numpy(int)
    events = pd.DataFrame({"event_time": event_time, "effect": effects}).groupby("event_time")["effect"].agg(
        estimate="mean", n="size").reset_index()
    # reference period: the baseline year (event time 0) has effect 0 by construction
    events = pd.concat([pd.DataFrame({"event_time": [0], "estimate": [0.0], "n": [0]}), events], ignore_index=True)
    return float(effects.mean()), events


def bh_qvalues(p_values) -> np.ndarray:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values); NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


# --------------------------------------------------------------------------- the effectiveness table

EFFECTIVENESS_COLUMNS = ["outcome", "level", "rater", "estimate", "ci_low", "ci_high", "p_value", "q_value", "method",
                         "n_pilot", "n_comparison"]


def effectiveness_table(assessments: pd.DataFrame, outcomes: pd.DataFrame | None = None, units: pd.DataFrame | None = None,
                        n_permutations: int = 2000, seed: int | None = None) -> pd.DataFrame:
    """Every effectiveness estimate of a province (or several), one row each.

    Columns: ``outcome, level, rater, estimate, ci_low, ci_high, p_value, q_value, method, n_pilot,
    n_comparison`` (the contract of ``tables/effectiveness.csv``) plus ``se`` and ``effect_size`` (estimate in
    baseline SDs). ``level`` is overall / pillar / indicator / external; the primary row is ``level=overall,
    rater=council``, in points on the 0–100 scale. Estimates: within-province DiD with p-values from
    permutation of pilot status within province × level; q-values (Benjamini–Hochberg) across indicators.
    """
    from .descriptive import BODY_KEYS, consensus, overall_scores, pillar_scores

    rows = []

    def add(panel, outcome_name, level, rater, column="score"):
        try:
            res = permutation_did(panel, column, n_permutations=n_permutations, seed=seed)
        except (ValueError, np.linalg.LinAlgError, ZeroDivisionError):
            return
        rows.append({"outcome": outcome_name, "level": level, "rater": rater, "estimate": res.estimate,
                     "ci_low": res.ci_low, "ci_high": res.ci_high, "p_value": res.p_value, "q_value": np.nan,
                     "method": res.method, "n_pilot": res.n_pilot, "n_comparison": res.n_comparison, "se": res.se,
                     "effect_size": res.effect_size})

    for rater in ("council", "self"):
        add(overall_scores(assessments, rater), "overall", "overall", rater)
        pillars = pillar_scores(assessments, rater)
        for pillar, part in pillars.groupby("pillar"):
            add(part, f"pillar {int(pillar)}", "pillar", rater)
    council = consensus(assessments, "council").dropna(subset=["score_100"])
    keys = [k for k in BODY_KEYS if k in council] + ["year"]
    start = len(rows)
    for indicator in indicator_order(council["indicator"]):
        part = council[council["indicator"] == indicator]
        panel = part.groupby(keys, dropna=False, observed=True)["score_100"].mean().rename("score").reset_index()
        add(panel, f"indicator {indicator}", "indicator", "council")
    if len(rows) > start:
        block = pd.DataFrame(rows[start:])
        q = bh_qvalues(block["p_value"])
        for offset, value in enumerate(q):
            rows[start + offset]["q_value"] = value
    if outcomes is not None and units is not None and len(outcomes):
        merged = outcomes  # outcome rows carry their body's columns (group, level, pilot start) since ingest
        for measure, part in merged.groupby("measure"):
            add(part.rename(columns={"value": "score"}), str(measure), "external", "")
    table = pd.DataFrame(rows, columns=EFFECTIVENESS_COLUMNS + ["se", "effect_size"])
    table.attrs.update(method="within-province DiD (body FE + province×year FE); p by permutation of pilot status "
                              "within province × level; CI from SE clustered by body; BH q-values across indicators")
    return table


def pre_post(panel: pd.DataFrame, outcome: str = "score", seed: int | None = None) -> pd.DataFrame:
    """Pilot bodies' change from their first to their second year: Wilcoxon signed-rank test, Hodges–Lehmann
    estimate (exact CI) and mean change (BCa bootstrap). Without a comparison group this cannot separate the
    pilot from common trends; it is shown beside the DiD, not instead of it."""
    pilots = panel[panel["group"].astype(str) == "pilot"]
    years = sorted(pilots["year"].dropna().unique())
    if len(years) < 2:
        raise ValueError("pre/post needs pilot bodies observed in two years")
    wide = pilots[pilots["year"].isin(years[:2])].pivot_table(index="unit", columns="year", values=outcome).dropna()
    after, before = wide[years[1]].to_numpy(float), wide[years[0]].to_numpy(float)
    w = wilcoxon_signed_rank(after, before)
    hl = hodges_lehmann(after, before)
    mean = bootstrap_mean_change(after, before, seed=seed)
    return pd.DataFrame([
        {"method": w.method, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": w.p_value, "n": w.n},
        {"method": hl.method, "estimate": hl.estimate, "ci_low": hl.ci_low, "ci_high": hl.ci_high, "p_value": np.nan,
         "n": hl.n},
        {"method": mean.method, "estimate": mean.estimate, "ci_low": mean.ci_low, "ci_high": mean.ci_high,
         "p_value": np.nan, "n": mean.n_pilot}])

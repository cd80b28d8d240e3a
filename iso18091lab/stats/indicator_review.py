"""Can the indicators be trusted? Two separate questions, dataset-level tables built on ``stats.reliability``.

1. **Can the indicator be scored consistently?** Council members' agreement per indicator (where members'
   own scores exist), the *consistency* of self and council scores, ICC(C,1) (a constant self-inflation does
   not lower it), and the indicator's place in its pillar (alpha, omega, item-rest correlation).
2. **Do bodies score themselves leniently?** Self − council in points on 0–100 with a CR1 cluster-robust CI
   (clustered by body, t(bodies − 1)): overall, by pillar, by indicator and per body.

Mixing the two is what went wrong before: a constant inflation lowers the *absolute-agreement* ICC(A,1) of
every indicator, so an offset read as "the indicators are unreliable". A flag here names its rule and fires
only when the interval, not the point estimate, clears the threshold (:data:`FLAG_RULES`).

Every function takes the clean assessments table (``iso18091lab.load(...).assessments``); bodies are
``body_id`` (names repeat), subjects are body-waves (body_id, year, round); uncertainty of between-body
quantities treats the body as the unit (a cluster-robust interval or a resampling of bodies), which keeps a
body's waves together. Whether the set "can be scored consistently" is decided by
:func:`stats.verdict.indicator_set_verdict` from the intervals, never from the absence of flags. Bad input raises ``ValueError``; data that cannot support an
analysis (no self scores, no council members ...) raises :class:`iso18091lab.stats.NotEstimable`.

Interpretation bands: ICC after Koo & Li (2016) — below 0.50 poor, 0.50–0.75 moderate, 0.75–0.90 good, above
0.90 excellent; kappa after Landis & Koch (1977). Koo & Li advise reading the band of the whole 95% CI:
:func:`band_ci_key` gives "poor/moderate" when the interval spans two bands and "uncertain" when it spans more
(worded by :func:`iso18091lab.render.reliability.band_text`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from iso18091lab.catalog import indicator_order, indicator_sort_key
from iso18091lab.stats import NotEstimable, method_part, method_token
from iso18091lab.stats import reliability as rel

LIGHTS = ["red", "yellow", "green"]
ICC_BANDS = [(0.5, "poor"), (0.75, "moderate"), (0.9, "good"), (np.inf, "excellent")]
KAPPA_BANDS = [(0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"), (0.8, "substantial"),
               (np.inf, "almost perfect")]

#: Minimum number of bodies (distinct ``body_id``) for a between-body statistic, and the one minimum number of
#: clusters of every CR1 interval here (bodies; a single body's indicators in :func:`self_inflation_by_body`):
#: the CR1 interval with t(G − 1) keeps its 95 % coverage from 3 clusters (``docs/methods.md``). Fewer raise
#: :class:`NotEstimable` (``too_few``) or leave the scope's interval empty (``not_estimable`` = ``too_few_bodies``).
MIN_BODIES = 3
#: Below this many bodies with members' scores, the council-size CIs (bootstrap over bodies) are only indicative.
FEW_MEMBER_BODIES = 10

#: The flag rules: name -> (threshold, description). A rule fires on the confidence interval, so neither a
#: constant offset (it does not enter ICC(C,1), item-rest r or alpha) nor noise (wide intervals) can trigger it.
FLAG_RULES = {
    "members_disagree": (0.5, "council members' ICC(A,1) on the indicator: upper 95% bound below 0.5"),
    "self_council_inconsistent": (0.5, "self vs council consistency ICC(C,1): upper 95% bound below 0.5"),
    "weak_item_rest": (0.3, "item-rest correlation within the pillar: upper 95% bound (Fisher z) below 0.3"),
    "alpha_rises_if_dropped": (0.02, "pillar alpha without the indicator is higher by at least 0.02 and the "
                                     "bootstrap 95% CI of the gain is above 0"),
    "floor_or_ceiling": (0.15, "share of scores at 0 or at 100: lower 95% bound (Wilson) above 15%"),
}

ASSESSMENT_COLUMNS = ["body_id", "year", "round", "rater", "rater_id", "indicator", "pillar", "score_100"]


# --------------------------------------------------------------------------- words

def band(value: float, kind: str = "icc") -> str:
    """Koo & Li band for an ICC (``kind='icc'``) or Landis & Koch band for a kappa (``kind='kappa'``), as a key
    (its English name; words: :func:`iso18091lab.render.reliability.band_text`); "–" for a missing value."""
    if kind not in ("icc", "kappa"):
        raise ValueError("kind must be 'icc' or 'kappa'")
    if value is None or value != value:
        return "–"
    if kind == "icc":
        name = next(n for limit, n in ICC_BANDS if value < limit)
    else:
        name = "poor" if value < 0 else next(n for limit, n in KAPPA_BANDS[1:] if value <= limit)
    return name


def band_ci_key(value: float, low: float, high: float, kind: str = "icc") -> str:
    """The band of a whole confidence interval (Koo & Li 2016's advice) as a key: the band's English name when
    both ends fall in it, ``"low/high"`` (e.g. ``"poor/moderate"``) when the interval spans two adjacent bands,
    ``"uncertain"`` when it spans three or more or is missing. The interval decides, never ``value`` (a
    percentile bootstrap interval need not contain its estimate)."""
    if any(v is None or v != v for v in (value, low, high)):
        return "uncertain"
    names = [n for _, n in (ICC_BANDS if kind == "icc" else KAPPA_BANDS)]
    lo_name, hi_name = band(low, kind), band(min(high, 1.0), kind)
    span = names.index(hi_name) - names.index(lo_name)
    if span == 0:
        return lo_name
    if span == 1:
        return f"{lo_name}/{hi_name}"
    return "uncertain"


# --------------------------------------------------------------------------- input

def _check(assessments, what: str) -> pd.DataFrame:
    if not isinstance(assessments, pd.DataFrame):
        raise ValueError(f"{what} needs the assessments DataFrame, not {type(assessments).__name__}")
    missing = [c for c in ASSESSMENT_COLUMNS if c not in assessments.columns]
    if missing:
        raise ValueError(f"{what}: the assessments table lacks column(s) {missing}")
    if assessments.empty:
        raise NotEstimable("no_data", f"{what}: the assessments table is empty")
    scores = pd.to_numeric(assessments["score_100"].astype(object), errors="coerce")
    bad = assessments["score_100"].notna() & scores.isna()
    if bad.any():
        raise ValueError(f"{what}: score_100 must be numbers; found {sorted(map(str, assessments.loc[bad, 'score_100']))[:5]}")
    out = assessments.copy()
    out["score_100"] = scores.astype(float)
    out["rater_id"] = out["rater_id"].astype(object).where(out["rater_id"].notna() & (out["rater_id"].astype(str) != ""),
                                                           None)
    out["wave"] = out["body_id"].astype(str) + "\x1f" + out["year"].astype(str) + "\x1f" + out["round"].astype(str)
    return out


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of the values as text (as :func:`stats.reliability.variance_components` tells levels
    apart) and how many there are."""
    codes, uniques = pd.factorize(values.astype(str))
    return codes.astype(np.int64), len(uniques)


def _wave_body(a: pd.DataFrame) -> dict:
    """body-wave key -> body_id (the key is never parsed: body ids may contain any character). One entry per
    key, its last row's body_id (as a dict of every row would keep), from the distinct keys only."""
    last = a[["wave", "body_id"]].drop_duplicates("wave", keep="last")
    return dict(zip(last["wave"].to_numpy(object), last["body_id"].to_numpy(object)))


def _consensus(a: pd.DataFrame, rater: str) -> pd.DataFrame:
    rows = a[a["rater_id"].isna() & (a["rater"] == rater)].dropna(subset=["score_100"])
    rel.check_duplicates(rows, ["wave", "indicator"], f"{rater} scores")
    return rows


def _need(rows: pd.DataFrame, reason: str, what: str) -> None:
    if rows.empty:
        raise NotEstimable(reason, f"{what}: {reason.replace('_', ' ')}")


def _enough_bodies(n: int, what: str) -> None:
    if n < MIN_BODIES:
        raise NotEstimable("too_few", f"{what}: {n} bodies", detail=f"{n} < {MIN_BODIES}")


def _paired(a: pd.DataFrame) -> pd.DataFrame:
    """Self and council consensus side by side: one row per body-wave and indicator scored by both."""
    self_rows, council = _consensus(a, "self"), _consensus(a, "council")
    _need(self_rows, "no_self", "self vs council")
    _need(council, "no_council", "self vs council")
    keys = ["wave", "body_id", "indicator", "pillar"]
    both = self_rows[keys + ["score_100"]].merge(council[keys + ["score_100"]], on=keys, suffixes=("_self", "_council"))
    both = both.rename(columns={"score_100_self": "self", "score_100_council": "council"})
    both["diff"] = both["self"] - both["council"]
    return both


def _resample_counts(n_clusters: int, n_resamples: int, seed) -> np.ndarray:
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive whole number, not {n_resamples!r}")
    rng = np.random.default_rng(seed)
    chosen = rng.integers(0, n_clusters, size=(n_resamples, n_clusters))
    return np.bincount((np.arange(n_resamples)[:, None] * n_clusters + chosen).ravel(),
                       minlength=n_resamples * n_clusters).reshape(n_resamples, n_clusters).astype(float)


def _percentiles(reps: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanpercentile(reps, 100 * (1 - confidence) / 2, axis=0)
            hi = np.nanpercentile(reps, 100 * (1 + confidence) / 2, axis=0)
    return lo, hi


# --------------------------------------------------------------------------- question 2: leniency

def self_inflation(assessments: pd.DataFrame, n_resamples: int | None = None, seed=None,
                   confidence: float = 0.95) -> pd.DataFrame:
    """Self − council in points (0–100): ``scope`` (``overall``, ``pillar N``, indicator id), ``estimate``,
    ``se``, ``ci_low``, ``ci_high``, ``df``, ``n_bodies``, ``n_pairs``, ``not_estimable``.

    The estimate is the mean difference over the body-wave-indicator cells scored by both. The sampling unit
    is the body (the question is about bodies scoring themselves; a body's waves and indicators share its
    staff and habits), so the CI is the CR1 cluster-robust interval clustered by body with t(G − 1), G = bodies
    in the scope (:func:`stats.reliability.cr1_means`; as statsmodels OLS ``cov_type="cluster"``). It keeps
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
    rel._check_confidence(confidence)
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
    cr1 = rel.cr1_means(sums, sizes, confidence)
    few = cr1["n_clusters"] < MIN_BODIES
    for key in ("se", "ci_low", "ci_high", "df"):
        cr1[key] = np.where(few, np.nan, cr1[key])
    out = pd.DataFrame({"scope": [name for name, _ in scopes], "estimate": cr1["estimate"], "se": cr1["se"],
                        "ci_low": cr1["ci_low"], "ci_high": cr1["ci_high"], "df": cr1["df"],
                        "n_bodies": cr1["n_clusters"], "n_pairs": cr1["n"],
                        "not_estimable": np.where(few, "too_few_bodies", ""),
                        "method": method_token("inflation_cr1_body", level=rel._level(confidence),
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
    rel._check_confidence(confidence)
    a = _check(assessments, "self_inflation_by_body")
    paired = _paired(a)
    labels = a.drop_duplicates("body_id").set_index("body_id")["body_label"] if "body_label" in a else None
    rows = []
    for body, part in paired.groupby("body_id", sort=True):
        record = {"body_id": body, "body_label": labels.get(body, body) if labels is not None else body,
                  "estimate": float(part["diff"].mean()), "ci_low": np.nan, "ci_high": np.nan,
                  "n_indicators": int(part["indicator"].nunique()), "n_pairs": len(part)}
        if record["n_indicators"] >= MIN_BODIES:
            ci = rel.cluster_robust_mean(part["diff"].to_numpy(float), part["indicator"].astype(str).to_numpy(),
                                         confidence)
            record.update(ci_low=ci["ci_low"], ci_high=ci["ci_high"])
        rows.append(record)
    out = pd.DataFrame(rows).sort_values(["estimate", "body_id"], ascending=[False, True]).reset_index(drop=True)
    out["method"] = method_token("inflation_cr1_indicator", level=rel._level(confidence), min_indicators=MIN_BODIES)
    return out


# --------------------------------------------------------------------------- question 1: consistency

def self_council_consistency(assessments: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per indicator: consistency of self and council scores over body-waves, ICC(C,1) with its exact
    McGraw-Wong CI (a constant self-inflation does not change it), and, for contrast, the absolute-agreement
    ICC(A,1), which an offset lowers. Indicators scored by fewer than :data:`MIN_BODIES` bodies get no ICC.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        ``indicator, pillar, n_bodies, n_pairs, icc_c1, icc_c1_ci_low, icc_c1_ci_high, icc_a1, method``
        (``method``: ``self_council_icc_c1``).

    References
    ----------
    McGraw, K. O. & Wong, S. P. (1996). Forming inferences about some intraclass correlation coefficients.
    Psychological Methods 1(1), 30-46.

    Examples
    --------
    >>> out = self_council_consistency(_example(n_bodies=8))
    >>> len(out), bool((out["icc_c1"] > out["icc_a1"]).all()), out.loc[0, "method"].split()[0]
    (6, True, 'self_council_icc_c1')
    """
    rel._check_confidence(confidence)
    paired = _paired(_check(assessments, "self_council_consistency"))
    rows = []
    for indicator, part in paired.groupby("indicator", sort=False):
        record = {"indicator": indicator, "pillar": int(part["pillar"].iloc[0]), "n_bodies": part["body_id"].nunique(),
                  "n_pairs": len(part), "icc_c1": np.nan, "icc_c1_ci_low": np.nan, "icc_c1_ci_high": np.nan,
                  "icc_a1": np.nan}
        if record["n_bodies"] >= MIN_BODIES and part[["self", "council"]].to_numpy().std() > 0:
            long = part.melt(id_vars=["wave"], value_vars=["self", "council"], var_name="rater", value_name="score")
            with np.errstate(all="ignore"):
                icc = rel.icc(long, "wave", "rater", "score", confidence)
            record.update(icc_c1=icc.loc["ICC3", "icc"], icc_c1_ci_low=icc.loc["ICC3", "ci_low"],
                          icc_c1_ci_high=icc.loc["ICC3", "ci_high"], icc_a1=icc.loc["ICC2", "icc"])
        rows.append(record)
    out = pd.DataFrame(rows).sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    out["method"] = method_token("self_council_icc_c1", level=rel._level(confidence), min_bodies=MIN_BODIES)
    return out


def _example(n_bodies: int = 6, members: int = 0, seed: int = 0) -> pd.DataFrame:
    """A small synthetic assessments table for the docstrings' Examples (synthetic: not real data): bodies
    scored once on six indicators of two pillars by self and council (self 5 points higher), and by
    ``members`` council members each."""
    rng = np.random.default_rng(seed)
    rows = []
    for b in range(n_bodies):
        body = rng.normal(60, 10)
        for indicator in ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3"):
            true = body + rng.normal(0, 5)
            rows += [(f"B{b}", 2024, 1, "council", None, indicator, int(indicator[0]), true + rng.normal(0, 3)),
                     (f"B{b}", 2024, 1, "self", None, indicator, int(indicator[0]), true + 5 + rng.normal(0, 3))]
            rows += [(f"B{b}", 2024, 1, "council", f"M{m}", indicator, int(indicator[0]), true + rng.normal(0, 4))
                     for m in range(members)]
    return pd.DataFrame(rows, columns=ASSESSMENT_COLUMNS)


def _members(a: pd.DataFrame) -> pd.DataFrame:
    members = a[a["rater_id"].notna() & (a["rater"] == "council")].dropna(subset=["score_100"])
    _need(members, "no_members", "council members")
    rel.check_duplicates(members, ["wave", "indicator", "rater_id"], "member scores")
    return members


def member_agreement(assessments: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per indicator, where council members' own scores exist: ICC(A,1) among members from REML variance
    components (every rating kept, as R ``psych::ICC``), its McGraw-Wong bounds on those components (psych's
    bounds; exact for complete data), and the members' spread for one body, ``member_sd`` (points: the root
    mean within-body-wave variance).

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table; members' own scores are the council rows with a ``rater_id``.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        ``indicator, pillar, n_bodies, n_members, member_icc, member_icc_ci_low, member_icc_ci_high, member_sd,
        method`` (``method``: ``member_icc_reml``).

    References
    ----------
    McGraw, K. O. & Wong, S. P. (1996). Psychological Methods 1(1), 30-46. Revelle, W. psych, ``ICC``
    (lmer = TRUE).

    Examples
    --------
    >>> out = member_agreement(_example(n_bodies=6, members=3))
    >>> len(out), int(out.loc[0, "n_members"]), out.loc[0, "method"].split()[0]
    (6, 3, 'member_icc_reml')
    """
    rel._check_confidence(confidence)
    members = _members(_check(assessments, "member_agreement"))
    rows = []
    for indicator, part in members.groupby("indicator", sort=False):
        rated = part.groupby("wave")["rater_id"].transform("size") >= 2
        part = part[rated]
        record = {"indicator": indicator, "pillar": int(members.loc[members["indicator"] == indicator, "pillar"].iloc[0]),
                  "n_bodies": part["body_id"].nunique(), "n_members": part["rater_id"].nunique(),
                  "member_icc": np.nan, "member_icc_ci_low": np.nan, "member_icc_ci_high": np.nan,
                  "member_sd": np.nan}
        if len(part):
            within = part.groupby("wave")["score_100"].var(ddof=1)
            record["member_sd"] = float(np.sqrt(within.mean()))
        if part["wave"].nunique() >= MIN_BODIES and record["n_members"] >= 2 and part["score_100"].std() > 0:
            try:
                with np.errstate(all="ignore"):
                    icc = rel.icc_reml(part, "wave", "rater_id", "score_100", confidence)
                record.update(member_icc=icc.loc["ICC2", "icc"], member_icc_ci_low=icc.loc["ICC2", "ci_low"],
                              member_icc_ci_high=icc.loc["ICC2", "ci_high"])
            except ValueError:
                pass
        rows.append(record)
    out = pd.DataFrame(rows).sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    out["method"] = method_token("member_icc_reml", level=rel._level(confidence))
    return out


def _wide(rows: pd.DataFrame, pillar) -> pd.DataFrame:
    """Body-waves x the pillar's indicators from consensus rows (:func:`_consensus`)."""
    rows = rows[rows["pillar"] == pillar]
    return rows.pivot(index="wave", columns="indicator", values="score_100")


def internal_consistency(assessments: pd.DataFrame, rater: str = "council", omega: bool = True) -> pd.DataFrame:
    """Per pillar: Cronbach's alpha (Feldt 95 % CI) and McDonald's omega over body-waves (listwise deletion).

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table.
    rater : str
        ``"council"`` or ``"self"``: whose consensus scores.
    omega : bool
        False leaves omega empty (its one-factor fit is most of the cost).

    Returns
    -------
    DataFrame
        ``pillar, k, n_body_years, n_bodies, alpha, alpha_ci_low, alpha_ci_high, omega, method``
        (``method``: ``pillar_alpha_omega`` with whose scores).

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika 16(3), 297-334. Feldt, L. S. (1965). Psychometrika 30(3), 357-370.
    McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum.

    Examples
    --------
    >>> out = internal_consistency(_example(n_bodies=8))
    >>> list(out["pillar"]), bool((out["alpha"] > 0.5).all()), out.loc[0, "method"].split()[0]
    ([1, 2], True, 'pillar_alpha_omega')
    """
    a = _check(assessments, "internal_consistency")
    rows = _consensus(a, rater)
    _need(rows, "no_council" if rater == "council" else "no_self", "internal_consistency")
    out = []
    wave_body = _wave_body(a)
    for pillar in sorted(rows["pillar"].dropna().unique()):
        wide = _wide(rows, pillar)
        complete = wide.dropna()
        record = {"pillar": int(pillar), "k": wide.shape[1], "n_body_years": len(complete),
                  "n_bodies": int(complete.index.map(wave_body).nunique()),
                  "alpha": np.nan, "alpha_ci_low": np.nan, "alpha_ci_high": np.nan, "omega": np.nan}
        try:
            alpha = rel.cronbach_alpha(wide)
            record.update(alpha=alpha.alpha, alpha_ci_low=alpha.ci_low, alpha_ci_high=alpha.ci_high)
            if omega:
                record["omega"] = rel.mcdonald_omega(wide).omega
        except ValueError:
            pass
        out.append(record)
    frame = pd.DataFrame(out)
    if frame["alpha"].isna().all():
        raise NotEstimable("no_complete_pillar", "internal_consistency: no pillar has enough complete body-waves",
                           min=2)
    frame["method"] = method_token("pillar_alpha_omega", level=95, scores=method_part(f"scores_{rater}"))
    return frame


def _alpha_from_cov(cov: np.ndarray) -> np.ndarray:
    """Alpha from covariance matrices (..., k, k); NaN where the total variance is 0 (every body the same, e.g.
    a bootstrap replicate of one body), where alpha is undefined."""
    k = cov.shape[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return k / (k - 1) * (1 - np.trace(cov, axis1=-2, axis2=-1) / cov.sum(axis=(-2, -1)))


def item_review(assessments: pd.DataFrame, rater: str = "council", n_resamples: int = 1000, seed=None,
                confidence: float = 0.95) -> pd.DataFrame:
    """Per indicator within its pillar (``rater`` consensus scores, body-waves, listwise deletion):
    item-rest correlation with a Fisher-z CI; alpha if the indicator is dropped and the gain over the pillar's
    alpha with a bootstrap CI (resampling bodies, vectorised through the resampled covariance matrices); shares
    of scores at 0 and 100 with Wilson lower bounds.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table.
    rater : str
        ``"council"`` or ``"self"``.
    n_resamples : int
        Bootstrap resamples of bodies.
    seed : int, optional
        Seed of the resampling.
    confidence : float
        Level of the intervals.

    Returns
    -------
    DataFrame
        One row per indicator: ``indicator, pillar, n_body_years, item_rest_r, item_rest_ci_low,
        item_rest_ci_high, pillar_alpha, alpha_if_deleted, alpha_gain, alpha_gain_ci_low, alpha_gain_ci_high,
        floor_share, floor_ci_low, ceiling_share, ceiling_ci_low, method`` (``item_rest_review``).

    References
    ----------
    Fisher, R. A. (1921). Metron 1, 3-32 (z transform). Wilson, E. B. (1927). JASA 22(158), 209-212.
    Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.

    Examples
    --------
    >>> out = item_review(_example(n_bodies=8), n_resamples=50, seed=1)
    >>> len(out), bool(out["item_rest_r"].notna().all()), out.loc[0, "method"].split()[0]
    (6, True, 'item_rest_review')
    """
    rel._check_confidence(confidence)
    a = _check(assessments, "item_review")
    rows_all = _consensus(a, rater)
    _need(rows_all, "no_council" if rater == "council" else "no_self", "item_review")
    z = sps.norm.ppf((1 + confidence) / 2)
    parts = []
    wave_body = _wave_body(a)
    for j, pillar in enumerate(sorted(rows_all["pillar"].dropna().unique())):
        wide = _wide(rows_all, pillar).dropna()
        items = list(wide.columns)
        base = {"pillar": int(pillar), "n_body_years": len(wide)}
        if len(items) < 3 or len(wide) < 4:
            parts += [{"indicator": i, **base} for i in items]
            continue
        x = wide.to_numpy(float)
        n, k = x.shape
        total = x.sum(axis=1)
        alpha = float(_alpha_from_cov(np.cov(x, rowvar=False)))
        body_codes, bodies = pd.factorize(pd.Series(wide.index.map(wave_body)))
        counts = _resample_counts(len(bodies), n_resamples, None if seed is None else [seed, j])[:, body_codes]
        w = counts / counts.sum(axis=1, keepdims=True)
        mean = w @ x
        second = (w @ (x[:, :, None] * x[:, None, :]).reshape(n, k * k)).reshape(-1, k, k)  # one BLAS product
        cov = second - mean[:, :, None] * mean[:, None, :]
        alpha_reps = _alpha_from_cov(cov)
        for c, indicator in enumerate(items):
            rest = total - x[:, c]
            r = np.corrcoef(x[:, c], rest)[0, 1] if x[:, c].std() > 0 and rest.std() > 0 else np.nan
            se = 1 / np.sqrt(n - 3)
            keep = [i for i in range(k) if i != c]
            without = float(_alpha_from_cov(np.cov(x[:, keep], rowvar=False)))
            with np.errstate(invalid="ignore"):  # a replicate with no alpha on either side (-inf - -inf): NaN,
                gain_reps = _alpha_from_cov(cov[:, keep][:, :, keep]) - alpha_reps  # which _percentiles leaves out
            lo, hi = _percentiles(gain_reps[:, None], confidence)
            parts.append({"indicator": indicator, **base, "item_rest_r": r,
                          "item_rest_ci_low": np.tanh(np.arctanh(r) - z * se) if r == r and abs(r) < 1 else np.nan,
                          "item_rest_ci_high": np.tanh(np.arctanh(r) + z * se) if r == r and abs(r) < 1 else np.nan,
                          "pillar_alpha": alpha, "alpha_if_deleted": without, "alpha_gain": without - alpha,
                          "alpha_gain_ci_low": float(lo[0]), "alpha_gain_ci_high": float(hi[0])})
    review = pd.DataFrame(parts)
    for column in ("item_rest_r", "item_rest_ci_low", "item_rest_ci_high", "pillar_alpha", "alpha_if_deleted",
                   "alpha_gain", "alpha_gain_ci_low", "alpha_gain_ci_high"):
        if column not in review:
            review[column] = np.nan
    fc = rel.floor_ceiling(rows_all[["indicator", "score_100"]])
    n_fc = fc["n"].to_numpy(float)
    for side in ("floor", "ceiling"):
        share = fc[f"{side}_share"].to_numpy(float)
        centre = (share + z ** 2 / (2 * n_fc)) / (1 + z ** 2 / n_fc)
        half = z * np.sqrt(share * (1 - share) / n_fc + z ** 2 / (4 * n_fc ** 2)) / (1 + z ** 2 / n_fc)
        fc[f"{side}_ci_low"] = centre - half
    fc = fc.drop(columns=["n", "method"])
    review = review.merge(fc, on="indicator", how="outer") if len(review) else fc
    review = review.sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    review["method"] = method_token("item_rest_review", level=rel._level(confidence), resamples=int(n_resamples))
    return review


# --------------------------------------------------------------------------- council size (G and D study)

def council_g_study(assessments: pd.DataFrame) -> rel.VarianceComponents:
    """The G study of council members' scores in an assessments table: variance components (body-wave,
    indicator, body-wave x indicator, member, residual) by REML, missing ratings allowed.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table; council members' own scores are the rows with a ``rater_id``.

    Returns
    -------
    VarianceComponents
        :func:`stats.reliability.g_study` on the members' rows (``body`` = body-wave, ``rater`` = member).

    Raises
    ------
    NotEstimable
        No members' scores, fewer than :data:`MIN_BODIES` bodies or one member.

    References
    ----------
    Brennan, R. L. (2001). Generalizability Theory. Springer.

    Examples
    --------
    >>> g = council_g_study(_example(n_bodies=6, members=3, seed=1))
    >>> list(g.table["component"]), g.levels["body"], g.levels["rater"]
    (['body', 'indicator', 'body_indicator', 'rater', 'residual'], 6, 3)
    """
    members = _members(_check(assessments, "council_g_study"))
    _enough_bodies(members["body_id"].nunique(), "council_g_study")
    if members["rater_id"].nunique() < 2:
        raise NotEstimable("one_member", "council_g_study: one council member")
    return rel.g_study(members, "score_100", "wave", "rater_id", "indicator")


@dataclass(frozen=True, eq=False)
class DStudy:
    """The council's D study (:func:`council_d_study`).

    ``table``: ``raters, reliability, ci_low, ci_high, reliability_relative`` for councils of 1 … m members;
    ``method`` its method key and values; ``needed`` the smallest council reaching each reliability target
    ({0.8: m, 0.9: m}) and ``needed_ci`` their bootstrap intervals (NaN when no resample could be refitted);
    ``components`` the G-study variances; ``n_bodies``, ``n_members`` the data; ``n_resamples`` the bootstrap
    resamples that could be refitted; ``confidence`` the intervals' level; ``g_study`` the G study it rests on
    (:func:`council_g_study`, fitted once: a report reads it here instead of fitting it again)."""

    table: pd.DataFrame
    method: str
    needed: dict
    needed_ci: dict
    components: dict = field(repr=False)
    n_bodies: int
    n_members: int
    n_resamples: int
    confidence: float = 0.95
    g_study: rel.VarianceComponents | None = field(default=None, repr=False)


def council_d_study(assessments: pd.DataFrame, max_raters: int = 7, n_resamples: int = 200, seed=None,
                    confidence: float = 0.95) -> DStudy:
    """The council's D study: reliability of one body's indicator score from a council of m = 1 …
    ``max_raters`` members, and the smallest council reaching 0.8 and 0.9.

    ``reliability`` is the dependability Phi (absolute: members' leniency counts as error); its CIs come from a
    cluster bootstrap of bodies (all their waves) refitting the REML G study (:func:`council_g_study`).

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table (members' own scores: rows with a ``rater_id``).
    max_raters : int
        The largest council in the table.
    n_resamples, seed : int
        Cluster-bootstrap resamples of bodies and the seed drawing them.
    confidence : float
        Level of the intervals of the D study and of the council sizes.

    Returns
    -------
    DStudy
        ``table``, ``needed`` and ``needed_ci`` (:func:`stats.reliability.raters_needed` on the fit and on each
        resample), ``components``, ``n_bodies``, ``n_members``, ``n_resamples``, ``method``
        (``d_study_phi``), ``g_study`` (the fit of :func:`council_g_study`).

    References
    ----------
    Brennan, R. L. (2001). Generalizability Theory. Springer (D studies, Phi). Field, C. A. & Welsh, A. H.
    (2007). Bootstrapping clustered data. JRSS B 69(3), 369-390.

    Examples
    --------
    >>> d = council_d_study(_example(n_bodies=8, members=3, seed=1), max_raters=4, n_resamples=20, seed=1)
    >>> sorted(d.needed), list(d.table["raters"]), d.n_bodies, d.n_members
    ([0.8, 0.9], [1, 2, 3, 4], 8, 3)
    """
    rel._check_confidence(confidence)
    if not isinstance(max_raters, (int, np.integer)) or max_raters < 1:
        raise ValueError("max_raters must be a positive whole number")
    a = _check(assessments, "council_d_study")
    members = _members(a)
    components = council_g_study(a)
    table = rel.d_study(components, range(1, max_raters + 1))
    needed = {t: rel.raters_needed(components, t) for t in (0.8, 0.9)}
    # cluster bootstrap: resample bodies (all their waves), refit the G study
    # (each copy of a body is a body of its own: its body-waves are keyed by (copy, body-wave); the scores are
    # refitted from integer keys, in the row order of the resampled frame: the bodies' rows one copy after another)
    bodies = members["body_id"].unique()
    rng = np.random.default_rng(seed)
    body_code = pd.Index(bodies).get_indexer(members["body_id"])
    rows_of = np.split(np.argsort(body_code, kind="stable"), np.cumsum(np.bincount(body_code))[:-1])
    score = members["score_100"].to_numpy(float)
    wave_code, n_waves = _codes(members["wave"])
    indicator_code, _ = _codes(members["indicator"])
    rater_code, _ = _codes(members["rater_id"])
    reps, need_reps = [], {t: [] for t in needed}
    for _ in range(n_resamples):
        chosen = rng.integers(0, len(bodies), len(bodies))
        rows = np.concatenate([rows_of[c] for c in chosen])
        copy = np.repeat(np.arange(len(chosen)), [len(rows_of[c]) for c in chosen])
        try:
            comp = rel._g_study_codes(score[rows], copy * n_waves + wave_code[rows], indicator_code[rows],
                                      rater_code[rows], start=components.theta)
            reps.append(rel.d_study(comp, range(1, max_raters + 1))["reliability"].to_numpy())
            for t in needed:
                need_reps[t].append(rel.raters_needed(comp, t))
        except ValueError:
            continue
    if reps:
        lo, hi = _percentiles(np.array(reps), confidence)
        table["ci_low"], table["ci_high"] = lo, hi
        needed_ci = {t: (int(np.percentile(need_reps[t], 100 * (1 - confidence) / 2, method="lower")),
                         int(np.percentile(need_reps[t], 100 * (1 + confidence) / 2, method="higher")))
                     for t in needed}
    else:
        table["ci_low"] = table["ci_high"] = np.nan
        needed_ci = {t: (np.nan, np.nan) for t in needed}
    table = table[["raters", "reliability", "ci_low", "ci_high", "reliability_relative"]]
    return DStudy(table, method_token("d_study_phi", level=rel._level(confidence), resamples=len(reps)), needed,
                  needed_ci, dict(zip(components.table["component"], components.table["variance"])),
                  int(len(bodies)), int(members["rater_id"].nunique()), len(reps), confidence, components)


# --------------------------------------------------------------------------- the review table and flags

def _flag_reasons(row) -> list[str]:
    why = []
    get = lambda name: row.get(name, np.nan)  # noqa: E731
    if get("member_icc_ci_high") == get("member_icc_ci_high") and get("member_icc_ci_high") < FLAG_RULES["members_disagree"][0]:
        why.append("members_disagree")
    if get("icc_c1_ci_high") == get("icc_c1_ci_high") and get("icc_c1_ci_high") < FLAG_RULES["self_council_inconsistent"][0]:
        why.append("self_council_inconsistent")
    if get("item_rest_ci_high") == get("item_rest_ci_high") and get("item_rest_ci_high") < FLAG_RULES["weak_item_rest"][0]:
        why.append("weak_item_rest")
    gain, gain_low = get("alpha_gain"), get("alpha_gain_ci_low")
    if gain == gain and gain_low == gain_low and gain >= FLAG_RULES["alpha_rises_if_dropped"][0] and gain_low > 0:
        why.append("alpha_rises_if_dropped")
    limit = FLAG_RULES["floor_or_ceiling"][0]
    if any(get(c) == get(c) and get(c) > limit for c in ("floor_ci_low", "ceiling_ci_low")):
        why.append("floor_or_ceiling")
    return why


@dataclass(frozen=True, eq=False)
class IndicatorReview:
    """The review of the indicators (:func:`review_indicators`).

    ``table``: one row per indicator (``tables/indicator_review.csv``); ``not_estimable``: the parts the data
    cannot support, as (part, :class:`NotEstimable`) in the order they were tried (``review`` when there is no
    data at all; else ``members``, ``self_council``, ``items``, ``inflation``); ``method``: the flag rules'
    key and thresholds (``flag_rules``)."""

    table: pd.DataFrame
    not_estimable: list = field(default_factory=list)
    method: str = ""


def review_indicators(assessments: pd.DataFrame, catalog: pd.DataFrame | None = None, n_resamples: int = 1000,
                      seed=None, confidence: float = 0.95) -> IndicatorReview:
    """The indicator review: per indicator, the measures of question 1, the mean self − council of question 2
    (not a flag), and the flags.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table.
    catalog : DataFrame, optional
        ``indicator, pillar`` of every indicator to review (default: those in the data).
    n_resamples, seed, confidence
        Passed to the parts: the bootstrap of the alpha gain (:func:`item_review`) and every interval's level.

    Returns
    -------
    IndicatorReview
        ``table``: one row per indicator with members' ICC(A,1), self–council ICC(C,1), item-rest r, alpha if
        dropped, floor/ceiling, self − council, ``flag`` and ``reason`` (rule names, see :data:`FLAG_RULES`;
        empty when not flagged); parts the data cannot support are left empty and listed in
        ``not_estimable``. A run keeps each province's review once for all its reports
        (:func:`iso18091lab.run.review_store.cached_review`).

    References
    ----------
    Koo, T. K. & Li, M. Y. (2016). A guideline of selecting and reporting intraclass correlation coefficients
    for reliability research. Journal of Chiropractic Medicine 15(2), 155-163 (reading the whole interval).

    Examples
    --------
    >>> review = review_indicators(_example(n_bodies=8), n_resamples=50, seed=1)
    >>> len(review.table), [part for part, _ in review.not_estimable], review.method.split()[0]
    (6, ['members'], 'flag_rules')
    """
    problems = []
    try:
        a = _check(assessments, "review_indicators")
    except NotEstimable as exc:  # no data at all: the catalog's rows, every measure empty
        if catalog is None:
            raise
        problems.append(("review", exc))
        a = pd.DataFrame({c: pd.Series(dtype=object) for c in ASSESSMENT_COLUMNS + ["wave"]})
    if catalog is not None:
        if not isinstance(catalog, pd.DataFrame) or not {"indicator", "pillar"} <= set(catalog.columns):
            raise ValueError("catalog must be a DataFrame with columns indicator and pillar")
        base = catalog[["indicator", "pillar"]].astype({"indicator": str})
    else:
        base = a[["indicator", "pillar"]].drop_duplicates("indicator").astype({"indicator": str})
    base = base.assign(pillar=pd.to_numeric(base["pillar"]).astype(int))
    scored = a.dropna(subset=["score_100"]).groupby("indicator")["body_id"].nunique()
    table = base.assign(n_bodies=base["indicator"].map(scored).fillna(0).astype(int))
    parts = [("members", lambda: member_agreement(a, confidence).drop(columns=["pillar", "n_bodies"])
              .rename(columns={"n_members": "n_members"})),
             ("self_council", lambda: self_council_consistency(a, confidence).drop(columns=["pillar", "n_bodies"])),
             ("items", lambda: item_review(a, "council", n_resamples, seed, confidence).drop(columns=["pillar"])),
             ("inflation", lambda: self_inflation(a, n_resamples, seed, confidence)
              .rename(columns={"scope": "indicator", "estimate": "self_minus_council", "ci_low": "inflation_ci_low",
                               "ci_high": "inflation_ci_high"})[["indicator", "self_minus_council",
                                                                 "inflation_ci_low", "inflation_ci_high"]])]
    columns = {"members": ["n_members", "member_icc", "member_icc_ci_low", "member_icc_ci_high", "member_sd"],
               "self_council": ["n_pairs", "icc_c1", "icc_c1_ci_low", "icc_c1_ci_high", "icc_a1"],
               "items": ["n_body_years", "item_rest_r", "item_rest_ci_low", "item_rest_ci_high", "pillar_alpha",
                         "alpha_if_deleted", "alpha_gain", "alpha_gain_ci_low", "alpha_gain_ci_high",
                         "floor_share", "floor_ci_low", "ceiling_share", "ceiling_ci_low"],
               "inflation": ["self_minus_council", "inflation_ci_low", "inflation_ci_high"]}
    no_data = bool(problems)
    for name, compute in parts:
        try:
            if no_data:
                raise NotEstimable("no_data")
            part = compute()
            part = part.assign(indicator=part["indicator"].astype(str))
            table = table.merge(part[["indicator"] + [c for c in columns[name] if c in part]], on="indicator",
                                how="left")
        except NotEstimable as exc:
            if not no_data:
                problems.append((name, exc))
        for column in columns[name]:
            if column not in table:
                table[column] = np.nan
    reasons = [_flag_reasons(row) for row in table.to_dict("records")]
    table["flag"] = [bool(r) for r in reasons]
    table["reason"] = [", ".join(r) for r in reasons]
    table = table.sort_values("indicator", key=indicator_sort_key).reset_index(drop=True)
    rules = {name: limit for name, (limit, _) in FLAG_RULES.items()}
    return IndicatorReview(table, problems, method_token("flag_rules", level=rel._level(confidence), **rules))


def most_disagreed(review: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` indicators whose council members agree least (lowest members' ICC(A,1); ties by the larger
    spread), candidates for sharper scoring guidance. Empty when no members' scores exist. ``review`` is the
    table of :func:`review_indicators` (or its :class:`IndicatorReview`)."""
    if isinstance(review, IndicatorReview):
        review = review.table
    if not isinstance(review, pd.DataFrame) or "member_icc" not in review or "member_sd" not in review:
        raise ValueError("most_disagreed needs the table of review_indicators")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError("n must be a positive whole number")
    have = review.dropna(subset=["member_icc"])
    return have.sort_values(["member_icc", "member_sd"], ascending=[True, False]).head(n).reset_index(drop=True)


def council_interrater(assessments: pd.DataFrame) -> pd.DataFrame:
    """Agreement among individual council members over all indicators: ICC (single member and mean of
    members, REML with missing ratings kept, and complete-case, each labelled) and Krippendorff's interval
    alpha; targets are body-wave × indicator, raters the council members.

    Parameters
    ----------
    assessments : DataFrame
        The clean assessments table; members' own scores are the council rows with a ``rater_id``.

    Returns
    -------
    DataFrame
        ``measure`` (a method key with its fit: ``icc_a1``, ``icc_ak``, ``krippendorff_interval``), ``value,
        ci_low, ci_high, n_targets, n_raters``.

    References
    ----------
    McGraw, K. O. & Wong, S. P. (1996). Psychological Methods 1(1), 30-46. Krippendorff, K. (2011). Computing
    Krippendorff's alpha-reliability. University of Pennsylvania.

    Examples
    --------
    >>> out = council_interrater(_example(n_bodies=6, members=3))
    >>> [m.split()[0] for m in out["measure"]], sorted(set(out["n_raters"]))
    (['icc_a1', 'icc_ak', 'icc_a1', 'icc_ak', 'krippendorff_interval'], [3])
    """
    members = _members(_check(assessments, "council_interrater"))
    members = members.assign(target=members["wave"] + "\x1f" + members["indicator"].astype(str))
    out = []
    for fit, function in (("fit_reml_kept", rel.icc_reml), ("fit_complete_only", rel.icc)):
        try:
            icc = function(members, "target", "rater_id", "score_100")
        except ValueError:
            continue
        for form, name in (("ICC2", "icc_a1"), ("ICC2k", "icc_ak")):
            out.append({"measure": method_token(name, fit=method_part(fit)), "value": icc.loc[form, "icc"],
                        "ci_low": icc.loc[form, "ci_low"], "ci_high": icc.loc[form, "ci_high"],
                        "n_targets": int(icc.loc[form, "n"]), "n_raters": int(icc.loc[form, "k"])})
    wide = members.pivot(index="rater_id", columns="target", values="score_100")
    try:
        out.append({"measure": method_token("krippendorff_interval"), "value": rel.krippendorff_alpha(wide, "interval"),
                    "ci_low": np.nan, "ci_high": np.nan, "n_targets": wide.shape[1], "n_raters": wide.shape[0]})
    except ValueError:
        pass
    if not out:
        raise NotEstimable("too_few_pairs", "council_interrater: too few targets rated by two members")
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- across provinces

def flags_by_province(assessments: pd.DataFrame, n_resamples: int = 500, seed=2024) -> pd.DataFrame:
    """:func:`review_indicators` for each province: one row per flagged indicator and province."""
    a = _check(assessments, "flags_by_province")
    rows = []
    for province, part in a.groupby("province", observed=True):
        try:
            review = review_indicators(part, n_resamples=n_resamples, seed=seed).table
        except NotEstimable:
            continue
        flagged = review[review["flag"]]
        rows += [{"indicator": i, "province": province, "reasons": r}
                 for i, r in zip(flagged["indicator"], flagged["reason"])]
    return pd.DataFrame(rows, columns=["indicator", "province", "reasons"])


def flagged_everywhere(flags: pd.DataFrame, provinces: list[str]) -> list[str]:
    """Indicators flagged in every one of ``provinces``, in catalog order."""
    if not isinstance(flags, pd.DataFrame) or not {"indicator", "province"} <= set(flags.columns):
        raise ValueError("flags must be the table of flags_by_province")
    if not provinces:
        return []
    common = set.intersection(*[set(flags.loc[flags["province"] == p, "indicator"]) for p in provinces])
    return indicator_order(common)


#: The columns of a row of the cross-province reliability comparison (:func:`comparison_row`).
COMPARISON_COLUMNS = ["province", "n_bodies", "alpha_min", "icc_c1_median", "inflation", "inflation_ci_low",
                      "inflation_ci_high", "n_flagged", "flagged"]


def comparison_row(part: pd.DataFrame, name: str, n_resamples: int = 1000, seed=2024,
                   catalog: pd.DataFrame | None = None, review=None) -> tuple[dict, list[tuple[str, str]]]:
    """One row of the cross-province reliability comparison for the rows ``part`` (a province, or all of them as
    ``name="pooled"``): bodies, lowest pillar alpha, median self–council ICC(C,1) over indicators, overall
    self-inflation with CI, indicators flagged (:data:`COMPARISON_COLUMNS`); and the flagged indicators with
    their reasons. A part that cannot be estimated is left missing (NaN). ``review`` as in
    :func:`summary_by_province`."""
    review_of = review_indicators if review is None else review
    part = _check(part, "comparison_row")
    record = {"province": name, "n_bodies": int(part["body_id"].nunique()), "alpha_min": np.nan,
              "icc_c1_median": np.nan, "inflation": np.nan, "inflation_ci_low": np.nan,
              "inflation_ci_high": np.nan, "n_flagged": 0, "flagged": ""}
    flags: list[tuple[str, str]] = []
    try:
        record["alpha_min"] = internal_consistency(part, omega=False)["alpha"].min()
    except NotEstimable:
        pass
    try:
        overall = self_inflation(part, n_resamples, seed).iloc[0]
        record.update(inflation=overall["estimate"], inflation_ci_low=overall["ci_low"],
                      inflation_ci_high=overall["ci_high"])
    except NotEstimable:
        pass
    try:
        table = review_of(part, catalog, n_resamples=n_resamples, seed=seed).table
        record["icc_c1_median"] = table["icc_c1"].median()
        flagged = table[table["flag"]]
        record.update(n_flagged=len(flagged), flagged=", ".join(flagged["indicator"]))
        flags = list(zip(flagged["indicator"], flagged["reason"]))
    except NotEstimable:
        pass
    return record, flags


def summary_by_province(assessments: pd.DataFrame, n_resamples: int = 1000, seed=2024,
                        catalog: pd.DataFrame | None = None, review=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per province and pooled (last row, ``province='pooled'``): bodies, lowest pillar alpha, median
    self–council ICC(C,1) over indicators, overall self-inflation with CI, indicators flagged; and the flags
    table of :func:`flags_by_province`. Each part is reviewed by ``review(part, catalog, n_resamples=, seed=)``
    (default :func:`review_indicators`). Report 40 reads each province's row from its report 20's summary and
    computes only the pooled row (:func:`comparison_row`)."""
    review_of = review_indicators if review is None else review
    a = _check(assessments, "summary_by_province")
    provinces = sorted(a["province"].dropna().unique())
    rows, flags = [], []
    for name in provinces + ["pooled"]:
        part = a if name == "pooled" else a[a["province"] == name]
        record, flagged = comparison_row(part, name, n_resamples, seed, catalog, review_of)
        if name != "pooled":
            flags += [{"indicator": i, "province": name, "reasons": r} for i, r in flagged]
        rows.append(record)
    return pd.DataFrame(rows), pd.DataFrame(flags, columns=["indicator", "province", "reasons"])

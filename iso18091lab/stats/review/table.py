"""The indicator review table: per indicator, the measures of rater consistency and of the pillar's items, the
mean self − council (not a flag), and the flags.

A flag names its rule and fires only when the interval, not the point estimate, clears the threshold
(:data:`FLAG_RULES`). Whether the set "can be scored consistently" is decided by
:func:`iso18091lab.stats.verdict.indicator_set_verdict` from the intervals, never from the absence of flags.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from iso18091lab.catalog import indicator_sort_key
from iso18091lab.stats import NotEstimable, _level, method_token
from iso18091lab.stats.review.assessments import ASSESSMENT_COLUMNS, _check
from iso18091lab.stats.review.assessments import _example  # noqa: F401 (the docstrings' Examples)
from iso18091lab.stats.review.leniency import self_inflation
from iso18091lab.stats.review.pillar_items import item_review
from iso18091lab.stats.review.rater_consistency import member_agreement, self_council_consistency


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
    return IndicatorReview(table, problems, method_token("flag_rules", level=_level(confidence), **rules))


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

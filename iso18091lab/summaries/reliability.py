"""Report 20 (reliability): can the indicators be scored consistently, and do bodies score themselves
leniently? :func:`build_reliability` computes it once; ``render.reliability`` words and draws it, and the
national report reads the province summaries.

The per-indicator review (``review``) is the table of :func:`iso18091lab.stats.review.table.review_indicators`;
a run passes ``review=`` a function that keeps it once per province for all reports
(:func:`iso18091lab.run.review_store.province_review`). What a statistics result carries beside its table
and the report uses (the council sizes of the D study, the parts the review could not estimate) is kept in
typed fields here; summary tables carry no attrs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, ClassVar

import pandas as pd

from iso18091lab.intake.dataset import Dataset
from iso18091lab.stats import NotEstimable, method_params
from iso18091lab.stats.agreement import bland_altman
from iso18091lab.stats.descriptive import overall_scores
from iso18091lab.stats.reml import VarianceComponents
from iso18091lab.stats.review import bands, council_size, leniency, pillar_items, rater_consistency
from iso18091lab.stats.review import table as review_table
from iso18091lab.stats.review.assessments import MIN_BODIES  # noqa: F401 (re-exported)
from iso18091lab.stats.review.council_size import FEW_MEMBER_BODIES
from iso18091lab.stats.review.table import FLAG_RULES  # noqa: F401 (re-exported)
from iso18091lab.stats.verdict import Verdict, indicator_set_verdict, measured
from iso18091lab.summaries.base import Estimate, NotEstimated, Summary, register

#: The parts a reliability report can lose to the data, in the order the report says them.
PARTS = ("review", "members", "self_council", "items", "inflation", "raters")
#: How many of the indicators council members disagree on most are named.
N_GUIDANCE = 5
#: Columns of the exported self-inflation table (written, empty, when it cannot be estimated).
INFLATION_COLUMNS = ["scope", "estimate", "ci_low", "ci_high", "n_bodies"]


@register
@dataclass
class ReliabilitySummary(Summary):
    """Everything report 20 states (and what the national report reads of a province).

    * ``review`` — one row per catalog indicator: members' ICC(A,1), self–council ICC(C,1), item-rest r, alpha
      if dropped, floor/ceiling, self − council, ``flag`` and ``reason`` (rule names, comma-separated), and the
      interval bands ``member_band`` / ``icc_c1_band`` (keys: ``poor``, ``poor-moderate``, ``uncertain`` …);
    * ``trust`` — can the set be scored consistently (:func:`iso18091lab.stats.verdict.indicator_set_verdict`);
    * ``inflation_overall`` and the ``inflation`` table (overall, pillars, indicators), ``inflation_by_body``;
    * ``alpha`` — Cronbach's alpha per pillar (keys: pillar numbers); ``internal_consistency`` the table;
    * ``members_needed`` — council size for each reliability target ("0.8", "0.9") with ``members_needed_ci``,
      from the D study (``raters_needed`` table, ``g_study`` components) over ``member_bodies`` bodies;
    * ``not_estimated`` — the parts (:data:`PARTS`) the data cannot support; ``review_not_estimated`` the
      review's own.

    A national comparison reads a province's row from it: ``n_bodies``, the lowest ``alpha``, the median
    ``review.icc_c1``, ``inflation_overall`` and ``flagged`` (as ``stats.review.by_province.summary_by_province``
    computes them from the data).
    """

    report: ClassVar[str] = "20_reliability"

    #: Bodies with scores in the province's data.
    n_bodies: int = 0
    review: pd.DataFrame = field(default_factory=pd.DataFrame)
    review_not_estimated: list[NotEstimated] = field(default_factory=list)
    #: Indicators with at least one measure and its interval (an item-rest r without one is not counted).
    n_reviewed: int = 0
    flagged: list[str] = field(default_factory=list)
    flag_reasons: dict[str, str] = field(default_factory=dict)
    trust: Verdict = field(default_factory=lambda: Verdict("unclear", "consistency_not_measured"))
    most_disagreed: pd.DataFrame = field(default_factory=pd.DataFrame)
    inflation_overall: Estimate | None = None
    inflation: pd.DataFrame = field(default_factory=pd.DataFrame)
    inflation_by_body: pd.DataFrame = field(default_factory=pd.DataFrame)
    alpha: dict[str, Estimate] = field(default_factory=dict)
    internal_consistency: pd.DataFrame = field(default_factory=pd.DataFrame)
    council_interrater: pd.DataFrame = field(default_factory=pd.DataFrame)
    g_study: pd.DataFrame = field(default_factory=pd.DataFrame)
    raters_needed: pd.DataFrame = field(default_factory=pd.DataFrame)
    members_needed: dict[str, int] = field(default_factory=dict)
    members_needed_ci: dict[str, list[int | None]] = field(default_factory=dict)
    member_bodies: int = 0
    #: Bland–Altman of the overall self and council scores (points): ``bias``, ``lower`` and ``upper`` limits of
    #: agreement, each with its CI (empty below 3 body-waves scored by both).
    limits_of_agreement: dict[str, Estimate] = field(default_factory=dict)
    #: Overall self and council scores of each body-wave scored by both (``mean``, ``difference``).
    agreement_points: pd.DataFrame = field(default_factory=pd.DataFrame)
    flag_rules: dict[str, float] = field(default_factory=dict)
    min_bodies: int = MIN_BODIES
    few_member_bodies: int = FEW_MEMBER_BODIES
    n_provinces: int = 1

    def missing(self, part: str) -> NotEstimated | None:
        """What the data could not support of ``part`` (one of :data:`PARTS`), or None."""
        return next((n for n in reversed(self.not_estimated) if n.section == part), None)

    @property
    def not_estimable_parts(self) -> list[str]:
        """The parts that could not be estimated, sorted."""
        return sorted({n.section for n in self.not_estimated})


def build_reliability(data: Dataset, params: dict,
                      review: Callable[..., review_table.IndicatorReview] | None = None) -> ReliabilitySummary:
    """The reliability summary of one province's data.

    Parameters
    ----------
    data : Dataset
        ``iso18091lab.load(processed_dir, province=...)``.
    params : dict
        ``province``; ``seed`` and ``n_resamples`` (bootstrap resamples of the review's alpha gain and, a tenth
        of them but at least 50, of the D study); kept with the summary.
    review : callable, optional
        ``review(assessments, catalog, n_resamples=, seed=)`` returning the
        :class:`~iso18091lab.stats.review.table.IndicatorReview` of
        :func:`~iso18091lab.stats.review.table.review_indicators` (default: that function). A run passes
        one that keeps each province's review once (:func:`iso18091lab.run.review_store.province_review`).

    Returns
    -------
    ReliabilitySummary
    """
    seed, n_resamples = params["seed"], int(params["n_resamples"])
    a, catalog = data.assessments, data.catalog
    review_of = review or (lambda rows, cat, n_resamples, seed: review_table.review_indicators(
        rows, cat, n_resamples=n_resamples, seed=seed))
    table = review_of(a, catalog, n_resamples=n_resamples, seed=seed)
    missing = {part: NotEstimated.of(part, exc) for part, exc in table.not_estimable}

    def attempt(part, compute):
        try:
            return compute()
        except NotEstimable as exc:
            missing[part] = NotEstimated.of(part, exc)
            return None

    inflation = attempt("inflation", lambda: leniency.self_inflation(a, n_resamples, seed))
    by_body = attempt("inflation", lambda: leniency.self_inflation_by_body(a, n_resamples, seed))
    consistency = attempt("items", lambda: pillar_items.internal_consistency(a))
    council = attempt("members", lambda: rater_consistency.council_interrater(a))
    raters = attempt("raters", lambda: council_size.council_d_study(a, n_resamples=max(50, n_resamples // 10),
                                                                    seed=seed))
    # the D study rests on the G study: its fit is read there, not fitted a second time
    g = raters.g_study if raters is not None else attempt("raters", lambda: council_size.council_g_study(a))
    limits, points = _limits_of_agreement(a)
    return reliability_summary(
        table, inflation, by_body, raters, consistency=consistency, council=council, g=g,
        not_estimated=[missing[p] for p in PARTS if p in missing], province=params["province"],
        synthetic=data.synthetic, params=dict(params), limits_of_agreement=limits, agreement_points=points,
        n_provinces=len(data.provinces), n_bodies=int(a["body_id"].nunique()))


def reliability_summary(review: review_table.IndicatorReview | pd.DataFrame, inflation: pd.DataFrame | None = None,
                        by_body: pd.DataFrame | None = None, raters: council_size.DStudy | None = None, *,
                        consistency: pd.DataFrame | None = None, council: pd.DataFrame | None = None,
                        g: VarianceComponents | None = None, not_estimated: list[NotEstimated] | None = None,
                        province: str = "", synthetic: bool = False, **fields) -> ReliabilitySummary:
    """A :class:`ReliabilitySummary` from the statistics' results (as :func:`build_reliability` computes them;
    parts given as None were not estimated): the review of
    :func:`~iso18091lab.stats.review.table.review_indicators` (or its table alone), the self-inflation
    scopes and per-body table, the :class:`~iso18091lab.stats.review.council_size.DStudy` (its table becomes
    ``raters_needed``, its council sizes ``members_needed``), internal consistency, council inter-rater
    agreement and the G study. ``fields`` sets any other field."""
    problems = []
    if isinstance(review, review_table.IndicatorReview):
        review, problems = review.table, review.not_estimable
    if not isinstance(review, pd.DataFrame) or not {"indicator", "flag", "reason"} <= set(review.columns):
        raise ValueError("a reliability summary needs the table of review_indicators")
    flagged = review[review["flag"]]
    disagreed = (review_table.most_disagreed(review, N_GUIDANCE) if review["member_icc"].notna().any()
                 else review.iloc[:0])
    return ReliabilitySummary(
        province=province, synthetic=synthetic, not_estimated=list(not_estimated or []),
        review_not_estimated=[NotEstimated.of(part, exc) for part, exc in problems],
        review=_plain(review.assign(member_band=_bands(review, "member_icc"), icc_c1_band=_bands(review, "icc_c1"))),
        n_reviewed=int(measured(review).sum()),
        flagged=[str(i) for i in flagged["indicator"]],
        flag_reasons={str(i): str(r) for i, r in zip(flagged["indicator"], flagged["reason"])},
        trust=indicator_set_verdict(review, raters), most_disagreed=_plain(disagreed),
        inflation_overall=None if inflation is None or not len(inflation) else _inflation_estimate(inflation),
        inflation=_plain(inflation) if inflation is not None else pd.DataFrame(columns=INFLATION_COLUMNS),
        inflation_by_body=_plain(by_body), internal_consistency=_plain(consistency),
        alpha={} if consistency is None else {
            str(int(r.pillar)): Estimate(float(r.alpha), float(r.alpha_ci_low), float(r.alpha_ci_high), math.nan,
                                         int(r.n_body_years), "cronbach_alpha", {"ci": "feldt"})
            for r in consistency.itertuples()},
        council_interrater=_plain(council), g_study=_plain(None if g is None else g.table),
        raters_needed=_plain(None if raters is None else raters.table),
        members_needed={} if raters is None else {str(k): int(v) for k, v in raters.needed.items()},
        members_needed_ci={} if raters is None else {str(k): [_whole(x) for x in v]
                                                      for k, v in raters.needed_ci.items()},
        member_bodies=0 if raters is None else int(raters.n_bodies),
        flag_rules={name: float(limit) for name, (limit, _) in FLAG_RULES.items()}, **fields)


def _plain(frame: pd.DataFrame | None) -> pd.DataFrame:
    """A statistics table as a summary table: no index (an empty table when there is none)."""
    if frame is None:
        return pd.DataFrame()
    return frame.reset_index(drop=True).copy()


def _whole(x) -> int | None:
    return None if x is None or x != x else int(x)


def _bands(table: pd.DataFrame, measure: str) -> list[str]:
    """The Koo & Li band key of each interval of ``measure`` (``poor``, ``poor-moderate``, ``uncertain`` …)."""
    return [bands.band_ci_key(v, lo, hi, "icc") for v, lo, hi in
            zip(table[measure], table[f"{measure}_ci_low"], table[f"{measure}_ci_high"])]


def _inflation_estimate(inflation: pd.DataFrame) -> Estimate:
    overall = inflation.iloc[0]
    return Estimate(float(overall["estimate"]), float(overall["ci_low"]), float(overall["ci_high"]), math.nan,
                    int(overall["n_bodies"]), "cr1_by_body",
                    {"confidence": method_params(overall["method"])[1]["level"] / 100, "df": float(overall["df"]),
                     "n_pairs": int(overall["n_pairs"])})


def _limits_of_agreement(a: pd.DataFrame) -> tuple[dict[str, Estimate], pd.DataFrame]:
    """Bland–Altman of the overall scores of body-waves scored by both self and council (at least 3)."""
    both = overall_scores(a, "self").merge(overall_scores(a, "council"), on=["body_id", "year", "round"],
                                           suffixes=("_self", "_council"))
    if len(both) < 3:
        return {}, pd.DataFrame({"mean": pd.Series(dtype=float), "difference": pd.Series(dtype=float)})
    ba = bland_altman(both["score_self"], both["score_council"])
    key, values = method_params(ba.method)  # "bland_altman" and the CI level its words need
    limits = {name: Estimate(float(getattr(ba, name)), float(getattr(ba, f"{name}_ci")[0]),
                             float(getattr(ba, f"{name}_ci")[1]), math.nan, int(ba.n), key,
                             {**values, "sd": float(ba.sd), "confidence": float(ba.confidence)})
              for name in ("bias", "lower", "upper")}
    return limits, pd.DataFrame({"mean": ba.means, "difference": ba.differences})

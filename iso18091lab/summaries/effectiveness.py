"""The effectiveness report's summary (report 30): did pilot bodies' scores change more than those of similar
bodies with ISO 9001 only?

:func:`build_effectiveness` computes everything report 30 states — the effectiveness table, the headline
:class:`~iso18091lab.summaries.base.Estimate` with its inference, the verdict, the pre-trend test and its
verdict, the event study, the bodies that cannot enter (and those that leave at the 2025 reform), the pre/post
comparison, what could not be estimated and why — and what the national report pools from the province
(:class:`PoolingInputs`). No words: ``render.effectiveness`` words it.

The 2025 reform convention is applied here, not in the statistics: a panel crossing 1 July 2025 is continued
(:func:`iso18091lab.intake.lineage.continued_panel`: every body in today's province, ``wave_province`` the
province of each wave's map) before :mod:`iso18091lab.stats.did` sees it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from iso18091lab.intake.lineage import LEFT_REASONS, continued_panel, crosses_reform, post_reform
from iso18091lab.stats import NotEstimable
from iso18091lab.stats import synthesis as syn
from iso18091lab.stats.descriptive import overall_scores
from iso18091lab.stats.did.event_study import EVENT_STUDY_COLUMNS, event_study
from iso18091lab.stats.did.panel import EXCLUSION_COLUMNS, pilot_exclusions
from iso18091lab.stats.did.pre_post import pre_post
from iso18091lab.stats.did.table import (EFFECTIVENESS_COLUMNS, EFFECTIVENESS_EXTRA,  # noqa: F401 (re-exported)
                                        PRE_REFORM_OUTCOME, effectiveness_table)
from iso18091lab.stats.verdict import MIN_PILOTS_PER_START, Verdict, effect_verdict, pretrend_verdict
from iso18091lab.summaries.base import Estimate, NotEstimated, Summary, register

# The columns of ``tables/effectiveness.csv`` and ``tables/event_study.csv`` (fixed contracts):
# EFFECTIVENESS_COLUMNS, EFFECTIVENESS_EXTRA, EVENT_STUDY_COLUMNS and PRE_REFORM_OUTCOME, imported above.
TWFE_OUTCOME = "overall (two-way FE)"

#: The parameters of the report and their defaults (the notebook's ``parameters`` cell).
DEFAULTS = {"seed": 2024, "n_permutations": 2000, "n_resamples": 999}

#: Columns of the pooling tables (:func:`iso18091lab.stats.synthesis.effects_by_group`): the estimate, the SE the
#: pooling weighs (BJS, or the randomization interval's width / (2·1.96); infinite when unbounded), the interval,
#: p, the inference procedure, the BJS SE and the bodies.
POOL_COLUMNS = list(syn.BY_GROUP_COLUMNS)


# -- the reform convention -----------------------------------------------------------------------------------
def continued(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel the statistics estimate on: continued across the 2025 reform when it crosses it (docs/methods.md),
    else unchanged."""
    return continued_panel(panel)[0]


def before_reform(council: pd.DataFrame):
    """The council rows assessed before 1 July 2025 (a boolean mask) when the panel crosses the reform, else
    ``None`` (no pre-reform row)."""
    return ~post_reform(council) if crosses_reform(council) else None


@dataclass(frozen=True)
class Pretrend:
    """The joint test that pilot and comparison bodies moved alike before the pilot (Wald F on the placebo
    coefficients of the event study) and how many pre-pilot waves it had."""

    f_stat: float
    df1: int
    df2: int
    p_value: float
    n_pre_waves: int


@dataclass(frozen=True)
class LeftOut:
    """A province the national pooling leaves out, and why: ``reason`` is one of
    :data:`iso18091lab.stats.synthesis.LEFT_OUT_REASONS` (``not_estimable``: nothing could be estimated,
    ``detail`` is the :class:`~iso18091lab.stats.NotEstimable` key and ``values`` its values; ``unbounded``:
    the province's own inference gives an interval without an end, so its design cannot answer; ``zero_se``)."""

    province: str
    reason: str
    detail: str = ""
    values: dict = field(default_factory=dict)


@dataclass
class PoolingInputs:
    """What the national report takes from one province: its headline ATT with the inference its own report
    uses and the SE the pooling weighs (:func:`~iso18091lab.stats.synthesis.effects_by_group`, by province and
    by tier × province), the province when nothing could be estimated (:class:`LeftOut`, ``not_estimable``),
    the comparison bodies' serial moments for the power calculation
    (:func:`~iso18091lab.stats.synthesis.serial_moments`) and whether the province has comparison bodies."""

    pool_effects: pd.DataFrame
    pool_skipped: list[LeftOut]
    pool_by_tier: pd.DataFrame
    pool_moments: pd.DataFrame
    has_comparison: bool


def _by_group(panel: pd.DataFrame, by: list[str], n_permutations: int,
              seed: int | None) -> tuple[pd.DataFrame, list[LeftOut]]:
    if not len(panel) or set(by) - set(panel.columns):
        return pd.DataFrame(columns=by + POOL_COLUMNS), []
    result = syn.effects_by_group(panel, by, n_permutations=n_permutations, seed=seed)
    skipped = [LeftOut(str(item["province"]), "not_estimable", str(item["reason"]), dict(item.get("values") or {}))
               for item in result.not_estimable]
    return result.table, skipped


def pooling_inputs(data, n_permutations: int = DEFAULTS["n_permutations"],
                   seed: int | None = DEFAULTS["seed"]) -> PoolingInputs:
    """The :class:`PoolingInputs` of one province's data.

    Parameters
    ----------
    data : iso18091lab.intake.dataset.Dataset
        The province's processed data.
    n_permutations, seed : int
        The randomization inference of a province (or a tier of it) below
        :data:`~iso18091lab.stats.verdict.MIN_PILOTS_PER_START` pilots per start cohort
        (:func:`~iso18091lab.stats.synthesis.effects_by_group`): the province report's, so that the province
        enters the pooling with the very interval its report prints.

    Returns
    -------
    PoolingInputs
    """
    raw = overall_scores(data.assessments, "council")
    panel = continued(raw) if len(raw) else raw
    effects, skipped = _by_group(panel, ["province"], n_permutations, seed)
    by_tier, _ = _by_group(panel, ["tier", "province"], n_permutations, seed)
    moments = syn.serial_moments(raw, "score", pre_years=1) if len(raw) else pd.DataFrame(columns=syn.MOMENT_COLUMNS)
    has_comparison = bool(len(raw)) and bool(raw["group"].astype(object).eq("comparison").any())
    return PoolingInputs(effects, skipped, by_tier, moments, has_comparison)


@register
@dataclass
class EffectivenessSummary(Summary):
    """Everything report 30 states (see the module docstring). Tables keep the statistics' columns;
    ``table`` is empty when the headline cannot be estimated (``not_estimated`` says why, section ``main``).
    Sections of ``not_estimated``: ``main``, ``event``, ``prepost``, ``self``, ``external`` and
    ``outcome:<outcome>|<rater>`` for other rows the table left out."""

    report = "30_effectiveness"

    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EFFECTIVENESS_COLUMNS
                                                                     + EFFECTIVENESS_EXTRA))
    primary: Estimate | None = None
    verdict: Verdict | None = None
    n_treated: int = 0
    smallest_cohort: int = 0
    pretrend: Pretrend | None = None
    pretrend_verdict: Verdict | None = None
    event_study: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EVENT_STUDY_COLUMNS
                                                                           + ["kind", "se"]))
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EXCLUSION_COLUMNS))
    prepost: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["method", "estimate", "ci_low", "ci_high", "p_value", "n"]))
    n_bodies: int = 0
    min_pilots_per_start: int = MIN_PILOTS_PER_START
    pool_effects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["province"] + POOL_COLUMNS))
    pool_skipped: list[LeftOut] = field(default_factory=list)
    pool_by_tier: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["tier", "province"] + POOL_COLUMNS))
    pool_moments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=syn.MOMENT_COLUMNS))
    has_comparison: bool = False

    # -- views the report and its readers use ----------------------------------------------------------------
    def rows(self, level: str, rater: str | None = None) -> pd.DataFrame:
        """The rows of ``table`` at ``level`` (``overall``, ``pillar``, ``indicator``, ``external``,
        ``secondary``), of ``rater`` when given."""
        keep = self.table["level"] == level
        if rater is not None:
            keep &= self.table["rater"] == rater
        return self.table[keep]

    def secondary(self, outcome: str) -> pd.DataFrame:
        """The secondary row of ``outcome`` (:data:`TWFE_OUTCOME`, :data:`PRE_REFORM_OUTCOME`), or no row."""
        rows = self.rows("secondary")
        return rows[rows["outcome"] == outcome]

    def primary_record(self) -> dict | None:
        """The primary row (overall council score) with every column, or ``None`` when not estimated."""
        rows = self.rows("overall", "council")
        return {k: rows.iloc[0][k] for k in EFFECTIVENESS_COLUMNS + EFFECTIVENESS_EXTRA} if len(rows) else None

    def left_at_reform(self) -> pd.DataFrame:
        """The bodies that leave at the 2025 reform (they are not "excluded": their earlier waves count)."""
        return self.exclusions[self.exclusions["reason"].isin(LEFT_REASONS)]

    def excluded(self) -> pd.DataFrame:
        """The bodies that cannot enter the comparison for another reason (no wave before the start ...)."""
        return self.exclusions[~self.exclusions["reason"].isin(LEFT_REASONS)]

    def shown_events(self) -> pd.DataFrame:
        """The event-study rows the report shows: the pooled rows with several provinces, else the province's."""
        events = self.event_study
        return events[events["province"] == events["province"].iloc[-1]] if len(events) else events

    def pooling(self) -> PoolingInputs:
        """What the national report pools from this province."""
        return PoolingInputs(self.pool_effects, self.pool_skipped, self.pool_by_tier, self.pool_moments,
                             self.has_comparison)


def _section_of(item: dict) -> str:
    if item["reason"] == "no_self":
        return "self"
    if item["reason"] == "no_outcomes":
        return "external"
    return f"outcome:{item['outcome']}|{item['rater']}"


def _int(value) -> int:
    return int(value) if value == value else 0


def build_effectiveness(data, params: dict | None = None) -> EffectivenessSummary:
    """Everything report 30 states, for one province's data.

    Parameters
    ----------
    data : iso18091lab.intake.dataset.Dataset
        The province's processed data (``iso18091lab.load(folder, province=...)``).
    params : dict, optional
        ``province`` (the name the report is for), ``seed`` (permutations and bootstrap), ``n_permutations``
        (random assignments of the randomization inference; indicators use a quarter), ``n_resamples``
        (bootstrap resamples of the pre/post mean change); defaults :data:`DEFAULTS`.

    Returns
    -------
    EffectivenessSummary
        Typed fields and tables, no words.
    """
    params = {**DEFAULTS, **(params or {})}
    seed, n_perm, n_resamples = params["seed"], int(params["n_permutations"]), int(params["n_resamples"])
    province = str(params.get("province") or ", ".join(data.provinces))
    raw = overall_scores(data.assessments, "council")
    panel, left = continued_panel(raw) if len(raw) else (raw, pd.DataFrame(columns=EXCLUSION_COLUMNS))
    not_estimated: list[NotEstimated] = []
    out = {}
    try:
        estimates = effectiveness_table(data.assessments, data.outcomes, data.units, n_permutations=n_perm,
                                           seed=seed, continued=continued, pre_reform=before_reform)
    except NotEstimable as exc:
        not_estimated.append(NotEstimated.of("main", exc))
    else:
        table, skipped, headline = estimates.table, estimates.not_estimable, estimates.primary
        p = table[(table["level"] == "overall") & (table["rater"] == "council")].iloc[0]
        out.update(table=table, n_treated=int(headline.details["n_treated"]),
                   smallest_cohort=int(headline.details["smallest_cohort"]),
                   primary=Estimate(float(p["estimate"]), float(p["ci_low"]), float(p["ci_high"]),
                                    float(p["p_value"]), int(headline.details["n_treated"]), "att_imputation",
                                    {"inference": str(p["inference"]), "p_min": float(p["p_min"]),
                                     "n_assignments": float(p["n_assignments"]), "se": float(p["se"]),
                                     "n_pilot": _int(p["n_pilot"]), "n_comparison": _int(p["n_comparison"]),
                                     "n_permutations": n_perm, "seed": seed}),
                   verdict=effect_verdict(p["estimate"], p["ci_low"], p["ci_high"], p["p_value"], p["p_min"]))
        not_estimated += [NotEstimated(_section_of(item), item["reason"], dict(item["values"])) for item in skipped]
    try:
        study = event_study(panel, "score")
    except NotEstimable as exc:
        not_estimated.append(NotEstimated.of("event", exc))
    else:
        events = study.table
        found = study.pretrend.get("all") or next(iter(study.pretrend.values()))
        pretrend = Pretrend(float(found["f_stat"]), int(found["df1"]), int(found["df2"]), float(found["p_value"]),
                            int(found["n_pre_waves"]))
        out.update(event_study=events, pretrend=pretrend)
        if pretrend.df1 > 0:
            out["pretrend_verdict"] = pretrend_verdict(pretrend.p_value, pretrend.df1, out.get("smallest_cohort", 0))
    exclusions = pd.concat([pilot_exclusions(panel)] + ([left] if len(left) else []), ignore_index=True)
    try:
        out["prepost"] = pre_post(panel, "score", seed=seed, n_resamples=n_resamples)
    except NotEstimable as exc:
        not_estimated.append(NotEstimated.of("prepost", exc))
    pooling = pooling_inputs(data, n_perm, seed)  # the province enters the national pooling as its report says
    return EffectivenessSummary(
        province=province, synthetic=bool(data.synthetic), params=params, not_estimated=not_estimated,
        exclusions=exclusions[EXCLUSION_COLUMNS].reset_index(drop=True), n_bodies=int(raw["body_id"].nunique()),
        pool_effects=pooling.pool_effects, pool_skipped=pooling.pool_skipped, pool_by_tier=pooling.pool_by_tier,
        pool_moments=pooling.pool_moments, has_comparison=pooling.has_comparison, **out)

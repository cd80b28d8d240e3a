"""The national report's summary (report 40): the provinces' effects pooled, the national verdict, the
provinces left out of the pooling and why, heterogeneity, effects by body level, the indicators flagged in every
province, and the sample a national evaluation needs.

:func:`build_national` reads the province summaries (:func:`read_provinces`: each province's report folder,
through :func:`~iso18091lab.summaries.base.load_summary`) — what each
:class:`~iso18091lab.summaries.effectiveness.EffectivenessSummary` keeps for the pooling
(:class:`~iso18091lab.summaries.effectiveness.PoolingInputs`: each province's effect with the inference its own
report uses) — and pools them with :mod:`iso18091lab.stats.synthesis`; a province whose own interval is
unbounded (its design cannot answer) is left out, never pooled with another SE, and when fewer than two
provinces remain the verdict is "cannot answer with this design", with no number
(:func:`~iso18091lab.stats.verdict.national_effect_verdict`). The cross-province reliability comparison reads
each province's :class:`~iso18091lab.summaries.reliability.ReliabilitySummary` (the flags of its own report 20).
A province whose summaries are missing (its report failed, or was never saved) is named in
``NationalSummary.missing`` with the reason. No words: ``render.national`` words it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from iso18091lab.intake.admin_map import national_frame
from iso18091lab.stats import NotEstimable
from iso18091lab.stats.review import by_province as review_by_province
from iso18091lab.stats import synthesis as syn
from iso18091lab.stats.verdict import MIN_EFFECT, MIN_PILOTS_PER_START, Verdict, national_effect_verdict
from iso18091lab.summaries.base import Estimate, NotEstimated, Summary, has_summary, load_summary, register
from iso18091lab.summaries.effectiveness import POOL_COLUMNS, EffectivenessSummary, LeftOut
from iso18091lab.summaries.reliability import ReliabilitySummary

#: The province reports the national report reads, by the summary it reads of each.
PROVINCE_REPORTS = ("20_reliability", "30_effectiveness")

#: The parameters of the report and their defaults (the notebook's ``parameters`` cell).
DEFAULTS = {"seed": 2024, "n_permutations": 2000, "effects_to_detect": [2.0, 3.0, 5.0], "bodies_per_province": 30}
#: The meta-analysis settings of the sensitivity table (every τ² estimator, with and without Hartung-Knapp).
SENSITIVITY = [(method, hk) for method in ("DL", "REML", "PM") for hk in (False, True)]


#: Resamples of the pooled row of the reliability comparison (the cross-province comparison's own default).
POOLED_RESAMPLES = 1000
#: The method key of the pooled effect (random-effects meta-analysis, REML τ², Hartung-Knapp interval).
POOLED_METHOD = "meta_reml_hk"


def pooled_estimate(m: syn.MetaResult) -> Estimate:
    """A pooled effect as an :class:`~iso18091lab.summaries.base.Estimate` (``n`` = provinces pooled); ``params``
    hold its SE, the heterogeneity (``tau2``, ``i2``) and the prediction interval (``pi_low``, ``pi_high``)."""
    return Estimate(float(m.estimate), float(m.ci_low), float(m.ci_high), float(m.p_value), int(m.k), POOLED_METHOD,
                    {"se": float(m.se), "tau2": float(m.tau2), "i2": float(m.i2), "pi_low": float(m.pi_low),
                     "pi_high": float(m.pi_high), "method_text": str(m.method)})


@dataclass(frozen=True)
class PowerInputs:
    """The inputs of the sample-size calculation: comparison bodies' variance and serial covariances, the
    between-province share of a body's change (``None`` when τ² is not estimated) and the design effect."""

    variance: float
    pre: float
    post: float
    cross: float
    icc_provinces: float | None
    design_effect: float
    tau2_estimated: bool
    bodies_per_province: int


@register
@dataclass
class NationalSummary(Summary):
    """Everything report 40 states. ``by_province`` holds every province estimated, with the inference its own
    report uses (``inference``) and the SE the pooling weighs; :meth:`weighed` the ones pooled; ``left_out`` the
    provinces left out of the pooling and why; ``missing`` the provinces whose summaries the report lacks
    (``reason`` ``failed``: the province's report failed in this run, ``no_summary``: none is saved;
    ``values["report"]`` the report). ``verdict`` is the national verdict
    (:func:`~iso18091lab.stats.verdict.national_effect_verdict`), with or without a pooled effect. Sections of
    ``not_estimated``: ``provinces`` (no pooled effect), ``tiers``, ``indicators`` and ``power``; a reason ``""``
    carries the error's words in ``values["detail"]``."""

    report = "40_national"

    provinces: list[str] = field(default_factory=list)
    by_province: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["province"] + POOL_COLUMNS))
    left_out: list[LeftOut] = field(default_factory=list)
    missing: list[LeftOut] = field(default_factory=list)
    pooled: Estimate | None = None
    strength: str | None = None
    verdict: Verdict | None = None
    heterogeneity: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["method", "estimate", "ci_low", "ci_high", "tau2", "i2", "pi_low", "pi_high", "n_provinces"]))
    by_tier: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["tier", "province"] + POOL_COLUMNS))
    tier_pooled: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["tier", "estimate", "ci_low", "ci_high"]))
    flagged: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["indicator", "province", "reasons"]))
    flagged_everywhere: list[str] = field(default_factory=list)
    reliability_by_province: pd.DataFrame = field(default_factory=pd.DataFrame)
    has_flags: bool = False
    min_effect: float = MIN_EFFECT
    min_pilots_per_start: int = MIN_PILOTS_PER_START
    main_effect: float = MIN_EFFECT
    power: PowerInputs | None = None
    power_sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    power_curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    bodies_needed: pd.DataFrame = field(default_factory=pd.DataFrame)
    frame_2025: dict = field(default_factory=dict)

    @property
    def tau2_estimated(self) -> bool:
        """Whether the pooled effect weighs enough provinces (:data:`~iso18091lab.stats.synthesis.
        MIN_PROVINCES_FOR_TAU2`) for the between-province variance τ², I² and the prediction interval to say
        anything; with fewer, the report says they cannot be estimated rather than print τ² = 0."""
        return self.pooled is not None and self.pooled.n >= syn.MIN_PROVINCES_FOR_TAU2

    @property
    def n_needed(self) -> int | None:
        """Bodies per group a two-year national evaluation needs for the headline effect (``main_effect``): the
        row of ``bodies_needed`` for it (``None`` when the sample size was not estimated)."""
        if "effect" not in self.bodies_needed or "bodies_2y" not in self.bodies_needed:
            return None
        row = self.bodies_needed.loc[self.bodies_needed["effect"] == self.main_effect, "bodies_2y"]
        return int(row.iloc[0]) if len(row) else None

    def weighed(self) -> pd.DataFrame:
        """The provinces the pooled effect weighs (a finite, positive SE: :func:`~iso18091lab.stats.synthesis.
        poolable`): the rows of ``by_province`` the report shows."""
        return syn.poolable(self.by_province)

    def weighed_tiers(self) -> pd.DataFrame:
        """The tier × province estimates the pooling by body level weighs (rows of ``by_tier``)."""
        return syn.poolable(self.by_tier)


def read_provinces(province_dirs: dict, missing: dict | None = None
                   ) -> tuple[dict[str, EffectivenessSummary], dict[str, ReliabilitySummary], list[LeftOut]]:
    """The saved summaries the national report reads of each province (:data:`PROVINCE_REPORTS`).

    Parameters
    ----------
    province_dirs : dict
        Province name -> its report folder (the runner's ``province_dirs``).
    missing : dict, optional
        Province name -> the report of it that failed in this run (its summary, if any, is an old one and is not
        read).

    Returns
    -------
    tuple
        The :class:`~iso18091lab.summaries.effectiveness.EffectivenessSummary` and the
        :class:`~iso18091lab.summaries.reliability.ReliabilitySummary` of each province read, by name, and the
        provinces missing (:class:`~iso18091lab.summaries.effectiveness.LeftOut` with reason ``failed`` or
        ``no_summary`` and ``values["report"]``), in name order.
    """
    effects, reliability, lacking = {}, {}, []
    for name, report in sorted((missing or {}).items()):
        lacking.append(LeftOut(str(name), "failed", "", {"report": str(report)}))
    for name, folder in sorted(province_dirs.items()):
        if name in (missing or {}):
            continue
        absent = [r for r in PROVINCE_REPORTS if not has_summary(Path(folder), r)]
        if absent:
            lacking.append(LeftOut(str(name), "no_summary", "", {"report": absent[0]}))
            continue
        reliability[name] = load_summary(Path(folder), "20_reliability")
        effects[name] = load_summary(Path(folder), "30_effectiveness")
    return effects, reliability, sorted(lacking, key=lambda x: x.province)


def reliability_comparison(summaries: dict[str, ReliabilitySummary], pooled: dict | None = None) -> dict:
    """The cross-province reliability comparison from each province's reliability summary: ``summary`` (one row
    per province, :data:`~iso18091lab.stats.review.by_province.COMPARISON_COLUMNS`, then ``pooled`` when given: the
    row of :func:`~iso18091lab.stats.review.by_province.comparison_row` on every province's rows) and ``flags``
    (indicator, province, reasons: the flags of each province's own report 20)."""
    rows, flags = [], []
    for name, s in summaries.items():
        alpha = s.internal_consistency["alpha"].min() if "alpha" in s.internal_consistency else float("nan")
        icc = s.review["icc_c1"].median() if "icc_c1" in s.review else float("nan")
        infl = s.inflation_overall
        rows.append({"province": name, "n_bodies": int(s.n_bodies), "alpha_min": alpha, "icc_c1_median": icc,
                     "inflation": infl.estimate if infl else float("nan"),
                     "inflation_ci_low": infl.ci_low if infl else float("nan"),
                     "inflation_ci_high": infl.ci_high if infl else float("nan"),
                     "n_flagged": len(s.flagged), "flagged": ", ".join(s.flagged)})
        flags += [{"indicator": i, "province": name, "reasons": s.flag_reasons.get(i, "")} for i in s.flagged]
    summary = pd.DataFrame(rows + ([pooled] if pooled else []), columns=review_by_province.COMPARISON_COLUMNS)
    return {"summary": summary, "flags": pd.DataFrame(flags, columns=["indicator", "province", "reasons"])}


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns))[columns]


def _why(section: str, exc: Exception) -> NotEstimated:
    return NotEstimated.of(section, exc) if isinstance(exc, NotEstimable) else NotEstimated(section, "",
                                                                                          {"detail": str(exc)})


def build_national(province_summaries, params: dict | None = None, reliability: dict | Exception | None = None,
                   provinces: list[str] | None = None, synthetic: bool = False, missing: dict | None = None,
                   data=None) -> NationalSummary:
    """Everything report 40 states, from the province summaries.

    Parameters
    ----------
    province_summaries : mapping or list
        Province name -> its report folder (read by :func:`read_provinces`: its saved effectiveness and
        reliability summaries); or, per province, its
        :class:`~iso18091lab.summaries.effectiveness.EffectivenessSummary` or just its
        :class:`~iso18091lab.summaries.effectiveness.PoolingInputs`.
    params : dict, optional
        ``province`` (the report's name), ``effects_to_detect`` (points; the headline's is
        :data:`~iso18091lab.stats.verdict.MIN_EFFECT` when listed, else the first), ``bodies_per_province``
        (the cluster size of a national evaluation), ``seed`` (the pooled row of the reliability comparison);
        defaults :data:`DEFAULTS`. Each province enters with the inference of its own report.
    reliability : dict or Exception, optional
        The cross-province reliability comparison (``summary`` and ``flags`` tables), or the error that
        prevented it; read from the provinces' reliability summaries when folders are given
        (:func:`reliability_comparison`).
    provinces : list of str, optional
        The provinces an indicator must be flagged in to count as flagged everywhere (default: those read).
    synthetic : bool
        Whether the data are synthetic (also when any province summary read is).
    missing : dict, optional
        Province name -> the report of it that failed in this run: named in ``NationalSummary.missing``.
    data : Dataset, optional
        The whole dataset, for the pooled row of the reliability comparison (every province's rows together).

    Returns
    -------
    NationalSummary
        Typed fields and tables, no words.
    """
    lacking: list[LeftOut] = []
    if isinstance(province_summaries, dict) and all(isinstance(v, (str, Path)) for v in province_summaries.values()):
        province_summaries, read, lacking = read_provinces(province_summaries, missing)
        synthetic = bool(synthetic) or any(s.synthetic for s in province_summaries.values())
        if read and reliability is None:
            full = {**DEFAULTS, **(params or {})}
            pooled_row = (review_by_province.comparison_row(data.assessments, "pooled", POOLED_RESAMPLES,
                                                            full["seed"], data.catalog)[0]
                          if data is not None else None)
            reliability = reliability_comparison(read, pooled_row)
    params = {**DEFAULTS, **(params or {})}
    effects = [float(e) for e in params["effects_to_detect"]]
    m = int(params["bodies_per_province"])
    items = list(province_summaries.values()) if isinstance(province_summaries, dict) else list(province_summaries)
    inputs = [s.pooling() if hasattr(s, "pooling") else s for s in items]
    names = provinces if provinces is not None else list(province_summaries) if isinstance(province_summaries, dict) \
        else [p for s in items for p in getattr(s, "province", "").split(", ") if p]
    main_effect = MIN_EFFECT if MIN_EFFECT in effects else effects[0]
    out: dict = {"not_estimated": []}
    by_province = _concat([i.pool_effects for i in inputs], ["province"] + POOL_COLUMNS)
    skipped = [x for i in inputs for x in i.pool_skipped]
    provinces_effects = syn.GroupEffects(by_province, [
        {"province": x.province, "reason": x.detail, "values": dict(x.values)} for x in skipped])
    # each province with the inference of its own report; an unbounded interval leaves it out (never a BJS SE)
    left = syn.left_out(provinces_effects, ["province"])
    pooled = None
    try:
        pooled = syn.national_effect(provinces_effects)
    except NotEstimable as exc:
        out["not_estimated"].append(NotEstimated.of("provinces", exc))
    usable = syn.poolable(by_province)  # the provinces the pooled estimate weighs
    out["verdict"] = national_effect_verdict(
        *((pooled.estimate, pooled.ci_low, pooled.ci_high) if pooled is not None else ()), n_pooled=len(usable),
        n_cannot_answer=int((left["reason"] == "unbounded").sum()), n_provinces=len(by_province) + len(skipped))
    out["left_out"] = [LeftOut(str(r.province), str(r.reason), str(r.detail), dict(r.values))
                       for r in left.itertuples()]
    if pooled is not None:
        sensitivity = [syn.meta_analysis(usable["estimate"], usable["se"] ** 2, method=method,
                                           hartung_knapp=hk, adhoc=hk) for method, hk in SENSITIVITY]
        out.update(pooled=pooled_estimate(pooled), strength=syn.evidence_strength(pooled),
                   heterogeneity=pd.DataFrame([{"method": r.method, "estimate": r.estimate, "ci_low": r.ci_low,
                                                "ci_high": r.ci_high, "tau2": r.tau2, "i2": r.i2, "pi_low": r.pi_low,
                                                "pi_high": r.pi_high, "n_provinces": r.k} for r in sensitivity]))
    by_tier = _concat([i.pool_by_tier for i in inputs], ["tier", "province"] + POOL_COLUMNS)
    by_tier = by_tier.sort_values(["tier", "province"], kind="stable").reset_index(drop=True)
    tiers = []
    for tier, part in by_tier.groupby("tier"):
        try:
            t = syn.national_effect(part)
        except NotEstimable:
            continue
        tiers.append({"tier": tier, "estimate": t.estimate, "ci_low": t.ci_low, "ci_high": t.ci_high})
    if not tiers:
        out["not_estimated"].append(NotEstimated("tiers", "tier_few"))
    out.update(by_tier=by_tier, tier_pooled=pd.DataFrame(tiers, columns=["tier", "estimate", "ci_low", "ci_high"]))
    if isinstance(reliability, Exception):
        out["not_estimated"].append(_why("indicators", reliability))
    elif reliability is not None:
        flags = reliability["flags"]
        out.update(flagged=flags, has_flags=True, reliability_by_province=reliability["summary"],
                   flagged_everywhere=review_by_province.flagged_everywhere(flags, names))
    try:
        moments = _concat([i.pool_moments for i in inputs], syn.MOMENT_COLUMNS)
        if moments.empty and not any(i.has_comparison for i in inputs):
            raise NotEstimable("no_comparison", "power inputs come from comparison bodies")
        cov = syn.covariances_from_moments(moments)
    except (NotEstimable, ValueError) as exc:
        out["not_estimated"].append(_why("power", exc))
    else:
        sensitivity = syn.power_sensitivity(cov, effects=effects, bodies_per_province=m)
        tau2_estimated = pooled is not None and pooled.k >= syn.MIN_PROVINCES_FOR_TAU2  # as .tau2_estimated
        icc = syn.effect_icc(pooled.tau2, syn.did_variance(1, 1, 1, 2, cov) / 2) if tau2_estimated else None
        deff = syn.design_effect(m, icc) if tau2_estimated else 1.0
        needed = syn.bodies_needed_table(effects, cov, deff)
        out.update(power=PowerInputs(cov.variance, cov.pre, cov.post, cov.cross, icc, deff, tau2_estimated, m),
                   power_sensitivity=sensitivity, power_curves=syn.power_curves(cov, deff), bodies_needed=needed,
                   frame_2025=national_frame())
    return NationalSummary(province=str(params.get("province") or ""), synthetic=bool(synthetic), params=params,
                           provinces=list(names), by_province=by_province, main_effect=main_effect, missing=lacking,
                           **out)

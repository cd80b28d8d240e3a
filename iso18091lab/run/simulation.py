"""Simulation studies, run through one executor (:func:`iso18091lab.run.executor.map_tasks`): local processes by
default, a Dask cluster with ``scheduler=``; the same seed gives the same results on either.

* :func:`calibration_study` — how the effectiveness estimators behave on designs like the pilots (coverage of
  the 95 % CI, false positives, bias, which inference procedure the headline's rule chose, unbounded intervals
  and verdicts): the designs of ``CALIBRATION_DESIGNS`` — pilot-sized ones and, for issue 19, small ones
  (``SMALL_DESIGNS``: start cohorts of 1, 2, 3 and 6 pilots; 3 + 3 and 5 + 5 bodies) — each with no effect and
  with a planted effect that grows with time and differs between bodies.
* :func:`power_study` — simulation-based power of the headline estimator (imputation ATT, BJS SE with
  leave-one-out, t on bodies − 1 df) for a national design (:class:`NationalDesign`): provinces × bodies ×
  yearly waves, serially correlated outcomes with the covariances of
  :class:`iso18091lab.stats.synthesis.Covariances` (estimated from data with ``serial_covariances`` or
  assumed), province × wave shocks, an effect that may differ between provinces and pilots that may start in
  different years. Where the design is one the normal-approximation formula covers (one start, the same
  effect everywhere) the analytic power of ``synthesis.did_variance`` is shown beside it.

Every task draws its own seed before dispatch (``executor.task_seeds``); results come back in task order. A
study returns a :class:`SimulationResult`: one row per run and method, a summary with Monte Carlo uncertainty,
and the method, parameters and executor that produced it. All data here are simulated (``synthetic: True``).
"""
from __future__ import annotations

import os
import platform
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from iso18091lab.i18n import t
from iso18091lab.run.executor import map_tasks
from iso18091lab.stats import NotEstimable, method_token
from iso18091lab.stats.did.event_study import event_study
from iso18091lab.stats.did.imputation import imputation_att
from iso18091lab.stats.did.randomization import EXACT_LIMIT
from iso18091lab.stats.did.twfe import did_within_province
from iso18091lab.stats.synthesis import Covariances, did_variance
from iso18091lab.stats.verdict import MIN_PILOTS_PER_START, effect_verdict

#: The calibration designs (issue 10): provinces, pilot and comparison bodies per province, waves as
#: (year, round), the start waves (indices) of the pilot cohorts (pilot body b starts in ``starts[b % len(starts)]``),
#: a pre-pilot drift per wave (parallel trends violated when > 0), the share of bodies with a blank level, and the
#: levels bodies take in turn (``levels``, default ("xã", "quận"); randomization inference re-assigns within
#: province × level). The small designs (issue 19): one province, 12 comparison bodies of one level, 5 yearly
#: waves and three start cohorts of 1, 2, 3 or 6 pilot bodies; and 3 + 3 and 5 + 5 bodies over two waves with one
#: start (20 and 252 possible assignments).
CALIBRATION_DESIGNS = {
    "staggered": dict(provinces=3, pilots=12, comparison=12, waves=[(2021 + t, 1) for t in range(5)],
                      starts=(1, 2, 3), pretrend=0.0, blank_share=0.0),
    "two rounds": dict(provinces=2, pilots=14, comparison=14, waves=[(2022 + t // 2, 1 + t % 2) for t in range(6)],
                       starts=(2, 3), pretrend=0.0, blank_share=0.25),
    "pilot-like": dict(provinces=2, pilots=12, comparison=12, waves=[(2022 + t, 1) for t in range(3)], starts=(1,),
                       pretrend=0.0, blank_share=0.0),
    "pre-trend": dict(provinces=3, pilots=12, comparison=12, waves=[(2021 + t, 1) for t in range(5)],
                      starts=(1, 2, 3), pretrend=1.0, blank_share=0.0),
    **{f"{k} per start": dict(provinces=1, pilots=3 * k, comparison=12, waves=[(2021 + t, 1) for t in range(5)],
                              starts=(1, 2, 3), pretrend=0.0, blank_share=0.0, levels=("xã",))
       for k in (1, 2, 3, 6)},
    "3 + 3": dict(provinces=1, pilots=3, comparison=3, waves=[(2023, 1), (2024, 1)], starts=(1,), pretrend=0.0,
                  blank_share=0.0, levels=("xã",)),
    "5 + 5": dict(provinces=1, pilots=5, comparison=5, waves=[(2023, 1), (2024, 1)], starts=(1,), pretrend=0.0,
                  blank_share=0.0, levels=("xã",)),
}
#: The designs added for issue 19 (few bodies), in the order of the table in docs/methods.md.
SMALL_DESIGNS = ("1 per start", "2 per start", "3 per start", "6 per start", "3 + 3", "5 + 5")

HEADLINE = ("ATT imputation, headline (rule: BJS SE leave-one-out, t, when every start cohort has ≥ "
            f"{MIN_PILOTS_PER_START} pilots; else randomization inference)")
BJS_ALWAYS = "ATT imputation, BJS SE leave-one-out, t, always (inference='bjs')"


@dataclass
class SimulationResult:
    """What a study produced: one row per run (and method), the summary, and how it was made."""

    runs: pd.DataFrame
    summary: pd.DataFrame
    method: str
    parameters: dict
    executor: str
    seconds: float
    machine: str = field(default_factory=lambda: f"{platform.machine()}, {os.cpu_count()} cores, "
                                                 f"{platform.system()}, Python {platform.python_version()}")
    synthetic: bool = True

    def describe(self) -> dict:
        """The metadata as plain JSON-able values (written beside the tables)."""
        return {"method": self.method, "parameters": self.parameters, "executor": self.executor,
                "seconds": round(self.seconds, 1), "machine": self.machine, "synthetic": self.synthetic,
                "runs": int(len(self.runs))}


def _executor_name(scheduler, n_jobs) -> str:
    if scheduler is not None:
        return f"dask distributed ({scheduler if isinstance(scheduler, str) else type(scheduler).__name__})"
    return "this process" if n_jobs == 1 else f"local processes (joblib loky, {n_jobs or os.cpu_count()} workers)"


def wilson_interval(successes, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion (the Monte Carlo uncertainty of a rate)."""
    successes, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _streams(seed: int) -> tuple[np.random.Generator, int]:
    """Independent random streams from a task's seed: one draws the panel, the other the permutations (the
    permutation test must not reuse the draws that made the data)."""
    data, permutations = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(data), int(permutations.generate_state(1)[0])


# --------------------------------------------------------------------------- calibration

def simulate_calibration_panel(design: dict, effect: bool, rng: np.random.Generator) -> tuple[pd.DataFrame, float,
                                                                                                  float]:
    """One panel of a calibration design, its sample ATT (mean planted effect over the pilot body-waves under the
    pilot, body heterogeneity included) and its design ATT (the expected effect over the same body-waves,
    2 + 1.5 × waves since the start). Body effects SD 8, province × wave shocks SD 4, noise SD 3."""
    rows, planted, expected = [], [], []
    waves = design["waves"]
    for p in range(design["provinces"]):
        shocks = rng.normal(0, 4, len(waves))
        n = design["pilots"] + design["comparison"]
        for b in range(n):
            pilot = b < design["pilots"]
            g = design["starts"][b % len(design["starts"])] if pilot else None
            levels = design.get("levels", ("xã", "quận"))
            level = "" if rng.random() < design["blank_share"] else levels[b % len(levels)]
            alpha = rng.normal(50, 8)
            slope = rng.normal(0, 1.0)  # body-specific effect heterogeneity
            for t, (year, rnd) in enumerate(waves):
                under = pilot and t >= g
                tau = (2.0 + 1.5 * (t - g) + slope) if (under and effect) else 0.0
                drift = design["pretrend"] * (t - g) if pilot and not under else 0.0
                if under:
                    planted.append(tau)
                    expected.append((2.0 + 1.5 * (t - g)) if effect else 0.0)
                rows.append({"province": f"P{p}", "body_id": f"P{p}-{b}", "level": level,
                             "group": "pilot" if pilot else "comparison",
                             "pilot_start": waves[g][0] if pilot else np.nan,
                             "pilot_start_round": waves[g][1] if pilot else np.nan, "year": year, "round": rnd,
                             "score": alpha + shocks[t] + drift + tau + rng.normal(0, 3)})
    return pd.DataFrame(rows), float(np.mean(planted)), float(np.mean(expected))


def _procedure(result) -> str:
    """Which procedure gave a headline's CI and p: "bjs", "randomization, exact" or "randomization, Monte Carlo"."""
    if result.inference != "randomization":
        return result.inference
    return "randomization, exact" if result.details.get("exact") else "randomization, Monte Carlo"


def calibration_run(task: tuple[str, bool, int], seed: int) -> list[dict]:
    """One simulated panel of ``task = (design name, planted effect?, permutations)``, estimated by every method.

    Rows: the headline (``imputation_att`` with ``inference="auto"``: the rule chooses BJS or randomization
    inference), the same estimate with the BJS interval and p always (what ``inference="bjs"`` returns), BJS
    without leave-one-out with normal quantiles, two-way FE, and the pre-trend test. Each estimate's row records
    the procedure, coverage of the sample and the design ATT, rejection at 5 %, whether the CI is unbounded, and
    the verdict (:func:`stats.verdict.effect_verdict`: answer and reason)."""
    name, effect, permutations = task
    rng, permutation_seed = _streams(seed)
    panel, att, design_att = simulate_calibration_panel(CALIBRATION_DESIGNS[name], effect, rng)
    head = imputation_att(panel, "score", n_permutations=permutations, seed=permutation_seed)
    bjs = head.details["bjs"]  # = imputation_att(..., inference="bjs") (tests/stats/test_small_designs.py)
    plain = imputation_att(panel, "score", n_permutations=0, leave_one_out=False, df="normal")
    nan = float("nan")
    try:
        twfe = did_within_province(panel, "score")
        twfe_row = (twfe.estimate, twfe.se, twfe.ci_low, twfe.ci_high, twfe.p_value, nan, "cluster-robust t")
    except NotEstimable as exc:  # fewer than MIN_PILOTS_PER_START pilot bodies under the pilot: refused
        twfe_row = (nan, nan, nan, nan, nan, nan, f"not estimable ({exc.reason})")
    rows = [(HEADLINE, head.estimate, head.se, head.ci_low, head.ci_high, head.p_value, head.p_min, _procedure(head)),
            (BJS_ALWAYS, head.estimate, head.se, bjs["ci_low"], bjs["ci_high"], bjs["p_value"], nan, "bjs"),
            ("ATT imputation, BJS SE, normal (diff-diff default)", plain.estimate, plain.se, plain.ci_low,
             plain.ci_high, plain.p_value, nan, "bjs, normal"),
            ("two-way FE (body + province×wave), clustered by body", *twfe_row)]
    out = []
    for method, estimate, se, low, high, p, p_min, procedure in rows:
        verdict = effect_verdict(estimate, low, high, p, p_min)
        estimated = estimate == estimate
        out.append({"method": method, "procedure": procedure, "estimate": estimate, "se": se, "ci_low": low,
                    "ci_high": high, "p_value": p, "p_min": p_min,
                    "covered": bool(low <= att <= high) if estimated else np.nan,
                    "covered_design": bool(low <= design_att <= high) if estimated else np.nan,
                    "rejected": bool(p < 0.05) if estimated else np.nan,
                    "unbounded": bool(np.isinf(low) or np.isinf(high)) if estimated else np.nan,
                    "verdict": verdict.answer, "verdict_reason": verdict.reason})
    try:
        pre = event_study(panel, "score").pretrend
        p_pre = pre["all" if "all" in pre else next(iter(pre))]["p_value"]
    except NotEstimable:
        p_pre = np.nan
    out.append({"method": "pre-trend test (BJS leads, Wald F)",
                "procedure": "cluster-robust Wald F" if p_pre == p_pre else "not estimable",
                "estimate": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": p_pre,
                "p_min": np.nan, "covered": np.nan, "covered_design": np.nan,
                "rejected": p_pre < 0.05 if p_pre == p_pre else np.nan, "unbounded": np.nan, "verdict": "",
                "verdict_reason": ""})
    for row in out:
        row.update(design=name, scenario="planted effect" if effect else "no effect", truth=att,
                   design_truth=design_att, seed=seed)
    return out


def _shares(values: pd.Series) -> str:
    """"a 97 %; b 3 %" — the share of each value, most frequent first (blank values left out)."""
    counts = values[values.astype(str) != ""].value_counts(normalize=True)
    return "; ".join(f"{k} {v:.0%}" for k, v in counts.items())


def calibration_study(runs: int = 200, seed: int = 1, permutations: int = 500, designs=None, scheduler=None,
                      n_jobs: int | None = None, progress: bool = False, lang: str = "vi") -> SimulationResult:
    """Coverage, false positives, power and bias of the effectiveness estimators on ``designs`` (names of
    ``CALIBRATION_DESIGNS``; default all), ``runs`` panels per design and scenario (no effect; planted effect,
    except for the pre-trend design, whose drift is the only departure from the null).

    The summary has, per design, scenario and method: runs, mean truth and bias, coverage of the sample and the
    design ATT, the rejection rate, each with its Wilson 95 % interval (Monte Carlo uncertainty), the share of
    unbounded intervals, the procedures used (``procedure``) and the verdicts (``verdicts``, answer / reason).
    ``lang``: the language of the progress bar."""
    designs = list(designs or CALIBRATION_DESIGNS)
    unknown = [d for d in designs if d not in CALIBRATION_DESIGNS]
    if unknown:
        raise ValueError(f"unknown calibration design(s) {unknown}; known: {list(CALIBRATION_DESIGNS)}")
    _check_runs(runs)
    tasks = [(name, effect, permutations) for name in designs
             for effect in ((False,) if name == "pre-trend" else (False, True)) for _ in range(runs)]
    start = time.perf_counter()
    results = map_tasks(calibration_run, tasks, seed=seed, scheduler=scheduler, n_jobs=n_jobs, progress=progress,
                        description=t("progress_calibration", lang), lang=lang)
    frame = pd.DataFrame([row for rows in results for row in rows])
    frame["bias"] = frame["estimate"] - frame["truth"]
    frame["verdict_full"] = np.where(frame["verdict"] != "", frame["verdict"] + " / " + frame["verdict_reason"], "")
    keys = ["design", "scenario", "method"]
    grouped = frame.groupby(keys, sort=False)
    summary = grouped.agg(
        runs=("rejected", "size"), mean_truth=("truth", "mean"), mean_bias=("bias", "mean"),
        coverage=("covered", "mean"), coverage_design=("covered_design", "mean"),
        rejection_rate=("rejected", "mean"), unbounded=("unbounded", "mean")).reset_index()
    for column, prefix in (("rejected", "rejection"), ("covered", "coverage"), ("covered_design", "coverage_design")):
        counts = grouped[column].agg(["sum", "count"])
        low, high = wilson_interval(counts["sum"].to_numpy(), counts["count"].to_numpy())
        summary[f"{prefix}_ci_low"], summary[f"{prefix}_ci_high"] = low, high
    summary["procedure"] = grouped["procedure"].agg(_shares).to_numpy()
    summary["verdicts"] = grouped["verdict_full"].agg(_shares).to_numpy()
    frame = frame.drop(columns="verdict_full")
    return SimulationResult(
        frame, summary, "calibration of the effectiveness estimators: simulated panels (body effects SD 8, "
        "province × wave shocks SD 4, noise SD 3; planted effect 2 + 1.5 × waves since the start + body shift "
        "SD 1); rejection = p < 0.05; coverage of the 95 % CI for the sample and the design ATT; headline = "
        f"imputation ATT with CI and p from BJS when every start cohort has ≥ {MIN_PILOTS_PER_START} pilots, "
        f"else from randomization inference ({permutations} draws when the assignments exceed "
        f"{EXACT_LIMIT})", {"runs": runs, "seed": seed, "permutations": permutations, "designs": designs},
        _executor_name(scheduler, n_jobs), time.perf_counter() - start)


# --------------------------------------------------------------------------- power for a national design

@dataclass
class NationalDesign:
    """A national evaluation design to simulate.

    ``bodies`` per province, a share ``pilot_share`` of them pilots; ``years`` yearly waves of which the first
    ``pre_years`` are before any pilot starts; ``staggered``: pilots start in turn over the later waves rather
    than all at once. Outcomes (a body's overall score) have the covariance ``cov`` across waves (variance,
    and the covariances within the pre waves, within the post waves and across them), plus province × wave
    shocks (SD ``province_shock_sd``, absorbed by the estimator) and an effect that differs between provinces
    with SD ``effect_sd`` around the planted effect.
    """

    provinces: int = 34
    bodies: int = 97
    pilot_share: float = 0.5
    years: int = 5
    pre_years: int = 2
    staggered: bool = False
    cov: Covariances = field(default_factory=lambda: Covariances.equicorrelated(73.0, 64.0 / 73.0))
    province_shock_sd: float = 4.0
    effect_sd: float = 0.0

    def __post_init__(self):
        if isinstance(self.cov, dict):
            self.cov = Covariances(**self.cov)
        for name in ("provinces", "bodies", "years", "pre_years"):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, not {value!r}")
        if self.pre_years >= self.years:
            raise ValueError(f"pre_years ({self.pre_years}) must be fewer than years ({self.years}): "
                             "pilots need waves after their start")
        n_pilot = self.pilots_per_province
        if n_pilot < 1 or n_pilot >= self.bodies:
            raise ValueError(f"pilot_share {self.pilot_share} leaves {n_pilot} pilot(s) of {self.bodies} bodies "
                             "per province: need at least one pilot and one comparison body")
        if self.province_shock_sd < 0 or self.effect_sd < 0:
            raise ValueError("province_shock_sd and effect_sd must not be negative")

    @property
    def pilots_per_province(self) -> int:
        return int(round(self.bodies * self.pilot_share))

    def covariance_matrix(self) -> np.ndarray:
        """The wave × wave covariance of a body's outcomes (pre waves first)."""
        pre = np.arange(self.years) < self.pre_years
        c = self.cov
        sigma = np.where(pre[:, None] & pre[None, :], c.pre,
                         np.where(~pre[:, None] & ~pre[None, :], c.post, c.cross)).astype(float)
        np.fill_diagonal(sigma, c.variance)
        return sigma

    def analytic_power(self, effect: float, alpha: float = 0.05) -> tuple[float, float]:
        """Power and SE of the normal-approximation formula (``synthesis.did_variance``), or NaN where it does
        not apply (staggered starts, or an effect that differs between provinces)."""
        if self.staggered or self.effect_sd > 0:
            return float("nan"), float("nan")
        n_t = self.pilots_per_province * self.provinces
        n_c = (self.bodies - self.pilots_per_province) * self.provinces
        se = float(np.sqrt(did_variance(n_t, n_c, self.pre_years, self.years - self.pre_years, self.cov)))
        z = stats.norm.ppf(1 - alpha / 2)
        return float(stats.norm.cdf(abs(effect) / se - z) + stats.norm.cdf(-abs(effect) / se - z)), se


def _factor(sigma: np.ndarray) -> np.ndarray:
    """A square root of a covariance matrix (eigenvalues below 0 — possible with estimated covariances — set
    to 0)."""
    values, vectors = np.linalg.eigh(sigma)
    return vectors * np.sqrt(np.clip(values, 0, None))


def simulate_national_panel(design: NationalDesign, effect: float, rng: np.random.Generator
                            ) -> tuple[pd.DataFrame, float]:
    """One national panel (one row per body and wave) and its sample ATT (the mean effect over the pilot
    body-waves under the pilot, province differences included)."""
    P, B, T = design.provinces, design.bodies, design.years
    n_pilot = design.pilots_per_province
    waves = np.arange(T)
    post_waves = np.arange(design.pre_years, T)
    starts = (post_waves[np.arange(n_pilot) % len(post_waves)] if design.staggered
              else np.full(n_pilot, design.pre_years))
    start = np.full((P, B), -1)
    start[:, :n_pilot] = starts
    outcome = 50 + rng.standard_normal((P, B, T)) @ _factor(design.covariance_matrix()).T
    outcome += rng.normal(0, design.province_shock_sd, (P, 1, T)) if design.province_shock_sd else 0
    province_effect = effect + (rng.normal(0, design.effect_sd, P) if design.effect_sd else np.zeros(P))
    under = (start[:, :, None] >= 0) & (waves[None, None, :] >= start[:, :, None])
    outcome += under * province_effect[:, None, None]
    att = float((under * province_effect[:, None, None]).sum() / under.sum())
    p_idx, b_idx, t_idx = (a.ravel() for a in np.meshgrid(np.arange(P), np.arange(B), waves, indexing="ij"))
    pilot = b_idx < n_pilot
    start_year = np.where(pilot, 2021 + start[p_idx, b_idx], np.nan)
    panel = pd.DataFrame({
        "province": pd.Categorical.from_codes(p_idx, [f"P{p:02d}" for p in range(P)]),
        "body_id": [f"P{p:02d}-{b:03d}" for p, b in zip(p_idx, b_idx)],
        "level": np.where(b_idx % 4 == 0, "quận", "xã"),
        "group": np.where(pilot, "pilot", "comparison"),
        "pilot_start": start_year, "pilot_start_round": np.where(pilot, 1.0, np.nan),
        "year": 2021 + t_idx, "round": 1, "score": outcome.ravel()})
    return panel, att


def power_run(task: tuple[NationalDesign, float, float, int], seed: int) -> dict:
    """One simulated national panel of ``task = (design, effect, alpha, permutations)``, estimated by the
    headline method."""
    design, effect, alpha, permutations = task
    rng, permutation_seed = _streams(seed)
    panel, att = simulate_national_panel(design, effect, rng)
    result = imputation_att(panel, "score", n_permutations=permutations, seed=permutation_seed,
                               confidence=1 - alpha)
    return {"effect": effect, "estimate": result.estimate, "se": result.se, "p_value": result.p_value,
            "rejected": bool(result.p_value < alpha), "covered": bool(result.ci_low <= att <= result.ci_high),
            "truth": att, "n_pilot": result.n_pilot, "n_comparison": result.n_comparison, "seed": seed}


def power_study(design: NationalDesign | None = None, effects=(0.0, 1.0, 2.0, 3.0), runs: int = 200,
                seed: int = 1, alpha: float = 0.05, permutations: int = 0, scheduler=None, n_jobs: int | None = None,
                progress: bool = False, lang: str = "vi") -> SimulationResult:
    """Power of the headline estimator to detect each of ``effects`` (points of the overall score) in
    ``design``, from ``runs`` simulated panels per effect: rejection rate at ``alpha`` with its Wilson 95 %
    interval, mean estimate, empirical SD against the mean SE, coverage of the CI, and the analytic power where
    the formula applies. ``permutations`` 0: p from the SE (t on bodies − 1 df); the calibration study found it
    close to 5 % under no effect. ``lang``: the language of the progress bar."""
    design = design or NationalDesign()
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie between 0 and 1")
    _check_runs(runs)
    effects = [float(e) for e in effects]
    if not effects:
        raise ValueError("give at least one effect to detect")
    tasks = [(design, effect, alpha, permutations) for effect in effects for _ in range(runs)]
    start = time.perf_counter()
    frame = pd.DataFrame(map_tasks(power_run, tasks, seed=seed, scheduler=scheduler, n_jobs=n_jobs,
                                   progress=progress, description=t("progress_power", lang), lang=lang))
    summary = frame.groupby("effect", sort=False).agg(
        runs=("rejected", "size"), power=("rejected", "mean"), mean_estimate=("estimate", "mean"),
        empirical_sd=("estimate", "std"), mean_se=("se", "mean"), coverage=("covered", "mean"),
        n_pilot=("n_pilot", "first"), n_comparison=("n_comparison", "first")).reset_index()
    rejected = frame.groupby("effect", sort=False)["rejected"].agg(["sum", "count"])
    summary["power_ci_low"], summary["power_ci_high"] = wilson_interval(rejected["sum"].to_numpy(),
                                                                        rejected["count"].to_numpy())
    analytic = [design.analytic_power(e, alpha) for e in summary["effect"]]
    summary["analytic_power"] = [a[0] for a in analytic]
    summary["analytic_se"] = [a[1] for a in analytic]
    p_text = f"permutation p ({permutations} draws)" if permutations else "p from the SE (t, bodies − 1 df)"
    parameters = {**asdict(design), "effects": effects, "runs": runs, "seed": seed, "alpha": alpha,
                  "permutations": permutations}
    return SimulationResult(
        frame, summary, f"simulation-based power: imputation ATT with BJS SE (leave-one-out), {p_text}, "
        f"rejection at α = {alpha:g}; {runs} simulated panels per effect of {design.provinces} provinces × "
        f"{design.bodies} bodies × {design.years} years", parameters, _executor_name(scheduler, n_jobs),
        time.perf_counter() - start)


def _check_runs(runs) -> None:
    if int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be a whole number ≥ 1, not {runs!r}")


def covariances_from_data(processed) -> Covariances:
    """σ² and the serial covariances of the council overall score among comparison bodies in the processed data
    (as the national report estimates them), to simulate a design like the data."""
    from iso18091lab.intake.dataset import load
    from iso18091lab.stats.descriptive import overall_scores
    from iso18091lab.stats.synthesis import serial_covariances

    data = load(processed)
    return serial_covariances(overall_scores(data.assessments, "council"), "score", pre_years=1)


def write_study(result: SimulationResult, out, name: str, figure=None) -> list:
    """Write ``<name>_runs.parquet``, ``<name>_summary.csv`` (UTF-8 with BOM, opens in Excel),
    ``<name>_summary.parquet``, ``<name>.json`` (method, parameters, executor, machine, synthetic) and the
    figure as ``<name>.png`` into ``out``; returns the paths."""
    import json
    from pathlib import Path

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}_runs.parquet", out / f"{name}_summary.csv", out / f"{name}_summary.parquet",
             out / f"{name}.json"]
    result.runs.to_parquet(paths[0], index=False)
    result.summary.to_csv(paths[1], index=False, encoding="utf-8-sig")
    result.summary.to_parquet(paths[2], index=False)
    paths[3].write_text(json.dumps(result.describe(), ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    if figure is not None:
        import matplotlib.pyplot as plt

        paths.append(out / f"{name}.png")
        figure.savefig(paths[-1])
        plt.close(figure)
    return paths


# --------------------------------------------------------------------------- leniency CI (issue 19)

#: The two intervals of :func:`leniency_coverage`, as method tokens (worded by the ``method.*`` rows).
_CR1, _BOOTSTRAP = method_token("leniency_cr1"), method_token("leniency_bootstrap")


@dataclass(frozen=True, eq=False)
class LeniencyCoverage:
    """The result of :func:`leniency_coverage`: ``table`` (one row per number of bodies and interval), the
    ``seed``, the ``method`` token (``leniency_coverage``, :func:`iso18091lab.stats.method_token`) and
    ``synthetic`` (always true: the data are simulated)."""

    table: pd.DataFrame
    seed: int
    method: str
    synthetic: bool = True


def leniency_coverage(bodies=(3, 5, 8, 12), runs: int = 1000, seed: int = 19, confidence: float = 0.95,
                      leniency: float = 6.0, body_sd: float = 4.0, indicator_sd: float = 2.0,
                      pair_sd: float = 3.0, noise_sd: float = 8.0, waves: int = 2, n_resamples: int = 999
                      ) -> LeniencyCoverage:
    """Coverage of the leniency (self − council) CIs with few bodies, on a seeded synthetic design.

    Each run draws ``g`` bodies; body b's leniency is ``leniency + N(0, body_sd²)``; it scores its own subset
    of the 39 indicators (25 to 39, at random); indicator i adds a fixed offset ``v_i ~ N(0, indicator_sd²)``
    (drawn once: the 39 indicators are the population); body × indicator ``N(0, pair_sd²)`` and each wave's
    self and council noise give the difference its ``N(0, noise_sd²)``. The target is the mean leniency over
    bodies and the 39 indicators, ``leniency + mean(v)``, which the pair-weighted mean estimates without bias.
    Two intervals per run: the CR1 cluster-robust interval with t(g − 1) that ``self_inflation`` reports
    (:func:`stats.cluster_robust.cr1_means`), and the percentile bootstrap over bodies it replaced
    (``n_resamples``).

    Parameters
    ----------
    bodies : sequence of int
        The numbers of bodies (at least 2 each).
    runs : int
        Simulated data sets per number of bodies.
    seed : int
        The random generator's seed.
    confidence : float
        Confidence level of both intervals.
    leniency, body_sd, indicator_sd, pair_sd, noise_sd : float
        The design (points on the 0–100 scale), as above.
    waves : int
        Waves each body scores its indicators in.
    n_resamples : int
        Bootstrap resamples per run.

    Returns
    -------
    LeniencyCoverage
        ``table``: one row per number of bodies and interval, ``bodies, method, runs, coverage, mc_low,
        mc_high`` (Wilson 95 % Monte Carlo interval), ``mean_width``; ``method`` holds method tokens
        (``leniency_cr1``, ``leniency_bootstrap``), worded when shown by :func:`iso18091lab.i18n.method_label`;
        ``seed``, ``method`` and ``synthetic``.

    References
    ----------
    Cameron, A. C., Gelbach, J. B. & Miller, D. L. (2008). Bootstrap-based improvements for inference with
    clustered errors. Review of Economics and Statistics 90(3), 414–427.
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. Journal of the
    American Statistical Association 22(158), 209–212.

    Examples
    --------
    >>> result = leniency_coverage(bodies=(3,), runs=20, seed=1, n_resamples=99)
    >>> result.table[["bodies", "method", "runs"]].values.tolist()
    [[3, 'leniency_cr1', 20], [3, 'leniency_bootstrap', 20]]
    >>> result.synthetic, result.seed, result.method
    (True, 1, 'leniency_coverage {"level": 95}')
    """
    from iso18091lab.stats import _level
    from iso18091lab.stats.cluster_robust import cr1_means

    _check_runs(runs)
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0, indicator_sd, 39)
    target = leniency + offsets.mean()
    lo_q, hi_q = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2
    rows = []
    for g in bodies:
        if not isinstance(g, (int, np.integer)) or g < 2:
            raise ValueError("bodies must be whole numbers of at least 2")
        hit = {_CR1: [], _BOOTSTRAP: []}
        width = {k: [] for k in hit}
        for _ in range(runs):
            sums, sizes = np.empty(g), np.empty(g)
            for b in range(g):
                used = rng.choice(39, size=rng.integers(25, 40), replace=False)
                pair = rng.normal(0, pair_sd, len(used))
                d = (leniency + rng.normal(0, body_sd) + offsets[used] + pair)[None, :] \
                    + rng.normal(0, noise_sd, (waves, len(used)))
                sums[b], sizes[b] = d.sum(), d.size
            cr1 = cr1_means(sums[:, None], sizes[:, None], confidence)
            low, high = float(cr1["ci_low"][0]), float(cr1["ci_high"][0])
            hit[_CR1].append(low <= target <= high)
            width[_CR1].append(high - low)
            chosen = rng.integers(0, g, size=(n_resamples, g))
            counts = np.zeros((n_resamples, g))
            np.add.at(counts, (np.repeat(np.arange(n_resamples), g), chosen.ravel()), 1)
            reps = (counts @ sums) / (counts @ sizes)
            low, high = np.percentile(reps, [lo_q, hi_q])
            hit[_BOOTSTRAP].append(low <= target <= high)
            width[_BOOTSTRAP].append(high - low)
        for method, hits in hit.items():
            k = int(np.sum(hits))
            mc_low, mc_high = wilson_interval(k, runs)
            rows.append({"bodies": int(g), "method": method, "runs": runs, "coverage": k / runs,
                         "mc_low": float(mc_low), "mc_high": float(mc_high),
                         "mean_width": float(np.mean(width[method]))})
    return LeniencyCoverage(pd.DataFrame(rows), seed, method_token("leniency_coverage", level=_level(confidence)))

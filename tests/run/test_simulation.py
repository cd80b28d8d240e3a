"""Simulation studies (issue 13, item 8): the simulators against their planted truth, the simulated power against
the normal-approximation formula worked out by hand, and the same results whichever executor runs them."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso18091lab.cli import main
from iso18091lab.run import simulation as sim
from iso18091lab.stats.did.imputation import imputation_att
from iso18091lab.stats.synthesis import Covariances
from iso18091lab.stats.verdict import MIN_PILOTS_PER_START

SMALL = sim.NationalDesign(provinces=4, bodies=30, years=3, pre_years=1)


def test_covariance_matrix_by_hand():
    design = sim.NationalDesign(years=4, pre_years=2, cov=Covariances(10.0, 6.0, 5.0, 4.0))
    expected = np.array([[10, 6, 4, 4],
                         [6, 10, 4, 4],
                         [4, 4, 10, 5],
                         [4, 4, 5, 10]], dtype=float)
    np.testing.assert_array_equal(design.covariance_matrix(), expected)


def test_simulated_outcomes_have_the_stated_covariances():
    """Across many bodies the sample covariance of the wave outcomes (province shocks off) is the stated one."""
    design = sim.NationalDesign(provinces=1, bodies=20000, years=4, pre_years=2, province_shock_sd=0.0,
                                cov=Covariances(10.0, 6.0, 5.0, 4.0))
    panel, _ = sim.simulate_national_panel(design, 0.0, np.random.default_rng(4))
    wide = panel.pivot(index="body_id", columns="year", values="score").to_numpy()
    np.testing.assert_allclose(np.cov(wide, rowvar=False), design.covariance_matrix(), atol=0.35)
    assert abs(wide.mean() - 50) < 0.05


def test_analytic_power_by_hand():
    """4 provinces × 30 bodies (15 pilots), 1 pre and 2 post waves, σ² = 73, body covariance 64: per-body
    variance of the post − pre change 9/1 + 9/2 = 13.5, SE = √(13.5 × (1/60 + 1/60)) = 0.67082."""
    power, se = SMALL.analytic_power(2.0)
    assert se == pytest.approx(np.sqrt(13.5 * 2 / 60), rel=1e-12)
    z = 1.959963984540054
    from math import erf, sqrt

    phi = lambda x: 0.5 * (1 + erf(x / sqrt(2)))  # noqa: E731
    assert power == pytest.approx(phi(2 / se - z) + phi(-2 / se - z), rel=1e-9)
    assert np.isnan(sim.NationalDesign(staggered=True).analytic_power(1.0)[0])
    assert np.isnan(sim.NationalDesign(effect_sd=1.0).analytic_power(1.0)[0])


@pytest.mark.parametrize("staggered", [False, True])
def test_without_noise_the_estimator_recovers_the_planted_sample_att(staggered):
    """No outcome noise and no shocks: the imputation ATT equals the planted sample ATT (province effects that
    differ, starts in turn), which checks the simulator's truth and timing against the estimator."""
    design = sim.NationalDesign(provinces=5, bodies=12, years=5, pre_years=2, staggered=staggered,
                                cov=Covariances(1e-12, 0.0, 0.0, 0.0), province_shock_sd=0.0, effect_sd=1.5)
    panel, att = sim.simulate_national_panel(design, 2.0, np.random.default_rng(9))
    result = imputation_att(panel, "score", n_permutations=0)
    assert result.estimate == pytest.approx(att, abs=1e-6)
    assert att != pytest.approx(2.0, abs=1e-3)  # the province effects moved the sample ATT off the mean effect
    starts = panel.loc[panel["group"] == "pilot"].groupby("body_id")["pilot_start"].first()
    assert set(starts) == ({2023, 2024, 2025} if staggered else {2023})


@settings(max_examples=25, deadline=None)
@given(provinces=st.integers(1, 4), bodies=st.integers(2, 12), years=st.integers(2, 5),
       share=st.floats(0.05, 0.95), effect=st.floats(-5, 5), staggered=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_national_panel_shape_and_truth(provinces, bodies, years, share, effect, staggered, seed):
    n_pilot = int(round(bodies * share))
    if not 1 <= n_pilot < bodies:
        with pytest.raises(ValueError, match="pilot"):
            sim.NationalDesign(provinces=provinces, bodies=bodies, years=years, pre_years=1, pilot_share=share)
        return
    design = sim.NationalDesign(provinces=provinces, bodies=bodies, years=years, pre_years=1, pilot_share=share,
                                staggered=staggered)
    panel, att = sim.simulate_national_panel(design, effect, np.random.default_rng(seed))
    assert len(panel) == provinces * bodies * years
    assert panel.groupby("body_id").size().eq(years).all()
    groups = panel.drop_duplicates("body_id")["group"].value_counts()
    assert groups["pilot"] == n_pilot * provinces
    assert att == pytest.approx(effect)  # the same effect in every province
    pilots = panel[panel["group"] == "pilot"]
    assert (pilots["pilot_start"] > pilots["year"].min()).all()  # every pilot has a pre-pilot wave
    assert (pilots["pilot_start"] <= pilots["year"].max()).all()  # and a wave under the pilot


@pytest.mark.parametrize("bad, match", [(dict(pre_years=5, years=5), "pre_years"), (dict(bodies=0), "bodies"),
                                        (dict(effect_sd=-1), "negative"), (dict(pilot_share=1.0), "pilot")])
def test_invalid_designs_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        sim.NationalDesign(**bad)


def test_wilson_interval_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    for k, n in [(0, 50), (3, 50), (40, 200), (200, 200)]:
        low, high = sim.wilson_interval(k, n)
        ref = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert (float(low), float(high)) == pytest.approx(ref, abs=1e-12)


def test_simulated_power_agrees_with_the_formula():
    """300 panels per effect of the small design: the rejection rate under no effect is near 5 %, and under an
    effect of 1.5 points near the formula's power (0.65); the estimates are unbiased and their SD is the
    formula's SE. Tolerances: 3.5 Monte Carlo SE plus 2 points for the t / leave-one-out SE the estimator uses."""
    result = sim.power_study(SMALL, effects=(0.0, 1.5), runs=300, seed=5, n_jobs=1)
    summary = result.summary.set_index("effect")
    for effect, row in summary.iterrows():
        mc = np.sqrt(row["analytic_power"] * (1 - row["analytic_power"]) / row["runs"])
        assert abs(row["power"] - row["analytic_power"]) < 3.5 * mc + 0.02, (effect, row["power"])
        assert abs(row["mean_estimate"] - effect) < 4 * row["analytic_se"] / np.sqrt(row["runs"])
        assert row["empirical_sd"] == pytest.approx(row["analytic_se"], rel=0.15)
        assert row["mean_se"] == pytest.approx(row["analytic_se"], rel=0.05)
        assert row["power_ci_low"] <= row["power"] <= row["power_ci_high"]
    assert summary.loc[0.0, "analytic_power"] == pytest.approx(0.05)
    assert result.synthetic and result.parameters["runs"] == 300 and "imputation ATT" in result.method
    assert (summary["n_pilot"] == 60).all() and (summary["n_comparison"] == 60).all()


def test_same_seed_same_results_in_process_local_processes_and_dask():
    distributed = pytest.importorskip("distributed")
    kwargs = dict(effects=(0.0, 2.0), runs=3, seed=21)
    serial = sim.power_study(SMALL, n_jobs=1, **kwargs)
    assert serial.runs["seed"].nunique() == 6  # each run its own seed
    local = sim.power_study(SMALL, n_jobs=2, **kwargs)
    pd.testing.assert_frame_equal(local.runs, serial.runs)
    assert "joblib" in local.executor and serial.executor == "this process"
    calibration = sim.calibration_study(runs=2, seed=4, permutations=19, designs=["pilot-like"], n_jobs=1)
    # worker processes, so the tasks (a dataclass design, module-level functions) must travel by pickle
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = sim.power_study(SMALL, scheduler=cluster.scheduler_address, **kwargs)
        calibration_dask = sim.calibration_study(runs=2, seed=4, permutations=19, designs=["pilot-like"],
                                                 scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(on_dask.runs, serial.runs)
    pd.testing.assert_frame_equal(on_dask.summary, serial.summary)
    pd.testing.assert_frame_equal(calibration_dask.runs, calibration.runs)
    assert "dask" in on_dask.executor
    assert not sim.power_study(SMALL, n_jobs=1, **{**kwargs, "seed": 22}).runs.equals(serial.runs)


def test_calibration_study_rows_and_truth():
    result = sim.calibration_study(runs=2, seed=3, permutations=0, designs=["pilot-like", "pre-trend"], n_jobs=1)
    counts = result.runs.groupby(["design", "scenario"]).size()
    # 5 methods per run; the pre-trend design has no planted-effect scenario
    assert counts.to_dict() == {("pilot-like", "no effect"): 10, ("pilot-like", "planted effect"): 10,
                                ("pre-trend", "no effect"): 10}
    assert (result.runs.loc[result.runs["scenario"] == "no effect", "truth"] == 0).all()
    planted = result.runs.loc[result.runs["scenario"] == "planted effect", "design_truth"]
    assert (planted == 2.75).all()  # pilot-like: waves 2 and 3 under the pilot, effects 2 and 2 + 1.5
    assert set(result.summary["runs"]) == {2}
    with pytest.raises(ValueError, match="unknown calibration design"):
        sim.calibration_study(runs=1, designs=["nope"])


def test_cli_simulate_power_writes_labelled_results(tmp_path, capsys):
    out = tmp_path / "sim"
    code = main(["simulate", "power", "--provinces", "3", "--bodies", "10", "--years", "3", "--pre-years", "1",
                 "--runs", "4", "--effects", "0,2", "--jobs", "1", "--out", str(out), "--quiet", "--seed", "7"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "MÔ PHỎNG / SIMULATION" in printed
    meta = json.loads((out / "power.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True and meta["parameters"]["provinces"] == 3 and meta["parameters"]["seed"] == 7
    summary = pd.read_csv(out / "power_summary.csv", encoding="utf-8-sig")
    assert list(summary["effect"]) == [0.0, 2.0] and (summary["runs"] == 4).all()
    assert len(pd.read_parquet(out / "power_runs.parquet")) == 8
    assert (out / "power.png").stat().st_size > 10_000
    again = sim.power_study(sim.NationalDesign(provinces=3, bodies=10, years=3, pre_years=1), effects=(0, 2), runs=4,
                            seed=7, n_jobs=1)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "power_runs.parquet"), again.runs)


def test_cli_power_from_processed_data(tmp_path, synthetic_ingest):
    out = tmp_path / "sim"
    assert main(["simulate", "power", "--processed", str(synthetic_ingest[1]), "--provinces", "2", "--bodies", "8",
                 "--years", "3", "--pre-years", "1", "--runs", "2", "--effects", "1", "--jobs", "1",
                 "--out", str(out), "--quiet"]) == 0
    cov = json.loads((out / "power.json").read_text(encoding="utf-8"))["parameters"]["cov"]
    assert cov["variance"] != 73.0 and cov["variance"] > 0  # taken from the data, not the default


@pytest.mark.parametrize("args, message", [
    (["power", "--years", "2", "--pre-years", "2"], "pre_years"),
    (["power", "--effects", "one,two"], "--effects"),
    (["calibration", "--designs", "nope"], "unknown calibration design"),
])
def test_cli_simulate_bad_input_is_one_clear_message(tmp_path, capsys, args, message):
    assert main(["simulate", *args, "--runs", "1", "--jobs", "1", "--out", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_unreachable_scheduler_is_one_clear_message(tmp_path, capsys, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OSError("Timed out trying to connect to tcp://10.9.9.9:8786 after 15 s")

    monkeypatch.setattr(sim, "power_study", unreachable)
    assert main(["simulate", "power", "--runs", "1", "--scheduler", "tcp://10.9.9.9:8786", "--out", str(tmp_path),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler tcp://10.9.9.9:8786" in err and "Traceback" not in err


def test_the_permutations_do_not_reuse_the_draws_that_made_the_panel():
    rng, permutation_seed = sim._streams(123)
    first = rng.random(5)
    assert not np.allclose(first, np.random.default_rng(permutation_seed).random(5))
    assert not np.allclose(first, np.random.default_rng(123).random(5))
    again, same_seed = sim._streams(123)
    assert np.array_equal(again.random(5), first) and same_seed == permutation_seed


def test_small_designs_the_rule_the_verdicts_and_exact_false_positives():
    """Issue 19: a few dozen runs of the small designs. Checked against values worked out by hand: the number of
    distinct assignments (3 + 3: C(6, 3) = 20, so p >= 0.05 always; 5 + 5: C(10, 5) = 252; one pilot in each of
    three starts among 15 bodies: 15 × 14 × 13 = 2730), the design ATT (three starts in waves 2, 3, 4 of 5: effects
    2, 3.5, 5, 6.5 / 2, 3.5, 5 / 2, 3.5 over 9 body-waves = 33 / 9), and the exact test's false positives against a
    binomial bound at 5 %."""
    from math import comb

    from scipy.stats import binom

    runs = 25
    result = sim.calibration_study(runs=runs, seed=11, permutations=99, designs=list(sim.SMALL_DESIGNS), n_jobs=1)
    frame = result.runs
    head = frame[frame["method"] == sim.HEADLINE]
    assert len(head) == 2 * runs * len(sim.SMALL_DESIGNS)
    by = {name: part for name, part in head.groupby("design")}
    # the rule: randomization below MIN_PILOTS_PER_START pilots per start cohort, BJS at it; exact when few assignments
    assert MIN_PILOTS_PER_START == 6
    assert set(by["6 per start"]["procedure"]) == {"bjs"}
    assert set(by["1 per start"]["procedure"]) == {"randomization, exact"}
    assert set(by["2 per start"]["procedure"]) == set(by["3 per start"]["procedure"]) == {"randomization, Monte Carlo"}
    assert set(by["3 + 3"]["procedure"]) == set(by["5 + 5"]["procedure"]) == {"randomization, exact"}
    assert (by["3 + 3"]["p_min"] == 1 / comb(6, 3)).all()
    assert by["5 + 5"]["p_min"].to_numpy() == pytest.approx(1 / comb(10, 5))
    assert by["1 per start"]["p_min"].to_numpy() == pytest.approx(1 / (15 * 14 * 13))
    assert by["6 per start"]["p_min"].isna().all()
    # 3 + 3 can never answer: no rejection, unbounded interval, "design too small" — with or without an effect
    small = by["3 + 3"]
    assert not small["rejected"].any() and small["unbounded"].all() and (small["p_value"] >= 0.05).all()
    assert set(zip(small["verdict"], small["verdict_reason"])) == {("unclear", "design_too_small")}
    bjs_small = frame[(frame["design"] == "3 + 3") & (frame["method"] == sim.BJS_ALWAYS)]
    assert not bjs_small["unbounded"].any()  # what the rule replaced: a finite interval from 6 bodies
    # two-way FE is refused below 6 pilot bodies under the pilot (3 + 3, 5 + 5, one pilot per start)
    twfe = frame[frame["method"].str.startswith("two-way FE")].groupby("design")
    assert set(twfe.get_group("3 + 3")["procedure"]) == {"not estimable (too_few_twfe)"}
    assert set(twfe.get_group("3 + 3")["verdict_reason"]) == {"not_estimated"}
    assert set(twfe.get_group("6 per start")["procedure"]) == {"cluster-robust t"}
    # the planted truth
    planted = head[head["scenario"] == "planted effect"]
    stagger = planted["design"].str.endswith("per start")
    assert planted.loc[stagger, "design_truth"].to_numpy() == pytest.approx(33 / 9)
    assert planted.loc[~stagger, "design_truth"].to_numpy() == pytest.approx(2.0)
    assert (head.loc[head["scenario"] == "no effect", "truth"] == 0).all()
    # the exact tests (every assignment enumerated) reject a true null at most 5 % of the time: the count of false
    # positives in 3 × 25 runs must not exceed the binomial 99.99 % quantile at 5 %
    exact_null = head[(head["scenario"] == "no effect") & (head["procedure"] == "randomization, exact")]
    assert len(exact_null) == 3 * runs
    assert exact_null["rejected"].sum() <= binom.ppf(0.9999, len(exact_null), 0.05)
    # one procedure: a rejection is exactly an interval without 0, and "yes" only with a rejection above 0
    estimates = frame[frame["method"].isin([sim.HEADLINE, sim.BJS_ALWAYS])]
    excludes = (estimates["ci_low"] > 0) | (estimates["ci_high"] < 0)
    assert (estimates["rejected"].astype(bool) == excludes).all()
    yes = estimates["verdict"] == "yes"
    assert (estimates.loc[yes, "ci_low"] > 0).all() and estimates.loc[yes, "rejected"].astype(bool).all()
    # the BJS-always row is what imputation_att(inference="bjs") returns on the same panel
    row = frame[(frame["design"] == "2 per start") & (frame["method"] == sim.BJS_ALWAYS)].iloc[0]
    rng, _ = sim._streams(int(row["seed"]))
    panel, _, _ = sim.simulate_calibration_panel(sim.CALIBRATION_DESIGNS["2 per start"],
                                                 row["scenario"] == "planted effect", rng)
    bjs = imputation_att(panel, "score", inference="bjs")
    assert (row["ci_low"], row["ci_high"], row["p_value"]) == pytest.approx((bjs.ci_low, bjs.ci_high, bjs.p_value))
    # the summary names procedures and verdicts
    summary = result.summary.set_index(["design", "scenario", "method"])
    assert summary.loc[("3 + 3", "no effect", sim.HEADLINE), "verdicts"] == "unclear / design_too_small 100%"
    assert summary.loc[("6 per start", "planted effect", sim.HEADLINE), "procedure"] == "bjs 100%"
    assert summary.loc[("3 + 3", "planted effect", sim.HEADLINE), "unbounded"] == 1.0


def test_small_design_panels_have_the_stated_shape():
    rng = np.random.default_rng(2)
    for k in (1, 2, 3, 6):
        panel, _, _ = sim.simulate_calibration_panel(sim.CALIBRATION_DESIGNS[f"{k} per start"], True, rng)
        bodies = panel.drop_duplicates("body_id")
        assert (bodies["group"] == "comparison").sum() == 12 and set(bodies["level"]) == {"xã"}
        assert bodies.loc[bodies["group"] == "pilot", "pilot_start"].value_counts().to_dict() == {
            2022: k, 2023: k, 2024: k}
        assert panel["year"].nunique() == 5 and panel["province"].nunique() == 1
    for name, n in (("3 + 3", 3), ("5 + 5", 5)):
        panel, _, _ = sim.simulate_calibration_panel(sim.CALIBRATION_DESIGNS[name], False, rng)
        assert panel.groupby("group")["body_id"].nunique().to_dict() == {"comparison": n, "pilot": n}
        assert sorted(panel["year"].unique()) == [2023, 2024]

"""Meta-analysis against metafor's BCG example and statsmodels; power formulas against simulation."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iso18091lab.stats import NotEstimable
from iso18091lab.stats import synthesis as syn

# metafor dat.bcg (Colditz et al. 1994): 13 BCG vaccine trials, and metafor's results on them at full precision
# (tests/references/metafor_bcg: bcg.csv, values.json, make_reference.R)
METAFOR = Path(__file__).resolve().parents[1] / "references" / "metafor_bcg"
BCG = pd.read_csv(METAFOR / "bcg.csv")[["tpos", "tneg", "cpos", "cneg"]].to_numpy(float)
METAFOR_VALUES = json.loads((METAFOR / "values.json").read_text(encoding="utf-8"))
FIELDS = ["estimate", "se", "ci_low", "ci_high", "tau2", "i2", "h2", "q", "pi_low", "pi_high"]


def _bcg():
    a, b, c, d = BCG.T
    return np.log((a / (a + b)) / (c / (c + d))), 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)


def _assert_metafor(result, reference):
    # metafor run with control = list(threshold = 1e-12, tol = 1e-12): agreement to ~1e-13 measured
    for field in FIELDS:
        assert getattr(result, field) == pytest.approx(reference[field], rel=1e-9, abs=1e-12), field
    assert result.k == reference["k"] == 13


def test_bcg_effect_sizes_equal_metafor_escalc():
    y, v = _bcg()
    np.testing.assert_allclose(y, METAFOR_VALUES["yi"], rtol=1e-13)
    np.testing.assert_allclose(v, METAFOR_VALUES["vi"], rtol=1e-13)


@pytest.mark.parametrize("method", ["REML", "DL", "PM"])
def test_random_effects_match_metafor_bcg(method):
    # metafor: rma(yi, vi, data = dat, method = method) on escalc(measure = "RR", ...)
    _assert_metafor(syn.meta_analysis(*_bcg(), method=method), METAFOR_VALUES[method])


def test_hartung_knapp_matches_metafor_knha():
    # metafor: rma(yi, vi, data = dat, test = "knha")
    _assert_metafor(syn.meta_analysis(*_bcg(), method="REML", hartung_knapp=True), METAFOR_VALUES["REML_knha"])


@pytest.mark.parametrize("data, adhoc, name", [("bcg", True, "REML_adhoc"), ("pair", False, "pair_knha"),
                                               ("pair", True, "pair_adhoc")])
def test_hartung_knapp_ad_hoc_matches_metafor_adhoc(data, adhoc, name):
    # metafor: rma(yi, vi, test = "adhoc"), Knapp & Hartung's (2003) variance factor floored at 1. On BCG the
    # factor is above 1 (adhoc = knha); on the pair 5 and 5.05 (variances 9) it is 0.00014, which makes the plain
    # interval 4.71 to 5.34 and the ad hoc one -21.93 to 31.98
    y, v = _bcg() if data == "bcg" else ([5.0, 5.05], [9.0, 9.0])
    result, reference = syn.meta_analysis(y, v, method="REML", hartung_knapp=True, adhoc=adhoc), METAFOR_VALUES[name]
    for field in FIELDS + ["p_value"]:
        assert getattr(result, field) == pytest.approx(reference[field], rel=1e-9, abs=1e-12), field
    assert result.k == reference["k"]


def test_dl_matches_statsmodels():
    from statsmodels.stats.meta_analysis import combine_effects

    y, v = _bcg()
    r = syn.meta_analysis(y, v, method="DL")
    ref = combine_effects(y, v, method_re="dl")
    frame = ref.summary_frame().loc["random effect"]
    assert r.tau2 == pytest.approx(ref.tau2, abs=1e-10)
    assert r.estimate == pytest.approx(frame["eff"], abs=1e-10) and r.se == pytest.approx(frame["sd_eff"], abs=1e-10)


def test_paule_mandel_matches_statsmodels_iterated():
    from statsmodels.stats.meta_analysis import combine_effects

    y, v = _bcg()
    r = syn.meta_analysis(y, v, method="PM")
    ref = combine_effects(y, v, method_re="iterated")
    assert r.tau2 == pytest.approx(ref.tau2, abs=1e-6)
    assert r.estimate == pytest.approx(ref.summary_frame().loc["random effect", "eff"], abs=1e-6)


def test_hartung_knapp_and_edge_cases():
    y, v = _bcg()
    plain = syn.meta_analysis(y, v)
    hk = syn.meta_analysis(y, v, hartung_knapp=True)
    w = 1 / (v + plain.tau2)
    expected_se = np.sqrt((w * (y - plain.estimate) ** 2).sum() / (12 * w.sum()))
    assert hk.se == pytest.approx(expected_se, rel=1e-12) and hk.estimate == pytest.approx(plain.estimate)
    assert hk.ci_high - hk.estimate == pytest.approx(2.178813 * hk.se, rel=1e-5)  # t(0.975, 12)
    same = syn.meta_analysis([1.0, 1.0, 1.0], [0.1, 0.2, 0.3])
    assert same.tau2 == 0 and same.i2 == 0
    with pytest.raises(ValueError):
        syn.meta_analysis([1.0], [0.1])
    with pytest.raises(ValueError):
        syn.meta_analysis([1.0, 2.0], [0.1, 0.0])


def _simulate_did(n_t, n_c, m, r, sigma, rho, effect, runs, rng):
    periods = m + r
    cov = sigma ** 2 * (rho * np.ones((periods, periods)) + (1 - rho) * np.eye(periods))
    chol = np.linalg.cholesky(cov)
    estimates = []
    for _ in range(runs):
        y = rng.normal(size=(n_t + n_c, periods)) @ chol.T
        y[:n_t, m:] += effect
        change = y[:, m:].mean(axis=1) - y[:, :m].mean(axis=1)
        estimates.append(change[:n_t].mean() - change[n_t:].mean())
    return np.array(estimates)


def test_did_variance_and_power_match_simulation():
    rng = np.random.default_rng(1)
    cov = syn.Covariances.equicorrelated(100.0, 0.6)
    analytic_sd = np.sqrt(syn.did_variance(20, 30, 1, 2, cov))
    sims = _simulate_did(20, 30, 1, 2, 10.0, 0.6, 0.0, 4000, rng)
    # SD of 4,000 draws is within about 2.2 % (1 / sqrt(2 * 4000) ≈ 1.1 %, two of them)
    assert sims.std(ddof=1) == pytest.approx(analytic_sd, rel=0.035)
    mde = syn.did_mde(20, 30, 1, 2, cov)
    sims = _simulate_did(20, 30, 1, 2, 10.0, 0.6, mde, 4000, rng)
    power = np.mean(np.abs(sims / analytic_sd) > 1.959964)
    assert power == pytest.approx(0.80, abs=3 * np.sqrt(0.8 * 0.2 / 4000))


def test_general_covariances_and_bodies_needed():
    cov = syn.Covariances(variance=100, pre=70, post=50, cross=40)
    # per body: (100 + 0)/1 + (100 + 50)/2 - 80 = 95
    assert syn.did_variance(1, 1, 1, 2, cov) == pytest.approx(95 * 2)
    n = syn.bodies_needed(3.0, 1, 2, cov)
    mde_at_n = syn.did_mde(n / 2, n / 2, 1, 2, cov)
    assert mde_at_n <= 3.0 < syn.did_mde((n - 2) / 2, (n - 2) / 2, 1, 2, cov)
    assert syn.design_effect(10, 0.05) == pytest.approx(1.45)
    assert syn.bodies_needed(3.0, 1, 2, cov, design_effect=1.45) > n


def test_serial_covariances_refuse_moments_that_give_a_negative_variance_of_change():
    """Worked by hand. Comparison bodies after removing province x wave means: P1 and P2 (2 waves) have bodies at
    -10, 0, 10 in both waves (variance 100, covariance 100); P3 (4 waves) has identical bodies (all 0). Pooled:
    sigma2 = (4 * 100 + 4 * 0) / 8 = 50; cross (pairs with the first wave) = (100 + 100 + 0 + 0 + 0) / 5 = 40;
    post (pairs after the first wave, only P3) = 0. Variance of a body's change with 1 wave before and 2 under the
    pilot: sigma2 + (sigma2 + post) / 2 - 2 cross = 50 + 25 - 80 = -5 < 0: not a variance, so not estimable."""
    rows = [{"province": p, "body_id": f"{p}{b}", "year": y, "group": "comparison", "score": v}
            for p in ("P1", "P2") for b, v in enumerate((-10.0, 0.0, 10.0)) for y in (2022, 2023)]
    rows += [{"province": "P3", "body_id": f"P3{b}", "year": y, "group": "comparison", "score": 5.0}
             for b in range(3) for y in (2021, 2022, 2023, 2024)]
    with pytest.raises(NotEstimable) as caught:
        syn.serial_covariances(pd.DataFrame(rows), "score")
    assert caught.value.reason == "nonpositive_change_variance" and caught.value.values["value"] == pytest.approx(-5)
    rows = [r for r in rows if r["province"] != "P3"]  # P1, P2 alone: 100 + (100 + 100) / 2 - 200 = 0, no variance
    with pytest.raises(NotEstimable):
        syn.serial_covariances(pd.DataFrame(rows), "score")


def test_serial_covariances_without_a_repeated_comparison_body_say_so():
    """Two waves in the data (2024 in one province, 2025 in the other) but no comparison body scored in both: the
    reason is that, not "only one assessment wave" (there are two), and its sentence has no placeholder dash."""
    from iso18091lab.i18n import t

    rows = [{"province": p, "body_id": f"{p}{b}", "year": y, "group": "comparison", "score": float(b)}
            for p, y in (("P1", 2024), ("P2", 2025)) for b in range(3)]
    with pytest.raises(NotEstimable) as caught:
        syn.serial_covariances(pd.DataFrame(rows), "score")
    assert caught.value.reason == "no_repeated_comparison"
    for lang in ("vi", "en"):
        assert "–" not in t("ne_no_repeated_comparison", lang, **caught.value.values)

def test_serial_covariances_recover_simulated_values():
    rng = np.random.default_rng(3)
    rows = []
    for province in range(4):
        shocks = rng.normal(0, 5, size=3)
        for b in range(300):
            body = rng.normal(0, np.sqrt(60))
            for t in range(3):
                rows.append({"province": province, "body_id": f"{province}-{b}", "group": "comparison", "year": 2020 + t,
                             "score": 50 + shocks[t] + body + rng.normal(0, np.sqrt(40))})
    cov = syn.serial_covariances(pd.DataFrame(rows), "score")
    assert cov.variance == pytest.approx(100, rel=0.1) and cov.cross == pytest.approx(60, rel=0.15)


def test_report_helpers():
    rng = np.random.default_rng(8)
    rows = []
    for province in ("A", "B", "C"):
        for b in range(20):
            group = "pilot" if b < 10 else "comparison"
            base = rng.normal(50, 5)
            for year in (2022, 2023):
                rows.append({"province": province, "tier": "district" if b % 2 else "commune",
                             "body_id": f"{province}{b}", "group": group,
                             "pilot_start": 2023 if group == "pilot" else np.nan, "year": year,
                             "score": base + (4 if group == "pilot" and year == 2023 else 0) + rng.normal(0, 1)})
    panel = pd.DataFrame(rows)
    by_province = syn.effects_by_group(panel, ["province"]).table
    assert list(by_province["province"]) == ["A", "B", "C"]
    # one wave before and one under the pilot: the ATT is the 2 x 2 difference of mean changes, by hand
    b = panel[panel["province"] == "B"].pivot_table(index=["body_id", "group"], columns="year", values="score")
    change = (b[2023] - b[2022]).groupby(level="group").mean()
    assert by_province.loc[1, "estimate"] == pytest.approx(change["pilot"] - change["comparison"], abs=1e-10)
    assert len(syn.effects_by_group(panel, ["tier", "province"]).table) == 6
    meta = syn.national_effect(by_province)
    # the same 4-point effect planted in every province (SE ~0.7 each): Cochran's Q is below its k - 1 = 2 degrees
    # of freedom, REML puts tau² at 0, so the prediction interval is the confidence interval; both exclude 0, but
    # with 3 provinces tau² cannot be estimated (fewer than MIN_PROVINCES_FOR_TAU2 = 5), so the evidence is at most
    # "moderate"
    assert meta.k == 3 and meta.q < 2 and meta.tau2 == 0
    assert (meta.pi_low, meta.pi_high) == pytest.approx((meta.ci_low, meta.ci_high), abs=1e-12)
    assert meta.ci_low > 0 and meta.ci_low < 4 < meta.ci_high
    assert syn.evidence_strength(meta) == "moderate"
    # the same agreement over five provinces: both intervals exclude 0 and tau² can be estimated: "strong"
    five = syn.meta_analysis([4.0, 4.1, 3.9, 4.2, 3.8], [0.5] * 5, hartung_knapp=True, adhoc=True)
    assert five.k == 5 and five.pi_low > 0 and syn.evidence_strength(five) == "strong"
    assert syn.evidence_strength(syn.meta_analysis([4.0, 4.1, 3.9, 4.2], [0.5] * 4, hartung_knapp=True,
                                                   adhoc=True)) == "moderate"
    with pytest.raises(NotEstimable) as info:
        syn.national_effect(by_province.iloc[:1])
    assert info.value.reason == "one_province" and info.value.values == {"n": 1}
    unestimable = syn.GroupEffects(by_province.iloc[:1], [{"province": "B", "reason": "no_pre_wave"}])
    with pytest.raises(NotEstimable) as info:
        syn.national_effect(unestimable)
    assert info.value.reason == "few_estimable" and info.value.values == {"n": 1, "k": 2}
    weak = syn.meta_analysis([1.0, -1.0], [1.0, 1.0])
    assert syn.evidence_strength(weak) == "weak"
    cov = syn.Covariances.equicorrelated(100, 0.5)
    curves = syn.power_curves(cov, bodies=range(20, 201, 20))
    one = curves[curves["follow_up_years"] == 1]
    assert one["mde"].is_monotonic_decreasing
    assert one.iloc[0]["mde"] == pytest.approx(syn.did_mde(10, 10, 1, 1, cov))
    table = syn.bodies_needed_table([2.0, 4.0], cov)
    assert table.loc[0, "bodies_1y"] > table.loc[1, "bodies_1y"] > 0


def test_power_sensitivity_over_assumed_heterogeneity():
    cov = syn.Covariances(variance=100, pre=70, post=50, cross=40)
    table = syn.power_sensitivity(cov, tau_values=(0.0, 2.0), effects=(3.0,), bodies_per_province=30, n_pre=1,
                                  n_post=2)
    # a body's change variance: 100 + (100 + 50) / 2 - 2 * 40 = 95; ICC at tau = 2: 4 / (4 + 95);
    # design effect 1 + 29 * 4 / 99
    assert table.loc[0, "icc"] == 0 and table.loc[0, "design_effect"] == 1
    assert table.loc[1, "icc"] == pytest.approx(4 / 99) and table.loc[1, "design_effect"] == pytest.approx(1 + 116 / 99)
    assert table.loc[0, "bodies_3"] == syn.bodies_needed(3.0, 1, 2, cov)
    assert table.loc[1, "bodies_3"] > table.loc[0, "bodies_3"]
    assert syn.MIN_PROVINCES_FOR_TAU2 == 5


@pytest.mark.parametrize("call", [
    lambda: syn.meta_analysis([1.0, 2.0], [0.1, 0.2], method="bayes"),
    lambda: syn.meta_analysis([], []),
    lambda: syn.meta_analysis(["a", "b"], [1, 1]),
    lambda: syn.meta_analysis([1.0, np.nan], [1, 1]),
    lambda: syn.did_variance(0, 10, 1, 1, syn.Covariances.equicorrelated(1, 0.5)),
    lambda: syn.did_variance(10, 10, 1, 1, None),
    lambda: syn.bodies_needed(0.0, 1, 1, syn.Covariances.equicorrelated(1, 0.5)),
    lambda: syn.design_effect(10, 1.5),
    lambda: syn.effect_icc(-1.0, 1.0),
    lambda: syn.serial_covariances(pd.DataFrame({"x": [1]})),
    lambda: syn.serial_covariances(pd.DataFrame(columns=["province", "body_id", "year", "group", "score"])),
    lambda: syn.effects_by_group(pd.DataFrame({"x": [1]}), ["province"]),
    lambda: syn.national_effect(pd.DataFrame({"estimate": [1.0]})),
    lambda: syn.evidence_strength(None),
    lambda: syn.power_sensitivity(syn.Covariances.equicorrelated(1, 0.5), tau_values=(-1,)),
])
def test_invalid_input_is_a_plain_value_error(call):
    with pytest.raises(ValueError):
        call()


# --------------------------------------------------------------------------- which provinces the pooling weighs
# Each province enters with the inference its own report uses (stats.did.imputation: BJS at >= MIN_PILOTS_PER_START
# pilots in every start cohort, else randomization inference); a province whose own interval is unbounded is left out.

Z975 = 1.959963984540054  # the 97.5 % normal quantile, written out: the SE a 95 % interval implies is width / (2 z)


def _province(name, pilot_starts, n_comparison, waves=(2022, 2023, 2024), effect=5.0, seed=0):
    """Body-wave scores of one province: a body level, a common wave shock, ``effect`` points on pilot
    body-waves from each pilot's start, unit noise."""
    rng = np.random.default_rng(seed)
    shocks = rng.normal(0, 2, len(waves))
    bodies = [("pilot", float(s)) for s in pilot_starts] + [("comparison", np.nan)] * n_comparison
    rows = []
    for b, (group, start) in enumerate(bodies):
        base = rng.normal(50, 5)
        for w, year in enumerate(waves):
            under = group == "pilot" and year >= start
            rows.append({"province": name, "body_id": f"{name}-{b}", "level": "xã", "group": group,
                         "pilot_start": start, "year": year,
                         "score": base + shocks[w] + (effect if under else 0.0) + rng.normal(0, 1)})
    return pd.DataFrame(rows)


def _one_pilot_per_start(name, seed):
    # two pilots starting 2023 and 2024 and 3 comparison bodies: 5! / (1! 1! 3!) = 20 assignments, so the
    # smallest p the design allows is 1/20 = 0.05 and its randomization interval has no end (as the design
    # one_pilot_per_start, whose provinces' reports say "Chưa trả lời được với thiết kế này")
    return _province(name, (2023, 2024), 3, seed=seed)


def test_provinces_whose_own_design_cannot_answer_give_no_national_number():
    from iso18091lab.stats.did.imputation import imputation_att
    from iso18091lab.stats.verdict import national_effect_verdict

    panel = pd.concat([_one_pilot_per_start("A", 1), _one_pilot_per_start("B", 2)], ignore_index=True)
    by_province = syn.effects_by_group(panel, ["province"], seed=3).table
    assert list(by_province["inference"]) == ["randomization", "randomization"]
    assert by_province["p_min"].tolist() == pytest.approx([1 / 20, 1 / 20])
    for row in by_province.itertuples():  # the very interval of the province's own report: unbounded
        own = imputation_att(panel[panel["province"] == row.province], seed=3)
        assert (row.ci_low, row.ci_high) == (own.ci_low, own.ci_high) == (-np.inf, np.inf)
        assert np.isinf(row.se) and 0 < row.se_bjs < np.inf  # the BJS SE the old synthesis pooled
    assert syn.poolable(by_province).empty
    assert syn.left_out(by_province)[["province", "reason"]].values.tolist() == [["A", "unbounded"],
                                                                                 ["B", "unbounded"]]
    with pytest.raises(NotEstimable) as info:
        syn.national_effect(by_province)
    assert info.value.reason == "few_answerable" and info.value.values == {"n": 0, "k": 2, "m": 2}
    verdict = national_effect_verdict(n_pooled=0, n_cannot_answer=2, n_provinces=2)
    assert (verdict.answer, verdict.reason) == ("unclear", "design_too_small")
    assert np.isnan(verdict.values["estimate"]) and np.isnan(verdict.values["ci_low"])
    # the bug this guards against: with BJS forced on every province the same data gave a pooled number
    forced = syn.effects_by_group(panel, ["province"], n_permutations=0).table
    assert list(forced["inference"]) == ["bjs", "bjs"] and syn.national_effect(forced).k == 2


def test_a_mix_pools_the_answerable_provinces_only_and_lists_the_other():
    from iso18091lab.stats.verdict import effect_verdict, national_effect_verdict

    answerable = [_province(name, [2023] * 6, 6, seed=seed) for name, seed in (("A", 4), ("B", 5))]
    panel = pd.concat(answerable + [_one_pilot_per_start("C", 6)], ignore_index=True)
    by_province = syn.effects_by_group(panel, ["province"], seed=3).table
    assert list(by_province["inference"]) == ["bjs", "bjs", "randomization"]
    assert list(syn.poolable(by_province)["province"]) == ["A", "B"]
    left = syn.left_out(by_province)
    assert left[["province", "reason"]].values.tolist() == [["C", "unbounded"]]
    pooled = syn.national_effect(by_province)
    ab = by_province.iloc[:2]
    alone = syn.meta_analysis(ab["estimate"], ab["se"] ** 2, method="REML", hartung_knapp=True, adhoc=True)
    assert pooled.k == 2 and (pooled.estimate, pooled.se, pooled.ci_low) == (alone.estimate, alone.se, alone.ci_low)
    verdict = national_effect_verdict(pooled.estimate, pooled.ci_low, pooled.ci_high, n_pooled=2, n_cannot_answer=1,
                                      n_provinces=3)
    assert verdict.reason == effect_verdict(pooled.estimate, pooled.ci_low, pooled.ci_high).reason
    assert verdict.values["n_cannot_answer"] == 1
    # one answerable province and one that is not: nothing to pool (a national statement needs two), and the
    # verdict says the design cannot answer rather than "not estimated"
    pair = by_province.iloc[[0, 2]].copy()
    with pytest.raises(NotEstimable) as info:
        syn.national_effect(pair)
    assert info.value.reason == "few_answerable" and info.value.values == {"n": 1, "k": 2, "m": 1}
    assert syn.left_out(pair)["province"].tolist() == ["C"]
    assert national_effect_verdict(n_pooled=1, n_cannot_answer=1, n_provinces=2).reason == "design_too_small"
    # a province that could not be estimated at all is listed with its NotEstimable reason
    none = syn.effects_by_group(pd.concat([panel, _province("D", [], 4, seed=7)], ignore_index=True), ["province"],
                                seed=3)
    row = syn.left_out(none).set_index("province").loc["D"]
    assert (row["reason"], row["detail"]) == ("not_estimable", "no_pilot")
    assert [item["province"] for item in none.not_estimable] == ["D"] and "D" not in set(none.table["province"])


def test_the_pooled_se_is_the_inverse_variance_combination_of_the_provinces_it_weighs():
    from iso18091lab.stats.did.imputation import imputation_att

    panel = pd.concat([_province("A", [2023] * 8, 8, seed=11),           # BJS: 8 pilots in the one start cohort
                       _province("B", [2023] * 4, 8, seed=12),           # randomization: C(12, 4) = 495 assignments
                       _one_pilot_per_start("C", 13)], ignore_index=True)  # randomization, unbounded
    by_province = syn.effects_by_group(panel, ["province"], seed=3).table.set_index("province")
    a, b = (imputation_att(panel[panel["province"] == p], seed=3) for p in ("A", "B"))
    assert (a.inference, b.inference) == ("bjs", "randomization")
    assert np.isfinite([b.ci_low, b.ci_high]).all()
    se_a, se_b = a.se, (b.ci_high - b.ci_low) / (2 * Z975)
    assert by_province.loc["A", "se"] == pytest.approx(se_a, rel=1e-12)
    assert by_province.loc["B", "se"] == pytest.approx(se_b, rel=1e-12)
    assert by_province.loc["B", "se"] != pytest.approx(by_province.loc["B", "se_bjs"], rel=1e-3)
    # fixed effect: 1 / SE² = sum of 1 / SE_i² over the provinces weighed; C is not among them
    fixed = syn.national_effect(by_province.reset_index(), method="FE", hartung_knapp=False)
    w = np.array([1 / se_a ** 2, 1 / se_b ** 2])
    assert fixed.k == 2 and fixed.se == pytest.approx(np.sqrt(1 / w.sum()), rel=1e-12)
    assert fixed.estimate == pytest.approx((w * [a.estimate, b.estimate]).sum() / w.sum(), rel=1e-12)
    # random effects (REML, no Hartung-Knapp): the same with tau² added to each variance
    reml = syn.national_effect(by_province.reset_index(), method="REML", hartung_knapp=False)
    w = 1 / (np.array([se_a ** 2, se_b ** 2]) + reml.tau2)
    assert reml.k == 2 and reml.se == pytest.approx(np.sqrt(1 / w.sum()), rel=1e-12)


def test_interval_se_and_left_out_refuse_what_they_cannot_read():
    assert syn.interval_se(-1.0, 1.0) == pytest.approx(1 / Z975, rel=1e-12)
    assert syn.interval_se(1.0, np.inf) == np.inf and syn.interval_se(np.nan, 2.0) == np.inf
    with pytest.raises(ValueError):
        syn.interval_se(3.0, 1.0)
    with pytest.raises(ValueError):
        syn.interval_se("a", 1.0)
    with pytest.raises(ValueError):
        syn.left_out(pd.DataFrame({"province": ["A"]}))


def test_two_provinces_each_inconclusive_do_not_pool_to_a_yes():
    from scipy import stats

    from iso18091lab.stats.verdict import effect_verdict, national_effect_verdict

    # each province alone: 5 ± 1.96·3, an interval containing 0, "unclear"; they happen to agree to 0.05 points
    table = pd.DataFrame({"province": ["A", "B"], "estimate": [5.0, 5.05], "se": [3.0, 3.0]})
    for row in table.itertuples():
        assert effect_verdict(row.estimate, row.estimate - Z975 * row.se, row.estimate + Z975 * row.se).answer \
            == "unclear"
    pooled = syn.national_effect(table)
    # hand-worked (tau² = 0, REML at the boundary): inverse-variance SE sqrt(9 / 2), t with 1 df; R
    # metafor 3.8.1 rma(c(5, 5.05), c(9, 9), test = "adhoc"): SE 2.1213203, CI -21.9289306 to 31.9789306, p 0.2543022
    half = stats.t.ppf(0.975, 1) * np.sqrt(9 / 2)
    assert (pooled.ci_low, pooled.ci_high) == pytest.approx((5.025 - half, 5.025 + half), rel=1e-9)
    assert (pooled.ci_low, pooled.ci_high, pooled.p_value) == pytest.approx(
        [METAFOR_VALUES["pair_adhoc"][f] for f in ("ci_low", "ci_high", "p_value")], rel=1e-9)
    verdict = national_effect_verdict(pooled.estimate, pooled.ci_low, pooled.ci_high, n_pooled=2, n_provinces=2)
    assert verdict.answer == "unclear" and syn.evidence_strength(pooled) == "weak"

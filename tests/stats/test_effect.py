"""Effectiveness estimators against published reference values, established packages and hand enumeration."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from iso18091lab.stats import effect as ef

# Hollander & Wolfe (1973) p. 29, depression scale factor IV; R: wilcox.test(x, y, paired = TRUE): V = 40, p = 0.039
HW_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
HW_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]


def test_wilcoxon_hollander_wolfe():
    result = ef.wilcoxon_signed_rank(HW_X, HW_Y)
    assert result.statistic == 40 and round(result.p_value, 3) == 0.039 and "exact" in result.method
    assert result.p_value == pytest.approx(stats.wilcoxon(np.subtract(HW_X, HW_Y), method="exact").pvalue)


def test_hodges_lehmann_estimate_and_exact_interval_by_test_inversion():
    result = ef.hodges_lehmann(HW_X, HW_Y)
    assert round(result.estimate, 2) == 0.46  # R: (pseudo)median 0.46
    d = np.subtract(HW_X, HW_Y)
    alpha = 1 - result.achieved_confidence
    # the interval is the set of shifts the exact two-sided signed-rank test (scipy) does not reject at alpha
    for end, inside, outside in ((result.ci_low, 1e-6, -1e-6), (result.ci_high, -1e-6, 1e-6)):
        assert stats.wilcoxon(d - (end + inside), method="exact").pvalue > alpha - 1e-12
        assert stats.wilcoxon(d - (end + outside), method="exact").pvalue <= alpha + 1e-12
    assert 0.95 <= result.achieved_confidence < 0.97


def test_benjamini_hochberg_1995_example():
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528,
         0.7590, 1.0000]
    q = ef.bh_qvalues(p)
    assert (q <= 0.05).sum() == 4  # BH (1995): the four smallest are rejected at FDR 5 %
    from statsmodels.stats.multitest import multipletests

    np.testing.assert_allclose(q, multipletests(p, method="fdr_bh")[1], atol=1e-12)
    assert np.isnan(ef.bh_qvalues([0.01, np.nan])[1])


def _tiny_panel(changes, pilots):
    rows = []
    for unit, change in zip("ABCD", changes):
        group = "pilot" if unit in pilots else "comparison"
        rows += [{"province": "P", "unit": unit, "level": "xã", "group": group, "pilot_start": 2022 if group == "pilot"
                  else np.nan, "year": 2022, "score": 50.0},
                 {"province": "P", "unit": unit, "level": "xã", "group": group, "pilot_start": 2022 if group == "pilot"
                  else np.nan, "year": 2023, "score": 50.0 + change}]
    return pd.DataFrame(rows)


def test_permutation_is_exact_on_an_example_enumerated_by_hand():
    # changes A..D = 5, 3, 1, -1; pilots A, B. The six reassignments give DiD 4, 2, 0, 0, -2, -4:
    # two of six are at least as extreme as the observed 4, so p = 1/3.
    result = ef.permutation_did(_tiny_panel([5, 3, 1, -1], "AB"), "score")
    assert result.estimate == pytest.approx(4.0)
    assert result.details["exact"] and result.details["n_assignments"] == 6
    assert sorted(np.round(result.details["permutation_estimates"], 9)) == [-4, -2, 0, 0, 2, 4]
    assert result.p_value == pytest.approx(1 / 3)


def _simulated_panel(effect, seed, n_per_group=14, provinces=("HP", "QN"), starts=(2022, 2024)):
    rng = np.random.default_rng(seed)
    rows = []
    for province, start in zip(provinces, starts):
        years = [start, start + 1, start + 2]
        shocks = {y: rng.normal(0, 3) for y in years}
        for b in range(2 * n_per_group):
            group = "pilot" if b < n_per_group else "comparison"
            level = "quận" if b % 2 else "xã"
            alpha = rng.normal(50, 8)
            for y in years:
                post = group == "pilot" and y > start
                rows.append({"province": province, "unit": f"{province}{b}", "level": level, "group": group,
                             "pilot_start": start if group == "pilot" else np.nan, "year": y,
                             "score": alpha + shocks[y] + effect * post + rng.normal(0, 2)})
    return pd.DataFrame(rows)


def _statsmodels_cr1_without_nested_fe(fit, n_obs, n_clusters, n_nested):
    """statsmodels' CR1 SE rescaled to the convention that does not count FE nested in the clusters."""
    k_all = fit.model.exog.shape[1] - (fit.model.exog.shape[1] - np.linalg.matrix_rank(fit.model.exog))
    k_kept = k_all - n_nested
    ours_factor = (n_obs - 1) / (n_obs - k_kept)
    theirs_factor = (n_obs - 1) / (n_obs - fit.model.exog.shape[1])
    return fit.bse["d"] * np.sqrt(ours_factor / theirs_factor)


@pytest.mark.parametrize("provinces, starts", [(("HP",), (2022,)), (("HP", "QN"), (2022, 2024))])
def test_did_matches_statsmodels_cluster_robust_ols(provinces, starts):
    import statsmodels.formula.api as smf

    panel = _simulated_panel(4.0, seed=1, provinces=provinces, starts=starts)
    ours = ef.did_within_province(panel, "score")
    panel = panel.assign(d=ef.treated(panel), py=panel["province"] + panel["year"].astype(str))
    fit = smf.ols("score ~ d + C(unit) + C(py)", data=panel).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(panel["unit"])[0]})
    assert ours.estimate == pytest.approx(fit.params["d"], abs=1e-8)
    n_units = panel["unit"].nunique()
    # body FE (intercept + n_units - 1 dummies) are nested in the body clusters
    expected = _statsmodels_cr1_without_nested_fe(fit, len(panel), n_units, n_units)
    assert ours.se == pytest.approx(expected, rel=1e-8)
    assert ours.p_value == pytest.approx(2 * stats.t.sf(abs(ours.estimate / ours.se), n_units - 1), rel=1e-9)
    assert ours.n_pilot == 14 * len(provinces)


def test_estimators_recover_the_planted_effect_and_agree():
    panel = _simulated_panel(5.0, seed=2)
    did = ef.did_within_province(panel, "score")
    imputation = ef.imputation_did(panel, "score", n_resamples=200, seed=1)
    perm = ef.permutation_did(panel, "score", n_permutations=500, seed=1)
    for result in (did, imputation):
        assert result.ci_low < 5.0 < result.ci_high
    assert perm.p_value < 0.01 and perm.estimate == pytest.approx(did.estimate)
    # homogeneous effects, never-treated comparison bodies in every province: the two estimators agree closely
    assert imputation.estimate == pytest.approx(did.estimate, abs=0.3)
    events = imputation.details["event_study"].set_index("event_time")
    assert list(events.index) == [0, 1, 2] and events.loc[0, "estimate"] == 0


def test_imputation_equals_did_in_the_two_by_two_case():
    panel = _tiny_panel([5, 3, 1, -1], "AB")
    assert ef.imputation_did(panel, "score", n_resamples=20, seed=0).estimate == pytest.approx(4.0)


def test_bootstrap_mean_change():
    result = ef.bootstrap_mean_change(HW_X, HW_Y, seed=3, n_resamples=2000)
    d = np.subtract(HW_X, HW_Y)
    assert result.estimate == pytest.approx(d.mean())
    assert result.ci_low < result.estimate < result.ci_high
    again = ef.bootstrap_mean_change(HW_X, HW_Y, seed=3, n_resamples=2000)
    assert (again.ci_low, again.ci_high) == (result.ci_low, result.ci_high)


def test_effectiveness_table_contract(synthetic_ingest):
    result, _ = synthetic_ingest
    a = result.assessments[result.assessments["province"] == "Quảng Ninh"]
    table = ef.effectiveness_table(a, result.outcomes[result.outcomes["province"] == "Quảng Ninh"], result.units,
                                   n_permutations=300, seed=1)
    assert list(table.columns[:11]) == ef.EFFECTIVENESS_COLUMNS
    primary = table[(table["level"] == "overall") & (table["rater"] == "council")]
    assert len(primary) == 1 and primary.iloc[0]["n_pilot"] == 16
    assert set(table["level"]) == {"overall", "pillar", "indicator", "external"}
    assert table.loc[table["level"] == "indicator", "q_value"].notna().all()
    assert table.loc[table["level"] != "indicator", "q_value"].isna().all()
    assert (table.loc[table["level"] == "external", "rater"] == "").all()


def test_pre_post_table():
    panel = _simulated_panel(5.0, seed=4)
    table = ef.pre_post(panel[panel["province"] == "HP"], "score", seed=1)
    assert len(table) == 3 and table.loc[0, "n"] == 14
    pilots = panel[(panel["province"] == "HP") & (panel["group"] == "pilot")]
    wide = pilots.pivot_table(index="unit", columns="year", values="score")
    change = wide[2023] - wide[2022]
    assert table.loc[1, "estimate"] == pytest.approx(ef.hodges_lehmann(wide[2023], wide[2022]).estimate)
    assert table.loc[2, "estimate"] == pytest.approx(change.mean())

"""Reliability statistics against published reference values and established packages on the same data."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iso18091lab.i18n import method_label
from iso18091lab.stats import agreement, cluster_robust, generalizability, inputs, intraclass, reml, scales

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges; R psych and lme4 results on it and on the other data sets
# below at full precision (tests/references/psych_icc: the CSV files, values.json, make_reference.R)
PSYCH_DIR = Path(__file__).resolve().parents[1] / "references" / "psych_icc"
PSYCH_VALUES = json.loads((PSYCH_DIR / "values.json").read_text(encoding="utf-8"))
SHROUT_FLEISS = pd.read_csv(PSYCH_DIR / "shrout_fleiss.csv").to_numpy(float)
# R psych::ICC(x, lmer = FALSE) on those data (ANOVA mean squares: exact)
PSYCH = PSYCH_VALUES["shrout_fleiss"]
# Shrout & Fleiss (1979) published values
SHROUT_FLEISS_ICC = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71, "ICC1k": 0.44, "ICC2k": 0.62, "ICC3k": 0.91}

#: The modules of the reliability statistics (every public function is tested on bad input below).
RELIABILITY_MODULES = (inputs, reml, intraclass, generalizability, scales, agreement, cluster_robust)


def _long(matrix):
    n, k = matrix.shape
    return pd.DataFrame([(i, j, matrix[i, j]) for i in range(n) for j in range(k)],
                        columns=["target", "rater", "rating"])


def test_icc_matches_shrout_fleiss_and_psych():
    out = intraclass.icc(_long(SHROUT_FLEISS), "target", "rater", "rating")
    assert list(out.index) == intraclass.ICC_FORMS
    assert list(out.columns) == ["method", "icc", "F", "df1", "df2", "p_value", "ci_low", "ci_high", "n", "k",
                                 "n_dropped", "n_incomplete"]
    for form, published in SHROUT_FLEISS_ICC.items():
        assert round(out.loc[form, "icc"], 2) == published
    assert PSYCH["forms"] == intraclass.ICC_FORMS
    for column, key in (("icc", "icc"), ("F", "F"), ("p_value", "p"), ("ci_low", "lower"), ("ci_high", "upper")):
        np.testing.assert_allclose(out[column], PSYCH[key], rtol=1e-10, atol=1e-14, err_msg=column)
    np.testing.assert_array_equal(out["df1"], PSYCH["df1"])
    np.testing.assert_array_equal(out["df2"], PSYCH["df2"])
    assert (out["n"] == 6).all() and (out["k"] == 4).all() and (out["n_dropped"] == 0).all() and not out.attrs
    assert out.loc["ICC2", "method"] == 'icc_form_a1 {"fit": {"key": "fit_complete_only"}, "level": 95}'
    assert "McGraw-Wong ICC(A,1)" in method_label(out.loc["ICC2", "method"], "en")


def test_the_icc_bootstrap_benchmark_computes_the_icc_of_each_resample():
    """benchmarks/bench_icc_bootstrap.py keeps the vectorised replicates (no report uses them): each replicate is
    the ICC of the resampled matrix, so the benchmark measures the right thing and does not go stale."""
    import importlib.util

    path = Path(__file__).parents[2] / "benchmarks" / "bench_icc_bootstrap.py"
    spec = importlib.util.spec_from_file_location("bench_icc_bootstrap", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    indices = np.array([np.arange(6), [0, 0, 2, 3, 5, 5], [1, 2, 2, 4, 4, 0]])
    reps = bench.vectorised_replicates(SHROUT_FLEISS, indices)
    for r, idx in enumerate(indices):
        ref = intraclass.icc(_long(SHROUT_FLEISS[idx]), "target", "rater", "rating")["icc"]
        for form in intraclass.ICC_FORMS:
            assert reps[form][r] == pytest.approx(ref[form], abs=1e-12)


def _pingouin_icc(frame):
    import pingouin as pg

    ref = pg.intraclass_corr(frame, targets="target", raters="rater", ratings="rating", nan_policy="omit")
    return ref.set_index(pd.Index(intraclass.ICC_FORMS))


@pytest.mark.parametrize("seed", [0, 1])
def test_icc_matches_pingouin_also_with_missing_ratings(seed):
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(40, 1)) + rng.normal(scale=0.7, size=(40, 5)) + rng.normal(size=(1, 5))
    frame = _long(matrix)
    frame.loc[rng.choice(len(frame), 6, replace=False), "rating"] = np.nan
    ours = intraclass.icc(frame, "target", "rater", "rating")
    ref = _pingouin_icc(frame.dropna())
    assert (ours["n_dropped"] == 40 - ours["n"]).all() and ours["n_dropped"].iloc[0] > 0
    np.testing.assert_allclose(ours["icc"], ref["ICC"], atol=1e-6)
    np.testing.assert_allclose(ours["F"], ref["F"], atol=1e-6)
    np.testing.assert_allclose(ours["p_value"], ref["pval"], atol=1e-6)
    low, high = np.array(ref["CI95"].tolist()).T
    np.testing.assert_allclose(ours["ci_low"], low, atol=0.0051)  # pingouin rounds its CIs to 2 decimals
    np.testing.assert_allclose(ours["ci_high"], high, atol=0.0051)


def test_icc_rejects_too_little_data():
    with pytest.raises(ValueError, match="at least 2 complete targets"):
        intraclass.icc(_long(SHROUT_FLEISS[:1]), "target", "rater", "rating")


def test_cronbach_alpha_reference_and_pingouin():
    # alpha of the judges as items equals ICC(3,k): Shrout & Fleiss 0.91; Feldt's bounds = psych's ICC3k bounds
    result = scales.cronbach_alpha(pd.DataFrame(SHROUT_FLEISS))
    assert round(result.alpha, 2) == 0.91
    assert result.alpha == pytest.approx(PSYCH["icc"][5], rel=1e-10)
    assert result.ci_low == pytest.approx(PSYCH["lower"][5], rel=1e-10)
    assert result.ci_high == pytest.approx(PSYCH["upper"][5], rel=1e-10)
    import pingouin as pg

    rng = np.random.default_rng(7)
    items = pd.DataFrame(rng.normal(size=(60, 1)) + rng.normal(size=(60, 6)))
    ours = scales.cronbach_alpha(items, confidence=0.95)
    ref_alpha, ref_ci = pg.cronbach_alpha(items)
    assert ours.alpha == pytest.approx(ref_alpha, abs=1e-9)
    # pingouin rounds its Feldt CI to 3 decimals
    assert ours.ci_low == pytest.approx(ref_ci[0], abs=0.0005) and ours.ci_high == pytest.approx(ref_ci[1], abs=0.0005)
    items.iloc[3, 2] = np.nan
    items.iloc[10, 0] = np.nan
    ours = scales.cronbach_alpha(items)
    ref_alpha, _ = pg.cronbach_alpha(items, nan_policy="listwise")
    # (pingouin's CI keeps n = 60 after listwise deletion; ours uses the 58 complete rows)
    assert ours.alpha == pytest.approx(ref_alpha, abs=1e-9) and ours.n == 58


def test_mcdonald_omega_recovers_a_known_model_and_matches_sklearn():
    loadings, psi = np.array([0.8, 0.7, 0.6, 0.5, 0.75]), np.array([0.36, 0.51, 0.64, 0.75, 0.4375])
    rng = np.random.default_rng(11)
    data = rng.normal(size=(4000, 1)) * loadings + rng.normal(size=(4000, 5)) * np.sqrt(psi)
    result = scales.mcdonald_omega(pd.DataFrame(data))
    true_omega = loadings.sum() ** 2 / (loadings.sum() ** 2 + psi.sum())
    assert result.omega == pytest.approx(true_omega, abs=0.01) and result.converged
    from sklearn.decomposition import FactorAnalysis

    fa = FactorAnalysis(n_components=1, tol=1e-12, max_iter=100_000, svd_method="lapack").fit(data)
    lam, noise = np.abs(fa.components_[0]), fa.noise_variance_
    sk_omega = lam.sum() ** 2 / (lam.sum() ** 2 + noise.sum())
    assert result.omega == pytest.approx(sk_omega, abs=1e-6)
    np.testing.assert_allclose(np.abs(result.loadings), lam, atol=1e-4)


@pytest.mark.parametrize("case", ["constant item", "repeated item"])
def test_mcdonald_omega_refuses_a_singular_covariance_without_warnings(case):
    """A constant item (every body scored the same) or an item that repeats another leaves the one-factor ML fit
    undefined: a plain ValueError (the report shows omega as not estimable), not a fit on log(0)."""
    rng = np.random.default_rng(3)
    data = pd.DataFrame(rng.normal(size=(30, 4)), columns=list("abcd"))
    if case == "constant item":
        data["d"] = 5.0
    else:
        data["d"] = data["a"]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="positive definite"):
            scales.mcdonald_omega(data)


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 observers x 12 units
KRIPP_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
    [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan]])


@pytest.mark.parametrize("level, published", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849),
                                              ("ratio", 0.797)])
def test_krippendorff_published_example(level, published):
    assert round(agreement.krippendorff_alpha(KRIPP_2011, level), 3) == published


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_matches_package_with_missing_values(level):
    import krippendorff

    rng = np.random.default_rng(5)
    data = rng.integers(1, 6, size=(4, 50)).astype(float) + (rng.integers(0, 2, size=(1, 50)))
    data[rng.random(data.shape) < 0.15] = np.nan
    assert agreement.krippendorff_alpha(data, level) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement=level), abs=1e-9)


def test_fleiss_kappa_reference_values():
    wikipedia = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                 [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert round(agreement.fleiss_kappa(wikipedia).kappa, 3) == 0.210  # Fleiss (1971) worked example as on Wikipedia
    ratings = np.array([
        [4, 2, 2, 5, 2, 1, 3, 1, 1, 5, 1, 1, 2, 1, 2, 3, 1, 1, 2, 1, 5, 2, 2, 1, 1, 2, 1, 2, 1, 5],
        [4, 2, 3, 5, 2, 1, 3, 1, 1, 5, 4, 2, 2, 4, 2, 3, 1, 1, 2, 3, 5, 4, 2, 1, 4, 2, 1, 2, 3, 5],
        [4, 2, 3, 5, 2, 3, 3, 3, 4, 5, 4, 4, 2, 4, 4, 3, 1, 1, 4, 3, 5, 4, 4, 4, 4, 2, 1, 4, 3, 5],
        [4, 5, 3, 5, 4, 3, 3, 3, 4, 5, 4, 4, 3, 4, 4, 3, 4, 1, 4, 5, 5, 4, 5, 4, 4, 2, 1, 4, 3, 5],
        [4, 5, 3, 5, 4, 3, 5, 3, 4, 5, 4, 4, 3, 4, 4, 3, 5, 1, 4, 5, 5, 4, 5, 4, 4, 2, 5, 4, 3, 5],
        [4, 5, 5, 5, 4, 3, 5, 4, 4, 5, 4, 4, 3, 4, 5, 5, 5, 2, 4, 5, 5, 4, 5, 4, 5, 4, 5, 4, 3, 5]]).T
    counts = np.stack([(ratings == c).sum(axis=1) for c in range(1, 6)], axis=1)
    result = agreement.fleiss_kappa(counts)
    assert round(result.kappa, 2) == 0.43 and result.n_subjects == 30 and result.n_raters == 6  # irr::kappam.fleiss
    with pytest.raises(ValueError, match="same number of raters"):
        agreement.fleiss_kappa([[2, 1], [1, 1]])
    with pytest.raises(ValueError, match="one category"):
        agreement.fleiss_kappa([[3, 0], [3, 0]])


def test_bland_altman_1986_peak_flow():
    # Bland & Altman (1986) Lancet: Wright vs mini Wright peak flow meter, first readings, 17 subjects
    wright = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
    mini = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]
    result = agreement.bland_altman(wright, mini)
    assert round(result.bias, 1) == -2.1 and round(result.sd, 1) == 38.8
    # the 1986 paper drew its limits at bias ± 2 SD from the rounded values: -79.7 to 75.5; we use ± 1.96 SD
    assert round(result.bias, 1) - 2 * round(result.sd, 1) == pytest.approx(-79.7)
    assert round(result.bias, 1) + 2 * round(result.sd, 1) == pytest.approx(75.5)
    assert result.lower == pytest.approx(result.bias - 1.959964 * result.sd, abs=1e-5)
    assert result.upper == pytest.approx(result.bias + 1.959964 * result.sd, abs=1e-5)
    assert result.lower_ci[0] < result.lower < result.lower_ci[1] and result.n == 17


def test_alpha_omega_fleiss_and_bland_altman_carry_method_keys_worded_in_both_languages():
    """The four results carry a method token (a ``method.*`` key of the text table and its values), as every
    statistic does, never an English sentence: each key has a row, both languages fill in its values."""
    from iso18091lab.i18n import METHODS, method_text
    from iso18091lab.stats import method_params

    rng = np.random.default_rng(8)
    items = pd.DataFrame(rng.normal(0, 1, (30, 1)) + rng.normal(0, 1, (30, 4)))
    results = {"cronbach_alpha_feldt": scales.cronbach_alpha(items, confidence=0.9),
               "mcdonald_omega_ml": scales.mcdonald_omega(items),
               "fleiss_kappa": agreement.fleiss_kappa([[2, 1], [0, 3], [3, 0], [1, 2]]),
               "bland_altman": agreement.bland_altman(items[0], items[1], confidence=0.99)}
    for key, result in results.items():
        found, values = method_params(result.method)
        assert found == key and key in METHODS, result.method
        for lang in ("vi", "en"):
            words = method_text(key, values, lang)
            assert words and "{" not in words and words != result.method, (lang, words)
    # the values are the call's own: the level of the Feldt interval and of the Bland-Altman intervals
    assert method_params(results["cronbach_alpha_feldt"].method)[1] == {"level": 90}
    assert method_text("cronbach_alpha_feldt", {"level": 90}, "en") == (
        "Cronbach's alpha, Feldt (1965) F-based 90% CI, listwise deletion")
    assert method_params(results["bland_altman"].method)[1] == {"level": 99}
    assert "KTC 99%" in method_text("bland_altman", {"level": 99}, "vi")


def test_floor_ceiling():
    scores = pd.DataFrame({"indicator": ["1.1"] * 4 + ["1.2"] * 4, "score_100": [0, 0, 50, 100, 100, 100, 100, 90],
                           "unit": list("abcdabcd")})
    out = scales.floor_ceiling(scores).set_index("indicator")
    assert out.loc["1.1", "floor_share"] == 0.5 and out.loc["1.2", "ceiling_share"] == 0.75
    assert method_label(out.loc["1.1", "method"], "en") == "Share of scores <= 0 (floor) and >= 100 (ceiling)"


# --------------------------------------------------------------------------- REML ICC and G study against R
# 30 targets x 5 raters, 29 ratings missing (synthetic: numpy seed 42, rounded to 2 decimals; NA = missing).
ICC_MISSING = pd.read_csv(PSYCH_DIR / "icc_missing.csv").to_numpy(float)
# R 4.2, psych 2.2.9, lme4 1.1.31: psych::ICC(x) (default lmer = TRUE: incomplete targets kept), and the same
# model refitted by lme4::lmer with a tight bobyqa (rhoend = 1e-12): tests/references/psych_icc/make_reference.R
PSYCH_LMER = PSYCH_VALUES["icc_missing_psych"]
LME4_TIGHT = PSYCH_VALUES["icc_missing_lme4"]


def _long_nan(matrix):
    n, k = matrix.shape
    return pd.DataFrame({"target": np.repeat([f"S{i + 1}" for i in range(n)], k),
                         "rater": np.tile([f"R{j + 1}" for j in range(k)], n), "rating": matrix.ravel()})


def test_reml_variance_components_equal_lme4():
    assert np.isnan(ICC_MISSING).sum() == 29 and ICC_MISSING.shape == (30, 5)
    vc = reml.variance_components(_long_nan(ICC_MISSING), "rating", ["target", "rater"])
    for ours, key in zip(vc.table["variance"], ["id", "items", "residual"]):
        assert ours == pytest.approx(LME4_TIGHT[key], rel=2e-6)
    assert vc.reml_criterion == pytest.approx(LME4_TIGHT["reml_criterion"], abs=1e-7)
    assert vc.n == 150 - 29 == LME4_TIGHT["n"] and vc.levels == {"target": 30, "rater": 5}


def test_icc_reml_equals_psych_default_and_differs_from_complete_case():
    out = intraclass.icc_reml(_long_nan(ICC_MISSING), "target", "rater", "rating")
    assert PSYCH_LMER["forms"] == intraclass.ICC_FORMS
    for i, form in enumerate(PSYCH_LMER["forms"]):
        # psych's numbers carry lme4's default optimizer tolerance (~1e-5 on the components)
        assert out.loc[form, "icc"] == pytest.approx(PSYCH_LMER["icc"][i], abs=2e-5)
        assert out.loc[form, "F"] == pytest.approx(PSYCH_LMER["F"][i], rel=5e-5)
        assert out.loc[form, "ci_low"] == pytest.approx(PSYCH_LMER["lower"][i], abs=2e-5)
        assert out.loc[form, "ci_high"] == pytest.approx(PSYCH_LMER["upper"][i], abs=2e-5)
    assert (out["n"] == 30).all() and (out["n_incomplete"] > 0).all() and (out["n_dropped"] == 0).all()
    complete = intraclass.icc(_long_nan(ICC_MISSING), "target", "rater", "rating")
    assert (complete["n_dropped"] == out["n_incomplete"]).all() and (complete["n"] == 30 - out["n_incomplete"]).all()
    assert "complete targets only" in method_label(complete.loc["ICC2", "method"], "en")
    assert "REML, missing kept" in method_label(out.loc["ICC2", "method"], "en")
    assert abs(complete.loc["ICC2", "icc"] - out.loc["ICC2", "icc"]) > 1e-3  # a different estimate


def test_icc_reml_equals_anova_icc_on_complete_data():
    # balanced complete data, no boundary: REML components = ANOVA (expected mean squares) components
    out = intraclass.icc_reml(_long(SHROUT_FLEISS), "target", "rater", "rating")
    for form, published in SHROUT_FLEISS_ICC.items():
        assert round(out.loc[form, "icc"], 2) == published


def _g_data():
    rng = np.random.default_rng(20261122)
    nb, ni, nr = 15, 8, 3
    b, i, bi, r = rng.normal(0, 8, nb), rng.normal(0, 5, ni), rng.normal(0, 4, (nb, ni)), rng.normal(0, 3, nr)
    e = rng.normal(0, 6, (nb, ni, nr))
    keep = rng.random((nb, ni, nr)) >= 0.12
    rows = [(f"B{x:02d}", f"I{y}", f"M{z}", round(50 + b[x] + i[y] + bi[x, y] + r[z] + e[x, y, z], 1))
            for x in range(nb) for y in range(ni) for z in range(nr) if keep[x, y, z]]
    return pd.DataFrame(rows, columns=["body", "indicator", "rater", "score"])


# R: lme4 1.1.31 on g_small.csv (written from _g_data()) with a tight bobyqa:
#    lmer(score ~ 1 + (1|body) + (1|indicator) + (1|body:indicator) + (1|rater)), tests/references/psych_icc
LME4_G = PSYCH_VALUES["g_small_lme4"]


def test_g_study_equals_lme4_with_missing_ratings():
    data = _g_data()
    assert len(data) == 316 and data["score"].sum() == pytest.approx(15150.2)
    pd.testing.assert_frame_equal(data, pd.read_csv(PSYCH_DIR / "g_small.csv"))  # the data R saw
    fit = generalizability.g_study(data, "score", "body", "rater", "indicator")
    g = fit.table.set_index("component")
    for component in ("body", "indicator", "body_indicator", "rater", "residual"):
        assert g.loc[component, "variance"] == pytest.approx(LME4_G[component], rel=5e-6)
    assert fit.reml_criterion == pytest.approx(LME4_G["reml_criterion"], abs=1e-6)
    assert fit.n == 316 and fit.levels["body"] == 15 and fit.levels["rater"] == 3 and fit.method == "g_study"


def test_d_study_and_raters_needed_closed_form():
    comp = {"body": 30.0, "indicator": 5.0, "body_indicator": 10.0, "rater": 4.0, "residual": 36.0}
    table = generalizability.d_study(comp, [1, 2, 4])
    # universe 40; absolute error (4 + 36) / m; relative error 36 / m
    np.testing.assert_allclose(table["reliability"], [40 / 80, 40 / 60, 40 / 50])
    np.testing.assert_allclose(table["reliability_relative"], [40 / 76, 40 / 58, 40 / 49])
    assert generalizability.raters_needed(comp, 0.8) == 4       # 0.8/0.2 * 40/40 = 4 exactly
    assert generalizability.raters_needed(comp, 0.9) == 9
    assert generalizability.raters_needed(comp, 0.8, "relative") == 4  # 4 * 36/40 = 3.6 -> 4


def test_g_study_recovers_planted_components():
    # 120 bodies x 12 indicators x 4 members, 10% missing: REML estimates within ~3 sampling SEs
    rng = np.random.default_rng(7)
    nb, ni, nr = 120, 12, 4
    planted = {"body": 64.0, "indicator": 25.0, "body_indicator": 16.0, "rater": 9.0, "residual": 36.0}
    b, i = rng.normal(0, 8, nb), rng.normal(0, 5, ni)
    bi, r = rng.normal(0, 4, (nb, ni)), rng.normal(0, 3, nr)
    y = 50 + b[:, None, None] + i[None, :, None] + bi[:, :, None] + r[None, None, :] + rng.normal(0, 6, (nb, ni, nr))
    x, z, w = np.meshgrid(np.arange(nb), np.arange(ni), np.arange(nr), indexing="ij")
    frame = pd.DataFrame({"body": x.ravel(), "indicator": z.ravel(), "rater": w.ravel(), "score": y.ravel()})
    frame = frame[rng.random(len(frame)) >= 0.1]
    g = generalizability.g_study(frame, "score", "body", "rater", "indicator").table.set_index("component")["variance"]
    # sampling SEs (chi-square approximation 2 s^4 / df): body df 119 -> SE 8.3; indicator df 11 -> 10.7;
    # body x indicator df ~1300 -> 0.6 (+ residual share); rater df 3 -> 7.3; residual df ~4000 -> 0.8
    assert g["body"] == pytest.approx(planted["body"], abs=3 * 8.3)
    assert g["indicator"] == pytest.approx(planted["indicator"], abs=3 * 10.7)
    assert g["body_indicator"] == pytest.approx(planted["body_indicator"], abs=3 * 1.2)
    assert g["residual"] == pytest.approx(planted["residual"], abs=3 * 0.9)
    assert 0 <= g["rater"] < planted["rater"] + 3 * 7.3
    # the D study from the planted values: Phi(m) = 80 / (80 + 45 / m)
    true_phi = generalizability.d_study(planted, [4])["reliability"].iloc[0]
    assert true_phi == pytest.approx(80 / (80 + 45 / 4))
    assert generalizability.d_study(g.to_dict(), [4])["reliability"].iloc[0] == pytest.approx(true_phi, abs=0.05)


# --------------------------------------------------------------------------- duplicates and bad input

def test_duplicate_ratings_raise_never_averaged():
    frame = _long(SHROUT_FLEISS)
    twice = pd.concat([frame, frame.iloc[[5]].assign(rating=99.0)], ignore_index=True)
    for function in (intraclass.icc, intraclass.icc_reml):
        with pytest.raises(ValueError, match=r"duplicate ratings: 2 rows share target/rater \(target=1, rater=1\)"):
            function(twice, "target", "rater", "rating")
    same = pd.concat([frame, frame.iloc[[5]]], ignore_index=True)  # even identical values are reported
    with pytest.raises(ValueError, match="duplicate"):
        intraclass.icc(same, "target", "rater", "rating")
    g = _g_data()
    with pytest.raises(ValueError, match="duplicate member scores"):
        generalizability.g_study(pd.concat([g, g.iloc[[0]]]), "score", "body", "rater", "indicator")


_FRAME = _long(SHROUT_FLEISS)
_TEXT = _FRAME.assign(rating=_FRAME["rating"].astype(object).where(_FRAME.index != 3, "bảy"))
_ITEMS = pd.DataFrame(SHROUT_FLEISS)
BAD_INPUT = [
    ("icc empty", lambda: intraclass.icc(_FRAME.iloc[:0], "target", "rater", "rating")),
    ("icc missing column", lambda: intraclass.icc(_FRAME, "target", "judge", "rating")),
    ("icc text", lambda: intraclass.icc(_TEXT, "target", "rater", "rating")),
    ("icc all NaN", lambda: intraclass.icc(_FRAME.assign(rating=np.nan), "target", "rater", "rating")),
    ("icc one rater", lambda: intraclass.icc(_FRAME[_FRAME["rater"] == 0], "target", "rater", "rating")),
    ("icc array", lambda: intraclass.icc(SHROUT_FLEISS, "target", "rater", "rating")),
    ("icc confidence", lambda: intraclass.icc(_FRAME, "target", "rater", "rating", confidence=95)),
    ("icc_reml empty", lambda: intraclass.icc_reml(_FRAME.iloc[:0], "target", "rater", "rating")),
    ("icc_reml text", lambda: intraclass.icc_reml(_TEXT, "target", "rater", "rating")),
    ("icc_reml one target", lambda: intraclass.icc_reml(_FRAME[_FRAME["target"] == 0], "target", "rater", "rating")),
    ("icc_anova 1-D", lambda: intraclass.icc_anova(np.arange(5.0))),
    ("icc_anova NaN", lambda: intraclass.icc_anova(np.array([[1, np.nan], [2, 3.0]]))),
    ("variance_components empty", lambda: reml.variance_components(_FRAME.iloc[:0], "rating", ["target"])),
    ("variance_components no factors", lambda: reml.variance_components(_FRAME, "rating", [])),
    ("variance_components text", lambda: reml.variance_components(_TEXT, "rating", ["target", "rater"])),
    ("g_study empty", lambda: generalizability.g_study(_g_data().iloc[:0], "score", "body", "rater", "indicator")),
    ("g_study one rater", lambda: generalizability.g_study(_g_data().query("rater == 'M0'"), "score", "body", "rater",
                                                            "indicator")),
    ("d_study negative", lambda: generalizability.d_study({c: -1.0 for c in generalizability.G_COMPONENTS})),
    ("d_study missing", lambda: generalizability.d_study({"body": 1.0})),
    ("d_study raters", lambda: generalizability.d_study({c: 1.0 for c in generalizability.G_COMPONENTS}, [0])),
    ("raters_needed target", lambda: generalizability.raters_needed(
        {c: 1.0 for c in generalizability.G_COMPONENTS}, 1.5)),
    ("raters_needed no body variance", lambda: generalizability.raters_needed(
        {"body": 0.0, "indicator": 1.0, "body_indicator": 0.0, "rater": 1.0, "residual": 1.0})),
    ("cronbach_alpha empty", lambda: scales.cronbach_alpha(pd.DataFrame())),
    ("cronbach_alpha 1-D", lambda: scales.cronbach_alpha(pd.Series([1.0, 2.0, 3.0]))),
    ("cronbach_alpha text", lambda: scales.cronbach_alpha(_ITEMS.astype(object).where(_ITEMS.index != 0, "x"))),
    ("cronbach_alpha all NaN", lambda: scales.cronbach_alpha(_ITEMS * np.nan)),
    ("one_factor_ml 1-D", lambda: scales.one_factor_ml(np.ones(3))),
    ("one_factor_ml NaN", lambda: scales.one_factor_ml(np.full((3, 3), np.nan))),
    ("mcdonald_omega empty", lambda: scales.mcdonald_omega(pd.DataFrame())),
    ("mcdonald_omega text", lambda: scales.mcdonald_omega(_ITEMS.astype(object).where(_ITEMS.index != 0, "x"))),
    ("krippendorff empty", lambda: agreement.krippendorff_alpha(np.empty((0, 0)))),
    ("krippendorff 1-D", lambda: agreement.krippendorff_alpha([1, 2, 3])),
    ("krippendorff all NaN", lambda: agreement.krippendorff_alpha(np.full((2, 3), np.nan))),
    ("krippendorff text", lambda: agreement.krippendorff_alpha([["a", "b"], ["c", "d"]])),
    ("fleiss_kappa empty", lambda: agreement.fleiss_kappa([])),
    ("fleiss_kappa 1-D", lambda: agreement.fleiss_kappa([3, 0, 1])),
    ("fleiss_kappa NaN", lambda: agreement.fleiss_kappa([[2, np.nan], [1, 1]])),
    ("fleiss_kappa text", lambda: agreement.fleiss_kappa([["a", "b"], ["c", "d"]])),
    ("bland_altman empty", lambda: agreement.bland_altman([], [])),
    ("bland_altman lengths", lambda: agreement.bland_altman([1, 2, 3], [1, 2])),
    ("bland_altman text", lambda: agreement.bland_altman([1, 2, "x", 4], [1, 2, 3, 4])),
    ("bland_altman all NaN", lambda: agreement.bland_altman([np.nan] * 4, [1, 2, 3, 4])),
    ("floor_ceiling empty", lambda: scales.floor_ceiling(pd.DataFrame(columns=["indicator", "score_100"]))),
    ("floor_ceiling missing column", lambda: scales.floor_ceiling(pd.DataFrame({"indicator": ["1.1"]}))),
    ("floor_ceiling text", lambda: scales.floor_ceiling(pd.DataFrame({"indicator": ["1.1"], "score_100": ["x"]}))),
    ("cr1_means shapes", lambda: cluster_robust.cr1_means(np.ones((3, 2)), np.ones((3, 1)))),
    ("cr1_means confidence", lambda: cluster_robust.cr1_means(np.ones((3, 1)), np.ones((3, 1)), confidence=95)),
    ("cluster_robust_mean one cluster", lambda: cluster_robust.cluster_robust_mean([1.0, 2.0], [1, 1])),
    ("cluster_robust_mean NaN", lambda: cluster_robust.cluster_robust_mean([np.nan, 1.0, 2.0], [1, 2, 3])),
    ("cluster_robust_mean text", lambda: cluster_robust.cluster_robust_mean(["x", 1.0, 2.0], [1, 2, 3])),
    ("icc_subjects_needed k", lambda: intraclass.icc_subjects_needed(0.3, 0.5, k=1)),
    ("icc_subjects_needed estimate", lambda: intraclass.icc_subjects_needed(1.5, 0.5)),
    ("check_duplicates", lambda: inputs.check_duplicates(pd.DataFrame({"a": [1, 1]}), ["a"])),
]


@pytest.mark.parametrize("call", [c for _, c in BAD_INPUT], ids=[n for n, _ in BAD_INPUT])
def test_every_public_function_raises_valueerror_on_bad_input(call):
    with pytest.raises(ValueError) as info:
        call()
    assert type(info.value) is not AssertionError and str(info.value)


def test_every_public_function_is_covered_by_the_bad_input_test():
    import inspect

    public = {name for module in RELIABILITY_MODULES for name, obj in vars(module).items()
              if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == module.__name__}
    covered = {name.split()[0] for name, _ in BAD_INPUT} | {"krippendorff_alpha"}
    assert public <= covered, public - covered


def test_reml_at_the_boundary_equals_lme4_singular_fit():
    # no rater effect planted: lme4 reports a singular fit with the rater variance exactly 0
    rng = np.random.default_rng(5)
    m = np.round(rng.normal(0, 1, (20, 1)) + rng.normal(0, 1, (20, 4)), 2)
    m[rng.random((20, 4)) < 0.1] = np.nan
    # R: lmer(values ~ 1 + (1|id) + (1|items), na.action = na.omit,
    #         control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12)))
    #    -> id 1.2527090540, items 0 (singular), residual 0.7092229805, REMLcrit 216.32002768
    vc = reml.variance_components(_long_nan(m), "rating", ["target", "rater"]).table["variance"].to_numpy()
    np.testing.assert_allclose(vc, [1.2527090540, 0.0, 0.7092229805], rtol=2e-6, atol=1e-9)

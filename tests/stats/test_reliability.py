"""Reliability statistics against published reference values and established packages on the same data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iso18091lab.stats import reliability as rel

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)
# R psych::ICC on those data (ICC to 2 decimals, lower bounds to 3, upper bounds to 2)
PSYCH = {"ICC1": (0.17, -0.133, 0.72), "ICC2": (0.29, 0.019, 0.76), "ICC3": (0.71, 0.342, 0.95),
         "ICC1k": (0.44, -0.884, 0.91), "ICC2k": (0.62, 0.071, 0.93), "ICC3k": (0.91, 0.676, 0.99)}
# Shrout & Fleiss (1979) published values
SHROUT_FLEISS_ICC = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71, "ICC1k": 0.44, "ICC2k": 0.62, "ICC3k": 0.91}


def _long(matrix):
    n, k = matrix.shape
    return pd.DataFrame([(i, j, matrix[i, j]) for i in range(n) for j in range(k)],
                        columns=["target", "rater", "rating"])


def test_icc_matches_shrout_fleiss_and_psych():
    out = rel.icc(_long(SHROUT_FLEISS), "target", "rater", "rating")
    assert list(out.index) == rel.ICC_FORMS
    assert list(out.columns) == ["description", "icc", "F", "df1", "df2", "pval", "ci_low", "ci_high"]
    for form, published in SHROUT_FLEISS_ICC.items():
        assert round(out.loc[form, "icc"], 2) == published
        value, low, high = PSYCH[form]
        assert round(out.loc[form, "ci_low"], 3) == low and round(out.loc[form, "ci_high"], 2) == high
    assert out.loc["ICC1", "F"] == pytest.approx(1.79, abs=0.005) and out.loc["ICC3", "F"] == pytest.approx(11.03, abs=0.005)
    assert (out.loc["ICC1", "df1"], out.loc["ICC1", "df2"], out.loc["ICC2", "df2"]) == (5, 18, 15)
    assert out.attrs["n"] == 6 and out.attrs["k"] == 4 and "McGraw" in out.loc["ICC2", "description"]


def _pingouin_icc(frame):
    import pingouin as pg

    ref = pg.intraclass_corr(frame, targets="target", raters="rater", ratings="rating", nan_policy="omit")
    return ref.set_index(pd.Index(rel.ICC_FORMS))


@pytest.mark.parametrize("seed", [0, 1])
def test_icc_matches_pingouin_also_with_missing_ratings(seed):
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(40, 1)) + rng.normal(scale=0.7, size=(40, 5)) + rng.normal(size=(1, 5))
    frame = _long(matrix)
    frame.loc[rng.choice(len(frame), 6, replace=False), "rating"] = np.nan
    ours = rel.icc(frame, "target", "rater", "rating")
    ref = _pingouin_icc(frame.dropna())
    assert ours.attrs["n_dropped"] > 0
    np.testing.assert_allclose(ours["icc"], ref["ICC"], atol=1e-6)
    np.testing.assert_allclose(ours["F"], ref["F"], atol=1e-6)
    np.testing.assert_allclose(ours["pval"], ref["pval"], atol=1e-6)
    low, high = np.array(ref["CI95"].tolist()).T
    np.testing.assert_allclose(ours["ci_low"], low, atol=0.0051)  # pingouin rounds its CIs to 2 decimals
    np.testing.assert_allclose(ours["ci_high"], high, atol=0.0051)


def test_icc_rejects_too_little_data():
    with pytest.raises(ValueError, match="at least 2 complete targets"):
        rel.icc(_long(SHROUT_FLEISS[:1]), "target", "rater", "rating")


def test_vectorised_bootstrap_equals_pingouin_on_the_same_resamples():
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(25, 1)) + rng.normal(size=(25, 4))
    indices = rng.integers(0, 25, size=(15, 25))
    boot = rel.icc_bootstrap(matrix, indices=indices)
    reps = boot.attrs["replicates"]
    for r, idx in enumerate(indices):
        resampled = matrix[idx]
        ref = _pingouin_icc(_long(resampled))
        for form in rel.ICC_FORMS:
            assert reps[form][r] == pytest.approx(ref.loc[form, "ICC"], abs=1e-10)
    point = rel.icc(_long(matrix), "target", "rater", "rating")
    np.testing.assert_allclose(boot["estimate"], point["icc"], atol=1e-12)
    assert (boot["ci_low"] <= boot["estimate"]).all() and (boot["estimate"] <= boot["ci_high"]).all()


def test_cronbach_alpha_reference_and_pingouin():
    # alpha of the judges as items equals ICC(3,k): Shrout & Fleiss 0.91, psych bounds 0.676 / 0.99
    result = rel.cronbach_alpha(pd.DataFrame(SHROUT_FLEISS))
    assert round(result.alpha, 2) == 0.91
    assert round(result.ci_low, 3) == 0.676 and round(result.ci_high, 2) == 0.99
    import pingouin as pg

    rng = np.random.default_rng(7)
    items = pd.DataFrame(rng.normal(size=(60, 1)) + rng.normal(size=(60, 6)))
    ours = rel.cronbach_alpha(items, confidence=0.95)
    ref_alpha, ref_ci = pg.cronbach_alpha(items)
    assert ours.alpha == pytest.approx(ref_alpha, abs=1e-9)
    # pingouin rounds its Feldt CI to 3 decimals
    assert ours.ci_low == pytest.approx(ref_ci[0], abs=0.0005) and ours.ci_high == pytest.approx(ref_ci[1], abs=0.0005)
    items.iloc[3, 2] = np.nan
    items.iloc[10, 0] = np.nan
    ours = rel.cronbach_alpha(items)
    ref_alpha, _ = pg.cronbach_alpha(items, nan_policy="listwise")
    # (pingouin's CI keeps n = 60 after listwise deletion; ours uses the 58 complete rows)
    assert ours.alpha == pytest.approx(ref_alpha, abs=1e-9) and ours.n == 58


def test_item_analysis():
    import pingouin as pg
    from scipy import stats

    rng = np.random.default_rng(2)
    items = pd.DataFrame(rng.normal(size=(80, 1)) + rng.normal(size=(80, 5)), columns=list("abcde"))
    items["e"] = rng.normal(size=80)  # an item that measures nothing
    out = rel.item_analysis(items).set_index("item")
    for item in items:
        rest = items.drop(columns=item)
        assert out.loc[item, "alpha_if_deleted"] == pytest.approx(pg.cronbach_alpha(rest)[0], abs=1e-9)
        assert out.loc[item, "item_rest_r"] == pytest.approx(stats.pearsonr(items[item], rest.sum(axis=1))[0], abs=1e-9)
    assert out["item_rest_r"].idxmin() == "e" and out["alpha_if_deleted"].idxmax() == "e"


def test_mcdonald_omega_recovers_a_known_model_and_matches_sklearn():
    loadings, psi = np.array([0.8, 0.7, 0.6, 0.5, 0.75]), np.array([0.36, 0.51, 0.64, 0.75, 0.4375])
    rng = np.random.default_rng(11)
    data = rng.normal(size=(4000, 1)) * loadings + rng.normal(size=(4000, 5)) * np.sqrt(psi)
    result = rel.mcdonald_omega(pd.DataFrame(data))
    true_omega = loadings.sum() ** 2 / (loadings.sum() ** 2 + psi.sum())
    assert result.omega == pytest.approx(true_omega, abs=0.01) and result.converged
    from sklearn.decomposition import FactorAnalysis

    fa = FactorAnalysis(n_components=1, tol=1e-12, max_iter=100_000, svd_method="lapack").fit(data)
    lam, noise = np.abs(fa.components_[0]), fa.noise_variance_
    sk_omega = lam.sum() ** 2 / (lam.sum() ** 2 + noise.sum())
    assert result.omega == pytest.approx(sk_omega, abs=1e-6)
    np.testing.assert_allclose(np.abs(result.loadings), lam, atol=1e-4)


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 observers x 12 units
KRIPP_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
    [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan]])


@pytest.mark.parametrize("level, published", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849),
                                              ("ratio", 0.797)])
def test_krippendorff_published_example(level, published):
    assert round(rel.krippendorff_alpha(KRIPP_2011, level), 3) == published


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_matches_package_with_missing_values(level):
    import krippendorff

    rng = np.random.default_rng(5)
    data = rng.integers(1, 6, size=(4, 50)).astype(float) + (rng.integers(0, 2, size=(1, 50)))
    data[rng.random(data.shape) < 0.15] = np.nan
    assert rel.krippendorff_alpha(data, level) == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement=level), abs=1e-9)


def test_weighted_kappa_reference_values():
    # R irr::kappa2 on the tables of the RExRepos inter-rater page: unweighted 0.429, equal (linear) 0.316
    cats = ["V", "N", "P"]
    r1 = np.repeat(cats, [60, 30, 10])
    r2 = np.repeat(np.tile(cats, 3), [53, 5, 2, 11, 14, 5, 1, 6, 3])
    assert round(rel.weighted_kappa(r1, r2, cats).kappa, 3) == 0.429
    levels = list(range(6))
    counts = [5, 8, 1, 2, 4, 2, 3, 5, 3, 5, 5, 0, 1, 2, 6, 11, 2, 1, 0, 1, 5, 4, 3, 3, 0, 0, 1, 2, 5, 2, 0, 0, 1, 2, 1, 4]
    t1 = np.repeat(levels, [22, 21, 23, 16, 10, 8])
    t2 = np.repeat(np.tile(levels, 6), counts)
    result = rel.weighted_kappa(t1, t2, levels, weights="linear")
    assert round(result.kappa, 3) == 0.316
    assert result.ci_low == pytest.approx(result.kappa - 1.959964 * result.se, abs=1e-6)
    assert result.n == 100


def test_weighted_kappa_uses_the_declared_scale_not_the_observed_one():
    from sklearn.metrics import cohen_kappa_score

    a = [1, 2, 2, 4, 4, 5, 5, 6, 2, 4, 1, 5]
    b = [2, 2, 4, 4, 5, 5, 6, 6, 1, 4, 2, 4]   # category 3 declared, never used
    declared = [1, 2, 3, 4, 5, 6]
    for weights in ("linear", "quadratic", None):
        ours = rel.weighted_kappa(a, b, declared, weights=weights).kappa
        assert ours == pytest.approx(cohen_kappa_score(a, b, labels=declared, weights=weights), abs=1e-9)
    observed_only = cohen_kappa_score(a, b, weights="linear")  # builds its weights from the observed labels
    assert rel.weighted_kappa(a, b, declared, weights="linear").kappa != pytest.approx(observed_only, abs=1e-3)
    with pytest.raises(ValueError, match="not among the declared"):
        rel.weighted_kappa([1, 9], [1, 2], declared)


def test_fleiss_kappa_reference_values():
    wikipedia = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                 [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert round(rel.fleiss_kappa(wikipedia).kappa, 3) == 0.210  # Fleiss (1971) worked example as on Wikipedia
    ratings = np.array([
        [4, 2, 2, 5, 2, 1, 3, 1, 1, 5, 1, 1, 2, 1, 2, 3, 1, 1, 2, 1, 5, 2, 2, 1, 1, 2, 1, 2, 1, 5],
        [4, 2, 3, 5, 2, 1, 3, 1, 1, 5, 4, 2, 2, 4, 2, 3, 1, 1, 2, 3, 5, 4, 2, 1, 4, 2, 1, 2, 3, 5],
        [4, 2, 3, 5, 2, 3, 3, 3, 4, 5, 4, 4, 2, 4, 4, 3, 1, 1, 4, 3, 5, 4, 4, 4, 4, 2, 1, 4, 3, 5],
        [4, 5, 3, 5, 4, 3, 3, 3, 4, 5, 4, 4, 3, 4, 4, 3, 4, 1, 4, 5, 5, 4, 5, 4, 4, 2, 1, 4, 3, 5],
        [4, 5, 3, 5, 4, 3, 5, 3, 4, 5, 4, 4, 3, 4, 4, 3, 5, 1, 4, 5, 5, 4, 5, 4, 4, 2, 5, 4, 3, 5],
        [4, 5, 5, 5, 4, 3, 5, 4, 4, 5, 4, 4, 3, 4, 5, 5, 5, 2, 4, 5, 5, 4, 5, 4, 5, 4, 5, 4, 3, 5]]).T
    counts = np.stack([(ratings == c).sum(axis=1) for c in range(1, 6)], axis=1)
    result = rel.fleiss_kappa(counts)
    assert round(result.kappa, 2) == 0.43 and result.n_subjects == 30 and result.n_raters == 6  # irr::kappam.fleiss
    with pytest.raises(ValueError, match="same number of raters"):
        rel.fleiss_kappa([[2, 1], [1, 1]])
    with pytest.raises(ValueError, match="one category"):
        rel.fleiss_kappa([[3, 0], [3, 0]])


def test_bland_altman_1986_peak_flow():
    # Bland & Altman (1986) Lancet: Wright vs mini Wright peak flow meter, first readings, 17 subjects
    wright = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
    mini = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]
    result = rel.bland_altman(wright, mini)
    assert round(result.bias, 1) == -2.1 and round(result.sd, 1) == 38.8
    # the 1986 paper drew its limits at bias ± 2 SD from the rounded values: -79.7 to 75.5; we use ± 1.96 SD
    assert round(result.bias, 1) - 2 * round(result.sd, 1) == pytest.approx(-79.7)
    assert round(result.bias, 1) + 2 * round(result.sd, 1) == pytest.approx(75.5)
    assert result.lower == pytest.approx(result.bias - 1.959964 * result.sd, abs=1e-5)
    assert result.upper == pytest.approx(result.bias + 1.959964 * result.sd, abs=1e-5)
    assert result.lower_ci[0] < result.lower < result.lower_ci[1] and result.n == 17


def test_floor_ceiling_and_cluster_bootstrap():
    scores = pd.DataFrame({"indicator": ["1.1"] * 4 + ["1.2"] * 4, "score_100": [0, 0, 50, 100, 100, 100, 100, 90],
                           "unit": list("abcdabcd")})
    out = rel.floor_ceiling(scores).set_index("indicator")
    assert out.loc["1.1", "floor_share"] == 0.5 and out.loc["1.2", "ceiling_share"] == 0.75
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"unit": np.repeat(np.arange(30), 3), "x": np.repeat(rng.normal(size=30), 3)})
    boot = rel.cluster_bootstrap(frame, lambda f: f["x"].mean(), "unit", n_resamples=300, seed=1)
    again = rel.cluster_bootstrap(frame, lambda f: f["x"].mean(), "unit", n_resamples=300, seed=1)
    assert boot == again and boot["n_clusters"] == 30
    assert boot["ci_low"] < boot["estimate"] < boot["ci_high"]
    # resampling bodies, not rows: the CI width reflects 30 bodies (SE ~ sd/sqrt(30)), not 90 rows
    se = frame.groupby("unit")["x"].first().std() / np.sqrt(30)
    assert (boot["ci_high"] - boot["ci_low"]) == pytest.approx(2 * 1.96 * se, rel=0.25)

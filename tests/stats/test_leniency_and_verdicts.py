"""Issue 19, items 4 and 5: leniency CIs that hold with few bodies, and reliability verdicts that say
"consistent" only when the intervals show it.

Independent sources: statsmodels OLS with ``cov_type="cluster"`` (CR1, t on G − 1) for the intervals; a planted
truth for the coverage; the McGraw–Wong F bounds written out here with scipy for the bodies needed.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from iso18091lab.catalog import load_catalog
from iso18091lab.render.reliability import consistency_sentences, summary_sentences
from iso18091lab.run.simulation import leniency_coverage
from iso18091lab.stats import NotEstimable, method_token
from iso18091lab.stats.review import council_size, leniency
from iso18091lab.stats.review import assessments as review_assessments
from iso18091lab.stats.review import table as review_table
from iso18091lab.stats.intraclass import _icc_table, icc_subjects_needed
from iso18091lab.stats.verdict import Verdict, consistency_verdict, indicator_set_verdict, indicator_verdicts
from iso18091lab.summaries.reliability import reliability_summary

sys.path.insert(0, str(Path(__file__).parent))
from planted_designs import planted_assessments  # noqa: E402

CATALOG = load_catalog()


def _statsmodels_cr1(values, clusters):
    fit = sm.OLS(np.asarray(values, float), np.ones(len(values))).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(pd.Series(clusters))[0]}, use_t=True)
    low, high = fit.conf_int(0.05)[0]
    return float(fit.params[0]), float(fit.bse[0]), float(low), float(high), fit.df_resid_inference


# --------------------------------------------------------------------------- item 4: leniency CI

def test_leniency_ci_is_statsmodels_cr1_clustered_by_body_in_every_scope():
    a = planted_assessments(n_bodies=5, waves=2, inflation=6.0, seed=21)
    rng = np.random.default_rng(0)
    a = a.drop(index=rng.choice(a.index, 120, replace=False))  # unbalanced: bodies with their own subsets
    a.loc[(a["body_id"] == "A|002") & (a["rater"] == "self"), "score_100"] += 9  # one lenient body
    table = leniency.self_inflation(a).set_index("scope")
    wide = a.pivot_table(index=["body_id", "year", "indicator", "pillar"], columns="rater", values="score_100")
    d = (wide["self"] - wide["council"]).dropna().reset_index(name="d")
    bodies = d.groupby("indicator")["body_id"].nunique()
    assert (table.loc[bodies.index, "not_estimable"] == np.where(bodies < 3, "too_few_bodies", "")).all()
    some = [bodies[bodies == g].index[0] for g in (3, 4, 5)]  # indicators scored by 3, 4 and 5 bodies
    checked = 0
    for scope, part in [("overall", d), ("pillar 3", d[d["pillar"] == 3])] + [(i, d[d["indicator"] == i]) for i in some]:
        est, se, low, high, df = _statsmodels_cr1(part["d"], part["body_id"])
        row = table.loc[scope]
        assert row["estimate"] == pytest.approx(est, abs=1e-10)
        assert row["se"] == pytest.approx(se, rel=1e-10)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-10)
        assert row["df"] == df == part["body_id"].nunique() - 1 and row["n_pairs"] == len(part)
        checked += 1
    assert checked == 5


def test_per_body_ci_clusters_by_indicator():
    a = planted_assessments(n_bodies=4, waves=3, inflation=5.0, seed=2)
    by_body = leniency.self_inflation_by_body(a).set_index("body_id")
    wide = a.pivot_table(index=["body_id", "year", "indicator"], columns="rater", values="score_100")
    d = (wide["self"] - wide["council"]).dropna().reset_index(name="d")
    for body in ("A|000", "A|003"):
        part = d[d["body_id"] == body]
        est, _, low, high, df = _statsmodels_cr1(part["d"], part["indicator"])
        assert df == 38
        assert (by_body.loc[body, "ci_low"], by_body.loc[body, "ci_high"]) == pytest.approx((low, high), rel=1e-10)
    few = a[a["indicator"].isin(["1.1", "1.2"])]  # two indicators: fewer clusters than the minimum
    assert leniency.self_inflation_by_body(few)[["ci_low", "ci_high"]].isna().all().all()


def test_fewer_than_min_bodies_is_not_estimable_with_the_reason():
    assert review_assessments.MIN_BODIES == 3
    two = planted_assessments(n_bodies=2, seed=1)
    with pytest.raises(NotEstimable) as info:
        leniency.self_inflation(two)
    assert info.value.reason == "too_few" and info.value.values["detail"] == "2 < 3"
    from iso18091lab.i18n import t
    # the reader is told what is too few (bodies), not "too little data (2 < 3)"
    assert "đơn vị" in t("ne_too_few", "vi", **info.value.values) and "bodies" in t("ne_too_few", "en",
                                                                                     **info.value.values)
    a = planted_assessments(n_bodies=4, seed=3)
    a = a[~((a["indicator"] == "2.5") & a["body_id"].isin(["A|000", "A|001"]))]  # 2.5 scored by 2 bodies
    table = leniency.self_inflation(a).set_index("scope")
    assert table.loc["2.5", "n_bodies"] == 2 and table.loc["2.5", "not_estimable"] == "too_few_bodies"
    assert np.isnan(table.loc["2.5", ["ci_low", "ci_high", "se", "df"]].astype(float)).all()
    assert np.isfinite(table.loc["2.5", "estimate"])  # the mean is shown, only its interval is not
    assert table.loc["2.4", "not_estimable"] == "" and table.loc["2.4", "df"] == 3
    three = planted_assessments(n_bodies=3, seed=4)
    assert np.isfinite(leniency.self_inflation(three).iloc[0]["ci_low"])


def test_cr1_interval_covers_95_percent_from_three_bodies():
    runs = 600  # Monte Carlo SD of a 95 % coverage: 0.9 %; tolerance 3 SD
    result = leniency_coverage(bodies=(3, 5, 8, 12), runs=runs, seed=7, n_resamples=400)
    table = result.table
    assert result.synthetic and result.seed == 7 and result.method == method_token("leniency_coverage", level=95)
    tolerance = 3 * np.sqrt(0.95 * 0.05 / runs)
    assert set(table["method"]) == {"leniency_cr1", "leniency_bootstrap"}  # keys, worded when shown
    cr1 = table[table["method"] == "leniency_cr1"].set_index("bodies")["coverage"]
    assert len(cr1) == 4 and (abs(cr1 - 0.95) < tolerance).all(), cr1.to_dict()
    # the design is hard enough to fail the percentile bootstrap it replaced (the test can fail)
    boot = table[table["method"] == "leniency_bootstrap"].set_index("bodies")["coverage"]
    assert boot[3] < 0.95 - 3 * tolerance and boot[5] < 0.95 - tolerance


# --------------------------------------------------------------------------- item 5: verdicts

def test_consistency_verdict_every_branch():
    assert consistency_verdict(0.85, 0.62, 0.94, 0.5) == Verdict("yes", "consistency_shown", {
        "estimate": 0.85, "ci_low": 0.62, "ci_high": 0.94, "threshold": 0.5})
    assert consistency_verdict(0.2, -0.1, 0.45, 0.5).answer == "no"
    assert consistency_verdict(0.2, -0.1, 0.45, 0.5).reason == "consistency_below"
    uncertain = consistency_verdict(0.26, -0.5, 0.8, 0.5, needed={"subjects": 51})
    assert (uncertain.answer, uncertain.reason, uncertain.values["subjects"]) == ("unclear", "consistency_uncertain", 51)
    assert consistency_verdict(0.7, 0.5, 0.9, 0.5).answer == "unclear"  # a bound on the threshold decides nothing
    for missing in [(np.nan, np.nan, np.nan), (0.9, np.nan, 0.95), (None, 0.6, 0.9)]:
        assert consistency_verdict(*missing, 0.5).reason == "consistency_not_measured"
    assert Verdict.from_dict(uncertain.to_dict()) == uncertain


def _mcgraw_wong_c1(rho, n, k=2, confidence=0.95):
    f = (1 + (k - 1) * rho) / (1 - rho)
    q = 1 - (1 - confidence) / 2
    fl, fu = f / stats.f.ppf(q, n - 1, (n - 1) * (k - 1)), f * stats.f.ppf(q, (n - 1) * (k - 1), n - 1)
    return (fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1)


@pytest.mark.parametrize("rho", [0.1, 0.26, 0.7, 0.9])
def test_subjects_needed_is_the_first_n_whose_interval_clears_the_threshold(rho):
    n = icc_subjects_needed(rho, 0.5)
    side = 0 if rho > 0.5 else 1
    clears = lambda m: _mcgraw_wong_c1(rho, m)[side] > 0.5 if rho > 0.5 else _mcgraw_wong_c1(rho, m)[side] < 0.5  # noqa: E731
    assert clears(n) and not clears(n - 1)
    # the package's own ICC table (checked against pingouin and psych elsewhere) gives the same bound at n
    msr, mse = (1 + rho) / (1 - rho), 1.0
    table = _icc_table(msr, 1.0, mse, mse, n, 2, 0.95)
    assert table.loc["ICC3", "icc"] == pytest.approx(rho)
    assert (table.loc["ICC3", "ci_low"] > 0.5) if rho > 0.5 else (table.loc["ICC3", "ci_high"] < 0.5)
    assert icc_subjects_needed(0.5, 0.5) is None


def _review_row(indicator="1.1", **values):
    row = {"indicator": indicator, "flag": False, "reason": "", "member_icc": np.nan, "member_icc_ci_low": np.nan,
           "member_icc_ci_high": np.nan, "icc_c1": np.nan, "icc_c1_ci_low": np.nan, "icc_c1_ci_high": np.nan,
           "item_rest_r": np.nan, "n_pairs": 12, "n_bodies": 6}
    return {**row, **values}


def test_indicator_and_set_verdicts_every_branch():
    shown = _review_row("1.1", icc_c1=0.9, icc_c1_ci_low=0.7, icc_c1_ci_high=0.96, item_rest_r=0.5)
    both = _review_row("1.2", icc_c1=0.9, icc_c1_ci_low=0.7, icc_c1_ci_high=0.96, member_icc=0.6,
                       member_icc_ci_low=0.3, member_icc_ci_high=0.8)  # members undecided: not shown
    flagged = _review_row("1.3", icc_c1=0.2, icc_c1_ci_low=-0.2, icc_c1_ci_high=0.45, flag=True,
                          reason="self_council_inconsistent")
    wide = _review_row("1.4", icc_c1=0.26, icc_c1_ci_low=-0.55, icc_c1_ci_high=0.8)
    items_only = _review_row("1.5", item_rest_r=0.4)
    nothing = _review_row("1.6")
    table = indicator_verdicts(pd.DataFrame([shown, both, flagged, wide, items_only, nothing])).set_index("indicator")
    assert table["answer"].to_dict() == {"1.1": "yes", "1.2": "unclear", "1.3": "no", "1.4": "unclear",
                                         "1.5": "unclear", "1.6": "unclear"}
    assert table.loc["1.5", "reason"] == table.loc["1.6", "reason"] == "consistency_not_measured"
    assert table.loc["1.4", "subjects_needed"] == icc_subjects_needed(0.26, 0.5)
    assert pd.isna(table.loc["1.2", "subjects_needed"]) and not table.loc["1.6", "measured"]

    assert indicator_set_verdict(pd.DataFrame([shown])).answer == "yes"
    mixed = indicator_set_verdict(pd.DataFrame([shown, flagged, wide]))
    assert (mixed.answer, mixed.reason, mixed.values["flagged"], mixed.values["n_yes"]) == ("no", "flagged", ["1.3"], 1)
    unsure = indicator_set_verdict(pd.DataFrame([shown, wide, items_only]))
    assert (unsure.answer, unsure.reason, unsure.values["n"], unsure.values["n_unclear"]) == \
        ("unclear", "consistency_uncertain", 2, 1)  # an item-rest r without its interval is not counted
    assert indicator_set_verdict(pd.DataFrame([nothing])).reason == "consistency_not_measured"
    raters = council_size.DStudy(pd.DataFrame({"raters": [1]}), "d_study_phi", needed={0.8: 4, 0.9: 9},
                                 needed_ci={0.8: (3, 6), 0.9: (7, 12)}, components={}, n_bodies=5, n_members=3,
                                 n_resamples=50)
    with_members = indicator_set_verdict(pd.DataFrame([both]), raters)
    words = consistency_sentences(with_members, "en")
    assert with_members.values["members_needed"] == 4 and "4 members" in words[-1]
    assert not any("4 members" in s for s in consistency_sentences(with_members, "en", with_members=False))
    assert "fewer than" not in " ".join(consistency_sentences(unsure, "vi"))
    assert consistency_sentences(unsure, "vi")[0].startswith("Chưa đủ dữ liệu")


def test_an_item_rest_r_without_an_interval_is_not_measured():
    """An item-rest r with no interval (r = ±1: no Fisher z) decides nothing: the indicator is "not measured" in
    the verdicts' tallies and the summary's count of indicators reviewed, and a set of such indicators is "not
    enough data" (it was counted as measured and undecided)."""
    alone = _review_row("1.5", item_rest_r=0.4)
    with_ci = _review_row("1.6", item_rest_r=0.4, item_rest_ci_low=0.1, item_rest_ci_high=0.62)
    table = indicator_verdicts(pd.DataFrame([alone, with_ci])).set_index("indicator")
    assert table["measured"].to_dict() == {"1.5": False, "1.6": True}
    verdict = indicator_set_verdict(pd.DataFrame([alone]))
    assert (verdict.answer, verdict.reason, verdict.values["n"]) == ("unclear", "consistency_not_measured", 0)
    counted = indicator_set_verdict(pd.DataFrame([alone, with_ci]))
    assert (counted.values["n"], counted.values["unclear"]) == (1, ["1.6"])
    assert reliability_summary(pd.DataFrame([alone])).n_reviewed == 0
    assert reliability_summary(pd.DataFrame([alone, with_ci])).n_reviewed == 1


def _six_bodies(rho=0.2, spread=6.0):
    """Six bodies, one wave, every indicator's self–council ICC(C,1) exactly ``rho``: self and council are a
    common true score ± a noise pattern orthogonal to it (a different pattern per indicator), its size set so
    that MSR / MSE = (1 + rho) / (1 − rho); self-scores 4 points above."""
    t = spread * np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5])
    basis = np.linalg.svd(np.column_stack([np.ones(6), t]), full_matrices=True)[0][:, 2:]
    f = (1 + rho) / (1 - rho)
    rows = []
    for j, (i, p) in enumerate(zip(CATALOG["indicator"], CATALOG["pillar"].astype(int))):
        c = basis @ np.cos(np.arange(4) * (j + 1) * 0.7 + j)
        a = np.sqrt((2 * (t ** 2).sum() / 5) / (f * 4 * (c ** 2).sum() / 10))
        for b in range(6):
            base = dict(province="Tỉnh A", body_id=f"A|{b:03d}", body_label=f"xã {b}", year=2024, round=1,
                        indicator=i, pillar=p, rater_id=None)
            rows.append(dict(base, rater="self", score_100=59 + t[b] + a * c[b]))
            rows.append(dict(base, rater="council", score_100=55 + t[b] - a * c[b]))
    return pd.DataFrame(rows)


def test_six_bodies_with_low_iccs_and_wide_intervals_is_not_enough_data():
    """The province of issue 19: six bodies, every self–council ICC(C,1) low (0.2), no interval narrow enough
    to flag anything. The old summary called the set consistent; the verdict says the data cannot tell, and how
    much data would."""
    table = review_table.review_indicators(_six_bodies(), CATALOG, n_resamples=200, seed=1).table
    assert np.allclose(table["icc_c1"], 0.2) and (table["icc_c1_ci_high"] > 0.5).all()
    assert not table["flag"].any()  # nothing flagged: the old rule said "consistent"
    verdict = indicator_set_verdict(table)
    assert verdict.answer == "unclear" and verdict.reason == "consistency_uncertain"
    assert verdict.values["n_yes"] == 0 and verdict.values["n_unclear"] == 39
    assert verdict.values["needed_low"] == verdict.values["needed_high"] == icc_subjects_needed(0.2, 0.5)
    assert verdict.values["subjects_now"] == 6
    for lang, never in (("vi", "Bộ chỉ số chấm được nhất quán"), ("en", "The indicator set can be scored consistently")):
        sentences = summary_sentences(reliability_summary(table), lang=lang)
        assert not any(never in s for s in sentences), sentences
    vi = summary_sentences(reliability_summary(table), lang="vi")
    assert vi[0].startswith("Chưa đủ dữ liệu") and f"khoảng {verdict.values['needed_low']} cặp điểm" in vi[1]

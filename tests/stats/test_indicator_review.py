"""Dataset-level reliability: the two questions kept apart, flags that fire only on what was planted.

Designs are simulated here with numpy (``planted_designs.py``) with planted values, and expectations are independent
of the code under test (planted values, pingouin, closed-form formulas).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iso18091lab.catalog import load_catalog
from iso18091lab.render.reliability import summary_sentences
from iso18091lab.stats import NotEstimable
from iso18091lab.stats.review import bands, council_size, leniency, pillar_items, rater_consistency
from iso18091lab.stats.review import by_province as review_by_province
from iso18091lab.stats.review import table as review_table
from iso18091lab.stats.generalizability import raters_needed
from iso18091lab.summaries.reliability import reliability_summary

sys.path.insert(0, str(Path(__file__).parent))
from planted_designs import planted_assessments  # noqa: E402

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def inflated():
    """60 bodies, 2 waves, every indicator reliable, self-scores a constant 12 points above the council."""
    return planted_assessments(n_bodies=60, waves=2, inflation=12.0, members=4, member_bodies=15, seed=3)


@pytest.fixture(scope="module")
def inflated_review(inflated):
    result = review_table.review_indicators(inflated, CATALOG, n_resamples=400, seed=1)
    assert result.not_estimable == [] and result.method.startswith("flag_rules ") and not result.table.attrs
    return result.table


def test_constant_self_inflation_with_reliable_indicators_flags_nothing(inflated, inflated_review):
    assert len(inflated_review) == 39 and not inflated_review["flag"].any()
    assert (inflated_review["reason"] == "").all()
    # the old absolute-agreement ICC(A,1) is dragged down by the offset; ICC(C,1) is not
    assert inflated_review["icc_a1"].median() < 0.75 < inflated_review["icc_c1_ci_low"].min()
    infl = leniency.self_inflation(inflated, n_resamples=600, seed=2).set_index("scope")
    assert infl.loc["overall", "ci_low"] < 12.0 < infl.loc["overall", "ci_high"]
    assert infl.loc["overall", "n_bodies"] == 60
    for p in (1, 2, 3, 4):
        assert infl.loc[f"pillar {p}", "ci_low"] < 12.0 < infl.loc[f"pillar {p}", "ci_high"]
    covered = [(infl.loc[i, "ci_low"] < 12.0 < infl.loc[i, "ci_high"]) for i in CATALOG["indicator"]]
    assert np.mean(covered) >= 0.85  # 95% intervals: a few of 39 may miss
    sentences = summary_sentences(reliability_summary(inflated_review, infl.reset_index()), lang="en")
    assert sentences[0].startswith("The indicator set can be scored consistently")
    assert "lenient self-scoring" in sentences[1] and "appraisal by a council" in " ".join(sentences)


def test_planted_unreliable_indicators_are_flagged_exactly():
    planted = {"1.3", "2.5", "3.9", "4.1"}
    a = planted_assessments(n_bodies=60, waves=2, inflation=10.0, unreliable=planted, members=4, member_bodies=20, seed=5)
    table = review_table.review_indicators(a, CATALOG, n_resamples=400, seed=1).table
    assert set(table.loc[table["flag"], "indicator"]) == planted
    for rule in ("members_disagree", "self_council_inconsistent"):
        assert all(rule in r for r in table.loc[table["flag"], "reason"])
    worst = review_table.most_disagreed(table, 4)
    assert set(worst["indicator"]) == planted


def test_alpha_flag_needs_a_margin_and_a_ci():
    # a gain of 1e-5 is not meaningful: no flag, whatever its sign
    row = {"alpha_gain": 1e-5, "alpha_gain_ci_low": 5e-6}
    assert review_table._flag_reasons(row) == []
    assert review_table._flag_reasons({"alpha_gain": 0.05, "alpha_gain_ci_low": -0.01}) == []
    assert review_table._flag_reasons({"alpha_gain": 0.05, "alpha_gain_ci_low": 0.01}) == ["alpha_rises_if_dropped"]


def test_self_inflation_by_body_finds_the_lenient_bodies():
    a = planted_assessments(n_bodies=20, inflation=5.0, seed=8)
    lenient = {"A|003", "A|011"}
    a.loc[a["body_id"].isin(lenient) & (a["rater"] == "self"), "score_100"] += 15
    by_body = leniency.self_inflation_by_body(a, n_resamples=300, seed=1)
    assert set(by_body["body_id"].head(2)) == lenient
    assert (by_body.set_index("body_id").loc[list(lenient), "ci_low"] > 12).all()
    assert by_body["body_label"].iloc[0].startswith("xã")  # labels shown, ids used


def test_self_council_consistency_equals_pingouin_icc3(inflated):
    import pingouin as pg

    table = rater_consistency.self_council_consistency(inflated).set_index("indicator")
    part = inflated[inflated["rater_id"].isna() & (inflated["indicator"] == "2.3")]
    part = part.assign(target=part["body_id"] + part["year"].astype(str))
    ref = pg.intraclass_corr(part, targets="target", raters="rater", ratings="score_100")
    ref.index = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]  # pingouin >= 0.6.1 labels ICC(3,1) etc.
    assert table.loc["2.3", "icc_c1"] == pytest.approx(ref.loc["ICC3", "ICC"], abs=1e-10)
    assert table.loc["2.3", "icc_a1"] == pytest.approx(ref.loc["ICC2", "ICC"], abs=1e-10)
    low, high = ref.loc["ICC3", "CI95"]
    assert table.loc["2.3", "icc_c1_ci_low"] == pytest.approx(low, abs=0.0051)


def test_internal_consistency_equals_pingouin(inflated):
    import pingouin as pg

    table = pillar_items.internal_consistency(inflated).set_index("pillar")
    council = inflated[(inflated["rater"] == "council") & inflated["rater_id"].isna() & (inflated["pillar"] == 2)]
    wide = council.pivot_table(index=["body_id", "year"], columns="indicator", values="score_100")
    assert table.loc[2, "alpha"] == pytest.approx(pg.cronbach_alpha(wide)[0], abs=1e-10)
    assert table.loc[2, "n_body_years"] == 120 and table.loc[2, "n_bodies"] == 60


def test_item_review_matches_direct_formulas(inflated):
    table = pillar_items.item_review(inflated, n_resamples=200, seed=1).set_index("indicator")
    council = inflated[(inflated["rater"] == "council") & inflated["rater_id"].isna() & (inflated["pillar"] == 4)]
    wide = council.pivot_table(index=["body_id", "year"], columns="indicator", values="score_100")
    rest = wide.drop(columns="4.2").sum(axis=1)
    r = np.corrcoef(wide["4.2"], rest)[0, 1]
    assert table.loc["4.2", "item_rest_r"] == pytest.approx(r, abs=1e-12)
    z = np.arctanh(r)
    assert table.loc["4.2", "item_rest_ci_high"] == pytest.approx(np.tanh(z + 1.959964 / np.sqrt(120 - 3)), abs=1e-6)


def test_member_agreement_and_g_study_on_a_planted_council():
    a = planted_assessments(n_bodies=40, waves=1, inflation=0.0, members=5, member_bodies=40, seed=9, missing_member_rate=0.1)
    agreement = rater_consistency.member_agreement(a)
    # planted per-indicator ICC(A,1): (body 100 + bi 9) / (109 + member bias 4 + noise 16) = 0.845
    assert agreement["member_icc"].median() == pytest.approx(109 / 129, abs=0.06)
    fit = council_size.council_g_study(a)
    g = fit.table.set_index("component")["variance"]
    assert fit.levels["body"] == a["body_id"].nunique() == 40 and fit.levels["rater"] == 5 and fit.n == len(
        a[a["rater_id"].notna()].dropna(subset=["score_100"]))
    assert g["residual"] == pytest.approx(16.0, rel=0.15)
    d = council_size.council_d_study(a, n_resamples=30, seed=1)
    table = d.table
    assert list(table.columns) == ["raters", "reliability", "ci_low", "ci_high", "reliability_relative"]
    assert list(table["raters"]) == list(range(1, 8)) and table["reliability"].is_monotonic_increasing
    assert (table["ci_low"] <= table["reliability"]).all() and (table["reliability"] <= table["ci_high"]).all()
    assert d.needed[0.8] in (1, 2) and d.needed[0.9] in (2, 3) and not table.attrs
    assert d.needed == {t: raters_needed(fit, t) for t in (0.8, 0.9)}  # the council sizes of the G study
    assert all(lo <= d.needed[t] <= hi for t, (lo, hi) in d.needed_ci.items())
    assert (d.n_bodies, d.n_members, d.components) == (40, 5, dict(zip(fit.table["component"], fit.table["variance"])))
    pd.testing.assert_frame_equal(d.g_study.table, fit.table)  # the G study it rests on, kept for the report
    assert 0 < d.n_resamples <= 30 and d.method == f'd_study_phi {{"level": 95, "resamples": {d.n_resamples}}}'


def test_not_estimable_designs():
    no_members = planted_assessments(n_bodies=10, members=0, seed=1)
    for function in (rater_consistency.member_agreement, council_size.council_g_study,
                     rater_consistency.council_interrater):
        with pytest.raises(NotEstimable) as info:
            function(no_members)
        assert info.value.reason == "no_members"
    council_only = planted_assessments(n_bodies=10, with_self=False, seed=1)
    with pytest.raises(NotEstimable) as info:
        leniency.self_inflation(council_only)
    assert info.value.reason == "no_self"
    self_only = planted_assessments(n_bodies=10, with_council=False, seed=1)
    with pytest.raises(NotEstimable) as info:
        pillar_items.internal_consistency(self_only)
    assert info.value.reason == "no_council"
    two = planted_assessments(n_bodies=2, seed=1)
    with pytest.raises(NotEstimable) as info:
        leniency.self_inflation(two)
    assert info.value.reason == "too_few" and "detail" in info.value.values
    result = review_table.review_indicators(no_members, CATALOG, n_resamples=50, seed=1)
    assert [p for p, _ in result.not_estimable] == ["members"] and result.table["member_icc"].isna().all()
    assert result.not_estimable[0][1].reason == "no_members"


def test_a_body_s_own_subset_of_indicators_and_duplicate_names():
    a = planted_assessments(n_bodies=30, seed=4)
    a = a[~((a["body_id"] == "A|001") & a["indicator"].isin(["1.1", "2.2", "3.3"]))]  # its own subset
    assert a["body_label"].duplicated().any()  # names repeat; ids do not
    table = review_table.review_indicators(a, CATALOG, n_resamples=50, seed=1).table
    assert len(table) == 39 and table.loc[table["indicator"] == "1.1", "n_bodies"].item() == 29
    infl = leniency.self_inflation(a, n_resamples=50, seed=1)
    assert infl.iloc[0]["n_bodies"] == 30


def test_duplicate_consensus_scores_raise():
    a = planted_assessments(n_bodies=5, seed=1)
    twice = pd.concat([a, a.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="duplicate self scores"):
        leniency.self_inflation(twice)
    a = planted_assessments(n_bodies=5, members=3, seed=1)
    member = a[a["rater_id"].notna()].iloc[[0]]
    with pytest.raises(ValueError, match="duplicate member scores"):
        rater_consistency.member_agreement(pd.concat([a, member], ignore_index=True))


def test_bands_take_the_interval_into_account():
    assert [bands.band(v) for v in (0.3, 0.5, 0.8, 0.95)] == ["poor", "moderate", "good", "excellent"]
    assert [bands.band(v, "kappa") for v in (-0.1, 0.1, 0.3, 0.5, 0.7, 0.9)] == \
        ["poor", "slight", "fair", "moderate", "substantial", "almost perfect"]
    assert bands.band(np.nan) == "–"
    assert bands.band_ci_key(0.6, 0.55, 0.7) == "moderate"
    assert bands.band_ci_key(0.6, 0.4, 0.7) == "poor/moderate"
    assert bands.band_ci_key(0.6, 0.1, 0.95) == "uncertain"
    assert bands.band_ci_key(0.6, np.nan, np.nan) == "uncertain"
    # the interval decides, not the point: an estimate outside its (bootstrap) interval does not name the band
    assert bands.band_ci_key(0.3, 0.8, 0.85) == "good" and bands.band_ci_key(0.95, 0.55, 0.7) == "moderate"


def test_band_keys_are_worded_by_the_render_layer():
    from iso18091lab.render.reliability import band_text

    assert band_text(bands.band(0.8), "vi") == "tốt" and band_text(bands.band(0.8), "en") == "good"
    assert band_text(bands.band_ci_key(0.6, 0.4, 0.7), "en") == "poor to moderate"
    assert band_text(bands.band_ci_key(0.6, 0.4, 0.7), "vi") == "kém đến trung bình"
    assert band_text(bands.band_ci_key(0.6, 0.1, 0.95), "vi") == "chưa chắc chắn"
    assert [band_text(bands.band(v, "kappa"), "vi") for v in (0.1, 0.3, 0.7, 0.9)] == \
        ["rất thấp", "thấp", "khá cao", "gần như hoàn toàn"]


_A = planted_assessments(n_bodies=4, seed=1)
BAD_INPUT = [
    ("self_inflation", lambda: leniency.self_inflation(_A.iloc[:0])),
    ("self_inflation", lambda: leniency.self_inflation(_A.drop(columns="body_id"))),
    ("self_inflation", lambda: leniency.self_inflation(_A, n_resamples=0)),
    ("self_inflation_by_body", lambda: leniency.self_inflation_by_body("not a table")),
    ("self_council_consistency", lambda: rater_consistency.self_council_consistency(_A.assign(score_100="x"))),
    ("member_agreement", lambda: rater_consistency.member_agreement(_A.iloc[:0])),
    ("internal_consistency", lambda: pillar_items.internal_consistency(_A.to_numpy())),
    ("item_review", lambda: pillar_items.item_review(_A, confidence=2)),
    ("council_g_study", lambda: council_size.council_g_study(_A)),
    ("council_d_study", lambda: council_size.council_d_study(_A, max_raters=0)),
    ("review_indicators", lambda: review_table.review_indicators(_A, catalog=pd.DataFrame({"x": [1]}))),
    ("most_disagreed", lambda: review_table.most_disagreed(pd.DataFrame())),
    ("council_interrater", lambda: rater_consistency.council_interrater(_A)),
    ("flags_by_province", lambda: review_by_province.flags_by_province(_A.iloc[:0])),
    ("flagged_everywhere", lambda: review_by_province.flagged_everywhere(pd.DataFrame(), ["A"])),
    ("summary_by_province", lambda: review_by_province.summary_by_province(pd.DataFrame())),
    ("comparison_row", lambda: review_by_province.comparison_row(pd.DataFrame(), "pooled")),
    ("reliability_summary", lambda: reliability_summary(pd.DataFrame())),
    ("band", lambda: bands.band(0.5, kind="alpha")),
    ("band_ci_key", lambda: bands.band_ci_key(0.5, 0.1, 0.9, kind="alpha")),
]


@pytest.mark.parametrize("call", [c for _, c in BAD_INPUT], ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD_INPUT)])
def test_every_public_function_raises_valueerror_on_bad_input(call):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value)


def test_every_public_function_is_covered_by_the_bad_input_test():
    """Every public function of every module of the review package (``stats.review``)."""
    import importlib
    import inspect
    import pkgutil

    import iso18091lab.stats.review as review_package

    public = set()
    for info in pkgutil.iter_modules(review_package.__path__, "iso18091lab.stats.review."):
        module = importlib.import_module(info.name)
        public |= {n for n, o in vars(module).items() if inspect.isfunction(o) and not n.startswith("_")
                   and o.__module__ == module.__name__}
    assert len(public) >= 17  # the package's public functions, found
    assert public <= {n for n, _ in BAD_INPUT}, public - {n for n, _ in BAD_INPUT}


def test_sample_data_flags_only_planted_indicators(synthetic_ingest, synthetic_raw):
    # the generator plants 4 indicators with a low share of between-body signal; with 24 bodies the CI rules
    # may not reach all of them, but nothing else may be flagged
    result, _ = synthetic_ingest
    _, manifest = synthetic_raw
    planted = {i for i, r in manifest["indicator_reliability"].items() if r < 0.5}
    hp = result.assessments[result.assessments["province"] == "Hải Phòng"]
    table = review_table.review_indicators(hp, n_resamples=300, seed=1).table
    flagged = set(table.loc[table["flag"], "indicator"])
    assert flagged <= planted and flagged  # only planted ones, and not an empty set that passes trivially
    infl = leniency.self_inflation(hp, n_resamples=300, seed=1).iloc[0]
    # rounding to half points and clipping at 0/10 blur it a little; the CI must cover it
    assert infl["ci_low"] - 0.5 < manifest["params"]["self_inflation"] < infl["ci_high"] + 0.5


def test_internal_consistency_without_omega_keeps_alpha():
    data = planted_assessments(n_bodies=30, seed=2)
    full = pillar_items.internal_consistency(data)
    alpha_only = pillar_items.internal_consistency(data, omega=False)
    pd.testing.assert_frame_equal(full.drop(columns="omega"), alpha_only.drop(columns="omega"))
    assert alpha_only["omega"].isna().all() and full["omega"].notna().any()




def test_item_review_bootstrap_with_a_constant_pillar_total_warns_nothing():
    """Every body's pillar total is the same (1.1 + 1.2 = 100, 1.3 = 50 for all): alpha is undefined (-inf) in
    every replicate with and without 1.3, and the gain of -inf over -inf is left out of the interval without a
    RuntimeWarning (one reached a report page of the mixed design)."""
    import warnings

    a = planted_assessments(n_bodies=8, waves=1, indicators=["1.1", "1.2", "1.3"], seed=3)
    council = (a["rater"] == "council") & a["rater_id"].isna()
    spread = a["body_id"].map({b: 10.0 * k for k, b in enumerate(sorted(a["body_id"].unique()))})
    a.loc[council, "score_100"] = np.select([a["indicator"] == "1.1", a["indicator"] == "1.2"],
                                            [20 + spread, 80 - spread], 50.0)[council.to_numpy()]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        table = pillar_items.item_review(a, n_resamples=50, seed=1).set_index("indicator")
    assert table.loc["1.3", "pillar_alpha"] == -np.inf and np.isnan(table.loc["1.3", "alpha_gain_ci_low"])

"""Effectiveness estimators against R, diff-diff 3.13, hand calculations and designs whose answer is known."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from iso18091lab.i18n import method_label, split_method
from iso18091lab.stats import NotEstimable
from iso18091lab.stats.did.callaway_santanna import callaway_santanna
from iso18091lab.stats.did.event_study import EVENT_STUDY_COLUMNS, event_study
from iso18091lab.stats.did.imputation import imputation_att
from iso18091lab.stats.did.panel import pilot_exclusions
from iso18091lab.stats.did.pre_post import pre_post
from iso18091lab.stats.did.table import EFFECTIVENESS_COLUMNS, bh_qvalues, effectiveness_table
from iso18091lab.stats.did.twfe import did_within_province, treated
from iso18091lab.stats.rank import hodges_lehmann
from iso18091lab.stats.verdict import MIN_PILOTS_PER_START


def test_benjamini_hochberg_1995_example():
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528,
         0.7590, 1.0000]
    q = bh_qvalues(p)
    assert (q <= 0.05).sum() == 4  # BH (1995): the four smallest are rejected at FDR 5 %
    from statsmodels.stats.multitest import multipletests

    np.testing.assert_allclose(q, multipletests(p, method="fdr_bh")[1], atol=1e-12)
    assert np.isnan(bh_qvalues([0.01, np.nan])[1])
    with pytest.raises(ValueError):
        bh_qvalues([1.5])


# --------------------------------------------------------------------------- panels built for the tests

def staggered_panel(seed=0, n_waves=5, starts=(2, 3, 4), n_per_cohort=4, n_comparison=10, province="P",
                    effect=lambda e: 2.0 + e, noise=2.0, trend=0.7, year0=2020, rounds=1, pretrend=0.0):
    """Bodies x waves; cohorts start at wave index ``starts``; waves are (year, round) with ``rounds`` per
    year. Returns a panel with the product's columns."""
    rng = np.random.default_rng(seed)
    waves = [(year0 + t // rounds, 1 + t % rounds) for t in range(n_waves)]
    rows = []
    body = 0
    cohorts = [g for g in starts for _ in range(n_per_cohort)] + [None] * n_comparison
    for g in cohorts:
        alpha = rng.normal(50, 5)
        for t, (year, rnd) in enumerate(waves):
            under = g is not None and t >= g
            rows.append({"province": province, "body_id": f"{province}-{body}", "body_label": f"B{body}",
                         "level": "xã" if body % 2 else "phường", "group": "pilot" if g is not None else "comparison",
                         "pilot_start": waves[g][0] if g is not None else np.nan,
                         "pilot_start_round": waves[g][1] if g is not None else np.nan,
                         "year": year, "round": rnd,
                         "score": alpha + trend * t + noise * rng.normal() + (effect(t - g) if under else 0.0)
                         + (pretrend * (t - g) if g is not None and not under else 0.0)})
        body += 1
    return pd.DataFrame(rows)


def _diff_diff_frame(panel):
    waves = sorted(set(zip(panel["year"], panel["round"])))
    index = {w: i + 1 for i, w in enumerate(waves)}
    time = [index[w] for w in zip(panel["year"], panel["round"])]
    first = [index.get((y, r if r == r else 1), 0) if y == y else 0
             for y, r in zip(panel["pilot_start"], panel["pilot_start_round"])]
    return panel.assign(t=time, ft=first)


# --------------------------------------------------------------------------- independent implementations

@pytest.mark.parametrize("seed, starts, rounds", [(0, (2, 3, 4), 1), (1, (1, 3), 2), (2, (2,), 1)])
def test_imputation_matches_diff_diff_per_province(seed, starts, rounds):
    from diff_diff import CallawaySantAnna, ImputationDiD

    panel = staggered_panel(seed=seed, starts=starts, rounds=rounds, n_waves=6)
    frame = _diff_diff_frame(panel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ImputationDiD().fit(frame, "score", "body_id", "t", "ft")
        theirs_loo = ImputationDiD(leave_one_out=True).fit(frame, "score", "body_id", "t", "ft")
        cs = CallawaySantAnna(control_group="not_yet_treated").fit(frame, "score", "body_id", "t", "ft")
        pre = ImputationDiD(pretrends=True).fit(frame, "score", "body_id", "t", "ft")
        pretest = pre.pretrend_test()
        events = pre.aggregate("event_study")
    ours = imputation_att(panel, "score", n_permutations=0, leave_one_out=False, df="normal")
    assert ours.estimate == pytest.approx(theirs.overall_att, abs=1e-8)
    assert ours.se == pytest.approx(theirs.overall_se, abs=1e-8)
    ours_loo = imputation_att(panel, "score", n_permutations=0, leave_one_out=True, df="normal")
    assert ours_loo.se == pytest.approx(theirs_loo.overall_se, abs=1e-8)
    assert callaway_santanna(panel, "score").estimate == pytest.approx(cs.overall_att, abs=1e-8)
    study = event_study(panel, "score", leave_one_out=False)
    table = study.table.set_index("event_time")
    for e, att, se in zip(events.event_time, events.att, events.se):
        if e == -1:
            assert table.loc[-1, "kind"] == "reference" and table.loc[-1, "estimate"] == 0
            continue
        assert table.loc[e, "estimate"] == pytest.approx(att, abs=1e-8)
        if e >= 0:
            assert table.loc[e, "se"] == pytest.approx(se, abs=1e-8)
    mine = study.pretrend["P"]
    if pretest["n_leads"]:
        assert mine["f_stat"] == pytest.approx(pretest["f_stat"], rel=1e-8)
        assert mine["p_value"] == pytest.approx(pretest["p_value"], rel=1e-8)
        for e, value in pretest["lead_coefficients"].items():
            assert table.loc[e, "estimate"] == pytest.approx(value, abs=1e-8)


def test_several_provinces_pool_treated_body_waves_with_equal_weight():
    from diff_diff import ImputationDiD

    parts = [staggered_panel(seed=3, province="A", starts=(2, 3)), staggered_panel(seed=4, province="B", starts=(1,),
                                                                                     n_per_cohort=6)]
    panel = pd.concat(parts, ignore_index=True)
    ours = imputation_att(panel, "score", n_permutations=0)
    total = weight = 0.0
    for part in parts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ImputationDiD().fit(_diff_diff_frame(part), "score", "body_id", "t", "ft")
        total += fit.overall_att * fit.n_treated_obs
        weight += fit.n_treated_obs
    assert ours.estimate == pytest.approx(total / weight, abs=1e-8)
    assert ours.details["n_treated"] == weight
    assert list(ours.details["by_province"]["province"]) == ["A", "B"]


def test_no_noise_design_recovers_the_att_and_two_way_fe_does_not():
    # Waves 0..3 (2021..2024). Cohort A (3 bodies) starts at wave 1, cohort B (3 bodies) at wave 2; 3 comparison
    # bodies. Effect at event time e = 2 + 3e. Treated body-waves: A at e = 0, 1, 2 (effects 2, 5, 8) and B at
    # e = 0, 1 (2, 5), three bodies each: ATT = (3 * (2 + 5 + 8) + 3 * (2 + 5)) / 15 = 66 / 15 = 4.4.
    panel = staggered_panel(seed=5, n_waves=4, starts=(1, 2), n_per_cohort=3, n_comparison=3,
                            effect=lambda e: 2.0 + 3.0 * e, noise=0.0, year0=2021)
    att = imputation_att(panel, "score", n_permutations=200, seed=1)
    assert att.estimate == pytest.approx(4.4, abs=1e-10)
    assert callaway_santanna(panel, "score").estimate == pytest.approx(4.4, abs=1e-10)
    events = event_study(panel, "score").table.set_index("event_time")
    assert events.loc[[0, 1, 2], "estimate"].tolist() == pytest.approx([2.0, 5.0, 8.0], abs=1e-10)
    assert events.loc[-2, "estimate"] == pytest.approx(0.0, abs=1e-10)  # no pre-trend planted
    twfe = did_within_province(panel, "score")
    assert abs(twfe.estimate - 4.4) > 0.3  # two-way FE weights the effects by treatment variance, not equally
    # with one pilot under the pilot its clustered SE would be 0: not estimable, with the reason
    one = panel[(panel["group"] == "comparison") | (panel["body_id"] == "P-0")]
    with pytest.raises(NotEstimable) as info:
        did_within_province(one, "score")
    assert info.value.reason == "too_few_twfe" and info.value.values == {"n": 1, "min": MIN_PILOTS_PER_START}


def test_the_one_timing_rule_and_pilots_without_a_wave_before_their_start():
    # two rounds a year; a pilot starting in (2023, 2) has its 2023 round-1 wave before the pilot
    panel = staggered_panel(seed=6, n_waves=4, starts=(1,), n_per_cohort=3, n_comparison=3, rounds=2, year0=2022,
                            noise=0.0, effect=lambda e: 3.0)
    assert set(panel.loc[panel["group"] == "pilot", "pilot_start"]) == {2022}
    assert set(panel.loc[panel["group"] == "pilot", "pilot_start_round"]) == {2}
    late = panel["body_id"] == "P-0"
    panel.loc[late, ["pilot_start", "pilot_start_round"]] = [2023, 2]   # starts at wave 3
    wave = list(zip(panel["year"], panel["round"]))
    panel.loc[late & pd.Series([w in [(2022, 2), (2023, 1)] for w in wave]), "score"] -= 3.0  # no effect before it
    early = panel["body_id"] == "P-1"
    panel.loc[early, ["pilot_start", "pilot_start_round"]] = [2022, 1]  # first wave under the pilot: no wave before
    result = imputation_att(panel, "score", n_permutations=0)
    excluded = result.details["excluded"]
    assert excluded[["body_id", "reason"]].values.tolist() == [["P-1", "no_pre_wave"]]
    assert result.n_pilot == 2 and result.n_comparison == 3
    # P-0 is under the pilot in 1 wave and P-2 in 3 waves: 4 treated body-waves, each with effect 3
    assert result.details["n_treated"] == 4 and result.estimate == pytest.approx(3.0, abs=1e-10)
    assert pilot_exclusions(panel)["body_id"].tolist() == ["P-1"]


def test_permutation_p_is_never_zero_and_keeps_blank_levels_as_their_own_stratum():
    panel = staggered_panel(seed=7, starts=(2,), n_per_cohort=6, n_comparison=6, effect=lambda e: 30.0)
    result = imputation_att(panel, "score", n_permutations=199, seed=1, inference="randomization")
    # every distinct assignment within the level strata is enumerated: prod C(n_level, pilots_level); nothing but
    # the observed one and its mirror (groups swapped, about -30) is as extreme as a 30-point effect
    import math
    bodies = panel.drop_duplicates("body_id")
    n = math.prod(math.comb(len(part), int((part["group"] == "pilot").sum())) for _, part in bodies.groupby("level"))
    assert n >= 100 and result.details["exact"] and result.n_assignments == n
    assert result.p_min == pytest.approx(1 / n) and 1 / n <= result.p_value <= 2 / n
    # pilots all have a blank level, comparison bodies all 'xã': within-stratum reassignment changes nothing,
    # so the only assignment is the observed one and p = 1 (pooling the blank level with 'xã' would give ~0)
    blank = panel.assign(level=np.where(panel["group"] == "pilot", None, "xã"))
    only = imputation_att(blank, "score", n_permutations=99, seed=1, inference="randomization")
    assert only.p_value == 1.0 and only.n_assignments == 1 and only.p_min == 1.0
    assert (only.ci_low, only.ci_high) == (-np.inf, np.inf)
    # Monte Carlo when the assignments are too many to enumerate: p = (1 + extreme) / (1 + draws)
    many = imputation_att(staggered_panel(seed=7, starts=(2,), n_per_cohort=12, n_comparison=12,
                                             effect=lambda e: 30.0), "score", n_permutations=199, seed=1,
                             inference="randomization")
    assert not many.details["exact"] and many.p_value == pytest.approx(1 / 200)


def test_pretrend_test_catches_a_planted_pre_trend_and_single_pre_wave_has_none():
    trended = staggered_panel(seed=8, n_waves=6, starts=(4,), n_per_cohort=12, n_comparison=12, pretrend=3.0)
    study = event_study(trended, "score")
    events = study.table
    assert study.pretrend["P"]["p_value"] < 0.001 and study.pretrend["P"]["method"] == "pretrend_bjs"
    assert study.pretrend["P"]["n_pre_waves"] == 4 and study.method == "event_study_bjs"
    assert set(events.loc[events["event_time"] < -1, "kind"]) == {"placebo"}
    one_pre = staggered_panel(seed=8, n_waves=3, starts=(1,), n_per_cohort=6, n_comparison=6)
    one = event_study(one_pre, "score")
    single = one.table
    assert one.pretrend["P"]["n_pre_waves"] == 1 and np.isnan(one.pretrend["P"]["p_value"])
    assert list(single["event_time"]) == [-1, 0, 1] and list(single.columns[:6]) == EVENT_STUDY_COLUMNS


def _statsmodels_cr1_without_nested_fe(fit, n_obs, n_nested):
    """statsmodels' CR1 SE rescaled to the convention that does not count FE nested in the clusters."""
    rank = np.linalg.matrix_rank(fit.model.exog)
    ours_factor = (n_obs - 1) / (n_obs - (rank - n_nested))
    theirs_factor = (n_obs - 1) / (n_obs - fit.model.exog.shape[1])
    return fit.bse["d"] * np.sqrt(ours_factor / theirs_factor)


# body and province-wave dummies are collinear by construction (statsmodels says so and solves by pseudo-inverse;
# the coefficient of d is identified and is what the test compares)
def test_two_way_fe_matches_statsmodels_cluster_robust_ols():
    import statsmodels.formula.api as smf

    panel = pd.concat([staggered_panel(seed=9, province="A"), staggered_panel(seed=10, province="B", starts=(1, 3))],
                      ignore_index=True)
    ours = did_within_province(panel, "score")
    panel = panel.assign(d=treated(panel), pw=panel["province"] + panel["year"].astype(str))
    import warnings

    model = smf.ols("score ~ d + C(body_id) + C(pw)", data=panel)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The design matrix is rank-deficient")
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(panel["body_id"])[0]})
    assert ours.estimate == pytest.approx(fit.params["d"], abs=1e-8)
    n_units = panel["body_id"].nunique()
    assert ours.se == pytest.approx(_statsmodels_cr1_without_nested_fe(fit, len(panel), n_units), rel=1e-8)


@pytest.mark.parametrize("change, reason", [
    (lambda p: p[p["year"] == p["year"].min()], "one_wave"),
    (lambda p: p[p["group"] == "pilot"], "no_comparison"),
    (lambda p: p[p["group"] == "comparison"], "no_pilot"),
    (lambda p: p.assign(group=pd.NA), "no_groups"),
    (lambda p: p.assign(pilot_start=p["year"].min()), "no_pre_wave"),
    (lambda p: p.assign(pilot_start=2099), "no_post_wave"),
    (lambda p: p.iloc[:0], "no_scores"),
])
def test_designs_that_cannot_be_estimated_say_why(change, reason):
    panel = change(staggered_panel(seed=11))
    for call in (lambda: imputation_att(panel, "score", n_permutations=0), lambda: event_study(panel, "score"),
                 lambda: did_within_province(panel, "score"), lambda: callaway_santanna(panel, "score")):
        with pytest.raises(NotEstimable) as info:
            call()
        assert info.value.reason == reason


def test_invalid_input_is_a_plain_value_error():
    with pytest.raises(ValueError, match="lacks"):
        imputation_att(pd.DataFrame({"x": [1]}), "score")
    with pytest.raises(ValueError):
        imputation_att("not a frame", "score")
    with pytest.raises(ValueError):
        imputation_att(staggered_panel(), "score", confidence=2)
    for call in (lambda: treated(pd.DataFrame({"x": [1]})), lambda: effectiveness_table(pd.DataFrame({"x": [1]})),
                 lambda: effectiveness_table(None), lambda: pre_post(pd.DataFrame()),
                 lambda: event_study(pd.DataFrame({"x": [1]})), lambda: callaway_santanna(None),
                 lambda: pilot_exclusions(pd.DataFrame({"x": [1]})), lambda: hodges_lehmann([1, 2, 3], confidence=0)):
        with pytest.raises(ValueError):
            call()


def test_pre_post_uses_each_bodys_last_wave_before_its_start():
    panel = staggered_panel(seed=12, starts=(2, 3), n_per_cohort=5)
    table = pre_post(panel, "score", seed=1, n_resamples=999)
    wide = panel.pivot_table(index="body_id", columns="year", values="score")
    starts = panel.groupby("body_id")["pilot_start"].first().dropna()
    change = pd.Series({b: wide.loc[b, [y for y in wide.columns if y >= s]].mean() - wide.loc[b, s - 1]
                        for b, s in starts.items()})
    assert table.loc[2, "estimate"] == pytest.approx(change.mean(), abs=1e-12) and table.loc[0, "n"] == 10
    assert table.loc[0, "p_value"] == pytest.approx(stats.wilcoxon(change.to_numpy(), method="exact").pvalue)


def test_effectiveness_table_contract(synthetic_ingest):
    result, _ = synthetic_ingest
    a = result.assessments[result.assessments["province"] == "Quảng Ninh"]
    outcomes = result.outcomes[result.outcomes["province"] == "Quảng Ninh"]
    estimates = effectiveness_table(a, outcomes, result.units, n_permutations=100, seed=1)
    table = estimates.table
    assert estimates.method == "effectiveness_table" and not table.attrs
    assert all(set(item) == {"outcome", "rater", "reason", "values"} for item in estimates.not_estimable)
    assert list(table.columns[:11]) == EFFECTIVENESS_COLUMNS
    primary = table[(table["level"] == "overall") & (table["rater"] == "council")]
    assert len(primary) == 1 and split_method(primary.iloc[0]["method"])[0] in ("att_bjs", "att_ri_exact", "att_ri_mc")
    assert "quy gán" in method_label(primary.iloc[0]["method"], "vi")
    assert primary.iloc[0]["n_pilot"] + primary.iloc[0]["n_comparison"] <= a["body_id"].nunique()
    # the primary row's result is kept (its details are read by report 30 instead of estimating it again)
    assert (estimates.primary.estimate, estimates.primary.ci_low, estimates.primary.p_value) == (
        primary.iloc[0]["estimate"], primary.iloc[0]["ci_low"], primary.iloc[0]["p_value"])
    assert estimates.primary.details["n_treated"] > 0 and estimates.primary.details["smallest_cohort"] > 0
    assert (table["level"] == "secondary").sum() == 1
    assert table.loc[table["level"] == "indicator", "q_value"].notna().all()
    assert table.loc[table["level"] != "indicator", "q_value"].isna().all()
    assert (table["p_value"] > 0).all()

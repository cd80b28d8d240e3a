"""Honest answers with few bodies: the inference rule, randomization inference against a brute-force
enumeration written independently (numpy lstsq on dummies, itertools), the verdict rule, and bad input."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iso18091lab.stats import NotEstimable
from iso18091lab.stats.did.event_study import event_study
from iso18091lab.stats.did.imputation import imputation_att
from iso18091lab.stats.did.twfe import did_within_province
from iso18091lab.stats.verdict import MIN_EFFECT, MIN_PILOTS_PER_START, Verdict, effect_verdict


def two_wave_panel(n_pilot, n_comparison, effect=10.0, seed=0, noise=3.0):
    """Pilot and comparison bodies over 2023 and 2024; pilots start in 2024."""
    rng = np.random.default_rng(seed)
    rows = []
    for b in range(n_pilot + n_comparison):
        group = "pilot" if b < n_pilot else "comparison"
        base = rng.normal(50, 5)
        for year in (2023, 2024):
            bump = effect if group == "pilot" and year == 2024 else 0.0
            rows.append(("A", f"b{b}", year, group, 2024 if group == "pilot" else None,
                         base + 2.0 * (year - 2023) + bump + rng.normal(0, noise)))
    return pd.DataFrame(rows, columns=["province", "body_id", "year", "group", "pilot_start", "score"])


def brute_force_att(panel: pd.DataFrame, pilots: set, shift: float = 0.0, treated_obs=None) -> float:
    """The imputation ATT for a given set of pilot bodies (all starting in the last year), by least squares on
    body and year dummies over the untreated cells (numpy lstsq). ``shift``: subtract ``shift`` from the cells
    treated in the *observed* assignment ``treated_obs`` first (the sharp null H0: effect = shift)."""
    y = panel["score"].to_numpy(float).copy()
    if treated_obs is not None:
        y = y - shift * treated_obs
    body = panel["body_id"].to_numpy()
    last = panel["year"].to_numpy() == panel["year"].max()
    d = np.array([b in pilots for b in body]) & last
    x = np.hstack([pd.get_dummies(panel["body_id"]).to_numpy(float), pd.get_dummies(panel["year"]).to_numpy(float)])
    coef = np.linalg.lstsq(x[~d], y[~d], rcond=None)[0]
    return float(np.mean(y[d] - x[d] @ coef))


def brute_force_p(panel: pd.DataFrame, shift: float = 0.0) -> float:
    bodies = sorted(panel["body_id"].unique())
    observed = set(panel.loc[panel["group"] == "pilot", "body_id"])
    treated_obs = (panel["body_id"].isin(observed) & (panel["year"] == panel["year"].max())).to_numpy(float)
    t_obs = brute_force_att(panel, observed, shift, treated_obs) - 0.0
    stats = [brute_force_att(panel, set(c), shift, treated_obs) for c in itertools.combinations(bodies, len(observed))]
    return float(np.mean(np.abs(stats) >= abs(t_obs) - 1e-9))


def test_exact_randomization_p_and_interval_equal_a_brute_force_enumeration():
    panel = two_wave_panel(4, 5, effect=6.0, seed=3)
    result = imputation_att(panel, "score")
    assert result.inference == "randomization" and result.details["exact"]
    assert result.n_assignments == math.comb(9, 4) and result.p_min == pytest.approx(1 / 126)
    assert result.p_value == pytest.approx(brute_force_p(panel), abs=1e-12)
    # the interval: p(c) >= 0.05 inside, < 0.05 just outside (brute force at the ends +- a small step)
    low, high = result.ci_low, result.ci_high
    assert np.isfinite(low) and np.isfinite(high) and low < result.estimate < high
    step = 1e-6 * (1 + abs(high - low))
    assert brute_force_p(panel, low + step) >= 0.05 and brute_force_p(panel, high - step) >= 0.05
    assert brute_force_p(panel, low - step) < 0.05 and brute_force_p(panel, high + step) < 0.05
    # one procedure: the CI excludes 0 exactly when p < 0.05
    assert (result.p_value < 0.05) == (low > 0 or high < 0)


def test_three_plus_three_cannot_answer_whatever_the_effect():
    # 3 + 3 bodies over two waves: C(6, 3) = 20 assignments, so p >= 1/20 = 0.05 even for a huge effect
    panel = two_wave_panel(3, 3, effect=25.0, seed=1, noise=1.0)
    result = imputation_att(panel, "score")
    assert result.inference == "randomization" and result.n_assignments == 20 and result.p_min == 0.05
    assert result.p_value >= 0.05 and (result.ci_low, result.ci_high) == (-np.inf, np.inf)
    assert result.details["bjs"]["p_value"] < 0.001  # what the BJS interval would have claimed
    verdict = effect_verdict(result.estimate, result.ci_low, result.ci_high, result.p_value, result.p_min)
    assert verdict == Verdict("unclear", "design_too_small", verdict.values) and verdict.answer != "yes"


def test_five_plus_five_can_answer():
    panel = two_wave_panel(5, 5, effect=12.0, seed=2, noise=2.0)
    result = imputation_att(panel, "score")
    assert result.n_assignments == 252 and result.p_value < 0.05 and result.ci_low > 0
    assert effect_verdict(result.estimate, result.ci_low, result.ci_high, result.p_value,
                          result.p_min).answer == "yes"


def test_the_rule_chooses_bjs_only_with_enough_pilots_in_every_start_cohort():
    from test_did import staggered_panel

    big = staggered_panel(seed=4, starts=(2, 3), n_per_cohort=MIN_PILOTS_PER_START, n_comparison=8)
    result = imputation_att(big, "score", n_permutations=99, seed=1)
    assert result.inference == "bjs" and result.details["smallest_cohort"] == MIN_PILOTS_PER_START
    assert (result.ci_low, result.ci_high, result.p_value) == pytest.approx(
        (result.details["bjs"]["ci_low"], result.details["bjs"]["ci_high"], result.details["bjs"]["p_value"]))
    # one cohort one short: randomization
    short = big[~((big["group"] == "pilot") & (big["body_id"] == big.loc[big["group"] == "pilot", "body_id"].iloc[0]))]
    assert imputation_att(short, "score", n_permutations=99, seed=1).inference == "randomization"
    # one pilot per start
    single = staggered_panel(seed=4, starts=(1, 2, 3), n_per_cohort=1, n_comparison=5)
    one = imputation_att(single, "score", n_permutations=199, seed=1)
    assert one.inference == "randomization" and one.details["smallest_cohort"] == 1
    assert list(one.details["cohorts"]["n_pilot"]) == [1, 1, 1]
    # the caller can ask for one procedure; n_permutations=0 means no randomization
    assert imputation_att(single, "score", n_permutations=0).inference == "bjs"
    with pytest.raises(ValueError, match="inference"):
        imputation_att(single, "score", inference="magic")


@settings(max_examples=25, deadline=None)
@given(n_pilot=st.integers(2, 5), n_comparison=st.integers(2, 5), effect=st.floats(-20, 20), seed=st.integers(0, 99))
def test_interval_and_p_always_agree(n_pilot, n_comparison, effect, seed):
    result = imputation_att(two_wave_panel(n_pilot, n_comparison, effect=effect, seed=seed), "score")
    excludes_zero = result.ci_low > 0 or result.ci_high < 0
    assert (result.p_value < 0.05) == excludes_zero
    assert result.ci_low <= result.estimate <= result.ci_high
    assert result.p_value >= result.p_min - 1e-15
    verdict = effect_verdict(result.estimate, result.ci_low, result.ci_high, result.p_value, result.p_min)
    assert verdict.reason != "inconsistent"
    if verdict.answer == "yes":
        assert result.p_value < 0.05 and result.ci_low > 0


# --------------------------------------------------------------------------- the verdict rule, every branch

@pytest.mark.parametrize("args, answer, reason", [
    ((float("nan"), float("nan"), float("nan"), float("nan")), "unclear", "not_estimated"),
    ((10.3, float("-inf"), float("inf"), 0.15, 0.05), "unclear", "design_too_small"),
    ((10.3, 0.6, 19.9, 0.149), "unclear", "inconsistent"),  # the Word pack's old "Có" with p = 0.149
    ((2.0, -1.0, 5.0, 0.01), "unclear", "inconsistent"),
    ((6.0, 2.0, 10.0, 0.01), "yes", "improved"),
    ((1.5, 0.5, 2.5, 0.01), "yes", "improved_small"),
    ((6.0, 2.0, 10.0, float("nan")), "yes", "improved"),  # a pooled interval without a p-value
    ((-6.0, -10.0, -2.0, 0.01), "no", "worsened"),
    ((0.4, -1.5, 2.2, 0.6), "no", "below_min_effect"),
    ((4.0, -1.0, 9.0, 0.12), "unclear", "inconclusive"),
    ((4.0, -1.0, 9.0, 0.01, 0.2), "unclear", "design_too_small"),
])
def test_effect_verdict_branches(args, answer, reason):
    verdict = effect_verdict(*args)
    assert (verdict.answer, verdict.reason) == (answer, reason)
    assert Verdict.from_dict(verdict.to_dict()) == verdict or np.isnan(verdict.values["estimate"])


def test_never_yes_when_p_is_not_below_alpha_or_the_interval_holds_zero():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        est = rng.normal(0, 10)
        low, high = np.sort(est + rng.normal(0, 8, 2))
        p = rng.uniform(0, 1)
        v = effect_verdict(est, low, high, p)
        if v.answer == "yes":
            assert p < 0.05 and low > 0
    assert MIN_EFFECT == 3.0
    with pytest.raises(ValueError):
        effect_verdict(1, 0, 2, alpha=1.5)
    with pytest.raises(ValueError):
        Verdict("maybe", "x")


# --------------------------------------------------------------------------- bad values get a clear error

@pytest.mark.parametrize("value, shown", [(np.inf, "inf"), ("n/a", "'n/a'"), ("12,5", "'12,5'")])
def test_effect_functions_refuse_values_that_are_not_numbers(value, shown):
    panel = two_wave_panel(4, 4).astype({"score": object})
    panel.loc[2, "score"] = value
    for call in (lambda: imputation_att(panel, "score", n_permutations=0), lambda: event_study(panel, "score"),
                 lambda: did_within_province(panel, "score")):
        with pytest.raises(ValueError, match=r"column 'score'.*" + shown.replace("(", r"\(")) as info:
            call()
        assert not isinstance(info.value, NotEstimable)


def test_conflicting_duplicate_body_waves_raise_and_exact_repeats_do_not():
    panel = two_wave_panel(4, 4)
    repeat = pd.concat([panel, panel.iloc[[0]]], ignore_index=True)
    assert imputation_att(repeat, "score", n_permutations=0).estimate == pytest.approx(
        imputation_att(panel, "score", n_permutations=0).estimate)
    conflict = pd.concat([panel, panel.iloc[[0]].assign(score=lambda f: f["score"] + 5)], ignore_index=True)
    with pytest.raises(ValueError, match="conflicting values.*b0"):
        imputation_att(conflict, "score", n_permutations=0)


def test_a_pilot_without_any_score_is_listed_as_excluded():
    panel = two_wave_panel(4, 4)
    panel.loc[panel["body_id"] == "b1", "score"] = np.nan
    result = imputation_att(panel, "score", n_permutations=0)
    excluded = result.details["excluded"]
    assert excluded[["body_id", "reason"]].values.tolist() == [["b1", "no_scores"]]
    assert result.n_pilot == 3


@pytest.mark.parametrize("bad", [-1, 2.5, True, "100"])
def test_invalid_options_raise(bad):
    with pytest.raises(ValueError, match="n_permutations"):
        imputation_att(two_wave_panel(3, 3), "score", n_permutations=bad)


@pytest.mark.parametrize("p, n_placebo, smallest, answer, reason", [
    (0.01, 3, 12, "no", "rejected"),
    (0.40, 3, 12, "unclear", "not_rejected"),
    (0.01, 3, 1, "unclear", "unreliable"),  # over-rejects with single-pilot cohorts (64 % without any drift)
    (0.40, 3, 5, "unclear", "unreliable"),
    (float("nan"), 0, 12, "unclear", "not_tested"),
])
def test_pretrend_verdict_branches(p, n_placebo, smallest, answer, reason):
    from iso18091lab.stats.verdict import MIN_PILOTS_PER_START, pretrend_verdict

    v = pretrend_verdict(p, n_placebo, smallest)
    assert (v.answer, v.reason) == (answer, reason) and v.values["min_cohort"] == MIN_PILOTS_PER_START
    assert MIN_PILOTS_PER_START == MIN_PILOTS_PER_START  # one threshold, one place


def test_the_design_that_would_answer_is_larger_than_the_one_there_is():
    """With levels and staggered starts a design has fewer assignments than C(n, pilots): 3 pilots (one per
    start) and 5 comparison bodies give 12, so the advice may not name 3 + 5 again (it did, before it took the
    real count into account)."""
    from iso18091lab.stats.verdict import bodies_to_answer
    from iso18091lab.render.effectiveness import effect_answer

    assert bodies_to_answer(3, 5) == (3, 5)  # 56 assignments would be enough...
    pilots, comparisons = bodies_to_answer(3, 5, n_assignments=12)  # ...but the design has 12
    assert pilots + comparisons > 8 and 12 * math.comb(pilots + comparisons, pilots) / math.comb(8, 3) >= 40
    verdict = effect_verdict(3.7, float("-inf"), float("inf"), 1 / 12, 1 / 12)
    text = effect_answer(verdict.to_dict(), {"n_pilot": 3, "n_comparison": 5, "n_assignments": 12.0,
                                              "inference": "randomization"})
    assert f"chẳng hạn {pilots} đơn vị thí điểm và {comparisons} đơn vị đối chứng" in text

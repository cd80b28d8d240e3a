"""The national summary (report 40): built from the province summaries it equals the synthesis of the whole
panel, its pooled effect agrees with the random-effects formulas computed here and each province enters with
the SE its own inference gives (the checks report 40 used to run in a hidden cell), provinces whose own design
cannot answer are left out and named, a save/load round trip, its JSON Schema, and every parameter taking
effect."""
from __future__ import annotations

import dataclasses
import json

import jsonschema
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import iso18091lab as lab
from iso18091lab.run import review_store
from iso18091lab.stats import synthesis as syn
from iso18091lab.stats.descriptive import overall_scores
from iso18091lab.summaries.base import load_summary
from iso18091lab.summaries.effectiveness import build_effectiveness
from iso18091lab.summaries.national import NationalSummary, build_national, build_national_from_data

PARAMS = {"province": "Toàn quốc", "seed": 1, "effects_to_detect": [2.0, 3.0, 5.0], "bodies_per_province": 30}


@pytest.fixture(scope="module")
def folder(small_processed):
    return small_processed / "processed"


@pytest.fixture(scope="module")
def data(folder):
    return lab.load(folder)


@pytest.fixture(scope="module")
def national(data):
    return build_national_from_data(data, PARAMS)


def test_the_province_summaries_give_the_synthesis_of_the_whole_panel(folder, data, national):
    """Pooled from each province's own summary, the national effect is the one the synthesis functions give on
    the whole panel (effects by province, pooled; serial covariances of every comparison body)."""
    provinces = {p: build_effectiveness(lab.load(folder, province=p), {"n_permutations": 0, "n_resamples": 99})
                 for p in data.provinces}
    from_summaries = build_national(provinces, PARAMS, provinces=data.provinces)
    panel = overall_scores(data.assessments, "council")
    whole = syn.national_effect(syn.effects_by_group(panel, ["province"]))
    for s in (national, from_summaries):
        assert s.pooled.n == whole.k == 2
        assert s.pooled.estimate == pytest.approx(whole.estimate, abs=1e-10)
        assert (s.pooled.ci_low, s.pooled.ci_high) == pytest.approx((whole.ci_low, whole.ci_high), abs=1e-10)
        cov = syn.serial_covariances(panel, "score", pre_years=1)
        assert (s.power.variance, s.power.pre, s.power.post, s.power.cross) == pytest.approx(
            (cov.variance, cov.pre, cov.post, cov.cross), abs=1e-10)
    assert repr(from_summaries.verdict) == repr(national.verdict) and national.strength in ("strong", "moderate", "weak")


def test_the_pooled_effect_agrees_with_the_random_effects_formulas(national):
    """Independently of stats.synthesis: the pooled estimate is the inverse-variance mean with the saved tau²,
    the REML score vanishes at that tau² (or is negative at 0), and the Hartung-Knapp interval is rebuilt from
    its formula."""
    p = national.pooled
    weighed = national.by_province[(national.by_province["se"] > 0) & np.isfinite(national.by_province["se"])]
    y, v = weighed["estimate"].to_numpy(float), weighed["se"].to_numpy(float) ** 2
    tau2 = p.params["tau2"]
    w = 1 / (v + tau2)
    mu = (w * y).sum() / w.sum()
    assert abs(mu - p.estimate) < 1e-9 and p.n == len(y)
    proj = np.diag(w) - np.outer(w, w) / w.sum()
    score = -0.5 * np.trace(proj) + 0.5 * y @ proj @ proj @ y
    assert abs(score) < 1e-6 * max(1.0, w.sum()) if tau2 > 0 else score <= 1e-9
    se_hk = np.sqrt((w * (y - mu) ** 2).sum() / ((len(y) - 1) * w.sum()))
    assert abs(p.ci_high - (mu + stats.t.ppf(0.975, len(y) - 1) * se_hk)) < 1e-8


def test_one_province_gives_no_pooled_effect_and_says_why(folder):
    one = build_national({"Quảng Ninh": build_effectiveness(lab.load(folder, province="Quảng Ninh"),
                                                            {"n_permutations": 0, "n_resamples": 99})}, PARAMS)
    # the national verdict is kept even without a pooled effect: unclear, nothing to pool (not the design)
    assert one.pooled is None and one.heterogeneity.empty and not one.left_out
    assert (one.verdict.answer, one.verdict.reason) == ("unclear", "not_estimated")
    assert (one.verdict.values["n_pooled"], one.verdict.values["n_provinces"]) == (1, 1)
    assert [(n.section, n.reason, n.values) for n in one.not_estimated if n.section == "provinces"] == [
        ("provinces", "one_province", {"n": 1})]


def test_the_summary_round_trips_and_validates_against_its_schema(folder, data, tmp_path):
    s = build_national_from_data(data, PARAMS, review_store.cross_province_or_error(folder, seed=1))
    assert s.has_flags and len(s.reliability_by_province)
    path = s.save(tmp_path)
    back = load_summary(tmp_path, "40_national")
    assert isinstance(back, NationalSummary)
    for name in ("pooled", "verdict", "strength", "power", "n_needed", "frame_2025", "flagged_everywhere",
                 "not_estimated", "params", "main_effect", "provinces", "left_out", "min_pilots_per_start"):
        assert repr(getattr(back, name)) == repr(getattr(s, name)), name
    for name in ("by_province", "heterogeneity", "by_tier", "tier_pooled", "power_sensitivity", "bodies_needed",
                 "flagged", "reliability_by_province"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(s, name).reset_index(drop=True),
                                      check_dtype=False, obj=name)
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, NationalSummary.json_schema())
    document["fields"]["pooled"]["n"] = 2.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, NationalSummary.json_schema())


def _pilots_kept(data, counts: dict[str, int]):
    """``data`` keeping the first ``counts[province]`` pilot bodies of a province (units-table order) and every
    other body: with one pilot, the randomization test has fewer than 20 assignments, so the province's own
    interval is unbounded and its report says the design cannot answer (the fixture has 6 pilots per start
    cohort in each province: BJS)."""
    pilots = data.units[data.units["group"].astype(object) == "pilot"]
    drop = [b for province, part in pilots.groupby("province", observed=True) if province in counts
            for b in part["body_id"].iloc[counts[province]:]]
    keep = lambda frame: frame[~frame["body_id"].isin(drop)].reset_index(drop=True)  # noqa: E731
    return dataclasses.replace(data, assessments=keep(data.assessments), units=keep(data.units),
                               outcomes=keep(data.outcomes))


def _check_each_province_enters_with_its_own_inference(s: NationalSummary) -> None:
    """Report 40's hidden self-check, as a test: each province's SE is the one its own inference gives (BJS, or
    the randomization interval's width / (2 z), infinite when unbounded); the provinces left out are exactly
    those not weighed; without a pooled effect the verdict is unclear and no number is kept."""
    z = stats.norm.ppf(0.975)
    for row in s.by_province.itertuples():
        if row.inference == "bjs":
            assert row.se == row.se_bjs, row.province
        else:
            width = (row.ci_high - row.ci_low) / (2 * z)
            assert (np.isinf(row.se) and not np.isfinite(width)) or abs(row.se - width) < 1e-12, row.province
    weighed = s.by_province[(s.by_province["se"] > 0) & np.isfinite(s.by_province["se"])]
    assert s.weighed()["province"].tolist() == weighed["province"].tolist()
    assert sorted(x.province for x in s.left_out) == sorted(set(s.provinces) - set(weighed["province"]))
    if s.pooled is None:
        assert s.verdict.answer == "unclear" and "pooled" not in s.record()
    else:
        assert s.pooled.n == len(weighed) == s.verdict.values["n_pooled"]
        assert s.strength in ("strong", "moderate", "weak")


def test_each_province_enters_with_its_own_inference(national):
    assert set(national.by_province["inference"]) == {"bjs"}  # 6 pilots in the one start cohort
    _check_each_province_enters_with_its_own_inference(national)
    assert not national.left_out and national.verdict.values["n_cannot_answer"] == 0


@pytest.mark.parametrize("counts, cannot", [({"Hải Phòng": 1, "Quảng Ninh": 1}, ["Hải Phòng", "Quảng Ninh"]),
                                            ({"Quảng Ninh": 1}, ["Quảng Ninh"])])
def test_provinces_whose_own_design_cannot_answer_are_left_out_and_no_number_is_given(data, counts, cannot):
    s = build_national_from_data(_pilots_kept(data, counts), PARAMS)
    _check_each_province_enters_with_its_own_inference(s)
    assert s.pooled is None and s.heterogeneity.empty and s.strength is None  # no national number ...
    assert (s.verdict.answer, s.verdict.reason) == ("unclear", "design_too_small")  # ... and why
    assert (s.verdict.values["n_pooled"], s.verdict.values["n_cannot_answer"],
            s.verdict.values["n_provinces"]) == (2 - len(cannot), len(cannot), 2)
    assert [(x.province, x.reason) for x in s.left_out] == [(p, "unbounded") for p in cannot]
    assert {r.province: r.inference for r in s.by_province.itertuples()} == {
        p: "randomization" if p in cannot else "bjs" for p in ("Hải Phòng", "Quảng Ninh")}
    assert s.weighed()["province"].tolist() == sorted(set(data.provinces) - set(cannot))  # the table shows these
    assert [n.reason for n in s.not_estimated if n.section == "provinces"] == ["few_answerable"]
    record = s.record()
    assert record["verdict"]["reason"] == "design_too_small"
    assert [x["province"] for x in record["left_out"]] == cannot


def test_the_province_enters_with_the_interval_its_own_report_prints(folder, data):
    """A province left out nationally says the same in its own report: randomization inference, the design
    cannot answer, the same unbounded interval."""
    one_pilot = _pilots_kept(data, {"Quảng Ninh": 1})
    params = {"seed": PARAMS["seed"], "n_permutations": 2000}
    own = build_effectiveness(one_pilot.for_province("Quảng Ninh"), {**params, "n_resamples": 99})
    s = build_national({"Quảng Ninh": own, "Hải Phòng": build_effectiveness(
        one_pilot.for_province("Hải Phòng"), {**params, "n_resamples": 99})}, PARAMS)
    row = s.by_province.set_index("province").loc["Quảng Ninh"]
    assert own.primary.params["inference"] == row["inference"] == "randomization"
    assert own.verdict.reason == "design_too_small" == s.verdict.reason
    assert (own.primary.ci_low, own.primary.ci_high) == (row["ci_low"], row["ci_high"])
    assert [x.province for x in s.left_out] == ["Quảng Ninh"]


# -- every parameter takes effect ------------------------------------------------------------------------------
def test_effects_to_detect_set_the_rows_and_the_headline_effect(data, national):
    other = build_national_from_data(data, {**PARAMS, "effects_to_detect": [4.0, 6.0]})
    assert other.bodies_needed["effect"].tolist() == [4.0, 6.0] and other.main_effect == 4.0  # 3 is not listed
    assert national.main_effect == 3.0
    assert "bodies_6" in other.power_sensitivity and "bodies_6" not in national.power_sensitivity
    assert other.n_needed < national.bodies_needed.set_index("effect").loc[2.0, "bodies_2y"]


def test_bodies_per_province_sets_the_clusters_of_the_sensitivity_table(data, national):
    other = build_national_from_data(data, {**PARAMS, "bodies_per_province": 60})
    assert other.power.bodies_per_province == 60
    deff = lambda s: s.power_sensitivity.set_index("tau")["design_effect"]  # noqa: E731
    assert deff(other).loc[0.0] == deff(national).loc[0.0] == 1.0  # no heterogeneity: no design effect
    assert (deff(other).loc[1.0:] > deff(national).loc[1.0:]).all()


def test_seed_sets_the_resamples_of_the_reliability_comparison(folder, data):
    """The seed reaches the cross-province comparison: one comparison is computed and kept per seed (on the
    fixture its numbers do not move with the seed: the self-inflation interval is not resampled there)."""
    one = review_store.cross_province_or_error(folder, seed=11)
    two = review_store.cross_province_or_error(folder, seed=12)
    kept = sorted(p.name.rsplit("_", 2)[1] for p in (folder / "cache").glob(f"reliability_{one['hash'][:16]}_*"))
    assert {"11", "12"} <= set(kept)
    for s in (build_national_from_data(data, PARAMS, one), build_national_from_data(data, PARAMS, two)):
        assert s.has_flags and s.reliability_by_province["province"].tolist()[-1] == "pooled"


def test_n_permutations_sets_the_inference_of_the_provinces_below_the_bjs_threshold(data):
    """``n_permutations = 0`` forces the BJS SE everywhere (not the reports' rule): the one-pilot province is then
    pooled; with permutations it enters with its own randomization interval, unbounded, and is left out."""
    one_pilot = _pilots_kept(data, {"Quảng Ninh": 1})
    forced = build_national_from_data(one_pilot, {**PARAMS, "n_permutations": 0})
    own = build_national_from_data(one_pilot, {**PARAMS, "n_permutations": 500})
    assert forced.params["n_permutations"] == 0 and own.params["n_permutations"] == 500
    assert set(forced.by_province["inference"]) == {"bjs"} and forced.pooled.n == 2 and not forced.left_out
    assert own.by_province.set_index("province").loc["Quảng Ninh", "inference"] == "randomization"
    assert own.pooled is None and [x.province for x in own.left_out] == ["Quảng Ninh"]


def test_province_names_the_summary(data):
    assert build_national_from_data(data, {**PARAMS, "province": "Cả nước"}).province == "Cả nước"

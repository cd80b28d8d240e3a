"""The national summary (report 40): built from the province summaries it equals the synthesis of the whole
panel, its pooled effect agrees with the random-effects formulas computed here and each province enters with
the SE its own inference gives (the checks report 40 used to run in a hidden cell), provinces whose own design
cannot answer are left out and named, a save/load round trip, its JSON Schema, and every parameter taking
effect."""
from __future__ import annotations

import dataclasses
import json
import re

import jsonschema
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import iso18091lab as lab
from iso18091lab.stats import synthesis as syn
from iso18091lab.stats.descriptive import overall_scores
from iso18091lab.summaries.base import load_summary
from iso18091lab.summaries.effectiveness import build_effectiveness
from iso18091lab.stats.review import by_province as review_by_province
from iso18091lab.summaries.national import NationalSummary, build_national
from iso18091lab.summaries.reliability import build_reliability

PARAMS = {"province": "Toàn quốc", "seed": 1, "effects_to_detect": [2.0, 3.0, 5.0], "bodies_per_province": 30}


@pytest.fixture(scope="module")
def folder(small_processed):
    return small_processed / "processed"


@pytest.fixture(scope="module")
def data(folder):
    return lab.load(folder)


#: What each province's own reports 30 and 20 are run with here.
PROVINCE_PARAMS = {"seed": 1, "n_permutations": 2000, "n_resamples": 99}


def _from_data(data, n_permutations: int = PROVINCE_PARAMS["n_permutations"]) -> dict:
    """Each province's effectiveness summary (report 30) of ``data``, by name."""
    return {p: build_effectiveness(data.for_province(p), {**PROVINCE_PARAMS, "n_permutations": n_permutations})
            for p in data.provinces}


@pytest.fixture(scope="module")
def province_dirs(data, tmp_path_factory):
    """Each province's report folder with its saved summaries of reports 20 and 30, as a run leaves them."""
    dirs = {}
    for p, summary in _from_data(data).items():
        folder = tmp_path_factory.mktemp("province")
        summary.save(folder)
        build_reliability(data.for_province(p), {**PROVINCE_PARAMS, "province": p}).save(folder)
        dirs[p] = folder
    return dirs


@pytest.fixture(scope="module")
def national(data, province_dirs):
    return build_national(province_dirs, PARAMS, data=data)


def test_built_from_the_saved_province_summaries_it_equals_the_one_from_the_summaries_in_memory(data, national):
    """Read back from the province folders, the national summary has the numbers of the province summaries
    built in memory (pooled estimate, SE, left out, verdict), and its reliability comparison has the rows and
    flags that the statistics give on each province's data (stats.review.by_province.summary_by_province)."""
    memory = build_national(_from_data(data), PARAMS, provinces=data.provinces)
    assert national.provinces == memory.provinces == sorted(data.provinces) and not national.missing
    assert (national.pooled.estimate, national.pooled.ci_low, national.pooled.ci_high, national.pooled.params["se"]) \
        == pytest.approx((memory.pooled.estimate, memory.pooled.ci_low, memory.pooled.ci_high,
                          memory.pooled.params["se"]), abs=1e-12)
    assert national.left_out == memory.left_out and repr(national.verdict) == repr(memory.verdict)
    pd.testing.assert_frame_equal(national.by_province, memory.by_province)
    summary, flags = review_by_province.summary_by_province(data.assessments, PROVINCE_PARAMS["n_resamples"],
                                                            PROVINCE_PARAMS["seed"], catalog=data.catalog)
    rows = national.reliability_by_province
    assert rows["province"].tolist() == summary["province"].tolist()  # the provinces, then "pooled"
    pd.testing.assert_frame_equal(rows.iloc[:-1].reset_index(drop=True), summary.iloc[:-1].reset_index(drop=True),
                                  check_dtype=False, atol=1e-12)
    pd.testing.assert_frame_equal(national.flagged.sort_values(["province", "indicator"]).reset_index(drop=True),
                                  flags.sort_values(["province", "indicator"]).reset_index(drop=True))
    assert national.flagged_everywhere == review_by_province.flagged_everywhere(flags, data.provinces)


def test_a_province_whose_report_failed_is_named_as_missing(data, province_dirs, tmp_path):
    """A province whose report 30 failed in this run is not read (its folder may hold an old summary) and is
    named with the report; one without saved summaries too; the others are still pooled."""
    empty = tmp_path / "empty"
    empty.mkdir()
    s = build_national({**province_dirs, "Tỉnh trống": empty}, PARAMS, missing={"Quảng Ninh": "30_effectiveness"})
    assert [(x.province, x.reason, x.values) for x in s.missing] == [
        ("Quảng Ninh", "failed", {"report": "30_effectiveness"}),
        ("Tỉnh trống", "no_summary", {"report": "20_reliability"})]
    assert s.provinces == ["Hải Phòng"] and s.by_province["province"].tolist() == ["Hải Phòng"]
    s.save(tmp_path / "saved")  # what the readers of the national report read names them too
    assert s.pooled is None and [x.province for x in load_summary(tmp_path / "saved", "40_national").missing] == [
        "Quảng Ninh", "Tỉnh trống"]
    from iso18091lab.render.national import missing_sentence, summary_sentences
    for lang in ("vi", "en"):
        sentence = missing_sentence(s.missing, lang)
        assert "Quảng Ninh" in sentence and "Tỉnh trống" in sentence and sentence in summary_sentences(s, lang)
    assert missing_sentence([], "vi") == ""


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
    # Knapp & Hartung's ad hoc variant (metafor test = "adhoc"): the variance factor is at least 1
    se_hk = np.sqrt(max(1.0, (w * (y - mu) ** 2).sum() / (len(y) - 1)) / w.sum())
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


def test_the_summary_round_trips_and_validates_against_its_schema(national, tmp_path):
    s = national
    assert s.has_flags and len(s.reliability_by_province)
    path = s.save(tmp_path)
    back = load_summary(tmp_path, "40_national")
    assert isinstance(back, NationalSummary)
    for name in ("pooled", "verdict", "strength", "power", "n_needed", "frame_2025", "flagged_everywhere",
                 "not_estimated", "params", "main_effect", "provinces", "left_out", "missing", "min_pilots_per_start"):
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
        assert s.verdict.answer == "unclear" and s.heterogeneity.empty and s.strength is None
    else:
        assert s.pooled.n == len(weighed) == s.verdict.values["n_pooled"]
        assert s.strength in ("strong", "moderate", "weak")


def test_each_province_enters_with_its_own_inference(national):
    assert set(national.by_province["inference"]) == {"bjs"}  # 6 pilots in the one start cohort
    _check_each_province_enters_with_its_own_inference(national)
    assert not national.left_out and national.verdict.values["n_cannot_answer"] == 0


@pytest.mark.parametrize("counts, cannot", [({"Hải Phòng": 1, "Quảng Ninh": 1}, ["Hải Phòng", "Quảng Ninh"]),
                                            ({"Quảng Ninh": 1}, ["Quảng Ninh"])])
def test_provinces_whose_own_design_cannot_answer_are_left_out_and_no_number_is_given(data, counts, cannot,
                                                                                      tmp_path):
    s = build_national(_from_data(_pilots_kept(data, counts)), PARAMS)
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
    s.save(tmp_path)  # the saved summary, which the Word pack and the index read, says the same
    back = load_summary(tmp_path, "40_national")
    assert back.pooled is None and back.verdict.reason == "design_too_small"
    assert [x.province for x in back.left_out] == cannot


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
    other = build_national(_from_data(data), {**PARAMS, "effects_to_detect": [4.0, 6.0]})
    assert other.bodies_needed["effect"].tolist() == [4.0, 6.0] and other.main_effect == 4.0  # 3 is not listed
    assert national.main_effect == 3.0
    assert "bodies_6" in other.power_sensitivity and "bodies_6" not in national.power_sensitivity
    assert other.n_needed < national.bodies_needed.set_index("effect").loc[2.0, "bodies_2y"]
    for s in (national, other):  # the headline sample is the row of the table for the headline effect
        assert s.n_needed == s.bodies_needed.set_index("effect").loc[s.main_effect, "bodies_2y"]


def test_bodies_per_province_sets_the_clusters_of_the_sensitivity_table(data, national):
    other = build_national(_from_data(data), {**PARAMS, "bodies_per_province": 60})
    assert other.power.bodies_per_province == 60
    deff = lambda s: s.power_sensitivity.set_index("tau")["design_effect"]  # noqa: E731
    assert deff(other).loc[0.0] == deff(national).loc[0.0] == 1.0  # no heterogeneity: no design effect
    assert (deff(other).loc[1.0:] > deff(national).loc[1.0:]).all()


def test_seed_sets_the_resamples_of_the_pooled_reliability_row(data, province_dirs, monkeypatch):
    """The seed reaches the one row computed from the data (every province together: ``pooled``); the province
    rows are those of the provinces' own reports."""
    seeds = []
    real = review_by_province.comparison_row
    monkeypatch.setattr(review_by_province, "comparison_row", lambda *a, **k: seeds.append(a[3]) or real(*a, **k))
    s = build_national(province_dirs, {**PARAMS, "seed": 12}, data=data)
    assert seeds == [12] and s.reliability_by_province["province"].tolist()[-1] == "pooled"
    assert "pooled" not in build_national(province_dirs, PARAMS).reliability_by_province["province"].tolist()


def test_each_province_enters_with_the_inference_of_its_own_report(data):
    """``n_permutations = 0`` in a province's report 30 forces the BJS SE there (not the reports' rule): the
    one-pilot province is then pooled; with permutations it enters with its own randomization interval,
    unbounded, and is left out."""
    one_pilot = _pilots_kept(data, {"Quảng Ninh": 1})
    forced = build_national(_from_data(one_pilot, n_permutations=0), PARAMS)
    own = build_national(_from_data(one_pilot, n_permutations=500), PARAMS)
    assert set(forced.by_province["inference"]) == {"bjs"} and forced.pooled.n == 2 and not forced.left_out
    assert own.by_province.set_index("province").loc["Quảng Ninh", "inference"] == "randomization"
    assert own.pooled is None and [x.province for x in own.left_out] == ["Quảng Ninh"]


def test_province_names_the_summary(province_dirs):
    assert build_national(province_dirs, {**PARAMS, "province": "Cả nước"}).province == "Cả nước"


def test_with_fewer_than_five_provinces_the_summary_does_not_print_a_tau2_of_zero(national):
    """Two provinces: τ² sits at its boundary (0) because it cannot be estimated, not because provinces agree; the
    summary says so and gives no prediction interval (it used to print "τ² = 0,00 … khoảng dự báo" next to the
    sentence that τ² = 0 is not assumed). With five provinces the estimate is printed."""
    from dataclasses import replace

    from iso18091lab.i18n import t
    from iso18091lab.render.national import summary_sentences
    from iso18091lab.stats.synthesis import MIN_PROVINCES_FOR_TAU2

    assert national.pooled.n == 2 < MIN_PROVINCES_FOR_TAU2 and not national.tau2_estimated
    said = " ".join(summary_sentences(national, "vi"))
    printed = re.compile(r"τ² = \d+,\d\d")  # the estimate, as nat_s2 prints it
    assert t("nat_s2_few", "vi", k=2) in said and not printed.search(said)
    assert "khoảng dự báo cho một tỉnh mới:" not in said
    five = replace(national, pooled=replace(national.pooled, n=MIN_PROVINCES_FOR_TAU2))
    assert five.tau2_estimated and printed.search(" ".join(summary_sentences(five, "vi")))

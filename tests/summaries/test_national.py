"""The national summary (report 40): built from the province summaries it equals the synthesis of the whole
panel, its pooled effect agrees with the random-effects formulas computed here (the check report 40 used to
run in a hidden cell), a save/load round trip, its JSON Schema, and every parameter taking effect."""
from __future__ import annotations

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
    assert one.pooled is None and one.verdict is None and one.heterogeneity.empty
    assert [(n.section, n.reason, n.values) for n in one.not_estimated if n.section == "provinces"] == [
        ("provinces", "one_province", {"n": 1})]


def test_the_summary_round_trips_and_validates_against_its_schema(folder, data, tmp_path):
    s = build_national_from_data(data, PARAMS, review_store.cross_province_or_error(folder, seed=1))
    assert s.has_flags and len(s.reliability_by_province)
    path = s.save(tmp_path)
    back = load_summary(tmp_path, "40_national")
    assert isinstance(back, NationalSummary)
    for name in ("pooled", "verdict", "strength", "power", "n_needed", "frame_2025", "flagged_everywhere",
                 "not_estimated", "params", "main_effect", "provinces"):
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


def test_province_names_the_summary(data):
    assert build_national_from_data(data, {**PARAMS, "province": "Cả nước"}).province == "Cả nước"

"""The effectiveness summary (report 30): the builder on the small fixture and on a panel crossing the 2025
reform, its headline against an independent least-squares computation (the check report 30 used to run in a
hidden cell), a save/load round trip, its JSON Schema, and every parameter taking effect."""
from __future__ import annotations

import dataclasses
import json

import jsonschema
import numpy as np
import pandas as pd
import pytest

import iso18091lab as lab
from independent import lstsq_att
from iso18091lab.stats import method_params
from iso18091lab.stats.descriptive import overall_scores
from iso18091lab.stats.verdict import effect_verdict
from iso18091lab.summaries.base import load_summary
from iso18091lab.summaries.effectiveness import (EFFECTIVENESS_COLUMNS, EVENT_STUDY_COLUMNS, EffectivenessSummary,
                                                 build_effectiveness)

PARAMS = {"province": "Quảng Ninh", "seed": 1, "n_permutations": 99, "n_resamples": 199}


@pytest.fixture(scope="module")
def province(small_processed):
    return lab.load(small_processed / "processed", province="Quảng Ninh")


@pytest.fixture(scope="module")
def summary(province):
    return build_effectiveness(province, PARAMS)


def _pilots_kept(province, n: int):
    """The province keeping its first ``n`` pilot bodies (units-table order) and every other body: the fixture
    has 6 pilots in one start cohort (the BJS interval); with fewer the headline uses randomization inference."""
    pilots = province.units.loc[province.units["group"].astype(object) == "pilot", "body_id"]
    drop = set(pilots.iloc[n:])
    keep = lambda frame: frame[~frame["body_id"].isin(drop)].reset_index(drop=True)  # noqa: E731
    return dataclasses.replace(province, assessments=keep(province.assessments), units=keep(province.units),
                               outcomes=keep(province.outcomes))


def test_the_headline_agrees_with_an_independent_least_squares_imputation(province, summary):
    att = lstsq_att(overall_scores(province.assessments, "council"))
    assert summary.primary.estimate == pytest.approx(att, abs=1e-8)
    row = summary.rows("overall", "council")
    assert len(row) == 1 and 0 < float(row["p_value"].iloc[0]) <= 1
    assert summary.primary.ci_low < att < summary.primary.ci_high
    assert list(summary.table.columns[:len(EFFECTIVENESS_COLUMNS)]) == EFFECTIVENESS_COLUMNS
    assert set(EVENT_STUDY_COLUMNS) <= set(summary.event_study.columns)


def test_the_builder_holds_what_report_30_states(province, summary):
    p = summary.primary
    # the verdict is the rule's on the primary row, and the primary Estimate is that row (repr: nan equals nan,
    # the BJS row has no smallest attainable p)
    assert repr(summary.verdict) == repr(effect_verdict(p.estimate, p.ci_low, p.ci_high, p.p_value,
                                                        p.params["p_min"]))
    assert p.params["inference"] in ("bjs", "randomization") and p.n == summary.n_treated > 0
    assert summary.smallest_cohort == 6  # the fixture plants 6 pilots in one start cohort (_pilots_kept)
    assert summary.n_bodies == overall_scores(province.assessments, "council")["body_id"].nunique()
    assert summary.pretrend is not None and summary.pretrend.n_pre_waves >= 1
    assert (summary.pretrend_verdict is None) == (summary.pretrend.df1 == 0)
    keys = {method_params(m)[0] for m in summary.prepost["method"]}
    assert any(k.startswith("wilcoxon") for k in keys) and any(k.startswith("hl_") for k in keys), keys
    assert summary.pool_effects["province"].tolist() == ["Quảng Ninh"] and summary.has_comparison
    assert summary.pool_effects["estimate"].iloc[0] == pytest.approx(p.estimate, abs=1e-10)
    assert set(summary.pool_moments["kind"]) <= {"var", "pre", "post", "cross"} and len(summary.pool_moments)
    # no table carries metadata in attrs, and no words: reasons are keys
    assert all(not getattr(summary, f).attrs for f in ("table", "event_study", "exclusions", "prepost"))
    assert all(" " not in item.reason for item in summary.not_estimated)


def test_what_cannot_be_estimated_is_kept_with_its_reason(province):
    a = province.assessments
    comparison_only = lab.Dataset(a[a["group"] != "pilot"].reset_index(drop=True), province.units,
                                  province.outcomes, province.quarantine, province.summary, province.catalog)
    s = build_effectiveness(comparison_only, PARAMS)
    assert s.primary is None and s.verdict is None and s.table.empty
    assert [(n.section, n.reason) for n in s.not_estimated if n.section == "main"] == [("main", "no_pilot")]
    assert "event" in {n.section for n in s.not_estimated}


def test_the_summary_round_trips_and_validates_against_its_schema(summary, tmp_path):
    path = summary.save(tmp_path)
    back = load_summary(tmp_path, "30_effectiveness")
    assert isinstance(back, EffectivenessSummary)
    for name in ("primary", "verdict", "pretrend", "pretrend_verdict", "not_estimated", "params", "n_treated",
                 "smallest_cohort", "n_bodies", "has_comparison", "province", "synthetic", "pool_skipped"):
        assert repr(getattr(back, name)) == repr(getattr(summary, name)), name  # repr: nan equals nan
    for name in ("table", "event_study", "exclusions", "prepost", "pool_effects", "pool_by_tier", "pool_moments"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(summary, name).reset_index(drop=True),
                                      check_dtype=False, check_index_type=False, obj=name)
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, EffectivenessSummary.json_schema())
    document["fields"]["n_treated"] = "many"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, EffectivenessSummary.json_schema())


def test_an_unbounded_interval_round_trips_as_infinite(province, tmp_path):
    # one pilot of the fixture's province kept (1 + 6 bodies): 7 assignments, so the test-inverted interval has
    # no end
    one = build_effectiveness(_pilots_kept(province, 1), PARAMS)
    assert one.primary.params["inference"] == "randomization" and one.primary.ci_low == -np.inf
    assert one.verdict.reason == "design_too_small"
    one.save(tmp_path)
    back = load_summary(tmp_path, "30_effectiveness")
    assert back.verdict.values["ci_low"] == -np.inf and back.primary.ci_high == np.inf


# -- every parameter takes effect ------------------------------------------------------------------------------
def test_n_resamples_changes_the_pre_post_bootstrap(province, summary):
    other = build_effectiveness(province, {**PARAMS, "n_resamples": 999})
    mean_row = lambda s: s.prepost[s.prepost["method"].str.startswith("mean_change_bca")].iloc[0]  # noqa: E731
    assert mean_row(other)["estimate"] == mean_row(summary)["estimate"]  # the mean change is the same ...
    assert (mean_row(other)["ci_low"], mean_row(other)["ci_high"]) != (mean_row(summary)["ci_low"],
                                                                        mean_row(summary)["ci_high"])  # ... its CI not
    assert method_params(mean_row(other)["method"])[1]["resamples"] == 999
    assert method_params(mean_row(summary)["method"])[1]["resamples"] == summary.params["n_resamples"] != 999


def test_n_permutations_changes_the_randomization_draws(province):
    # three pilots of the fixture's province kept (below the BJS threshold): the headline is randomization
    # inference with n_permutations > 0, BJS with 0
    three = _pilots_kept(province, 3)
    drawn = build_effectiveness(three, PARAMS)
    other = build_effectiveness(three, {**PARAMS, "n_permutations": 0})
    assert drawn.primary.params["inference"] == "randomization"
    assert other.primary.params["inference"] == "bjs" and other.primary.params["n_permutations"] == 0
    assert other.primary.estimate == pytest.approx(drawn.primary.estimate, abs=1e-12)
    assert (other.primary.ci_low, other.primary.ci_high) != (drawn.primary.ci_low, drawn.primary.ci_high)
    # the province enters the national pooling with the same inference
    assert drawn.pool_effects["inference"].tolist() == ["randomization"]
    assert other.pool_effects["inference"].tolist() == ["bjs"]
    indicators = other.rows("indicator")
    assert (indicators["inference"] == "bjs").all()  # a quarter of 0 permutations: no re-assignment either


def test_seed_changes_only_what_is_drawn(province, summary):
    other = build_effectiveness(province, {**PARAMS, "seed": 2})
    assert other.primary.estimate == summary.primary.estimate
    changed = lambda s: s.prepost[["ci_low", "ci_high"]].to_numpy(float)  # noqa: E731
    assert not np.allclose(changed(other), changed(summary), equal_nan=True)


def test_province_names_the_summary(province):
    assert build_effectiveness(province, {**PARAMS, "province": "Tỉnh khác"}).province == "Tỉnh khác"


def test_an_outcome_of_the_main_table_that_could_not_be_estimated_is_said(summary, province, tmp_path):
    """The table's caption promises a "phụ" row (two-way FE); when that row could not be estimated (staggered
    design: 2 pilots under the pilot in Quảng Ninh) the report says so and why, rather than dropping the row."""
    from iso18091lab.i18n import t
    from iso18091lab.render import effectiveness as show
    from iso18091lab.render.notebook import NotebookReport
    from iso18091lab.summaries.base import NotEstimated

    twfe = NotEstimated("outcome:overall (two-way FE)|council", "too_few_twfe", {"n": 2, "min": 6})
    indicator = NotEstimated("outcome:indicator 1.1|council", "too_few_twfe", {"n": 1, "min": 6})
    shown = dataclasses.replace(summary, not_estimated=[twfe, indicator])
    rep = NotebookReport(shown.report, tmp_path, province, shown.province, "vi")
    show.show_main(rep, shown)
    notes = rep.results["not_estimable"]
    # only the two-way FE row's note (n=2): the indicator rows (n=1) belong to the indicator section
    assert [n["reason"] for n in notes] == [t("ne_too_few_twfe", "vi", n=2, min=6)]
    assert notes[0]["section"].endswith("HĐ")

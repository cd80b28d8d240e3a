"""Notebook 40 renders for the designs of tests/render/test_effect_notebooks.py (made from the small synthetic
fixture by editing its processed tables) and leaves out the provinces whose own design cannot answer."""
from __future__ import annotations

import pytest

from iso18091lab.run.request import NATIONAL_NAME
from iso18091lab.summaries.base import load_summary
from test_effect_notebooks import DESIGNS, EFFECT_PARAMS, _design, _drop, _run


def _run_national(folder, out):
    """Report 40 as a run gives it: each province's report folder with the summaries its reports 30 and 20 save
    (the builders they call, with their parameters here); a province whose report fails is passed as missing."""
    import iso18091lab as lab
    from iso18091lab.normalize import slugify
    from iso18091lab.summaries.effectiveness import build_effectiveness
    from iso18091lab.summaries.reliability import build_reliability

    dirs, missing = {}, {}
    for province in lab.load(folder).provinces:
        data, target = lab.load(folder, province=province), out / slugify(province)
        for report, build in (("30_effectiveness", lambda: build_effectiveness(data, EFFECT_PARAMS)),
                              ("20_reliability", lambda: build_reliability(data, {"seed": 1, "n_resamples": 99,
                                                                             "province": province}))):
            try:
                build().save(target)
            except ValueError:  # as in a run: the report failed, the province is missing
                missing.setdefault(province, report)
        dirs[province] = str(target)
    return _run("40_national.ipynb", folder, out, NATIONAL_NAME, province_dirs=dirs, provinces_missing=missing)


@pytest.mark.parametrize("design", ["estimable", "one province", "no units table", "one wave"])
def test_national_notebook_renders(design, small_processed, tmp_path):
    change, _ = DESIGNS[design]
    folder, out = _design(small_processed, tmp_path, change)
    result = _run_national(folder, out)["40_national"]
    summary = load_summary(out, "40_national")
    if design == "estimable":
        assert summary.pooled.n == 2 and summary.missing == []
        # two provinces: tau² is not estimated, a range is shown
        assert summary.power is not None and len(summary.power_sensitivity)
    else:
        assert summary.pooled is None
        assert any("at least two provinces" in n["reason"] for n in result["not_estimable"])


def _pilots_kept(counts):
    """Keep the first ``counts[province]`` pilot bodies of a province (units-table order), all of the others:
    with one pilot, the randomization test has fewer than 20 assignments, so the province's own interval is
    unbounded and its report says the design cannot answer."""
    def change(frames):
        units = frames["units"]
        pilots = units[units["group"] == "pilot"]
        drop = [b for province, part in pilots.groupby("province", observed=True) if province in counts
                for b in part["body_id"].iloc[counts[province]:]]
        _drop(frames, lambda x: ~x["body_id"].isin(drop))
    return change


#: design -> (change, provinces whose own design cannot answer). The fixture has 6 pilots per start cohort
#: (BJS) in each province; keeping one pilot makes a province randomization-only with an unbounded interval.
NATIONAL_DESIGNS = {
    "no province can answer (one pilot each)": (_pilots_kept({"Hải Phòng": 1, "Quảng Ninh": 1}),
                                                ["Hải Phòng", "Quảng Ninh"]),
    "one province can answer, the other cannot": (_pilots_kept({"Quảng Ninh": 1}), ["Quảng Ninh"]),
}


@pytest.mark.parametrize("design", list(NATIONAL_DESIGNS))
def test_national_report_leaves_out_provinces_whose_own_design_cannot_answer(design, small_processed, tmp_path):
    from iso18091lab.i18n import t

    change, cannot = NATIONAL_DESIGNS[design]
    folder, out = _design(small_processed, tmp_path, change)
    result = _run_national(folder, out)["40_national"]
    national = load_summary(out, "40_national")
    assert national.pooled is None  # no pooled number ...
    assert (national.verdict.answer, national.verdict.reason) == ("unclear", "design_too_small")
    assert result["summary"][0] == t("nat_cannot_answer", "en", n=2 - len(cannot), k=2)  # ... and why
    assert [(x.province, x.reason) for x in national.left_out] == [(p, "unbounded") for p in cannot]
    assert result["summary"][1].startswith("Left out of the pooling: ") and all(p in result["summary"][1]
                                                                                 for p in cannot)
    by_province = {r["province"]: r for r in national.by_province.to_dict(orient="records")}
    for province, row in by_province.items():
        assert row["inference"] == ("randomization" if province in cannot else "bjs")
    # the province left out says the same in its own report: randomization inference, the design cannot answer,
    # the same unbounded interval
    province = cannot[-1]
    _run("30_effectiveness.ipynb", folder, tmp_path / "out", province)
    own = load_summary(tmp_path / "out", "30_effectiveness")
    assert own.primary.params["inference"] == "randomization" and own.verdict.reason == "design_too_small"
    assert (own.primary.ci_low, own.primary.ci_high) == (by_province[province]["ci_low"],
                                                         by_province[province]["ci_high"])

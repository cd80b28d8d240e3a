"""Reports 00, 10 and 20 as typed summaries: each builder states what its notebook states, checked against the
data with plain pandas/numpy formulas (the checks the notebooks' hidden self-check cells ran, moved here); the
summaries come back equal from their files and their JSON validates against the schema; the render modules say
the same sentences as before; every notebook parameter takes effect."""
from __future__ import annotations

import ast
import json
import math

import jsonschema
import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import iso18091lab as lab
from iso18091lab.i18n import method_text, number, t
from iso18091lab.render import data_quality as show_dq
from iso18091lab.render import reliability as show_rel
from iso18091lab.render import scorecard as show_sc
from iso18091lab.render.notebook import NotebookReport
from iso18091lab.run.request import NOTEBOOKS_DIR, declared_parameters
from iso18091lab.stats import descriptive as d
from iso18091lab.stats.review import bands, council_size, pillar_items
from iso18091lab.summaries.base import load_summary
from iso18091lab.summaries.data_quality import DataQualitySummary, build_data_quality
from iso18091lab.summaries.reliability import ReliabilitySummary, build_reliability
from iso18091lab.summaries.scorecard import ScorecardSummary, build_scorecard

PROVINCE = "Quảng Ninh"


@pytest.fixture(scope="module")
def data(small_processed):
    return lab.load(small_processed / "processed", province=PROVINCE)


@pytest.fixture(scope="module")
def quality(data):
    return build_data_quality(data, {"province": PROVINCE, "lang": "vi", "seed": 1})


@pytest.fixture(scope="module")
def card(data):
    return build_scorecard(data, {"province": PROVINCE, "lang": "vi", "seed": 1})


@pytest.fixture(scope="module")
def reliability(data):
    return build_reliability(data, {"province": PROVINCE, "lang": "vi", "seed": 1, "n_resamples": 200})


def _render(summary, show, tmp_path, data, lang="vi"):
    """Run every section of a render module into a report folder, as the notebook does; its results.json entry."""
    rep = NotebookReport(summary.report, tmp_path, data, summary.province, lang)
    for name in ("summary_section", "completeness_section", "timing_section", "quarantine_section",
                 "matches_section", "files_section", "matrix_section", "scores_section", "consistency_section",
                 "leniency_section", "council_section", "flags_section", "methods_section"):
        if hasattr(show, name):
            getattr(show, name)(rep, summary)
    return json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))[summary.report]


# -- 00 data quality ---------------------------------------------------------------------------------------------
def test_data_quality_counts_agree_with_the_raw_tables(quality, data, tmp_path):
    a, q = data.assessments, data.quarantine
    assert quality.n_bodies == len(set(a["body_id"]) | set(data.units["body_id"]))
    assert quality.n_scores == len(a) and quality.n_not_assessed == int(a["not_assessed"].sum())
    assert quality.n_quarantined_rows == len({(f, s, r) for f, s, r, p in zip(q["file"], q["sheet"], q["row"],
                                                                              q["province"]) if p == PROVINCE})
    assert quality.wave_labels == [str(y) for y in sorted(a["year"].unique())]  # one round a year here
    assert quality.n_pilot == int((data.units["group"] == "pilot").sum()) > 0  # every pilot has a timing row
    assert quality.n_incomplete == int((quality.completeness["missing"] >= 5).sum())
    # the counts are read from the saved tables, so a summary read back says the same
    quality.save(tmp_path / "saved")
    back = load_summary(tmp_path / "saved", quality.report)
    for name in ("n_quarantined_rows", "n_unattributed_rows", "n_incomplete", "n_pilot", "n_pilot_unusable",
                 "n_name_matches", "n_indicators_recovered"):
        assert getattr(back, name) == getattr(quality, name), name
    consensus = a[a["rater_id"].isna()]
    scored = consensus.dropna(subset=["score_100"]).groupby(["body_id", "year", "rater"]).size()
    uses = a.groupby("body_id")["indicator"].nunique()  # each body out of the indicators it uses
    cells = quality.completeness  # every body x year x rater, scored or not (one round a year here)
    share = scored.reindex(pd.MultiIndex.from_frame(cells[["body_id", "year", "rater"]]), fill_value=0).to_numpy()
    assert quality.share_scored == pytest.approx(np.mean(share / cells["body_id"].map(uses).to_numpy()))
    saved = _render(quality, show_dq, tmp_path, data)
    # the page states the summary's numbers (bodies, rows, waves); results.json keeps no number of its own
    assert saved["summary"][0] == t("dq_s1", "vi", n_bodies=quality.n_bodies, n_rows=quality.n_scores,
                                    years=", ".join(quality.wave_labels), share=round(100 * quality.share_scored))
    assert "values" not in saved
    assert all((tmp_path / f["png"]).exists() for f in saved["figures"]) and saved["figures"]
    assert all((tmp_path / x["xlsx"]).exists() for x in saved["tables"]) and saved["tables"]


def test_data_quality_files_are_worded_at_rendering(quality):
    assert set(quality.files["status"]) <= {"ok", "skipped", "error"}
    for lang in ("vi", "en"):
        shown = show_dq.file_table(quality.files, lang)
        assert set(shown["status"]) <= {t(f"status_{s}", lang) for s in ("ok", "skipped", "error")}
        assert shown["message"].tolist() == quality.files[f"message_{lang}"].tolist()


# -- 10 scorecard ------------------------------------------------------------------------------------------------
def test_scorecard_numbers_agree_with_the_raw_rows(card, data, tmp_path):
    a = data.assessments
    assert card.latest_year == int(a["year"].max()) and card.baseline_year == int(a["year"].min())
    # independent of stats.descriptive: mean over bodies of the mean over pillars of the last wave's consensus scores
    c = a[(a["rater"] == card.main_rater) & a["rater_id"].isna() & (a["year"] == card.latest_year)]
    c = c.dropna(subset=["score_100"])
    c = c[c["round"] == c["round"].max()]
    direct = c.groupby(["body_id", "pillar"])["score_100"].mean().groupby("body_id").mean()
    assert card.mean_latest == pytest.approx(direct.mean(), abs=1e-9)
    assert card.top_body == a.drop_duplicates("body_id").set_index("body_id").loc[direct.idxmax(), "body_label"]
    reds = c[c["rating"] == "red"]
    assert card.n_red == len(reds) and card.n_bodies_red == reds["body_id"].nunique()
    card.save(tmp_path / "saved")  # read from the saved tables, the counts and the top body are the same
    back = load_summary(tmp_path / "saved", card.report)
    assert (back.n_red, back.n_bodies_red, back.top_body) == (card.n_red, card.n_bodies_red, card.top_body)
    saved = _render(card, show_sc, tmp_path, data)
    assert number(card.mean_latest, "vi") in saved["summary"][0] and "values" not in saved
    assert all((tmp_path / f["png"]).exists() for f in saved["figures"]) and saved["figures"]
    assert all(f["svg"] is None or (tmp_path / f["svg"]).exists() for f in saved["figures"])


def test_the_light_matrix_comes_back_as_the_statistics_gave_it(card, data, tmp_path):
    expected = d.light_matrix(data.assessments, card.latest_year)
    card.save(tmp_path)
    back = show_sc.light_matrix(load_summary(tmp_path, "10_scorecard"))
    pd.testing.assert_frame_equal(back, expected, check_names=False, check_dtype=False, check_index_type=False,
                                  check_column_type=False)
    assert back.columns.names == ["body_label", "rater"] and back.shape == expected.shape


def test_red_indicators_are_named_in_the_reader_language(card, data):
    named = d.red_indicators(data.assessments, card.latest_year, card.main_rater, catalog=data.catalog, lang="en")
    assert show_sc.red_with_names(card, "en")["indicators"].tolist() == named["indicators"].tolist()


# -- 20 reliability ----------------------------------------------------------------------------------------------
def test_reliability_numbers_agree_with_plain_formulas(reliability, data, tmp_path):
    a = data.assessments
    saved = _render(reliability, show_rel, tmp_path, data)
    exported = pd.read_csv(tmp_path / "tables" / "indicator_review.csv", dtype={"indicator": str},
                           keep_default_na=False, na_values=[""])
    assert list(exported.columns[:3]) == ["indicator", "pillar", "n_bodies"] and {"flag", "reason"} <= set(exported)
    assert not {"member_band", "icc_c1_band", "n_body_years"} & set(exported)
    assert sorted(exported["indicator"]) == sorted(data.catalog["indicator"]), "one row per catalog indicator"
    assert (exported["flag"].astype(str).str.lower() == "true").tolist() == \
        exported["reason"].astype("string").fillna("").ne("").tolist()
    cons = a[a["rater_id"].isna()].dropna(subset=["score_100"])
    wide = cons.pivot_table(index=["body_id", "year", "round", "indicator"], columns="rater", values="score_100")
    diff = (wide["self"] - wide["council"]).dropna()
    overall = reliability.inflation_overall
    assert overall.estimate == pytest.approx(diff.mean(), abs=1e-9)
    assert overall.n == diff.index.get_level_values("body_id").nunique()
    # CR1 by body with t(G - 1), written out: G/(G-1) * sum of squared body residual totals / N^2
    e = (diff - diff.mean()).groupby(level="body_id").sum()
    g = len(e)
    half = sps.t.ppf(0.975, g - 1) * np.sqrt(g / (g - 1) * (e ** 2).sum()) / len(diff)
    assert overall.ci_low == pytest.approx(diff.mean() - half, abs=1e-8)
    # the page states the summary's self-inflation and its verdict on the indicator set
    assert number(abs(overall.estimate), "vi") in " ".join(saved["summary"]) and "values" not in saved
    if reliability.n_reviewed:
        said = show_rel.consistency_sentences(reliability.trust, "vi", with_members=False)
        assert said and saved["summary"][:len(said)] == said
    if reliability.trust.answer == "yes":  # consistent only when every measured agreement interval clears 0.5
        lows = exported[["icc_c1_ci_low", "member_icc_ci_low"]].to_numpy(float)
        assert np.all(np.isnan(lows) | (lows > 0.5))
    checked = 0
    for indicator in exported.dropna(subset=["icc_c1"])["indicator"][:3]:
        pairs = wide.xs(indicator, level="indicator")[["self", "council"]].dropna().to_numpy()
        n, m, dd = len(pairs), pairs.mean(axis=1), pairs[:, 0] - pairs[:, 1]
        msr, mse = 2 * ((m - m.mean()) ** 2).sum() / (n - 1), ((dd - dd.mean()) ** 2).sum() / (2 * (n - 1))
        assert exported.set_index("indicator").loc[indicator, "icc_c1"] == pytest.approx((msr - mse) / (msr + mse),
                                                                                        abs=1e-9)
        checked += 1
    assert checked == 3
    assert all((tmp_path / f["png"]).exists() for f in saved["figures"]) and saved["figures"]


def test_reliability_moves_the_d_study_out_of_attrs(reliability, data):
    raters = council_size.council_d_study(data.assessments, n_resamples=50, seed=1)
    assert reliability.members_needed == {str(k): int(v) for k, v in raters.needed.items()}
    assert reliability.members_needed_ci == {str(k): [int(x) for x in v] for k, v in raters.needed_ci.items()}
    assert reliability.member_bodies == raters.n_bodies > 0 and not reliability.raters_needed.attrs
    fit = council_size.council_g_study(data.assessments).table  # read from the D study, not fitted twice
    assert reliability.g_study["component"].tolist() == fit["component"].tolist()
    np.testing.assert_allclose(reliability.g_study["variance"].astype(float), fit["variance"], rtol=1e-12)
    assert reliability.trust.values["members_needed"] == reliability.members_needed["0.8"]
    assert set(reliability.alpha) == {"1", "2", "3", "4"}
    alpha = pillar_items.internal_consistency(data.assessments).set_index("pillar")
    assert reliability.alpha["2"].estimate == pytest.approx(alpha.loc[2, "alpha"])
    assert reliability.alpha["2"].ci_low == pytest.approx(alpha.loc[2, "alpha_ci_low"])
    assert reliability.n_bodies == data.assessments["body_id"].nunique()


def test_the_limits_of_agreement_are_bland_altman_of_the_overall_scores(reliability, data):
    """Bias = mean of self − council overall scores over body-waves scored by both; limits = bias ± 1.96 SD."""
    both = d.overall_scores(data.assessments, "self").merge(d.overall_scores(data.assessments, "council"),
                                                            on=["body_id", "year", "round"])
    diff = both["score_x"] - both["score_y"]
    limits = reliability.limits_of_agreement
    assert limits["bias"].estimate == pytest.approx(diff.mean()) and limits["bias"].n == len(diff)
    assert limits["upper"].estimate == pytest.approx(diff.mean() + sps.norm.ppf(0.975) * diff.std(ddof=1))
    assert limits["bias"].ci_low < limits["bias"].estimate < limits["bias"].ci_high
    # the method is a key of the text table and the params fill its words (the 95 % level of the intervals)
    assert limits["bias"].method == "bland_altman" and limits["bias"].params["level"] == 95
    assert "KTC 95% của độ chênh" in method_text(limits["bias"].method, limits["bias"].params, "vi")


def test_band_words_are_those_the_statistics_used_to_write():
    # the words the statistics wrote before the band keys (Koo & Li bands, "X đến Y" over two bands)
    vi = {"poor": "kém", "moderate": "trung bình", "good": "tốt", "excellent": "rất tốt", "uncertain": "chưa chắc chắn"}
    grid = [(v, lo, hi) for v in (0.3, 0.6, 0.8, 0.95) for lo in (-0.2, 0.45, 0.55, 0.8, 0.92)
            for hi in (0.49, 0.7, 0.85, 0.99)] + [(float("nan"), 0.1, 0.2)]
    for v, lo, hi in grid:
        key = bands.band_ci_key(v, lo, hi)
        assert show_rel.band_text(key, "en") == key.replace("/", " to "), (v, lo, hi)
        assert show_rel.band_text(key, "vi") == " đến ".join(vi[n] for n in key.split("/")), (v, lo, hi)


# -- round trip and schema ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["quality", "card", "reliability"])
def test_a_summary_round_trips_and_validates(name, request, tmp_path):
    summary = request.getfixturevalue(name)
    path = summary.save(tmp_path)
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), type(summary).json_schema())
    back = load_summary(tmp_path, summary.report)
    assert type(back) is type(summary)
    for field, value in vars(summary).items():
        other = getattr(back, field)
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(other, value.reset_index(drop=True), check_dtype=False)
        elif isinstance(value, float) and math.isnan(value):
            assert math.isnan(other)
        elif field in ("alpha", "inflation_overall", "trust", "limits_of_agreement"):
            assert json.dumps(_plain(other), default=str) == json.dumps(_plain(value), default=str), field
        else:
            assert other == value, field


def _plain(value):
    from iso18091lab.summaries.base import _to_json

    return _to_json(value)


# -- what the render modules say ---------------------------------------------------------------------------------
def test_the_reliability_summary_says_what_the_report_said(reliability):
    vi, en = show_rel.summary_sentences(reliability, "vi"), show_rel.summary_sentences(reliability, "en")
    assert len(vi) == len(en) >= 3 and vi != en
    overall = reliability.inflation_overall
    key = "rel_lenient" if overall.ci_low > 0 else "rel_strict" if overall.ci_high < 0 else "rel_no_offset"
    assert any(s.startswith(t(key, "en", est="", low="", high="", n="")[:20]) for s in en)
    assert show_rel.consistency_sentences(reliability.trust, "vi", with_members=False)[0] == vi[0]
    assert t("rel_rollout_raters", "vi", m8=reliability.members_needed["0.8"],
             lo8=reliability.members_needed_ci["0.8"][0], hi8=reliability.members_needed_ci["0.8"][1],
             m9=reliability.members_needed["0.9"], lo9=reliability.members_needed_ci["0.9"][0],
             hi9=reliability.members_needed_ci["0.9"][1]) in vi


def test_summaries_hold_no_words(quality, card, reliability):
    """Keys and values only: no sentence of the text table in any plain field."""
    sentences = {v for key in ("dq_s1", "sc_s1", "rel_lenient", "verdict_consistency_uncertain") for v in
                 (t(key, "vi", **{k: "" for k in ("n_bodies", "n_rows", "years", "share", "latest", "council",
                                                  "self_score", "gap", "est", "low", "high", "n", "n_unclear",
                                                  "n_yes")}),)}
    for summary in (quality, card, reliability):
        text = json.dumps(_plain({k: v for k, v in vars(summary).items() if not isinstance(v, pd.DataFrame)}),
                          ensure_ascii=False)
        assert not any(s[:25] in text for s in sentences)
        assert "lang" not in {k for k in vars(summary)}  # the language is a parameter of rendering only


# -- every parameter takes effect ---------------------------------------------------------------------------------
@pytest.mark.parametrize("notebook", ["00_data_quality", "10_scorecard", "20_reliability"])
def test_notebooks_are_thin_and_use_every_parameter(notebook):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{notebook}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    lines = [line for source in code for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(lines) <= 40
    trees = [ast.parse(source) for source in code]
    assert not any(isinstance(node, (ast.For, ast.While, ast.If, ast.IfExp, ast.comprehension))
                   for tree in trees for node in ast.walk(tree))
    used = {node.id for tree in trees for node in ast.walk(tree) if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)}
    assert declared_parameters(NOTEBOOKS_DIR / f"{notebook}.ipynb") <= used
    assert not any("remove_cell" in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code")


def test_the_province_parameter_chooses_the_rows(small_processed, quality):
    other = lab.load(small_processed / "processed", province="Hải Phòng")
    summary = build_data_quality(other, {"province": "Hải Phòng"})
    assert summary.province == "Hải Phòng" and summary.n_scores == len(other.assessments) != quality.n_scores


def test_the_output_folder_parameter_is_where_the_summary_is_saved(quality, tmp_path):
    assert quality.save(tmp_path / "elsewhere") == tmp_path / "elsewhere" / "summaries" / "00_data_quality.json"


def test_the_lang_parameter_words_the_reports(quality, card, data, tmp_path):
    for summary, show in ((quality, show_dq), (card, show_sc)):
        vi = _render(summary, show, tmp_path / f"vi{summary.report}", data, "vi")["summary"]
        en = _render(summary, show, tmp_path / f"en{summary.report}", data, "en")["summary"]
        assert vi != en and len(vi) == len(en)
    assert en[0].startswith(t("sc_s1", "en", latest=card.latest_year, council="", self_score="", gap="")[:12])


def test_seed_and_resamples_reach_the_reliability_statistics(data, reliability):
    """seed and n_resamples change the bootstrap intervals (the alpha-gain CIs of the review, the D study's);
    reports 00 and 10 resample nothing: there the seed is only kept with the summary."""
    other_seed = build_reliability(data, {"province": PROVINCE, "seed": 2, "n_resamples": 200})
    more = build_reliability(data, {"province": PROVINCE, "seed": 1, "n_resamples": 600})
    for other in (other_seed, more):
        assert not np.allclose(other.review["alpha_gain_ci_low"], reliability.review["alpha_gain_ci_low"],
                               equal_nan=True)
        assert not np.allclose(other.raters_needed["ci_low"], reliability.raters_needed["ci_low"])
    assert more.params["n_resamples"] == 600
    assert build_data_quality(data, {"province": PROVINCE, "seed": 7}).params["seed"] == 7


def test_the_index_headline_reads_the_data_quality_summary(quality, tmp_path):
    """Without an effect, the index says the data size from the saved summary (results.json holds no number)."""
    from iso18091lab.run.index_page import headline

    (tmp_path / "results.json").write_text("{}", encoding="utf-8")
    assert headline(tmp_path, "vi") == "–"
    quality.save(tmp_path)
    assert headline(tmp_path, "vi") == f"{quality.n_bodies} {t('bodies', 'vi')}"
    assert headline(tmp_path, "en") == f"{quality.n_bodies} {t('bodies', 'en')}"


def test_a_run_keeps_the_province_review_once_for_the_summary_and_the_national_comparison(data, tmp_path):
    """The builder's review through the run's store: computed once, read back by the next report (the national
    comparison asks the store with the same rows, catalog, resamples and seed)."""
    from iso18091lab.run import review_store

    params = {"province": PROVINCE, "seed": 1, "n_resamples": 200}
    first = build_reliability(data, params, review=review_store.province_review(tmp_path))
    kept = sorted(p.name for p in tmp_path.iterdir())
    again = review_store.cached_review(data.assessments, data.catalog, n_resamples=200, seed=1, cache=tmp_path)
    assert kept and sorted(p.name for p in tmp_path.iterdir()) == kept  # read, not computed again
    pd.testing.assert_frame_equal(first.review.drop(columns=["member_band", "icc_c1_band"]),
                                  again.table.reset_index(drop=True), check_dtype=False)


def test_completeness_counts_only_cells_that_can_exist(tmp_path):
    """Planted: each body scores its own subset of 12-30 indicators (``indicator_subset``), in points
    (``points_only``), never self-assesses and leaves nothing unassessed, so a cell is out of the body's planted
    indicators, and its only missing scores are the rows ingest quarantined (the planted errors); there are no
    self cells. One more council score taken out is one more missing. Counting every catalog indicator and both
    raters gave about 50 % / 25 % (the cells no design has counted as missing)."""
    from dataclasses import replace

    from iso18091lab.intake.pipeline import ingest
    from iso18091lab.synthetic.designs import design_by_name
    from iso18091lab.synthetic.write import write_synthetic

    design = design_by_name("indicator_subset")
    for province in design.provinces:
        province.score_format = "points"
    design = replace(design, self_scores=False)
    write_synthetic(tmp_path / "raw", params=replace(design.params, seed=3, not_assessed_rate=0.0), design=design)
    ingest(tmp_path / "raw", tmp_path / "processed")
    province = design.provinces[0]
    data = lab.load(tmp_path / "processed", province=province.name)
    shown = d.completeness(data.assessments, data.units, data.catalog)
    planted = {b.name: len(b.indicators) for b in province.bodies}
    assert len(shown) == len(planted) * len(province.waves) and set(shown["rater"]) == {"council"}
    name_of = data.assessments.drop_duplicates("body_id").set_index("body_id")["unit"].astype(str)
    assert shown["body_id"].map(name_of).map(planted).tolist() == shown["possible"].tolist()
    council = data.assessments[data.assessments["rater_id"].isna()].dropna(subset=["score_100"])
    kept = council.groupby(["body_id", "year", "round"]).size()  # scores that reached the processed table
    scored = kept.reindex(pd.MultiIndex.from_frame(shown[["body_id", "year", "round"]])).to_numpy()
    possible = shown["possible"].to_numpy()
    assert shown["scored"].tolist() == scored.tolist() and shown["missing"].tolist() == (possible - scored).tolist()
    assert shown["share_scored"].to_numpy() == pytest.approx(scored / possible)
    assert shown["share_scored"].mean() > 0.9 and (shown["missing"] == 0).mean() > 0.5  # few planted errors
    assert min(planted.values()) < 20  # the subsets are small: counting the catalog would be far below 90 %
    a = data.assessments
    first = a[(a["rater_id"].isna()) & (a["rater"] == "council")].iloc[0]
    holed = a.drop(index=first.name)
    shown = d.completeness(holed, data.units, data.catalog).set_index(["body_id", "year", "round", "rater"])
    cell = (first["body_id"], first["year"], first["round"], "council")
    n, before = planted[str(first["unit"])], int(kept[cell[:3]])
    assert shown.loc[cell, "missing"] == n - before + 1
    assert shown.loc[cell, "share_scored"] == pytest.approx((before - 1) / n)


def test_completeness_counts_each_round_of_a_year_apart():
    """A year with two rounds is two waves: a body that scored every indicator in each round has nothing missing
    and 100 % scored in each (planted; counting by year alone gave 200 % and a negative number missing)."""
    catalog = pd.DataFrame({"indicator": ["1.1", "1.2", "1.3"]})
    rows = [{"body_id": b, "body_label": b, "level": "xã", "group": "pilot", "year": y, "round": r, "rater": rater,
             "rater_id": None, "indicator": i, "score_100": 50.0, "not_assessed": False}
            for b in ("a", "b") for y, r in ((2024, 1), (2024, 2), (2025, 1)) for rater in ("self", "council")
            for i in catalog["indicator"]]
    shown = d.completeness(pd.DataFrame(rows), pd.DataFrame(), catalog)
    assert len(shown) == 2 * 3 * 2
    assert shown["share_scored"].tolist() == [1.0] * 12 and shown["missing"].tolist() == [0] * 12
    assert list(dict.fromkeys(shown["wave"])) == ["2024/1", "2024/2", "2025"]

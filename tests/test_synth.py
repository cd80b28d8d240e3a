"""synth -> ingest recovers the planted scores exactly and quarantines exactly the planted errors."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from iso18091lab.synth import BANNER, SynthParams, simulate, write_synthetic


def _truth(raw):
    return pd.read_csv(raw / "_synthetic" / "truth_assessments.csv.gz", keep_default_na=False,
                       dtype={"indicator": str, "rater_id": str, "sheet": str, "planted": str})


def test_clean_rows_recovered_exactly(synthetic_raw, synthetic_ingest):
    raw, _ = synthetic_raw
    result, _ = synthetic_ingest
    truth = _truth(raw)
    clean = truth[truth["planted"] == ""]
    got = result.assessments
    merged = clean.merge(got, left_on=["file", "sheet", "row"], right_on=["source_file", "source_sheet", "source_row"],
                         how="left", suffixes=("_truth", ""), validate="one_to_one", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert len(got) == len(clean)  # nothing accepted that was not planted clean
    for column in ("province", "unit", "rater", "indicator"):
        assert (merged[f"{column}_truth"] == merged[column].astype(str)).all(), column
    assert (merged["rater_id_truth"] == merged["rater_id"].fillna("")).all()
    assert (merged["year_truth"] == merged["year"]).all()
    truth_score = pd.to_numeric(merged["score_truth"].replace("", np.nan))
    assert np.allclose(truth_score, merged["score"].astype(float), equal_nan=True, rtol=0, atol=0)
    lights = merged["score_source"] == "rating"
    assert (merged.loc[lights, "rating_truth"] == merged.loc[lights, "rating"].astype(str)).all()
    assert (merged["not_assessed_truth"].map({"True": True, "False": False}) == merged["not_assessed"]).all()
    assert got["synthetic"].all()


def test_exactly_the_planted_errors_are_quarantined(synthetic_raw, synthetic_ingest):
    raw, manifest = synthetic_raw
    result, _ = synthetic_ingest
    planted = {(e["file"], e["sheet"] if isinstance(e["sheet"], str) else "", e["row"], e["planted"])
               for e in manifest["planted_errors"] if e["planted"] != "exact_duplicate"}
    quarantined = {(r.file, r.sheet, r.row, r.rule) for r in result.quarantine.itertuples()}
    assert quarantined == planted
    assert {p[3] for p in planted} == {"score_out_of_range", "unknown_indicator", "unknown_unit", "bad_rater",
                                       "bad_score", "conflicting_duplicate"}
    n_exact = sum(e["planted"] == "exact_duplicate" for e in manifest["planted_errors"])
    assert result.summary["duplicates"] == n_exact > 0


def test_counts_reconcile_and_data_is_labelled_synthetic(synthetic_raw, synthetic_ingest):
    raw, manifest = synthetic_raw
    result, processed = synthetic_ingest
    s = result.summary
    assert s["rows_read"] == s["accepted"] + s["quarantined"] + s["duplicates"]
    assert s["synthetic"] == "yes"
    assert len(result.units) == manifest["counts"]["units"]
    assert len(result.outcomes) == manifest["counts"]["outcome_rows_written"]
    assert s["provinces"] == ["Hải Phòng", "Quảng Ninh"]
    assert all(name.startswith("SYNTHETIC_") for name in manifest["files"])
    assert manifest["synthetic"] is True and manifest["banner"] == BANNER
    written = json.loads((processed / "ingest_summary.json").read_text(encoding="utf-8"))
    assert written["synthetic"] == "yes"


def test_units_match_the_design(synthetic_ingest):
    result, _ = synthetic_ingest
    units = result.units
    hp = units[units["province"] == "Hải Phòng"]
    assert (hp["group"] == "pilot").sum() == 12 and (hp["group"] == "comparison").sum() == 12
    assert {"quận Hồng Bàng", "phường Hoàng Văn Thụ", "xã Du Lễ", "huyện Thủy Nguyên"} <= set(hp["unit"])
    qn = units[units["province"] == "Quảng Ninh"]
    assert (qn["group"] == "pilot").sum() == 16
    assert qn["code"].str.startswith("0").any(), "leading zeros kept"
    for level in ("quận", "huyện", "phường", "xã"):
        groups = set(hp.loc[hp["level"] == level, "group"])
        assert groups == {"pilot", "comparison"}, level
    years = result.assessments.groupby("province")["year"].agg(lambda s: sorted(set(s))).to_dict()
    assert years == {"Hải Phòng": [2022, 2023, 2024], "Quảng Ninh": [2024, 2025]}
    assert result.assessments["rater_id"].notna().any()


def test_model_plants_the_effect_it_reports():
    """A large noiseless-council run: the pilot-minus-comparison change equals the planted effect."""
    params = SynthParams(seed=3, council_noise_sd=0.0, province_year_shock_sd=0.0, not_assessed_rate=0.0)
    sim = simulate(params)
    a = sim["assessments"]
    a = a[(a["rater"] == "council") & (a["rater_id"] == "")].merge(
        sim["units"][["unit", "group"]], on="unit")
    a["pillar"] = a["indicator"].str.split(".").str[0].astype(int)
    hp = a[a["province"] == "Hải Phòng"]
    means = hp.groupby(["group", "year", "pillar"])["true_score_100"].mean().unstack("year")
    did = (means[2023] - means[2022]).loc["pilot"] - (means[2023] - means[2022]).loc["comparison"]
    for pillar, effect in params.pilot_effect.items():
        assert abs(did[pillar] - effect) < 3.5, (pillar, did[pillar])
    assert sim["truth"]["indicator_reliability"]["1.9"] < sim["truth"]["indicator_reliability"]["1.1"]


def test_seed_makes_it_reproducible(tmp_path):
    a = write_synthetic(tmp_path / "a", seed=5)
    b = write_synthetic(tmp_path / "b", seed=5)
    assert a["planted_errors"] == b["planted_errors"]
    assert (tmp_path / "a" / "SYNTHETIC_quang-ninh_2024.csv").read_bytes() == \
        (tmp_path / "b" / "SYNTHETIC_quang-ninh_2024.csv").read_bytes()
    c = write_synthetic(tmp_path / "c", seed=6)
    assert a["province_year_shocks"] != c["province_year_shocks"]

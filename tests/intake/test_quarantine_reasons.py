"""Quarantine reasons are stored as keys with values and worded from the text table when shown: editing a
``rule.*`` row of text.csv changes what a report says without ingesting again."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import iso18091lab as lab
from iso18091lab import i18n
from iso18091lab.i18n import quarantine_reasons, rule_label, rule_text
from iso18091lab.intake.clean import RULES, Problem, problem_values, rejected_unit_hint
from iso18091lab.intake.pipeline import ingest


@pytest.fixture
def processed(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("province,unit,year,rater,indicator,score\n"
                               "Hải Phòng,quận Hồng Bàng,2023,self,1.1,11\n"
                               "Hải Phòng,quận Hồng Bàng,2023,self,1.2,7\n"
                               "Hải Phòng,quận Hồng Bàng,2023,boss,1.3,7\n", encoding="utf-8")
    ingest(raw, tmp_path / "p")
    return tmp_path / "p"


def test_every_rule_has_its_words_in_both_languages():
    assert set(RULES) == set(i18n.RULES) and len(RULES) == 23
    for rule in RULES:
        assert i18n.TEXT[f"rule.{rule}"]["vi"] != i18n.TEXT[f"rule.{rule}"]["en"]


def test_quarantine_csv_keeps_the_rule_and_its_values_not_sentences(processed):
    stored = pd.read_csv(processed / "quarantine.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(stored.columns) == ["file", "sheet", "row", "table", "column", "cell", "value", "rule", "values",
                                    "province", "province_suggested"]
    by_rule = stored.set_index("rule")
    assert json.loads(by_rule.loc["score_out_of_range", "values"]) == {"hint": "10"}  # the catalog's maximum
    assert json.loads(by_rule.loc["bad_rater", "values"]) == {}
    assert not stored.apply(lambda c: c.str.contains("không|outside", regex=True)).any().any()


def test_a_report_words_the_reasons_from_todays_text_table(processed, monkeypatch):
    before = lab.load(processed).quarantine.set_index("rule")
    assert before.loc["score_out_of_range", "reason_vi"] == "điểm nằm ngoài khoảng 0–10"
    assert before.loc["score_out_of_range", "reason_en"] == "score outside 0-10"
    monkeypatch.setitem(i18n.TEXT["rule.score_out_of_range"], "vi", "điểm phải từ 0 đến {hint}")
    after = lab.load(processed).quarantine.set_index("rule")  # the same files, no new ingest
    assert after.loc["score_out_of_range", "reason_vi"] == "điểm phải từ 0 đến 10"
    assert after.loc["bad_rater", "reason_vi"] == before.loc["bad_rater", "reason_vi"]


def test_values_are_worded_hint_suggestion_and_the_reasons_behind_a_rejected_unit():
    assert rule_text("unknown_unit", {"suggestion": "quận Hồng Bàng"}, "en") == \
        "unit not in the units table — did you mean 'quận Hồng Bàng'?"
    assert rule_text("unknown_unit", '{"hint": " (12345)"}', "vi") == "đơn vị không có trong danh sách đơn vị (12345)"
    hint = rejected_unit_hint([Problem("group", "x", "bad_group"), Problem("group", "x", "bad_group"),
                               Problem("pilot_start", "", "pilot_without_start")])
    values = problem_values("unit_rejected", hint)
    assert [r["rule"] for r in values["reasons"]] == ["bad_group", "pilot_without_start"]  # each once
    worded = rule_text("unit_rejected", json.dumps(values), "en")
    assert worded.startswith("the unit is in the units table but its row was rejected: invalid group (pilot / "
                             "comparison expected); pilot body without a pilot start")
    assert "nhóm không hợp lệ" in rule_text("unit_rejected", values, "vi")
    assert rule_text("not_a_rule", {}, "en") == "not_a_rule"  # anything else as it is


def test_labels_and_frames_in_either_language():
    assert rule_label("score_out_of_range", "vi") == "điểm nằm ngoài khoảng 0– [score_out_of_range]"
    assert rule_label("ambiguous_unit", "en") == "unit name matches several units [ambiguous_unit]"
    frame = pd.DataFrame({"rule": ["bad_score", "bad_score", "missing_value"], "values": ["{}", "", "{}"]})
    out = quarantine_reasons(frame, langs=("en",))
    assert out["reason_en"].tolist() == ["score is not a number"] * 2 + ["required value is missing"]
    assert "reason_vi" not in out and "reason_en" not in frame

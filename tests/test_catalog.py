"""The indicator catalog."""
from __future__ import annotations

import pandas as pd
import pytest

from iso18091lab.catalog import (CatalogError, indicator_order, indicator_sort_key, load_catalog,
                                 normalise_indicator_id, pillars)


def test_bundled_catalog_has_39_indicators_in_4_pillars():
    catalog = load_catalog()
    assert len(catalog) == 39
    assert pillars(catalog)["n_indicators"].tolist() == [10, 8, 12, 9]
    assert "1.10" in set(catalog["indicator"]) and "1.1" in set(catalog["indicator"])
    assert catalog["indicator"].is_unique
    assert (catalog["max_score"] == 10).all()
    assert catalog["name_vi"].str.len().min() > 3 and catalog["name_en"].str.len().min() > 3
    ordered = catalog.sort_values("indicator", key=indicator_sort_key)["indicator"].tolist()
    assert ordered[:10] == [f"1.{i}" for i in range(1, 11)]


def test_indicator_order_and_sort_key_by_hand():
    ids = pd.Series(["1.10", "2.1", "1.2", "1.1"], index=[7, 8, 9, 10])
    assert indicator_sort_key(ids).tolist() == [1010, 2001, 1002, 1001]
    assert indicator_sort_key(ids).index.tolist() == [7, 8, 9, 10]
    assert indicator_order(["1.10", "2.1", "1.2", "1.2"]) == ["1.2", "1.10", "2.1"]


@pytest.mark.parametrize("dtype", [object, "string", "category"])
def test_no_indicators_sort_to_nothing(dtype):
    """A wave with no red indicator: sorting the empty list of reds must not fail (issue 19: KeyError: 0)."""
    empty = pd.Series([], dtype=dtype)
    assert indicator_sort_key(empty).empty and indicator_order(empty) == []
    table = pd.DataFrame({"indicator": empty, "n": pd.Series([], dtype=int)})
    assert table.sort_values("indicator", key=indicator_sort_key).empty


def test_red_indicators_of_a_wave_without_red_is_an_empty_table():
    from iso18091lab.stats import descriptive as d

    rows = pd.DataFrame({"body_id": ["b1", "b1", "b2"], "body_label": ["xã A", "xã A", "xã B"],
                         "group": ["pilot", "pilot", "comparison"], "year": [2023] * 3, "round": [1] * 3,
                         "rater": ["council"] * 3, "rater_id": [None] * 3, "indicator": ["1.1", "1.10", "1.2"],
                         "rating": ["yellow", "green", "yellow"]})
    reds = d.red_indicators(rows, 2023)
    assert reds.empty and {"body_label", "n_red", "indicators"} <= set(reds.columns)
    reds = d.red_indicators(rows.assign(rating=["red", "yellow", "red"]), 2023)
    assert reds[["body_label", "n_red", "indicators"]].values.tolist() == [["xã A", 1, "1.1"], ["xã B", 1, "1.2"]]


@pytest.mark.parametrize("raw, normal", [("1.1", "1.1"), ("1,10", "1.10"), (" Chỉ số 2.3", "2.3"),
                                         ("CS 4.9", "4.9"), ("01.02", "1.2"), (1.1, "1.1"), ("1", None),
                                         ("x.1", None), ("", None)])
def test_indicator_ids(raw, normal):
    assert normalise_indicator_id(raw) == normal


def test_bad_catalogs_are_reported(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("indicator,pillar\n1.1,1\n1.1,1\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="duplicate"):
        load_catalog(path)
    path.write_text("indicator,pillar,max_score\nabc,1,10\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not of the form"):
        load_catalog(path)
    path.write_text("name\nx\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="needs columns"):
        load_catalog(path)
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "missing.csv")


def test_catalog_row_problems_are_worded_from_the_text_table_vietnamese_first(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("indicator,pillar\n1.1,1\n1.1,1\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    vi, en = message.split(" / ", 1)
    assert "mã chỉ số bị trùng: 1.1" in vi and "duplicate indicator ids: 1.1" in en
    path.write_text("indicator,pillar,max_score\nabc,1,10\n1.2,x,-1\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    vi, en = str(caught.value).split(" / ", 1)
    assert "dòng 2: mã chỉ số 'abc' không có dạng P.N" in vi and "không phải là số" in vi
    assert "row 2: indicator id 'abc' is not of the form P.N" in en and "not a number" in en
    path.write_text("indicator,pillar,max_score\n1.1,1,0\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="max_score phải là số dương.* / .*max_score must be positive"):
        load_catalog(path)

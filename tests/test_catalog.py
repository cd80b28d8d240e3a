"""The indicator catalog."""
from __future__ import annotations

import pytest

from iso18091lab.catalog import CatalogError, indicator_sort_key, load_catalog, normalise_indicator_id, pillars


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

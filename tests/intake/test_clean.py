"""Value parsers and unit matching."""
from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from iso18091lab.intake.clean import (
    Rejected, UnitMatcher, parse_code, parse_group, parse_level, parse_number, parse_rater, parse_rating,
    parse_whole, province_key,
)
from iso18091lab.config import DEFAULT_SCALE, Scale
from iso18091lab.normalize import fold, nfc, slugify


@pytest.mark.parametrize("raw, value", [
    ("7,5", 7.5), ("7.5", 7.5), (" 8 ", 8.0), (9, 9.0), (6.25, 6.25), ("85,5 %", 85.5), ("0", 0.0),
    ("1.234,5", 1234.5), (",5", 0.5),
])
def test_parse_number(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize("raw", ["tám", "7,5,1", "", "abc", True, float("nan"), "7 điểm"])
def test_parse_number_rejects(raw):
    with pytest.raises(Rejected):
        parse_number(raw)


@pytest.mark.parametrize("raw, rater", [
    ("Tự đánh giá", "self"), ("TỰ ĐÁNH GIÁ", "self"), ("tu danh gia", "self"), ("self", "self"),
    (unicodedata.normalize("NFD", "Tự chấm"), "self"), ("Hội đồng", "council"), ("hoi dong tham dinh", "council"),
    ("Thẩm định", "council"), ("Council", "council"),
])
def test_parse_rater(raw, rater):
    assert parse_rater(raw) == rater


@pytest.mark.parametrize("raw, light", [
    ("Đỏ", "red"), ("đ", "red"), ("R", "red"), ("red", "red"), ("vàng", "yellow"), ("Y", "yellow"), ("V", "yellow"),
    ("XANH", "green"), ("G", "green"), ("x", "green"), ("không đánh giá", "not_assessed"), ("Grey", "not_assessed"),
    ("xám", "not_assessed"),
])
def test_parse_rating(raw, light):
    assert parse_rating(raw) == light


@pytest.mark.parametrize("parser, raw", [(parse_rater, "khách"), (parse_rating, "tím"), (parse_level, "làng"),
                                         (parse_group, "có lẽ")])
def test_parsers_reject_unknown_words(parser, raw):
    with pytest.raises(Rejected):
        parser(raw)


def test_levels_groups_years_codes():
    assert parse_level("Thị trấn") == "thị trấn" and parse_level("ward") == "phường" and parse_level("QUẬN") == "quận"
    assert parse_group("Thí điểm") == "pilot" and parse_group("doi chung") == "comparison"
    assert parse_whole("2023", "bad_year", 1990, 2100) == 2023
    assert parse_whole(2023.0, "bad_year", 1990, 2100) == 2023
    assert parse_whole("Đợt 2", "bad_round", 1, 10) == 2
    for bad in ("2023.5", "1800", "năm ngoái"):
        with pytest.raises(Rejected):
            parse_whole(bad, "bad_year", 1990, 2100)
    assert parse_code("06658") == "06658"
    assert parse_code(6658.0, "commune") == "06658" and parse_code(303, "district") == "303"


def test_text_normalisation():
    nfd = unicodedata.normalize("NFD", "Hồng  Bàng ")
    assert nfc(nfd) == "Hồng Bàng" and unicodedata.is_normalized("NFC", nfc(nfd))
    assert fold("UBND Quận Hồng Bàng") == "ubnd quan hong bang"
    assert fold("Đằng Lâm") == "dang lam"
    assert fold("Hoà") == fold("Hòa") == "hoa"
    assert slugify("Hải Phòng") == "hai-phong" and nfc(None) == "" and nfc(float("nan")) == "" and nfc(7.0) == "7"
    assert province_key("TP. Hải Phòng") == province_key("Thành phố Hải Phòng") == province_key("hai phong")


def test_scale_cut_offs_are_consistent():
    assert [DEFAULT_SCALE.rating_of(v) for v in (0, 39.9, 40, 69.9, 70, 100)] == \
        ["red", "red", "yellow", "yellow", "green", "green"]
    for light, value in DEFAULT_SCALE.rating_to_100.items():
        assert DEFAULT_SCALE.rating_of(value) == light
    assert Scale(yellow_from=50, green_from=80).rating_of(75) == "yellow"
    assert DEFAULT_SCALE.rating_of(float("nan")) is None


@pytest.fixture
def matcher():
    units = pd.DataFrame([
        ("Hải Phòng", "quận Hồng Bàng", "303", "quận", "Hong Bang district"),
        ("Hải Phòng", "phường Hoàng Văn Thụ", "11311", "phường", ""),
        ("Hải Phòng", "xã An Hòa", "12178", "xã", ""),
        ("Quảng Ninh", "huyện Ba Chẽ", "202", "huyện", ""),
        ("Quảng Ninh", "thị trấn Ba Chẽ", "07090", "thị trấn", ""),
        ("Quảng Ninh", "phường Hồng Gai", "06658", "phường", ""),
    ], columns=["province", "unit", "code", "level", "aliases"])
    return UnitMatcher(units)


@pytest.mark.parametrize("province, name, code, unit", [
    ("Hải Phòng", "UBND quận Hồng Bàng", "", "quận Hồng Bàng"),
    ("TP. Hải Phòng", "Q. Hồng Bàng", "", "quận Hồng Bàng"),
    ("hai phong", "Hong Bang", "", "quận Hồng Bàng"),
    ("Hải Phòng", "HONG BANG DISTRICT", "", "quận Hồng Bàng"),               # alias
    ("Hải Phòng", unicodedata.normalize("NFD", "phường Hoàng Văn Thụ"), "", "phường Hoàng Văn Thụ"),
    ("Hải Phòng", "xã An Hoà", "", "xã An Hòa"),                             # old-style tone placement
    ("Hải Phòng", "", "303", "quận Hồng Bàng"),
    ("Quảng Ninh", "", "06658", "phường Hồng Gai"),
    ("Quảng Ninh", "06658", "", "phường Hồng Gai"),                           # code typed in the name column
    ("Quảng Ninh", "H. Ba Chẽ", "", "huyện Ba Chẽ"),
    ("Quảng Ninh", "TT Ba Chẽ", "", "thị trấn Ba Chẽ"),
])
def test_unit_matching(matcher, province, name, code, unit):
    index = matcher.unit(matcher.province(province), name, code)
    assert matcher.units.at[index, "unit"] == unit


def test_unit_matching_problems(matcher):
    with pytest.raises(Rejected) as err:
        matcher.unit("Quảng Ninh", "Ba Chẽ")
    assert err.value.rule == "ambiguous_unit"
    with pytest.raises(Rejected) as err:
        matcher.unit("Hải Phòng", "phường Hoàng Văn Thu Xyz")
    assert err.value.rule == "unknown_unit" and err.value.suggestion == "phường Hoàng Văn Thụ"
    # an unknown code falls back on the name; an unknown code alone is rejected
    assert matcher.unit("Hải Phòng", "quận Hồng Bàng", "999") == 0
    with pytest.raises(Rejected) as err:
        matcher.unit("Hải Phòng", "", "999")
    assert err.value.rule == "unknown_unit"
    with pytest.raises(Rejected) as err:
        matcher.province("Hải Phong X")
    assert err.value.rule == "unknown_province" and err.value.suggestion == "Hải Phòng"
    with pytest.raises(Rejected):
        matcher.unit("Quảng Ninh", "quận Hồng Bàng")  # right name, other province

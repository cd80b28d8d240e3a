"""The design types (validation) and the named designs (the registry, the bundled sample, national sizes).

Expected values come from the designs as documented (Plan 61's pilot bodies, the 34 provinces since 2025).
"""
from __future__ import annotations

import unicodedata

import pytest

from iso18091lab.synthetic.design import ProvinceDesign, SynthParams
from iso18091lab.synthetic.designs import (DESIGNS, HAI_PHONG, PROVINCES_2025, QUANG_NINH, SMALLEST, design_by_name,
                                           national)
from iso18091lab.synthetic.model import simulate

REQUIRED = ("sample", "one_year", "no_comparison", "no_pilot", "no_members", "no_self", "no_units",
            "units_without_group", "blank_levels", "lights_only", "points_only", "indicator_subset", "no_red_year",
            "one_province", "no_outcomes", "staggered", "growing_effect", "two_rounds", "pre_trend",
            "duplicate_names", "national", "no_red_latest", "three_plus_three", "one_pilot_per_start", "one_body",
            "one_indicator")


# --------------------------------------------------------------------------- the registry

def test_registry_has_every_required_design_and_small_ones_are_small():
    assert set(REQUIRED) <= set(DESIGNS)
    for name in DESIGNS:
        design = design_by_name(name)
        assert design.name == name and design.description
        design.validate()
        if name in ("sample", "national"):
            continue
        for province in design.provinces:
            assert (1 if name in SMALLEST else 8) <= len(province.bodies) <= 16, (name, province.name)
            assert 1 <= len(province.waves) <= 4, (name, province.name)
    with pytest.raises(KeyError, match="unknown design"):
        design_by_name("nope")


def test_sample_design_is_the_bundled_pilot():
    design = design_by_name("sample")
    hp, qn = design.provinces
    assert (hp.name, hp.waves) == ("Hải Phòng", ((2022, 1), (2023, 1), (2024, 1)))
    assert (qn.name, qn.waves) == ("Quảng Ninh", ((2024, 1), (2024, 2), (2025, 1)))
    assert [hp.start_of(b) for b in hp.bodies if b.group == "pilot"] == [(2023, 1)] * 12
    assert [qn.start_of(b) for b in qn.bodies if b.group == "pilot"] == [(2024, 2)] * 16
    assert sum(b.group == "comparison" for b in hp.bodies) == 12 and sum(b.group == "comparison" for b in qn.bodies) == 16
    plan_61 = {"quận Hải An", "phường Đằng Lâm", "quận Ngô Quyền", "phường Cầu Tre", "quận Hồng Bàng",
               "phường Hoàng Văn Thụ", "huyện Thủy Nguyên", "xã Thủy Sơn", "huyện Tiên Lãng", "xã Tự Cường",
               "huyện Kiến Thụy", "xã Du Lễ"}
    assert {b.name for b in hp.bodies if b.group == "pilot"} == plan_61
    assert all(unicodedata.is_normalized("NFC", b.name) for p in design.provinces for b in p.bodies)


def test_national_sizes():
    design = national()
    assert len(design.provinces) == 34 and [p.name for p in design.provinces] == list(PROVINCES_2025)
    assert {len(p.bodies) for p in design.provinces} == {97}
    assert {p.waves for p in design.provinces} == {tuple((y, 1) for y in range(2025, 2030))}
    design = national(provinces=36, bodies=20, years=3, member_share=0.5)
    assert len(design.provinces) == 36 and len(design.provinces[-1].bodies) == 20
    assert all(sum(bool(b.members) for b in p.bodies) == 10 for p in design.provinces)
    pilots = [b for p in design.provinces for b in p.bodies if b.group == "pilot"]
    assert {b.pilot_start for b in pilots} <= {(2026, 1), (2027, 1)}  # never the first wave: a baseline exists


def test_design_validation():
    with pytest.raises(ValueError, match="same name"):
        ProvinceDesign("Hải Phòng", [("xã Tân Hòa", "1", "xã", "comparison"), ("xã Tân Hòa", "2", "xã", "comparison")],
                       (2024,)).validate()
    with pytest.raises(ValueError, match="no pilot start"):
        ProvinceDesign("Hải Phòng", [("xã Tân Hòa", "1", "xã", "pilot")], (2024,)).validate()
    with pytest.raises(ValueError, match="codes repeat"):
        ProvinceDesign("Hải Phòng", [("xã A", "1", "xã", "comparison"), ("xã B", "1", "xã", "comparison")],
                       (2024,)).validate()
    with pytest.raises(ValueError, match="exact scores"):
        simulate(SynthParams.noiseless(pilot_effect={1: 80.0}), design_by_name("no_noise"))


def test_conftest_lists_still_importable():
    assert len(HAI_PHONG) == 24 and len(QUANG_NINH) == 32

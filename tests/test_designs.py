"""Every valid design runs through ``iso18091lab run --all`` with exit status 0, and each report either shows its
analysis or says, in plain Vietnamese, what cannot be estimated and why.

To keep the suite fast, designs that are a property of one province share a dataset: each province of the
"mixed" dataset exhibits one situation (one wave, no comparison bodies, no pilot bodies, blank levels, traffic
lights only, points only without council members, a body's own subset of indicators, a year with no red light,
two bodies with one name; staggered starts are run by tests/test_effect_notebooks.py and the calibration). Designs that are a property of the whole dataset get a
dataset each: no units table with no self scores and no outcomes in one province (so ``--all`` meets a single
province), and a units table without its group column. Expected counts come from the designs (planted), never from
the code under test.
"""
from __future__ import annotations

import copy
import json
import re
from html import unescape
from pathlib import Path

import pytest

from iso18091lab.cli import main
from iso18091lab.i18n import t
from iso18091lab.synth import Design, write_synthetic
from iso18091lab.synth_designs import design_by_name

#: province name in the mixed dataset -> (design it comes from, province index in it, what it exercises)
MIXED = {
    "Hải Phòng": ("one_year", 0, "one wave"),
    "Quảng Ninh": ("no_comparison", 1, "no comparison bodies"),
    "Hà Nội": ("no_pilot", 0, "no pilot bodies"),
    "Cần Thơ": ("blank_levels", 0, "blank levels"),
    "Đà Nẵng": ("lights_only", 0, "traffic lights only"),
    "Lào Cai": ("points_only", 1, "points only, no council members"),
    "Nghệ An": ("indicator_subset", 0, "each body's own indicator subset"),
    "Huế": ("no_red_year", 0, "a year with no red light"),
    "Cà Mau": ("duplicate_names", 0, "two bodies with one name"),
}


def mixed_design() -> Design:
    provinces = []
    for name, (source, index, _) in MIXED.items():
        province = copy.deepcopy(design_by_name(source).provinces[index])
        province.name = name
        if name == "Lào Cai":
            province.member_bodies = 0
        provinces.append(province)
    return Design("mixed", provinces, description="one situation per province")


def single_province_design() -> Design:
    design = design_by_name("no_units")
    design.provinces = design.provinces[:1]
    design.self_scores, design.outcomes = False, False
    return design


DATASETS = {"mixed": mixed_design, "one_province_no_units_no_self": single_province_design,
            "units_without_group": lambda: design_by_name("units_without_group")}


@pytest.fixture(scope="module", params=list(DATASETS))
def ran(request, tmp_path_factory):
    """(design, reports folder, manifest, exit status) of ``run --all`` on one dataset."""
    root = tmp_path_factory.mktemp(request.param)
    design = DATASETS[request.param]()
    manifest = write_synthetic(root / "raw", seed=7, design=design)
    status = main(["run", "--all", "--raw", str(root / "raw"), "--processed", str(root / "processed"),
                   "--reports", str(root / "reports"), "--quiet"])
    return request.param, design, root / "reports", manifest, status


def _results(folder: Path) -> dict:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def _reasons(results: dict, notebook: str) -> str:
    return " ".join(item["reason"] for item in results.get(notebook, {}).get("not_estimable", []))


def test_run_all_exits_0_and_every_report_renders(ran):
    name, design, reports, _, status = ran
    assert status == 0
    manifests = {m.parent.name: json.loads(m.read_text(encoding="utf-8")) for m in reports.glob("*/manifest.json")}
    assert "toan-quoc" in manifests and len(manifests) == len(design.provinces) + 1
    for slug, manifest in manifests.items():
        assert manifest["status"] in ("ok", "partial"), (slug, manifest["notebooks"])
        for notebook in manifest["notebooks"]:
            executed = json.loads((reports / slug / notebook["executed"]).read_text(encoding="utf-8"))
            errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
            assert not errors, (slug, notebook["notebook"], errors[:1])
            warned = [o["text"] for c in executed["cells"] for o in c.get("outputs", [])
                      if o.get("name") == "stderr" and "Warning" in "".join(o.get("text", ""))]
            assert not warned, (slug, notebook["notebook"], warned[:1])  # fix a warning at its source
            html = unescape((reports / slug / notebook["html"]).read_text(encoding="utf-8"))
            assert "Traceback (most recent call last)" not in html and not re.search(r"\b[A-Z]\w+Error: ", html)
            # nor a Python warning with a file path: a reader cannot act on it (fix it at its source)
            assert not re.search(r"\w+Warning: ", html), (slug, notebook["notebook"])
            for note in notebook.get("not_estimable", []):
                assert note["reason"] in html  # the reason is shown in the report, in words
    index = (reports / "index.html").read_text(encoding="utf-8")
    if any(m["status"] == "partial" for m in manifests.values()):
        assert t("partial", "vi") in index


def test_planted_bodies_and_waves_are_recovered(ran):
    name, design, reports, manifest, _ = ran
    for province in design.provinces:
        from iso18091lab.text import slugify

        quality = _results(reports / slugify(province.name))["00_data_quality"]["values"]
        if design.units_table != "no_group":  # without a usable units table, spelling variants are separate bodies
            assert quality["n_bodies"] == len(province.bodies), province.name
        assert quality["n_waves"] == len(province.waves), province.name
        if design.units_table == "full":
            assert quality["n_pilot"] == sum(b.group == "pilot" for b in province.bodies), province.name


def test_what_cannot_be_estimated_says_why(ran):
    name, design, reports, _, _ = ran
    vi = lambda key, **values: t(f"ne_{key}", "vi", **values)  # noqa: E731
    national = _results(reports / "toan-quoc")
    if name == "mixed":
        one_wave = _results(reports / "hai-phong")
        assert vi("one_wave", wave="2024") in _reasons(one_wave, "30_effectiveness")
        assert vi("no_comparison") in _reasons(_results(reports / "quang-ninh"), "30_effectiveness")
        assert vi("no_pilot") in _reasons(_results(reports / "ha-noi"), "30_effectiveness")
        assert vi("no_members") in _reasons(_results(reports / "lao-cai"), "20_reliability")
        full = _results(reports / "can-tho")
        assert full["30_effectiveness"]["values"]["primary"]["estimate"] is not None  # blank levels: estimated
        assert national["40_national"]["values"].get("pooled")  # several provinces could be pooled
    elif name == "one_province_no_units_no_self":
        province = _results(reports / "hai-phong")
        assert vi("no_groups") in _reasons(province, "30_effectiveness")
        assert vi("no_self") in _reasons(province, "20_reliability")
        assert vi("one_province", n=1) in _reasons(national, "40_national")
    else:  # units without group: the units file is one structural error; groups are unknown
        province = _results(reports / "hai-phong")
        assert vi("no_groups") in _reasons(province, "30_effectiveness")

"""Every valid design runs through ``iso18091lab run --all`` with exit status 0, and each report either shows its
analysis or says, in plain Vietnamese, what cannot be estimated and why.

To keep the suite fast, designs that are a property of one province share a dataset: each province of the
"mixed" dataset exhibits one situation (one wave, no comparison bodies, no pilot bodies, blank levels, traffic
lights only, points only without council members, a body's own subset of indicators, a year with no red light,
two bodies with one name, and the smallest designs: no red light in the latest wave, 3 + 3 bodies, one pilot per
start cohort, one body, one indicator; two provinces with 6 + 6 bodies give the national report provinces it can
pool; staggered starts are run by tests/render/test_effect_notebooks.py and the calibration). The mixed dataset is
run in two parts (:data:`MIXED_PARTS`) so that two workers share it: this file runs the part with the two 6 + 6
provinces and the smallest designs that the national report must leave out beside them, and
tests/test_designs_situations.py runs the other part with the same tests (imported from here). Designs that are a
property of the whole dataset get a dataset each: no units table with no self scores and no outcomes in one
province (so ``--all`` meets a single province; here), and a units table without its group column (there).
Expected counts come from the designs (planted), never from the code under test.
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
from iso18091lab.synthetic.design import Design
from iso18091lab.synthetic.write import write_synthetic
from iso18091lab.synthetic.designs import design_by_name

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
    # the smallest designs (issue 19)
    "Thanh Hóa": ("no_red_latest", 0, "no red light in the latest wave"),
    "Ninh Bình": ("three_plus_three", 0, "3 pilot + 3 comparison bodies, two waves"),
    "Đồng Nai": ("one_pilot_per_start", 0, "one pilot body per start cohort"),
    "Lai Châu": ("one_body", 0, "one body"),
    "Gia Lai": ("one_indicator", 0, "one indicator"),
    # 6 pilot + 6 comparison bodies in one start cohort: the BJS interval, so the national report has provinces
    # to pool (the designs above have at most 5 pilots per start cohort: their own randomization interval is
    # unbounded, and such a province is left out of the pooling)
    "Hưng Yên": ("one_province", 0, "6 + 6 bodies, one start cohort (pooled nationally)"),
    "Bắc Ninh": ("one_province", 0, "6 + 6 bodies, one start cohort (pooled nationally)"),
}


#: the mixed dataset in two parts of about equal cost, each run by ``run --all`` on its own (every province of
#: :data:`MIXED` in exactly one part): the national pooling with the smallest designs, and the other situations
MIXED_PARTS = {
    "mixed_pooled": ("Hưng Yên", "Bắc Ninh", "Đồng Nai", "Ninh Bình", "Thanh Hóa", "Lai Châu", "Gia Lai", "Cần Thơ"),
    "mixed_situations": ("Hải Phòng", "Quảng Ninh", "Hà Nội", "Đà Nẵng", "Lào Cai", "Nghệ An", "Huế", "Cà Mau"),
}


def mixed_design(part: str) -> Design:
    provinces = []
    for name in MIXED_PARTS[part]:
        source, index, _ = MIXED[name]
        province = copy.deepcopy(design_by_name(source).provinces[index])
        province.name = name
        if name == "Lào Cai":
            province.member_bodies = 0
        provinces.append(province)
    return Design(part, provinces, description="one situation per province")


def single_province_design() -> Design:
    design = design_by_name("no_units")
    design.provinces = design.provinces[:1]
    design.self_scores, design.outcomes = False, False
    return design


DATASETS = {"mixed_pooled": lambda: mixed_design("mixed_pooled"),
            "mixed_situations": lambda: mixed_design("mixed_situations"),
            "one_province_no_units_no_self": single_province_design,
            "units_without_group": lambda: design_by_name("units_without_group")}


#: the datasets this file runs (tests/test_designs_situations.py runs the others)
HERE = ("mixed_pooled", "one_province_no_units_no_self")


def test_every_dataset_and_situation_is_run_once():
    """Every province of :data:`MIXED` is in exactly one part, and every dataset is run by exactly one file."""
    from test_designs_situations import THERE

    parts = [name for part in MIXED_PARTS.values() for name in part]
    assert sorted(parts) == sorted(MIXED) and len(set(parts)) == len(parts)
    assert sorted(HERE + THERE) == sorted(DATASETS)


def run_dataset(name: str, tmp_path_factory) -> tuple:
    """(name, design, reports folder, manifest, exit status) of ``run --all`` on one dataset."""
    root = tmp_path_factory.mktemp(name)
    design = DATASETS[name]()
    manifest = write_synthetic(root / "raw", seed=7, design=design)
    status = main(["run", "--all", "--raw", str(root / "raw"), "--processed", str(root / "processed"),
                   "--reports", str(root / "reports"), "--quiet"])
    return name, design, root / "reports", manifest, status


@pytest.fixture(scope="module", params=HERE)
def ran(request, tmp_path_factory):
    """(design, reports folder, manifest, exit status) of ``run --all`` on one dataset."""
    return run_dataset(request.param, tmp_path_factory)


def _results(folder: Path) -> dict:
    """Each report's entry of the folder's results.json (what its page showed: sentences, tables), with its typed
    summary (``load_summary``: every number and reason the report states) under ``"values"``."""
    from iso18091lab.summaries.base import load_summary

    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    return {report: {**entry, "values": load_summary(folder, report)} for report, entry in results.items()}


def _reasons(results: dict, notebook: str) -> str:
    """What a report's summary could not estimate, in Vietnamese words (``ne_<reason>`` with its values; an error's
    own words for a reason ``""``)."""
    summary = results.get(notebook, {}).get("values")
    return " ".join(t(f"ne_{n.reason}", "vi", **n.values) if n.reason else str(n.values.get("detail", ""))
                    for n in getattr(summary, "not_estimated", []))


def _keys(results: dict, notebook: str) -> set[str]:
    """The NotEstimable reason keys of a report's summary (``not_estimated``)."""
    summary = results.get(notebook, {}).get("values")
    return {n.reason for n in getattr(summary, "not_estimated", [])}


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
            # (the substring tests first: on a page of embedded figures, a regex that starts at every character is
            # slow; "\wWarning: " matches exactly where "\w+Warning: " does, without backtracking over each word)
            assert "Traceback (most recent call last)" not in html
            assert "Error: " not in html or not re.search(r"\b[A-Z]\w+Error: ", html)
            # nor a Python warning with a file path: a reader cannot act on it (fix it at its source)
            assert not re.search(r"\wWarning: ", html), (slug, notebook["notebook"])
            for note in notebook.get("not_estimable", []):
                assert note["reason"] in html  # the reason is shown in the report, in words
    index = (reports / "index.html").read_text(encoding="utf-8")
    if any(m["status"] == "partial" for m in manifests.values()):
        assert t("partial", "vi") in index


def test_no_english_in_vietnamese_pages_packs_workbooks_and_figures(ran):
    """Every design: the pages, the tables pages, the Word packs, the evidence workbooks and the text the figures
    draw are in Vietnamese — no English word, no snake_case header (values typed so in the raw files excepted)."""
    from english import english_in_outputs, raw_words

    name, _, reports, _, _ = ran
    found = english_in_outputs(reports, raw_words(reports.parent / "raw"))
    assert not found, (name, found)


def test_planted_bodies_and_waves_are_recovered(ran):
    name, design, reports, manifest, _ = ran
    for province in design.provinces:
        from iso18091lab.normalize import slugify

        quality = _results(reports / slugify(province.name))["00_data_quality"]["values"]
        if design.units_table != "no_group":  # without a usable units table, spelling variants are separate bodies
            assert quality.n_bodies == len(province.bodies), province.name
        assert len(quality.wave_labels) == len(province.waves), province.name
        if design.units_table == "full":
            assert quality.n_pilot == sum(b.group == "pilot" for b in province.bodies), province.name


def test_what_cannot_be_estimated_says_why(ran):
    name, design, reports, _, _ = ran
    vi = lambda key, **values: t(f"ne_{key}", "vi", **values)  # noqa: E731
    national = _results(reports / "toan-quoc")
    if name == "mixed_situations":
        one_wave = _results(reports / "hai-phong")
        assert vi("one_wave", wave="2024") in _reasons(one_wave, "30_effectiveness")
        assert vi("no_comparison") in _reasons(_results(reports / "quang-ninh"), "30_effectiveness")
        assert vi("no_pilot") in _reasons(_results(reports / "ha-noi"), "30_effectiveness")
        assert vi("no_members") in _reasons(_results(reports / "lao-cai"), "20_reliability")
        left, _ = _national_pools_only_what_provinces_can_answer(design, reports, national["40_national"]["values"])
        not_estimable = {p for p, reason in left.items() if reason == "not_estimable"}
        assert {"Hải Phòng", "Quảng Ninh", "Hà Nội"} <= not_estimable
    elif name == "mixed_pooled":
        full = _results(reports / "can-tho")
        assert full["30_effectiveness"]["values"].primary.estimate is not None  # blank levels: estimated
        values = national["40_national"]["values"]
        assert values.pooled  # several provinces could be pooled
        left, bounded = _national_pools_only_what_provinces_can_answer(design, reports, values)
        assert {"Hưng Yên", "Bắc Ninh"} <= bounded
        assert {"Đồng Nai", "Ninh Bình"} <= {p for p, reason in left.items() if reason == "unbounded"}
        _smallest_designs_say_why(reports)
    elif name == "one_province_no_units_no_self":
        province = _results(reports / "hai-phong")
        assert vi("no_groups") in _reasons(province, "30_effectiveness")
        assert vi("no_self") in _reasons(province, "20_reliability")
        assert vi("one_province", n=1) in _reasons(national, "40_national")
    else:  # units without group: the units file is one structural error; groups are unknown
        province = _results(reports / "hai-phong")
        assert vi("no_groups") in _reasons(province, "30_effectiveness")


def _national_pools_only_what_provinces_can_answer(design, reports: Path, national) -> tuple[dict, set]:
    """The national pooling weighs exactly the provinces whose own report gives a bounded interval; a province
    whose own report says the design cannot answer is left out and named with that reason (issue: the national
    verdict pooled such provinces with an SE their own report does not trust). Returns ({province left out:
    reason}, {province with a bounded interval})."""
    from iso18091lab.normalize import slugify

    left = {x.province: x.reason for x in national.left_out}
    bounded = set()
    for province in design.provinces:
        own = _results(reports / slugify(province.name))["30_effectiveness"]["values"]
        if own.primary is None:
            assert left[province.name] == "not_estimable", province.name
            continue
        primary = own.primary
        if own.verdict.reason == "design_too_small":
            assert left[province.name] == "unbounded", province.name
        if abs(primary.ci_low) < float("inf") and abs(primary.ci_high) < float("inf"):
            bounded.add(province.name)
        else:
            assert left[province.name] == "unbounded", province.name
    assert not bounded & set(left)
    # fewer than two provinces to pool: no national number (stats.verdict.national_effect_verdict)
    assert national.pooled.n == len(bounded) if len(bounded) >= 2 else national.pooled is None
    return left, bounded


def _smallest_designs_say_why(reports: Path) -> None:
    """The smallest designs of the mixed dataset (issue 19): expected from the design, never from the code."""
    status = {slug: {n["notebook"]: n["status"] for n in json.loads((reports / slug / "manifest.json")
                                                                   .read_text(encoding="utf-8"))["notebooks"]}
              for slug in ("thanh-hoa", "ninh-binh", "dong-nai", "lai-chau", "gia-lai")}
    assert not [(slug, nb) for slug, notebooks in status.items() for nb, s in notebooks.items() if s == "failed"]
    # no red light in the latest wave (2023): the scorecard runs, counts no red, lists none, the Word pack is written
    card = _results(reports / "thanh-hoa")["10_scorecard"]
    assert card["values"].latest_year == 2023 and card["values"].n_red == 0
    red_table = next(info for info in card["tables"] if "red" in info["csv"])
    assert red_table["rows"] == 0
    assert t("sc_s3_none", "vi", latest=2023, top=card["values"].top_body) in card["summary"]
    red_manifest = json.loads((reports / "thanh-hoa" / "manifest.json").read_text(encoding="utf-8"))
    assert red_manifest["evidence"].get("docx")
    from docx import Document

    red_pack = [p.text for p in Document(reports / "thanh-hoa" / red_manifest["evidence"]["docx"]).paragraphs]
    # the pack does not announce a per-body action list it then leaves empty: it says no body has a red indicator
    assert t("ev_recommendations_only", "vi", section="1.3") in red_pack and t("ev_actions_none", "vi") in red_pack
    assert t("ev_recommendations_see", "vi", section="1.3") not in red_pack
    # 3 + 3 bodies: council members scored 2 bodies (member_bodies=2), too few for their agreement; at most
    # C(6, 3) = 20 labellings of pilot status exist, so the permutation p cannot fall below 1/20
    three = _results(reports / "ninh-binh")
    assert "too_few" in _keys(three, "20_reliability")
    primary = three["30_effectiveness"]["values"].primary
    assert primary.params["n_pilot"] == 3 and primary.p_value >= 1 / 20
    # ... so the headline uses randomization inference, says the design cannot answer, and the Word pack's answer
    # is not "Có": its interval (unbounded) and its p (>= 0.05) agree
    # (bodies are re-assigned within their level, so there are at most 20 assignments; p_min = 1 / assignments)
    assert primary.params["inference"] == "randomization" and primary.params["p_min"] >= 1 / 20
    assert primary.params["p_min"] == pytest.approx(1 / primary.params["n_assignments"])
    assert three["30_effectiveness"]["values"].verdict.reason == "design_too_small"
    manifest = json.loads((reports / "ninh-binh" / "manifest.json").read_text(encoding="utf-8"))
    pack = "\n".join(p.text for p in Document(reports / "ninh-binh" / manifest["evidence"]["docx"]).paragraphs)
    assert "Chưa trả lời được với thiết kế này" in pack and re.search(r"p nhỏ nhất có thể là 0,\d+", pack)
    assert not re.search(r"^Có[.,]", pack, re.M) and "khó là do ngẫu nhiên" not in pack
    assert "ủng hộ việc nhân rộng" not in pack.replace("không ủng hộ việc nhân rộng", "")
    # one pilot per start cohort: the 3 pilots (starts 2022, 2023, 2024; waves from 2021) all enter
    staggered = _results(reports / "dong-nai")["30_effectiveness"]["values"].primary
    assert staggered.params["n_pilot"] == 3 and 0 < staggered.p_value <= 1
    assert staggered.params["inference"] == "randomization"  # single-pilot start cohorts: never the BJS interval
    # one body (a pilot): nothing to compare it with, and one body's members cannot show agreement between bodies
    one = _results(reports / "lai-chau")
    assert one["00_data_quality"]["values"].n_bodies == 1
    assert "no_comparison" in _keys(one, "30_effectiveness") and one["30_effectiveness"]["values"].primary is None
    assert "too_few" in _keys(one, "20_reliability")
    # one indicator: no indicator set whose consistency could be measured
    single = _results(reports / "gia-lai")
    assert "too_few" in _keys(single, "20_reliability")

"""``iso18091lab run`` end to end on the fixture: files, manifests, index, and numbers against the package."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import iso18091lab as lab
from iso18091lab.run.request import RunError, check_parameters, analysis_notebooks, resolve_provinces
from iso18091lab.run.runner import run
from iso18091lab.run.workbench import small_design
from iso18091lab.stats import descriptive as d
from iso18091lab.summaries.base import load_summary


@pytest.fixture(scope="module")
def two_provinces(small_processed, tmp_path_factory):
    import os

    reports = tmp_path_factory.mktemp("reports")
    before = os.getcwd()
    runs = run(["hai-phong", "Quang Ninh"], raw=small_processed / "raw", processed=small_processed / "processed",
               reports=reports, progress=False)
    assert os.getcwd() == before, "running notebooks in threads must not move the process's working directory"
    return runs, reports, lab.load(small_processed / "processed")


def test_every_file_exists(two_provinces):
    runs, reports, _ = two_provinces
    assert [r.status for r in runs] == ["ok", "ok"], [(n.notebook, n.error) for r in runs for n in r.notebooks]
    assert (reports / "index.html").exists()
    index = (reports / "index.html").read_text(encoding="utf-8")
    for slug in ("hai-phong", "quang-ninh"):
        folder = reports / slug
        for notebook in analysis_notebooks():
            assert (folder / notebook.name).exists() and (folder / f"{notebook.stem}.html").exists()
            assert f"{slug}/{notebook.stem}.html" in index
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["status"] == "ok" and manifest["synthetic"] is True
        assert manifest["seed"] == 2024 and len(manifest["input_hash"]) == 64
        assert {"pandas", "papermill", "python"} <= set(manifest["versions"])
        assert manifest["started"] <= manifest["finished"]
        results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        for entry in results.values():
            # what the page showed, no number of its own: those are the typed summary's (summaries/<report>.json)
            assert not {"values", "province", "synthetic"} & set(entry)
            assert (folder / "summaries" / f"{entry['notebook']}.json").exists()
            for fig in entry["figures"]:
                # the SVG only where it stays small (report.NotebookReport.figure); the PNG always
                assert (folder / fig["png"]).exists() and (fig["svg"] is None or (folder / fig["svg"]).exists())
            for table in entry["tables"]:
                assert (folder / table["csv"]).exists() and (folder / table["xlsx"]).exists()
    assert "DỮ LIỆU MÔ PHỎNG" in index
    # the index reads each province's effectiveness summary: its main result is the primary effect and CI
    from iso18091lab.i18n import number

    primary = load_summary(reports / "hai-phong", "30_effectiveness").primary
    if abs(primary.ci_low) == float("inf"):  # too few bodies: the interval has no bound, said in words
        assert f"{number(abs(primary.estimate))} điểm (thang 0–100), nhưng" in index
        assert "khoảng tin cậy 95% không có giới hạn" in index
    else:
        assert (f"{number(abs(primary.estimate))} điểm (thang 0–100); khoảng tin cậy 95%: từ "
                f"{number(primary.ci_low)} đến {number(primary.ci_high)} điểm") in index


def test_results_equal_values_computed_with_the_package(two_provinces):
    _, reports, data = two_provinces
    for province, slug in (("Hải Phòng", "hai-phong"), ("Quảng Ninh", "quang-ninh")):
        part = data.for_province(province)
        results = json.loads((reports / slug / "results.json").read_text(encoding="utf-8"))
        quality = load_summary(reports / slug, "00_data_quality")
        completeness = d.completeness(part.assessments, part.units, part.catalog)
        planted = {design.name: len(design.bodies) for design in small_design()}  # 6 pilot + 6 comparison each
        assert quality.n_bodies == len(part.units) == planted[province] == 12
        assert quality.n_scores == len(part.assessments)
        assert quality.share_scored == pytest.approx(completeness["share_scored"].mean(), abs=1e-12)
        q = data.quarantine[data.quarantine["province"] == province]
        assert quality.n_quarantined_rows == len(q[["file", "sheet", "row"]].drop_duplicates())
        card = load_summary(reports / slug, "10_scorecard")
        council = d.overall_scores(part.assessments, "council")
        latest = int(part.assessments["year"].max())
        assert card.latest_year == latest
        assert card.council_mean_latest == pytest.approx(council.loc[council["year"] == latest, "score"].mean(),
                                                            abs=1e-12)
        # an independent computation of the overall score: mean over pillars of mean score_100
        a = part.assessments
        a = a[(a["rater"] == "council") & a["rater_id"].isna() & (a["year"] == latest)].dropna(subset=["score_100"])
        by_body = a.groupby(["unit", "pillar"])["score_100"].mean().groupby("unit").mean()
        assert card.council_mean_latest == pytest.approx(float(by_body.mean()), abs=1e-9)
        assert card.n_red == int(((a["rating"] == "red")).sum())
        assert results["10_scorecard"]["summary"][0].startswith(f"Năm {latest}")
        from iso18091lab.stats.did.table import EFFECTIVENESS_COLUMNS
        from iso18091lab.stats.verdict import MIN_PILOTS_PER_START

        exported = pd.read_csv(reports / slug / "tables" / "effectiveness.csv", keep_default_na=False)
        assert list(exported.columns) == EFFECTIVENESS_COLUMNS
        timing = d.pilot_timing(part.assessments)
        if not timing["usable"].any():
            # every pilot's first wave is under the pilot (a fixture written under the old pilot_start convention):
            # nothing to compare, and the report says so
            assert len(exported) == 0
            from iso18091lab.i18n import t

            said = " ".join(n["reason"] for n in results["30_effectiveness"]["not_estimable"])
            assert any(t("ne_no_pre_wave", lang) in said for lang in ("vi", "en"))
            continue
        primary = exported[(exported["level"] == "overall") & (exported["rater"] == "council")].iloc[0]
        # independent ATT: dense dummies (numpy lstsq) on untreated body-waves, mean of observed - imputed
        c = council.assign(d=d.under_pilot(council), wave=council["year"] * 10 + council["round"])
        c = c[c["body_id"].isin(timing.loc[timing["usable"], "body_id"]) | (c["group"] == "comparison")]
        x = pd.concat([pd.get_dummies(c["body_id"].astype(str)), pd.get_dummies(c["wave"].astype(str))], axis=1)
        x = x.to_numpy(float)
        untreated = ~c["d"].to_numpy()
        coef = np.linalg.lstsq(x[untreated], c["score"].to_numpy(float)[untreated], rcond=None)[0]
        att = float(np.mean(c["score"].to_numpy(float)[~untreated] - x[~untreated] @ coef))
        assert primary["estimate"] == pytest.approx(att, abs=1e-9)
        assert load_summary(reports / slug, "30_effectiveness").primary.params["n_pilot"] == int(
            timing["usable"].sum())
        assert "overall" in set(exported["level"])
        # two-way FE (secondary) only with enough pilot bodies under the pilot for its clustered SE
        assert ("secondary" in set(exported["level"])) == (int(timing["usable"].sum()) >= MIN_PILOTS_PER_START)


def test_parameter_names_are_checked_before_anything_runs(tmp_path):
    notebooks = analysis_notebooks()
    with pytest.raises(RunError, match="unknown parameter"):
        check_parameters(notebooks, {"x = 1; import os; y": "1"})
    check_parameters(notebooks, {"seed": "01"})  # declared names pass, values untouched


def test_unknown_province_lists_the_known_ones():
    with pytest.raises(RunError, match="known: Hải Phòng, Quảng Ninh"):
        resolve_provinces(["Hà Nội"], ["Hải Phòng", "Quảng Ninh"])
    assert resolve_provinces(["TP. Hải Phòng", "quang-ninh", "hai phong"], ["Hải Phòng", "Quảng Ninh"]) == \
        ["Hải Phòng", "Quảng Ninh"]


def test_run_errors_speak_the_language_asked_for(tmp_path):
    with pytest.raises(RunError) as vi:
        resolve_provinces(["Hà Nội"], [], "vi")
    assert str(vi.value) == "không có tỉnh/thành phố 'Hà Nội' trong dữ liệu; các tỉnh có: (không có)"
    with pytest.raises(RunError) as en:
        check_parameters(analysis_notebooks(), {"nope": "1"}, "en")
    assert "unknown parameter(s) ['nope']" in str(en.value) and "tham số" not in str(en.value)
    with pytest.raises(RunError, match="^không có notebook phân tích trong .* / no analysis notebooks in "):
        analysis_notebooks(tmp_path)  # not told the language: both, Vietnamese first


def test_a_failing_province_does_not_stop_the_other(small_processed, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    broken = json.loads(analysis_notebooks()[0].read_text(encoding="utf-8"))
    broken["cells"].insert(3, {"id": "broken", "cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                               "source": "if province == 'Hải Phòng':\n    raise ValueError('hỏng có chủ ý')"})
    (notebooks / "00_data_quality.ipynb").write_text(json.dumps(broken), encoding="utf-8")
    runs = run(all_provinces=True, raw=small_processed / "raw", processed=small_processed / "processed",
               reports=tmp_path / "reports", notebooks_dir=notebooks, progress=False)
    status = {r.province: r for r in runs}
    assert status["Quảng Ninh"].status == "ok"
    failed = status["Hải Phòng"].notebooks[0]
    assert failed.status == "failed" and "hỏng có chủ ý" in failed.error
    # the cell inserted at index 3 is the notebook's 4th cell; it raises on its 2nd line
    assert (failed.failing_cell, failed.failing_line) == (4, 2)
    assert failed.failing_source == "raise ValueError('hỏng có chủ ý')"
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "hỏng có chủ ý" in index


def _notebook(cells: list[str]) -> dict:
    """A notebook of code cells after a title cell; the first code cell is the parameters cell."""
    import nbformat

    node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# thử / test")])
    for k, source in enumerate(cells):
        node.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]} if k == 0 else {}))
    node.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return node


def test_a_failing_notebook_is_reported_by_its_cell_in_the_file_and_its_line(small_processed, tmp_path, capsys):
    """The failing cell is named by its position in the notebook file and the failing line by its text, in the
    CLI output, manifest.json and the index — not by the kernel's execution count, which a warm kernel carries
    over from the report it ran before (here 01_first on the same kernel: one worker)."""
    import nbformat

    from iso18091lab.cli import _print_runs

    parameters = ('province = "x"\nprocessed_dir = "."\noutput_dir = "."\nlang = "vi"\nseed = 1')
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(_notebook([parameters] + [f"a{k} = {k}" for k in range(6)]), notebooks / "01_first.ipynb")
    broken = _notebook([parameters, "def helper():\n    return {}['khong-co']", "y = 2", "y = 2",
                        "z = 3\n# gọi hàm / call it\nhelper()\nz = 4", "w = 5"])
    nbformat.write(broken, notebooks / "02_broken.ipynb")
    reports = tmp_path / "reports"
    runs = run(["hai-phong"], raw=small_processed / "raw", processed=small_processed / "processed", reports=reports,
               notebooks_dir=notebooks, progress=False, workers=1)
    first, failed = runs[0].notebooks
    assert first.status == "ok" and failed.status == "failed" and failed.error == "KeyError: 'khong-co'"
    # cells of 02_broken: 1 title, 2 parameters, 3 helper, 4-5 'y = 2', 6 the call (its 3rd line), 7 not run
    assert (failed.failing_cell, failed.failing_line, failed.failing_source) == (6, 3, "helper()")
    executed = json.loads((reports / "hai-phong" / "02_broken.ipynb").read_text(encoding="utf-8"))
    counts = [c["execution_count"] for c in executed["cells"]
              if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(counts) == 1 and counts[0] > 6  # the kernel's count (In [16] here) would have misled
    manifest = json.loads((reports / "hai-phong" / "manifest.json").read_text(encoding="utf-8"))
    entry = {n["notebook"]: n for n in manifest["notebooks"]}["02_broken"]
    assert (entry["failing_cell"], entry["failing_line"], entry["failing_source"]) == (6, 3, "helper()")
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "KeyError: &#39;khong-co&#39; (ô thứ 6 của notebook, dòng 3: helper())" in index
    assert _print_runs(runs, reports) == 1
    assert "02_broken, ô 6, dòng 3: helper() — KeyError: 'khong-co'" in capsys.readouterr().err


def test_run_ingests_when_raw_data_changed(small_processed, tmp_path):
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(small_processed / "raw", raw)
    processed = tmp_path / "processed"
    from iso18091lab.intake.pipeline import ingest
    from iso18091lab.run.request import needs_ingest

    assert needs_ingest(raw, processed) is True
    ingest(raw, processed)
    assert needs_ingest(raw, processed) is False
    extra = raw / "extra.csv"
    extra.write_text("province,unit,year,rater,indicator,score\nHải Phòng,Lê Chân,2023,self,1.1,7\n", encoding="utf-8")
    assert needs_ingest(raw, processed) is True
    ingest(raw, processed)
    assert len(pd.read_parquet(processed / "assessments.parquet")) > 0


def test_kernels_run_without_transport_warnings(tmp_path, capfd):
    import nbformat
    import papermill

    from iso18091lab.run.kernels import KERNEL_NAME, kernel_manager_class

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "n.ipynb")
    papermill.execute_notebook(str(tmp_path / "n.ipynb"), str(tmp_path / "out.ipynb"), kernel_name=KERNEL_NAME,
                               progress_bar=False, kernel_manager_class=kernel_manager_class())
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs[0]["text"] == "42\n"
    err = capfd.readouterr().err
    assert "without encryption" not in err and "WARNING" not in err, err


def test_pyproject_license_is_an_spdx_string():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"  # the table form {text = ...} makes pip/setuptools print a deprecation


def test_the_runner_skips_only_the_slow_iri_checker_and_notebooks_still_validate():
    """skip_slow_iri_format_checker (jsonschema issue #1428): no rfc3987_syntax in the runner's process, and
    nbformat still rejects an invalid notebook and accepts ours."""
    import subprocess
    import sys

    code = """
import sys
from iso18091lab.run.kernels import skip_slow_iri_format_checker
from iso18091lab.run.request import NOTEBOOKS_DIR
skip_slow_iri_format_checker()
import nbformat, papermill
from jsonschema import FormatChecker
for path in sorted(NOTEBOOKS_DIR.glob('*.ipynb')):
    nbformat.validate(nbformat.read(path, as_version=4))
bad = nbformat.v4.new_notebook()
bad.cells.append({"cell_type": "code", "source": "x", "metadata": {}})  # no outputs, no execution_count
try:
    nbformat.validate(bad)
except nbformat.ValidationError:
    print("invalid rejected")
print(sys.modules.get("rfc3987_syntax"), "iri" in FormatChecker.checkers, "date-time" in FormatChecker.checkers)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:2] == ["invalid rejected", "None False True"], done.stdout + done.stderr


def test_the_national_report_starts_after_every_province_s_reports_20_and_30(small_processed, tmp_path):
    """Stand-in reports (two workers): 20 and 30 write a file after a pause, 30 fails for Hải Phòng, 10
    takes longer than both; the national one records what it was given. It starts after every province's 20 and
    30 ended (not after 10, which may still run), reads Quảng Ninh's folder and gets Hải Phòng as missing, with
    the report that failed."""
    import nbformat

    head = 'province = "x"\nprocessed_dir = "."\noutput_dir = "."\nlang = "vi"\nseed = 1'
    save = ("import pathlib, time\ntime.sleep({pause})\nfolder = pathlib.Path(output_dir) / 'summaries'\n"
            "folder.mkdir(parents=True, exist_ok=True)\n(folder / 'stand-in-{name}.txt').write_text('')")
    sources = {"10_scorecard": ["import time\ntime.sleep(4)"],
               "20_reliability": [save.format(pause=1, name="20_reliability")],
               "30_effectiveness": ["assert province != 'Hải Phòng', 'hỏng có chủ ý'",
                                    save.format(pause=1.5, name="30_effectiveness")],
               "40_national": ["import json, pathlib\n(pathlib.Path(output_dir) / 'given.json').write_text("
                               "json.dumps({'dirs': province_dirs, 'missing': provinces_missing}))"]}
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name, cells in sources.items():
        extra = "\nprovince_dirs = {}\nprovinces_missing = {}" if name.startswith("40") else ""
        nbformat.write(_notebook([head + extra] + cells), notebooks / f"{name}.ipynb")
    reports = tmp_path / "reports"
    runs = run(all_provinces=True, raw=small_processed / "raw", processed=small_processed / "processed",
               reports=reports, notebooks_dir=notebooks, progress=False, workers=2)
    by_name = {r.province: {n.notebook: n for n in r.notebooks} for r in runs}
    national = by_name["Toàn quốc"]["40_national"]
    assert national.status == "ok" and national.started
    inputs = [by_name[p][stem] for p in ("Hải Phòng", "Quảng Ninh") for stem in ("20_reliability", "30_effectiveness")]
    assert all(n.finished and n.finished <= national.started for n in inputs), [(n.notebook, n.finished) for n in inputs]
    assert by_name["Hải Phòng"]["30_effectiveness"].status == "failed"
    given = json.loads((reports / "toan-quoc" / "given.json").read_text(encoding="utf-8"))
    assert given == {"dirs": {"Quảng Ninh": str(reports / "quang-ninh")},
                     "missing": {"Hải Phòng": "30_effectiveness"}}
    manifest = json.loads((reports / "toan-quoc" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["provinces_missing"] == {"Hải Phòng": "30_effectiveness"}
    assert manifest["notebooks"][0]["started"] == national.started

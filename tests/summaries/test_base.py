"""The typed summary convention: a save/load round trip keeps every field and table with its type, the JSON file
validates against the summary's JSON Schema, and files of another version or kind are refused."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import jsonschema
import pandas as pd
import pytest

from iso18091lab.stats.verdict import Verdict
from iso18091lab.summaries.base import (SCHEMA_VERSION, Estimate, NotEstimated, Summary, has_summary,
                                        load_summary, register)


@register
@dataclass
class _ExampleSummary(Summary):
    report = "99_example"
    primary: Estimate | None = None
    verdict: Verdict | None = None
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    counts: dict[str, int] = field(default_factory=dict)
    shares: list[float] = field(default_factory=list)


def _example() -> _ExampleSummary:
    rows = pd.DataFrame({"indicator": pd.Series(["1.1", "1.10"], dtype="string"),
                         "estimate": [1.5, float("nan")], "n": pd.Series([3, None], dtype="Int64")})
    return _ExampleSummary(province="Hải Phòng", synthetic=True, params={"seed": 1, "n_permutations": 2000},
                           not_estimated=[NotEstimated("eff_h_event", "one_wave", {"year": 2024})],
                           primary=Estimate(3.25, -math.inf, math.inf, 0.15, 6, "imputation_did",
                                            {"inference": "randomization", "n_assignments": 20}),
                           verdict=Verdict("unclear", "design_too_small", {"p_min": 0.05}),
                           rows=rows, counts={"pilot": 3, "comparison": 3}, shares=[0.5, float("nan")])


def test_a_summary_comes_back_equal_with_its_types(tmp_path):
    summary = _example()
    summary.save(tmp_path)
    assert has_summary(tmp_path, "99_example") and not has_summary(tmp_path, "30_effectiveness")
    back = load_summary(tmp_path, "99_example")
    assert isinstance(back, _ExampleSummary)
    assert back.primary == summary.primary and math.isinf(back.primary.ci_low) and back.primary.ci_low < 0
    assert back.verdict == summary.verdict and back.not_estimated == summary.not_estimated
    assert back.counts == {"pilot": 3, "comparison": 3} and back.shares[0] == 0.5 and math.isnan(back.shares[1])
    pd.testing.assert_frame_equal(back.rows, summary.rows)  # "1.10" stays text, Int64 stays Int64
    assert (back.province, back.synthetic, back.params) == ("Hải Phòng", True, {"seed": 1, "n_permutations": 2000})


def test_the_json_file_validates_against_the_summary_schema(tmp_path):
    path = _example().save(tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, _ExampleSummary.json_schema())
    document["fields"]["primary"]["n"] = "six"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, _ExampleSummary.json_schema())


def test_another_version_or_kind_is_refused_with_a_reason(tmp_path):
    path = _example().save(tmp_path)
    document = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**document, "version": SCHEMA_VERSION + 1}), encoding="utf-8")
    with pytest.raises(ValueError, match="run the report again"):
        load_summary(tmp_path, "99_example")
    path.write_text(json.dumps({**document, "kind": "OtherSummary"}), encoding="utf-8")
    with pytest.raises(ValueError, match="OtherSummary"):
        load_summary(tmp_path, "99_example")


def test_a_table_with_attrs_is_refused():
    summary = _example()
    summary.rows.attrs["method"] = "hidden metadata"
    with pytest.raises(ValueError, match="attrs"):
        summary.save("unused")


def test_load_summary_reads_a_report_whose_module_no_one_imported(tmp_path):
    """A reader that imports only ``load_summary`` (a test, a script) gets the report's class: the report's module
    is imported by its name ("10_scorecard" -> ``summaries.scorecard``), in a fresh interpreter."""
    import subprocess
    import sys

    from iso18091lab.summaries.scorecard import ScorecardSummary

    ScorecardSummary("Hải Phòng", True, latest_year=2024, baseline_year=2021).save(tmp_path)
    code = ("import sys\nfrom iso18091lab.summaries.base import SUMMARIES, load_summary\n"
            "assert '10_scorecard' not in SUMMARIES\n"
            "s = load_summary(sys.argv[1], '10_scorecard')\n"
            "print(type(s).__name__, s.province, s.latest_year, s.baseline_year)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["ScorecardSummary", "Hải", "Phòng", "2024", "2021"]

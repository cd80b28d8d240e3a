"""The other half of tests/test_designs.py, in a file of its own so that ``--dist loadfile`` gives it the other
worker: the "mixed_situations" part of the mixed dataset (one wave, no comparison bodies, no pilot bodies, traffic
lights only, points only without council members, a body's own subset of indicators, a year with no red light, two
bodies with one name) and the units table without its group column, each run through ``run --all`` and checked by
the same tests, imported from there (pytest collects them here too, with this file's ``ran``)."""
from __future__ import annotations

import pytest

from test_designs import (  # noqa: F401 - the tests, collected again here
    run_dataset, test_no_english_in_vietnamese_pages_packs_workbooks_and_figures,
    test_planted_bodies_and_waves_are_recovered, test_run_all_exits_0_and_every_report_renders,
    test_what_cannot_be_estimated_says_why)

#: the datasets this file runs (tests/test_designs.py runs the others)
THERE = ("mixed_situations", "units_without_group")


@pytest.fixture(scope="module", params=THERE)
def ran(request, tmp_path_factory):
    """(design, reports folder, manifest, exit status) of ``run --all`` on one dataset."""
    return run_dataset(request.param, tmp_path_factory)

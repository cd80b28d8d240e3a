"""The runnable Examples in the statistics' docstrings are run here, so a documented example cannot go stale."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import iso18091lab.stats as stats_package

#: Every module of the statistics package, sub-packages included (``stats.did``).
MODULES = ["iso18091lab.stats"] + sorted(m.name for m in pkgutil.walk_packages(stats_package.__path__,
                                                                               "iso18091lab.stats."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_the_verdicts_and_the_headline_have_examples():
    for name in ("iso18091lab.stats.verdict", "iso18091lab.stats.did.imputation"):
        assert doctest.testmod(importlib.import_module(name)).attempted > 0, name


def test_the_sub_packages_modules_are_collected():
    assert {"iso18091lab.stats.did.imputation", "iso18091lab.stats.did.event_study", "iso18091lab.stats.intraclass",
            "iso18091lab.stats.reml", "iso18091lab.stats.review.table", "iso18091lab.stats.review.leniency"} <= set(MODULES)

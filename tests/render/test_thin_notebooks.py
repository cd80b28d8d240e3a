"""Notebooks 30 and 40 are thin (issue 20): a parameters cell, a call to the summary builder, rendering — at most
40 code lines, no loop, branch or exception handling, and no hidden self-check cell (its checks are pytest
tests: tests/summaries/test_effectiveness.py, tests/summaries/test_national.py)."""
from __future__ import annotations

import ast

import nbformat
import pytest

from iso18091lab.run.request import NOTEBOOKS_DIR


@pytest.mark.parametrize("name", ["30_effectiveness", "40_national"])
def test_the_notebook_only_builds_and_renders(name):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    lines = [line for c in code for line in c.source.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(lines) <= 40, len(lines)
    for cell in code:
        tree = ast.parse(cell.source)
        kinds = {type(node).__name__ for node in ast.walk(tree)}
        assert not kinds & {"For", "While", "If", "IfExp", "Try", "ListComp", "DictComp", "GeneratorExp",
                            "Lambda"}, (cell.source, kinds)
        assert "remove_cell" not in cell.metadata.get("tags", []), cell.source  # no hidden self-check
    assert any("build_" in c.source for c in code)

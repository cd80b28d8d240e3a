"""Every analysis notebook passes ``pytest --nbval-lax`` on a small fixture dataset.

The committed notebooks have no outputs, so nbval checks that every cell runs without an error; the numbers a
report states are its typed summary's, checked against the data by tests/summaries and tests/run.
"""
from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from iso18091lab.run.request import (NATIONAL_NAME, NOTEBOOKS_DIR, BASE_PARAMETERS, analysis_notebooks,
                                     declared_parameters, national_notebooks)


@pytest.mark.parametrize("notebook", analysis_notebooks() + national_notebooks(), ids=lambda p: p.stem)
def test_notebook_passes_nbval_on_fixture(notebook, small_processed, tmp_path):
    province = NATIONAL_NAME if notebook in national_notebooks() else "Quảng Ninh"
    parameters = {"province": province, "processed_dir": str(small_processed / "processed"),
                  "output_dir": str(tmp_path / "out"), "lang": "vi", "seed": 1}
    nb = parameterize_notebook(load_notebook_node(str(notebook)), parameters)
    copy = tmp_path / notebook.name
    nbformat.write(nb, copy)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval-lax", "--nbval-current-env",
                           "-p", "no:cacheprovider", str(copy)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


def test_declared_parameters_are_those_papermill_reads(tmp_path):
    """declared_parameters reads the parameters cell with ast; papermill's inspect_notebook is the reference."""
    import papermill

    source = ('# a comment\nprovince = "Hà Nội"  # the province\nseed: int = 2024\nlimit: float\n'
              'names = [\n    "a",\n    "b",\n]\neffects = {"x": 1.5}\n')
    made = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("before = 0"),
                                           nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]})])
    made.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(made, tmp_path / "made.ipynb")
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")) + [tmp_path / "made.ipynb"]:
        assert declared_parameters(path) == set(papermill.inspect_notebook(str(path))), path.name


def test_notebooks_are_committed_clean_with_tagged_parameters():
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert not any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), path.name
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path.name
        assert set(BASE_PARAMETERS) <= declared_parameters(path)
        assert nb.metadata["kernelspec"]["name"] == "python3"

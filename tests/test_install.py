"""The workbench installs without the repository: a wheel (notebooks and templates inside), installed non-editable
into a fresh virtual environment, runs ``iso18091lab demo``; and ``iso18091lab lab`` prepares notebooks that run
top to bottom with their default parameters, as papermill runs them.

Keeping the install test under two minutes: the wheel is built with ``--no-build-isolation`` (no download), and
installed with ``--no-deps --no-index`` into a venv created *without* the repository on its path. Its
dependencies come from the test environment through a ``.pth`` line naming that environment's site-packages
(a venv made from a venv would otherwise only see the base interpreter); ``.pth`` files *inside* that directory
are not processed, so the development (editable) install of iso18091lab stays invisible and the package the
new venv imports is the wheel's. ``JUPYTER_PATH`` names the test environment's ``share/jupyter`` for
nbconvert's base templates, which a normal install brings in its own prefix.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    import shutil

    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"  # a clean copy: no stale build/ folder, nothing written into the repository
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "reports",
                                                                "processed", "__pycache__", ".pytest_cache"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out),
                           str(source)], capture_output=True, text=True, cwd=out)
    assert done.returncode == 0, done.stderr[-3000:]
    [path] = out.glob("iso18091lab-*.whl")
    return path, done.stdout + done.stderr


def test_the_wheel_holds_the_notebooks_and_builds_quietly(wheel):
    import zipfile

    path, log = wheel
    names = zipfile.ZipFile(path).namelist()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"iso18091lab/notebooks/{notebook.name}" in names
    assert "iso18091lab/render/templates/nbconvert/iso18091lab/index.html.j2" in names
    assert "iso18091lab/data/indicators.csv" in names
    assert "Warning" not in log and "deprecat" not in log.lower(), log[-2000:]


def test_plain_install_runs_the_demo(wheel, tmp_path):
    path, _ = wheel
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                           str(path)], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "Successfully installed iso18091lab" in done.stdout, done.stdout + done.stderr
    # only now the dependencies (pip would otherwise see the development install there and skip the wheel)
    Path(site, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    where = subprocess.run([str(python), "-c", "import iso18091lab.run.request as r; print(r.__file__); "
                            "print(r.NOTEBOOKS_DIR)"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert where.returncode == 0, where.stderr[-3000:]
    module, notebooks = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(notebooks).is_relative_to(venv), where.stdout
    script = venv / ("Scripts/iso18091lab.exe" if os.name == "nt" else "bin/iso18091lab")
    demo = subprocess.run([str(script), "demo", "--out", str(tmp_path / "demo"), "--small", "--quiet"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-3000:]
    index = tmp_path / "demo" / "reports" / "index.html"
    assert f"Trang tổng hợp: {index.resolve()}" in demo.stdout  # the CLI speaks Vietnamese unless --lang en
    assert "without encryption" not in demo.stderr and "Warning" not in demo.stderr, demo.stderr[-2000:]
    for slug in ("hai-phong", "quang-ninh"):
        manifest = json.loads((tmp_path / "demo" / "reports" / slug / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["status"] in ("ok", "partial") and all(n["html"] for n in manifest["notebooks"])


def test_lab_notebooks_run_top_to_bottom_with_their_defaults(small_processed, tmp_path):
    from nbclient import NotebookClient

    from iso18091lab.cli import main

    work = tmp_path / "lab"
    assert main(["lab", "--province", "quang-ninh", "--processed", str(small_processed / "processed"),
                 "--work", str(work), "--no-start"]) == 0
    copies = sorted(work.glob("*.ipynb"))
    assert [p.name for p in copies] == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    for name in ("00_data_quality.ipynb", "10_scorecard.ipynb"):
        nb = nbformat.read(work / name, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and "province = 'Quảng Ninh'" in injected[0].source
        NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    results = json.loads((work / "reports" / "quang-ninh" / "results.json").read_text(encoding="utf-8"))
    from iso18091lab.summaries.base import load_summary

    assert set(results) == {"00_data_quality", "10_scorecard"}
    assert load_summary(work / "reports" / "quang-ninh", "10_scorecard").province == "Quảng Ninh"

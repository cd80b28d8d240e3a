"""Set-up files stay in step: environment.yml, constraints, README commands, .ci/run."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_environment_yml_lists_every_runtime_dependency():
    text = (ROOT / "environment.yml").read_text()
    listed = {m.group(1).lower() for m in re.finditer(r"^\s*-\s*([A-Za-z0-9_.-]+)\s*=", text, re.M)}
    missing = {_name(r) for r in _project()["dependencies"]} - listed
    assert not missing, f"environment.yml lacks {sorted(missing)}"


def test_constraints_pin_every_dependency_and_match_environment_yml():
    pins = dict(line.lower().split("==") for line in (ROOT / "requirements/constraints.txt").read_text().split()
                if "==" in line)
    project = _project()
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    assert not wanted - set(pins), f"not pinned: {sorted(wanted - set(pins))}"
    text = (ROOT / "environment.yml").read_text()
    for name, version in re.findall(r"^\s*-\s*([A-Za-z0-9_.-]+)=([0-9][^\s]*)", text, re.M):
        if name.lower() in pins:
            assert pins[name.lower()] == version, f"{name}: environment.yml {version} != constraints {pins[name.lower()]}"


def test_readme_shows_the_command_ci_runs():
    ci = (ROOT / ".ci/run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme and "make demo" in readme


def test_every_package_of_the_source_tree_is_in_the_wheel():
    """A sub-package missing from ``[tool.setuptools] packages`` installs without error and fails on import (it
    happened when stats/did/ and stats/review/ were split out); the plain-install test only finds it minutes later."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "iso18091lab").rglob("__init__.py")}
    assert found, "no package found under iso18091lab/"
    assert not found - listed, f"pyproject.toml [tool.setuptools] packages lacks {sorted(found - listed)}"

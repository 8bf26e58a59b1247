"""constraints.txt: what `make setup` and CI install, kept true to pyproject.toml (tools/constraints.py)."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("constraints_tool", REPO / "tools" / "constraints.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_pyproject_and_constraints_agree():
    assert _tool().check_before(["test"]) == []


def test_this_environment_is_exactly_the_pinned_closure():
    """The venv the tests run in (made by `make setup`) holds the pinned versions of everything
    foerderradar needs; a dependency added without `make constraints` fails here."""
    assert _tool().check_installed(["test"]) == []


def test_the_scheduler_breaking_versions_are_held_back():
    pins = _tool().read_pins()
    assert pins["prefect"] == "3.8.8"
    assert pins["fastapi"] == "0.150.0"
    assert re.fullmatch(r"2\.0\.\d+", pins["sqlalchemy"]), pins["sqlalchemy"]


def test_a_dependency_missing_from_the_constraints_fails_setup_clearly(tmp_path):
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    added = text.replace('dependencies = [\n', 'dependencies = [\n    "htmldate>=1.9",\n', 1)
    assert added != text
    (tmp_path / "pyproject.toml").write_text(added, encoding="utf-8")
    problems = _tool().check_before(["test"], pyproject=tmp_path / "pyproject.toml")
    assert problems == ["pyproject.toml asks for htmldate>=1.9, which constraints.txt does not pin"]

    moved = text.replace('"fastapi==0.150.0"', '"fastapi==0.151.0"')
    (tmp_path / "pyproject.toml").write_text(moved, encoding="utf-8")
    problems = _tool().check_before(["test"], pyproject=tmp_path / "pyproject.toml")
    assert problems == ["pyproject.toml asks for fastapi==0.151.0, constraints.txt pins fastapi==0.150.0"]


def test_the_check_command_exits_1_with_what_to_do(tmp_path):
    pins = (REPO / "constraints.txt").read_text(encoding="utf-8")
    broken = re.sub(r"(?m)^prefect==.*\n", "", pins)
    (tmp_path / "constraints.txt").write_text(broken, encoding="utf-8")
    tool = _tool()
    problems = tool.check_installed(["test"], constraints=tmp_path / "constraints.txt")
    assert any(p.startswith("prefect 3.8.8 (wanted by pyproject.toml) is not pinned") for p in problems), problems
    for before in ([], ["--before"]):
        proc = subprocess.run([sys.executable, str(REPO / "tools" / "constraints.py"), "check", *before,
                               "--constraints", str(tmp_path / "constraints.txt")],
                              capture_output=True, text=True, cwd=REPO)
        assert proc.returncode == 1
        assert "prefect" in proc.stderr and "make constraints" in proc.stderr

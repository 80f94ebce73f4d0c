"""The environment files agree: requirements.txt, environment.yml and the full lock."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import yaml
from conftest import REPO

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


def _pins(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        m = PIN.match(line.strip())
        if m:
            out[re.sub(r"\[.*\]", "", m.group(1)).lower().replace("_", "-")] = m.group(2)
    return out


def _requirements(name: str) -> list[str]:
    lines = [line for line in (REPO / name).read_text().splitlines() if line.strip() and not line.startswith("#")]
    unpinned = [line for line in lines if not PIN.match(line.strip())]
    assert not unpinned, f"{name} has requirements without an exact pin: {unpinned}"
    return lines


def test_every_requirement_is_pinned_and_locked():
    lock = _pins((REPO / "constraints.txt").read_text().splitlines())
    for name in ("requirements.txt", "requirements-test.txt"):
        for pkg, ver in _pins(_requirements(name)).items():
            assert lock.get(pkg) == ver, f"{pkg}=={ver} in {name} but {lock.get(pkg)} in constraints.txt"


def test_environment_yml_has_the_same_pins_as_requirements():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == _pins(_requirements("requirements.txt"))
    assert "python=3.11" in env["dependencies"]


def test_installed_packages_match_the_pins():
    """The venv the tests run in is the pinned one (a stale venv would hide a broken pin)."""
    for pkg, ver in _pins(_requirements("requirements.txt")).items():
        assert version(pkg) == ver, f"{pkg} {version(pkg)} installed, {ver} pinned: run make setup"


def test_readme_shows_the_two_commands_first():
    readme = (REPO / "README.md").read_text()
    first_block = readme[: readme.find("\n## ", readme.find("make test"))]
    assert "make start" in first_block and "make test" in first_block


def test_ci_runs_make_test_with_the_staged_data():
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci and "INDI_DATA_DIR" in ci
    assert Path(REPO / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


def test_jsonschema_loads_without_the_iri_parsers():
    """`make setup` removes rfc3987-syntax: it compiles ~35 Earley parsers whenever jsonschema is imported,
    about a second of CPU in every Jupyter server (each student's spawn), nbgrader and book command."""
    import subprocess
    import sys

    code = "import sys, jsonschema, jupyter_events; print('rfc3987_syntax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False", "rfc3987-syntax is installed again: run make setup (Makefile: slim_venv)"

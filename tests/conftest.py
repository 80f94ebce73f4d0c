"""Shared fixtures. Expensive things (the book build, graded labs) happen once per test session."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHARED_DATA = REPO.parent / "shared" / "datasets"

# Tests read the pre-staged data (CI sets INDI_DATA_DIR in .ci/run); a developer checkout next to
# ../shared gets the same default, anyone else downloads through the registry.
if not os.environ.get("INDI_DATA_DIR") and SHARED_DATA.is_dir():
    os.environ["INDI_DATA_DIR"] = str(SHARED_DATA)


def lab_dirs() -> list[Path]:
    """Every lab under labs/ (found automatically: a folder holding <id>/<id>.ipynb)."""
    return sorted(p.parent for p in (REPO / "labs").glob("*/*.ipynb") if p.stem == p.parent.name)


FIXTURE_LABS = REPO / "tests" / "fixtures" / "labs"


def run(cmd: list[str], cwd: Path, timeout: float = 1800, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command with the venv's tools first on PATH; on failure show its output."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The HTML book in both editions (English at the root, Swedish under sv/), built once per session
    exactly as `make book` does (warnings are errors)."""
    run([str(BIN / "indi-ops"), "book", "build"], cwd=REPO)
    html = REPO / "_build" / "html"
    assert (html / "index.html").stat().st_size > 0, "book build produced an empty index.html"
    return html


def make_course(tmp: Path, labs: list[Path]) -> Path:
    """A throw-away nbgrader course in tmp with the given labs as its source, configured like the repo's."""
    (tmp / "labs").mkdir(parents=True)
    (tmp / "grading").mkdir()
    for lab in labs:
        shutil.copytree(lab, tmp / "labs" / lab.name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp / "nbgrader_config.py").write_text(
        "from indi_ops.grading.config import configure\n"
        "c = get_config()  # noqa: F821\n"
        f"configure(c, {str(tmp)!r})\n"
    )
    return tmp


# ----------------------------------------------------------------------------- parallel runs (make test)
# `make test` runs the suite on every core with pytest-xdist. Tests that share something expensive or
# global run in one worker, as one group: the book build (one _build/ folder), the class hubs (system
# accounts, and a hub locks the course folder down to its own grader group), and each test file (its
# module fixtures execute lab notebooks once). The heaviest groups are queued first so that no core idles
# at the end. (The groups are made by our own scheduler below: xdist's `xdist_group` marks do not reach
# the scheduler with pytest 9.)
_PREFIX_GROUPS = {"test_hub_": "hub", "test_book_": "book"}
_HEAVY_FIRST = ["test_grading_pipeline", "hub", "test_lab_checks", "test_grading_hostile", "book"]


@functools.cache
def _group_of_file(path: str) -> str:
    name = Path(path).stem
    for prefix, group in _PREFIX_GROUPS.items():
        if name.startswith(prefix):
            return group
    try:
        if "hub_support" in (REPO / path).read_text(encoding="utf-8"):
            return "hub"
    except OSError:
        pass
    return name


def pytest_collection_modifyitems(config, items):
    rank = {g: i for i, g in enumerate(_HEAVY_FIRST)}
    # stable: within a group the file's own order is kept
    items.sort(key=lambda it: rank.get(_group_of_file(it.nodeid.split("::", 1)[0]), len(rank)))


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """Whole groups (see _group_of_file) go to one worker, in collection order."""

        def _split_scope(self, nodeid: str) -> str:
            return _group_of_file(nodeid.split("::", 1)[0])

    return GroupScheduling(config, log)

"""What a lab caches is computed once per course, and every grading sandbox reads it (read-only).

The fixture lab tests/fixtures/grading/labs/cached computes texture features of six images with
indi.vision (cached by content, like Lab 1's 1,800 images) and prints whether the cache already held
them. `indi-ops grade prepare` runs the source once; autograde does it first. A control course graded
without preparing shows the sandbox computing them itself and unable to write the cache.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from course import BIN, env, grading_course, solved, submit  # noqa: E402

from indi.errors import InputError  # noqa: E402
from indi_ops.grading import artefacts  # noqa: E402
from indi_ops.grading import classroom as teacher  # noqa: E402

pytestmark = pytest.mark.slow

CACHED = Path(__file__).parent / "fixtures" / "grading" / "labs" / "cached"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty data cache of our own (the grading workers inherit the variable)."""
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setenv("INDI_CACHE_DIR", str(folder))
    return folder


def _class(root: Path, n: int = 2) -> None:
    for i in range(n):
        submit(root, f"student{i}", "cached", solved(root, CACHED))


def _printed(root: Path, sid: str) -> str:
    nb = nbformat.read(root / "grading" / "autograded" / sid / "cached" / "cached.ipynb", as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def test_prepared_features_are_read_in_every_sandbox(tmp_path, cache):
    root = grading_course(tmp_path / "course", [CACHED])
    _class(root)
    outcomes = teacher.autograde_all(root, "cached", workers=2, progress=False)
    assert {(o.status, o.score) for o in outcomes} == {("graded", 1.0)}
    stamps = list((cache / "course-artefacts").glob("cached-*.json"))
    assert len(stamps) == 1, "autograde should prepare the lab once"
    assert any(f.startswith("vision/features-") for f in json.loads(stamps[0].read_text())["cached_files"])
    for o in outcomes:
        assert "CACHED BEFORE RUN: True" in _printed(root, o.student_id), "the sandbox recomputed the features"


def test_without_preparing_each_sandbox_computes_and_cannot_save(tmp_path, cache):
    """The control: same class, no prepare step; grading still works, the cache stays empty."""
    root = grading_course(tmp_path / "course", [CACHED])
    _class(root)
    outcomes = teacher.autograde_all(root, "cached", workers=2, progress=False, prepare=False)
    assert {(o.status, o.score) for o in outcomes} == {("graded", 1.0)}
    for o in outcomes:
        assert "CACHED BEFORE RUN: False" in _printed(root, o.student_id)
    assert not [p for p in cache.rglob("*") if p.is_file()], "a sandbox wrote into the course's cache"


def test_prepare_runs_once_per_version_of_the_source(tmp_path, cache):
    root = grading_course(tmp_path / "course", [CACHED])
    cmd = [str(BIN / "indi-ops"), "grade", "--course", str(root), "prepare", "cached"]
    first = subprocess.run(cmd, env=env(), capture_output=True, text=True)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "run once" in first.stdout and "files cached" in first.stdout
    again = subprocess.run(cmd, env=env(), capture_output=True, text=True)
    assert "already prepared" in again.stdout
    source = root / "labs" / "cached" / "cached.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells[0].source += "\n# edited by the teacher"
    nbformat.write(nb, source)
    assert artefacts.prepare(root, "cached", progress=False)["skipped"] is False  # a new version runs again


def test_a_broken_source_is_named_and_grading_goes_on(tmp_path, cache, capsys):
    root = grading_course(tmp_path / "course", [CACHED])
    _class(root, 1)
    source = root / "labs" / "cached" / "cached.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells[1].source = "raise RuntimeError('the teacher broke this cell')\n" + nb.cells[1].source
    nbformat.write(nb, source)
    with pytest.raises(InputError, match=r"source notebook of cached fails.*teacher broke this cell"):
        artefacts.prepare(root, "cached", progress=False)
    outcomes = teacher.autograde_all(root, "cached", workers=1, progress=False)
    assert [(o.status, o.score) for o in outcomes] == [("graded", 1.0)]
    assert "teacher broke this cell" in capsys.readouterr().err

"""Each lab's text source (lab_sources/<id>.md) and its nbgrader notebook (labs/<id>/<id>.ipynb) agree."""

from __future__ import annotations

import difflib
import shutil

from indi_ops import labs

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")


def test_every_lab_notebook_matches_its_text_source():
    assert labs.lab_ids(), "no lab text sources found in lab_sources/"
    stale = labs.out_of_sync()
    assert not stale, f"out of sync with lab_sources/: {stale} — edit the .md, then run `make labs`"


def test_a_one_word_fix_is_a_one_line_diff(tmp_path):
    lab = labs.lab_ids()[0]
    sources, nbs = tmp_path / "lab_sources", tmp_path / "labs"
    sources.mkdir()
    shutil.copy(labs.SOURCES / f"{lab}.md", sources)
    shutil.copytree(labs.LABS / lab, nbs / lab)
    before = (nbs / lab / f"{lab}.ipynb").read_text().splitlines()
    text = (sources / f"{lab}.md").read_text()
    assert "What you will learn" in text
    (sources / f"{lab}.md").write_text(text.replace("What you will learn", "What you will find out", 1))
    assert labs.sync(lab, sources, nbs)
    after = (nbs / lab / f"{lab}.ipynb").read_text().splitlines()
    changed = [d for d in difflib.unified_diff(before, after, n=0, lineterm="")
               if d[:1] in "+-" and not d.startswith(("+++", "---"))]
    assert len(changed) == 2, changed  # one line out, one line in
    assert not labs.sync(lab, sources, nbs), "a second sync must change nothing"


def test_lab_folders_hold_no_text_source_with_solutions():
    """nbgrader copies every file of labs/<id>/ into the release: only the notebook may hold solutions."""
    for lab in labs.lab_ids():
        for path in (labs.LABS / lab).rglob("*"):
            if path.is_file() and path.name != f"{lab}.ipynb":
                text = path.read_text(encoding="utf-8", errors="ignore")
                assert not any(m in text for m in SOLUTION_MARKERS), f"{path} holds solutions"

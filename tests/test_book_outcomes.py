"""Outcome alignment: every learning outcome has a page in the book and a graded lab cell that assesses it."""

from __future__ import annotations

import nbformat
import yaml

from indi.book import OUTCOMES_YML, alignment_markdown, alignment_problems, graded_cells, outcome_alignment


def test_every_outcome_has_a_page_and_a_graded_assessment():
    alignments = outcome_alignment()
    assert len(alignments) >= 6, "book/outcomes.yml lists too few outcomes"
    problems = alignment_problems(alignments)
    assert not problems, "outcome alignment has gaps (edit book/outcomes.yml):\n" + "\n".join(problems)


def test_outcome_ids_are_unique_and_listed_on_the_outcomes_page():
    ids = [o["id"] for o in yaml.safe_load(OUTCOMES_YML.read_text())["outcomes"]]
    assert len(ids) == len(set(ids))
    page = (OUTCOMES_YML.parent / "start" / "outcomes.md").read_text(encoding="utf-8")
    for oid in ids:
        assert f"| {oid} |" in page, f"{oid} is not on book/start/outcomes.md"


def _cell(kind: str, source: str, **nbgrader):
    cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, "grade": False, "solution": False,
                                     "locked": False, **nbgrader}
    return cell


def _mini_repo(tmp_path):
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump({
        "format": "jb-book", "root": "book/intro",
        "parts": [{"caption": "A", "chapters": [{"file": "book/a"}]}]}))
    nb = nbformat.v4.new_notebook(cells=[
        _cell("md", "# Lab 1"),
        _cell("code", "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION", grade_id="f", solution=True),
        _cell("code", "assert f() == 1", grade_id="test_f", grade=True, locked=True, points=2),
        _cell("md", "Why?"),
        _cell("md", "YOUR ANSWER HERE", grade_id="reflect", grade=True, solution=True, points=1),
        _cell("code", "print('not graded')", grade_id="plain", locked=True),
    ])
    (tmp_path / "labs" / "lab1").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "labs" / "lab1" / "lab1.ipynb")
    return tmp_path


def test_graded_cells_tells_autograded_from_manual(tmp_path):
    repo = _mini_repo(tmp_path)
    cells = graded_cells(repo / "labs" / "lab1" / "lab1.ipynb")
    assert cells == {"test_f": "autograded", "reflect": "manual"}


def test_gaps_are_reported(tmp_path):
    repo = _mini_repo(tmp_path)
    outcomes = repo / "outcomes.yml"
    outcomes.write_text(yaml.safe_dump({"outcomes": [
        {"id": "OK", "text": "fine", "pages": ["book/a"], "assessed_by": {"lab1": ["test_f", "reflect"]}},
        {"id": "NOPAGE", "text": "t", "pages": ["book/missing"], "assessed_by": {"lab1": ["test_f"]}},
        {"id": "NOTEST", "text": "t", "pages": ["book/a"], "assessed_by": {}},
        {"id": "BADCELL", "text": "t", "pages": ["book/a"], "assessed_by": {"lab1": ["nope"]}},
        {"id": "NOLAB", "text": "t", "pages": ["book/a"], "assessed_by": {"lab9": ["x"]}},
        {"id": "UNGRADED", "text": "t", "pages": ["book/a"], "assessed_by": {"lab1": ["plain"]}},
    ]}))
    result = {a.outcome: a for a in outcome_alignment(outcomes, repo=repo)}
    assert result["OK"].problems == [] and len(result["OK"].assessments) == 2
    assert "no page teaches it" in result["NOPAGE"].problems
    assert "no graded lab cell assesses it" in result["NOTEST"].problems
    assert "lab1 has no graded cell 'nope'" in result["BADCELL"].problems
    assert any("lab lab9 does not exist" in p for p in result["NOLAB"].problems)
    assert "lab1 has no graded cell 'plain'" in result["UNGRADED"].problems
    problems = alignment_problems(list(result.values()))
    assert len([p for p in problems if p.startswith("OK:")]) == 0 and len(problems) >= 5
    table = alignment_markdown(list(result.values()))
    assert "(gap:" in table and "`lab1:test_f` (autograded)" in table

"""Each lab's text source (lab_sources/<id>.md) and its nbgrader notebook (labs/<id>/<id>.ipynb) agree."""

from __future__ import annotations

import difflib
import re
import shutil

import nbformat
import pytest

from indi_ops import labs
from indi_ops.grading import rubrics

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
    assert "Det här lär du dig" in text
    (sources / f"{lab}.md").write_text(text.replace("Det här lär du dig", "Det här får du lära dig", 1))
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


# Fixture labs are text sources too (no generator scripts): (sources folder, notebooks folder).
FIXTURES = labs.REPO_ROOT / "tests" / "fixtures"
FIXTURE_PAIRS = [(FIXTURES / "lab_sources", FIXTURES / "labs"),
                 (FIXTURES / "grading" / "lab_sources", FIXTURES / "grading" / "labs"),
                 (FIXTURES / "labcheck" / "lab_sources", FIXTURES / "labcheck" / "labs")]
ALL_SOURCES = [(labs.SOURCES, labs.LABS, lab) for lab in labs.lab_ids()] + [
    (s, n, lab) for s, n in FIXTURE_PAIRS for lab in labs.lab_ids(s)]


def _nb(sources, nbs, lab):
    return nbformat.read(nbs / lab / f"{lab}.ipynb", as_version=4)


@pytest.mark.parametrize("sources,nbs", FIXTURE_PAIRS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_notebooks_match_their_text_sources(sources, nbs):
    assert labs.lab_ids(sources), f"no text source in {sources}"
    stale = labs.out_of_sync(sources, nbs)
    assert not stale, (f"out of sync: {stale}: edit the .md, then `indi-ops labs sync --sources "
                       f"{sources.relative_to(labs.REPO_ROOT)} --labs-dir {nbs.relative_to(labs.REPO_ROOT)}`")


@pytest.mark.parametrize("sources,nbs,lab", ALL_SOURCES, ids=[x[2] for x in ALL_SOURCES])
def test_every_written_answer_follows_its_question(sources, nbs, lab):
    """The release replaces a written answer cell whole: a question inside it would vanish (Lab 1's B1)."""
    problems = labs.answers_without_question(_nb(sources, nbs, lab))
    assert not problems, f"{lab}:\n" + "\n".join(problems)


@pytest.mark.parametrize("sources,nbs,lab", ALL_SOURCES, ids=[x[2] for x in ALL_SOURCES])
def test_every_written_answer_has_a_complete_rubric(sources, nbs, lab):
    nb = _nb(sources, nbs, lab)
    if not any(labs.is_written_answer(c) for c in nb.cells):
        pytest.skip(f"{lab} has no written answers")
    path = rubrics.rubrics_path(lab, sources)
    problems = rubrics.rubric_problems(nb, rubrics.load_rubrics(lab, sources), str(path.relative_to(labs.REPO_ROOT)))
    assert not problems, "\n".join(problems)
    # Rubrics are for graders: no criterion may sit in anything nbgrader copies into the release.
    released = "\n".join(c.source for c in nb.cells if not labs.is_written_answer(c)) + "\n".join(
        p.read_text(errors="ignore") for p in (nbs / lab).rglob("*") if p.is_file() and p.suffix != ".ipynb")
    for levels in rubrics.load_rubrics(lab, sources).values():
        for text in levels.values():
            assert text not in released, f"rubric text in labs/{lab}/: {text[:60]!r}"


def test_rubric_problems_are_named():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Q?"), nbformat.v4.new_markdown_cell("A")])
    nb.cells[1].metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": "why", "points": 2}
    assert "no rubric for written answer 'why'" in rubrics.rubric_problems(nb, {})[0]
    assert "needs one non-empty criterion for each of [0, 1, 2]" in rubrics.rubric_problems(
        nb, {"why": {0: "a", 1: "b"}})[0]
    assert "needs one" in rubrics.rubric_problems(nb, {"why": {0: "a", 1: "b", 2: ""}})[0]
    assert "'gone' is not a written answer" in rubrics.rubric_problems(
        nb, {"why": {0: "a", 1: "b", 2: "c"}, "gone": {0: "a"}})[0]
    assert rubrics.rubric_problems(nb, {"why": {0: "a", 1: "b", 2: "c"}}) == []


def test_rubrics_go_under_the_answers_of_the_autograded_notebook_once():
    """ShowRubrics, the last autograde step, on the fixture lab: one read-only rubric cell per answer."""
    from traitlets.config import Config

    sources, nbs = FIXTURE_PAIRS[2]
    nb = _nb(sources, nbs, "weak_strict")
    cfg = Config()
    cfg.ShowRubrics.sources_dir = str(sources)
    step = rubrics.ShowRubrics(config=cfg)
    resources = {"nbgrader": {"assignment": "weak_strict"}}
    for _ in range(2):  # a second autograde of the same notebook adds no second copy
        nb, resources = step.preprocess(nb, resources)
        i = next(k for k, c in enumerate(nb.cells) if labs.is_written_answer(c))
        rubric = nb.cells[i + 1]
        assert rubric.metadata[rubrics.RUBRIC_KEY] == "why_mm" and rubric.metadata["editable"] is False
        assert "- **2 p:** Ritningar i mm" in rubric.source
        assert sum(rubrics.RUBRIC_KEY in c.metadata for c in nb.cells) == 1
    nbformat.validate(nb)


def test_a_question_inside_its_answer_cell_is_lost_in_the_release(tmp_path):
    """From the participant's side: nbgrader's own release of a B1-shaped lab loses the question."""
    from conftest import make_course, run

    lab = tmp_path / "src" / "b1"
    lab.mkdir(parents=True)
    intro = nbformat.v4.new_markdown_cell("# B1\nRead the data.")
    code = nbformat.v4.new_code_cell("x = 1")
    merged = nbformat.v4.new_markdown_cell("**Question:** why? *Model answer:* because.")
    merged.metadata["nbgrader"] = {"grade": True, "grade_id": "why", "locked": False, "points": 1,
                                   "schema_version": 3, "solution": True, "task": False}
    nb = nbformat.v4.new_notebook(cells=[intro, code, merged])
    nb.metadata["kernelspec"] = dict(labs.KERNELSPEC)
    nbformat.write(nb, lab / "b1.ipynb")
    assert labs.answers_without_question(nb), "the static check must catch B1 in the source"
    root = make_course(tmp_path / "course", [lab])
    run(["nbgrader", "generate_assignment", "b1", "--force"], cwd=root)
    release = nbformat.read(root / "grading" / "release" / "b1" / "b1.ipynb", as_version=4)
    assert "why?" not in nbformat.writes(release), "nbgrader kept the question: B1 would not be a defect"
    lost = labs.lost_in_release(nb, release)
    assert lost and "has no question cell before it" in lost[0]


# ------------------------------------------------------------------ Swedish first, English folded below

FOLD = labs.FOLD_OPEN + "\n\n{}\n\n" + labs.FOLD_CLOSE
SV = "Skriv funktionen som räknar ut energitätheten för en inställning, och ändra inte tabellen du får."
EN = "Write the function that computes the energy density of a setting, and do not change the table you are given."


def _md_nb(*sources, answer=None):
    cells = [nbformat.v4.new_markdown_cell(s) for s in sources]
    if answer is not None:
        cells.append(nbformat.v4.new_markdown_cell(answer))
        cells[-1].metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": "why", "points": 1}
    return nbformat.v4.new_notebook(cells=cells)


@pytest.mark.parametrize("lab", labs.lab_ids())
def test_every_instruction_is_swedish_first_with_the_english_folded_below(lab):
    """The participants read Swedish first: every Markdown cell they read is Swedish, each part followed by
    its English in a <details> fold, headings 'Swedish / English' (shape: lab_sources/README.md)."""
    nb = nbformat.read(labs.LABS / lab / f"{lab}.ipynb", as_version=4)
    readable = [c for c in nb.cells if c.cell_type == "markdown" and not labs.is_written_answer(c)]
    assert len(readable) >= 20, f"{lab}: only {len(readable)} instruction cells?"
    problems = labs.untranslated(nb)
    assert not problems, f"{lab}:\n" + "\n".join(problems)


def test_the_language_check_catches_english_left_in_front():
    ok = "## Uppgift 1 — Rensa / Task 1 — Clean\n\n" + SV + "\n\n" + FOLD.format(EN)
    assert labs.untranslated(_md_nb(ok, answer="Model answer in English only: the release replaces it.")) == []
    cases = {
        "English only": (EN, "is not Swedish: write it in Swedish, English folded below"),
        "English first, Swedish folded": (EN + "\n\n" + FOLD.format(SV), "before English fold 1 must be Swedish"),
        "Swedish without the English": (SV, "without its English fold"),
        "fold without blank lines": (SV + "\n\n" + labs.FOLD_OPEN + "\n" + EN + "\n" + labs.FOLD_CLOSE,
                                     "needs the blank lines"),
        "fold first": (FOLD.format(EN) + "\n\n" + SV, "no Swedish text before it"),
        "heading in English only": ("## Task 1 — Clean\n\n" + SV + "\n\n" + FOLD.format(EN), "must read 'Swedish / English'"),
        "heading English first": ("## Task 1 — Clean the table / Uppgift 1 — Rensa\n\n" + SV + "\n\n" + FOLD.format(EN),
                                  "must start with the Swedish"),
        "heading inside the fold": (SV + "\n\n" + FOLD.format("## Task 1\n\n" + EN), "no heading inside"),
        "second part untranslated": (ok + "\n\n" + SV, "without its English fold"),
    }
    for name, (source, message) in cases.items():
        problems = labs.untranslated(_md_nb(ok, source))
        assert problems and all(p.startswith("cell 1 ") for p in problems), (name, problems)
        assert any(message in p for p in problems), (name, problems)


@pytest.mark.parametrize("lab", labs.lab_ids())
def test_the_english_fold_renders_as_markdown_in_nbconvert_and_formgrader(lab):
    """nbconvert (feedback HTML, formgrader) renders the fold's inside as Markdown, and the grader's
    sanitiser leaves the teacher's cells as they are."""
    from indi_ops.grading.sanitize import render_markdown, safe_markdown

    nb = nbformat.read(labs.LABS / lab / f"{lab}.ipynb", as_version=4)
    folded = [c.source for c in nb.cells if labs.FOLD_OPEN in c.source]
    assert folded
    for source in folded:
        html = render_markdown(source)
        inside = re.findall(r"<details><summary>In English</summary>(.*?)</details>", html, re.S)
        assert len(inside) == source.count(labs.FOLD_OPEN), source[:80]
        for part in inside:
            assert "<p>" in part or "<li>" in part, part[:80]
            text = re.sub(r"<(code|pre)>.*?</\1>", "", part, flags=re.S)  # code may hold ** (levels**2)
            assert "**" not in text and "`" not in text, f"raw Markdown in the rendered fold: {part[:120]!r}"
        assert safe_markdown(source) == (source, []), source[:80]
    # and without the blank lines the English would show as raw Markdown: what the check forbids
    raw = render_markdown(SV + "\n\n" + labs.FOLD_OPEN + "\n**" + EN + "**\n" + labs.FOLD_CLOSE)
    assert "**Write" in raw

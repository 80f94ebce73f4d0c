"""The grading pipeline, for every lab under labs/ (found automatically) and the fixture lab.

For each lab, through nbgrader's own CLI and API, in a throw-away copy of the course:
  * the generated student release fails its own tests (Validator API, executed);
  * a submission of the source notebook (the solution) autogrades to full marks;
  * the untouched release, submitted, autogrades to 0 points;
  * the source passes its own tests: the Validator checks the solution run that autograde executed
    (each full lab executes once; the cheap release runs are separate);
  * the feedback a student gets holds no hidden tests;
  * the release keeps every question and instruction of the source (Lab 1's B1 lost all 8 questions);
  * graders see each written answer's rubric under it in the autograded notebook (formgrader), and the
    release holds no rubric text.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import FIXTURE_LABS, REPO, lab_dirs, make_course, run

from indi_ops import labs as lab_sources
from indi_ops.grading import rubrics

# INDI_TEST_LABS=mini_wear,am_parameters runs only those labs (a lab author's quick check on 2 cores).
_ONLY = [x for x in os.environ.get("INDI_TEST_LABS", "").split(",") if x]
LABS = [lab for lab in lab_dirs() + [FIXTURE_LABS / "mini_wear"] if not _ONLY or lab.name in _ONLY]
# Where each lab's text source and checks folder (rubrics.yml) live.
SOURCES = {lab.name: REPO / "tests" / "fixtures" / "lab_sources" if lab.is_relative_to(FIXTURE_LABS) else
           lab_sources.SOURCES for lab in LABS}
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def _validator(execute: bool):
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
    from nbgrader.validator import Validator
    from traitlets.config import Config

    cfg = Config()
    cfg.Execute.timeout = 300
    validator = Validator(config=cfg)
    validator.preprocessors = [CheckCellMetadata, ClearOutput, Execute] if execute else [CheckCellMetadata]
    return validator


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """Release, submit (solution + untouched release), autograde and feedback: once per lab."""
    root = make_course(tmp_path_factory.mktemp("course"), LABS)
    for lab in LABS:
        lab_id = lab.name
        rubric = rubrics.rubrics_path(lab_id, SOURCES[lab_id])
        if rubric.is_file():  # the course's lab_sources/ as in the repo: ShowRubrics reads it at autograde
            (root / "lab_sources" / rubric.parent.name).mkdir(parents=True)
            shutil.copy(rubric, root / "lab_sources" / rubric.parent.name / rubric.name)
        run(["nbgrader", "generate_assignment", lab_id, "--force"], cwd=root)
        for student, notebook in (("solution", root / "labs" / lab_id / f"{lab_id}.ipynb"),
                                  ("blank", root / "grading" / "release" / lab_id / f"{lab_id}.ipynb")):
            dest = root / "grading" / "submitted" / student / lab_id
            dest.mkdir(parents=True)
            shutil.copy(notebook, dest / f"{lab_id}.ipynb")
            (dest / "timestamp.txt").write_text("2026-11-28 12:00:00.000000 UTC")
        run(["nbgrader", "autograde", lab_id, "--force"], cwd=root)
        run(["nbgrader", "generate_feedback", lab_id, "--force"], cwd=root)
    return root


def _score(root: Path, lab_id: str, student: str) -> tuple[float, float]:
    """Autograded points (code cells) of one submission, and the maximum; written answers are manual."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}", course_id="indi-lab") as gb:
        sub = gb.find_submission(lab_id, student)
        return sub.code_score, sub.max_code_score


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=lambda p: p.name)
class TestPipeline:
    def test_release_has_no_solutions_and_fails_its_tests(self, course, lab):
        release = course / "grading" / "release" / lab.name / f"{lab.name}.ipynb"
        text = release.read_text()
        assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text
        result = _validator(execute=True).validate(str(release))
        assert result.get("failed"), f"the student release of {lab.name} passes its tests: {result}"

    def test_solution_gets_full_marks(self, course, lab):
        score, max_score = _score(course, lab.name, "solution")
        assert max_score > 0, "the lab has no autograded points"
        assert score == max_score, f"solution scored {score} of {max_score}"

    def test_source_passes_its_own_tests(self, course, lab):
        executed = course / "grading" / "autograded" / "solution" / lab.name / f"{lab.name}.ipynb"
        result = _validator(execute=False).validate(str(executed))
        assert result == {}, f"the source of {lab.name} fails its own tests: {result}"

    def test_untouched_release_scores_zero(self, course, lab):
        score, max_score = _score(course, lab.name, "blank")
        assert score == 0, f"an untouched release scored {score} of {max_score}: some test passes without work"

    def test_feedback_has_no_hidden_tests(self, course, lab):
        source = nbformat.read(lab / f"{lab.name}.ipynb", as_version=4)
        hidden_lines = [line.strip() for cell in source.cells for block in HIDDEN.findall(cell.source)
                        for line in block.splitlines() if len(line.strip()) > 15]
        feedback = (course / "grading" / "feedback" / "solution" / lab.name / f"{lab.name}.html").read_text()
        assert "BEGIN HIDDEN TESTS" not in feedback
        import html as html_lib

        plain = html_lib.unescape(re.sub(r"<[^>]+>", "", feedback))
        leaked = [line for line in hidden_lines if line in plain]
        assert not leaked, f"hidden test lines in the feedback: {leaked[:3]}"

    def test_release_keeps_every_question_and_instruction(self, course, lab):
        source = nbformat.read(lab / f"{lab.name}.ipynb", as_version=4)
        release = nbformat.read(course / "grading" / "release" / lab.name / f"{lab.name}.ipynb", as_version=4)
        lost = lab_sources.lost_in_release(source, release)
        assert not lost, f"the student release of {lab.name} lost:\n" + "\n".join(lost)

    def test_graders_see_the_rubric_under_each_written_answer(self, course, lab):
        graded = nbformat.read(course / "grading" / "autograded" / "solution" / lab.name / f"{lab.name}.ipynb",
                               as_version=4)
        want = rubrics.load_rubrics(lab.name, SOURCES[lab.name])
        missing = []
        for i, cell in enumerate(graded.cells):
            if lab_sources.is_written_answer(cell):
                gid = cell.metadata["nbgrader"]["grade_id"]
                below = graded.cells[i + 1] if i + 1 < len(graded.cells) else None
                if below is None or below.metadata.get(rubrics.RUBRIC_KEY) != gid or gid not in want or not all(
                        text in below.source for text in want[gid].values()):
                    missing.append(gid)
        assert not missing, f"{lab.name}: no rubric under the answers {missing} (lab_sources/{lab.name}_checks/rubrics.yml)"
        path = course / "grading" / "release" / lab.name / f"{lab.name}.ipynb"
        release = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        leaked = [text for levels in want.values() for text in levels.values() if text in release]
        assert not leaked and rubrics.RUBRIC_KEY not in path.read_text(), f"rubric text in the release: {leaked[:2]}"

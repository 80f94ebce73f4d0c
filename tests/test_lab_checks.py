"""Graders checked like code, and one slip costs one task.

* Every lab (and the fixture lab mini_wear) has ``<lab_id>_checks/<grade_id>.py`` variants for every
  autograded task: ≥ 1 alternative correct answer that must pass all of the task's tests and ≥ 2 common
  mistakes that must each fail one. The runner executes each lab ONCE, in one kernel, swapping the
  variants in (:mod:`indi_ops.labcheck`).
* The runner itself, on the fixture ``tests/fixtures/labcheck`` (plain Python, seconds): a too-weak test
  shows as a false pass, a too-strict one as a false fail, a mutating mistake does not spoil the run, a
  hanging variant is stopped, a checks file naming no solution cell is an error.
* Slip isolation: statically on every lab (no name bound by a task's answer reaches a later task's
  cells); behaviourally (blank each task in turn, one kernel per task) only on the fixture labs here —
  the real labs' figure is the bench key ``labs.slip_isolation``.
"""

from __future__ import annotations

import io
import sys

import nbformat
import pytest
from conftest import REPO, run

from indi_ops import labcheck, labs

FIXTURES = REPO / "tests" / "fixtures"
RUNNER = FIXTURES / "labcheck"
MINI = (FIXTURES / "lab_sources", FIXTURES / "labs", "mini_wear")
# (text sources, notebooks, lab id): the real labs and the fixture lab with a checks folder.
CHECKED = [(labs.SOURCES, labs.LABS, lab) for lab in labs.lab_ids()] + [MINI]
EVERY_SOURCE = CHECKED + [(FIXTURES / "grading" / "lab_sources", FIXTURES / "grading" / "labs", "tiny")]

_reports: dict[str, labcheck.LabReport] = {}


def _report(sources, nbs, lab, timeout=labcheck.DEFAULT_TIMEOUT_S) -> labcheck.LabReport:
    if lab not in _reports:  # one kernel per lab per session
        _reports[lab] = labcheck.check_lab(lab, sources, nbs, timeout=timeout)
    return _reports[lab]


# ------------------------------------------------------------------------------------ every lab


@pytest.mark.slow
@pytest.mark.parametrize("sources,nbs,lab", CHECKED, ids=[c[2] for c in CHECKED])
class TestGraderChecks:
    def test_every_autograded_task_has_variants(self, sources, nbs, lab):
        folder = labcheck.checks_dir(lab, sources)
        assert folder.is_dir(), f"{lab} has no {folder.relative_to(REPO)}/ with <grade_id>.py variants per task"
        tasks = [t.grade_id for t in labcheck.tasks_of(nbformat.read(nbs / lab / f"{lab}.ipynb", as_version=4))
                 if t.tests]
        short = []
        for task in tasks:
            path = folder / f"{task}.py"
            kinds = [v.kind for v in labcheck.parse_checks(path)] if path.is_file() else []
            if kinds.count("correct") < 1 or kinds.count("mistake") < 2:
                short.append(f"{task}: {kinds.count('correct')} correct, {kinds.count('mistake')} mistakes")
        assert not short, f"{lab}: every autograded task needs ≥ 1 correct variant and ≥ 2 mistakes: {short}"

    def test_no_false_fail_or_false_pass(self, sources, nbs, lab):
        if not labcheck.checks_dir(lab, sources).is_dir():
            pytest.fail(f"{lab} has no checks folder")
        report = _report(sources, nbs, lab)
        assert not report.problems, report.problems
        bad = [f"{c.task} / {c.kind}: {c.label} → {c.verdict} {c.errors}" for c in report.false_fails + report.false_passes]
        assert not bad, f"{lab}: graders disagree with the variants:\n" + "\n".join(bad)
        assert report.ok


@pytest.mark.parametrize("sources,nbs,lab", EVERY_SOURCE, ids=[c[2] for c in EVERY_SOURCE])
def test_no_answer_reaches_a_later_task(sources, nbs, lab):
    """Later tasks and their tests use reference helpers or fixed inputs, never a student's earlier answer."""
    leaks = labcheck.slip_leaks(nbformat.read(nbs / lab / f"{lab}.ipynb", as_version=4))
    assert not leaks, f"{lab}: a slip in one task would cost points in another:\n" + "\n".join(
        f"  {leak.task}'s answer reaches {leak.cell} through {leak.via}" for leak in leaks)


def test_blanking_a_fixture_task_costs_only_that_task():
    """Behavioural slip check on the fixture lab (three kernel runs; the real labs run in the bench)."""
    results = labcheck.blank_check("mini_wear", MINI[1], timeout=120, baseline=_report(*MINI).baseline())
    assert [r.task for r in results] == ["final_wear", "threshold"]
    assert all(r.own_failed for r in results), "a blank task must lose its own points"
    assert all(r.isolated for r in results), [r for r in results if not r.isolated]


# --------------------------------------------------------------------------- the runner itself


@pytest.fixture(scope="module")
def fixture_report() -> labcheck.LabReport:
    return labcheck.check_lab("weak_strict", RUNNER / "lab_sources", RUNNER / "labs", timeout=5)


def _case(report, task, label_start):
    return next(c for c in report.cases if c.task == task and c.label.startswith(label_start))


def test_a_too_weak_test_is_a_false_pass(fixture_report):
    passes = {(c.task, c.label.split(" (")[0]) for c in fixture_report.false_passes}
    assert passes == {("to_mm", "returns the input unchanged"), ("to_mm", "multiplies instead of dividing")}


def test_a_too_strict_test_is_a_false_fail(fixture_report):
    fails = [(c.task, c.label) for c in fixture_report.false_fails]
    assert fails == [("mean_speed", "statistics.mean (returns an int for ints: the too-strict test rejects it)")]
    assert not fixture_report.ok


def test_a_mutating_mistake_does_not_spoil_later_variants(fixture_report):
    # The first mean_speed variant appends to the shared SPEEDS list; the loop and the reference after it
    # still see [1, 2, 3].
    assert _case(fixture_report, "mean_speed", "appends").verdict == "ok"
    assert _case(fixture_report, "mean_speed", "a loop").all_pass
    refs = [c for c in fixture_report.cases if c.kind == "reference"]
    assert [c.task for c in refs] == ["to_mm", "mean_speed", "lengths"] and all(c.all_pass for c in refs)


def test_a_hanging_variant_fails_and_the_run_goes_on(fixture_report):
    hang = _case(fixture_report, "lengths", "never finishes")
    assert hang.verdict == "ok" and "Timeout" in hang.errors["lengths"], hang.errors
    assert fixture_report.restarts == 1
    assert _case(fixture_report, "lengths", "left in micrometres").verdict == "ok"


def test_a_checks_file_naming_no_solution_cell_is_an_error(fixture_report):
    assert any(p.startswith("no_such_cell.py: no code solution cell") for p in fixture_report.problems)
    assert fixture_report.counts() == {"to_mm": {"correct": 1, "mistake": 2},
                                       "mean_speed": {"correct": 2, "mistake": 2},
                                       "lengths": {"correct": 1, "mistake": 2}}


def test_slips_are_found_statically_and_by_blanking(fixture_report):
    nb = nbformat.read(RUNNER / "labs" / "weak_strict" / "weak_strict.ipynb", as_version=4)
    leaks = {(leak.task, leak.cell, leak.via) for leak in labcheck.slip_leaks(nb)}
    assert leaks == {("to_mm", "lengths", "to_mm"), ("to_mm", "test_lengths", "to_mm → lengths_mm")}
    results = {r.task: r for r in labcheck.blank_check("weak_strict", RUNNER / "labs", timeout=30,
                                                                baseline=fixture_report.baseline())}
    assert results["to_mm"].collateral == ["test_lengths"]
    assert results["mean_speed"].isolated and results["lengths"].isolated


def _nb(*sources):
    cells = []
    for kind, gid, src in sources:
        cell = nbformat.v4.new_code_cell(src)
        if kind == "sol":
            cell.metadata["nbgrader"] = {"grade": False, "grade_id": gid, "solution": True, "locked": False}
        elif kind == "test":
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "solution": False, "locked": True,
                                         "points": 1}
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def test_slip_analysis_follows_names_not_spellings():
    nb = _nb(
        ("sol", "a", "def clean(df):\n    ### BEGIN SOLUTION\n    return df\n    ### END SOLUTION"),
        ("test", "test_a", "prep = clean(raw)\nassert prep is raw"),
        ("code", None, "features = prep.mean()\nprep = reference_clean(raw)  # clean again: the trail ends"),
        ("sol", "b", "def f(clean, prep):  # parameters shadow the answers\n    ### BEGIN SOLUTION\n"
                     "    return [prep for prep in clean]\n    ### END SOLUTION\nshown = f([2], None)"),
        ("test", "test_b", "assert f([1], prep) == [1]\nassert features is not None"),
        ("sol", "c", "### BEGIN SOLUTION\nk = 3\n### END SOLUTION"),
        ("test", "test_c", "assert k == 3 and shown == [2]"),
        ("test", "test_c2", "for shown in [[2]]:  # rebound by the loop before it is read\n    assert shown == [2]"),
    )
    leaks = labcheck.slip_leaks(nb)
    assert [(x.task, x.name, x.cell, x.via) for x in leaks] == [
        ("a", "features", "test_b", "clean → prep → features"),
        ("b", "shown", "test_c", "f → shown"),  # computed in b's own cell, outside the solution block
    ]


def test_the_stub_is_what_the_release_shows():
    """stub_solution (used for blanking) equals nbgrader's own ClearSolutions on every fixture cell."""
    from nbgrader.preprocessors import ClearSolutions
    from traitlets.config import Config

    from indi_ops.grading.config import configure

    cfg = Config()
    configure(cfg, REPO)
    for nb_path in [RUNNER / "labs" / "weak_strict" / "weak_strict.ipynb", FIXTURES / "labs" / "mini_wear" / "mini_wear.ipynb"]:
        nb = nbformat.read(nb_path, as_version=4)
        ours = [labcheck.stub_solution(c.source) for c in nb.cells if labcheck.is_code_solution(c)]
        released, _ = ClearSolutions(config=cfg).preprocess(nb, {})
        theirs = [c.source for c in released.cells if labcheck.is_code_solution(c)]
        assert ours == theirs


@pytest.mark.parametrize("text,message", [
    ("x = 1\n# %% correct: ok\nx = 2\n", "code before the first"),
    ("# %% correct: nothing under it\n\n# %% mistake: m\nx = 1\n", "has no code"),
    ("# %% wrong: m\nx = 1\n", "unknown header"),
    ("# %% mistake:\nx = 1\n", "say what the variant is"),
    ("# only a comment\n", "no variants"),
])
def test_bad_checks_files_are_named_with_a_fix(tmp_path, text, message):
    path = tmp_path / "task.py"
    path.write_text(text)
    with pytest.raises(labcheck.ChecksError, match=message):
        labcheck.parse_checks(path)


def test_the_report_names_each_disagreement_and_fails(fixture_report):
    out = io.StringIO()
    leaks = labcheck.slip_leaks(nbformat.read(RUNNER / "labs" / "weak_strict" / "weak_strict.ipynb", as_version=4))
    assert labcheck.summarise(fixture_report, leaks, out) == 1
    text = out.getvalue()
    assert "weak_strict: 10 variants, 1 false fails, 2 false passes" in text
    assert "PROBLEM: no_such_cell.py" in text and "SLIP: to_mm's answer reaches lengths through to_mm" in text
    rows = [labcheck._row(c) for c in fixture_report.cases]
    assert sum("FALSE PASS" in r for r in rows) == 2 and sum("FALSE FAIL" in r for r in rows) == 1


def test_cli_entry_points(tmp_path):
    """`indi-ops labs check-graders` reaches the runner; a lab without a notebook is a clear error (exit 2)."""
    proc = run([sys.executable, "-m", "indi_ops.cli", "labs", "check-graders", "nope", "--sources", str(tmp_path)],
               cwd=REPO, check=False)
    assert proc.returncode == 2 and "no source notebook" in proc.stderr and "make labs" in proc.stderr
    proc = run([sys.executable, "-m", "indi_ops.labcheck", "--sources", str(tmp_path)], cwd=REPO, check=False)
    assert proc.returncode == 2 and "no lab has a checks folder" in proc.stderr


def test_one_task_at_a_time():
    """--task: only that task's variants run (a lab author's quick loop); the rest runs as reference."""
    report = labcheck.check_lab("weak_strict", RUNNER / "lab_sources", RUNNER / "labs", timeout=30,
                                only=["mean_speed"])
    assert {c.task for c in report.cases if c.kind != "reference"} == {"mean_speed"}
    assert [c.task for c in report.cases if c.kind == "reference"] == ["to_mm", "mean_speed", "lengths"]
    assert len(report.false_fails) == 1 and not report.false_passes and not report.problems

"""Lab 1 (vision_inspection) read as a participant, a grader and a methods reviewer would read it.

Cheap, in-process checks on the lab source (no full notebook run; the pipeline test does that once):
  * every question and instruction of the source survives into the student release (B1);
  * each manually graded answer has a rubric, each autograded solution cell its grader checks;
  * later cells never build on a participant's answer (one slip costs one task), which also means
    the participant's step names in make_classifier cannot break the tuning (B2);
  * the tests that grade add_gaussian_noise can fail: wrap-around, variance-as-σ, ignored rng;
  * the decision helpers: Bayes threshold, prevalence-weighted cost, paired bootstrap.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import yaml

from indi import vision as iv

REPO = Path(__file__).resolve().parents[1]
LAB = "vision_inspection"
NOTEBOOK = REPO / "labs" / LAB / f"{LAB}.ipynb"
CHECKS = REPO / "lab_sources" / f"{LAB}_checks"
VARIANT = re.compile(r"^# %% (correct|mistake): (.+)$", re.M)


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader") or {}


def _release(nb):
    """The student version of the notebook, through nbgrader's own ClearSolutions and ClearHiddenTests."""
    import copy

    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    student = copy.deepcopy(nb)
    for pre in (ClearSolutions(), ClearHiddenTests()):
        student, _ = pre.preprocess(student, {})
    return student


def _solution_code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and _meta(c).get("solution")]


def _tasks(nb) -> dict[str, list]:
    """grade_id of each autograded solution cell → the graded test cells that follow it."""
    tasks, current = {}, None
    for cell in nb.cells:
        m = _meta(cell)
        if cell.cell_type == "code" and m.get("solution"):
            current = m["grade_id"]
            tasks[current] = []
        elif cell.cell_type == "code" and m.get("grade") and current:
            tasks[current].append(cell)
    return tasks


# ------------------------------------------------------------------------------ B1: the release


def test_every_reflection_question_is_in_the_release(nb):
    release = "\n".join(c.source for c in _release(nb).cells)
    questions = re.findall(r"\*\*Reflection (\d) \((\d) points?\)\.\*\*", "\n".join(c.source for c in nb.cells))
    assert len(questions) == 8
    for number, _ in questions:
        assert f"**Reflection {number} (" in release, f"Reflection {number}'s question is missing from the release"


def test_no_manually_graded_cell_holds_a_question_or_instruction(nb):
    for cell in nb.cells:
        m = _meta(cell)
        if cell.cell_type == "markdown" and m.get("solution"):
            assert "Reflection" not in cell.source, m["grade_id"]
            assert cell.source.startswith("*Model answer"), (
                f"{m['grade_id']}: an answer cell holds only the model answer (the release replaces all of it)"
            )


def test_every_markdown_cell_outside_answers_reaches_the_release_unchanged(nb):
    release = [c.source for c in _release(nb).cells if c.cell_type == "markdown"]
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not _meta(cell).get("solution"):
            assert cell.source in release, cell.source[:80]


# ------------------------------------------------------------------------------ rubrics and checks


def test_every_manually_graded_answer_has_a_concrete_bilingual_rubric(nb):
    rubrics = yaml.safe_load((CHECKS / "rubrics.yml").read_text(encoding="utf-8"))
    manual = {_meta(c)["grade_id"]: _meta(c)["points"] for c in nb.cells
              if c.cell_type == "markdown" and _meta(c).get("grade")}
    assert set(rubrics) == set(manual), f"rubrics for {sorted(rubrics)}, answers {sorted(manual)}"
    for gid, points in manual.items():
        levels = rubrics[gid]
        assert sorted(levels) == list(range(points + 1)), f"{gid}: levels {sorted(levels)} for {points} point(s)"
        for level, text in levels.items():
            swedish, _, english = text.partition(" / ")
            assert english and len(swedish) > 40 and len(english) > 40, f"{gid} level {level}: Swedish / English"


def test_rubrics_and_checks_stay_out_of_the_release_folder():
    assert not any(p.suffix in {".yml", ".py"} for p in (REPO / "labs" / LAB).rglob("*"))


def _variants(path: Path) -> list[tuple[str, str, str]]:
    text = path.read_text(encoding="utf-8")
    heads = list(VARIANT.finditer(text))
    return [(h.group(1), h.group(2), text[h.end():heads[k + 1].start() if k + 1 < len(heads) else None])
            for k, h in enumerate(heads)]


def test_every_autograded_task_has_alternatives_and_mistakes(nb):
    for cell in _solution_code_cells(nb):
        gid = _meta(cell)["grade_id"]
        path = CHECKS / f"{gid}.py"
        assert path.is_file(), f"no grader checks for {gid}: add {path.relative_to(REPO)}"
        kinds = [kind for kind, _, _ in _variants(path)]
        assert kinds.count("correct") >= 1 and kinds.count("mistake") >= 2, f"{gid}: {kinds}"
        for _, what, body in _variants(path):
            ast.parse(body)  # complete code, not a fragment
            assert what.strip(), f"{gid}: say what each variant is"
    solution_ids = {_meta(c)["grade_id"] for c in _solution_code_cells(nb)}
    stray = {p.stem for p in CHECKS.glob("*.py")} - solution_ids
    assert not stray, f"check files for cells that do not exist: {stray}"


# ------------------------------------------------------------------------------ slip isolation (and B2)


def _student_functions(nb) -> set[str]:
    names = set()
    for cell in _solution_code_cells(nb):
        names |= {n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)}
    return names


def test_no_later_cell_builds_on_a_participants_answer(nb):
    """A value computed from a participant's function is used only in the cell that shows it.

    Later cells use the course's reference helpers (indi.vision), so a slip in one task cannot
    crash or mislead the next: make_classifier(**best) with make_pipeline's step names broke the
    tuning ("svm__C") and the probability model before this rule.
    """
    student = _student_functions(nb)
    assert {"make_classifier", "normalise_image", "cooccurrence_matrix", "add_gaussian_noise", "box_iou"} <= student
    tainted: dict[str, int] = {}
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or _meta(cell).get("solution"):
            continue
        tree = ast.parse(cell.source)
        graded = _meta(cell).get("grade")
        stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        for name in stored:
            tainted.pop(name, None)  # re-bound here: a fresh value
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in tainted:
                assert tainted[node.id] == k, (
                    f"cell {k} ({cell.id}) uses {node.id!r}, computed from a participant's answer in cell "
                    f"{tainted[node.id]}: use the course's reference helper instead"
                )
        if graded:
            continue
        for stmt in tree.body:
            calls = {n.func.id for n in ast.walk(stmt) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            if calls & student:
                for target in ast.walk(stmt):
                    if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store):
                        tainted[target.id] = k


def test_hidden_tests_check_one_task_only(nb):
    """A task's test cells call only that task's own function(s), never another task's answer."""
    student = _student_functions(nb)
    for gid, tests in _tasks(nb).items():
        own = {n.name for c in _solution_code_cells(nb) if _meta(c)["grade_id"] == gid
               for n in ast.parse(c.source).body if isinstance(n, ast.FunctionDef)}
        for cell in tests:
            called = {n.func.id for n in ast.walk(ast.parse(cell.source))
                      if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            assert not (called & student) - own, f"{_meta(cell)['grade_id']} calls {(called & student) - own}"


def test_no_graded_cell_scores_work_the_participant_never_does(nb):
    for gid, tests in _tasks(nb).items():
        assert tests, f"{gid} has no graded test"
    graded = [c for c in nb.cells if c.cell_type == "code" and _meta(c).get("grade")]
    in_tasks = {id(c) for tests in _tasks(nb).values() for c in tests}
    student = _student_functions(nb)
    for cell in graded:
        called = {n.func.id for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Call)
                  and isinstance(n.func, ast.Name)}
        assert id(cell) in in_tasks and called & student, f"{_meta(cell)['grade_id']} grades no participant code"


def test_reference_classifier_names_its_steps_for_tuning():
    from sklearn.model_selection import GridSearchCV

    clf = iv.reference_classifier(C=3.0, gamma=0.01)
    assert [name for name, _ in clf.steps] == ["scale", "svm"]
    clf.set_params(svm__C=5.0)
    assert clf.named_steps["svm"].C == 5.0
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), np.repeat([0, 1], 20)
    X[y == 1] += 2
    GridSearchCV(clf, {"svm__C": [1.0, 10.0]}, cv=3).fit(X, y)
    p = iv.reference_classifier(probability=True).fit(X, y).predict_proba(X)[:, 1]
    assert p[y == 1].mean() > 0.8 > 0.2 > p[y == 0].mean()


# ------------------------------------------------------------------------------ graded tests that can fail


def _cell(nb, grade_id: str) -> str:
    return next(c.source for c in nb.cells if _meta(c).get("grade_id") == grade_id)


@pytest.mark.parametrize("name", ["wrap-around", "variance as sigma", "ignored rng", "floats", "truncated"])
def test_noise_tests_catch_the_common_mistakes(nb, name):
    """The old hidden test (max() <= 255) could not fail on uint8; the new ones fail each mistake."""
    variants = {what: body for kind, what, body in _variants(CHECKS / "add_gaussian_noise.py")}
    key = {"wrap-around": "wrap-around", "variance as sigma": "variance", "ignored rng": "ignores rng",
           "floats": "returns floats", "truncated": "truncates"}[name]
    body = next(b for w, b in variants.items() if key in w)
    cells = [_cell(nb, "test_add_gaussian_noise"), _cell(nb, "test_add_gaussian_noise_clipping")]
    failed = 0
    for source in cells:
        ns = {"np": np, "iv": iv}
        exec(compile(body, "variant", "exec"), ns)
        visible = source.split("### BEGIN HIDDEN TESTS")[0]  # hidden parts need NEU images
        hidden = re.search(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", source, re.S).group(1)
        hidden = "\n".join(line for line in hidden.splitlines() if "neu." not in line and "_name" not in line
                           and not line.startswith("    "))
        try:
            exec(compile(visible + "\n" + hidden, "tests", "exec"), ns)
        except AssertionError:
            failed += 1
    assert failed, f"the mistake '{name}' passes every noise test"


def test_noise_tests_pass_the_reference(nb):
    body = next(b for kind, w, b in _variants(CHECKS / "add_gaussian_noise.py") if kind == "correct")
    for gid in ("test_add_gaussian_noise", "test_add_gaussian_noise_clipping"):
        ns = {"np": np, "iv": iv}
        exec(compile(body, "variant", "exec"), ns)
        exec(compile(_cell(nb, gid).split("### BEGIN HIDDEN TESTS")[0], gid, "exec"), ns)


# ------------------------------------------------------------------------------ decision helpers


def test_bayes_threshold_and_the_prevalence_shift():
    assert iv.bayes_threshold(150, 4000) == pytest.approx(150 / 4150)
    assert iv.bayes_threshold(150, 4000, prevalence=0.5) == pytest.approx(150 / 4150)
    odds = 150 / 4000 * 19
    assert iv.bayes_threshold(150, 4000, prevalence=0.05) == pytest.approx(odds / (1 + odds))


def test_bayes_threshold_minimises_the_expected_cost_for_calibrated_probabilities():
    """Plates whose P(critical) is exactly calibrated at a 5 % line: the cheapest threshold is Bayes'."""
    rng = np.random.default_rng(0)
    p_line = rng.beta(0.3, 3.0, 200_000)                 # calibrated on the line
    critical = rng.random(p_line.size) < p_line
    # the model learnt at a 50 % mix reports the odds scaled by (0.5/0.5) / (share/(1 - share))
    share = critical.mean()
    odds = p_line / (1 - p_line) / (share / (1 - share))
    p_model = odds / (1 + odds)
    grid = np.linspace(0.01, 0.99, 99)
    costs = [iv.cost_per_plate(t, p_model, critical, 150, 4000) for t in grid]
    assert abs(grid[int(np.argmin(costs))] - iv.bayes_threshold(150, 4000, share)) < 0.04


def test_prevalence_weighted_cost_equals_the_mean_of_plate_costs():
    rng = np.random.default_rng(1)
    p, crit = rng.random(500), rng.random(500) < 0.4
    for prevalence in (None, 0.05, 0.4):
        per_plate = iv.plate_costs(crit, p >= 0.3, 150, 4000, prevalence)
        assert per_plate.mean() == pytest.approx(iv.cost_per_plate(0.3, p, crit, 150, 4000, prevalence))
    # a line with a share equal to the sample's gives the plain mean
    assert iv.cost_per_plate(0.3, p, crit, prevalence=crit.mean()) == pytest.approx(iv.cost_per_plate(0.3, p, crit))
    assert iv.cost_per_plate(1.01, p, crit, prevalence=0.05) == pytest.approx(0.05 * 4000)  # accept all
    assert iv.cost_per_plate(0.0, p, crit, prevalence=0.05) == pytest.approx(0.95 * 150)    # reject all


def test_paired_bootstrap_sees_a_paired_difference_that_separate_intervals_miss():
    rng = np.random.default_rng(2)
    difficulty = rng.random(120)
    a = (difficulty < 0.93).astype(float)  # A gets right everything B does, and a few more
    b = (difficulty < 0.88).astype(float)
    r = iv.paired_bootstrap(a, b, seed=0)
    assert r["diff"] == pytest.approx(a.mean() - b.mean())
    assert 0 < r["low"] <= r["diff"] <= r["high"] and r["p_a_not_better"] == 0
    same = iv.paired_bootstrap(a, a[::-1].copy(), seed=0)
    assert same["low"] < 0 < same["high"] or same["diff"] == 0
    with pytest.raises(iv.InputError, match="equal length"):
        iv.paired_bootstrap(a, b[:-1])


def test_cost_explorer_builds_without_blocking():
    import matplotlib

    matplotlib.use("Agg")
    rng = np.random.default_rng(3)
    w = iv.cost_explorer(rng.random(50), rng.random(50) < 0.5, tuned_threshold=0.4)
    names = {c.description for c in w.children if hasattr(c, "description")}
    assert {"false reject (SEK)", "escape (SEK)", "critical share", "threshold t"} <= names


def test_hog_features_match_scikit_image_and_are_cached(tmp_path, monkeypatch):
    from skimage.feature import hog

    monkeypatch.setenv("INDI_CACHE_DIR", str(tmp_path))
    images = np.random.default_rng(4).integers(0, 256, (3, 64, 64)).astype(np.uint8)
    out = iv.hog_features(images, cell_px=32)
    assert out.shape == (3, 2 * 2 * 9)
    assert np.allclose(out[1], hog(images[1], orientations=9, pixels_per_cell=(32, 32), cells_per_block=(1, 1)))
    assert len(list(tmp_path.rglob("hog-*.npz"))) == 1
    assert np.array_equal(iv.hog_features(images, cell_px=32), out)


def test_no_hidden_test_line_is_also_visible(nb):
    """The feedback shows visible cells; a hidden line that also stands in a visible cell looks leaked."""
    hidden_re = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
    hidden = [line.strip() for c in nb.cells for block in hidden_re.findall(c.source)
              for line in block.splitlines() if len(line.strip()) > 15]
    visible = "\n".join(hidden_re.sub("", c.source) for c in nb.cells)
    assert not [line for line in hidden if line in visible]

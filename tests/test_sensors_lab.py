"""Lab 2 (sensor analytics) read as a participant and a methods reviewer would: one slip costs one task,
graders test the computation (not a typed value), comparisons are paired, tuning stays inside each split,
the fixed-interval baseline avoids the worn-at-start and censoring traps, every score has a Dummy beside it,
visible self-checks cover the edge cases the specs name, and every manually graded answer has a rubric."""

from __future__ import annotations

import re

import jupytext
import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO

from indi import sensors
from indi.errors import InputError

SOURCE = REPO / "lab_sources" / "sensor_analytics.md"
CHECKS = REPO / "lab_sources" / "sensor_analytics_checks"
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)


@pytest.fixture(scope="module")
def cells():
    return jupytext.read(SOURCE).cells


def _nbg(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _solution_cells(cells):
    return [c for c in cells if c.cell_type == "code" and _nbg(c).get("solution") and not _nbg(c).get("grade")]


def _tests_of(cells, grade_id):
    """Test cells that follow a solution cell, up to the next solution cell."""
    out, inside = [], False
    for c in cells:
        m = _nbg(c)
        if m.get("solution") and not m.get("grade") and c.cell_type == "code":
            inside = m["grade_id"] == grade_id
        elif inside and m.get("grade") and c.cell_type == "code":
            out.append(c)
    return out


def _defined_names(source: str) -> list[str]:
    body = re.search(r"### BEGIN SOLUTION(.*?)### END SOLUTION", source, re.S)
    names = re.findall(r"^def (\w+)", source, re.M)
    names += re.findall(r"^(\w+)\s*=", body.group(1) if body else "", re.M)
    return names


def _visible(cell) -> str:
    return HIDDEN.sub("", cell.source)


# --------------------------------------------------------------------------- one slip costs one task


def test_later_cells_never_use_a_participants_earlier_answer(cells):
    """Each name a participant writes (function or value) is used only by its own tests and in a
    side-by-side comparison with the reference; everything later runs on indi.sensors' reference."""
    for sol in _solution_cells(cells):
        own = {id(c) for c in _tests_of(cells, _nbg(sol)["grade_id"])}
        for name in _defined_names(sol.source):
            if name == "MILLING_LIMIT_MM":  # given in the cell, not asked for
                continue
            for c in cells:
                if c.cell_type != "code" or c is sol or id(c) in own:
                    continue
                uses = [m.start() for m in re.finditer(rf"(?<![\w.]){name}\b", c.source)]
                for pos in uses:
                    line = c.source[:pos].rsplit("\n", 1)[-1] + c.source[pos:].split("\n", 1)[0]
                    context = c.source[max(0, pos - 200):pos]
                    assert "compare_to_reference" in context or "lambda" in line, (
                        f"{name!r} (the participant's answer) is used outside its task:\n{c.source[:300]}")


def test_reference_helpers_match_the_model_solutions():
    df = pd.DataFrame({"tool": [2, 1, 2, 1], "a": [1.0, 2, 3, 4], "b": [np.nan, 1, 1, 1], "Vb": [0.0, 1, 5, 9]})
    prep = sensors.prepare_turning(df)
    assert list(prep.columns) == ["tool", "a", "Vb", "cut_time_s"] and list(prep["cut_time_s"]) == [0, 0, 1, 1]
    assert "b" in df.columns
    assert list(sensors.monotone_wear(pd.DataFrame({"g": [1, 2, 1], "w": [3.0, 1, 2]}), "g", "w")) == [3, 1, 3]
    assert sensors.first_crossing_time([0, 5, 10], [1.0, 2.0, 3.0], 2.0) == 5.0
    assert np.isnan(sensors.first_crossing_time([0, 1], [1.0, 1.0], 2.0))
    assert sensors.precision_recall([False], [True]) == (0.0, 0.0)
    assert sensors.precision_recall([True, True, False], [True, False, True]) == (0.5, 0.5)


def test_compare_to_reference_reports_and_never_raises(capsys):
    assert sensors.compare_to_reference("x", lambda: np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert not sensors.compare_to_reference("x", lambda: np.array([1.0]), np.array([1.0, 2.0]))

    def broken():
        raise NotImplementedError()

    assert not sensors.compare_to_reference("prepare_turning", broken, pd.DataFrame({"a": [1]}))
    out = capsys.readouterr().out
    assert "NotImplementedError" in out and "continues with the reference" in out


# --------------------------------------------------------------------------- graders test the computation


def _exec(source: str, ns: dict) -> None:
    exec(compile(source, "<cell>", "exec"), ns)  # noqa: S102  (a lab cell, as the grader runs it)


@pytest.fixture(scope="module")
def corr():
    from indi.data import load_turning_tool_wear

    turning = sensors.prepare_turning(load_turning_tool_wear())
    return turning, sensors.within_tool_correlation(turning, sensors.feature_columns(turning))


def test_best_controller_is_graded_on_the_computation_not_the_name(cells, corr):
    turning, table = corr
    sol = next(c for c in _solution_cells(cells) if _nbg(c)["grade_id"] == "best_controller")
    tests = _tests_of(cells, "best_controller")
    base = {"np": np, "pd": pd, "sensors": sensors, "turning": turning, "corr": table}
    ns = dict(base)
    _exec(sol.source, ns)
    for t in tests:
        _exec(t.source, ns)  # the model solution passes, hidden tests included
    answer = ns["best_controller_feature"](table)
    literal = dict(base, best_controller_feature=lambda c: answer)  # typing the right name
    with pytest.raises(AssertionError):
        for t in tests:
            _exec(t.source, literal)


# --------------------------------------------------------------------------- methods


def test_paired_bootstrap_sees_a_difference_that_separate_intervals_hide():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(13), 20)
    hardness = rng.gamma(2.0, 20.0, 13)[groups]  # some tools are hard for every model
    err_b = hardness + rng.normal(0, 1, groups.size).clip(-1, 1)
    err_a = err_b - 3.0  # A is 3 µm better on every row
    lo_a, hi_a = sensors.bootstrap_mae_interval(err_a, groups)
    lo_b, hi_b = sensors.bootstrap_mae_interval(err_b, groups)
    assert lo_b < hi_a, "the separate intervals overlap"
    res = sensors.paired_bootstrap_diff(err_a, err_b, groups)
    assert res["diff"] == pytest.approx(-3.0)
    assert res["high"] < 0 and res["p_a_better"] == 1.0, res
    with pytest.raises(InputError, match="one value per row"):
        sensors.paired_bootstrap_diff(err_a[:-1], err_b, groups)


def test_lab_compares_models_paired_and_beside_a_dummy(cells):
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "paired_bootstrap_diff" in code
    assert "DummyRegressor()" in code and '"Dummy' in code
    assert "Dummy that always alarms" in code


def _rows(n_tools, slope_of, start_of=None, length=30):
    start_of = start_of or {}
    return pd.DataFrame([{"tool": k, "cut_time_s": float(s), "Vb": start_of.get(k, 0.0) + slope_of[k] * s,
                          "feat": start_of.get(k, 0.0) + slope_of[k] * s}
                         for k in range(n_tools) for s in range(length)])


def test_grouped_ridge_tunes_alpha_by_whole_tools_inside_each_split():
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV, GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(2)
    g = np.repeat(np.arange(8), 25)
    X = rng.normal(0, 1, (g.size, 30)) + rng.normal(0, 3, (8, 30))[g]  # tool-specific offsets
    y = X[:, 0] * 5 + rng.normal(0, 1, g.size)
    alphas = np.logspace(-2, 4, 13)
    ours = sensors.GroupedRidgeCV(alphas, inner_splits=4).fit(X, y, g)
    grid = GridSearchCV(make_pipeline(StandardScaler(), Ridge()), {"ridge__alpha": alphas}, cv=GroupKFold(4),
                        scoring="neg_mean_absolute_error").fit(X, y, groups=g)
    assert ours.alpha_ == pytest.approx(grid.best_params_["ridge__alpha"])
    with pytest.raises(InputError, match="groups"):
        sensors.GroupedRidgeCV().fit(X, y)
    # inside leave-one-tool-out, each fit sees only the training tools' groups
    seen = []

    class Spy(sensors.GroupedRidgeCV):
        def fit(self, X, y, groups=None):
            seen.append(set(np.unique(groups)))
            return super().fit(X, y, groups)

    sensors.loto_predict(Spy(alphas), X, y, g, progress=False, fit_groups=True)
    assert seen == [set(range(8)) - {k} for k in range(8)]


def test_lab_tunes_the_ridge_by_tools_not_by_rows(cells):
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "RidgeCV(" not in code.replace("GroupedRidgeCV(", "")
    assert "fit_groups=True" in code


def test_fixed_interval_ignores_inserts_worn_at_start_and_censored_lives():
    # tools 0-3 start new and wear 10 µm/s (life 30 s at 300 µm); tool 4 starts at 200 µm (life 10 s on
    # its clock); tool 5 is censored (2 µm/s, never reaches 300 µm in 30 s)
    df = _rows(6, {0: 10, 1: 10, 2: 10, 3: 10, 4: 10, 5: 2}, start_of={4: 200.0}, length=40)
    df = df[~((df["tool"] == 5) & (df["cut_time_s"] > 20))]
    worn = sensors.starts_worn(df, new_below=30)
    assert worn == [4]
    naive = sensors.fixed_interval_times(df, 300)
    assert naive[0] == 10.0, "the trap: a used insert's 10 s sets the interval"
    fair = sensors.fixed_interval_times(df, 300, exclude=worn)
    assert all(v == 30.0 for v in fair.values()), fair
    res = sensors.evaluate_policy("fixed", df[df["tool"] != 4], fair, 300)
    per = res.per_tool.set_index("tool")
    # the censored tool ends at 20 s, before the 30-s change: not used up, no waste known
    assert not per.loc[5, "used_up"] and per.loc[5, "wasted_s"] == 0
    # 4 new tools used up in 4 x 30 s, plus 20 s of the censored one
    assert res.tools_per_hour == pytest.approx(4 / (140 / 3600))
    early = sensors.evaluate_policy("early", df[df["tool"] == 5], {5: 5.0}, 300)
    assert early.wasted_censored_min_s == 15.0 and early.wasted_s == 0
    with pytest.raises(InputError, match="no other tool"):
        sensors.fixed_interval_times(df[df["tool"].isin([0, 4])], 300, exclude=[4])


def test_turning_fixed_interval_is_set_by_new_inserts(corr):
    turning, _ = corr
    assert sensors.starts_worn(turning) == [6, 9, 14]
    fixed = sensors.fixed_interval_times(turning, 300, exclude=[6, 9, 14])
    assert min(fixed.values()) >= 94, "74 s comes from insert 9, which starts worn at 132 µm"


def test_margin_widget_builds_draws_and_responds():
    import matplotlib

    matplotlib.use("Agg")
    df = _rows(4, {0: 10, 1: 12, 2: 8, 3: 2}, length=40)
    pred = df["Vb"].to_numpy() + 5
    fixed = sensors.evaluate_policy("fixed", df, sensors.fixed_interval_times(df, 300), 300)
    w = sensors.margin_explorer(df, pred, 300, fixed=fixed, margins=[0, 50, 100])
    slider = w.children[0]
    assert (slider.min, slider.max, slider.continuous_update) == (0, 100, False)
    slider.value = 100.0  # redraws at once, no waiting for input
    curve = sensors.margin_curve(df, pred, 300, [0, 50, 100])
    assert curve["wasted_s"].is_monotonic_increasing and curve["at_risk_s"].is_monotonic_decreasing


# --------------------------------------------------------------------------- what the participant sees


def test_visible_self_checks_cover_the_edge_cases_the_specs_name(cells):
    named = {  # solution grade id -> what its spec names, as it must appear in a VISIBLE test
        "prepare_turning": [r"do not change the input", r"\[0, 0, 1, 1, 2\]"],
        "monotone_wear": [r"index=\[7, 3, 9, 1, 5\]"],
        "window_features": [r"-4\.0", r"offset"],
        "best_controller": [r"-0\.81", r"np\.nan", r'"sensor"'],
        "grouped_mae": [r"12\.5", r"fresh copy"],
        "time_baseline": [r"\[1\.5, 10, -1\]", r"\[0, 20, 10, 30\]"],
        "bootstrap_mae": [r"same seed", r"np\.full\(30, 4\.0\)"],
        "first_crossing": [r"\[1\.0, 2\.0, 3\.0\], 2\.0\) == 5\.0", r"np\.isnan\(never\)"],
        "health_state": [r"149\.9, 150, 299\.9, 300"],
        "precision_recall": [r"no alarms", r"nothing worn"],
    }
    for gid, patterns in named.items():
        visible = "\n".join(_visible(t) for t in _tests_of(cells, gid))
        for pat in patterns:
            assert re.search(pat, visible), f"{gid}: no visible self-check for {pat!r}"


def test_tasks_with_several_parts_split_their_points(cells):
    for gid, n in [("prepare_turning", 2), ("window_features", 2), ("grouped_mae", 2), ("first_crossing", 2),
                   ("precision_recall", 2)]:
        assert len(_tests_of(cells, gid)) == n, gid


def test_every_question_has_its_own_cell_before_the_answer(cells):
    for i, c in enumerate(cells):
        if c.cell_type == "markdown" and _nbg(c).get("grade"):
            question = cells[i - 1]
            assert not _nbg(question), f"{_nbg(c)['grade_id']}: the question must be a separate, ungraded cell"
            assert re.search(r"\*\*Reflection \d", question.source), question.source[:200]
            assert "Model answer" in c.source


def test_every_manually_graded_answer_has_a_rubric(cells):
    rubrics = yaml.safe_load((CHECKS / "rubrics.yml").read_text(encoding="utf-8"))
    manual = {_nbg(c)["grade_id"]: _nbg(c)["points"] for c in cells
              if c.cell_type == "markdown" and _nbg(c).get("grade")}
    assert set(rubrics) == set(manual)
    for gid, points in manual.items():
        assert sorted(rubrics[gid]) == list(range(points + 1)), gid
        for level, text in rubrics[gid].items():
            sv, en = text.split(" / ", 1)
            assert len(sv) > 40 and len(en) > 40, (gid, level)


def test_every_autograded_task_has_alternatives_and_mistakes(cells):
    for sol in _solution_cells(cells):
        gid = _nbg(sol)["grade_id"]
        text = (CHECKS / f"{gid}.py").read_text(encoding="utf-8")
        kinds = re.findall(r"^# %% (correct|mistake): \S", text, re.M)
        assert kinds.count("correct") >= 1 and kinds.count("mistake") >= 2, (gid, kinds)


def test_learner_text_has_no_developer_text(cells):
    page = (REPO / "labs" / "sensor_analytics" / "README.md").read_text(encoding="utf-8")
    text = page + "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for dev in (r"make bench", r"benchmarks/", r"\bsensor\.[a-z_]+", r"\bissue \d", r"goal ≤", r"load ≈",
                r"lab_sources", r"2-core", r"variants? (we )?tried"):
        assert not re.search(dev, text), dev


def test_no_hidden_test_line_also_stands_in_visible_code(cells):
    """The feedback shows every visible cell: a hidden line that also appears there looks leaked (and tells
    nothing hidden apart from what the participant already sees)."""
    hidden = [line.strip() for c in cells if c.cell_type == "code"
              for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", c.source, re.S)
              for line in block.splitlines() if len(line.strip()) > 15]
    visible = "\n".join(HIDDEN.sub("", c.source) for c in cells)
    assert not [line for line in hidden if line in visible]

"""Student code that switches the grader's tests off from inside the kernel is flagged, with the reason.

Each attack below puts WRONG answers in the tiny fixture lab (mean_feed returns 0, spindle_rpm = 1)
plus code that hides the failing tests. Graded by one real class run (indi_ops.grading.classroom.
autograde_all: nbgrader's API, sandbox on). A control course graded WITHOUT the course's checks shows
the attacks really earn points there, so these tests fail if the checks stop working. The honest real
labs are scanned too: the checks must not flag them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from course import TINY, cell_index, grading_course, solved, submit  # noqa: E402

from indi.paths import REPO_ROOT  # noqa: E402
from indi_ops.grading import classroom as teacher  # noqa: E402
from indi_ops.grading.tamper import compare_probes, scan_code, scan_notebook  # noqa: E402

FULL = 3.0
WRONG_MEAN = "def mean_feed(values):\n    return 0\n"
WRONG_RPM = "spindle_rpm = 1\n"

# Each attack goes into the mean_feed cell after the wrong answer; spindle is wrong too.
ATTACKS = {
    # The case: an input transformer that blanks every cell containing "assert".
    "input_transformer": "get_ipython().input_transformers_cleanup.append(\n"
                         "    lambda lines: [] if any('assert' in l for l in lines) else lines)\n",
    # Event hooks that install an assert-stripping AST transformer only while a test cell runs.
    "event_hooks": '''
import ast
class _Strip(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
_ip = get_ipython()
def _pre(info):
    if "assert" in (info.raw_cell or ""):
        _ip.ast_transformers[:] = [_Strip()]
def _post(result):
    _ip.ast_transformers[:] = []
_ip.events.register("pre_run_cell", _pre)
_ip.events.register("post_run_cell", _post)
''',
    # 'assert' redefined by an AST transformer, for good.
    "ast_transformer": '''
import ast
class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(NoAsserts())
''',
    # Errors swallowed by a custom exception handler: the failing test shows no error output.
    "custom_exc": "get_ipython().set_custom_exc((Exception,), lambda shell, etype, value, tb, tb_offset=None: None)\n",
    # The shell's own methods replaced: test cells are not run at all.
    "run_cell": '''
_ip = get_ipython()
_orig = _ip.run_cell_async
async def _run(raw_cell, *args, **kwargs):
    return await _orig("pass" if "assert" in raw_cell else raw_cell, *args, **kwargs)
_ip.run_cell_async = _run
_orig_sync = _ip.run_cell
_ip.run_cell = lambda raw_cell, *a, **k: _orig_sync("pass" if "assert" in raw_cell else raw_cell, *a, **k)
''',
    # No traceback shown: nbgrader sees no error output.
    "showtraceback": "get_ipython().showtraceback = lambda *args, **kwargs: None\n",
    # A builtin patched: the visible test abs(mean - 0.2) < 1e-9 passes with a wrong mean.
    "builtins": "import builtins\nbuiltins.abs = lambda x: 0\n",
    # Trace and profile functions, sys.excepthook: interpreter hooks a lab never needs (IPython restores
    # sys.excepthook after each cell, so only the scan reports that one).
    "settrace": "import sys\nsys.settrace(lambda frame, event, arg: None)\nsys.setprofile(lambda *a: None)\n"
                "sys.excepthook = lambda *a: None\n",
    # ctypes reaching into the interpreter (here only loading it).
    "ctypes": "import ctypes\n_api = ctypes.pythonapi\n",
    # Obfuscated: no literal get_ipython or input_transformers in the code; a string-built name.
    "obfuscated": '''
_shell = getattr(__import__("IPython.core." + "getipython", fromlist=["*"]), "get_" + "ipython")()
getattr(_shell, "input_transformers" + "_cleanup").append(
    lambda lines: [] if any(chr(97) + "ssert" in l for l in lines) else lines)
''',
}
# Attacks that earn points they should not when the checks are off (shown by the control run).
EFFECTIVE = ["input_transformer", "event_hooks", "ast_transformer", "obfuscated"]
# Seen by the canaries or the kernel probe on their own. custom_exc and showtraceback alone do not earn
# points here: nbgrader adds the kernel's error reply when no error output was shown.
RUNTIME = [*EFFECTIVE, "custom_exc", "showtraceback", "run_cell", "builtins", "settrace"]


def _attack(root: Path, code: str):
    nb = solved(root, TINY)
    nb.cells[cell_index(nb, "mean_feed")].source = WRONG_MEAN + code
    nb.cells[cell_index(nb, "spindle")].source = WRONG_RPM
    return nb


def _auto(root: Path, sid: str) -> tuple[float, bool]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook("tiny", "tiny", sid)
        grades = [g for g in nb.grades if g.name != "why_round"]
        return sum(g.auto_score or 0 for g in grades), any(g.needs_manual_grade for g in grades)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = grading_course(tmp_path_factory.mktemp("tamper"), [TINY], timeout_s=10)
    submit(root, "honest", "tiny", solved(root, TINY))
    submit(root, "honest_wrong", "tiny", _attack(root, ""))
    for sid, code in ATTACKS.items():
        submit(root, sid, "tiny", _attack(root, code))
    outcomes = {o.student_id: o for o in teacher.autograde_all(root, "tiny")}
    return root, outcomes


@pytest.fixture(scope="module")
def unchecked(tmp_path_factory):
    """Control: the same attacks graded with nbgrader's plain steps (sandbox on, no course checks)."""
    # The course's list before this change: everything but InsertChecks, CheckChecks, SanitizeOutputs.
    extra = ("from indi_ops.grading.tamper import InsertChecks, CheckChecks\n"
             "from indi_ops.grading.sanitize import SanitizeOutputs\n"
             "c.Autograde.autograde_preprocessors = [p for p in c.Autograde.autograde_preprocessors\n"
             "    if p not in (InsertChecks, CheckChecks, SanitizeOutputs)]\n")
    root = grading_course(tmp_path_factory.mktemp("tamper-control"), [TINY], timeout_s=10, extra=extra)
    for sid in EFFECTIVE:
        submit(root, sid, "tiny", _attack(root, ATTACKS[sid]))
    teacher.autograde_all(root, "tiny")
    return root


pytestmark = pytest.mark.slow


def test_honest_submissions_are_not_flagged(graded):
    root, out = graded
    assert out["honest"].status == "graded", out["honest"]
    assert _auto(root, "honest") == (FULL, False)
    assert out["honest_wrong"].status == "graded", out["honest_wrong"]
    assert _auto(root, "honest_wrong")[0] == 0.0


@pytest.mark.parametrize("sid", list(ATTACKS))
def test_tampering_is_flagged_with_the_reason(graded, sid):
    root, out = graded
    o = out[sid]
    assert o.status == "needs manual grading", f"{sid} kept its points silently: {o}"
    assert _auto(root, sid)[1], "the flag must reach the gradebook (formgrader: needs manual grade)"
    text = " ".join(o.reasons)
    assert "code that reaches the kernel" in text, o.reasons
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        comments = [c.auto_comment or "" for c in gb.find_submission_notebook("tiny", "tiny", sid).comments]
    assert any("Needs manual grading" in c for c in comments)
    # The inserted check cells are gone from what formgrader shows.
    nb = nbformat.read(root / "grading" / "autograded" / sid / "tiny" / "tiny.ipynb", as_version=4)
    assert not any("INDI-PROBE" in c.source or "indi_check" in c.metadata for c in nb.cells)


@pytest.mark.parametrize("sid", RUNTIME)
def test_runtime_checks_catch_effective_attacks_without_the_scan(graded, sid):
    """The canaries or the kernel probe see these attacks on their own (not only the code scan)."""
    text = " ".join(graded[1][sid].reasons)
    assert "tests may have been switched off" in text or "changed the kernel's grading machinery" in text \
        or "kernel check" in text, graded[1][sid].reasons


def test_probe_reports_each_kind_of_change(graded):
    reasons = {sid: " ".join(graded[1][sid].reasons) for sid in ATTACKS}
    assert "input transformers changed" in reasons["input_transformer"]
    assert "AST transformers changed" in reasons["ast_transformer"]
    assert "event callbacks changed" in reasons["event_hooks"]
    assert "custom exception handler changed" in reasons["custom_exc"]
    assert "the shell was patched" in reasons["run_cell"] and "run_cell" in reasons["run_cell"]
    assert "builtins changed (abs)" in reasons["builtins"]
    assert "trace function changed" in reasons["settrace"] and "profile function changed" in reasons["settrace"]


def test_attacks_really_earn_points_without_the_checks(unchecked):
    for sid in EFFECTIVE:
        score, manual = _auto(unchecked, sid)
        assert score > 0 and not manual, f"{sid}: the attack no longer works ({score}); update the test"
    assert _auto(unchecked, "input_transformer")[0] == FULL  # the case: full marks, unflagged


# ------------------------------------------------------------------------- fast checks (no kernel)
@pytest.mark.parametrize("sid", list(ATTACKS))
def test_scan_finds_each_attack(sid):
    assert scan_code(WRONG_MEAN + ATTACKS[sid])


def test_scan_leaves_ordinary_code_and_allowed_magics_alone():
    code = ("%matplotlib inline\nimport numpy as np\nimport pandas as pd\nimport re\n"
            "df = pd.DataFrame({'a': [1, 2]})\nmodel = re.compile('x')\nprint(getattr(df, 'shape'))\n"
            "def f(x):\n    assert x > 0, 'positive'\n    return sorted(x)\n")
    assert scan_code(code) == []
    assert scan_code("%load_ext foo") and scan_code("!ls /") and scan_code("exec('1')")


def test_real_lab_solutions_are_not_flagged_by_the_scan():
    labs = sorted(p for p in (REPO_ROOT / "labs").glob("*/*.ipynb") if p.stem == p.parent.name)
    assert len(labs) >= 3
    for lab in labs:
        nb = nbformat.read(lab, as_version=4)
        assert scan_notebook(nb) == [], f"{lab.name}: honest solution code would be flagged"


def test_compare_probes_allows_library_callbacks():
    start = {"event callbacks": {"post_execute": []}, "builtins": {"len": 1}}
    end = {"event callbacks": {"post_execute": ["matplotlib_inline.backend_inline:flush_figures#9"]},
           "builtins": {"len": 1}}
    assert compare_probes(start, end) == []
    end["event callbacks"]["post_execute"].append("__main__:<lambda>#10")
    assert "post_execute" in compare_probes(start, end)[0]

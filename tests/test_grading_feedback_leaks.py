"""Feedback carries nothing computed while the hidden tests were in the kernel, in any encoding.

Student code registers a ``pre_run_cell`` hook that sees every later cell's source (the hidden tests
included, during autograde) and smuggles it out: printed as base64, hex, rot13 and zlib; written to a
file that a later cell reads and puts into an error message; drawn into an image output; hidden in
an HTML output. Graded by one real class run (autograde_all + generate_feedback, sandbox on).

Control: the autograded notebook (the teacher's view) DOES hold the encoded hidden tests, so the
decoder below would catch a leak. The feedback HTML must not.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
import sys
import zlib
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from course import TINY, cell_index, grading_course, solved, submit  # noqa: E402

from indi_ops.grading import classroom as teacher  # noqa: E402
from indi_ops.grading.metadata import HIDDEN_FAILED  # noqa: E402

pytestmark = pytest.mark.slow

SECRETS = ["SECRET-HIDDEN-CHECK-1", "SECRET-HIDDEN-CHECK-2", "mean_feed([4.0]) == 4.0", "spindle_rpm == 637"]

HOOK = '''
import base64, binascii, codecs, zlib, os
def mean_feed(values):
    return sum(values) / len(values)
def _leak(info):
    raw = info.raw_cell or ""
    print("B64", base64.b64encode(raw.encode()).decode())
    print("HEX", binascii.hexlify(raw.encode()).decode())
    print("ROT", codecs.encode(raw, "rot13"))
    print("ZLIB", base64.b64encode(zlib.compress(raw.encode())).decode())
    with open("leak.txt", "a") as f:
        f.write(raw)
    with open("/tmp/leak.txt", "a") as f:
        f.write(raw)
get_ipython().events.register("pre_run_cell", _leak)
'''

# The next solution cell (after test_mean_feed ran) reads what the hook stored and shows it three ways.
READ_BACK = '''
import base64, os
from IPython.display import HTML, display
spindle_rpm = 637
stored = "".join(open(p).read() for p in ("leak.txt", "/tmp/leak.txt") if os.path.exists(p))
blob = base64.b64encode(stored.encode()).decode()
display({"image/png": blob}, raw=True)
display(HTML("<p>notes</p><!-- " + stored.encode().hex() + " -->"))
raise ValueError("saved: " + blob)
'''


def _decodings(text: str) -> list[str]:
    """The text, its rot13, and every base64 / hex / zlib-in-base64 token decoded."""
    out = [text, codecs.decode(text, "rot13")]
    for token in re.findall(r"[A-Za-z0-9+/]{16,}={0,2}", text):
        try:
            raw = base64.b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            continue
        out.append(raw.decode("latin-1"))
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            pass
    for token in re.findall(r"(?:[0-9a-fA-F]{2}){8,}", text):
        out.append(bytes.fromhex(token).decode("latin-1"))
    return out


def leaked(text: str) -> list[str]:
    return sorted({s for d in _decodings(text) for s in SECRETS if s in d})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = grading_course(tmp_path_factory.mktemp("leaks"), [TINY], timeout_s=10)
    nb = solved(root, TINY)
    nb.cells[cell_index(nb, "mean_feed")].source = HOOK
    nb.cells[cell_index(nb, "spindle")].source = READ_BACK
    submit(root, "leaker", "tiny", nb)
    wrong = solved(root, TINY)
    wrong.cells[cell_index(wrong, "spindle")].source = "spindle_rpm = 640  # passes the visible test only"
    submit(root, "hidden_fails", "tiny", wrong)
    submit(root, "good", "tiny", solved(root, TINY))
    outcomes = {o.student_id: o for o in teacher.autograde_all(root, "tiny")}
    result = teacher.generate_feedback(root, "tiny")
    assert result["success"], result.get("error")
    return root, outcomes


def _feedback(root: Path, sid: str) -> str:
    return (root / "grading" / "feedback" / sid / "tiny" / "tiny.html").read_text()


def test_the_attack_leaks_in_the_autograde_run(graded):
    """Control: with hidden tests in the kernel, the hook's encodings do carry them."""
    root, _ = graded
    nb = nbformat.read(root / "grading" / "autograded" / "leaker" / "tiny" / "tiny.ipynb", as_version=4)
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "SECRET-HIDDEN-CHECK-1" in leaked(outputs)


def test_feedback_holds_no_hidden_test_in_any_encoding(graded):
    root, _ = graded
    for sid in ("leaker", "hidden_fails", "good"):
        html = _feedback(root, sid)
        assert leaked(html) == [], f"{sid}: feedback leaks {leaked(html)}"
    html = _feedback(root, "leaker")
    assert "B64" in html and "saved: " in html  # the student's own outputs are there, from the clean run


def test_scores_still_come_from_the_hidden_tests(graded):
    root, out = graded
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        def score(sid):
            return {g.name: g.auto_score for g in gb.find_submission_notebook("tiny", "tiny", sid).grades}
        assert score("good")["test_spindle"] == 1 and score("hidden_fails")["test_spindle"] == 0
        assert score("leaker")["test_mean_feed"] == 2
    # The student learns the hidden tests failed (as the score says), nothing more.
    html = _feedback(root, "hidden_fails")
    assert HIDDEN_FAILED in html and HIDDEN_FAILED not in _feedback(root, "good")
    assert out["leaker"].status == "needs manual grading"  # get_ipython in a solution cell

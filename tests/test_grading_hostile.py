"""Hostile and broken submissions, graded by ONE real class run (indi_ops.grading.classroom.autograde_all, two
students at a time), and once more one student at a time: both give the same gradebook.

Each case gets a correct grade or a "needs manual grading" flag with the reason; the run always
finishes; no other submission, grade, source notebook or the gradebook is affected; feedback never
shows hidden tests. The fixture lab (tests/fixtures/grading/labs/tiny) has 2 + 1 autograded points
and 1 manually graded point; the sandbox limits are short here (5 s per cell, 1.5 GB).
"""

from __future__ import annotations

import hashlib
import json
import socket
import sys
import threading
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from course import TINY, cell_index, grading_course, solved, submit  # noqa: E402

from indi.paths import REPO_ROOT  # noqa: E402
from indi_ops.grading import classroom as teacher  # noqa: E402

pytestmark = pytest.mark.slow  # two class runs (parallel, serial), ~2 min on 2 cores

FULL = 3.0  # autograded points of a perfect tiny submission (the written answer is graded by hand)


def _set(nb, grade_id: str, source: str):
    nb.cells[cell_index(nb, grade_id)].source = source
    return nb


class Listener:
    """A TCP server on 127.0.0.1 that counts connections (a sandboxed kernel must reach none)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self._stop = True
        self.thread.join(2)
        self.sock.close()


def _build(root: Path, listener: Listener) -> None:
    good = solved(root, TINY)
    s = submit
    s(root, "good", "tiny", good)
    s(root, "infinite_loop", "tiny", _set(solved(root, TINY), "mean_feed", "while True:\n    pass"))
    s(root, "loop_ignores_interrupt", "tiny", _set(solved(root, TINY), "mean_feed",
      "import time\nwhile True:\n    try:\n        time.sleep(10)\n    except KeyboardInterrupt:\n        pass"))
    s(root, "memory_bomb", "tiny", _set(solved(root, TINY), "mean_feed",
      "import numpy as np\nblocks = []\nwhile True:\n    blocks.append(np.zeros(2**27))  # 1 GiB each"))
    s(root, "os_exit", "tiny", _set(solved(root, TINY), "spindle", "import os\nos._exit(3)"))
    s(root, "segfault", "tiny", _set(solved(root, TINY), "spindle", "import ctypes\nctypes.string_at(0)"))
    s(root, "huge_output", "tiny", _set(solved(root, TINY), "spindle",
      "spindle_rpm = 637\nfor _ in range(30):\n    print('x' * 1_000_000)"))
    edited = _set(solved(root, TINY), "mean_feed", "def mean_feed(values):\n    return 0")
    for gid in ("test_mean_feed", "test_spindle"):
        _set(edited, gid, "assert True  # the student edited the read-only test")
    s(root, "edited_tests", "tiny", edited)
    deleted = solved(root, TINY)
    deleted.cells = [c for c in deleted.cells if not c.metadata.get("nbgrader", {}).get("grade")
                     or c.metadata["nbgrader"].get("solution")]
    s(root, "deleted_tests", "tiny", deleted)
    dup = solved(root, TINY)
    i = cell_index(dup, "mean_feed")
    dup.cells.insert(i + 1, nbformat.from_dict(json.loads(json.dumps(dup.cells[i]))))  # same cell id too
    s(root, "duplicated_cells", "tiny", dup)
    split = solved(root, TINY)
    i = cell_index(split, "spindle")
    half = nbformat.from_dict(json.loads(json.dumps(split.cells[i])))
    split.cells[i].source, half.source = "speed_m_per_min = 100", "spindle_rpm = 637"
    split.cells.insert(i + 1, half)
    s(root, "split_cells", "tiny", split)
    reordered = solved(root, TINY)
    t = reordered.cells.pop(cell_index(reordered, "test_mean_feed"))
    reordered.cells.insert(cell_index(reordered, "mean_feed"), t)
    s(root, "reordered_cells", "tiny", reordered)
    s(root, "invalid_json", "tiny", raw=nbformat.writes(good)[:500])
    s(root, "wrong_name", "tiny", good, name="tiny (1).ipynb")
    s(root, "missing_notebook", "tiny", extra_files={"README.txt": "I forgot to attach the notebook"})
    s(root, "extra_files", "tiny", good, extra_files={
        "scratch.ipynb": nbformat.writes(nbformat.v4.new_notebook()), "notes.txt": "draft"})
    s(root, "reads_hidden", "tiny", _set(solved(root, TINY), "mean_feed", READ_HIDDEN))
    # Outside the course too: the repository and the grader's home (placeholders filled in here).
    write_files = WRITE_FILES.replace("REPO_ROOT", repr(str(REPO_ROOT))).replace("GRADER_HOME", repr(str(Path.home())))
    s(root, "writes_files", "tiny", _set(solved(root, TINY), "spindle", write_files))
    s(root, "network", "tiny", _set(solved(root, TINY), "spindle", NETWORK.replace("PORT", str(listener.port))))


READ_HIDDEN = '''
import os
def mean_feed(values):
    return sum(values) / len(values)
found = []
skip = {"/proc", "/sys", "/dev", "/usr", "/etc"}
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(top, d) not in skip and d not in ("site-packages", ".pyenv")]
    for name in files:
        if not name.endswith((".ipynb", ".db", ".json", ".py")):
            continue
        path = os.path.join(top, name)
        try:
            text = open(path, "rb").read().decode("latin-1")
        except OSError:
            continue
        if "SECRET" + "-HIDDEN" in text:
            found.append(path)
print("SOURCES WITH HIDDEN TESTS:", len(found), found)
# and print every later cell's source into its own output (hidden tests included)
get_ipython().events.register("pre_run_cell", lambda info: print("NEXT CELL:", info.raw_cell))
'''

WRITE_FILES = '''
import os, pathlib
spindle_rpm = 637
here = pathlib.Path(os.getcwd())
course = here.parents[3]
results = {}
for target in [course / "grading" / "gradebook.db", course / "labs" / "tiny" / "tiny.ipynb",
               course / "grading" / "submitted" / "good" / "tiny" / "tiny.ipynb",
               course / "grading" / "autograded" / "good" / "tiny" / "tiny.ipynb",
               course / "nbgrader_config.py", pathlib.Path(REPO_ROOT) / "evil.txt", pathlib.Path(GRADER_HOME) / "evil.txt"]:
    try:
        with open(target, "w") as f:
            f.write("overwritten by a student")
        results[str(target)] = "WRITTEN"
    except OSError as exc:
        results[str(target)] = type(exc).__name__
print("WRITE RESULTS", results)
'''

NETWORK = '''
import socket
spindle_rpm = 637
outcome = {}
for host in [("127.0.0.1", PORT), ("1.1.1.1", 80)]:
    try:
        socket.create_connection(host, timeout=2).close()
        outcome[str(host)] = "CONNECTED"
    except OSError as exc:
        outcome[str(host)] = type(exc).__name__
print("NETWORK", outcome)
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded as teachers do: in parallel, two students at a time (CI has two cores)."""
    root = grading_course(tmp_path_factory.mktemp("hostile"), [TINY], timeout_s=5)
    listener = Listener()
    try:
        _build(root, listener)
        protected = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in
                     [root / "labs" / "tiny" / "tiny.ipynb", root / "nbgrader_config.py",
                      root / "grading" / "submitted" / "good" / "tiny" / "tiny.ipynb"]}
        outcomes = {o.student_id: o for o in teacher.autograde_all(root, "tiny", workers=2)}
        gen = teacher.generate_feedback(root, "tiny", workers=2)
        assert gen["success"], gen.get("error")
    finally:
        listener.close()
    return {"root": root, "out": outcomes, "protected": protected, "listener": listener}


def gradebook_snapshot(root: Path, outcomes: dict) -> dict:
    """Everything grading decided, per student: outcome, and each graded cell's score, flag and comment."""
    from nbgrader.api import Gradebook

    snap = {}
    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}", "indi-lab") as gb:
        for sid, out in sorted(outcomes.items()):
            cells = {}
            try:
                nb = gb.find_submission_notebook("tiny", "tiny", sid)
                cells = {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades}
                cells.update({f"comment:{c.name}": c.auto_comment for c in nb.comments})
            except Exception:  # MissingEntry: never reached nbgrader (unreadable, missing)
                pass
            snap[sid] = {"status": out.status, "reasons": out.reasons, "notes": out.notes,
                         "score": out.score, "max_score": out.max_score, "cells": cells}
    return snap


def test_parallel_and_serial_grading_give_identical_gradebooks(graded, tmp_path):
    """The same hostile class graded one student at a time (nbgrader's way) gives the same gradebook."""
    root = grading_course(tmp_path, [TINY], timeout_s=5)
    listener = Listener()
    try:
        _build(root, listener)
        serial = {o.student_id: o for o in teacher.autograde_all(root, "tiny", workers=1)}
    finally:
        listener.close()
    parallel, serial = gradebook_snapshot(graded["root"], graded["out"]), gradebook_snapshot(root, serial)
    assert set(parallel) == set(serial)
    for sid in serial:
        assert parallel[sid] == serial[sid], f"{sid}: parallel and serial grading differ"
    from nbgrader.api import Gradebook, SubmittedAssignment

    with Gradebook(f"sqlite:///{graded['root'] / 'grading' / 'gradebook.db'}", "indi-lab") as gb:
        assert gb.db.query(SubmittedAssignment).count() == len(serial)  # one submission each, none twice


def autograded_text(g, sid: str) -> str:
    return (g["root"] / "grading" / "autograded" / sid / "tiny" / "tiny.ipynb").read_text()


def feedback_html(g, sid: str) -> str:
    return (g["root"] / "grading" / "feedback" / sid / "tiny" / "tiny.html").read_text()


def scores(g, sid: str) -> dict[str, tuple[float | None, bool]]:
    """(autograded score, needs manual grade) per graded cell, from the gradebook (nbgrader's API)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{g['root'] / 'grading' / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook("tiny", "tiny", sid)
        return {grade.name: (grade.auto_score, grade.needs_manual_grade) for grade in nb.grades}


def outputs(g, sid: str) -> str:
    """All output text of the autograded notebook (not its source)."""
    nb = nbformat.reads(autograded_text(g, sid), as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def auto(g, sid):
    return sum(s or 0 for name, (s, _) in scores(g, sid).items() if name != "why_round")


def flagged(g, sid, words):
    out = g["out"][sid]
    assert out.status == "needs manual grading", f"{sid} should be flagged: {out}"
    assert any(words in r for r in out.reasons), f"{sid}: reason should mention {words!r}: {out.reasons}"
    assert any(manual for _, manual in scores(g, sid).values()), "flag must reach the gradebook (formgrader)"


def test_every_submission_has_an_outcome_and_good_is_untouched(graded):
    sids = {p.parent.name for p in (graded["root"] / "grading" / "submitted").glob("*/tiny")}
    assert set(graded["out"]) == sids
    assert graded["out"]["good"].status == "graded" and auto(graded, "good") == FULL
    report = (graded["root"] / "grading" / "reports" / "tiny-autograde.csv").read_text()
    assert all(sid in report for sid in sids)


def test_infinite_loop_is_interrupted_and_flagged(graded):
    flagged(graded, "infinite_loop", "time limit")
    assert auto(graded, "infinite_loop") == 1.0  # the later, independent task still counts


def test_loop_that_ignores_interrupt_still_finishes(graded):
    flagged(graded, "loop_ignores_interrupt", "time limit")
    assert auto(graded, "loop_ignores_interrupt") == 0.0


def test_memory_bomb_hits_the_memory_limit(graded):
    assert "MemoryError" in outputs(graded, "memory_bomb")
    assert auto(graded, "memory_bomb") == 1.0  # mean_feed never defined: 0 of 2; spindle: 1


def test_os_exit_grades_what_ran_and_flags(graded):
    flagged(graded, "os_exit", "kernel died")
    assert auto(graded, "os_exit") == 2.0


def test_segfault_grades_what_ran_and_flags(graded):
    flagged(graded, "segfault", "SIGSEGV")
    assert auto(graded, "segfault") == 2.0


def test_huge_output_is_capped(graded):
    assert graded["out"]["huge_output"].status == "graded"
    assert auto(graded, "huge_output") == FULL
    text = autograded_text(graded, "huge_output")
    assert len(text) < 500_000 and "output truncated" in text


def test_edited_read_only_tests_are_restored(graded):
    # mean_feed is wrong (returns 0) and its edited test 'assert True' was replaced by the original: 0/2;
    # spindle is right: 1/1.
    assert auto(graded, "edited_tests") == 1.0
    assert "the student edited" not in outputs(graded, "edited_tests")


def test_deleted_tests_are_restored(graded):
    assert auto(graded, "deleted_tests") == FULL
    assert any("restored" in n for n in graded["out"]["deleted_tests"].notes)


def test_duplicated_cells_with_duplicate_ids(graded):
    assert auto(graded, "duplicated_cells") == FULL
    assert any("duplicated" in n for n in graded["out"]["duplicated_cells"].notes)


def test_split_cells(graded):
    assert auto(graded, "split_cells") == FULL


def test_reordered_cells_are_flagged(graded):
    flagged(graded, "reordered_cells", "different order")


def test_invalid_json_is_flagged_and_kept(graded):
    flagged(graded, "invalid_json", "cannot be read")
    folder = graded["root"] / "grading" / "submitted" / "invalid_json" / "tiny"
    assert (folder / "tiny.ipynb.unreadable").exists()


def test_wrongly_named_notebook_is_graded(graded):
    assert auto(graded, "wrong_name") == FULL
    assert any("tiny (1).ipynb" in n for n in graded["out"]["wrong_name"].notes)


def test_missing_notebook_is_flagged(graded):
    flagged(graded, "missing_notebook", "no notebook")


def test_extra_files_do_not_matter(graded):
    assert auto(graded, "extra_files") == FULL
    assert graded["out"]["extra_files"].status == "graded"


def test_code_cannot_read_hidden_tests(graded):
    text = outputs(graded, "reads_hidden")
    assert "SOURCES WITH HIDDEN TESTS: 0 []" in text, "the sandbox exposed a file holding hidden tests"
    html = feedback_html(graded, "reads_hidden")
    assert "SECRET-HIDDEN" not in html and "NEXT CELL:" in html  # the hook ran; its leak was redacted
    assert auto(graded, "reads_hidden") == FULL


def test_code_cannot_write_gradebook_sources_or_other_students(graded):
    text = outputs(graded, "writes_files")
    assert "WRITE RESULTS" in text and "WRITTEN" not in text
    for path, digest in graded["protected"].items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{path} was changed"
    assert "overwritten" not in autograded_text(graded, "good")
    assert auto(graded, "good") == FULL and auto(graded, "writes_files") == FULL
    assert not (REPO_ROOT / "evil.txt").exists() and not (Path.home() / "evil.txt").exists()


def test_code_cannot_open_network_connections(graded):
    text = outputs(graded, "network")
    assert "NETWORK" in text and "CONNECTED" not in text
    assert graded["listener"].connections == 0

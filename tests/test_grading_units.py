"""Fast checks of the grading helpers: roster matching, hidden-test redaction, the sandbox itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from indi.errors import InputError
from indi_ops.grading.metadata import REDACTED
from indi_ops.grading.preprocessors import RedactHiddenTests
from indi_ops.roster import match_student, read_roster

ROSTER = [
    {"student_id": "alind", "first_name": "Anna", "last_name": "Lind", "email": "anna.lind@example.se"},
    {"student_id": "alindq", "first_name": "Anna", "last_name": "Lindqvist", "email": ""},
    {"student_id": "jberg", "first_name": "Jonas", "last_name": "Berg", "email": "jonas.berg@example.se",
     "aliases": "jb_1202;jonasb"},
]


@pytest.mark.parametrize("name, ids", [
    ("Anna Lind_1201_assignsubmission_file_/lab.ipynb", ["alind"]),
    ("Anna Lindqvist_1203_assignsubmission_file_/lab.ipynb", ["alindq"]),  # not also Anna Lind
    ("lindanna_lab.ipynb", ["alind"]),  # Canvas: last name first, lower case
    ("ANNA_LIND (1).ipynb", ["alind"]),
    ("jonas.berg@example.se - lab.ipynb", ["jberg"]),
    ("submission_JB_1202.ipynb", ["jberg"]),  # alias
    ("Anna Lind och Jonas Berg.ipynb", ["alind", "jberg"]),  # two people: ambiguous
    ("Kim Okänd.ipynb", []),
])
def test_roster_matching(name, ids):
    assert sorted(match_student(name, ROSTER)) == ids


def test_roster_needs_unique_ids(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("student_id,first_name\nx1,A\nx1,B\n")
    with pytest.raises(InputError, match="unique"):
        read_roster(bad)
    bad.write_text("name,email\nA,a@x\n")
    with pytest.raises(InputError, match="student_id"):
        read_roster(bad)


def test_redaction_removes_only_outputs_that_quote_hidden_tests():
    test_cell = nbformat.v4.new_code_cell(
        "assert f(1) == 1, 'f(1) should be 1'\n### BEGIN HIDDEN TESTS\nassert f(-7) == 49\n### END HIDDEN TESTS")
    test_cell.outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="",
        traceback=["\x1b[31mAssertionError\x1b[0m", "----> 3 assert f(-7) == 49"])]
    other = nbformat.v4.new_code_cell("print('hello')")
    other.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
                     nbformat.v4.new_output("stream", name="stdout", text="NEXT: assert f(-7) == 49\n")]
    nb = nbformat.v4.new_notebook(cells=[other, test_cell])
    nb, _ = RedactHiddenTests().preprocess(nb, {})
    assert nb.cells[0].outputs[0].text == "hello\n"
    assert nb.cells[0].outputs[1].text.strip() == REDACTED
    err = nb.cells[1].outputs[0]
    assert err.ename == "AssertionError" and "f(-7)" not in str(err)  # the student still sees it failed


def test_redaction_keeps_a_visible_asserts_message_but_not_the_markers():
    test_cell = nbformat.v4.new_code_cell(
        "assert f(1) == 1, 'f(1) should be 1'\n### BEGIN HIDDEN TESTS\nassert f(-7) == 49\n### END HIDDEN TESTS")
    test_cell.outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="f(1) should be 1",
        traceback=["----> 1 assert f(1) == 1, 'f(1) should be 1'", "      2 ### BEGIN HIDDEN TESTS"])]
    nb, _ = RedactHiddenTests().preprocess(nbformat.v4.new_notebook(cells=[test_cell]), {})
    err = nb.cells[0].outputs[0]
    assert err.evalue == "f(1) should be 1" and "HIDDEN" not in "".join(err.traceback)


def test_sandbox_blocks_network_and_writes(tmp_path):
    from indi_ops.grading.sandbox import check_sandbox, sandbox_command

    assert check_sandbox() in {"bwrap+nobody", "bwrap+userns"}
    work, ipc = tmp_path / "work", tmp_path / "ipc"
    work.mkdir()
    ipc.mkdir()
    import os
    if os.geteuid() == 0:
        os.chown(work, 65534, 65534)
    outside = tmp_path / "outside.txt"
    code = f"""
import os, socket
results = []
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1)
    results.append("net: CONNECTED")
except OSError as exc:
    results.append("net: " + type(exc).__name__)
for path in [{str(outside)!r}, {str(Path(sys.prefix) / 'evil.txt')!r}, "here.txt"]:
    try:
        open(path, "w").write("x")
        results.append(path + ": WRITTEN")
    except OSError as exc:
        results.append(path + ": " + type(exc).__name__)
print(os.getuid(), results)
"""
    proc = subprocess.run(sandbox_command([sys.executable, "-c", code], work, ipc), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "CONNECTED" not in out and out.count("WRITTEN") == 1 and "here.txt: WRITTEN" in out, out
    assert not outside.exists() and (work / "here.txt").exists()
    if os.geteuid() == 0:
        assert out.startswith("65534 "), "the kernel should run as nobody"

"""Teacher's path from a learning platform: a download folder + roster CSV → collect → autograde (sandboxed,
with the course data) → comments in the gradebook → feedback students can read → files to hand back.

Uses the fixture lab mini_wear (reads the turning tool-wear data through indi.data inside the sandbox).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from course import MINI_WEAR, cell_index, env, grading_course, solved  # noqa: E402

from indi_ops.grading import classroom as teacher  # noqa: E402

pytestmark = pytest.mark.slow

ROSTER = """student_id,first_name,last_name,email,aliases
asaob,Åsa,Öberg,asa.oberg@example.se,
jlind,Jonas,Lind,jonas.lind@example.se,
mek,Mikael,Ek,mikael.ek@example.se,
fsaid,Fatima,Said,fatima.said@example.se,fsaid77
"""
HIDDEN = "toy = pd.DataFrame"  # a line of mini_wear's hidden tests


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("roster")
    root = grading_course(tmp / "course", [MINI_WEAR], timeout_s=60, memory_mb=4096)
    good = solved(root, MINI_WEAR)
    wrong = solved(root, MINI_WEAR)
    wrong.cells[cell_index(wrong, "threshold")].source = "threshold_um = 0.3  # mm, not µm"
    dl = tmp / "download"
    files = {
        "Åsa Öberg_1201_assignsubmission_file_/mini_wear.ipynb": good,
        "Jonas Lind_1202_assignsubmission_file_/Mini wear (2).ipynb": wrong,
        "Jonas Lind_1202_assignsubmission_file_/old attempt.ipynb": wrong,
        "mikael.ek@example.se - mini_wear.ipynb": good,
        "Åsa Öberg and Jonas Lind - pair work.ipynb": good,
        "Kim Unknown_1299_assignsubmission_file_/mini_wear.ipynb": good,
    }
    for i, (rel, nb) in enumerate(files.items()):
        path = dl / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        stamp = time.time() - 3600 + (0 if "old attempt" in rel else 60 + i)
        os.utime(path, (stamp, stamp))
    (dl / "Jonas Lind_1202_assignsubmission_file_" / "notes.txt").write_text("my notes")
    (tmp / "roster.csv").write_text(ROSTER, encoding="utf-8")
    # The teacher's command, as `make collect-folder` runs it.
    proc = subprocess.run([sys.executable, "-m", "indi_ops.grading.classroom", "--course", str(root), "collect-folder",
                           "mini_wear", str(dl), str(tmp / "roster.csv")], env=env(), capture_output=True,
                          text=True, timeout=120)
    outcomes = {o.student_id: o for o in teacher.autograde_all(root, "mini_wear")}
    return {"root": root, "tmp": tmp, "collect": proc, "out": outcomes}


def test_roster_maps_files_and_reports_the_rest(course):
    import json

    proc = course["collect"]
    assert proc.returncode == 1, "unknown/ambiguous files must make the command fail visibly"
    assert "unknown" in proc.stdout and "Kim Unknown" in proc.stdout
    report = json.loads((course["root"] / "grading" / "reports" / "mini_wear-collect.json").read_text())
    assert report["collected"] == {
        "asaob": "Åsa Öberg_1201_assignsubmission_file_/mini_wear.ipynb",
        "jlind": "Jonas Lind_1202_assignsubmission_file_/Mini wear (2).ipynb",
        "mek": "mikael.ek@example.se - mini_wear.ipynb"}
    assert report["unknown"] == ["Kim Unknown_1299_assignsubmission_file_/mini_wear.ipynb"]
    assert report["ambiguous"] == {"Åsa Öberg and Jonas Lind - pair work.ipynb": ["asaob", "jlind"]}
    assert report["duplicates"] == {"jlind": ["Jonas Lind_1202_assignsubmission_file_/old attempt.ipynb"]}
    assert report["missing"] == ["fsaid"]
    sub = course["root"] / "grading" / "submitted"
    assert sorted(p.name for p in sub.iterdir()) == ["asaob", "jlind", "mek"]
    assert (sub / "jlind" / "mini_wear" / "notes.txt").read_text() == "my notes"
    assert (sub / "asaob" / "mini_wear" / "timestamp.txt").read_text().startswith("20")


def test_autograde_with_data_in_the_sandbox(course):
    out = course["out"]
    assert {s: (o.status, o.score) for s, o in out.items()} == {
        "asaob": ("graded", 3.0), "jlind": ("graded", 2.0), "mek": ("graded", 3.0)}


@pytest.fixture(scope="module")
def feedback(course):
    from nbgrader.api import Gradebook

    root = course["root"]
    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}", "indi-lab") as gb:
        comment = gb.find_comment("why_grouped", "mini_wear", "mini_wear", "jlind")
        comment.manual_comment = "Good point about unseen tools, Jonas."
        grade = gb.find_grade("why_grouped", "mini_wear", "mini_wear", "jlind")
        grade.manual_score = 1
        gb.db.commit()
    result = teacher.generate_feedback(root, "mini_wear")
    assert result["success"], result.get("error")
    html = (root / "grading" / "feedback" / "jlind" / "mini_wear" / "mini_wear.html").read_text()
    return html


def test_feedback_shows_scores_tests_and_comments(feedback):
    assert "test_final_wear" in feedback and "test_threshold" in feedback  # score per task
    assert "3.0 / 4.0" in feedback or "3 / 4" in feedback  # 2 autograded + 1 manual of 4
    assert "give the value in micrometres" in feedback  # a visible test and its message
    assert "Good point about unseen tools, Jonas." in feedback


def test_feedback_never_shows_hidden_tests(course, feedback):
    assert HIDDEN not in feedback and "assert threshold_um == 300" not in feedback
    for html in (course["root"] / "grading" / "feedback").glob("*/mini_wear/*.html"):
        assert HIDDEN not in html.read_text()


def test_return_feedback_to_a_folder(course, feedback):
    out = course["tmp"] / "to_upload"
    files = teacher.return_feedback(course["root"], "mini_wear", to=out)
    assert sorted(p.name for p in files) == ["asaob_mini_wear.html", "jlind_mini_wear.html", "mek_mini_wear.html"]
    assert "Good point about unseen tools" in (out / "jlind_mini_wear.html").read_text()

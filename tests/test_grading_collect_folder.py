"""A learning platform's download is untrusted: collect-folder never follows its links or leaves submitted/.

The teacher's command `indi-ops grade collect-folder LAB FOLDER ROSTER`, on a course with the tiny lab.
Each case is an attack that worked before: roster ids like ``../../x`` deleted a folder outside the
course, links in the download were copied through (a notebook that is a link to a private file).
"""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest
from conftest import make_course
from fixtures.grading.course import TINY

from indi.errors import InputError
from indi_ops.grading.collect import collect_folder


@pytest.fixture
def course(tmp_path):
    root = make_course(tmp_path / "course", [TINY])
    (root / "grading" / "submitted").mkdir()
    dl = tmp_path / "download"
    (dl / "Anna Berg_1").mkdir(parents=True)
    nbformat.write(nbformat.read(TINY / "tiny.ipynb", as_version=4), dl / "Anna Berg_1" / "tiny.ipynb")
    return root, dl, tmp_path


def test_roster_ids_that_climb_out_are_refused_and_nothing_is_deleted(course):
    root, dl, tmp = course
    victim = tmp / "x"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    (tmp / "roster.csv").write_text("student_id,first_name,last_name\n../../x,Anna,Berg\n")
    proc = subprocess.run([sys.executable, "-m", "indi_ops.cli", "grade", "--course", str(root), "collect-folder",
                           "tiny", str(dl), str(tmp / "roster.csv")], capture_output=True, text=True)
    assert proc.returncode == 2 and "not allowed" in proc.stderr and "Traceback" not in proc.stderr
    assert (victim / "keep.txt").read_text() == "precious"


def test_a_lab_id_that_climbs_out_is_refused(course):
    root, dl, tmp = course
    (tmp / "roster.csv").write_text("student_id,first_name,last_name\naberg,Anna,Berg\n")
    with pytest.raises(InputError, match="outside"):
        collect_folder(root, "../../../tmp-evil", dl, tmp / "roster.csv")


def test_links_in_the_download_are_skipped_not_copied(course):
    root, dl, tmp = course
    secret = tmp / "secret.txt"
    secret.write_text("the gradebook password")
    os.symlink(secret, dl / "Anna Berg_1" / "notes.txt")          # beside the notebook
    (dl / "Bo Ek_2").mkdir()
    os.symlink(TINY / "tiny.ipynb", dl / "Bo Ek_2" / "tiny.ipynb")  # the notebook itself is a link
    (tmp / "roster.csv").write_text("student_id,first_name,last_name\naberg,Anna,Berg\nboek,Bo,Ek\n")
    report = collect_folder(root, "tiny", dl, tmp / "roster.csv")
    assert set(report["collected"]) == {"aberg"}
    assert "boek" in report["missing"]
    got = root / "grading" / "submitted" / "aberg" / "tiny"
    assert sorted(p.name for p in got.iterdir()) == ["timestamp.txt", "tiny.ipynb"]
    assert any("notes.txt" in s for s in report["skipped"]) and any("Bo Ek_2" in s for s in report["skipped"])


def test_a_link_planted_in_submitted_is_refused(course):
    root, dl, tmp = course
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("precious")
    (root / "grading" / "submitted" / "aberg").mkdir()
    os.symlink(elsewhere, root / "grading" / "submitted" / "aberg" / "tiny")
    (tmp / "roster.csv").write_text("student_id,first_name,last_name\naberg,Anna,Berg\n")
    with pytest.raises(InputError):
        collect_folder(root, "tiny", dl, tmp / "roster.csv")
    assert (elsewhere / "keep.txt").read_text() == "precious"

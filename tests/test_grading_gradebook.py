"""Gradebook: SQLite (default) and PostgreSQL (hubs with several graders), and a killed autograde run.

The PostgreSQL server is Debian's package, started by the test in a temporary folder (initdb + pg_ctl on
a Unix socket, as the `postgres` user when run as root). A run of `python -m indi_ops.grading.classroom autograde --workers 2` (two students graded at once) is
killed (SIGKILL, whole process group) while a submission is half graded; the re-run must grade every
submission exactly once: no lost and no duplicated grades. A run that loses one of its worker processes
mid-submission must still grade everyone, in the same run.
"""

from __future__ import annotations

import csv
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from course import TINY, cell_index, env, grading_course, solved, submit  # noqa: E402

from indi_ops.grading import classroom as teacher  # noqa: E402

pytestmark = pytest.mark.slow


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server on a Unix socket in tmp; yields a SQLAlchemy URL maker."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql; see .ci/system-deps.sh)")
    # Not under pytest's tmp folder: that is private to the user running pytest, and postgres must reach it.
    tmp = Path(tempfile.mkdtemp(prefix="indi-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        user = pwd.getpwnam("postgres")
        for p in (tmp, sock):
            os.chown(p, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "grader", "--auth=trust",
                    "-E", "UTF8"], check=True, capture_output=True)
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-w", "start",
                    "-o", f"-k {sock} -c listen_addresses='' -p 5499"], check=True, capture_output=True)
    try:
        def url(db: str) -> str:
            subprocess.run([str(bindir / "createdb"), "-h", str(sock), "-p", "5499", "-U", "grader", db],
                           check=True, capture_output=True)
            return f"postgresql+psycopg2://grader@/{db}?host={sock}&port=5499"
        yield url
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _course(tmp: Path, db_url: str | None) -> Path:
    extra = f"c.CourseDirectory.db_url = {db_url!r}\n" if db_url else ""
    root = grading_course(tmp, [TINY], extra=extra)
    good = solved(root, TINY)
    slow = solved(root, TINY)
    slow.cells[cell_index(slow, "mean_feed")].source += "\nimport time\ntime.sleep(2.5)"
    partial = solved(root, TINY)
    partial.cells[cell_index(partial, "mean_feed")].source = "def mean_feed(values):\n    return 0"
    submit(root, "a_good", "tiny", good)
    submit(root, "b_slow", "tiny", slow)
    submit(root, "c_partial", "tiny", partial)
    return root


def _start_class_run(root: Path) -> subprocess.Popen:
    """The teacher's command, two students at a time, in a process group of its own (as in a terminal)."""
    return subprocess.Popen([sys.executable, "-m", "indi_ops.grading.classroom", "--course", str(root), "autograde",
                             "tiny", "--workers", "2"], cwd=root, env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _wait_for_b_slow(root: Path, proc: subprocess.Popen, settle_s: float) -> None:
    """Return once b_slow is being graded (its kernel then in its 2.5 s sleep after ``settle_s``)."""
    half = root / "grading" / "autograded" / "b_slow" / "tiny" / "tiny.ipynb"
    deadline = time.monotonic() + 180
    while not half.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert half.exists(), "the run never reached b_slow"
    time.sleep(settle_s)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def _kill_mid_run(root: Path) -> None:
    """Start the class autograde and SIGKILL it (with nbgrader and the kernel) while b_slow is running."""
    proc = _start_class_run(root)
    try:
        _wait_for_b_slow(root, proc, 1.0)
    finally:
        _stop(proc)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_killed_run_reruns_without_lost_or_duplicated_grades(backend, tmp_path, request):
    """Kill a class run mid-submission and run again; on PostgreSQL also feedback and export."""
    db_url = request.getfixturevalue("postgres")("gradebook_killed") if backend == "postgresql" else None
    root = _course(tmp_path, db_url)
    if db_url:
        assert not (root / "grading" / "gradebook.db").exists(), "SQLite used although PostgreSQL was configured"
    _kill_mid_run(root)
    assert not teacher._done(root / "grading" / "autograded" / "b_slow" / "tiny" / "tiny.ipynb")
    outcomes = {o.student_id: o for o in teacher.autograde_all(root, "tiny")}
    assert {sid: o.status for sid, o in outcomes.items()} == dict.fromkeys(outcomes, "graded")
    expected = {"a_good": 3.0, "b_slow": 3.0, "c_partial": 1.0}
    assert {sid: o.score for sid, o in outcomes.items()} == expected
    assert any("re-graded" in n for n in outcomes["b_slow"].notes)
    from nbgrader.api import Grade, Gradebook, SubmittedAssignment

    url = db_url or f"sqlite:///{root / 'grading' / 'gradebook.db'}"
    with Gradebook(url, "indi-lab") as gb:
        assert gb.db.query(SubmittedAssignment).count() == 3
        assert gb.db.query(Grade).count() == 3 * 3  # 3 graded cells each, none twice
    if backend == "sqlite":
        return  # feedback and export on SQLite: test_grading_hostile.py, test_grading_roster.py
    # The rest of the path on PostgreSQL: feedback and the CSV export.
    assert teacher.generate_feedback(root, "tiny")["success"]
    proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "export", "--to", "grades.csv"],
                          cwd=root, env=env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(root / "grades.csv", newline="") as f:
        assert {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(f)} == expected


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _grading_workers(pid: int) -> list[int]:
    """The pool's worker processes of a class run (multiprocessing 'spawn' children)."""
    found = []
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline:
            found.append(child)
    return found


def test_a_dead_worker_costs_no_grades(tmp_path):
    """SIGKILL one grading worker while b_slow runs: the run still grades all three, once each."""
    root = _course(tmp_path, None)
    proc = _start_class_run(root)
    try:
        _wait_for_b_slow(root, proc, 1.0)
        workers = _grading_workers(proc.pid)
        assert len(workers) == 2, f"expected two grading workers, found {workers}"
        for pid in workers:  # one of them holds b_slow; losing both is the harder case
            os.kill(pid, signal.SIGKILL)
        output, _ = proc.communicate(timeout=300)
    finally:
        _stop(proc)
    assert proc.returncode == 0, output[-3000:]
    with open(root / "grading" / "reports" / "tiny-autograde.csv", newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert {sid: (r["status"], float(r["score"])) for sid, r in rows.items()} == {
        "a_good": ("graded", 3.0), "b_slow": ("graded", 3.0), "c_partial": ("graded", 1.0)}, output[-3000:]
    from nbgrader.api import Grade, Gradebook, SubmittedAssignment

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}", "indi-lab") as gb:
        assert gb.db.query(SubmittedAssignment).count() == 3
        assert gb.db.query(Grade).count() == 3 * 3


def test_ctrl_c_stops_a_parallel_run_quickly_and_a_rerun_finishes_it(tmp_path):
    """The teacher presses Ctrl-C (SIGINT to the terminal's process group) while b_slow is graded."""
    root = _course(tmp_path, None)
    proc = _start_class_run(root)
    try:
        _wait_for_b_slow(root, proc, 0.5)
        os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=30)  # not after b_slow's 2.5 s sleep and the rest of the class
    finally:
        _stop(proc)
    assert proc.returncode == 130 and "again to grade the rest" in output, output[-3000:]
    outcomes = {o.student_id: o for o in teacher.autograde_all(root, "tiny", progress=False)}
    assert {sid: (o.status, o.score) for sid, o in outcomes.items()} == {
        "a_good": ("graded", 3.0), "b_slow": ("graded", 3.0), "c_partial": ("graded", 1.0)}
    from nbgrader.api import Grade, Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}", "indi-lab") as gb:
        assert gb.db.query(Grade).count() == 3 * 3

"""Root never follows a path a student (or a grader) controls: the attacks, tried as root with real users.

Each test plants a symbolic link (or a folder of its own) where the hub's privileged code works:
in a student's home before content delivery (run as root at every spawn), in the nbgrader exchange
before the exchange set-up, in the course folder before its permissions are set. The victim is a
root-owned folder under /tmp standing in for /etc. Every attack worked on the launcher before the hub
was split (root created the file for the student, made the victim group-writable); now it must not.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hub_support import can_run, venv_open_to_users

from indi.errors import InputError
from indi.paths import REPO_ROOT
from indi_ops.hub.content import FONT_CACHE_HOME, build_font_cache, deliver_content
from indi_ops.hub.course import secure_course
from indi_ops.hub.exchange_setup import prepare_exchange
from indi_ops.hub.settings import COURSE_ID, HubSettings

pytestmark = pytest.mark.skipif(can_run() is not None, reason=str(can_run()))


def as_user(user: str, *cmd: str) -> None:
    subprocess.run(["runuser", "-u", user, "--", *cmd], check=True, capture_output=True, text=True)


def snapshot(path: Path) -> dict:
    """Owner, group, mode and entries of everything under ``path`` (what an attack would change)."""
    out = {}
    for p in [path, *sorted(path.rglob("*"))]:
        st = os.lstat(p)
        out[str(p.relative_to(path))] = (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))
    return out


@pytest.fixture(scope="module")
def world():
    """A student, a grader (real system users), a grader group and a root-owned victim folder."""
    prefix = f"indit-{secrets.token_hex(2)}"
    base = Path(f"/tmp/{prefix}-attack")
    base.mkdir(mode=0o755)
    s = HubSettings(state_dir=base / "state", course_root=base / "course", content_root=REPO_ROOT,
                    student_group=f"{prefix}-students", grader_group=f"{prefix}-graders",
                    exchange_dir=base / "exchange")
    student, grader = f"{prefix}-s1", f"{prefix}-t1"
    for g in (s.student_group, s.grader_group):
        subprocess.run(["groupadd", g], check=True)
    subprocess.run(["useradd", "-m", "-G", s.student_group, student], check=True)
    subprocess.run(["useradd", "-m", "-G", s.grader_group, grader], check=True)
    try:
        yield {"s": s, "base": base, "student": student, "grader": grader}
    finally:
        for u in (student, grader):
            subprocess.run(["pkill", "-KILL", "-u", u], capture_output=True)
            subprocess.run(["userdel", "-r", u], capture_output=True)
        for g in (s.student_group, s.grader_group):
            subprocess.run(["groupdel", g], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def victim(world):
    """A root-owned folder with one root file: it plays /etc."""
    v = world["base"] / f"victim-{secrets.token_hex(3)}"
    v.mkdir(mode=0o755)
    os.chmod(v, 0o755)
    (v / "passwd").write_text("root:x:0:0\n")
    os.chmod(v / "passwd", 0o644)
    return v


@pytest.fixture
def home(world):
    """The student's home with no course folder yet (each test plants its own links)."""
    h = Path(f"/home/{world['student']}")
    if (h / "indi-lab").is_symlink():  # left by a test that links it
        (h / "indi-lab").unlink()
    shutil.rmtree(h / "indi-lab", ignore_errors=True)
    return h


def test_dangling_link_in_home_does_not_make_root_create_a_file(world, victim, home):
    """~/indi-lab/START_HERE.md -> /etc/ld.so.preload made root create that file, owned by the student."""
    student = world["student"]
    target = victim / "ld.so.preload"
    as_user(student, "mkdir", "-p", str(home / "indi-lab"))
    as_user(student, "ln", "-s", str(target), str(home / "indi-lab" / "START_HERE.md"))
    before = snapshot(victim)
    deliver_content(world["s"], student)
    assert not target.exists(), "root followed the student's link and created the target"
    assert snapshot(victim) == before
    # The rest of the course still arrives, owned by the student.
    intro = home / "indi-lab" / "labs" / "README.md"
    assert intro.is_file() and intro.stat().st_uid == os.stat(home).st_uid


def test_linked_folder_in_home_does_not_redirect_root_writes(world, victim, home):
    """~/indi-lab/book -> /etc: root wrote every book page into the victim folder."""
    student = world["student"]
    as_user(student, "mkdir", "-p", str(home / "indi-lab"))
    as_user(student, "ln", "-s", str(victim), str(home / "indi-lab" / "book"))
    before = snapshot(victim)
    deliver_content(world["s"], student)
    assert snapshot(victim) == before, "root wrote through the student's folder link"
    assert (home / "indi-lab" / "START_HERE.md").is_file()


def test_linked_home_course_folder_is_not_followed(world, victim, home):
    """~/indi-lab itself -> /etc."""
    student = world["student"]
    as_user(student, "ln", "-s", str(victim), str(home / "indi-lab"))
    before = snapshot(victim)
    deliver_content(world["s"], student)
    assert snapshot(victim) == before


@pytest.fixture(scope="module")
def font_list(world):
    """The hub's matplotlib font list, built as `indi-ops hub serve` does at start."""
    made = build_font_cache(world["s"])
    assert made is not None and made.name.startswith("fontlist-v"), made
    yield made
    shutil.rmtree(made.parent, ignore_errors=True)


def test_font_list_reaches_a_new_student_and_their_matplotlib_reads_it(world, home, font_list):
    student = world["student"]
    shutil.rmtree(home / ".cache", ignore_errors=True)
    deliver_content(world["s"], student)
    got = home / FONT_CACHE_HOME / font_list.name
    assert got.read_bytes() == font_list.read_bytes()
    assert got.stat().st_uid == os.stat(home).st_uid and not got.stat().st_mode & 0o022
    with venv_open_to_users():
        proc = subprocess.run(
            ["runuser", "-u", student, "--", "env", "-i", f"HOME={home}", sys.executable, "-c",
             "import logging; logging.basicConfig(level=logging.DEBUG); import matplotlib.font_manager"],
            capture_output=True, text=True, cwd="/", timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"Using fontManager instance from {got}" in proc.stderr, proc.stderr[-2000:]
    assert "generated new fontManager" not in proc.stderr


def test_font_list_never_replaces_the_students_own(world, home, font_list):
    student = world["student"]
    shutil.rmtree(home / ".cache", ignore_errors=True)
    own = home / FONT_CACHE_HOME / font_list.name
    as_user(student, "mkdir", "-p", str(own.parent))
    as_user(student, "sh", "-c", f"echo mine > {own}")
    deliver_content(world["s"], student)
    assert own.read_text() == "mine\n"


def test_linked_cache_folder_does_not_redirect_the_font_list(world, victim, home, font_list):
    """~/.cache -> /etc: the font list must not land in the victim folder."""
    student = world["student"]
    shutil.rmtree(home / ".cache", ignore_errors=True)
    as_user(student, "ln", "-s", str(victim), str(home / ".cache"))
    before = snapshot(victim)
    deliver_content(world["s"], student)
    assert snapshot(victim) == before, "the font list was written through the student's link"
    assert (home / "indi-lab" / "START_HERE.md").is_file()  # the pages still arrive
    (home / ".cache").unlink()


def _fresh_exchange(world) -> Path:
    ex = world["s"].exchange_dir
    shutil.rmtree(ex, ignore_errors=True)
    return ex


def test_exchange_course_link_planted_by_a_student_is_refused(world, victim):
    """The exchange root is world-writable (1777): a student plants indi-lab -> /etc before the set-up."""
    s, student = world["s"], world["student"]
    ex = _fresh_exchange(world)
    ex.mkdir(mode=0o1777)
    os.chmod(ex, 0o1777)
    as_user(student, "ln", "-s", str(victim), str(ex / COURSE_ID))
    before = snapshot(victim)
    with pytest.raises(InputError, match="link"):
        prepare_exchange(s)
    assert snapshot(victim) == before, "the exchange set-up changed the link's target"


def test_exchange_inbound_link_planted_by_a_grader_is_refused(world, victim):
    """A planted ``inbound`` link made a root folder group-writable (chown + chmod 2773 through the link)."""
    s, grader = world["s"], world["grader"]
    ex = _fresh_exchange(world)
    prepare_exchange(s)
    inbound = ex / COURSE_ID / "inbound"
    inbound.rmdir()
    as_user(grader, "ln", "-s", str(victim), str(inbound))
    before = snapshot(victim)
    with pytest.raises(InputError, match="inbound.*link"):
        prepare_exchange(s)
    assert snapshot(victim) == before


def test_exchange_folder_owned_by_a_student_is_refused(world):
    """A student creates the course folder in the exchange first: they would own every submission folder."""
    s, student = world["s"], world["student"]
    ex = _fresh_exchange(world)
    ex.mkdir(mode=0o1777)
    os.chmod(ex, 0o1777)
    as_user(student, "mkdir", str(ex / COURSE_ID))
    with pytest.raises(InputError, match="owned by"):
        prepare_exchange(s)
    assert os.stat(ex / COURSE_ID).st_uid != 0


def test_secure_course_does_not_follow_links(world, victim):
    """Links in the course (a top-level folder, a file and a folder inside grading/) are left alone."""
    s, grader = world["s"], world["grader"]
    course = s.course_root
    shutil.rmtree(course, ignore_errors=True)
    (course / "grading").mkdir(parents=True)
    os.symlink(victim, course / "tests")
    before = snapshot(victim)
    secure_course(s)  # grading/ is now the graders' folder
    assert snapshot(victim) == before, "secure_course followed the top-level link tests/"
    as_user(grader, "ln", "-s", str(victim / "passwd"), str(course / "grading" / "passwd"))
    as_user(grader, "ln", "-s", str(victim), str(course / "grading" / "etc"))
    secure_course(s)
    assert snapshot(victim) == before, "secure_course followed a grader's link in grading/"

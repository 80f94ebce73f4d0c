"""Admin safety with real system users (as root): accounts are only ever course accounts, code stays root's.

* ``add-students`` never touches an existing account (no new password, no new group): it skips and reports.
* ``remove`` refuses system accounts, accounts outside the course groups, and instructors unless asked.
* After the course set-up a grader cannot write any code root runs (packages, tests, git history,
  Makefile, nbgrader_config.py …), only grading/ and the lab sources; a student cannot read the ops
  package, the lab sources or grades, but can read the learner package.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hub_support import can_run

from indi_ops.hub import accounts, cli
from indi_ops.hub.course import secure_course
from indi_ops.hub.prepare import STATE_FILES, secure_state
from indi_ops.hub.settings import HubSettings

pytestmark = pytest.mark.skipif(can_run() is not None, reason=str(can_run()))


def shadow_entry(name: str) -> str:
    return next(line for line in Path("/etc/shadow").read_text().splitlines() if line.startswith(f"{name}:"))


def groups_of(name: str) -> set[str]:
    return {g.gr_name for g in grp.getgrall() if name in g.gr_mem}


def as_user(user: str, shell: str) -> int:
    return subprocess.run(["runuser", "-u", user, "--", "sh", "-c", shell], capture_output=True).returncode


@pytest.fixture
def site(tmp_path):
    prefix = f"indit-{secrets.token_hex(2)}"
    base = Path(f"/tmp/{prefix}-admin")
    base.mkdir(mode=0o755)
    s = HubSettings(state_dir=base / "state", course_root=base / "course", student_group=f"{prefix}-students",
                    grader_group=f"{prefix}-graders", exchange_dir=base / "exchange")
    path = s.write(base / "settings.yaml")
    made: list[str] = []

    def user(suffix: str, *groups: str) -> str:
        name = f"{prefix}-{suffix}"
        for g in groups:
            accounts.ensure_group(g)
        subprocess.run(["useradd", "-m", *(["-G", ",".join(groups)] if groups else []), name], check=True)
        made.append(name)
        return name

    try:
        yield {"s": s, "path": path, "prefix": prefix, "user": user, "made": made, "base": base}
    finally:
        for name in made:
            subprocess.run(["userdel", "-r", name], capture_output=True)
        for g in (s.student_group, s.grader_group):
            subprocess.run(["groupdel", g], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_add_students_skips_existing_accounts_and_reports_them(site, capsys):
    s, prefix = site["s"], site["prefix"]
    old_student = site["user"]("old", s.student_group)
    subprocess.run(["chpasswd"], input=f"{old_student}:her-own-pw-123\n", text=True, check=True)
    outsider = site["user"]("staff")  # someone's personal account, in no course group
    before = {n: (shadow_entry(n), groups_of(n)) for n in (old_student, outsider)}
    new = f"{prefix}-new"
    site["made"].append(new)
    roster = site["base"] / "roster.csv"
    roster.write_text(f"student_id,first_name\n{old_student},Old\n{outsider},Staff\n{new},New\n")
    out = site["base"] / "passwords.csv"
    assert cli.main(["--settings", str(site["path"]), "add-students", str(roster), "--passwords-out", str(out)]) == 0
    err = capsys.readouterr().err
    assert old_student in err and outsider in err and "NOT changed" in err
    after = {n: (shadow_entry(n), groups_of(n)) for n in (old_student, outsider)}
    assert after == before, "an existing account's password or groups changed"
    assert pwd.getpwnam(new) and s.student_group in groups_of(new)
    assert [line.split(",")[0] for line in out.read_text().splitlines()] == [new]
    st = os.stat(out)
    assert stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == 0


def test_remove_refuses_accounts_outside_the_course(site, capsys):
    s = site["s"]
    student = site["user"]("s1", s.student_group)
    teacher = site["user"]("t1", s.grader_group)
    outsider = site["user"]("staff")
    run = ["--settings", str(site["path"]), "remove"]
    for name in ("root", "daemon", outsider):
        assert cli.main([*run, name]) == 2
        assert "not a course account" in capsys.readouterr().err
        assert accounts.exists(name)
    assert cli.main([*run, teacher]) == 2 and "--instructor" in capsys.readouterr().err
    assert accounts.exists(teacher)
    assert cli.main([*run, student]) == 0 and not accounts.exists(student)
    assert cli.main([*run, "--instructor", teacher]) == 0 and not accounts.exists(teacher)


def test_add_instructor_never_resets_an_existing_password(site, capsys):
    s = site["s"]
    staff = site["user"]("boss")
    before = shadow_entry(staff)
    assert cli.main(["--settings", str(site["path"]), "add-instructor", staff, "--password-stdin"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli.main(["--settings", str(site["path"]), "add-instructor", staff, "--existing"]) == 0
    assert shadow_entry(staff) == before and s.grader_group in groups_of(staff)
    with pytest.raises(Exception, match="system account"):
        accounts.add_existing_to_group("daemon", s.grader_group)


CODE = ["indi/data.py", "indi_ops/cli.py", "hub/jupyterhub_config.py", "tests/test_x.py", ".git/config",
        ".git/hooks/pre-commit", "benchmarks/hub.py", "tools/make.py", "Makefile", "nbgrader_config.py",
        "book/_ext/ext.py"]
GRADERS_WRITE = ["grading/gradebook.db", "labs/lab1/lab1.ipynb", "lab_sources/lab1.md"]


def test_graders_cannot_write_code_root_runs_and_students_cannot_read_private_folders(site):
    s = site["s"]
    teacher = site["user"]("t1", s.grader_group)
    student = site["user"]("s1", s.student_group)
    gid = accounts.ensure_group(s.grader_group)
    course = s.course_root
    for rel in CODE + GRADERS_WRITE:  # as a careless set-up leaves them: grader-owned, group-writable
        p = course / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("print('code')\n")
    for p in [course, *course.rglob("*")]:
        os.chown(p, pwd.getpwnam(teacher).pw_uid, gid)
        os.chmod(p, 0o2775 if p.is_dir() else 0o664)
    os.chmod(course / ".git" / "hooks" / "pre-commit", 0o775)
    secure_course(s)
    for rel in CODE:
        p = course / rel
        for q in (p, *[a for a in p.parents if course in a.parents or a == course]):
            st = os.stat(q)
            assert st.st_uid == 0 and not st.st_mode & 0o022, f"{q} is not root's alone"
        assert as_user(teacher, f"echo x >> '{p}'") != 0, f"grader can write {rel}"
        assert as_user(teacher, f"touch '{p.parent}/new.py'") != 0, f"grader can add code next to {rel}"
        assert as_user(teacher, f"mv '{p.parent}' '{p.parent}.x'") != 0, f"grader can move {p.parent.name}"
    assert os.stat(course / ".git" / "hooks" / "pre-commit").st_mode & 0o100  # still executable, by root
    for rel in GRADERS_WRITE:
        assert as_user(teacher, f"echo x >> '{course / rel}'") == 0, f"grader cannot write {rel}"
    assert as_user(teacher, f"cat '{course / 'indi_ops' / 'cli.py'}' >/dev/null") == 0
    assert as_user(student, f"cat '{course / 'indi' / 'data.py'}' >/dev/null") == 0
    for rel in ["indi_ops/cli.py", "lab_sources/lab1.md", "labs/lab1/lab1.ipynb", "grading/gradebook.db",
                "tests/test_x.py", ".git/config"]:
        assert as_user(student, f"cat '{course / rel}' >/dev/null") != 0, f"student can read {rel}"


def test_state_files_are_root_only(site):
    state = site["s"].state_dir
    state.mkdir()
    for name in STATE_FILES:
        (state / name).write_text("secret")
        os.chmod(state / name, 0o644)
    (state / "other").symlink_to(state / STATE_FILES[0])
    fixed = secure_state(state)
    assert sorted(p.name for p in fixed) == sorted(STATE_FILES)
    assert all(stat.S_IMODE(os.stat(state / n).st_mode) == 0o600 and os.stat(state / n).st_uid == 0
               for n in STATE_FILES)

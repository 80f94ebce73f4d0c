"""System users and groups of the class hub: create new course accounts, never touch anyone else's.

Every participant is a real system user (nbgrader records who submitted by the operating-system user).
Adding never changes an existing account; removing refuses anyone who is not a course account.
"""

from __future__ import annotations

import grp
import os
import pwd
import secrets
import subprocess
import time

from indi.errors import InputError
from indi_ops.roster import STUDENT_ID_RE

FIRST_UID = 1000  # accounts below are the system's own (root, daemons)


def run(cmd: list[str], input_text: str | None = None) -> None:
    proc = subprocess.run(cmd, input=input_text, capture_output=True, text=True)
    if proc.returncode != 0:
        raise InputError(f"{' '.join(cmd[:2])} failed: {proc.stderr.strip() or proc.stdout.strip()}")


def require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise InputError(f"{what} needs root (system users, PAM, per-user servers): run it with sudo.")


def ensure_group(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        run(["groupadd", "--system", name])
        return grp.getgrnam(name).gr_gid


def members(group: str) -> list[str]:
    try:
        g = grp.getgrnam(group)
    except KeyError:
        return []
    primary = [p.pw_name for p in pwd.getpwall() if p.pw_gid == g.gr_gid]
    return sorted(set(g.gr_mem) | set(primary))


def exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def check_name(name: str) -> None:
    if not STUDENT_ID_RE.fullmatch(name):
        raise InputError(f"user name {name!r} is not allowed: use lower-case letters, digits, '-' or '_', "
                         "starting with a letter, at most 32 characters.")


def check_new(name: str) -> None:
    """``name`` is a valid user name and no account has it yet."""
    check_name(name)
    if exists(name):
        raise InputError(f"{name!r} already exists on this machine; it was not changed. Choose another "
                         f"name, or (for an instructor's own account) use add-instructor --existing.")


def create_user(name: str, group: str, password: str | None = None) -> str:
    """Create NEW system user ``name`` in ``group``, private home (0700), a password; returns the password.

    An existing account is refused: adding course users never changes someone's password or groups.
    """
    check_new(name)
    ensure_group(group)
    password = password or secrets.token_urlsafe(9)
    run(["useradd", "--create-home", "--shell", "/bin/bash", "--groups", group, name])
    entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, 0o700)  # nobody else reads a participant's home
    run(["chpasswd"], input_text=f"{name}:{password}\n")
    return password


def add_existing_to_group(name: str, group: str) -> None:
    """Make an existing personal account (uid >= 1000) a member of ``group``; its password stays as it is."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise InputError(f"{name!r} does not exist; leave out --existing to create it.") from None
    if entry.pw_uid < FIRST_UID:
        raise InputError(f"{name!r} is a system account (uid {entry.pw_uid}); choose a personal account.")
    ensure_group(group)
    run(["usermod", "--append", "--groups", group, name])


def course_role(name: str, student_group: str, grader_group: str) -> str | None:
    """'student', 'instructor' or None (not a course account: system, root, someone else's)."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    if entry.pw_uid < FIRST_UID:
        return None
    if name in members(grader_group):
        return "instructor"
    if name in members(student_group):
        return "student"
    return None


def remove_user(name: str, student_group: str, grader_group: str, keep_home: bool = False,
                instructor: bool = False) -> bool:
    """Remove a course account (and its home unless ``keep_home``). Returns False if it does not exist.

    Refuses system accounts, accounts in neither course group, and instructors unless ``instructor``.
    """
    if not exists(name):
        return False
    role = course_role(name, student_group, grader_group)
    if role is None:
        raise InputError(f"{name!r} is not a course account (not in {student_group} or {grader_group}, or a "
                         "system account); it was not removed.")
    if role == "instructor" and not instructor:
        raise InputError(f"{name!r} is an instructor; remove instructors with `remove --instructor {name}`.")
    for _ in range(50):  # this user's processes only; userdel refuses while any is left
        if subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True).returncode != 0:
            break
        time.sleep(0.2)
    run(["userdel"] + ([] if keep_home else ["--remove"]) + [name])
    return True

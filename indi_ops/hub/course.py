"""Permissions of the course folder: graders write only what they must; root's code stays root's.

Three kinds of paths under the course root (``course_root`` in hub/settings.yaml):

* grader-writable (``GRADER_WRITABLE``): root-owned folders, grader group, setgid, group read/write, closed
  to others: the gradebook and submissions (``grading/``), the lab sources formgrader edits.
* private code (``PRIVATE_CODE``): owned by root, readable by graders, writable by nobody else, closed to
  others: the ops package, tests, tools, git history, build caches.
* everything else (the learner package ``indi/``, ``hub/``, ``Makefile``, ``nbgrader_config.py`` …):
  owned by root, not group- or other-writable, readable by all.

The walk never follows a link (each folder is opened with O_NOFOLLOW relative to its parent, each
file's permissions are set on an opened descriptor after checking it is the same regular file).
"""

from __future__ import annotations

import os
import stat

from indi_ops.hub.accounts import ensure_group

GRADER_WRITABLE = ["grading", "labs", "lab_sources"]
PRIVATE_CODE = ["indi_ops", "tools", "tests", ".git", "_build", ".jupyter_cache"]
# Folders of the course root that hold solutions, grades, the ops package or their history: graders only.
PRIVATE_DIRS = GRADER_WRITABLE + PRIVATE_CODE
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY


def _fix_fd(fd: int, uid: int, gid: int, mode_of) -> None:
    st = os.fstat(fd)
    want_uid = st.st_uid if uid == -1 else uid
    want_gid = st.st_gid if gid == -1 else gid
    if (st.st_uid, st.st_gid) != (want_uid, want_gid):
        os.fchown(fd, want_uid, want_gid)
    mode = mode_of(stat.S_IMODE(st.st_mode), stat.S_ISDIR(st.st_mode))
    if mode != stat.S_IMODE(os.fstat(fd).st_mode):
        os.fchmod(fd, mode)


def _fix_file(dir_fd: int, name: str, uid: int, gid: int, mode_of) -> None:
    """Set owner and mode of the regular file ``name`` in ``dir_fd``; links and special files are left alone."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            return
        fd = os.open(name, _OPEN_FILE, dir_fd=dir_fd)
    except OSError:  # gone, or swapped for a link in between (O_NOFOLLOW): leave it
        return
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino) and stat.S_ISREG(now.st_mode):
            _fix_fd(fd, uid, gid, mode_of)
    finally:
        os.close(fd)


def fix_tree(parent_fd: int, name: str, uid: int, gid: int, mode_of) -> None:
    """Apply owner/group (-1: keep) and ``mode_of(mode, is_dir)`` to ``name`` and below, never through a link."""
    try:
        st = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISREG(st.st_mode):
        _fix_file(parent_fd, name, uid, gid, mode_of)
        return
    if not stat.S_ISDIR(st.st_mode):
        return  # a link or a special file: never followed, never changed
    for _dirpath, _dirs, files, dfd in os.fwalk(name, dir_fd=parent_fd, follow_symlinks=False):
        _fix_fd(dfd, uid, gid, mode_of)
        for f in files:
            _fix_file(dfd, f, uid, gid, mode_of)


def _writable(mode: int, is_dir: bool) -> int:
    if is_dir:  # setgid: files instructors create stay in the grader group (umask 007 keeps them group-writable)
        return 0o2770
    return 0o660 | (0o110 if mode & 0o100 else 0)


def _private(mode: int, is_dir: bool) -> int:
    if is_dir:
        return 0o2750
    return 0o640 | (0o110 if mode & 0o100 else 0)


def _public(mode: int, is_dir: bool) -> int:
    if is_dir:
        return mode & ~0o022
    return mode & ~0o022 & ~stat.S_ISUID & ~stat.S_ISGID  # no set-id programs in the course


def secure_course(s) -> None:
    """Course root: graders write grading/ and the lab sources; code root runs is root's; private folders closed."""
    gid = ensure_group(s.grader_group)
    root = s.course_root
    root.mkdir(parents=True, exist_ok=True)
    (root / "grading").mkdir(exist_ok=True)
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fchown(root_fd, 0, -1)
        os.fchmod(root_fd, stat.S_IMODE(os.fstat(root_fd).st_mode) & ~0o022 | 0o755)
        for name in sorted(os.listdir(root_fd)):
            if name in GRADER_WRITABLE:
                fix_tree(root_fd, name, -1, gid, _writable)  # graders' own files keep their owner
                if _is_dir(root_fd, name):  # the folder itself is root's: no grader swaps it for a link
                    os.chown(name, 0, gid, dir_fd=root_fd, follow_symlinks=False)
            elif name in PRIVATE_CODE:
                fix_tree(root_fd, name, 0, gid, _private)
            else:
                fix_tree(root_fd, name, 0, -1, _public)
    finally:
        os.close(root_fd)


def _is_dir(dir_fd: int, name: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return False


def close_to_others(folder, gid: int) -> tuple[int, int] | None:
    """``folder`` itself (never a link): group ``gid`` may read it, other users may not enter it.

    Returns (old mode, new mode), or None when there is no such folder.
    """
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        old = stat.S_IMODE(os.fstat(fd).st_mode)
        new = (old & ~0o027) | 0o050
        os.fchown(fd, -1, gid)
        if new != old:
            os.fchmod(fd, new)
        return old, new
    finally:
        os.close(fd)

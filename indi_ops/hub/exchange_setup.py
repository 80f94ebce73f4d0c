"""nbgrader's file-system exchange with its documented permissions, set up without following any link.

root 1777 (nbgrader wants it world-writable; the sticky bit stops anyone renaming the course),
course folder and outbound 2775 (graders release, all read), inbound 2773 (students may create a
submission but not list others'), feedback 2771 (a student opens only the file whose hashed name
they can compute from their own submission).

The exchange root is world-writable, so a student can create names in it before the hub does, and
graders can write in the course folder. Every folder is therefore opened relative to its parent with
O_NOFOLLOW, must be a real folder owned by root, and gets its owner and mode through that descriptor.
A link or a foreign owner stops the set-up with an error saying what to remove.
"""

from __future__ import annotations

import os
import pwd
import stat
from pathlib import Path

from indi.errors import InputError
from indi_ops.hub.accounts import ensure_group
from indi_ops.hub.settings import COURSE_ID

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def ensure_dir(parent_fd: int, name: str, path: Path, uid: int, gid: int, mode: int) -> int:
    """Create or check folder ``name`` in ``parent_fd``: a real folder owned by root; set owner and mode. Returns its fd."""
    try:
        os.mkdir(name, 0o700, dir_fd=parent_fd)
    except FileExistsError:
        pass
    st = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode):
        target = os.readlink(name, dir_fd=parent_fd)
        raise InputError(f"{path} is a symbolic link (to {target}); the exchange set-up never follows links. "
                         f"Check who made it, remove it (rm {path}) and start the hub again.")
    if not stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path} is not a folder; remove it and start the hub again.")
    if st.st_uid != 0:
        raise InputError(f"{path} is owned by {_owner(st.st_uid)}, not root: someone made it before the hub did. "
                         f"Check its contents, remove it and start the hub again.")
    fd = os.open(name, _DIR, dir_fd=parent_fd)
    now = os.fstat(fd)
    if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
        os.close(fd)
        raise InputError(f"{path} changed while the exchange was being set up; start the hub again.")
    os.fchown(fd, uid, gid)
    os.fchmod(fd, mode)
    return fd


def prepare_exchange(s) -> None:
    """The exchange folders with nbgrader's permissions; refuses links and folders root does not own."""
    gid = ensure_group(s.grader_group)
    ex = Path(s.exchange)
    ex.parent.mkdir(parents=True, exist_ok=True)  # the operator's path (e.g. /srv/nbgrader)
    fds = [os.open(ex.parent, os.O_RDONLY | os.O_DIRECTORY)]
    try:
        fds.append(ensure_dir(fds[0], ex.name, ex, 0, 0, 0o1777))
        course = ex / COURSE_ID
        fds.append(ensure_dir(fds[1], COURSE_ID, course, 0, gid, 0o2775))
        for name, mode in [("outbound", 0o2775), ("inbound", 0o2773), ("feedback", 0o2771)]:
            fds.append(ensure_dir(fds[2], name, course / name, 0, gid, mode))
    finally:
        for fd in fds:
            os.close(fd)

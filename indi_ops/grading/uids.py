"""A pool of user ids for grading sandboxes: two kernels running at the same time never share one.

Started as root, a grading kernel drops to an unprivileged uid. With one uid for all (``nobody``),
the per-user process limit and every file or signal permission is shared by every sandbox on the
machine: one student's fork bomb starves the next student's kernel, and one kernel may signal
another's processes. Here each kernel takes a uid from a reserved range, held by an ``flock`` on a
lock file for as long as the kernel runs. The lock goes away with the grader process (also when it is
killed), so a crashed grader never keeps a uid. No process of a kernel outlives its lease: the kernel's
cgroup is emptied (SIGKILL) before the lease ends, and when a grader dies, bubblewrap's pid namespace
ends with it (``--die-with-parent``), which kills every process in it. (Scanning /proc for the uid
instead cost ~250 ms per kernel on a loaded machine.)

The range lies above what identity services hand out (sssd's default id map ends at 2 000 200 000)
and below 2**31; the uids need no ``/etc/passwd`` entry.
"""

from __future__ import annotations

import errno
import fcntl
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from indi.errors import IndiError

UID_POOL_START = 2_100_000_000
UID_POOL_SIZE = 512


class UidPoolError(IndiError):
    """Every uid of the pool is taken by a running grading kernel."""


def lock_dir() -> Path:
    """Where the per-uid lock files live: one place per machine for root, per user otherwise."""
    if os.geteuid() == 0 and Path("/run").is_dir():
        return Path("/run/indi-grading/uids")
    return Path(tempfile.gettempdir()) / f"indi-grading-uids-{os.geteuid()}"


def process_uids(pid: int | str) -> set[int]:
    """Real, effective, saved and filesystem uid of a process (not /proc's owner: root for many)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Uid:"):
                    return {int(x) for x in line.split()[1:]}
    except (OSError, ValueError):
        pass
    return set()


@dataclass
class UidLease:
    """One uid of the pool, held until :meth:`release` (or until this process ends)."""

    uid: int
    fd: int

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing drops the flock
            self.fd = -1


def acquire(start: int = UID_POOL_START, size: int = UID_POOL_SIZE, where: Path | None = None) -> UidLease:
    """Take the first free uid of ``range(start, start + size)``."""
    where = where or lock_dir()
    where.mkdir(parents=True, exist_ok=True, mode=0o700)
    for uid in range(start, start + size):
        fd = os.open(where / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                continue
            raise
        return UidLease(uid, fd)
    raise UidPoolError(
        f"all {size} sandbox uids ({start}–{start + size - 1}) are in use by running grading kernels "
        "or stray processes. Wait for other grading runs to finish, or enlarge the pool "
        "(c.SandboxKernelManager.uid_pool_size).")

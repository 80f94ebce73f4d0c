"""One cgroup per grading kernel: memory (RAM, files in /tmp, swap) and process count of all its processes.

``prlimit`` limits are per process (address space) or per user (process count); a student's code can
spread memory over several processes, or fill a tmpfs, which no ``prlimit`` sees. A cgroup counts all
of it. Linux has two cgroup versions and many machines mount both ("hybrid"):

* **v1**: one hierarchy per controller (``/sys/fs/cgroup/memory``, ``/sys/fs/cgroup/pids``); we write
  ``memory.limit_in_bytes``, ``memory.memsw.limit_in_bytes`` (RAM + swap, when swap accounting is on)
  and ``pids.max``;
* **v2**: one tree (``/sys/fs/cgroup`` or ``/sys/fs/cgroup/unified``); used for a controller only when
  that tree offers it (``cgroup.controllers``); we write ``memory.max``, ``memory.swap.max`` (0) and
  ``pids.max``.

Where the cgroups go: by default under the grader's own cgroup of each hierarchy, in ``indi-grading/``
(``<own cgroup>/indi-grading/<kernel>``), so grading kernels stay inside whatever limits the grader
itself runs under. A v2 cgroup that holds processes cannot pass controllers on to children; give a
delegated, empty parent instead (``parent="/indi-grading"`` = ``/sys/fs/cgroup/indi-grading``).

Nothing is written on import. :func:`create` makes the cgroup and sets the limits; the kernel joins it
through :meth:`KernelCgroup.join_prefix` (a tiny shell step that writes its own pid into every
``cgroup.procs`` and then ``exec``\\s the sandbox), so every process the kernel ever starts is inside.
"""

from __future__ import annotations

import os
import shlex
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from indi.errors import IndiError

CONTROLLERS = ("memory", "pids")
PARENT_NAME = "indi-grading"
PROC_MOUNTS = Path("/proc/self/mounts")
PROC_CGROUP = Path("/proc/self/cgroup")


class CgroupError(IndiError):
    """Per-kernel cgroups cannot be made here (no cgroupfs, no controller, no write access)."""


@dataclass(frozen=True)
class Hierarchy:
    """Where one controller lives: its mount, its cgroup version, the grader's own cgroup in it."""

    controller: str
    mount: Path
    version: int  # 1 or 2
    own: str  # the grader's cgroup path inside the mount, '/...'


def find_hierarchies(mounts_text: str | None = None, cgroup_text: str | None = None,
                     controllers: tuple[str, ...] = CONTROLLERS) -> dict[str, Hierarchy]:
    """The mount of each controller in ``controllers`` (v1 preferred, else a v2 tree offering it)."""
    mounts_text = PROC_MOUNTS.read_text() if mounts_text is None else mounts_text
    cgroup_text = PROC_CGROUP.read_text() if cgroup_text is None else cgroup_text
    own_v1: dict[str, str] = {}
    own_v2 = "/"
    for line in cgroup_text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[0] == "0" and parts[1] == "":
            own_v2 = parts[2]
        for ctrl in parts[1].split(","):
            own_v1[ctrl] = parts[2]
    v1: dict[str, Path] = {}
    v2: list[Path] = []
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        mount, fstype, options = Path(fields[1].replace("\\040", " ")), fields[2], fields[3].split(",")
        if fstype == "cgroup":
            for ctrl in controllers:
                if ctrl in options:
                    v1.setdefault(ctrl, mount)
        elif fstype == "cgroup2":
            v2.append(mount)
    found: dict[str, Hierarchy] = {}
    for ctrl in controllers:
        if ctrl in v1:
            found[ctrl] = Hierarchy(ctrl, v1[ctrl], 1, own_v1.get(ctrl, "/"))
            continue
        for mount in v2:
            try:
                offered = (mount / "cgroup.controllers").read_text().split()
            except OSError:
                continue
            if ctrl in offered:
                found[ctrl] = Hierarchy(ctrl, mount, 2, own_v2)
                break
    return found


@dataclass
class KernelCgroup:
    """The cgroups (one per hierarchy) of one grading kernel, with its limits."""

    dirs: dict[str, Path]  # controller -> cgroup folder
    versions: dict[str, int]
    memory_bytes: int
    max_processes: int
    _removed: bool = field(default=False, repr=False)

    @property
    def procs_files(self) -> list[Path]:
        return sorted({d / "cgroup.procs" for d in self.dirs.values()})

    def join_prefix(self) -> list[str]:
        """Command prefix: put this very process into the cgroups, then ``exec`` the rest of the command."""
        writes = " && ".join(f"echo $$ > {shlex.quote(str(p))}" for p in self.procs_files)
        return ["/bin/sh", "-c", f'{writes} && exec "$@"', "indi-cgroup-join"]

    def pids(self) -> set[int]:
        out: set[int] = set()
        for p in self.procs_files:
            try:
                out.update(int(x) for x in p.read_text().split())
            except (OSError, ValueError):
                pass
        return out

    def memory_killed(self) -> int:
        """How many processes the kernel's OOM killer ended in this cgroup (memory limit reached)."""
        d, v = self.dirs.get("memory"), self.versions.get("memory")
        if d is None:
            return 0
        name = "memory.oom_control" if v == 1 else "memory.events"
        try:
            for line in (d / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def process_limit_hits(self) -> int:
        """How many times a fork failed because the kernel's process limit was reached."""
        d = self.dirs.get("pids")
        try:
            for line in (d / "pids.events").read_text().splitlines() if d else []:
                key, _, value = line.partition(" ")
                if key == "max":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def peak_memory_bytes(self) -> int:
        d, v = self.dirs.get("memory"), self.versions.get("memory")
        name = "memory.max_usage_in_bytes" if v == 1 else "memory.peak"
        try:
            return int((d / name).read_text()) if d else 0
        except (OSError, ValueError):
            return 0

    def remove(self, wait_s: float = 5.0) -> None:
        """Kill what is left in the cgroups and remove them (a kernel's stray processes end here)."""
        if self._removed:
            return
        deadline = time.monotonic() + wait_s
        while True:
            left = self.pids()
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            for d in self.dirs.values():
                try:
                    d.rmdir()
                except FileNotFoundError:
                    pass
                except OSError:
                    continue
            if not any(d.exists() for d in self.dirs.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self._removed = not any(d.exists() for d in self.dirs.values())


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _parent_dir(h: Hierarchy, parent: str) -> Path:
    if parent:
        return h.mount / parent.strip("/")
    return h.mount / h.own.strip("/") / PARENT_NAME


def _enable_v2(h: Hierarchy, parent_dir: Path, controllers: set[str]) -> None:
    """Pass the v2 controllers down from the mount root to ``parent_dir`` (subtree_control)."""
    chain = [parent_dir, *parent_dir.parents]
    chain = [d for d in chain if d == h.mount or h.mount in d.parents]
    for d in reversed(chain):
        d.mkdir(exist_ok=True)
        have = set((d / "cgroup.subtree_control").read_text().split())
        for ctrl in sorted(controllers - have):
            try:
                _write(d / "cgroup.subtree_control", f"+{ctrl}")
            except OSError as exc:
                raise CgroupError(
                    f"cannot pass the cgroup v2 controller '{ctrl}' down through {d} ({exc.strerror}); "
                    "a v2 cgroup that holds processes cannot have limited children. Set "
                    "c.SandboxKernelManager.cgroup_parent to an empty cgroup delegated to the grader "
                    "(e.g. '/indi-grading').") from None


def create(name: str, memory_mb: int, max_processes: int, parent: str = "",
           hierarchies: dict[str, Hierarchy] | None = None) -> KernelCgroup:
    """Make ``<parent>/<name>`` in the memory and pids hierarchies with the limits set.

    Raises :class:`CgroupError` (with what to do) when a controller is missing or not writable;
    nothing is left behind then.
    """
    hierarchies = find_hierarchies() if hierarchies is None else hierarchies
    missing = [c for c in CONTROLLERS if c not in hierarchies]
    if missing:
        raise CgroupError(
            f"no cgroup controller {', '.join(missing)} on this machine (not in /proc/self/mounts, "
            "neither v1 nor offered by a v2 tree), so one grading kernel's memory and process count "
            "cannot be limited as a whole.")
    cg = KernelCgroup({}, {}, memory_mb * 2**20, max_processes)
    try:
        for ctrl in CONTROLLERS:
            h = hierarchies[ctrl]
            parent_dir = _parent_dir(h, parent)
            if h.version == 2:
                _enable_v2(h, parent_dir, {ctrl})
            else:
                parent_dir.mkdir(parents=True, exist_ok=True)
            d = parent_dir / name
            if d not in cg.dirs.values():  # one v2 tree holds both controllers in one folder
                d.mkdir()
            cg.dirs[ctrl], cg.versions[ctrl] = d, h.version
            _set_limits(cg, ctrl, d, h.version)
    except OSError as exc:
        cg.remove(wait_s=0)
        raise CgroupError(
            f"cannot set up the grading kernel's cgroup ({exc.strerror}: {exc.filename}). Run grading as "
            "root, or delegate a cgroup to the grading user and point c.SandboxKernelManager.cgroup_parent "
            "at it; c.SandboxKernelManager.require_cgroup = False grades with per-process limits only "
            "(memory in /tmp and processes not counted per kernel).") from None
    return cg


def _set_limits(cg: KernelCgroup, ctrl: str, d: Path, version: int) -> None:
    if ctrl == "pids":
        _write(d / "pids.max", str(cg.max_processes))
    elif version == 1:
        _write(d / "memory.limit_in_bytes", str(cg.memory_bytes))
        if (d / "memory.memsw.limit_in_bytes").exists():  # swap accounting on: RAM + swap together
            _write(d / "memory.memsw.limit_in_bytes", str(cg.memory_bytes))
    else:
        _write(d / "memory.max", str(cg.memory_bytes))
        if (d / "memory.swap.max").exists():
            _write(d / "memory.swap.max", "0")

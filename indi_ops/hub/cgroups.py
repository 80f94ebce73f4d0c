"""Per-user memory cgroups (v2 where it has the memory controller, else v1), written directly.

PID 1 is not systemd on every class machine (../shared/TOOLCHAIN.md), so no systemd-run: the hub makes
``<cgroup_name>/<user>`` itself and the spawner puts the user's server into it before dropping to the user.
"""

from __future__ import annotations

from pathlib import Path

V2 = Path("/sys/fs/cgroup")
V1 = Path("/sys/fs/cgroup/memory")


def memory_cgroup(cgroup_name: str, username: str, limit_bytes: int) -> Path | None:
    """Create the user's memory cgroup and return its cgroup.procs file, or None if unavailable here."""
    try:
        if (V2 / "cgroup.controllers").exists() and "memory" in (V2 / "cgroup.controllers").read_text():
            parent = V2 / cgroup_name
            parent.mkdir(exist_ok=True)
            (V2 / "cgroup.subtree_control").write_text("+memory")
            (parent / "cgroup.subtree_control").write_text("+memory")
            cg = parent / username
            cg.mkdir(exist_ok=True)
            (cg / "memory.max").write_text(str(limit_bytes))
            (cg / "memory.swap.max").write_text("0")
            return cg / "cgroup.procs"
        if (V1 / "memory.limit_in_bytes").exists():
            cg = V1 / cgroup_name / username
            cg.mkdir(parents=True, exist_ok=True)
            (cg / "memory.limit_in_bytes").write_text(str(limit_bytes))
            return cg / "cgroup.procs"
    except OSError:
        return None
    return None


def remove_cgroups(cgroup_name: str) -> None:
    """Remove the hub's (empty) cgroups; a cgroup with processes left in it stays."""
    for base in (V2 / cgroup_name, V1 / cgroup_name):
        if base.is_dir():
            for child in base.iterdir():
                if child.is_dir():
                    try:
                        child.rmdir()
                    except OSError:
                        pass
            try:
                base.rmdir()
            except OSError:
                pass

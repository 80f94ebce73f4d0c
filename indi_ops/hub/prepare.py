"""Everything the hub needs on disk before it starts (idempotent): groups, course, exchange, configs, state."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from indi.errors import InputError
from indi.paths import REPO_ROOT
from indi_ops.hub.accounts import ensure_group, require_root
from indi_ops.hub.config import proxy_command, write_config_dirs
from indi_ops.hub.content import build_font_cache, unreachable_for_others
from indi_ops.hub.course import PRIVATE_DIRS, close_to_others, secure_course
from indi_ops.hub.exchange_setup import prepare_exchange
from indi_ops.hub.spawner import VENV_BIN

# Hub state that only root reads: the user database, the cookie secret, initial passwords, pid files.
STATE_FILES = ["jupyterhub.sqlite", "jupyterhub_cookie_secret", "initial-passwords.csv", "proxy.pid",
               "jupyterhub.pid"]


def paths_students_need() -> list[tuple[str, Path]]:
    """What every user's server executes or imports: the venv, the Python it was made from, the package."""
    return [("the Python environment", VENV_BIN), ("the Python interpreter", Path(sys.executable).resolve()),
            ("Python's standard library", Path(sys.base_prefix) / "lib"), ("the course package", REPO_ROOT / "indi")]


def secure_state(state_dir: Path) -> list[Path]:
    """Hub state files: owned by root, mode 0600 (never through a link). Returns the files fixed."""
    fixed = []
    for name in STATE_FILES:
        try:
            fd = os.open(state_dir / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.fchown(fd, 0, 0)
                os.fchmod(fd, 0o600)
                fixed.append(state_dir / name)
        finally:
            os.close(fd)
    return fixed


def close_installation(course_root: Path, grader_group: str) -> list[Path]:
    """When the code is installed apart from the course, its private folders (the ops package, lab sources,
    tests, git history) are closed to students there too; graders still read them (their nbgrader
    configuration imports the ops package). Returns the folders changed."""
    if Path(course_root).resolve() == REPO_ROOT.resolve():
        return []  # secure_course handles them
    gid = ensure_group(grader_group)
    closed = []
    for name in PRIVATE_DIRS:
        changed = close_to_others(REPO_ROOT / name, gid)
        if changed and changed[0] != changed[1]:
            closed.append(REPO_ROOT / name)
    return closed


def compile_learner_package() -> None:
    """Bytecode for the learner package, written by root before students import it.

    The course folder is root's, so a student's kernel cannot write ``indi/__pycache__``: without this it
    would compile every module from source at every import (``make setup`` does the same for the venv;
    here it also covers sources updated by ``git pull`` since)."""
    proc = subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "indi")],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise InputError(f"the learner package does not compile: {(proc.stdout + proc.stderr).strip()[-500:]}")


def prepare(s) -> None:
    """Everything the hub needs on disk before it starts. Idempotent."""
    require_root("the class hub")
    ensure_group(s.student_group)
    ensure_group(s.grader_group)
    s.state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(s.state_dir, 0o755)  # users' servers read config/<role>/; the state files themselves are 0600
    for what, path in paths_students_need():
        blocked = unreachable_for_others(path)
        if blocked is not None:
            raise InputError(f"students cannot reach {what} ({path}): {blocked} is closed to other users. "
                             f"Install the course where users can read it (e.g. /opt/indi-lab) or run "
                             f"`chmod o+x {blocked}`.")
    if s.data_dir is not None:
        if not s.data_dir.is_dir():
            raise InputError(f"hub setting data_dir: {s.data_dir} is not a folder; point it at the pre-staged "
                             "datasets.")
        writable = [p for p in [s.data_dir, *s.data_dir.rglob("*")]
                    if not p.is_symlink() and os.lstat(p).st_mode & stat.S_IWOTH]
        for p in writable:  # shared read-only: nobody but its owner writes there
            os.chmod(p, os.lstat(p).st_mode & ~0o002)
    compile_learner_package()  # before secure_course, which then sets the new files' modes
    secure_course(s)
    close_installation(s.course_root, s.grader_group)
    prepare_exchange(s)
    write_config_dirs(s)
    build_font_cache(s)
    secure_state(s.state_dir)
    proxy_command()

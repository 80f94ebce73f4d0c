"""`make hub`: a class JupyterHub on one machine, in the style of The Littlest JupyterHub.

Every participant is a real system user (so nbgrader records who submitted), instructors are in a
grader group, the nbgrader exchange has nbgrader's documented permissions, the course pages are copied
into each student's home at spawn (never the source notebooks with solutions), ``INDI_DATA_DIR`` is
shared read-only, idle servers are culled and each user gets a memory limit (a cgroup).

Commands (run as root, from the repository; ``hub/README.md`` has the whole story)::

    python -m indi_ops.hub.launch                       # start the hub on 127.0.0.1:8000 (= make hub)
    python -m indi_ops.hub.launch add-instructor NAME   # the first instructor (asks for a password)
    python -m indi_ops.hub.launch add-students ROSTER   # students from a roster, passwords to a 0600 file
    python -m indi_ops.hub.launch remove NAME           # remove a user and their home
    python -m indi_ops.hub.launch list                  # who is a student, who is an instructor
    python -m indi_ops.hub.launch export-content DIR    # student repository for nbgitpuller / repo2docker

Settings come from ``INDI_HUB_*`` environment variables (see :class:`HubSettings`);
``hub/jupyterhub_config.py`` reads the same settings, so the launcher, the tests and the benchmark
run exactly the configuration a class gets.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import grp
import os
import pwd
import re
import secrets
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from indi.errors import InputError
from indi.paths import REPO_ROOT
from indi_ops.roster import STUDENT_ID_RE, read_roster

HUB_DIR = REPO_ROOT / "hub"
VENV_BIN = Path(sys.prefix) / "bin"
COURSE_ID = "indi-lab"

# What a student gets in their home at spawn: the book pages and lab pages. Never lab notebooks
# (those come through the nbgrader exchange as the student release), generators or tests.
CONTENT_INCLUDE = ["START_HERE.md", "book/**/*", "equality_module/**/*", "labs/README.md", "labs/*/README.md",
                   "labs/*/*.png", "labs/*/*.svg", "labs/*/*.jpg"]
CONTENT_EXCLUDE = ["book/_ext/*", "**/.*", "**/__pycache__/**", "**/_build/**", "**/*.pyc"]
# Text that only a source notebook (or its generator) contains: a file holding it is never delivered.
SOLUTION_MARKERS = ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", '"solution": true')
# Folders of the course root that hold solutions, grades or their history: graders only.
PRIVATE_DIRS = ["labs", "lab_sources", "grading", "indi_ops", "tools", "tests", ".git", "_build", ".jupyter_cache"]


@dataclass
class HubSettings:
    """Where the hub keeps things and how it treats users. Each field has an ``INDI_HUB_<NAME>`` variable."""

    state_dir: Path = Path("/srv/indi-lab-hub")  # hub database, cookie secret, exchange, config dirs
    course_root: Path = REPO_ROOT  # nbgrader course root: nbgrader_config.py, labs/ (sources), grading/
    content_root: Path = REPO_ROOT  # where the book pages delivered to students come from
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    mem_limit: str = "1536M"  # per student (server + kernels); 30 users x ~0.35 GB typical on 24 GiB
    instructor_mem_limit: str = "6G"  # instructors autograde whole labs inside their own server
    idle_timeout: int = 3600  # seconds without activity before a server is stopped
    cull_every: int = 300
    student_group: str = "indi-students"
    grader_group: str = "indi-graders"
    cgroup_name: str = "indi-lab-hub"  # parent cgroup of the per-user memory cgroups
    content_dir_name: str = "indi-lab"  # folder in each student's home that receives the course pages
    data_dir: Path | None = None  # INDI_DATA_DIR, shared read-only
    admin_token: str = ""  # optional API token of an admin service (tests and the benchmark)
    # nbgrader's own default, so `make release-hub` and nbgrader commands in a terminal find it too
    exchange_dir: Path = Path("/srv/nbgrader/exchange")

    @classmethod
    def from_env(cls, env: dict | None = None) -> HubSettings:
        env = os.environ if env is None else env
        s = cls()
        for name, value in list(vars(s).items()):
            raw = env.get(f"INDI_HUB_{name.upper()}")
            if raw is None:
                continue
            if isinstance(value, int):
                setattr(s, name, int(raw))
            elif isinstance(value, Path) or name == "data_dir":
                setattr(s, name, Path(raw).resolve())
            else:
                setattr(s, name, raw)
        if s.data_dir is None and env.get("INDI_DATA_DIR"):
            s.data_dir = Path(env["INDI_DATA_DIR"]).resolve()
        return s

    def to_env(self) -> dict[str, str]:
        out = {}
        for name, value in vars(self).items():
            if value is not None:
                out[f"INDI_HUB_{name.upper()}"] = str(value)
        return out

    @property
    def exchange(self) -> Path:
        return self.exchange_dir

    def config_dir(self, role: str) -> Path:
        return self.state_dir / "config" / role


# ------------------------------------------------------------------------------------------- users
def _run(cmd: list[str], input_text: str | None = None) -> None:
    proc = subprocess.run(cmd, input=input_text, capture_output=True, text=True)
    if proc.returncode != 0:
        raise InputError(f"{' '.join(cmd[:2])} failed: {proc.stderr.strip() or proc.stdout.strip()}")


def _require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise InputError(f"{what} needs root (system users, PAM, per-user servers): run it with sudo.")


def ensure_group(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _run(["groupadd", "--system", name])
        return grp.getgrnam(name).gr_gid


def members(group: str) -> list[str]:
    try:
        g = grp.getgrnam(group)
    except KeyError:
        return []
    primary = [p.pw_name for p in pwd.getpwall() if p.pw_gid == g.gr_gid]
    return sorted(set(g.gr_mem) | set(primary))


def add_user(name: str, group: str, password: str | None = None) -> str:
    """Create system user ``name`` in ``group`` with a private home (0700); set a password.

    Returns the password (a generated one when none is given). An existing user is only added to the
    group and given the password.
    """
    if not STUDENT_ID_RE.fullmatch(name):
        raise InputError(f"user name {name!r} is not allowed: use lower-case letters, digits, '-' or '_', "
                         "starting with a letter, at most 32 characters.")
    ensure_group(group)
    password = password or secrets.token_urlsafe(9)
    try:
        entry = pwd.getpwnam(name)
        if entry.pw_uid < 1000:
            raise InputError(f"{name!r} is a system account (uid {entry.pw_uid}); choose another name.")
        _run(["usermod", "--append", "--groups", group, name])
    except KeyError:
        _run(["useradd", "--create-home", "--shell", "/bin/bash", "--groups", group, name])
        entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, 0o700)  # nobody else reads a participant's home
    _run(["chpasswd"], input_text=f"{name}:{password}\n")
    return password


def remove_user(name: str, keep_home: bool = False) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return
    for _ in range(50):  # this user's processes only; userdel refuses while any is left
        if subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True).returncode != 0:
            break
        time.sleep(0.2)
    _run(["userdel"] + ([] if keep_home else ["--remove"]) + [name])


# ------------------------------------------------------------------------------------ preparation
def proxy_command() -> list[str]:
    """configurable-http-proxy from hub/package-lock.json (installs it with `npm ci` the first time)."""
    exe = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if not exe.exists():
        if not shutil.which("npm"):
            raise InputError("npm is missing: install Node.js 20 and npm (Debian: apt-get install nodejs npm).")
        subprocess.run(["npm", "ci", "--prefix", str(HUB_DIR), "--no-audit", "--no-fund"], check=True)
    return [str(exe)]


def _chmod_tree(root: Path, gid: int, dir_mode: int, file_mode: int) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        os.chown(dirpath, -1, gid)
        os.chmod(dirpath, dir_mode)
        for f in filenames:
            p = os.path.join(dirpath, f)
            if os.path.islink(p):
                continue
            os.chown(p, -1, gid)
            executable = os.stat(p).st_mode & stat.S_IXUSR
            os.chmod(p, file_mode | (0o110 if executable else 0))


def secure_course(s: HubSettings) -> None:
    """Course root: sources, gradebook, generators, tests and git history readable by graders only."""
    gid = ensure_group(s.grader_group)
    root = s.course_root
    (root / "grading").mkdir(exist_ok=True)
    for name in PRIVATE_DIRS:
        p = root / name
        if p.is_dir():
            # setgid dirs: files instructors create stay in the grader group; umask 007 keeps them group-writable
            _chmod_tree(p, gid, 0o2770, 0o660)
    os.chmod(root, os.stat(root).st_mode & ~0o002 | 0o005)


def prepare_exchange(s: HubSettings) -> None:
    """nbgrader's exchange with its documented permissions.

    root 1777 (nbgrader wants it world-writable; the sticky bit stops anyone renaming the course),
    course dir and outbound 2775 (graders release, all read), inbound 2773 (students may create a
    submission but not list others'), feedback 2771 (a student opens only the file whose hashed name
    they can compute from their own submission).
    """
    gid = ensure_group(s.grader_group)
    course = s.exchange / COURSE_ID
    for path, mode in [(s.exchange, 0o1777), (course, 0o2775), (course / "outbound", 0o2775),
                       (course / "inbound", 0o2773), (course / "feedback", 0o2771)]:
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, 0, 0 if path == s.exchange else gid)
        os.chmod(path, mode)


def write_config_dirs(s: HubSettings) -> None:
    """JUPYTER_CONFIG_PATH folders for the two roles: nbgrader settings and which extensions are on."""
    exchange = (
        f"c.Exchange.root = {str(s.exchange)!r}\n"
        "c.Exchange.path_includes_course = False\n"
    )
    student = s.config_dir("student")
    instructor = s.config_dir("instructor")
    for d in (student, instructor):
        (d / "labconfig").mkdir(parents=True, exist_ok=True)
    (student / "nbgrader_config.py").write_text(
        "# Written by indi_ops.hub.launch for students: the course and the exchange, nothing else.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n" + exchange
    )
    off = {f"nbgrader.server_extensions.{x}": False for x in ("formgrader", "course_list", "create_assignment")}
    _write_json(student / "jupyter_server_config.json", {"ServerApp": {"jpserver_extensions": off}})
    _write_json(student / "labconfig" / "page_config.json", {"disabledExtensions": {
        "@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:course-list": True,
        "@jupyter/nbgrader:create-assignment": True}})
    (instructor / "nbgrader_config.py").write_text(
        "# Written by indi_ops.hub.launch for instructors: the course's own settings plus the shared exchange.\n"
        "from indi_ops.grading.config import configure\n"
        "c = get_config()  # noqa: F821\n"
        f"configure(c, {str(s.course_root)!r})\n" + exchange +
        "c.CourseDirectory.groupshared = True\n"
    )
    on = {f"nbgrader.server_extensions.{x}": True for x in ("formgrader", "course_list", "assignment_list",
                                                             "validate_assignment")}
    _write_json(instructor / "jupyter_server_config.json", {"ServerApp": {"jpserver_extensions": on}})
    _write_json(instructor / "labconfig" / "page_config.json", {"disabledExtensions": {}})
    for d in (student, instructor):
        for dirpath, _dirs, files in os.walk(d):
            os.chmod(dirpath, 0o755)
            for f in files:
                os.chmod(os.path.join(dirpath, f), 0o644)


def _write_json(path: Path, data: dict) -> None:
    import json

    path.write_text(json.dumps(data, indent=2) + "\n")


def unreachable_for_others(path: Path) -> Path | None:
    """The first folder on the way to ``path`` that other users cannot traverse (or None)."""
    p = Path(path).resolve()
    for parent in [*reversed(p.parents), p]:
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return parent
    return None


def paths_students_need() -> list[tuple[str, Path]]:
    """What every user's server executes or imports: the venv, the Python it was made from, the package."""
    return [("the Python environment", VENV_BIN), ("the Python interpreter", Path(sys.executable).resolve()),
            ("Python's standard library", Path(sys.base_prefix) / "lib"), ("the course package", REPO_ROOT / "indi")]


def prepare(s: HubSettings) -> None:
    """Everything the hub needs on disk before it starts. Idempotent."""
    _require_root("the class hub")
    ensure_group(s.student_group)
    ensure_group(s.grader_group)
    s.state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(s.state_dir, 0o755)
    for what, path in paths_students_need():
        blocked = unreachable_for_others(path)
        if blocked is not None:
            raise InputError(f"students cannot reach {what} ({path}): {blocked} is closed to other users. "
                             f"Install the course where users can read it (e.g. /opt/indi-lab) or run "
                             f"`chmod o+x {blocked}`.")
    if s.data_dir is not None:
        if not s.data_dir.is_dir():
            raise InputError(f"INDI_DATA_DIR={s.data_dir} is not a folder: point it at the pre-staged datasets.")
        writable = [p for p in [s.data_dir, *s.data_dir.rglob("*")] if os.stat(p).st_mode & stat.S_IWOTH]
        for p in writable:  # shared read-only: nobody but its owner writes there
            os.chmod(p, os.stat(p).st_mode & ~0o002)
    secure_course(s)
    prepare_exchange(s)
    write_config_dirs(s)
    proxy_command()


# ------------------------------------------------------------------------------ course content
def course_content(root: Path) -> list[Path]:
    """Relative paths of the pages delivered to each student; never anything holding a solution."""
    out = []
    for pattern in CONTENT_INCLUDE:
        for p in sorted(root.glob(pattern)):
            rel = p.relative_to(root)
            if not p.is_file() or any(fnmatch(str(rel), x) or fnmatch("/" + str(rel), x) for x in CONTENT_EXCLUDE):
                continue
            if any(part.startswith(".") or part in ("__pycache__", "_build") for part in rel.parts):
                continue
            if rel.parts[0] == "labs" and p.suffix == ".ipynb":
                continue
            try:
                text = p.read_text(encoding="utf-8", errors="ignore")
            except OSError:
                continue
            if any(m in text for m in SOLUTION_MARKERS):
                continue
            out.append(rel)
    return sorted(set(out))


def deliver_content(s: HubSettings, username: str) -> int:
    """Copy the course pages into ~/<content_dir_name>; files the student already has are kept. Returns count."""
    user = pwd.getpwnam(username)
    dest_root = Path(user.pw_dir) / s.content_dir_name
    copied = 0
    for rel in course_content(s.content_root):
        dest = dest_root / rel
        if dest.exists():
            continue
        for d in reversed([dest.parent, *dest.parent.parents]):
            if d == Path(user.pw_dir) or Path(user.pw_dir) not in d.parents:
                continue
            if not d.exists():
                d.mkdir(mode=0o755)
                os.chown(d, user.pw_uid, user.pw_gid)
        shutil.copyfile(s.content_root / rel, dest)
        os.chown(dest, user.pw_uid, user.pw_gid)
        os.chmod(dest, 0o644)
        copied += 1
    return copied


STUDENT_REPO_FILES = ["pyproject.toml", "requirements.txt", "constraints.txt", "environment.yml",
                      "hub/lab-overrides.json", "indi/*.py", "datasets/**/*"]
POSTBUILD = """#!/bin/bash
# repo2docker runs this after installing environment.yml: the course package, outside the home folder
# (a user's home volume hides the build folder), plus the kernel name the labs ask for.
set -euo pipefail
dest="${NB_PYTHON_PREFIX}/share/indi-lab"
mkdir -p "$dest" && cp -r indi datasets pyproject.toml "$dest"/
pip install --no-deps --no-build-isolation -e "$dest"
python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (INDI Lab)"
install -D -m 644 hub/lab-overrides.json "${NB_PYTHON_PREFIX}/share/jupyter/lab/settings/overrides.json"
pip install ngshare_exchange   # the nbgrader exchange on Kubernetes (hub/README.md)
"""


def export_student_repo(dest: Path) -> int:
    """What a student image (repo2docker) and nbgitpuller may see: pages, package, pins; no lab sources."""
    dest = Path(dest)
    files = [Path("indi-lab") / rel for rel in course_content(REPO_ROOT)]
    sources = {Path("indi-lab") / rel: REPO_ROOT / rel for rel in course_content(REPO_ROOT)}
    for pattern in STUDENT_REPO_FILES:
        for p in sorted(REPO_ROOT.glob(pattern)):
            rel = p.relative_to(REPO_ROOT)
            if p.is_file() and "__pycache__" not in rel.parts:
                files.append(rel)
                sources[rel] = p
    for rel in files:
        text = sources[rel].read_text(encoding="utf-8", errors="ignore")
        if rel.parts[0] == "indi-lab" and any(m in text for m in SOLUTION_MARKERS):
            raise InputError(f"{sources[rel]} holds solution markers; it must not go to students.")
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sources[rel], dest / rel)
    (dest / "postBuild").write_text(POSTBUILD)
    os.chmod(dest / "postBuild", 0o755)
    return len(files)


# ----------------------------------------------------------------------------------- memory limit
def _parse_bytes(value: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(value), re.I)
    if not m:
        raise InputError(f"memory limit {value!r} not understood: write e.g. 1536M or 2G.")
    return int(float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " "))


def memory_cgroup(s: HubSettings, username: str, limit_bytes: int) -> Path | None:
    """Create the user's memory cgroup (v2 or v1) and return its cgroup.procs file, or None if unavailable."""
    v2 = Path("/sys/fs/cgroup")
    v1 = Path("/sys/fs/cgroup/memory")
    try:
        if (v2 / "cgroup.controllers").exists() and "memory" in (v2 / "cgroup.controllers").read_text():
            parent = v2 / s.cgroup_name
            parent.mkdir(exist_ok=True)
            (v2 / "cgroup.subtree_control").write_text("+memory")
            (parent / "cgroup.subtree_control").write_text("+memory")
            cg = parent / username
            cg.mkdir(exist_ok=True)
            (cg / "memory.max").write_text(str(limit_bytes))
            (cg / "memory.swap.max").write_text("0")
            return cg / "cgroup.procs"
        if (v1 / "memory.limit_in_bytes").exists():
            cg = v1 / s.cgroup_name / username
            cg.mkdir(parents=True, exist_ok=True)
            (cg / "memory.limit_in_bytes").write_text(str(limit_bytes))
            return cg / "cgroup.procs"
    except OSError:
        return None
    return None


def remove_cgroups(s: HubSettings) -> None:
    for base in (Path("/sys/fs/cgroup") / s.cgroup_name, Path("/sys/fs/cgroup/memory") / s.cgroup_name):
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


# ---------------------------------------------------------------------------------------- spawner
def make_spawner_class(s: HubSettings):
    from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

    class CourseSpawner(LocalProcessSpawner):
        """LocalProcessSpawner (one process per system user) plus the course: role, content, memory."""

        def is_instructor(self) -> bool:
            return self.user.name in members(s.grader_group)

        async def start(self):
            name = self.user.name
            instructor = self.is_instructor()
            role = "instructor" if instructor else "student"
            self.environment = {
                **self.environment,
                "JUPYTER_CONFIG_PATH": str(s.config_dir(role)),
                "OMP_NUM_THREADS": "1",  # 30 people share 2 cores: one thread per kernel
                "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
                "INDI_COURSE_ROLE": role,
            }
            if s.data_dir is not None:
                self.environment["INDI_DATA_DIR"] = str(s.data_dir)
            if instructor:
                self.notebook_dir = str(s.course_root)  # formgrader needs the course inside the server root
                self.default_url = "/lab"
            else:
                self.notebook_dir = ""
                self.default_url = f"/lab/tree/{s.content_dir_name}/START_HERE.md"
                n = deliver_content(s, name)
                self.log.info("course content for %s: %d new files", name, n)
            self._umask = 0o007 if instructor else 0o077
            self._cgroup_procs = None
            limit = _parse_bytes(s.instructor_mem_limit) if instructor else self.mem_limit
            if limit:
                self._cgroup_procs = memory_cgroup(s, name, int(limit))
                if self._cgroup_procs is None:
                    self.log.warning("memory limit for %s not enforced: no writable memory cgroup", name)
            return await super().start()

        def make_preexec_fn(self, name):
            drop_privileges = set_user_setuid(name)
            procs = getattr(self, "_cgroup_procs", None)
            umask = getattr(self, "_umask", 0o077)

            def preexec():
                if procs is not None:  # still root here: join the user's memory cgroup, then drop to the user
                    with open(procs, "w") as fh:
                        fh.write(str(os.getpid()))
                os.umask(umask)
                drop_privileges()

            return preexec

    return CourseSpawner


# ------------------------------------------------------------------------------------ hub config
def configure_hub(c, s: HubSettings) -> None:
    """Apply the class hub's settings to JupyterHub's traitlets config ``c`` (used by hub/jupyterhub_config.py)."""
    c.JupyterHub.ip = s.ip
    c.JupyterHub.port = s.port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = s.hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
    c.ConfigurableHTTPProxy.command = proxy_command()
    c.ConfigurableHTTPProxy.pid_file = str(s.state_dir / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{s.state_dir / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(s.state_dir / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(s.state_dir / "jupyterhub.pid")

    # Who may log in: system users in the student or grader group (PAM: the system password).
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.allowed_groups = {s.student_group, s.grader_group}
    c.PAMAuthenticator.admin_groups = {s.grader_group}
    c.PAMAuthenticator.open_sessions = False
    c.LocalAuthenticator.create_system_users = False  # the roster command creates them (with a password)

    c.JupyterHub.spawner_class = make_spawner_class(s)
    c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
    c.Spawner.mem_limit = s.mem_limit
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 90
    c.JupyterHub.concurrent_spawn_limit = 30

    # Idle culler: stop servers with no activity for idle_timeout seconds.
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={s.idle_timeout}", f"--cull-every={s.cull_every}"],
    }]
    c.JupyterHub.load_roles = [{
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }]
    if s.admin_token:  # tests and the benchmark drive the hub through its REST API
        c.JupyterHub.services.append({"name": "indi-admin", "api_token": s.admin_token})
        c.JupyterHub.load_roles.append({
            "name": "indi-admin",
            "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users", "access:servers"],
            "services": ["indi-admin"],
        })


# ------------------------------------------------------------------------------------------ CLI
def serve(s: HubSettings) -> int:
    prepare(s)
    if not members(s.grader_group):
        print(f"No instructor yet. Add the first one with:\n  sudo {VENV_BIN / 'python'} -m indi_ops.hub.launch "
              "add-instructor NAME", file=sys.stderr)
    env = {**os.environ, **s.to_env()}
    print(f"INDI Lab hub on http://{s.ip}:{s.port}/  (state in {s.state_dir}; stop with Ctrl+C)", flush=True)
    cmd = [str(VENV_BIN / "jupyterhub"), "-f", str(HUB_DIR / "jupyterhub_config.py")]
    try:
        return subprocess.call(cmd, env=env, cwd=str(s.state_dir))
    finally:
        remove_cgroups(s)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="indi-ops hub", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd")
    sub.add_parser("serve", help="start the hub (the default)")
    a = sub.add_parser("add-instructor", help="add an instructor (grader group, formgrader, hub admin)")
    a.add_argument("name")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    r = sub.add_parser("add-students", help="add students from the class roster CSV (indi_ops.roster)")
    r.add_argument("roster", type=Path)
    r.add_argument("--passwords-out", type=Path, help="where to write the initial passwords (0600 CSV)")
    d = sub.add_parser("remove", help="remove a user (and their home unless --keep-home)")
    d.add_argument("name")
    d.add_argument("--keep-home", action="store_true")
    sub.add_parser("list", help="list students and instructors")
    e = sub.add_parser("export-content", help="write the student repository (pages, package; no solutions)")
    e.add_argument("dest", type=Path)
    args = ap.parse_args(argv)
    s = HubSettings.from_env()
    try:
        if args.cmd in (None, "serve"):
            return serve(s)
        if args.cmd == "list":
            print("instructors:", " ".join(members(s.grader_group)) or "-")
            print("students:   ", " ".join(members(s.student_group)) or "-")
            return 0
        if args.cmd == "export-content":
            print(f"{export_student_repo(args.dest)} files written to {args.dest} (+ postBuild for repo2docker)")
            return 0
        _require_root("managing hub users")
        if args.cmd == "add-instructor":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass(f"password for {args.name}: ")
                if password != getpass.getpass("again: "):
                    raise InputError("the two passwords differ; nothing was changed.")
            if len(password) < 8:
                raise InputError("use a password of at least 8 characters.")
            add_user(args.name, s.grader_group, password)
            print(f"{args.name} is an instructor: log in at http://{s.ip}:{s.port}/ and open "
                  f"/user/{args.name}/formgrader in its own tab.")
        elif args.cmd == "add-students":
            out = args.passwords_out or s.state_dir / "initial-passwords.csv"
            out.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", newline="") as fh:
                writer = csv.writer(fh)
                for name in (row["student_id"] for row in read_roster(args.roster)):
                    writer.writerow([name, add_user(name, s.student_group)])
            os.chmod(out, 0o600)
            print(f"initial passwords written to {out} (readable by root only): hand them out, then delete it.")
        elif args.cmd == "remove":
            remove_user(args.name, keep_home=args.keep_home)
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

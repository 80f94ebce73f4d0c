"""A real class hub for the hub tests and the benchmark: system users, a course, the hub process.

Everything is made with a unique ``indit-<token>`` prefix (users, groups, cgroup, state folder under
/tmp) and removed again by :meth:`ClassHub.close`. Needs root (as in CI), npm and the venv.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import requests

from indi.paths import REPO_ROOT
from indi_ops.hub import accounts
from indi_ops.hub.cgroups import remove_cgroups
from indi_ops.hub.course import PRIVATE_DIRS
from indi_ops.hub.prepare import paths_students_need, unreachable_for_others
from indi_ops.hub.settings import COURSE_ID, HubSettings

PYTHON = Path(sys.prefix) / "bin" / "python"
FIXTURE_LAB = REPO_ROOT / "tests" / "fixtures" / "labs" / "mini_wear"
PASSWORD_LEN = 12


def lab1() -> Path:
    """Lab 1 when it exists (its source notebook is there), else the fixture lab."""
    real = REPO_ROOT / "labs" / "vision_inspection"
    return real if (real / "vision_inspection.ipynb").is_file() else FIXTURE_LAB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def venv_open_to_users():
    """Let system users run the venv's Python and import the learner package while inside (a CI checkout
    may lie under a closed folder such as /root); the modes are restored afterwards."""
    opened: list[tuple[Path, int]] = []
    try:
        for _what, target in paths_students_need():
            while (blocked := unreachable_for_others(target)) is not None:
                mode = stat.S_IMODE(os.stat(blocked).st_mode)
                opened.append((blocked, mode))
                os.chmod(blocked, mode | 0o001)
        yield
    finally:
        for path, mode in reversed(opened):
            os.chmod(path, mode)


def can_run() -> str | None:
    """Why a real hub cannot run here (None when it can)."""
    if os.geteuid() != 0:
        return "the class hub needs root (system users, PAM, setuid spawner)"
    for tool in ("useradd", "chpasswd", "npm"):
        if not shutil.which(tool):
            return f"{tool} is missing (see .ci/system-deps.sh)"
    return None


class ClassHub:
    """Start a hub like `make hub` does, on free loopback ports, with its own users and course."""

    def __init__(self, students: int = 2, instructors: int = 1, labs: list[Path] | None = None,
                 mem_limit: str = "1G", idle_timeout: int = 3600, cull_every: int = 300):
        tok = secrets.token_hex(2)
        self.prefix = f"indit-{tok}"
        self.base = Path(f"/tmp/{self.prefix}-hub")
        self.course = self.base / "course"
        self.settings = HubSettings(  # checked first: bad settings leave nothing behind
            state_dir=self.base / "state", course_root=self.course, content_root=REPO_ROOT,
            port=free_port(), hub_port=free_port(), proxy_api_port=free_port(),
            mem_limit=mem_limit, idle_timeout=idle_timeout, cull_every=cull_every,
            student_group=f"{self.prefix}-students", grader_group=f"{self.prefix}-graders",
            cgroup_name=f"{self.prefix}-hub", admin_token=secrets.token_hex(24),
            data_dir=os.environ.get("INDI_DATA_DIR") or None, exchange_dir=self.base / "exchange",
        )
        self.base.mkdir(mode=0o755)
        os.chmod(self.base, 0o755)
        self.course.mkdir()
        (self.course / "labs").mkdir()
        for lab in labs if labs is not None else [lab1()]:
            shutil.copytree(lab, self.course / "labs" / lab.name,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        (self.course / "nbgrader_config.py").write_text(
            "from indi_ops.grading.config import configure\n"
            "c = get_config()  # noqa: F821\n"
            f"configure(c, {str(self.course)!r})\n")
        self._add_lab_sources(labs if labs is not None else [lab1()])
        # The hub reads its settings from one file, as `make hub` does (0600: it holds the admin token).
        self.settings_file = self.settings.write(self.base / "settings.yaml")
        self.url = f"http://127.0.0.1:{self.settings.port}"
        self.passwords: dict[str, str] = {}
        self.students = [f"{self.prefix}-s{i + 1}" for i in range(students)]
        self.instructors = [f"{self.prefix}-t{i + 1}" for i in range(instructors)]
        self._opened: list[tuple[Path, int]] = []
        self._closed: list[tuple[Path, int, int]] = []
        self.proc: subprocess.Popen | None = None
        self.log = self.base / "hub.log"
        try:
            for name in self.students:
                self.passwords[name] = accounts.create_user(name, self.settings.student_group,
                                                            secrets.token_urlsafe(PASSWORD_LEN))
            for name in self.instructors:
                self.passwords[name] = accounts.create_user(name, self.settings.grader_group,
                                                            secrets.token_urlsafe(PASSWORD_LEN))
            self._open_venv_path()
            self.start()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ process
    def _add_lab_sources(self, labs: list[Path]) -> None:
        """lab_sources/ as in the repository: the text sources with solutions (graders only)."""
        (self.course / "lab_sources").mkdir()
        for lab in labs:
            src = REPO_ROOT / "lab_sources" / f"{lab.name}.md"
            text = src.read_text() if src.is_file() else f"# {lab.name}\n\n### BEGIN SOLUTION\nx = 1\n"
            (self.course / "lab_sources" / f"{lab.name}.md").write_text(text)

    def _open_venv_path(self) -> None:
        """Let the test users reach the venv (a CI checkout may live under a closed folder); undone at close.

        The hub closes the checkout's private folders (ops package, lab sources …) to other users when the
        course lives elsewhere (as here): their modes are restored at close too.
        """
        for name in PRIVATE_DIRS:
            p = REPO_ROOT / name
            if p.is_dir() and not p.is_symlink():
                self._closed.append((p, stat.S_IMODE(os.stat(p).st_mode), os.stat(p).st_gid))
        for _what, target in paths_students_need():
            while (blocked := unreachable_for_others(target)) is not None:
                mode = os.stat(blocked).st_mode
                self._opened.append((blocked, stat.S_IMODE(mode)))
                os.chmod(blocked, stat.S_IMODE(mode) | 0o001)

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("INDI_HUB_")}
        self._logfh = open(self.log, "ab")
        cmd = [str(PYTHON), "-m", "indi_ops.hub.cli", "--settings", str(self.settings_file), "serve"]
        self.proc = subprocess.Popen(cmd, env=env,
                                     cwd=str(REPO_ROOT), stdout=self._logfh, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 180  # the first start also runs `npm ci --prefix hub`
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"hub did not answer within 180 s:\n{self.log_tail()}")

    def log_tail(self, n: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""

    def close(self) -> None:
        """Stop the hub and remove everything it made; each step runs even if an earlier one failed."""
        steps = [self._stop_hub, self._restore_paths]
        s = self.settings
        steps += [lambda n=n: accounts.remove_user(n, s.student_group, s.grader_group, instructor=True)
                  for n in self.students + self.instructors]
        steps += [lambda g=g: subprocess.run(["groupdel", g], capture_output=True)
                  for g in (self.settings.student_group, self.settings.grader_group)]
        steps += [lambda: remove_cgroups(s.cgroup_name), self._remove_files]
        errors = []
        for step in steps:
            try:
                step()
            except Exception as exc:  # keep cleaning up; report at the end
                errors.append(repr(exc))
        if errors:
            raise RuntimeError("hub clean-up: " + "; ".join(errors))

    def _stop_hub(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the hub stops the user servers and its proxy
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)

    def _restore_paths(self) -> None:
        for path, mode in reversed(self._opened):
            os.chmod(path, mode)
        self._opened.clear()
        for path, mode, gid in reversed(self._closed):
            os.chown(path, -1, gid)
            os.chmod(path, mode)
        self._closed.clear()

    def _remove_files(self) -> None:
        if getattr(self, "_logfh", None):
            self._logfh.close()
        keep = os.environ.get("INDI_KEEP_HUB_LOG")
        if keep and self.log.exists():
            shutil.copy(self.log, keep)
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> ClassHub:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ REST
    def api(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"token {token or self.settings.admin_token}"}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kw)

    def spawn(self, user: str, timeout: float = 120) -> float:
        """Start ``user``'s server through the REST API; returns seconds until it is ready."""
        self.ensure_hub_user(user)
        t0 = time.perf_counter()
        r = self.api("POST", f"/users/{user}/server")
        assert r.status_code in (201, 202, 400), (r.status_code, r.text)
        while time.perf_counter() - t0 < timeout:
            info = self.api("GET", f"/users/{user}").json()
            server = info.get("servers", {}).get("", {})
            if server.get("ready"):
                return time.perf_counter() - t0
            if not info.get("pending") and not server:
                raise RuntimeError(f"server of {user} failed to start:\n{self.log_tail()}")
            time.sleep(0.2)
        raise TimeoutError(f"server of {user} not ready after {timeout} s:\n{self.log_tail()}")

    def ensure_hub_user(self, user: str) -> None:
        """The hub learns of a user at first login; the API path has to add them first."""
        r = self.api("POST", f"/users/{user}")
        assert r.status_code in (201, 409), (r.status_code, r.text)

    def token(self, user: str) -> str:
        self.ensure_hub_user(user)
        r = self.api("POST", f"/users/{user}/tokens", json={"note": "hub test", "expires_in": 3600})
        assert r.status_code in (200, 201), (r.status_code, r.text)
        return r.json()["token"]

    def server_get(self, user: str, path: str, token: str) -> requests.Response:
        return requests.get(f"{self.url}/user/{user}/{path.lstrip('/')}",
                            headers={"Authorization": f"token {token}"}, timeout=60, allow_redirects=False)

    def run_code(self, user: str, token: str, code: str, timeout: float = 120, keep_kernel: bool = False) -> dict:
        """Execute ``code`` in a new kernel of ``user``'s own server; returns stdout, error and status."""
        import websocket

        h = {"Authorization": f"token {token}"}
        r = requests.post(f"{self.url}/user/{user}/api/kernels", headers=h, json={"name": "python3"}, timeout=60)
        assert r.status_code == 201, (r.status_code, r.text)
        kid = r.json()["id"]
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.settings.port}/user/{user}/api/kernels/{kid}/channels",
            header=[f"Authorization: token {token}"], timeout=timeout)
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": user, "session": uuid.uuid4().hex, "msg_type": "execute_request",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        out, error, status = [], None, None
        deadline = time.time() + timeout
        try:
            while time.time() < deadline:
                try:
                    msg = json.loads(ws.recv())
                except (websocket.WebSocketConnectionClosedException, websocket.WebSocketTimeoutException):
                    status = status or "connection closed"
                    break
                mtype = msg.get("msg_type") or msg["header"]["msg_type"]
                if mtype == "status" and msg["content"].get("execution_state") in ("restarting", "dead"):
                    status = msg["content"]["execution_state"]
                    break
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if mtype == "stream":
                    out.append(msg["content"]["text"])
                elif mtype == "error":
                    error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
                elif mtype == "status" and msg["content"]["execution_state"] == "idle":
                    status = "idle"
                    break
        finally:
            ws.close()
            if not keep_kernel:
                requests.delete(f"{self.url}/user/{user}/api/kernels/{kid}", headers=h, timeout=30)
        return {"stdout": "".join(out), "error": error, "status": status}

    def login(self, user: str) -> requests.Session:
        """Log in through the hub's login form (PAM), as a browser does; returns the cookie session."""
        s = requests.Session()
        s.get(f"{self.url}/hub/login", timeout=60)
        r = s.post(f"{self.url}/hub/login?next=", timeout=120, allow_redirects=False,
                   data={"username": user, "password": self.passwords[user], "_xsrf": s.cookies.get("_xsrf", "")})
        assert r.status_code == 302, (r.status_code, r.text[:300])
        return s

    # ------------------------------------------------------------------ as a system user
    def as_user(self, user: str, cmd: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
        """Run ``cmd`` as ``user`` with the role's hub environment (JUPYTER_CONFIG_PATH, PATH, HOME)."""
        role = "instructor" if user in self.instructors else "student"
        env = ["env", "-i", f"HOME=/home/{user}", f"USER={user}", f"PATH={PYTHON.parent}:/usr/bin:/bin",
               f"JUPYTER_CONFIG_PATH={self.settings.config_dir(role)}"]
        if self.settings.data_dir:
            env.append(f"INDI_DATA_DIR={self.settings.data_dir}")
        umask = "007" if role == "instructor" else "077"
        shell = f"umask {umask}; cd ~ && exec \"$@\""
        return subprocess.run(["runuser", "-u", user, "--", *env, "sh", "-c", shell, "sh", *cmd],
                              capture_output=True, text=True, timeout=timeout)

    def ensure_released(self, lab: str) -> None:
        """The instructor generates and releases ``lab`` through the exchange (once per hub)."""
        if (self.settings.exchange / COURSE_ID / "outbound" / lab).is_dir():
            return
        t1 = self.instructors[0]
        self.nbgrader(t1, "generate_assignment", lab, "--force")
        self.nbgrader(t1, "release_assignment", lab, "--force")

    def nbgrader(self, user: str, *args: str) -> subprocess.CompletedProcess:
        proc = self.as_user(user, [str(PYTHON.parent / "nbgrader"), *args])
        assert proc.returncode == 0, f"nbgrader {' '.join(args)} as {user} failed:\n{proc.stdout}\n{proc.stderr}"
        return proc


_SHARED: dict[str, ClassHub] = {}


def shared_hub(config) -> ClassHub:
    """One hub for all hub test modules of a pytest session (closed when the session ends).

    Students s1, s2 are for the isolation tests, s3 is the browser test's student; t1 the instructor.
    """
    if "hub" not in _SHARED:
        hub = ClassHub(students=3, instructors=1, mem_limit="1G")
        _SHARED["hub"] = hub

        def close() -> None:
            _SHARED.pop("hub", None)
            hub.close()

        config.add_cleanup(close)
    return _SHARED["hub"]

"""JupyterHub's configuration for the class hub, and the per-role Jupyter config folders users' servers read."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from indi.errors import InputError
from indi_ops.hub.settings import COURSE_ID, HUB_DIR
from indi_ops.hub.spawner import VENV_BIN, make_spawner_class


def proxy_command() -> list[str]:
    """configurable-http-proxy from hub/package-lock.json (installs it with `npm ci` the first time)."""
    exe = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if not exe.exists():
        if not shutil.which("npm"):
            raise InputError("npm is missing: install Node.js 20 and npm (Debian: apt-get install nodejs npm).")
        subprocess.run(["npm", "ci", "--prefix", str(HUB_DIR), "--no-audit", "--no-fund"], check=True)
    return [str(exe)]


# Server extensions a student's server does not load (each costs start-up time and memory in every
# server): the classic Notebook 7 interface and its shim (students work in JupyterLab, the hub opens
# /lab) and the language-server proxy (no language server is installed). Students keep JupyterLab,
# nbgrader's assignment list and validation, jupytext (the book pages are text notebooks), nbgitpuller
# (the book's launch links), terminals and ipywidgets.
STUDENT_EXTENSIONS_OFF = ("notebook", "notebook_shim", "jupyter_lsp")


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")


def write_config_dirs(s) -> None:
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
        "# Written by indi_ops.hub.config for students: the course and the exchange, nothing else.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n" + exchange
    )
    off = {f"nbgrader.server_extensions.{x}": False for x in ("formgrader", "course_list", "create_assignment")}
    off.update({x: False for x in STUDENT_EXTENSIONS_OFF})
    _write_json(student / "jupyter_server_config.json", {
        "ServerApp": {"jpserver_extensions": off},
        "LabApp": {"extension_manager": "readonly"},  # the venv is root's: students cannot install extensions
    })
    _write_json(student / "labconfig" / "page_config.json", {"disabledExtensions": {
        "@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:course-list": True,
        "@jupyter/nbgrader:create-assignment": True,
        "@jupyter-notebook/lab-extension": True}})  # "open in Notebook" links: the notebook server is off
    (instructor / "nbgrader_config.py").write_text(
        "# Written by indi_ops.hub.config for instructors: the course's own settings plus the shared exchange.\n"
        "from indi_ops.grading.config import configure\n"
        "c = get_config()  # noqa: F821\n"
        f"configure(c, {str(s.course_root)!r})\n" + exchange +
        "c.CourseDirectory.groupshared = True\n"
        "# Grading from formgrader runs as the instructor, inside the hub's per-user memory cgroup, where an\n"
        "# unprivileged user cannot make per-kernel cgroups: kernels keep the sandbox's per-process limits,\n"
        "# bounded together by the instructor's cgroup (a class is graded per kernel with `sudo make autograde`).\n"
        "c.SandboxKernelManager.require_cgroup = False\n"
    )
    on = {f"nbgrader.server_extensions.{x}": True for x in ("formgrader", "course_list", "assignment_list",
                                                             "validate_assignment")}
    _write_json(instructor / "jupyter_server_config.json", {"ServerApp": {"jpserver_extensions": on}})
    _write_json(instructor / "labconfig" / "page_config.json", {"disabledExtensions": {}})
    for d in (s.state_dir / "config", student, instructor):
        for dirpath, _dirs, files in os.walk(d):
            os.chmod(dirpath, 0o755)
            for f in files:
                os.chmod(os.path.join(dirpath, f), 0o644)


def configure_hub(c, s) -> None:
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
    c.LocalAuthenticator.create_system_users = False  # `indi-ops hub add-students` creates them (with a password)

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

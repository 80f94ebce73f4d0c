"""The class hub's settings: one declarative YAML file (``hub/settings.yaml``), defaults here, checked on load.

The file is the only place a site sets the hub up; ``INDI_HUB_SETTINGS`` (or ``indi-ops hub --settings``)
may point at another file. Every key is optional (the defaults below apply), unknown keys and bad values
are refused with a message that names the key and the fix.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import os
import re
import stat
from dataclasses import dataclass, fields
from pathlib import Path

from indi.errors import InputError
from indi.paths import REPO_ROOT

HUB_DIR = REPO_ROOT / "hub"
DEFAULT_FILE = HUB_DIR / "settings.yaml"
ENV_VAR = "INDI_HUB_SETTINGS"  # the one variable: where the settings file is
COURSE_ID = "indi-lab"
GROUP_RE = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", re.I)


def parse_bytes(value: str) -> int:
    """``1536M`` / ``2G`` / ``512K`` / a plain number of bytes → bytes."""
    m = SIZE_RE.fullmatch(str(value))
    if not m:
        raise InputError(f"memory size {value!r} not understood: write e.g. 1536M or 2G.")
    return int(float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " "))


@dataclass
class HubSettings:
    """Where the hub keeps things and how it treats users (one field per key of hub/settings.yaml)."""

    state_dir: Path = Path("/srv/indi-lab-hub")
    course_root: Path = REPO_ROOT
    content_root: Path = REPO_ROOT
    exchange_dir: Path = Path("/srv/nbgrader/exchange")
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    mem_limit: str = "1536M"
    instructor_mem_limit: str = "6G"
    idle_timeout: int = 3600
    cull_every: int = 300
    student_group: str = "indi-students"
    grader_group: str = "indi-graders"
    cgroup_name: str = "indi-lab-hub"
    content_dir_name: str = "indi-lab"
    data_dir: Path | None = None
    admin_token: str = ""

    def __post_init__(self) -> None:
        self.validate()

    # ------------------------------------------------------------------ checks
    def validate(self) -> None:
        """Refuse a bad value with the key, what is wrong and how to fix it."""
        for name in ("state_dir", "course_root", "content_root", "exchange_dir", "data_dir"):
            value = getattr(self, name)
            if value is None and name == "data_dir":
                continue
            if not isinstance(value, (str, os.PathLike)) or not str(value):
                _bad(name, value, "a folder path (absolute, or relative to the repository)")
            setattr(self, name, _path(value))
        for name in ("port", "hub_port", "proxy_api_port"):
            _int(self, name, 1, 65535, "a TCP port number between 1 and 65535")
        _int(self, "idle_timeout", 5, 7 * 86400, "seconds between 5 and 604800 (a week)")
        _int(self, "cull_every", 1, 86400, "seconds between 1 and 86400")
        for name in ("mem_limit", "instructor_mem_limit"):
            value = str(getattr(self, name))
            if not SIZE_RE.fullmatch(value) or parse_bytes(value) < 256 * 2**20:
                _bad(name, value, "a memory size of at least 256M, written like 1536M or 2G")
            setattr(self, name, value)
        try:
            ipaddress.ip_address(str(self.ip))
        except ValueError:
            _bad("ip", self.ip, "an IP address such as 127.0.0.1 (loopback) or 0.0.0.0 (every interface)")
        for name in ("student_group", "grader_group", "cgroup_name", "content_dir_name"):
            value = getattr(self, name)
            if not isinstance(value, str) or not GROUP_RE.fullmatch(value):
                _bad(name, value, "a name of lower-case letters, digits, '-' or '_' (at most 32 characters)")
        if self.student_group == self.grader_group:
            _bad("grader_group", self.grader_group, "a group other than student_group")
        if len({self.port, self.hub_port, self.proxy_api_port}) < 3:
            _bad("port", self.port, "three different ports for port, hub_port and proxy_api_port")
        if not isinstance(self.admin_token, str) or (self.admin_token and len(self.admin_token) < 32):
            _bad("admin_token", "<hidden>", "empty (no admin service) or a random string of 32+ characters "
                 "(python -c 'import secrets; print(secrets.token_hex(24))')")

    # ------------------------------------------------------------------ derived
    @property
    def exchange(self) -> Path:
        return self.exchange_dir

    def config_dir(self, role: str) -> Path:
        return self.state_dir / "config" / role

    # ------------------------------------------------------------------ file
    def to_dict(self) -> dict:
        return {f.name: (str(v) if isinstance(v, Path) else v) for f in fields(self)
                for v in [getattr(self, f.name)]}

    def write(self, path: Path) -> Path:
        """Write every setting to ``path`` (0600: it may hold the admin token)."""
        import yaml

        path = Path(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("# Written by indi_ops.hub.settings; keys as in hub/settings.yaml.\n")
            yaml.safe_dump(self.to_dict(), fh, sort_keys=False)
        os.chmod(path, 0o600)
        return path


def _path(value) -> Path:
    p = Path(value).expanduser()
    return (p if p.is_absolute() else REPO_ROOT / p).resolve()


def _bad(key: str, value, fix: str) -> None:
    raise InputError(f"hub setting {key}: {value!r} is not allowed; use {fix}.")


def _int(s: HubSettings, name: str, lo: int, hi: int, fix: str) -> None:
    value = getattr(s, name)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        _bad(name, value, fix)
    value = int(value)
    if not lo <= value <= hi:
        _bad(name, value, fix)
    setattr(s, name, value)


KEYS = [f.name for f in fields(HubSettings)]


def settings_path(path: Path | str | None = None) -> Path:
    """The file to read: the given one, else ``$INDI_HUB_SETTINGS``, else hub/settings.yaml."""
    return Path(path or os.environ.get(ENV_VAR) or DEFAULT_FILE)


def load_settings(path: Path | str | None = None) -> HubSettings:
    """Read and check the settings file (missing keys take their defaults)."""
    import yaml

    path = settings_path(path)
    if not path.is_file():
        raise InputError(f"hub settings file {path} not found: copy hub/settings.yaml there, or set "
                         f"{ENV_VAR} to the file you use.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"hub settings file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"hub settings file {path} must be a mapping of key: value lines.")
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        hints = "; ".join(f"{k!r} (did you mean {m[0]!r}?)" if (m := difflib.get_close_matches(str(k), KEYS, 1))
                          else repr(k) for k in unknown)
        raise InputError(f"hub settings file {path}: unknown key {hints}. Known keys: {', '.join(KEYS)}.")
    if data.get("admin_token"):
        mode = os.stat(path).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InputError(f"hub settings file {path} holds admin_token but others can read it: "
                             f"chmod 600 {path}.")
    try:
        s = HubSettings(**data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    if s.data_dir is None and os.environ.get("INDI_DATA_DIR"):
        s = dataclasses.replace(s, data_dir=Path(os.environ["INDI_DATA_DIR"]))
    return s

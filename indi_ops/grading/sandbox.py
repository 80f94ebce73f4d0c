"""Run students' code for grading in a sandbox: own working folder, no network, CPU/memory limits.

nbgrader executes submissions with a Jupyter kernel started by a kernel manager. Here the kernel
manager (:class:`SandboxKernelManager`) wraps the kernel command in bubblewrap (``bwrap``, Debian
package ``bubblewrap``):

* a new mount namespace with only the system, the Python environment, the ``indi`` package, the data
  registry and the pre-staged data, all **read-only**; ``/tmp`` is a private tmpfs;
* the kernel's working folder is a throw-away copy of the submission's folder (no ``.ipynb`` files, so
  the sanitised notebook — which holds the hidden tests — is not there to read); the course root, the
  gradebook, ``labs/`` and other students' folders are not mounted at all;
* a new network namespace with no interfaces but loopback: no network. The kernel talks to nbgrader
  over Unix sockets (ZeroMQ ``ipc`` transport) in a private folder, which works across namespaces;
* started as root (the usual grading set-up on a course server), the kernel drops to the unprivileged
  user ``nobody`` (``setpriv``) after ``prlimit`` set hard limits: address space (memory), CPU seconds,
  file size, number of processes, no core files. Started as a normal user, bubblewrap's user namespace
  keeps the kernel at that user's rights and the same limits apply.

The per-cell wall-clock limit is nbgrader's ``Execute.timeout`` (see :mod:`indi_ops.grading.config`).
:class:`SandboxedExecute` is nbgrader's ``Execute`` with this kernel manager, plus two fixes:
a kernel that dies (``os._exit``, segfault, memory or CPU limit) no longer drops the whole submission:
the cell that killed it and every later cell get an error output (so their tests score 0) and the
submission is flagged for manual grading with the reason; and output is capped while it arrives, so a
cell printing gigabytes cannot exhaust the grader's memory.

Set ``INDI_GRADING_SANDBOX=off`` only for trusted notebooks (your own solutions) on a machine without
bubblewrap; grading then runs unsandboxed and says so in the log.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from jupyter_client import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from indi.errors import IndiError
from indi_ops.grading.metadata import FLAGS_KEY, META_KEY
from indi.paths import DATASETS_DIR, DATASETS_YML, REPO_ROOT, cache_dir, data_dir

# Defaults for one grading kernel (a whole notebook). Memory is virtual address space: numpy, pandas,
# scikit-learn, OpenCV and matplotlib imported together reserve ~1.5 GB of it before any work.
MEMORY_LIMIT_MB = 4096
CPU_LIMIT_S = 1800
FILE_SIZE_LIMIT_MB = 512
MAX_PROCESSES = 256
# Output kept per cell while it arrives (characters); the rest is dropped with a note.
MAX_OUTPUT_CHARS = 100_000
SANDBOX_USER_ID = 65534  # nobody / nogroup on Debian
ENV_KEEP = ("PATH", "LANG", "LC_ALL", "TZ", "INDI_DATA_DIR", "INDI_CACHE_DIR", "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED", "NBGRADER_EXECUTION")





class SandboxError(IndiError):
    """The grading sandbox cannot be set up on this machine."""


def sandbox_enabled() -> bool:
    return os.environ.get("INDI_GRADING_SANDBOX", "on").strip().lower() not in {"off", "0", "no"}


@cache
def check_sandbox() -> str:
    """How grading kernels are isolated here ('bwrap+nobody', 'bwrap+userns'); raise if impossible."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        raise SandboxError(
            "bubblewrap is not installed, so students' code cannot be sandboxed during grading. "
            "Install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`), or set "
            "INDI_GRADING_SANDBOX=off to grade trusted notebooks without a sandbox.")
    probe = [bwrap, *_namespace_args(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"]
    proc = subprocess.run(probe, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SandboxError(
            f"bubblewrap cannot create a sandbox here ({proc.stderr.strip() or proc.returncode}). "
            "Unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1), "
            "or run grading as root. INDI_GRADING_SANDBOX=off grades trusted notebooks unsandboxed.")
    return "bwrap+nobody" if os.geteuid() == 0 else "bwrap+userns"


def _namespace_args() -> list[str]:
    args = ["--die-with-parent", "--unshare-net", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
            "--unshare-cgroup-try"]
    if os.geteuid() != 0:
        args.append("--unshare-user")
    return args


def _readonly_paths() -> list[Path]:
    """What a lab kernel may read: system, Python, the venv, the indi package, data registry and data."""
    paths = [Path(p) for p in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc")]
    paths += [Path(sys.base_prefix), Path(sys.prefix), REPO_ROOT / "indi", DATASETS_DIR, cache_dir()]
    if data_dir():
        paths.append(data_dir())
    paths += _repo_data_dirs()
    seen: list[Path] = []
    for p in paths:
        if p.exists() and p not in seen:
            seen.append(p)
    return seen


def _repo_data_dirs() -> list[Path]:
    """Data folders shipped inside the repository (``repo_dir`` in datasets/datasets.yml)."""
    import yaml

    try:
        spec = yaml.safe_load(DATASETS_YML.read_text()) or {}
    except OSError:
        return []
    items = spec.values() if isinstance(spec, dict) else []
    dirs = []
    for info in items:
        for entry in (info.values() if isinstance(info, dict) and "repo_dir" not in info else [info]):
            if isinstance(entry, dict) and entry.get("repo_dir"):
                dirs.append(REPO_ROOT / entry["repo_dir"])
    return dirs


def sandbox_command(cmd: list[str], workdir: Path, ipc_dir: Path, *, mount_at: Path | None = None,
                    memory_mb: int = MEMORY_LIMIT_MB, cpu_s: int = CPU_LIMIT_S) -> list[str]:
    """The command line that runs ``cmd`` in the sandbox with ``workdir`` as its only writable folder.

    ``workdir`` appears inside at ``mount_at`` (default: its own path) and is the working directory;
    ``ipc_dir`` (kernel connection file and sockets) is writable too.
    """
    mount_at = mount_at or workdir
    args = [shutil.which("bwrap") or "bwrap", *_namespace_args(),
            "--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp"]
    made: set[Path] = {Path("/"), Path("/tmp")}

    def parents(p: Path) -> list[str]:
        # bubblewrap creates missing parent folders as 0700 (unreadable for the sandbox user): make
        # them 0755 first. They are empty apart from what is bound into them.
        out = []
        for parent in reversed(p.parents):
            if parent not in made:
                made.add(parent)
                out += ["--perms", "0755", "--dir", str(parent)]
        return out

    for p in _readonly_paths():
        if p.is_symlink():  # /lib → usr/lib on merged-/usr systems
            args += ["--symlink", os.readlink(p), str(p)]
        else:
            args += [*parents(p), "--ro-bind", str(p), str(p)]
    args += [*parents(mount_at), "--bind", str(workdir), str(mount_at),
             *parents(ipc_dir), "--bind", str(ipc_dir), str(ipc_dir), "--chdir", str(mount_at), "--clearenv"]
    env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
    env.update(HOME="/tmp", TMPDIR="/tmp", MPLCONFIGDIR="/tmp/matplotlib", JUPYTER_RUNTIME_DIR="/tmp",
               PYTHONDONTWRITEBYTECODE="1", INDI_SANDBOX="1")
    # The data folders are bound at their resolved paths: a symlinked INDI_DATA_DIR (or one under
    # /tmp, which is private in here) must point the kernel at the same place.
    if data_dir():
        env["INDI_DATA_DIR"] = str(data_dir())
    env["INDI_CACHE_DIR"] = str(cache_dir())
    for key, value in env.items():
        args += ["--setenv", key, value]
    limits = ["prlimit", f"--as={memory_mb * 2**20}", f"--cpu={cpu_s}", f"--fsize={FILE_SIZE_LIMIT_MB * 2**20}",
              f"--nproc={MAX_PROCESSES}", "--core=0", "--"]
    drop = []
    if os.geteuid() == 0:
        drop = ["setpriv", f"--reuid={SANDBOX_USER_ID}", f"--regid={SANDBOX_USER_ID}", "--clear-groups",
                "--no-new-privs", "--"]
    return [*args, "--", *limits, *drop, *cmd]


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside :func:`sandbox_command` (ipc transport)."""

    memory_mb = Integer(MEMORY_LIMIT_MB, help="Address-space limit of a grading kernel (MB).").tag(config=True)
    cpu_s = Integer(CPU_LIMIT_S, help="CPU-time limit of a grading kernel (s).").tag(config=True)
    sandbox_root = Unicode("", help="Where per-kernel scratch folders go (default: system tmp).").tag(config=True)

    _scratch: Path | None = None
    _workdir: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        if not sandbox_enabled():
            self.log.warning("INDI_GRADING_SANDBOX=off: student code runs UNSANDBOXED with your rights")
            return await super()._async_pre_start_kernel(**kw)
        check_sandbox()
        source = Path(kw.get("cwd") or os.getcwd()).resolve()
        self._scratch = Path(tempfile.mkdtemp(prefix="indi-grading-", dir=self.sandbox_root or None))
        self._workdir = source
        work, ipc = self._scratch / "work", self._scratch / "ipc"
        # The submission's files (data, student's extras), never notebooks: the one being graded
        # holds the hidden tests once nbgrader has restored them.
        shutil.copytree(source, work, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"),
                        symlinks=True)
        ipc.mkdir()
        if os.geteuid() == 0:
            for p in [self._scratch, ipc, *work.rglob("*"), work]:
                os.lchown(p, SANDBOX_USER_ID, SANDBOX_USER_ID)
        self.transport = "ipc"
        self.ip = str(ipc / "kernel")
        self.connection_file = str(ipc / "kernel.json")
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        # Interrupt by message: a SIGINT to the process group would also hit bubblewrap and end the
        # sandbox; the kernel then sends SIGINT to itself.
        self.kernel_spec.interrupt_mode = "message"
        if os.geteuid() == 0:
            os.chown(self.connection_file, SANDBOX_USER_ID, SANDBOX_USER_ID)
        # Mount the scratch copy at the submission's own path, so paths in messages look familiar.
        kernel_cmd = sandbox_command(kernel_cmd, work, ipc, mount_at=source, memory_mb=self.memory_mb,
                                     cpu_s=self.cpu_s)
        kw["cwd"] = str(self._scratch)
        return kernel_cmd, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if self._scratch is not None and not restart:
                shutil.rmtree(self._scratch, ignore_errors=True)
                self._scratch = None

    # nbclient calls cleanup_resources() directly (also after the kernel died): route it here too.
    cleanup_resources = _async_cleanup_resources


    def exit_reason(self) -> str:
        """Why the kernel process ended, in words (exit code or signal), '' if unknown/alive."""
        proc = getattr(self.provisioner, "process", None)
        code = proc.poll() if proc is not None else None
        if code is None:
            return ""
        if code < 0:
            return _signal_reason(-code)
        if code > 128:  # bwrap reports a child killed by signal N as 128+N
            return _signal_reason(code - 128)
        return f"exit code {code}"


def _signal_reason(signum: int) -> str:
    name = signal.Signals(signum).name if signum in signal.Signals._value2member_map_ else str(signum)
    why = {"SIGSEGV": "a crash (segmentation fault)", "SIGKILL": "killed (out of memory or stopped)",
           "SIGXCPU": "the CPU-time limit", "SIGXFSZ": "the file-size limit", "SIGABRT": "an abort"}
    return f"{name}: {why.get(name, 'a signal')}"


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"{ename}: {evalue}"])


class SandboxedExecute(Execute):
    """nbgrader's Execute in the sandbox; survives kernel death; caps output while it arrives."""

    max_output_chars = Integer(MAX_OUTPUT_CHARS, help="Output characters kept per cell.").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._dead_reason = ""
        self._chars: dict[int, int] = {}
        if resources is not None and META_KEY in nb.metadata:
            # CheckStructure's findings; nbconvert's ClearMetadataPreprocessor runs before FlagProblems.
            resources[META_KEY] = dict(nb.metadata[META_KEY])
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._dead_reason and resources is not None:
                resources.setdefault(FLAGS_KEY, []).append(self._dead_reason)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if self._dead_reason:
            cell.outputs = [_error_output("KernelDied", "not run: the kernel died in an earlier cell")]
            return cell, resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except (DeadKernelError, CellTimeoutError) as exc:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index + 1}")
            if isinstance(exc, CellTimeoutError):
                self._dead_reason = (f"time limit reached in '{grade_id}' and the kernel did not stop when "
                                     "interrupted; later cells were not run")
            else:
                reason = self.km.exit_reason() if hasattr(self.km, "exit_reason") else ""
                self._dead_reason = (f"the kernel died while running '{grade_id}'"
                                     + (f" ({reason})" if reason else "")
                                     + "; later cells were not run")
            self.log.error("Kernel died in %s", grade_id)
            cell.outputs = list(cell.get("outputs", [])) + [_error_output("KernelDied", self._dead_reason)]
            return cell, self.resources

    def output(self, outs, msg, display_id, cell_index):
        # Count text as it arrives; beyond the cap, keep one note and drop the rest.
        content = msg.get("content", {})
        size = len(content.get("text", "")) + len(json.dumps(content.get("data", {}))) if content else 0
        used = self._chars.get(cell_index, 0)
        self._chars[cell_index] = used + size
        if used + size > self.max_output_chars:
            if used <= self.max_output_chars:
                outs.append(NotebookNode(output_type="stream", name="stderr",
                                         text=f"\n... output truncated: more than {self.max_output_chars} "
                                              "characters ...\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

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
* one cgroup per kernel (:mod:`indi_ops.grading.cgroups`) holds the memory of all its processes
  together — files in ``/tmp`` and ``/dev/shm`` (sized tmpfs) included — and its number of processes;
  ``prlimit`` adds per-process limits: address space (so one huge allocation raises ``MemoryError``),
  CPU seconds, file size, no core files;
* started as root (the usual grading set-up on a course server), the kernel drops to a uid of its own
  from a reserved pool (:mod:`indi_ops.grading.uids`, ``setpriv``), so two kernels running at the same
  time share no process limit, files or signals; a second, unprivileged bubblewrap then puts it in a
  user namespace of its own where no further user namespace can be made (``--disable-userns``): no
  capabilities can be gained inside. Started as a normal user, the kernel keeps that user's rights, in
  one bubblewrap with the same user-namespace rule;
* the kernel's own stdout/stderr (what bypasses Jupyter's messages: C libraries, child processes,
  writes to file descriptors 1 and 2) go to a capped file in the kernel's scratch folder, never to the
  grader's output; their tail goes to the teacher's per-student log when the kernel dies.

The per-cell wall-clock limit is nbgrader's ``Execute.timeout`` (see :mod:`indi_ops.grading.config`);
:attr:`SandboxedExecute.time_budget_s` bounds the whole notebook: when it is spent, the remaining cells
are not run and the submission is flagged. :class:`SandboxedExecute` is nbgrader's ``Execute`` with
this kernel manager, plus two fixes:
a kernel that dies (``os._exit``, segfault, memory or CPU limit) no longer drops the whole submission:
the cell that killed it and every later cell get an error output (so their tests score 0) and the
submission is flagged for manual grading with the reason; and output is capped while it arrives, so a
cell printing gigabytes cannot exhaust the grader's memory.

Set ``INDI_GRADING_SANDBOX=off`` only for trusted notebooks (your own solutions) on a machine without
bubblewrap; grading then runs unsandboxed and says so in the log.
"""

from __future__ import annotations

import collections
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from functools import cache
from pathlib import Path

from jupyter_client import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from indi.errors import IndiError
from indi.paths import DATASETS_DIR, DATASETS_YML, REPO_ROOT, cache_dir, data_dir
from indi_ops.grading import cgroups, uids
from indi_ops.grading.metadata import FLAGS_KEY, META_KEY
from indi_ops.nbclient_fixes import without_widget_echo

# Defaults for one grading kernel (a whole notebook). Memory: what all its processes and its files in
# /tmp hold together (cgroup), and the address space of each process: numpy, pandas, scikit-learn,
# OpenCV and matplotlib imported together reserve ~1.5 GB of address space before any work.
MEMORY_LIMIT_MB = 4096
CPU_LIMIT_S = 1800
FILE_SIZE_LIMIT_MB = 512
MAX_PROCESSES = 256
TMP_SIZE_MB = 512  # /tmp and /dev/shm each (matplotlib's cache, students' scratch files)
# Wall-clock seconds for a whole notebook, kernel start included. The real labs' solutions take
# 11–17 s on an idle 2-core machine and up to ~70 s under load: 20 minutes is ample headroom.
NOTEBOOK_TIME_BUDGET_S = 1200
# The kernel's own stdout/stderr kept in its scratch folder (bytes), and the tail kept for the log.
KERNEL_LOG_BYTES = 1_000_000
KERNEL_LOG_TAIL_BYTES = 4000
# Output kept per cell while it arrives (characters); the rest is dropped with a note.
MAX_OUTPUT_CHARS = 100_000
SANDBOX_USER_ID = 65534  # nobody / nogroup on Debian: sandbox_command's default when no uid is given
ENV_KEEP = ("PATH", "LANG", "LC_ALL", "TZ", "INDI_DATA_DIR", "INDI_CACHE_DIR", "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED", "NBGRADER_EXECUTION")


class SandboxError(IndiError):
    """The grading sandbox cannot be set up on this machine."""


def sandbox_enabled() -> bool:
    return os.environ.get("INDI_GRADING_SANDBOX", "on").strip().lower() not in {"off", "0", "no"}


@cache
def check_sandbox() -> str:
    """How grading kernels are isolated here ('bwrap+nobody', 'bwrap+userns'); raise if impossible.

    The probe runs the set-up a kernel gets: as root, dropped to an unprivileged uid before bubblewrap,
    which then needs unprivileged user namespaces; inside, no nested user namespace may be made.
    """
    bwrap = shutil.which("bwrap")
    if not bwrap:
        raise SandboxError(
            "bubblewrap is not installed, so students' code cannot be sandboxed during grading. "
            "Install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`), or set "
            "INDI_GRADING_SANDBOX=off to grade trusted notebooks without a sandbox.")
    probe = [bwrap, *_namespace_args(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
             "--tmpfs", "/tmp", "--", *_drop_privileges(SANDBOX_USER_ID, Path("/")), "true"]
    proc = subprocess.run(probe, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SandboxError(
            f"bubblewrap cannot create a sandbox here ({proc.stderr.strip() or proc.returncode}). "
            "It needs unprivileged user namespaces, also when grading runs as root (the kernel drops "
            "to an unprivileged uid first): check `sysctl user.max_user_namespaces` (> 0), "
            "kernel.unprivileged_userns_clone=1 (Debian kernels before 5.10) or, on Ubuntu 24.04, the "
            "AppArmor userns restriction; bubblewrap ≥ 0.8 is needed for --disable-userns. "
            "INDI_GRADING_SANDBOX=off grades trusted notebooks unsandboxed.")
    return "bwrap+nobody" if os.geteuid() == 0 else "bwrap+userns"


def _namespace_args() -> list[str]:
    args = ["--die-with-parent", "--unshare-net", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
            "--unshare-cgroup-try"]
    if os.geteuid() != 0:
        # A user namespace of its own in which no further one can be made (there it would hold every
        # capability). The order matters: --disable-userns needs --unshare-user before it.
        args += ["--unshare-user", "--disable-userns"]
    return args


def _drop_privileges(uid: int, cwd: Path) -> list[str]:
    """As root, inside the sandbox: the command prefix that runs the rest as ``uid``.

    ``setpriv`` drops to ``uid`` (no groups, no new privileges); then a second, unprivileged bubblewrap
    puts the kernel in a user namespace of its own where no further user namespace can be made
    (``--disable-userns``). The outer bubblewrap runs as root, so it can bind paths the sandbox uid
    cannot reach (a Python under /root); the inner one only re-binds what the outer one set up
    (``--dev-bind``: ``/dev/null`` and friends stay usable).
    """
    if os.geteuid() != 0:
        return []
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs", "--",
            "bwrap", "--unshare-user", "--disable-userns", "--die-with-parent", "--dev-bind", "/", "/",
            "--chdir", str(cwd), "--"]


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
                    memory_mb: int = MEMORY_LIMIT_MB, cpu_s: int = CPU_LIMIT_S, uid: int | None = None,
                    tmp_mb: int = TMP_SIZE_MB, max_processes: int = MAX_PROCESSES) -> list[str]:
    """The command line that runs ``cmd`` in the sandbox with ``workdir`` as its only writable folder.

    ``workdir`` appears inside at ``mount_at`` (default: its own path) and is the working directory;
    ``ipc_dir`` (kernel connection file and sockets) is writable too. ``memory_mb`` is the address
    space of each process; as root, the command runs as ``uid`` (default ``nobody``). ``/tmp`` and
    ``/dev/shm`` are tmpfs of ``tmp_mb`` each; the rest of ``/dev`` is read-only.
    """
    mount_at = mount_at or workdir
    size = str(tmp_mb * 2**20)
    args = [shutil.which("bwrap") or "bwrap", *_namespace_args(), "--dev", "/dev", "--size", size, "--perms",
            "1777", "--tmpfs", "/dev/shm", "--remount-ro", "/dev", "--proc", "/proc", "--size", size, "--perms",
            "1777", "--tmpfs", "/tmp"]
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
    # Limits before the uid drop (which cannot raise them again). The process count is per uid: with a
    # uid per kernel, per kernel.
    limits = ["prlimit", f"--as={memory_mb * 2**20}", f"--cpu={cpu_s}", f"--fsize={FILE_SIZE_LIMIT_MB * 2**20}",
              f"--nproc={max_processes}", "--core=0", "--"]
    drop = _drop_privileges(SANDBOX_USER_ID if uid is None else uid, mount_at)
    return [*args, "--", *limits, *drop, *cmd]


class _CappedLog:
    """Reads a kernel's stdout/stderr pipe: the first ``limit`` bytes to a file, the last few kept in memory.

    The pipe is always drained (a kernel blocked on a full pipe would look like a hung cell).
    """

    def __init__(self, fd: int, path: Path, limit: int, tail: int = KERNEL_LOG_TAIL_BYTES):
        self.fd, self.path, self.limit = fd, path, limit
        self.written = self.dropped = 0
        self._tail: collections.deque[bytes] = collections.deque()
        self._tail_len, self._tail_max = 0, tail
        self.thread = threading.Thread(target=self._run, name="indi-kernel-log", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        with open(self.path, "wb") as out:
            while True:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                keep = chunk[: max(0, self.limit - self.written)]
                if keep:
                    out.write(keep)
                    out.flush()
                self.written += len(keep)
                self.dropped += len(chunk) - len(keep)
                self._tail.append(chunk)
                self._tail_len += len(chunk)
                while self._tail_len - len(self._tail[0]) >= self._tail_max:
                    self._tail_len -= len(self._tail.popleft())
        os.close(self.fd)

    def tail(self) -> str:
        text = b"".join(self._tail)[-self._tail_max:].decode("utf-8", "replace")
        return text + (f"\n[{self.dropped} more bytes were not kept]" if self.dropped else "")

    def close(self, wait_s: float = 2.0) -> None:
        self.thread.join(wait_s)


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside :func:`sandbox_command` (ipc transport)."""

    memory_mb = Integer(MEMORY_LIMIT_MB, help="Memory of a grading kernel (MB): all its processes and its files "
                        "in /tmp and /dev/shm together (cgroup), and each process's address space unless "
                        "address_space_mb is set.").tag(config=True)
    address_space_mb = Integer(0, help="Address-space limit of each process of a grading kernel (MB); "
                               "0: memory_mb.").tag(config=True)
    cpu_s = Integer(CPU_LIMIT_S, help="CPU-time limit of a grading kernel (s).").tag(config=True)
    tmp_mb = Integer(TMP_SIZE_MB, help="Size of the kernel's /tmp and /dev/shm (MB each).").tag(config=True)
    max_processes = Integer(MAX_PROCESSES, help="Processes a grading kernel may run at once.").tag(config=True)
    cgroup_parent = Unicode("", help="Cgroup under which each kernel gets its own, e.g. '/indi-grading' "
                            "(below each controller's mount); default: '<the grader's cgroup>/indi-grading'."
                            ).tag(config=True)
    require_cgroup = Bool(True, help="Refuse to grade when no per-kernel cgroup can be made. False: grade with "
                          "per-process limits only and log a warning for every kernel.").tag(config=True)
    uid_pool_start = Integer(uids.UID_POOL_START, help="First uid of the sandbox uid pool (root only).").tag(
        config=True)
    uid_pool_size = Integer(uids.UID_POOL_SIZE, help="Number of uids in the pool: the most kernels that can "
                            "run at the same time on this machine.").tag(config=True)
    kernel_log_bytes = Integer(KERNEL_LOG_BYTES, help="Bytes of the kernel's own stdout/stderr kept in its "
                               "scratch folder.").tag(config=True)
    sandbox_root = Unicode("", help="Where per-kernel scratch folders go (default: system tmp).").tag(config=True)

    _scratch: Path | None = None
    _workdir: Path | None = None
    _cgroup: cgroups.KernelCgroup | None = None
    _lease: uids.UidLease | None = None
    _log: _CappedLog | None = None
    _log_w: int | None = None
    _oom_kills = 0
    setup_ms = 0.0  # time the sandbox set-up took at the last start (scratch, uid, cgroup, log)

    @property
    def sandbox_uid(self) -> int | None:
        return self._lease.uid if self._lease else None

    async def _async_pre_start_kernel(self, **kw):
        if not sandbox_enabled():
            self.log.warning("INDI_GRADING_SANDBOX=off: student code runs UNSANDBOXED with your rights")
            return await super()._async_pre_start_kernel(**kw)
        check_sandbox()
        t0 = time.perf_counter()
        source = Path(kw.get("cwd") or os.getcwd()).resolve()
        self._scratch = Path(tempfile.mkdtemp(prefix="indi-grading-", dir=self.sandbox_root or None))
        self._workdir = source
        try:
            kernel_cmd, kw = await self._prepare(source, kw)
        except BaseException:
            self._release()
            raise
        self.setup_ms = (time.perf_counter() - t0) * 1000
        return kernel_cmd, kw

    async def _prepare(self, source: Path, kw: dict):
        work, ipc = self._scratch / "work", self._scratch / "ipc"
        # The submission's files (data, student's extras), never notebooks: the one being graded
        # holds the hidden tests once nbgrader has restored them.
        shutil.copytree(source, work, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"),
                        symlinks=True)
        ipc.mkdir()
        uid = None
        if os.geteuid() == 0:
            self._lease = uids.acquire(self.uid_pool_start, self.uid_pool_size)
            uid = self._lease.uid
            for p in [self._scratch, ipc, *work.rglob("*"), work]:
                os.lchown(p, uid, uid)
        try:
            self._cgroup = cgroups.create(self._scratch.name, self.memory_mb, self.max_processes,
                                          self.cgroup_parent)
        except cgroups.CgroupError as exc:
            if self.require_cgroup:
                raise
            self.log.warning("Grading kernel WITHOUT a cgroup (c.SandboxKernelManager.require_cgroup = False): "
                             "memory in /tmp and across processes, and the process count, are not limited "
                             "per kernel. %s", exc)
        # The kernel's own stdout/stderr: into a capped file, never into the grader's output.
        read_fd, self._log_w = os.pipe()
        self._log = _CappedLog(read_fd, self._scratch / "kernel-output.log", self.kernel_log_bytes)
        kw["stdout"] = kw["stderr"] = self._log_w
        self.transport = "ipc"
        self.ip = str(ipc / "kernel")
        self.connection_file = str(ipc / "kernel.json")
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        # Interrupt by message: a SIGINT to the process group would also hit bubblewrap and end the
        # sandbox; the kernel then sends SIGINT to itself.
        self.kernel_spec.interrupt_mode = "message"
        if uid is not None:
            os.chown(self.connection_file, uid, uid)
        # Mount the scratch copy at the submission's own path, so paths in messages look familiar.
        kernel_cmd = sandbox_command(kernel_cmd, work, ipc, mount_at=source,
                                     memory_mb=self.address_space_mb or self.memory_mb, cpu_s=self.cpu_s,
                                     uid=uid, tmp_mb=self.tmp_mb, max_processes=self.max_processes)
        if self._cgroup is not None:
            kernel_cmd = [*self._cgroup.join_prefix(), *kernel_cmd]
        kw["cwd"] = str(self._scratch)
        return kernel_cmd, kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        try:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            if self._log_w is not None:  # the kernel holds its copy; ours would keep the pipe open
                os.close(self._log_w)
                self._log_w = None

    def kernel_output_tail(self) -> str:
        """The end of what the kernel wrote to its own stdout/stderr (not sent as Jupyter messages)."""
        return self._log.tail() if self._log else ""

    def _release(self) -> None:
        if self._cgroup is not None:
            self._oom_kills = max(self._oom_kills, self._cgroup.memory_killed())
            self._cgroup.remove()
            self._cgroup = None
        if self._log_w is not None:
            os.close(self._log_w)
            self._log_w = None
        if self._log is not None:
            self._log.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        if self._lease is not None:
            self._lease.release()
            self._lease = None

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if not restart:
                self._release()

    # nbclient calls cleanup_resources() directly (also after the kernel died): route it here too.
    cleanup_resources = _async_cleanup_resources

    def exit_reason(self) -> str:
        """Why the kernel process ended, in words (exit code or signal), '' if unknown/alive."""
        proc = getattr(self.provisioner, "process", None)
        code = proc.poll() if proc is not None else None
        if code is None:
            return ""
        if self._cgroup is not None:
            self._oom_kills = max(self._oom_kills, self._cgroup.memory_killed())
        if self._oom_kills:
            return (f"the memory limit ({self.memory_mb} MB for all its processes and files in /tmp) "
                    "was reached and it was stopped")
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
    time_budget_s = Integer(NOTEBOOK_TIME_BUDGET_S, help="Wall-clock seconds for the whole notebook, kernel start "
                            "included; when spent, the remaining cells are not run and the submission is "
                            "flagged. 0: no budget (only the per-cell timeout).").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)
        without_widget_echo()

    def _remaining_s(self) -> float:
        return self.time_budget_s - (time.monotonic() - self._started) if self.time_budget_s > 0 else math.inf

    def _get_timeout(self, cell):
        # A cell never gets more time than the notebook has left (nbclient interrupts it then).
        timeout = super()._get_timeout(cell)
        remaining = self._remaining_s()
        if math.isinf(remaining):
            return timeout
        return max(1, min(timeout or math.inf, math.ceil(remaining)))

    def preprocess(self, nb, resources=None, km=None):
        self._dead_reason = ""
        self._started = time.monotonic()
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
            ename = "TimeBudgetSpent" if self._dead_reason.startswith("the notebook's time") else "KernelDied"
            cell.outputs = [_error_output(ename, f"not run: {self._dead_reason.split(';')[0]}")]
            return cell, resources
        if self._remaining_s() <= 0:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {index + 1}")
            self._dead_reason = (f"the notebook's time budget ({self.time_budget_s} s for all cells) was spent "
                                 f"before '{grade_id}'; it and later cells were not run (scored 0)")
            self.log.error("Time budget spent before %s", grade_id)
            cell.outputs = [_error_output("TimeBudgetSpent", self._dead_reason)]
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
            tail = self.km.kernel_output_tail() if hasattr(self.km, "kernel_output_tail") else ""
            if tail.strip():
                # For the teacher's per-student log only: it may quote hidden tests, so it never goes
                # into the flag reason (which the student sees in the feedback).
                self.log.warning("The kernel's own last output (stdout/stderr):\n%s", tail)
                self._dead_reason += " (the kernel's last own output is in this student's grading log)"
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

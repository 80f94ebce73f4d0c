"""Resource isolation of grading kernels, attacked as a student would (real bubblewrap, real nbgrader).

Each hostile submission is the tiny fixture lab solved correctly plus extra cells at the end that
attack the sandbox's limits. One class is graded by the teacher's command (`indi-ops grade autograde`,
in its own process, so what the grader itself prints can be checked); a second pair of courses is
graded at the same time to check that one sandbox cannot starve another.

Limits in these courses (nbgrader_config.py): memory 768 MB per kernel (all its processes and files in
/tmp together), address space 2048 MB per process, /tmp 128 MB, 10 s per cell, 25 s per notebook.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from course import BIN, TINY, env, grading_course, solved, submit  # noqa: E402

pytestmark = pytest.mark.slow  # two class runs, ~1–2 min on 2 cores

MEMORY_MB, TMP_MB, BUDGET_S = 768, 128, 25
LIMITS = (f"c.SandboxKernelManager.address_space_mb = 2048\nc.SandboxKernelManager.tmp_mb = {TMP_MB}\n"
          f"c.SandboxedExecute.time_budget_s = {BUDGET_S}\n")
FULL = 3.0
# A line an attacker wants the teacher to read in the grader's own output (about another student).
FAKE = "[AutogradeApp | ERROR] FAKE-LINE: student 'good' failed: Kernel died"

FILL_MEMORY_FS = '''
import os
held = {}
for place in ["/tmp", "/dev/shm", "/dev"]:
    held[place] = 0
    try:
        for n in range(1200 // 64):  # files of 64 MB: under the per-file size limit
            with open(os.path.join(place, f"fill-{n}.bin"), "wb") as f:
                for _ in range(4):
                    f.write(b"x" * 2**24)
                    f.flush()
                    held[place] += 16
                    print("HELD", place, held[place], "TOTAL", sum(held.values()), flush=True)
    except OSError as exc:
        print("STOPPED", place, type(exc).__name__, exc.errno, flush=True)
'''

SPREAD_OVER_PROCESSES = '''
import subprocess, sys, time
child = "import sys, time; b = b'x' * (300 * 2**20); print('HELD', flush=True); time.sleep(15)"
procs = [subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True) for _ in range(3)]
held = 0
for p in procs:
    if p.stdout.readline().strip() == "HELD":
        held += 1
time.sleep(1)  # the memory limit acts while they all hold their share
alive = [p for p in procs if p.poll() is None]
print("HELD TOGETHER", len(alive), "x 300 MB", flush=True)
for p in procs:
    p.kill()
'''

NESTED_USERNS = '''
import subprocess, sys
# unshare(CLONE_NEWUSER) needs a single-threaded process (the kernel has threads): a fresh child
child = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.unshare(0x10000000)  # CLONE_NEWUSER
err = ctypes.get_errno()
caps = [line for line in open("/proc/self/status") if line.startswith("CapEff")][0].split()[1]
print("UNSHARE", rc, os.strerror(err) if rc else "ok", "CAPEFF", caps, flush=True)
"""
print(subprocess.run([sys.executable, "-c", child], capture_output=True, text=True).stdout, flush=True)
'''

STDIO_BYPASS = f'''
import ctypes, os, subprocess
fake = {FAKE!r}
os.write(1, (fake + " via fd1\\n").encode())
os.write(2, (fake + " via fd2\\n").encode())
subprocess.run(["sh", "-c", "echo " + repr(fake + " via a child") + " >&2"])
libc = ctypes.CDLL(None)
libc.dprintf(2, (fake + " via C\\n").encode())
# the kernel's original stdout/stderr, saved by ipykernel before it redirects fd 1 and 2
for fd in range(3, 64):
    try:
        if os.readlink(f"/proc/self/fd/{{fd}}").startswith(("pipe:", "/dev/pts")):
            os.write(fd, (fake + f" via saved fd {{fd}}\\n").encode())
    except OSError:
        pass
print("STDIO DONE", flush=True)
'''

SLEEPY_CELL = "import time\ntime.sleep(2)"


def _with_cells(root: Path, *sources: str) -> nbformat.NotebookNode:
    nb = solved(root, TINY)
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def _outcomes(root: Path) -> dict[str, dict]:
    with open(root / "grading" / "reports" / "tiny-autograde.csv", newline="") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def _autograde(root: Path, timeout: float = 900) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "indi-ops"), "grade", "--course", str(root), "autograde", "tiny"],
                            cwd=root, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _outputs(root: Path, sid: str) -> str:
    nb = nbformat.read(root / "grading" / "autograded" / sid / "tiny" / "tiny.ipynb", as_version=4)
    return "\n".join(o.get("text", "") + o.get("evalue", "") for c in nb.cells for o in c.get("outputs", []))


def _auto(root: Path, sid: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook("tiny", "tiny", sid)
        return sum(g.auto_score or 0 for g in nb.grades if g.name != "why_round")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = grading_course(tmp_path_factory.mktemp("sandbox"), [TINY], timeout_s=10, memory_mb=MEMORY_MB,
                          extra=LIMITS)
    submit(root, "good", "tiny", solved(root, TINY))
    submit(root, "fills_tmpfs", "tiny", _with_cells(root, FILL_MEMORY_FS))
    submit(root, "spreads_memory", "tiny", _with_cells(root, SPREAD_OVER_PROCESSES))
    submit(root, "nested_userns", "tiny", _with_cells(root, NESTED_USERNS))
    submit(root, "writes_stdio", "tiny", _with_cells(root, STDIO_BYPASS))
    submit(root, "many_slow_cells", "tiny", _with_cells(root, *[SLEEPY_CELL] * 20))
    started = time.monotonic()
    proc = _autograde(root)
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err[-3000:]
    return {"root": root, "out": _outcomes(root), "stdout": out, "stderr": err,
            "wall_s": time.monotonic() - started}


def test_good_submission_is_graded_normally(graded):
    assert graded["out"]["good"]["status"] == "graded", graded["out"]["good"]
    assert _auto(graded["root"], "good") == FULL


def test_tmpfs_and_dev_shm_count_against_the_kernels_memory(graded):
    """Attack 1: /tmp was an unlimited tmpfs (1.2 GB written in it under a 768 MB memory limit)."""
    text = _outputs(graded["root"], "fills_tmpfs")
    held = {m[0]: int(m[1]) for m in re.findall(r"HELD (\S+) (\d+) TOTAL", text)}
    totals = [int(t) for t in re.findall(r"TOTAL (\d+)", text)]
    assert held, text[-2000:]
    assert held.get("/tmp", 0) <= TMP_MB and held.get("/dev/shm", 0) <= TMP_MB, held
    assert max(totals) <= MEMORY_MB, f"{max(totals)} MB held in memory-backed files under a {MEMORY_MB} MB limit"
    out = graded["out"]["fills_tmpfs"]
    if "STOPPED /dev " not in text:  # the kernel itself was stopped at the memory limit
        assert "memory limit" in out["reasons"], out
    assert _auto(graded["root"], "fills_tmpfs") == FULL


def test_memory_limit_covers_all_processes_of_a_kernel(graded):
    """Attack 2: the address-space limit was per process; 3 children held 3 × 300 MB under 768 MB."""
    text = _outputs(graded["root"], "spreads_memory")
    together = re.findall(r"HELD TOGETHER (\d+)", text)
    assert together, text[-2000:]
    assert int(together[0]) * 300 <= MEMORY_MB, text[-500:]
    assert _auto(graded["root"], "spreads_memory") == FULL


def test_no_nested_user_namespaces(graded):
    """Attack 4: unshare(CLONE_NEWUSER) gave full capabilities inside a new user namespace."""
    text = _outputs(graded["root"], "nested_userns")
    found = re.search(r"UNSHARE (-?\d+) (.*?) CAPEFF (\w+)", text)
    assert found, text[-2000:]
    assert found[1] == "-1", f"a nested user namespace was created: {found[0]}"
    assert int(found[3], 16) == 0, "the kernel has capabilities"


def test_kernel_stdout_stderr_never_reach_the_graders_output(graded):
    """Attack 5: fd 1/2 writes (directly, from C, from a child) landed in the grader's own log."""
    assert "STDIO DONE" in _outputs(graded["root"], "writes_stdio")
    assert "FAKE-LINE" not in graded["stdout"] and "FAKE-LINE" not in graded["stderr"]
    log = (graded["root"] / "grading" / "reports" / "tiny-logs" / "good.log").read_text()
    assert "FAKE-LINE" not in log
    assert graded["out"]["good"]["status"] == "graded"


def test_a_notebook_has_a_time_budget(graded):
    """Attack 6: every added cell got the full per-cell time; 20 × 2 s cells held the grader 40 s."""
    out = graded["out"]["many_slow_cells"]
    assert out["status"] == "needs manual grading" and "time budget" in out["reasons"], out
    nb = nbformat.read(graded["root"] / "grading" / "autograded" / "many_slow_cells" / "tiny" / "tiny.ipynb",
                       as_version=4)
    not_run = [c for c in nb.cells if any(o.get("ename") == "TimeBudgetSpent" for o in c.get("outputs", []))]
    assert len(not_run) >= 5, "the cells after the budget was spent should not run"
    assert _auto(graded["root"], "many_slow_cells") == FULL  # the graded cells ran before the budget ended


# ------------------------------------------------------------------ two graders at the same time
FORK_TO_THE_LIMIT = '''
import subprocess, time
procs = []
try:
    while len(procs) < 400:
        procs.append(subprocess.Popen(["sleep", "47"]))
except OSError as exc:
    print("FORK STOPPED", len(procs), type(exc).__name__, flush=True)
print("FORKED", len(procs), flush=True)
time.sleep(30)
'''

FORKS_A_FEW = '''
import subprocess
ok = sum(subprocess.run(["true"]).returncode == 0 for _ in range(20))
print("VICTIM FORKS OK", ok, flush=True)
'''


def _sleepers() -> int:
    n = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if Path(entry.path, "cmdline").read_bytes() == b"sleep\x0047\x00":
                    n += 1
            except OSError:
                pass
    return n


def test_one_sandbox_cannot_starve_another(tmp_path_factory):
    """Attack 3: one process limit for every sandbox (uid 65534): a fork bomb starved the next kernel."""
    extra = "c.SandboxedExecute.time_budget_s = 120\n"
    bomb = grading_course(tmp_path_factory.mktemp("bomb"), [TINY], timeout_s=60, extra=extra)
    victim = grading_course(tmp_path_factory.mktemp("victim"), [TINY], timeout_s=60, extra=extra)
    submit(bomb, "forker", "tiny", _with_cells(bomb, FORK_TO_THE_LIMIT))
    submit(victim, "victim", "tiny", _with_cells(victim, FORKS_A_FEW))
    attacker = _autograde(bomb)
    try:
        deadline = time.monotonic() + 120
        while _sleepers() < 200 and time.monotonic() < deadline and attacker.poll() is None:
            time.sleep(0.2)
        assert _sleepers() >= 200, "the fork bomb did not get going"
        proc = _autograde(victim)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
    finally:
        attacker.communicate(timeout=300)
    out = _outcomes(victim)["victim"]
    assert out["status"] == "graded", out
    assert _auto(victim, "victim") == FULL
    assert "VICTIM FORKS OK 20" in _outputs(victim, "victim")
    forked = re.findall(r"FORKED (\d+)", _outputs(bomb, "forker"))
    assert forked and int(forked[0]) < 256, "the process limit should hold for the attacker's kernel too"


# ------------------------------------------------------------------ the pieces, one kernel at a time
def test_kernel_runs_in_its_own_cgroup_and_uid_which_are_removed_after(tmp_path):
    """A real sandboxed kernel: inside its cgroups (seen from outside), with the limits, its own uid."""
    import asyncio

    from indi_ops.grading import uids
    from indi_ops.grading.sandbox import SandboxKernelManager

    if os.geteuid() != 0:
        pytest.skip("cgroups and the uid pool are made by a grader running as root")

    async def run():
        km = SandboxKernelManager(kernel_name="python3", memory_mb=700, max_processes=50, tmp_mb=64)
        await km.start_kernel(cwd=str(tmp_path))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=120)
            cg, uid = km._cgroup, km.sandbox_uid
            pid = km.provisioner.process.pid
            seen = {"procs": pid in cg.pids(), "uid": uid,
                    "memory": int((cg.dirs["memory"] / "memory.limit_in_bytes").read_text()),
                    "pids": (cg.dirs["pids"] / "pids.max").read_text().strip(),
                    "tree_uids": set().union(*(uids.process_uids(p) for p in cg.pids()))}
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        return seen, cg, uid, km

    seen, cg, uid, km = asyncio.run(run())
    assert seen["procs"], "the kernel's process is not in its cgroup"
    assert seen["memory"] == 700 * 2**20 and seen["pids"] == "50"
    assert 2_100_000_000 <= uid < 2_100_000_512
    assert uid in seen["tree_uids"]  # the kernel itself runs as the pool uid (bubblewrap as root)
    assert not any(d.exists() for d in cg.dirs.values()), "the kernel's cgroups were not removed"
    assert km._lease is None and km._scratch is None


def test_files_in_tmp_count_against_the_kernels_memory_cgroup(tmp_path):
    """With /tmp larger than the memory limit, writing it full stops the kernel at the memory limit."""
    import asyncio

    from indi_ops.grading.sandbox import SandboxKernelManager

    if os.geteuid() != 0:
        pytest.skip("cgroups are made by a grader running as root")
    code = ("import os\nwith open('/tmp/fill.bin', 'wb') as f:\n    for i in range(40):\n"
            "        f.write(b'x' * 2**24); f.flush(); print('MB', 16 * (i + 1), flush=True)")

    async def run():
        km = SandboxKernelManager(kernel_name="python3", memory_mb=250, address_space_mb=2048, tmp_mb=1024)
        await km.start_kernel(cwd=str(tmp_path))
        kc = km.client()
        kc.start_channels()
        written = []
        try:
            await kc.wait_for_ready(timeout=120)
            try:
                await kc.execute_interactive(code, timeout=60, output_hook=lambda m: written.extend(
                    int(x) for x in m["content"].get("text", "").split()[1::2]))
            except Exception:  # the kernel is stopped mid-cell: no reply
                pass
            for _ in range(100):
                if not await km.is_alive():
                    break
                await asyncio.sleep(0.1)
            return written, await km.is_alive(), km.exit_reason()
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    written, alive, reason = asyncio.run(run())
    assert not alive and "memory limit (250 MB" in reason, (written[-1:], reason)
    assert max(written, default=0) < 250


def test_uid_pool_never_hands_out_a_uid_twice(tmp_path):
    from indi_ops.grading import uids

    a = uids.acquire(where=tmp_path)
    b = uids.acquire(where=tmp_path)
    assert a.uid != b.uid
    # Another process (another grader) gets neither while they are held.
    code = ("import sys; from pathlib import Path; from indi_ops.grading import uids; "
            f"print(uids.acquire(where=Path({str(tmp_path)!r})).uid)")
    other = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert other not in {a.uid, b.uid}
    a.release()
    assert uids.acquire(where=tmp_path).uid == a.uid  # released: free again
    with pytest.raises(uids.UidPoolError, match="enlarge the pool"):
        uids.acquire(start=a.uid, size=1, where=tmp_path)  # held by the lease just taken


HYBRID_MOUNTS = """cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
"""


def test_cgroup_hierarchies_are_found_in_hybrid_and_v2_layouts(tmp_path):
    from indi_ops.grading import cgroups

    found = cgroups.find_hierarchies(HYBRID_MOUNTS, "4:memory:/grader\n8:pids:/\n0::/\n")
    assert found["memory"] == cgroups.Hierarchy("memory", Path("/sys/fs/cgroup/memory"), 1, "/grader")
    assert found["pids"].version == 1 and found["pids"].own == "/"
    # A pure v2 machine: one tree that offers memory and pids (a stand-in folder; none here).
    v2 = tmp_path / "v2"
    (v2 / "indi-grading").mkdir(parents=True)
    (v2 / "cgroup.controllers").write_text("cpu io memory pids\n")
    (v2 / "cgroup.subtree_control").write_text("memory pids\n")
    (v2 / "indi-grading" / "cgroup.subtree_control").write_text("memory pids\n")
    found = cgroups.find_hierarchies(f"cgroup2 {v2} cgroup2 rw 0 0\n", "0::/user.slice\n")
    assert {h.version for h in found.values()} == {2}
    cg = cgroups.create("k1", 300, 40, parent="/indi-grading", hierarchies=found)
    assert (v2 / "indi-grading" / "k1" / "memory.max").read_text() == str(300 * 2**20)
    assert (v2 / "indi-grading" / "k1" / "pids.max").read_text() == "40"
    assert cg.join_prefix()[-1] == "indi-cgroup-join"
    # Where the controller is missing: a clear error, nothing left behind.
    with pytest.raises(cgroups.CgroupError, match="no cgroup controller pids"):
        cgroups.create("k2", 300, 40, hierarchies={"memory": found["memory"]})

"""Class hub under load: N students log in, their servers spawn, each opens a lab kernel.

A real hub as `make hub` runs it (system users, PAM log-in, setuid spawner, memory cgroups), on
loopback only. Students arrive a few at a time (INDI_BENCH_HUB_CONCURRENCY, default 5), like a class
at the start of a lesson. N = INDI_BENCH_HUB_USERS, else INDI_BENCH_CLASS (the class size `make bench
CLASS=30` passes to every area), else 10 (a quick run; the full class is INDI_BENCH_CLASS=30).
Needs root (skipped otherwise). Goal: 30 users on 2 cores / 24 GiB.

Keys
  hub.users                 servers that came up with a working lab kernel
  hub.login_p50_s           log-in form (PAM)
  hub.spawn_p50_s / _p95_s  spawn request → server ready (REST, as a browser's spawn page waits)
  hub.lab_page_p50_s        the first request to the new server: the JupyterLab page (/user/NAME/lab)
  hub.kernel_p50_s          new kernel + the labs' first cell (imports) → output
  hub.server_cpu_s          CPU seconds one student's server spent starting (mean; load-independent)
  hub.kernel_cpu_s          CPU seconds of one lab kernel up to its first output (mean)
  hub.content_p50_s / hub.server_up_p50_s   spawn phases from the hub log: course pages written into the
                            home as the student / process start → server listening (the rest of a spawn is
                            the hub: PAM, account checks, OAuth client, proxy route)
  hub.pss_mb_per_user       all processes of one student (server + kernel): PSS, shared library pages
                            counted in proportion to how many processes map them (the honest share)
  hub.rss_mb_per_user       the same processes' RSS (shared pages counted once per process: an upper bound)
  hub.hub_rss_mb            hub + proxy + culler
  hub.hub_cpu_s_per_user    CPU seconds the hub, proxy and culler spent per student (log-in, spawn, routes)
  hub.load_avg_1m           the machine's load average during the run (other jobs slow every figure)
Both memory figures are read from /proc/<pid>/smaps_rollup after every kernel has run its imports; PSS
depends on the class size (more students share the same library pages), so compare runs of one N.

Where a spawn's time went (2026-12-02, 2-core machine shared with other jobs). One student spawning
alone, from the hub log, before the changes (load ≈ 9) and after (load ≈ 7):

  phase                                                                  before   after
  hub: spawn request, account and role check, OAuth client                0.1 s   0.1 s
  course pages written into the home by a child running as the student    0.2 s   0.1 s
  server process up to its extensions: Python, Jupyter Server, jsonschema 8.1 s   1.9-2.5 s
    (rfc3987-syntax compiled ~35 Earley parsers on import: 1.3 s of CPU,
    now removed from the venv) and JupyterLab, which runs `node yarn.js
    config` at import (0.4 s of CPU, still there: not configurable)
  server extensions imported and loaded (nbgrader's assignment list 1.5 s  2.1 s   (in the above)
    of it: all nbgrader's apps, nbconvert, SQLAlchemy; Notebook 7 and its
    shim, the language-server proxy: now off for students)
  server listening → hub notices it (JupyterHub polls with a random back-  1.3 s   0.04 s
    off growing to 5 s; the spawner now returns once the port accepts)
  proxy route, then the first page (/lab)                                  0.2 s   0.2 s
  spawn, REST request → ready                                             11.9 s   2.1-2.8 s

CPU per server start (this bench, with its node child): 3.4 s before, 1.9 s after; a lab kernel 2.1 s
both (its time is the labs' imports: numpy, pandas, matplotlib, scikit-learn, OpenCV). 30 students,
5 at a time, back to back: spawn p50/p95 13.6/15.9 s → 7.0/10.4 s, kernel p50 6.8 → 7.0 s, PSS per
student 293 → 274 MB, RSS 392 → 372 MB. What a student's server still holds without using it (anonymous
memory, measured by importing): JupyterHub's database models (jupyterhub.orm + SQLAlchemy ORM, ~25 MB,
imported by jupyterhub.log), nbgrader's CLI apps, nbconvert and SQLAlchemy core behind the assignment
list (~30 MB); the kernel's ~150 MB are the labs' own imports.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from indi.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests"))

# What a lab kernel imports in its first cell (vision and sensor labs).
LAB_IMPORTS = ("import numpy, pandas, matplotlib.pyplot, sklearn.ensemble, cv2, ipywidgets, indi.data\n"
               "print('ok')")
# The spawner's log lines with the phases of one spawn (indi_ops/hub/spawner.py).
CONTENT = re.compile(r"course content for \S+: \d+ new files in ([\d.]+) s")
SERVER_UP = re.compile(r"server of \S+ listening after ([\d.]+) s")


def class_size(default: int = 10) -> int:
    """Students in the run: INDI_BENCH_HUB_USERS, else INDI_BENCH_CLASS, else ``default``."""
    for var in ("INDI_BENCH_HUB_USERS", "INDI_BENCH_CLASS"):
        value = os.environ.get(var, "").strip()
        if value:
            if not value.isdigit() or int(value) < 1:
                raise ValueError(f"{var}={value!r}: give a number of students (1 or more)")
            return int(value)
    return default


def _rollup(pid: int) -> dict[str, int]:
    """Rss and Pss (kB) of one process from /proc/<pid>/smaps_rollup (needs root for other users)."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("Rss", "Pss"):
                out[key] = int(rest.split()[0])
    return out


def _user_procs(uid: int) -> list:
    import psutil

    procs = []
    for p in psutil.process_iter(["uids"]):
        if p.info["uids"] and p.info["uids"].real == uid:
            procs.append(p)
    return procs


def _memory_mb_of_user(uid: int) -> tuple[float, float]:
    """(PSS, RSS) in MB of every process of ``uid``."""
    pss = rss = 0
    for p in _user_procs(uid):
        try:
            r = _rollup(p.pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        pss += r.get("Pss", 0)
        rss += r.get("Rss", 0)
    return pss / 1e3, rss / 1e3


def _server_proc(uid: int):
    """The student's single-user server (the process whose command is jupyterhub-singleuser)."""
    for p in _user_procs(uid):
        try:
            if any("jupyterhub-singleuser" in part for part in p.cmdline()):
                return p
        except Exception:
            continue
    return None


def _cpu(p) -> float:
    """CPU seconds of a process and of the children it has waited for (JupyterLab runs node at start)."""
    t = p.cpu_times()
    return t.user + t.system + t.children_user + t.children_system


def _hub_cpu(pid: int) -> float:
    """CPU seconds of the hub and its root children (proxy, culler) so far."""
    import psutil

    root = psutil.Process(pid)
    return sum(_cpu(p) for p in [root, *root.children(recursive=True)] if p.uids().real == 0)


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def run() -> dict[str, float]:
    import pwd

    import psutil
    from hub_support import ClassHub, can_run

    reason = can_run()
    if reason:
        print(f"hub benchmark skipped: {reason}")
        return {}
    n = class_size()
    workers = int(os.environ.get("INDI_BENCH_HUB_CONCURRENCY", "5"))
    with ClassHub(students=n, instructors=0, mem_limit="2G", labs=[]) as hub:

        def one(user: str) -> dict:
            uid = pwd.getpwnam(user).pw_uid
            t0 = time.perf_counter()
            hub.login(user)
            login_s = time.perf_counter() - t0
            spawn_s = hub.spawn(user, timeout=600)
            server = _server_proc(uid)
            server_cpu = _cpu(server) if server else float("nan")
            tok = hub.token(user)
            t_lab = time.perf_counter()
            lab = hub.server_get(user, "lab", tok)  # the first page a browser asks for
            lab_s = time.perf_counter() - t_lab if lab.status_code == 200 else float("nan")
            t1 = time.perf_counter()
            res = hub.run_code(user, tok, LAB_IMPORTS, timeout=600, keep_kernel=True)
            kernel_s = time.perf_counter() - t1
            ok = res["stdout"].strip() == "ok"
            if not ok:
                print(f"{user}: kernel failed: {res}", file=sys.stderr)
            kernels = server.children() if server else []
            kernel_cpu = sum(_cpu(k) for k in kernels) if kernels else float("nan")
            return {"login": login_s, "spawn": spawn_s, "lab": lab_s, "kernel": kernel_s, "ok": ok,
                    "server_cpu": server_cpu, "kernel_cpu": kernel_cpu}

        load = os.getloadavg()[0]
        hub_cpu0 = _hub_cpu(hub.proc.pid)
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(one, hub.students))
        hub_cpu = _hub_cpu(hub.proc.pid) - hub_cpu0
        time.sleep(3)
        mem = [_memory_mb_of_user(pwd.getpwnam(u).pw_uid) for u in hub.students]
        root = psutil.Process(hub.proc.pid)
        hub_rss = sum(_rollup(p.pid)["Rss"] for p in [root, *root.children(recursive=True)]
                      if p.uids().real == 0) / 1e3
        log = hub.log_tail(10**9)
        content = [float(m[1]) for m in CONTENT.finditer(log)]
        server_up = [float(m[1]) for m in SERVER_UP.finditer(log)]
        good = [r for r in results if r["ok"]]
        nan = math.nan
        spawns = [r["spawn"] for r in results]
        out = {
            "hub.users": float(len(good)),
            "hub.spawn_p50_s": round(_pct(spawns, 0.5), 2),
            "hub.spawn_p95_s": round(_pct(spawns, 0.95), 2),
            "hub.login_p50_s": round(_pct([r["login"] for r in results], 0.5), 2),
            "hub.lab_page_p50_s": round(_pct([r["lab"] for r in results], 0.5), 2),
            "hub.kernel_p50_s": round(_pct([r["kernel"] for r in results], 0.5), 2),
            "hub.hub_cpu_s_per_user": round(hub_cpu / n, 2),
            "hub.server_cpu_s": round(statistics.mean(r["server_cpu"] for r in good), 2) if good else nan,
            "hub.kernel_cpu_s": round(statistics.mean(r["kernel_cpu"] for r in good), 2) if good else nan,
            "hub.pss_mb_per_user": round(statistics.mean(m[0] for m in mem), 1),
            "hub.rss_mb_per_user": round(statistics.mean(m[1] for m in mem), 1),
            "hub.hub_rss_mb": round(hub_rss, 1),
            "hub.mem_used_gb": round(psutil.virtual_memory().used / 1e9, 2),
            "hub.load_avg_1m": round((load + os.getloadavg()[0]) / 2, 2),
        }
        if content:
            out["hub.content_p50_s"] = round(_pct(content, 0.5), 2)
        if server_up:
            out["hub.server_up_p50_s"] = round(_pct(server_up, 0.5), 2)
    return out


if __name__ == "__main__":
    print(run())

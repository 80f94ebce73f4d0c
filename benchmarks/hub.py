"""Class hub under load: N students log in, their servers spawn, each opens a lab kernel.

A real hub as `make hub` runs it (system users, PAM log-in, setuid spawner, memory cgroups), on
loopback only. Students arrive a few at a time (INDI_BENCH_HUB_CONCURRENCY, default 5), like a class
at the start of a lesson. Keys: hub.users (servers that came up with a working kernel), hub.spawn_p50_s /
hub.spawn_p95_s (spawn request → server ready), hub.login_p50_s, hub.kernel_p50_s (kernel start + the
lab imports), hub.rss_mb_per_user (all processes of one student: server + kernel), hub.hub_rss_mb
(hub + proxy + culler). Goal: 30 users on 2 cores / 24 GiB. Needs root (skipped otherwise).
N = INDI_BENCH_HUB_USERS (default 30).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from indi.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests"))

# What a lab kernel imports in its first cell (vision and sensor labs).
LAB_IMPORTS = ("import numpy, pandas, matplotlib.pyplot, sklearn.ensemble, cv2, ipywidgets, indi.data\n"
               "print('ok')")


def _rss_mb_of_user(uid: int) -> float:
    import psutil

    total = 0
    for p in psutil.process_iter(["uids", "memory_info"]):
        try:
            if p.info["uids"] and p.info["uids"].real == uid:
                total += p.info["memory_info"].rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 1e6


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
    n = int(os.environ.get("INDI_BENCH_HUB_USERS", "30"))
    workers = int(os.environ.get("INDI_BENCH_HUB_CONCURRENCY", "5"))
    with ClassHub(students=n, instructors=0, mem_limit="2G", labs=[]) as hub:

        def one(user: str) -> dict:
            t0 = time.perf_counter()
            hub.login(user)
            login_s = time.perf_counter() - t0
            spawn_s = hub.spawn(user, timeout=600)
            tok = hub.token(user)
            t1 = time.perf_counter()
            res = hub.run_code(user, tok, LAB_IMPORTS, timeout=600, keep_kernel=True)
            ok = res["stdout"].strip() == "ok"
            if not ok:
                print(f"{user}: kernel failed: {res}", file=sys.stderr)
            return {"login": login_s, "spawn": spawn_s, "kernel": time.perf_counter() - t1, "ok": ok}

        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(one, hub.students))
        time.sleep(3)
        rss = [_rss_mb_of_user(pwd.getpwnam(u).pw_uid) for u in hub.students]
        hub_rss = sum(p.memory_info().rss for p in [psutil.Process(hub.proc.pid), *psutil.Process(hub.proc.pid).children(recursive=True)]
                      if p.uids().real == 0) / 1e6
        good = [r for r in results if r["ok"]]
        spawns = [r["spawn"] for r in results]
        out = {
            "hub.users": float(len(good)),
            "hub.spawn_p50_s": round(_pct(spawns, 0.5), 2),
            "hub.spawn_p95_s": round(_pct(spawns, 0.95), 2),
            "hub.login_p50_s": round(_pct([r["login"] for r in results], 0.5), 2),
            "hub.kernel_p50_s": round(_pct([r["kernel"] for r in results], 0.5), 2),
            "hub.rss_mb_per_user": round(statistics.mean(rss), 1),
            "hub.hub_rss_mb": round(hub_rss, 1),
            "hub.mem_used_gb": round(psutil.virtual_memory().used / 1e9, 2),
        }
    return out


if __name__ == "__main__":
    print(run())

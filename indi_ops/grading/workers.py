"""Grade a class on every core: one nbgrader call per student, in N worker processes.

nbgrader grades the students of a class one after another. Each student's grading is independent (own
sandboxed kernel, own uid from the pool, own cgroup, own ``autograded/<student>/`` folder), so
:func:`run_per_student` hands students to a pool of worker processes, each with its own
``NbGraderAPI``, and yields every student's result as it comes in.

What the workers share is the gradebook. nbgrader opens it many times per student (``with
Gradebook(...)``: find the student, write the grades, the late penalty …), each time briefly and never
while a notebook runs. On SQLite those sessions are serialised through one lock file next to the
database (:func:`serialise_sqlite_gradebook`): one writer at a time, in every worker and in the
teacher's own process, so no "database is locked" and no half-written submission. PostgreSQL handles
concurrent sessions itself.

A run killed part-way (Ctrl-C, SIGKILL, a lost terminal) leaves submissions that did not finish; the
next run grades exactly those again (:mod:`indi_ops.grading.classroom` checks each notebook's "done"
mark), and nbgrader's ``update_or_create`` writes keep one set of grades per student.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

from indi_ops.grading.course import api, coursedir, load_config

# -------------------------------------------------------------------------------- how many workers
def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _available_mb() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def kernel_memory_mb(course_root: Path) -> int:
    """The memory limit of one grading kernel in this course (``SandboxKernelManager.memory_mb``)."""
    from indi_ops.grading.sandbox import MEMORY_LIMIT_MB

    cfg = load_config(Path(course_root))
    return int(cfg.get("SandboxKernelManager", {}).get("memory_mb", MEMORY_LIMIT_MB))


def default_workers(course_root: Path) -> tuple[int, str]:
    """Workers for a class run, and why: one per core, fewer if the kernels' memory limits do not fit.

    ``INDI_GRADING_WORKERS`` overrides it (e.g. on a hub where students work while the teacher grades).
    """
    wanted = os.environ.get("INDI_GRADING_WORKERS", "").strip()
    if wanted:
        try:
            return max(1, int(wanted)), "INDI_GRADING_WORKERS"
        except ValueError:
            from indi.errors import InputError

            raise InputError(f"INDI_GRADING_WORKERS={wanted!r} is not a number of workers (e.g. 2)") from None
    cores, per_kernel, free = _cores(), kernel_memory_mb(course_root), _available_mb()
    if free is not None and free // per_kernel < cores:
        n = max(1, free // per_kernel)
        return n, f"{cores} cores, but {free} MB free memory holds {n} kernels of {per_kernel} MB"
    return cores, f"{cores} cores"


# ------------------------------------------------------------------- one gradebook writer at a time
class _ProcessFileLock:
    """An ``flock`` on one file, re-entrant within a process (nbgrader nests gradebook sessions).

    The kernel drops an ``flock`` when its process ends, so a killed run never leaves the lock held.
    """

    def __init__(self, path: Path):
        self.path = path
        self._depth = 0
        self._fd: int | None = None
        self._thread_lock = threading.RLock()

    def acquire(self) -> None:
        self._thread_lock.acquire()
        if self._depth == 0:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._fd = fd
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None
        self._thread_lock.release()


_LOCKS: dict[str, _ProcessFileLock] = {}
_PATCHED = False


def _sqlite_file(db_url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).resolve()


def serialise_sqlite_gradebook() -> None:
    """Make every nbgrader ``Gradebook`` session on a SQLite file hold that file's lock (this process).

    nbgrader's converters and preprocessors open ``Gradebook(db_url)`` themselves, so the lock goes on
    the class: taken when a session opens, dropped when it closes. Idempotent.
    """
    global _PATCHED
    if _PATCHED:
        return
    from nbgrader.api import Gradebook

    original_init, original_close = Gradebook.__init__, Gradebook.close

    def __init__(self, db_url, *args, **kwargs):
        db_file = _sqlite_file(db_url)
        lock = None
        if db_file is not None:
            key = str(db_file)
            lock = _LOCKS.setdefault(key, _ProcessFileLock(db_file.with_name(db_file.name + ".writer-lock")))
            lock.acquire()
        try:
            original_init(self, db_url, *args, **kwargs)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        self._indi_writer_lock = lock

    def close(self):
        try:
            original_close(self)
        finally:
            lock, self._indi_writer_lock = getattr(self, "_indi_writer_lock", None), None
            if lock is not None:
                lock.release()

    Gradebook.__init__, Gradebook.close = __init__, close
    _PATCHED = True


# ------------------------------------------------------------------------------------ the workers
_WORKER_API = None


def quiet_known_nbgrader_warnings() -> None:
    """Hide SQLAlchemy's 'Object of type <Submitted…> not in session' warnings from nbgrader's
    ``add_submission`` (nbgrader 0.9.x builds the rows before adding them): harmless, and a teacher
    reading them between the scores would think grading went wrong."""
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session", category=SAWarning)


def _start_worker(course_root: str) -> None:
    # Ctrl-C in the teacher's terminal reaches the whole process group, workers included: each stops
    # its student where it is, as nbgrader does in one process (an open database write is rolled back,
    # the notebook is not marked done, so the next run grades it again).
    global _WORKER_API
    quiet_known_nbgrader_warnings()
    serialise_sqlite_gradebook()
    _WORKER_API = api(Path(course_root))


def _call(method: str, lab: str, student_id: str, kwargs: dict) -> dict:
    t0 = time.perf_counter()
    result = dict(getattr(_WORKER_API, method)(lab, student_id, **kwargs))
    result["seconds"] = time.perf_counter() - t0
    result["worker_pid"] = os.getpid()
    return result


def run_per_student(course_root: Path, method: str, lab: str, student_ids: list[str], workers: int,
                    **kwargs) -> Iterator[tuple[str, dict]]:
    """Call ``NbGraderAPI.<method>(lab, student_id, **kwargs)`` for every student; yield (student, result).

    ``workers`` = 1 runs in this process (nbgrader's own serial way); more runs a process pool. A worker
    that dies (killed, out of memory) breaks the pool: the students not yet done go to a new pool (their
    result then carries a ``note``); after three broken pools they come back with ``success=False`` and
    the reason, to be graded by the next run.
    """
    course_root = Path(course_root).resolve()
    quiet_known_nbgrader_warnings()
    serialise_sqlite_gradebook()
    if workers <= 1 or len(student_ids) <= 1:
        nbgrader = api(course_root)
        for sid in student_ids:
            t0 = time.perf_counter()
            result = dict(getattr(nbgrader, method)(lab, sid, **kwargs))
            result["seconds"] = time.perf_counter() - t0
            yield sid, result
        return
    pending = list(student_ids)
    restarts = 0
    retried: set[str] = set()
    while pending:
        # "spawn": a clean interpreter per worker (the teacher's process may hold threads and open
        # database connections that must not be forked).
        with ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=get_context("spawn"),
                                 initializer=_start_worker, initargs=(str(course_root),)) as pool:
            futures: dict[Future, str] = {pool.submit(_call, method, lab, sid, kwargs): sid for sid in pending}
            pending = []
            broken = False
            try:
                remaining = set(futures)
                while remaining:
                    done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                    for fut in sorted(done, key=lambda f: futures[f]):
                        sid = futures[fut]
                        try:
                            result = fut.result()
                        except BrokenProcessPool:
                            broken = True
                            pending.append(sid)
                            retried.add(sid)
                            continue
                        except Exception as exc:  # pickling or nbgrader raising outside its own capture
                            result = {"success": False, "error": f"{type(exc).__name__}: {exc}", "log": ""}
                        if sid in retried:
                            result["note"] = "graded by a restarted worker: a grading worker stopped (killed or out of memory) during the run"
                        yield sid, result
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        if broken:
            restarts += 1
            if restarts > 2:  # something kills every worker: stop rather than loop
                for sid in pending:
                    yield sid, {"success": False, "log": "",
                                "error": "the grading worker process died (killed or out of memory) "
                                         "three times; run autograde again to grade this submission"}
                return
    return


def describe(course_root: Path, workers: int, why: str) -> str:
    db = coursedir(course_root).db_url
    writer = "one writer at a time (lock file)" if _sqlite_file(db) else "the database server"
    return f"{workers} worker{'s' if workers != 1 else ''} ({why}); gradebook writes: {writer}"

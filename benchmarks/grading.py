"""Grading a class: in parallel on every core, against bare execution of the same notebooks.

A small class by default (INDI_BENCH_STUDENTS, else INDI_BENCH_CLASS — `make bench CLASS=30` — else 4
solution submissions per lab), every lab under labs/. Each lab's cached artefacts (Lab 1's image
features) are prepared once first, as `make release` does, so every figure below sees the same warm
cache; that one run is grading.prepare_s.

grading.bare_wall_s        the class executed by bare nbclient, one after another (no nbgrader, no sandbox):
                           the reference; measured on grading.serial_students submissions per lab and
                           scaled to the class (every submission is the same notebook)
grading.class_wall_s       `indi-ops grade autograde` on the whole class: nbgrader's API, sandboxed, in
                           grading.workers processes (default: one per core)
grading.parallel_ratio     class_wall_s / bare_wall_s (goal ≤ 0.6; the limit is 1 / cores = 0.5 on 2 cores)
grading.serial_wall_s      the same grading one student at a time (workers=1) for grading.serial_students
                           submissions per lab
grading.overhead_ratio     serial sandboxed grading per submission / bare execution per submission: what
                           nbgrader + the sandbox add to running the notebook (1.0 = nothing)
grading.per_submission_s   class_wall_s / submissions: the teacher's wait per student
grading.bare_per_submission_s  one submission executed bare (mean)
grading.nbgrader_s_per_submission  where the serial overhead goes, beyond the kernel: serial sandboxed per
                           submission − bare per submission − (sandboxed − bare kernel start); nbgrader's own
                           steps (read, sanitise, overwrite cells, save grades, write files, tamper checks)
grading.kernel_start_bare_s / grading.kernel_start_sandbox_s   a kernel started and running `pass`, bare and
                           in the grading sandbox (bubblewrap, uid drop, cgroup), mean of 3
grading.feedback_wall_s    feedback for the class (a second sandboxed run without hidden tests), in parallel
grading.feedback_run_overhead_ratio  feedback_wall_s / class_wall_s
grading.prepare_s          the labs' source notebooks run once for their cached artefacts (0 when cached)
grading.load_avg_1m        the machine's load when the run started (other jobs slow every figure)
grading.labs               labs measured (INDI_BENCH_GRADING_LABS=fixture, or a comma list of ids, narrows it)

Measured 2026-12-02 on the 2-core machine: 3 labs × 4 students (load 1.0): parallel_ratio 0.65,
overhead_ratio 1.06 (was 1.66 before the labs' artefacts were prepared once), 9.9 s per submission
(was 28.9 s), nbgrader's own steps ≈ 2 s, sandboxed kernel start 0.8 s. CLASS=30 on Lab 1 (load 2.8):
parallel_ratio 0.68, overhead_ratio 1.00, 16 s per submission. The limit is 1/cores = 0.5; Lab 1's model
search (GridSearchCV, 2 jobs) already uses both cores in the bare run, so it gains less.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from indi.paths import REPO_ROOT

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "labs" / "mini_wear"


def _labs() -> tuple[list[Path], bool]:
    """Every lab under labs/; INDI_BENCH_GRADING_LABS=fixture (or a comma list of ids) narrows it."""
    labs = sorted(p.parent for p in (REPO_ROOT / "labs").glob("*/*.ipynb") if p.stem == p.parent.name)
    choice = os.environ.get("INDI_BENCH_GRADING_LABS", "").strip()
    if choice == "fixture" or not labs:
        return [FIXTURE], True
    if choice:
        labs = [lab for lab in labs if lab.name in choice.split(",")]
    return labs, False


def _course(tmp: Path, lab: Path) -> Path:
    (tmp / "labs").mkdir(parents=True)
    (tmp / "grading").mkdir()
    shutil.copytree(lab, tmp / "labs" / lab.name)
    (tmp / "nbgrader_config.py").write_text(
        f"from indi_ops.grading.config import configure\nc = get_config()  # noqa: F821\nconfigure(c, {str(tmp)!r})\n")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lab.name, "--force"],
                          cwd=tmp, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"generate_assignment {lab.name} failed:\n{proc.stderr[-3000:]}")
    return tmp


def _solution_submission(root: Path, lab: str) -> nbformat.NotebookNode:
    """The released notebook with the source's solutions (what a perfect student hands in)."""
    release = nbformat.read(root / "grading" / "release" / lab / f"{lab}.ipynb", as_version=4)
    source = {c.metadata.get("nbgrader", {}).get("grade_id"): c
              for c in nbformat.read(root / "labs" / lab / f"{lab}.ipynb", as_version=4).cells}
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            cell.source = source[meta["grade_id"]].source
    return release


def _students() -> int:
    for var in ("INDI_BENCH_STUDENTS", "INDI_BENCH_CLASS"):
        if os.environ.get(var, "").strip():
            return int(os.environ[var])
    return 4


def _submit(root: Path, lab: str, nb, n: int) -> None:
    for i in range(n):
        folder = root / "grading" / "submitted" / f"student{i:02d}" / lab
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{lab}.ipynb")
        (folder / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC")


def _kernel_start_s(root: Path, sandboxed: bool, repeats: int = 3) -> float:
    """Mean wall time from starting a kernel to the output of `pass` (ready to grade)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    kw = {}
    if sandboxed:
        from indi_ops.grading.sandbox import SandboxKernelManager

        kw["kernel_manager_class"] = SandboxKernelManager
    NotebookClient(nbformat.from_dict(nb), timeout=120, kernel_name="python3",  # warm-up: disk caches
                   resources={"metadata": {"path": str(root)}}, **kw).execute()
    total = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        NotebookClient(nbformat.from_dict(nb), timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(root)}}, **kw).execute()
        total += time.perf_counter() - t0
    return total / repeats


def _graded_cleanly(outcomes, lab: str) -> None:
    bad = [(o.student_id, o.reasons) for o in outcomes if o.status != "graded"]
    if bad:
        raise RuntimeError(f"{lab}: solution submissions not graded cleanly: {bad}")


def run() -> dict[str, float]:
    from indi_ops.grading import classroom as teacher
    from indi_ops.grading.artefacts import prepare
    from indi_ops.grading.workers import default_workers
    from indi_ops.nbclient_fixes import without_widget_echo

    without_widget_echo()  # the bare runs too: nbclient can hang on a lab's Output widgets otherwise
    labs, fixture = _labs()
    students = _students()
    # The serial and bare references need only a few runs per lab (every submission is the same notebook).
    serial_n = 1 if students < 10 else 3
    if fixture:
        print("grading bench: measuring the fixture lab tests/fixtures/labs/mini_wear (no lab in labs/ or "
              "INDI_BENCH_GRADING_LABS=fixture)")
    load = os.getloadavg()[0]
    class_s = bare_s = serial_s = feedback_s = prepare_s = 0.0
    n = n_serial = bare_n = 0
    workers = 1
    kernel_bare = kernel_sandbox = 0.0
    bare_by_lab: list[float] = []
    for lab in labs:
        tmp = Path(tempfile.mkdtemp(prefix="indi-bench-grading-"))
        try:
            root = _course(tmp / "course", lab)
            serial_root = _course(tmp / "serial", lab)
            if not kernel_bare:
                kernel_bare = _kernel_start_s(tmp, sandboxed=False)
                kernel_sandbox = _kernel_start_s(tmp, sandboxed=True)
            info = prepare(root, lab.name, progress=False)
            prepare_s += 0.0 if info["skipped"] else info["seconds"]
            nb = _solution_submission(root, lab.name)
            _submit(root, lab.name, nb, students)
            _submit(serial_root, lab.name, nb, serial_n)
            bare_dir = tmp / "bare"
            shutil.copytree(lab, bare_dir, ignore=shutil.ignore_patterns("*.ipynb"))
            t0 = time.perf_counter()
            for _ in range(serial_n):
                NotebookClient(nbformat.from_dict(nb), timeout=600, allow_errors=True, kernel_name="python3",
                               resources={"metadata": {"path": str(bare_dir)}}).execute()
            bare_by_lab.append(time.perf_counter() - t0)
            bare_s += bare_by_lab[-1]
            workers, _ = default_workers(root)
            t0 = time.perf_counter()
            outcomes = teacher.autograde_all(root, lab.name, workers=workers, progress=False)
            class_s += time.perf_counter() - t0
            _graded_cleanly(outcomes, lab.name)
            t0 = time.perf_counter()
            result = teacher.generate_feedback(root, lab.name, workers=workers, progress=False)
            feedback_s += time.perf_counter() - t0
            if not result.get("success"):
                raise RuntimeError(f"{lab.name}: feedback failed: {str(result.get('error'))[-2000:]}")
            t0 = time.perf_counter()
            outcomes = teacher.autograde_all(serial_root, lab.name, workers=1, progress=False)
            serial_s += time.perf_counter() - t0
            _graded_cleanly(outcomes, lab.name)
            n += students
            n_serial += serial_n
            bare_n += serial_n
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    bare_per = bare_s / bare_n
    serial_bare_class_s = sum(bare_lab * students / serial_n for bare_lab in bare_by_lab)
    serial_per = serial_s / n_serial
    return {"grading.bare_wall_s": round(serial_bare_class_s, 1), "grading.class_wall_s": round(class_s, 1),
            "grading.parallel_ratio": round(class_s / serial_bare_class_s, 3),
            "grading.nbgrader_s_per_submission": round(serial_per - bare_per - (kernel_sandbox - kernel_bare), 2),
            "grading.serial_wall_s": round(serial_s, 1), "grading.serial_students": float(serial_n),
            "grading.overhead_ratio": round(serial_per / bare_per, 3),
            "grading.per_submission_s": round(class_s / n, 2), "grading.bare_per_submission_s": round(bare_per, 2),
            "grading.kernel_start_bare_s": round(kernel_bare, 2),
            "grading.kernel_start_sandbox_s": round(kernel_sandbox, 2),
            "grading.feedback_wall_s": round(feedback_s, 1),
            "grading.feedback_run_overhead_ratio": round(feedback_s / class_s, 3),
            "grading.prepare_s": round(prepare_s, 1), "grading.workers": float(workers),
            "grading.load_avg_1m": round(load, 2),
            "grading.labs": float(len(labs)), "grading.fixture_lab": float(fixture),
            "grading.students": float(students)}

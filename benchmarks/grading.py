"""Grading throughput: a class of 30 students × every lab, autograded as teachers do (`make autograde`).

grading.class_wall_s      wall time of indi_ops.grading.classroom.autograde_all (ONE sandboxed nbgrader process per lab)
                          for 30 solution submissions of every lab under labs/, summed over labs
grading.bare_wall_s       the same notebooks executed with bare nbclient (one kernel each, no nbgrader,
                          no sandbox), serially
grading.overhead_ratio    class_wall_s / bare_wall_s (goal ≤ 1.2)
grading.per_submission_s  class_wall_s / number of submissions
grading.feedback_wall_s   wall time of generate_feedback for the same class: feedback outputs come from a
                          second sandboxed run of each notebook WITHOUT the hidden tests (nothing computed
                          while hidden tests were loaded reaches a student)
grading.feedback_run_overhead_ratio  feedback_wall_s / class_wall_s: the price of that second run
grading.labs              number of labs measured; when labs/ holds no lab yet, the fixture lab
                          tests/fixtures/labs/mini_wear is used (grading.fixture_lab = 1)

A class of 30 × a lab whose solution runs 60 s takes ~2 × 30 min here (graded + bare run). For a quick
look: INDI_BENCH_STUDENTS=5 and/or INDI_BENCH_GRADING_LABS=fixture (or vision_inspection,sensor_analytics).
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

STUDENTS = int(os.environ.get("INDI_BENCH_STUDENTS", "30"))
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


def run() -> dict[str, float]:
    from indi_ops.grading import classroom as teacher

    labs, fixture = _labs()
    if fixture:
        print("grading bench: measuring the fixture lab tests/fixtures/labs/mini_wear (no lab in labs/ or "
              "INDI_BENCH_GRADING_LABS=fixture)")
    class_s = bare_s = feedback_s = 0.0
    n = 0
    for lab in labs:
        tmp = Path(tempfile.mkdtemp(prefix="indi-bench-grading-"))
        try:
            root = _course(tmp / "course", lab)
            nb = _solution_submission(root, lab.name)
            bare_dir = tmp / "bare"
            for i in range(STUDENTS):
                folder = root / "grading" / "submitted" / f"student{i:02d}" / lab.name
                folder.mkdir(parents=True)
                nbformat.write(nb, folder / f"{lab.name}.ipynb")
                (folder / "timestamp.txt").write_text("2026-11-28 10:00:00.000000 UTC")
            t0 = time.perf_counter()
            outcomes = teacher.autograde_all(root, lab.name)
            class_s += time.perf_counter() - t0
            bad = [o.student_id for o in outcomes if o.status != "graded"]
            if bad:
                raise RuntimeError(f"{lab.name}: solution submissions not graded cleanly: {bad}")
            t0 = time.perf_counter()
            result = teacher.generate_feedback(root, lab.name)
            feedback_s += time.perf_counter() - t0
            if not result.get("success"):
                raise RuntimeError(f"{lab.name}: feedback failed: {str(result.get('error'))[-2000:]}")
            shutil.copytree(lab, bare_dir, ignore=shutil.ignore_patterns("*.ipynb"))
            t0 = time.perf_counter()
            for _ in range(STUDENTS):
                NotebookClient(nbformat.from_dict(nb), timeout=300, allow_errors=True,
                               resources={"metadata": {"path": str(bare_dir)}}).execute()
            bare_s += time.perf_counter() - t0
            n += STUDENTS
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return {"grading.class_wall_s": round(class_s, 1), "grading.bare_wall_s": round(bare_s, 1),
            "grading.overhead_ratio": round(class_s / bare_s, 3), "grading.per_submission_s": round(class_s / n, 2),
            "grading.feedback_wall_s": round(feedback_s, 1),
            "grading.feedback_run_overhead_ratio": round(feedback_s / class_s, 3),
            "grading.labs": float(len(labs)), "grading.fixture_lab": float(fixture),
            "grading.students": float(STUDENTS)}

"""Labs: are the graders fair, and does one slip cost only one task?

Keys:
* ``labs.grader_false_fail`` (goal 0): alternative correct answers that lose points, over every lab's
  ``lab_sources/<id>_checks/<grade_id>.py``; ``labs.grader_false_pass`` (goal 0): common mistakes that
  score full marks; ``labs.grader_cases``: variants checked (plus ``labs.grader_cases_<lab>``).
* ``labs.slip_isolation`` (goal 1.0): share of autograded tasks that, left as the release's stub, cost
  only their own points (every later test still passes); one kernel run per task, so this is where the
  real labs' behavioural check runs (CI runs it on the fixture labs).
* ``labs.grader_problems``: checks files naming no solution cell, references failing their own tests
  (goal 0).
* ``labs.slip_leaks``: static trails from a task's answer into later tasks' cells (goal 0).
* ``labs.check_s_<lab>``: the grader check's wall time per lab (one kernel); ``labs.blank_s_<lab>``.
"""

from __future__ import annotations

import time


def run(sources=None, labs_dir=None) -> dict[str, float]:
    """The labs' figures (``sources``/``labs_dir``: other lab folders, e.g. the test fixtures)."""
    import nbformat

    from indi_ops import labcheck, labs

    sources, labs_dir = sources or labs.SOURCES, labs_dir or labs.LABS
    out: dict[str, float] = {}
    false_fail = false_pass = cases = leaks = problems = 0
    isolated = blank_tasks = 0
    for lab in labs.lab_ids(sources):
        nb = nbformat.read(labcheck.notebook_path(lab, labs_dir), as_version=4)
        leaks += len(labcheck.slip_leaks(nb))
        report = labcheck.check_lab(lab, sources, labs_dir)  # without a checks folder: the reference run only
        n = len(report._variants())
        false_fail += len(report.false_fails)
        problems += len(report.problems)
        false_pass += len(report.false_passes)
        cases += n
        out[f"labs.grader_cases_{lab}"] = float(n)
        out[f"labs.check_s_{lab}"] = round(report.seconds, 1)
        t0 = time.perf_counter()
        results = labcheck.blank_check(lab, labs_dir, baseline=report.baseline())
        out[f"labs.blank_s_{lab}"] = round(time.perf_counter() - t0, 1)
        out[f"labs.slip_isolation_{lab}"] = sum(r.isolated for r in results) / max(len(results), 1)
        isolated += sum(r.isolated for r in results)
        blank_tasks += len(results)
    out["labs.grader_false_fail"] = float(false_fail)
    out["labs.grader_false_pass"] = float(false_pass)
    out["labs.grader_cases"] = float(cases)
    out["labs.grader_problems"] = float(problems)
    out["labs.slip_leaks"] = float(leaks)
    out["labs.slip_isolation"] = isolated / max(blank_tasks, 1)
    return out


if __name__ == "__main__":
    for key, value in sorted(run().items()):
        print(f"{key:<36} {value:g}")

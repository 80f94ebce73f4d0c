"""Grade a whole class with nbgrader's own API: every submission gets an outcome, none is lost silently.

``indi-ops grade collect-folder LAB FOLDER ROSTER``
    Notebooks downloaded from a learning platform → ``grading/submitted/<student_id>/<LAB>/``
    (:mod:`indi_ops.grading.collect`; the roster format is :mod:`indi_ops.roster`).
``indi-ops grade prepare LAB``
    Runs the lab's source notebook once so what it caches (image features) is computed once per course,
    not in every sandbox (:mod:`indi_ops.grading.artefacts`); ``make release`` and ``autograde`` call it.
``indi-ops grade autograde LAB [--force] [--workers N]``
    Checks every submission first (unreadable JSON, wrongly named or missing notebook), then grades each
    student with ``NbGraderAPI.autograde`` (sandboxed, see :mod:`indi_ops.grading.sandbox`), which returns
    success, error and log *per student*, N students at once on N cores (:mod:`indi_ops.grading.workers`);
    re-grades submissions a killed run left half done; flags
    problems in the gradebook (formgrader shows "needs manual grade" and the reason) and writes
    ``grading/reports/<LAB>-autograde.csv`` plus one log per student in ``grading/reports/<LAB>-logs/``.
``indi-ops grade feedback LAB [--workers N]`` / ``return-feedback LAB [--to FOLDER]``
    ``NbGraderAPI.generate_feedback`` per student, N at once (hidden tests removed) and hand-back: ``release_feedback`` through
    the hub's exchange, or one HTML file per student in a folder to upload to a learning platform.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from indi.errors import InputError
from indi_ops.grading.course import api, course_dir, gradebook, submission_path
from indi_ops.grading.metadata import META_KEY

UNREADABLE_SUFFIX = ".unreadable"


@dataclass
class Outcome:
    """What happened to one student's submission of one lab."""

    student_id: str
    status: str = "graded"  # graded | needs manual grading | not submitted
    score: float | None = None
    max_score: float | None = None
    reasons: list[str] = field(default_factory=list)  # why manual grading is needed
    notes: list[str] = field(default_factory=list)  # what was fixed or worth knowing
    seconds: float | None = None  # wall time nbgrader took for it in this run (None: not graded now)

    def row(self) -> dict:
        return {"student_id": self.student_id, "status": self.status,
                "score": "" if self.score is None else self.score,
                "max_score": "" if self.max_score is None else self.max_score,
                "reasons": "; ".join(self.reasons), "notes": "; ".join(self.notes),
                "grading_s": "" if self.seconds is None else self.seconds}


# ------------------------------------------------------------------------------------- autograde
def _precheck(folder: Path, lab: str) -> tuple[list[str], list[str], bool]:
    """Make a submission folder gradable: (reasons for manual grading, notes, has a gradable notebook)."""
    reasons, notes = [], []
    expected = folder / f"{lab}.ipynb"
    others = sorted(p for p in folder.glob("*.ipynb") if p != expected)
    unreadable = expected.with_name(expected.name + UNREADABLE_SUFFIX)
    if not expected.exists() and not others and unreadable.exists():  # found by an earlier run
        reasons.append(f"the notebook cannot be read; kept as {unreadable.name}")
        return reasons, notes, False
    if not expected.exists():
        if len(others) == 1:
            others[0].rename(expected)
            notes.append(f"notebook was named '{others[0].name}'; graded as {expected.name}")
            others = []
        elif others:
            reasons.append(f"no {expected.name}, but several other notebooks: "
                           f"{', '.join(p.name for p in others)}; grade by hand")
            return reasons, notes, False
        else:
            reasons.append(f"no notebook submitted (expected {expected.name})")
            return reasons, notes, False
    if others:
        notes.append(f"extra notebooks ignored: {', '.join(p.name for p in others)}")
    try:
        with open(expected, encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no list of cells")
    except Exception as exc:  # any reason nbformat cannot read it
        expected.rename(expected.with_name(expected.name + UNREADABLE_SUFFIX))
        reasons.append(f"the notebook cannot be read ({type(exc).__name__}: {str(exc)[:160]}); "
                       f"kept as {expected.name + UNREADABLE_SUFFIX}")
        return reasons, notes, False
    return reasons, notes, True


def _done(nb_path: Path) -> bool:
    """Did a previous autograde finish this notebook? (FlagProblems marks it as its last step.)"""
    try:
        return bool(json.loads(nb_path.read_text()).get("metadata", {}).get(META_KEY, {}).get("done"))
    except (OSError, ValueError):
        return False


def _flag_in_gradebook(course_root: Path, lab: str, sid: str, reasons: list[str]) -> None:
    """Record a submission nbgrader could not grade: all its grades need manual grading, with why."""
    text = "Needs manual grading: " + "; ".join(reasons)
    with gradebook(course_root) as gb:
        gb.update_or_create_student(sid)
        sub = gb.update_or_create_submission(lab, sid)
        for nb in sub.notebooks:
            for grade in nb.grades:
                grade.needs_manual_grade = True
            for comment in nb.comments:
                comment.auto_comment = text
        gb.db.commit()


def _last_error_line(result: dict) -> str:
    """The exception line at the end of the traceback nbgrader's API returned for one student."""
    lines = [ln.strip() for ln in (result.get("error") or "").strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "nbgrader gave no reason (see this student's log)"


def autograde_all(course_root: Path, lab: str, force: bool = False, workers: int | None = None,
                  progress: bool = True, prepare: bool = True) -> list[Outcome]:
    """Grade every submission of ``lab`` through nbgrader's API, ``workers`` students at a time.

    ``workers``: processes grading at once (default: one per core, fewer if the kernels' memory
    limits do not fit; see :func:`indi_ops.grading.workers.default_workers`); 1 grades in this process,
    one student after another, as nbgrader does. Scores and flags do not depend on it.
    ``prepare``: first make sure what the lab caches (image features) is computed once for the course
    (:func:`indi_ops.grading.artefacts.prepare`), not in every student's sandbox.

    A submission already graded to the end is kept unless ``force``; one a killed run left half done is
    graded again. Whatever nbgrader does with one student (an exception, a schema error) is that
    student's outcome only.
    """
    from tqdm.auto import tqdm

    from indi_ops.grading import workers as pool
    from indi_ops.grading.sandbox import check_sandbox, sandbox_enabled

    if sandbox_enabled():
        check_sandbox()  # one clear message now rather than one failure per student
    course_root = Path(course_root).resolve()
    submitted = course_dir(course_root, "submitted")
    logs = course_root / "grading" / "reports" / f"{lab}-logs"
    logs.mkdir(parents=True, exist_ok=True)
    pool.quiet_known_nbgrader_warnings()
    pool.serialise_sqlite_gradebook()
    outcomes: dict[str, Outcome] = {}
    to_grade: list[str] = []
    for folder in sorted(p for p in submitted.glob(f"*/{lab}") if p.is_dir()):
        sid = folder.parent.name
        reasons, notes, ok = _precheck(folder, lab)
        out = outcomes[sid] = Outcome(sid, reasons=reasons, notes=notes)
        if not ok:
            out.status = "needs manual grading"
            _flag_in_gradebook(course_root, lab, sid, out.reasons)
            continue
        nb_path = submission_path(course_root, "autograded", sid, lab) / f"{lab}.ipynb"
        if nb_path.parent.exists() and _done(nb_path) and not force:
            out.notes.append("kept: graded by an earlier run (--force grades it again)")
            continue
        if nb_path.parent.exists() and not _done(nb_path):
            out.notes.append("re-graded: a previous run stopped before finishing it")
        to_grade.append(sid)
    if to_grade and prepare:
        _prepare_artefacts(course_root, lab, progress)
    if workers is None:
        workers, why = pool.default_workers(course_root)
    else:
        why = "asked for"
    workers = max(1, min(workers, len(to_grade) or 1))
    if to_grade and progress:
        print(f"grading {len(to_grade)} submissions of {lab}: {pool.describe(course_root, workers, why)}",
              file=sys.stderr)
    results: dict[str, dict] = {}
    bar = tqdm(total=len(to_grade), desc=f"autograde {lab}", unit="submission", disable=not progress or None)
    try:
        for sid, result in pool.run_per_student(course_root, "autograde", lab, to_grade, workers,
                                                force=True, create=True):
            results[sid] = result
            (logs / f"{sid}.log").write_text((result.get("log") or "") + (result.get("error") or ""))
            bar.update()
    finally:
        bar.close()
    for sid, out in outcomes.items():
        if out.status != "graded":
            continue
        nb_path = submission_path(course_root, "autograded", sid, lab) / f"{lab}.ipynb"
        result = results.get(sid)
        if result is not None:
            out.seconds = round(result.get("seconds", 0.0), 1)
            if result.get("note"):
                out.notes.append(result["note"])
            if not result.get("success"):
                out.status = "needs manual grading"
                out.reasons.append(f"nbgrader could not grade it: {_last_error_line(result)}")
        if out.status == "graded" and not _done(nb_path):
            out.status = "needs manual grading"
            out.reasons.append("nbgrader stopped before the end of the notebook (see this student's log)")
        if out.status != "graded" and not _done(nb_path):
            _flag_in_gradebook(course_root, lab, sid, out.reasons)
            continue
        info = json.loads(nb_path.read_text())["metadata"][META_KEY]
        out.notes += info.get("notes", [])
        if info.get("flags"):
            out.status = "needs manual grading"
            out.reasons += info["flags"]
    with gradebook(course_root) as gb:
        for sid, out in outcomes.items():
            try:
                sub = gb.find_submission(lab, sid)
            except Exception:  # MissingEntry: nothing was recorded for this student
                continue
            out.score, out.max_score = sub.score, sub.max_score
    write_report(course_root, lab, list(outcomes.values()))
    return list(outcomes.values())


def _prepare_artefacts(course_root: Path, lab: str, progress: bool) -> None:
    """The lab's cached artefacts, once per course; a failure is reported and grading goes on without."""
    from indi_ops.grading.artefacts import prepare

    try:
        info = prepare(course_root, lab, progress=progress)
    except InputError as exc:
        print(f"WARNING: {exc}\nGrading goes on; each sandbox computes what the lab needs itself.", file=sys.stderr)
        return
    if progress and not info["skipped"]:
        print(f"prepared {lab}: source notebook run once in {info['seconds']:.0f} s, "
              f"{len(info['cached_files'])} cached files for every sandbox to read", file=sys.stderr)


def write_report(course_root: Path, lab: str, outcomes: list[Outcome]) -> Path:
    path = Path(course_root) / "grading" / "reports" / f"{lab}-autograde.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(Outcome("x").row()))
        writer.writeheader()
        writer.writerows(o.row() for o in outcomes)
    return path


# -------------------------------------------------------------------------------------- feedback
def generate_feedback(course_root: Path, lab: str, workers: int | None = None, progress: bool = True) -> dict:
    """Feedback HTML for every graded student (hidden tests and their traces removed), ``workers`` at a time.

    Returns nbgrader's API result for the class: ``success`` only if every student's feedback was made;
    ``error`` names the students whose feedback failed, with the reason.
    """
    from tqdm.auto import tqdm

    from indi_ops.grading import workers as pool

    course_root = Path(course_root).resolve()
    autograded = course_dir(course_root, "autograded")
    sids = sorted(p.parent.name for p in autograded.glob(f"*/{lab}") if p.is_dir())
    if workers is None:
        workers, _ = pool.default_workers(course_root)
    failed, logs = [], []
    bar = tqdm(total=len(sids), desc=f"feedback {lab}", unit="student", disable=not progress or None)
    try:
        for sid, result in pool.run_per_student(course_root, "generate_feedback", lab, sids, workers, force=True):
            logs.append(result.get("log") or "")
            if not result.get("success"):
                failed.append(f"{sid}: {_last_error_line(result)}")
            bar.update()
    finally:
        bar.close()
    return {"success": not failed, "error": "\n".join(failed), "log": "".join(logs), "students": len(sids)}


def return_feedback(course_root: Path, lab: str, to: Path | None = None) -> list[Path]:
    """Hand feedback back: into ``to`` as ``<student_id>_<lab>.html`` (for a learning platform), or, with
    no folder, through the hub's exchange (``release_feedback``)."""
    course_root = Path(course_root).resolve()
    feedback = course_dir(course_root, "feedback")
    files = sorted(feedback.glob(f"*/{lab}/*.html"))
    if to is None:
        result = api(course_root).release_feedback(lab)
        if not result.get("success"):
            raise InputError(f"nbgrader release_feedback failed: {_last_error_line(result)}")
        return files
    to = Path(to)
    to.mkdir(parents=True, exist_ok=True)
    out = []
    for html in files:
        sid = html.relative_to(feedback).parts[0]
        target = to / f"{sid}_{html.stem}.html"
        shutil.copy2(html, target)
        out.append(target)
    return out


# ------------------------------------------------------------------------------------------- CLI
def _print_outcomes(outcomes: list[Outcome]) -> None:
    width = max([len(o.student_id) for o in outcomes] + [10])
    for o in outcomes:
        score = "" if o.score is None else f"{o.score:g}/{o.max_score:g}"
        why = "; ".join(o.reasons)
        print(f"{o.student_id:<{width}}  {score:>9}  {o.status}{': ' + why if why else ''}")
    n = sum(o.status != "graded" for o in outcomes)
    print(f"\n{len(outcomes)} submissions, {n} need manual grading (formgrader: 'needs manual grade').")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="indi-ops grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", default=".", help="course root (holds nbgrader_config.py)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("collect-folder", help="platform download → grading/submitted (roster CSV)")
    p.add_argument("lab")
    p.add_argument("folder", type=Path)
    p.add_argument("roster", type=Path)
    p = sub.add_parser("prepare", help="compute what the lab caches once for the course (make release runs it)")
    p.add_argument("lab")
    p = sub.add_parser("autograde", help="grade the whole class, flag problems")
    p.add_argument("lab")
    p.add_argument("--force", action="store_true", help="grade again submissions an earlier run finished")
    p.add_argument("--workers", type=int, default=None,
                   help="students graded at once (default: one per core; 1 = one after another)")
    p = sub.add_parser("feedback", help="feedback HTML, hidden tests removed")
    p.add_argument("lab")
    p.add_argument("--workers", type=int, default=None, help="students at once (default: one per core)")
    p = sub.add_parser("return-feedback", help="hand feedback back (exchange, or a folder)")
    p.add_argument("lab")
    p.add_argument("--to", type=Path, default=None, help="folder for the learning platform")
    args = parser.parse_args(argv)
    root = Path(args.course).resolve()
    try:
        return _run(args, root)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\nstopped. Nothing graded so far is lost: run `indi-ops grade {args.cmd} {getattr(args, 'lab', '')}` "
              "(make autograde) again to grade the rest.", file=sys.stderr)
        return 130


def _run(args, root: Path) -> int:
    if args.cmd == "collect-folder":
        from indi_ops.grading.collect import collect_folder

        rep = collect_folder(root, args.lab, args.folder, args.roster)
        print(f"collected {len(rep['collected'])} submissions into grading/submitted/")
        for key in ("unknown", "ambiguous", "duplicates", "missing"):
            if rep[key]:
                print(f"{key}: {rep[key]}")
        return 1 if rep["unknown"] or rep["ambiguous"] else 0
    if args.cmd == "prepare":
        from indi_ops.grading.artefacts import prepare

        info = prepare(root, args.lab)
        print(f"{args.lab}: " + ("already prepared for this version of the source notebook" if info["skipped"] else
              f"source notebook run once in {info['seconds']:.0f} s; {len(info['cached_files'])} files cached"))
        return 0
    if args.cmd == "autograde":
        _print_outcomes(autograde_all(root, args.lab, force=args.force, workers=args.workers))
        print(f"report: grading/reports/{args.lab}-autograde.csv")
        return 0
    if args.cmd == "feedback":
        result = generate_feedback(root, args.lab, workers=args.workers)
        if not result.get("success"):
            print(f"feedback failed for:\n{result['error']}\n(nbgrader's full output: `indi-ops grade feedback "
                  f"{args.lab} --workers 1`)", file=sys.stderr)
            return 1
        print(f"feedback written to {course_dir(root, 'feedback').relative_to(root)}/<student>/{args.lab}/")
        return 0
    files = return_feedback(root, args.lab, args.to)
    print(f"returned {len(files)} feedback files" + (f" to {args.to}" if args.to else " via the exchange"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Grade a whole class with nbgrader's own API: every submission gets an outcome, none is lost silently.

``indi-ops grade collect-folder LAB FOLDER ROSTER``
    Notebooks downloaded from a learning platform → ``grading/submitted/<student_id>/<LAB>/``
    (:mod:`indi_ops.grading.collect`; the roster format is :mod:`indi_ops.roster`).
``indi-ops grade autograde LAB [--force]``
    Checks every submission first (unreadable JSON, wrongly named or missing notebook), then grades each
    student with ``NbGraderAPI.autograde`` (sandboxed, see :mod:`indi_ops.grading.sandbox`), which returns
    success, error and log *per student*; re-grades submissions a killed run left half done; flags
    problems in the gradebook (formgrader shows "needs manual grade" and the reason) and writes
    ``grading/reports/<LAB>-autograde.csv`` plus one log per student in ``grading/reports/<LAB>-logs/``.
``indi-ops grade feedback LAB`` / ``return-feedback LAB [--to FOLDER]``
    ``NbGraderAPI.generate_feedback`` (hidden tests removed) and hand-back: ``release_feedback`` through
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

    def row(self) -> dict:
        return {"student_id": self.student_id, "status": self.status,
                "score": "" if self.score is None else self.score,
                "max_score": "" if self.max_score is None else self.max_score,
                "reasons": "; ".join(self.reasons), "notes": "; ".join(self.notes)}


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


def autograde_all(course_root: Path, lab: str, force: bool = False) -> list[Outcome]:
    """Grade every submission of ``lab``, one student at a time through nbgrader's API.

    A submission already graded to the end is kept unless ``force``; one a killed run left half done is
    graded again. Whatever nbgrader does with one student (an exception, a schema error) is that
    student's outcome only.
    """
    from indi_ops.grading.sandbox import check_sandbox, sandbox_enabled

    if sandbox_enabled():
        check_sandbox()  # one clear message now rather than one failure per student
    course_root = Path(course_root).resolve()
    submitted = course_dir(course_root, "submitted")
    logs = course_root / "grading" / "reports" / f"{lab}-logs"
    logs.mkdir(parents=True, exist_ok=True)
    nbgrader = api(course_root)
    outcomes: dict[str, Outcome] = {}
    for folder in sorted(p for p in submitted.glob(f"*/{lab}") if p.is_dir()):
        sid = folder.parent.name
        reasons, notes, ok = _precheck(folder, lab)
        out = outcomes[sid] = Outcome(sid, reasons=reasons, notes=notes)
        if not ok:
            out.status = "needs manual grading"
            _flag_in_gradebook(course_root, lab, sid, out.reasons)
            continue
        graded = submission_path(course_root, "autograded", sid, lab)
        nb_path = graded / f"{lab}.ipynb"
        if graded.exists() and _done(nb_path) and not force:
            out.notes.append("kept: graded by an earlier run (--force grades it again)")
        else:
            if graded.exists() and not _done(nb_path):
                out.notes.append("re-graded: a previous run stopped before finishing it")
            result = nbgrader.autograde(lab, sid, force=True, create=True)
            (logs / f"{sid}.log").write_text((result.get("log") or "") + (result.get("error") or ""))
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


def write_report(course_root: Path, lab: str, outcomes: list[Outcome]) -> Path:
    path = Path(course_root) / "grading" / "reports" / f"{lab}-autograde.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(Outcome("x").row()))
        writer.writeheader()
        writer.writerows(o.row() for o in outcomes)
    return path


# -------------------------------------------------------------------------------------- feedback
def generate_feedback(course_root: Path, lab: str) -> dict:
    """Feedback HTML for the whole class (hidden tests and their traces removed): nbgrader's API result."""
    return api(Path(course_root).resolve()).generate_feedback(lab, force=True)


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
    p = sub.add_parser("autograde", help="grade the whole class, flag problems")
    p.add_argument("lab")
    p.add_argument("--force", action="store_true", help="grade again submissions an earlier run finished")
    sub.add_parser("feedback", help="feedback HTML, hidden tests removed").add_argument("lab")
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


def _run(args, root: Path) -> int:
    if args.cmd == "collect-folder":
        from indi_ops.grading.collect import collect_folder

        rep = collect_folder(root, args.lab, args.folder, args.roster)
        print(f"collected {len(rep['collected'])} submissions into grading/submitted/")
        for key in ("unknown", "ambiguous", "duplicates", "missing"):
            if rep[key]:
                print(f"{key}: {rep[key]}")
        return 1 if rep["unknown"] or rep["ambiguous"] else 0
    if args.cmd == "autograde":
        _print_outcomes(autograde_all(root, args.lab, force=args.force))
        print(f"report: grading/reports/{args.lab}-autograde.csv")
        return 0
    if args.cmd == "feedback":
        result = generate_feedback(root, args.lab)
        if not result.get("success"):
            print(f"feedback failed: {_last_error_line(result)}", file=sys.stderr)
            return 1
        print(f"feedback written to {course_dir(root, 'feedback').relative_to(root)}/<student>/{args.lab}/")
        return 0
    files = return_feedback(root, args.lab, args.to)
    print(f"returned {len(files)} feedback files" + (f" to {args.to}" if args.to else " via the exchange"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

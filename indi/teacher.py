"""The teacher's path around nbgrader: collect from a folder, grade a whole class, report, return feedback.

Every step is nbgrader's own command; this module adds what a class needs around it:

``python -m indi.teacher collect-folder LAB FOLDER ROSTER``
    Notebooks downloaded from a learning platform (one file or folder per student, any naming) →
    ``grading/submitted/<student_id>/<LAB>/<LAB>.ipynb``. The roster CSV maps names to ids; files that
    match no student or several students are listed, never dropped silently.
``python -m indi.teacher autograde LAB``
    Checks every submission first (unreadable JSON, wrongly named or missing notebook), runs ONE
    ``nbgrader autograde`` over the whole class (sandboxed, see :mod:`indi.sandbox`), re-runs
    submissions a killed run left half done, flags problems in the gradebook (formgrader shows
    "needs manual grade" and the reason) and writes ``grading/reports/<LAB>-autograde.csv``.
``python -m indi.teacher feedback LAB`` / ``return-feedback LAB [--to FOLDER]``
    ``nbgrader generate_feedback`` (hidden tests removed) and hand-back: ``nbgrader release_feedback``
    on a hub, or one HTML file per student in a folder to upload to the learning platform.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from indi.errors import InputError
from indi.grading import META_KEY

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
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


# ---------------------------------------------------------------------------------------- course
def _config(course_root: Path):
    """The course's nbgrader config (its nbgrader_config.py), as nbgrader commands load it."""
    from traitlets.config import Config, PyFileConfigLoader

    loader = PyFileConfigLoader("nbgrader_config.py", path=str(course_root))
    cfg = loader.load_config()
    return cfg if isinstance(cfg, Config) else Config(cfg)


def _coursedir(course_root: Path):
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=_config(course_root))


def _gradebook(course_root: Path):
    from nbgrader.api import Gradebook

    # nbgrader runs the `alembic` command (from this environment) when it creates a gradebook.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    cd = _coursedir(course_root)
    return Gradebook(cd.db_url, cd.course_id)


def _nbgrader(course_root: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run one nbgrader command in the course root (so its nbgrader_config.py applies)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_root, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _dir(course_root: Path, which: str) -> Path:
    cd = _coursedir(course_root)
    return Path(course_root) / getattr(cd, f"{which}_directory")


# --------------------------------------------------------------------------------------- collect
def _norm(text: str) -> str:
    """lowercase ASCII letters and digits only: 'Åsa Öberg_12 (1).ipynb' → 'asaoberg121ipynb'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def read_roster(path: Path) -> list[dict]:
    """Roster CSV: column ``student_id`` (required), optional first_name, last_name, email, aliases
    (several names separated by ``;``, e.g. a platform's user name)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if not rows or "student_id" not in rows[0]:
        raise InputError(f"{path}: the roster needs a header row with a 'student_id' column "
                         "(optional: first_name, last_name, email, aliases)")
    ids = [r["student_id"].strip() for r in rows]
    if len(set(ids)) != len(ids) or not all(ids):
        raise InputError(f"{path}: every row needs a unique, non-empty student_id")
    return rows


def _keys(row: dict) -> set[str]:
    first, last = row.get("first_name", "") or "", row.get("last_name", "") or ""
    keys = {row["student_id"], (row.get("email") or "").split("@")[0]}
    if first and last:
        keys |= {first + last, last + first, f"{last}, {first}"}
    keys |= {a for a in (row.get("aliases") or "").split(";")}
    return {k for k in (_norm(k) for k in keys) if len(k) >= 3}


def match_student(name: str, roster: list[dict]) -> list[str]:
    """Student ids whose id, e-mail name, first+last name or alias appears in ``name``.

    When one student's matching key lies inside another's ('annalind' in 'annalindqvist'), only the
    longer one counts; two different people in one file name stay ambiguous.
    """
    flat = _norm(name)
    keys = {r["student_id"]: [k for k in _keys(r) if k in flat] for r in roster}
    hits = {sid: ks for sid, ks in keys.items() if ks}
    return [sid for sid, ks in hits.items()
            if not any(other != sid and all(any(k in o for o in hits[other]) and k not in hits[other]
                                            for k in ks) for other in hits)]


def collect_folder(course_root: Path, lab: str, folder: Path, roster_csv: Path) -> dict:
    """Copy a platform download into nbgrader's submitted/ folder, one student per roster id.

    Returns {"collected": {student_id: file}, "unknown": [files], "ambiguous": {file: [ids]},
    "duplicates": {student_id: [older files]}, "missing": [student ids without a notebook]}
    and writes the same to ``grading/reports/<lab>-collect.json``.
    """
    course_root, folder = Path(course_root).resolve(), Path(folder)
    roster = read_roster(Path(roster_csv))
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder: give the folder you downloaded the submissions to")
    found: dict[str, list[Path]] = {}
    unknown, ambiguous = [], {}
    for path in sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts):
        rel = str(path.relative_to(folder))
        ids = match_student(rel, roster)
        if len(ids) == 1:
            found.setdefault(ids[0], []).append(path)
        elif ids:
            ambiguous[rel] = ids
        else:
            unknown.append(rel)
    submitted = _dir(course_root, "submitted")
    report = {"collected": {}, "unknown": unknown, "ambiguous": ambiguous, "duplicates": {}, "missing": []}
    with _gradebook(course_root) as gb:
        for row in roster:
            sid = row["student_id"]
            gb.update_or_create_student(sid, first_name=row.get("first_name") or None,
                                        last_name=row.get("last_name") or None, email=row.get("email") or None)
            files = sorted(found.get(sid, []), key=lambda p: p.stat().st_mtime)
            if not files:
                report["missing"].append(sid)
                continue
            newest = files[-1]
            if len(files) > 1:
                report["duplicates"][sid] = [str(p.relative_to(folder)) for p in files[:-1]]
            dest = submitted / sid / lab
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            # Files handed in next to the notebook (same folder on the platform) go along.
            if newest.parent != folder:
                for extra in newest.parent.iterdir():
                    if extra.is_file() and extra.suffix != ".ipynb":
                        shutil.copy2(extra, dest / extra.name)
            shutil.copy2(newest, dest / f"{lab}.ipynb")
            stamp = dt.datetime.fromtimestamp(newest.stat().st_mtime, dt.UTC)
            (dest / "timestamp.txt").write_text(stamp.strftime(TIMESTAMP_FORMAT))
            report["collected"][sid] = str(newest.relative_to(folder))
    out = course_root / "grading" / "reports" / f"{lab}-collect.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report


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
    with _gradebook(course_root) as gb:
        gb.update_or_create_student(sid)
        sub = gb.update_or_create_submission(lab, sid)
        for nb in sub.notebooks:
            for grade in nb.grades:
                grade.needs_manual_grade = True
            for comment in nb.comments:
                comment.auto_comment = text
        gb.db.commit()


def _errors_by_student(log: str, submitted: Path) -> dict[str, str]:
    """For each submission nbgrader gave up on, the last error line of its traceback."""
    out = {}
    for m in re.finditer(r"There was an error processing assignment: (\S+)\n(.*?)(?=\[\w+ \| (?:INFO|WARNING)\]|\Z)",
                         log, re.S):
        path = Path(m.group(1))
        sid = path.relative_to(submitted).parts[0] if path.is_relative_to(submitted) else path.parent.name
        errors = re.findall(r"^\s*([\w.]*(?:Error|Exception|Interrupt)\b.*)$", m.group(2), re.M)
        out[sid] = errors[-1].strip()[:200] if errors else "unknown error (see the autograde log)"
    return out


def autograde_all(course_root: Path, lab: str, timeout: float | None = None) -> list[Outcome]:
    """Grade every submission of ``lab`` in one nbgrader process; never lose or skip one silently."""
    from indi.sandbox import check_sandbox, sandbox_enabled

    if sandbox_enabled():
        check_sandbox()  # one clear message now rather than one failure per student
    course_root = Path(course_root).resolve()
    submitted, autograded = _dir(course_root, "submitted"), _dir(course_root, "autograded")
    outcomes: dict[str, Outcome] = {}
    for folder in sorted(p for p in submitted.glob(f"*/{lab}") if p.is_dir()):
        sid = folder.parent.name
        reasons, notes, ok = _precheck(folder, lab)
        outcomes[sid] = Outcome(sid, reasons=reasons, notes=notes)
        done = autograded / sid / lab / f"{lab}.ipynb"
        if ok and (autograded / sid / lab).exists() and not _done(done):
            # Left half-done by a killed run: nbgrader would skip it; grade it again.
            shutil.rmtree(autograded / sid / lab)
            outcomes[sid].notes.append("re-graded: a previous run stopped before finishing it")
        if not ok:
            outcomes[sid].status = "needs manual grading"
    # One nbgrader process for the class. nbgrader 0.9.6 stops the whole run on some errors in one
    # submission (database, notebook-format errors): then that student is excluded and the rest re-run.
    log, excluded = "", {}
    for _ in range(len(outcomes) + 1):
        args = ["autograde", lab]
        if excluded:
            args.append(f"--CourseDirectory.student_id_exclude={','.join(excluded)}")
        proc = _nbgrader(course_root, *args, timeout=timeout)
        run_log = proc.stdout + proc.stderr
        log += run_log
        failures = _errors_by_student(log, submitted)
        pending = [sid for sid, out in outcomes.items() if out.status == "graded" and sid not in excluded
                   and sid not in failures and not _done(autograded / sid / lab / f"{lab}.ipynb")]
        if proc.returncode == 0 or not pending:
            break
        reached = re.findall(r"(?:Sanitizing|Autograding) \S*?/([^/\s]+)/" + re.escape(lab) + "/", run_log)
        culprit = reached[-1] if reached else None
        if culprit is None or culprit in excluded or culprit not in outcomes:
            break
        errors = re.findall(r"\| ERROR\] (.+)", run_log)
        excluded[culprit] = errors[0].strip() if errors else "nbgrader stopped on this submission"
    (course_root / "grading" / "reports").mkdir(parents=True, exist_ok=True)
    (course_root / "grading" / "reports" / f"{lab}-autograde.log").write_text(log)
    failures = {**_errors_by_student(log, submitted), **excluded}
    for sid, out in outcomes.items():
        if out.status != "graded":
            continue
        nb_path = autograded / sid / lab / f"{lab}.ipynb"
        if not nb_path.exists() or not _done(nb_path):
            out.status = "needs manual grading"
            out.reasons.append(f"nbgrader could not grade it: {failures.get(sid, 'see the autograde log')}")
            continue
        info = json.loads(nb_path.read_text())["metadata"][META_KEY]
        out.notes += info.get("notes", [])
        if info.get("flags"):
            out.status = "needs manual grading"
            out.reasons += info["flags"]
    for sid, out in outcomes.items():
        if out.status != "graded" and not (autograded / sid / lab).exists():
            _flag_in_gradebook(course_root, lab, sid, out.reasons)
    with _gradebook(course_root) as gb:
        for sid, out in outcomes.items():
            try:
                sub = gb.find_submission(lab, sid)
            except Exception:
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
def generate_feedback(course_root: Path, lab: str) -> subprocess.CompletedProcess:
    """nbgrader generate_feedback for the whole class (hidden tests and their traces removed)."""
    return _nbgrader(Path(course_root), "generate_feedback", lab, "--force")


def return_feedback(course_root: Path, lab: str, to: Path | None = None) -> list[Path]:
    """Hand feedback back: into ``to`` as ``<student_id>_<lab>.html`` (for a learning platform), or, with
    no folder, through the hub's exchange (``nbgrader release_feedback``)."""
    course_root = Path(course_root).resolve()
    feedback = _dir(course_root, "feedback")
    files = sorted(feedback.glob(f"*/{lab}/*.html"))
    if to is None:
        proc = _nbgrader(course_root, "release_feedback", lab)
        if proc.returncode != 0:
            raise InputError(f"nbgrader release_feedback failed:\n{proc.stderr[-2000:]}")
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
    parser = argparse.ArgumentParser(prog="python -m indi.teacher", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", default=".", help="course root (holds nbgrader_config.py)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("collect-folder", help="platform download → grading/submitted (roster CSV)")
    p.add_argument("lab")
    p.add_argument("folder", type=Path)
    p.add_argument("roster", type=Path)
    sub.add_parser("autograde", help="grade the whole class, flag problems").add_argument("lab")
    sub.add_parser("feedback", help="feedback HTML, hidden tests removed").add_argument("lab")
    p = sub.add_parser("return-feedback", help="hand feedback back (exchange, or a folder)")
    p.add_argument("lab")
    p.add_argument("--to", type=Path, default=None, help="folder for the learning platform")
    args = parser.parse_args(argv)
    root = Path(args.course).resolve()
    if args.cmd == "collect-folder":
        rep = collect_folder(root, args.lab, args.folder, args.roster)
        print(f"collected {len(rep['collected'])} submissions into grading/submitted/")
        for key in ("unknown", "ambiguous", "duplicates", "missing"):
            if rep[key]:
                print(f"{key}: {rep[key]}")
        return 1 if rep["unknown"] or rep["ambiguous"] else 0
    if args.cmd == "autograde":
        _print_outcomes(autograde_all(root, args.lab))
        print(f"report: grading/reports/{args.lab}-autograde.csv")
        return 0
    if args.cmd == "feedback":
        proc = generate_feedback(root, args.lab)
        print(proc.stdout[-2000:], proc.stderr[-2000:])
        return proc.returncode
    files = return_feedback(root, args.lab, args.to)
    print(f"returned {len(files)} feedback files" + (f" to {args.to}" if args.to else " via the exchange"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

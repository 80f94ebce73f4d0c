"""Collect a learning platform's download into nbgrader's ``submitted/`` folder, one student per roster id.

The download is untrusted: only regular files are read (links, devices and FIFOs are listed and skipped),
every student id comes from the roster (validated by :mod:`indi_ops.roster`), and every destination is
checked to lie inside ``submitted/`` before anything is deleted or written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
from pathlib import Path

from indi.errors import InputError
from indi_ops.grading.course import course_dir, gradebook
from indi_ops.grading.exchange import copy_submission
from indi_ops.roster import check_student_id, match_student, read_roster

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


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
    unknown, ambiguous, skipped = [], {}, []
    for path in sorted(_notebooks(folder)):
        rel = str(path.relative_to(folder))
        if not stat.S_ISREG(os.lstat(path).st_mode):
            skipped.append(f"{rel}: a link or not a regular file")
            continue
        ids = match_student(rel, roster)
        if len(ids) == 1:
            found.setdefault(ids[0], []).append(path)
        elif ids:
            ambiguous[rel] = ids
        else:
            unknown.append(rel)
    submitted = course_dir(course_root, "submitted").resolve()
    report = {"collected": {}, "unknown": unknown, "ambiguous": ambiguous, "duplicates": {}, "missing": [],
              "skipped": skipped}
    with gradebook(course_root) as gb:
        for row in roster:
            sid = check_student_id(row["student_id"])
            gb.update_or_create_student(sid, first_name=row.get("first_name") or None,
                                        last_name=row.get("last_name") or None, email=row.get("email") or None)
            files = sorted(found.get(sid, []), key=lambda p: p.stat().st_mtime)
            if not files:
                report["missing"].append(sid)
                continue
            newest = files[-1]
            if len(files) > 1:
                report["duplicates"][sid] = [str(p.relative_to(folder)) for p in files[:-1]]
            dest = _inside(submitted, submitted / sid / lab)
            if dest.is_symlink() or dest.parent.is_symlink():
                raise InputError(f"{dest} is a link: grading/submitted/ must hold real folders only; remove it")
            if dest.exists():
                shutil.rmtree(dest)
            # Files handed in next to the notebook (same folder on the platform) go along, as copies of
            # regular files only; other students' notebooks in a shared folder do not.
            if newest.parent != folder:
                for note in copy_submission(newest.parent, dest, ignore=["*.ipynb", ".*"], max_file_kb=None):
                    skipped.append(f"{newest.parent.name}/{note}")
            else:
                dest.mkdir(parents=True)
            shutil.copyfile(newest, dest / f"{lab}.ipynb", follow_symlinks=False)
            stamp = dt.datetime.fromtimestamp(newest.stat().st_mtime, dt.UTC)
            (dest / "timestamp.txt").write_text(stamp.strftime(TIMESTAMP_FORMAT))
            report["collected"][sid] = str(newest.relative_to(folder))
    out = course_root / "grading" / "reports" / f"{lab}-collect.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report




def _notebooks(folder: Path):
    """Every .ipynb below ``folder`` without following links to folders (os.walk's default)."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d != ".ipynb_checkpoints"]
        for name in filenames:
            if name.endswith(".ipynb"):
                yield Path(dirpath) / name


def _inside(root: Path, path: Path) -> Path:
    """``path`` if it resolves to a place inside ``root``; an InputError otherwise (nothing is touched)."""
    resolved = path.resolve()
    if resolved == root or root not in resolved.parents:
        raise InputError(f"{path} would be outside {root}: refusing to write there")
    return path

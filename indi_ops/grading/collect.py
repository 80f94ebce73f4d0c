"""Collect a learning platform's download into nbgrader's ``submitted/`` folder, one student per roster id."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from indi.errors import InputError
from indi_ops.grading.course import course_dir, gradebook
from indi_ops.roster import match_student, read_roster

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
    submitted = course_dir(course_root, "submitted")
    report = {"collected": {}, "unknown": unknown, "ambiguous": ambiguous, "duplicates": {}, "missing": []}
    with gradebook(course_root) as gb:
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



"""The class roster: one CSV for hub accounts and for grading.

``roster.csv`` has a header row and one row per participant:

==============  ===========================================================================================
``student_id``  required; the participant's system user on the hub, hub user name and nbgrader student id:
                lower-case letter first, then letters, digits, ``-`` or ``_`` (at most 32 characters)
``first_name``  optional (gradebook, matching a platform's download)
``last_name``   optional
``email``       optional; the part before ``@`` also matches file names
``aliases``     optional; other names the participant has on a learning platform, separated by ``;``
==============  ===========================================================================================

``indi-ops hub add-students roster.csv`` creates the accounts; ``indi-ops grade collect-folder LAB
FOLDER roster.csv`` maps a platform's download to the same ids.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

from indi.errors import InputError

# A student id is a system user name (the hub's PAM accounts) and a folder name in grading/: nothing
# that could climb out of a folder or be read as an option.
STUDENT_ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
COLUMNS = ("student_id", "first_name", "last_name", "email", "aliases")


def check_student_id(sid: str, where: str = "") -> str:
    """``sid`` if it is a valid student id, else an InputError naming the rule."""
    if not STUDENT_ID_RE.fullmatch(sid or ""):
        raise InputError(f"{where}student id {sid!r} is not allowed: use lower-case letters, digits, '-' or "
                         "'_', starting with a letter, at most 32 characters (it becomes a user and folder name).")
    return sid


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
    for i, row in enumerate(rows, start=2):
        row["student_id"] = check_student_id((row.get("student_id") or "").strip(), f"{path}, line {i}: ")
    ids = [r["student_id"] for r in rows]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise InputError(f"{path}: every row needs a unique student_id (repeated: {', '.join(dup)})")
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



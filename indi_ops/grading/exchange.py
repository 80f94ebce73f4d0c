"""Collecting from the hub's exchange without trusting what students put there.

nbgrader's ``ExchangeCollect`` takes the student id and the time from the name of the folder a student
created in ``inbound/`` (``<student>+<lab>+<timestamp>+<random>``), only *warns* when the folder belongs
to someone else, and copies with ``shutil.copytree``, which reads through symbolic links. So a student
could hand in work as another student, date it before the deadline, or plant a link that makes the
teacher's collect copy ``gradebook.db`` or the source notebook into a submission and its feedback.

:class:`SafeCollect` (set as ``ExchangeFactory.collect`` in :mod:`indi_ops.grading.config`) collects only

* real folders (``lstat``: no links, no files, no devices) whose **owner is the student they name**;
* the submission's regular files and folders — links, FIFOs, sockets and devices inside are dropped, every
  file is opened with ``O_NOFOLLOW`` and copied by content;
* with the **server's time**: the latest change time (``ctime``, which a user cannot set) of anything in
  the submission. The time in the folder name and in ``timestamp.txt`` is compared with it, never used.

Everything refused or changed is logged as a warning and written to
``grading/reports/<lab>-exchange.json``, so the teacher sees forged and odd entries.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import pwd
import shutil
import stat
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import parse_utc

from indi_ops.roster import STUDENT_ID_RE

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f UTC"
# A clock step or a slow copy between nbgrader's submit writing the name and the files: not a forgery.
CLAIMED_TIME_TOLERANCE = dt.timedelta(minutes=5)


def _owner(st: os.stat_result) -> str:
    try:
        return pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        return f"uid {st.st_uid}"


def server_time(folder: Path) -> dt.datetime:
    """The latest change time of the folder or anything in it (UTC, naive like nbgrader's timestamps).

    ``ctime`` is set by the kernel on every write, rename or chmod and cannot be set by a user, so a
    submission can look later than it was, never earlier.
    """
    latest = os.lstat(folder).st_ctime
    for dirpath, dirnames, filenames in os.walk(folder):  # os.walk does not descend into links
        for name in dirnames + filenames:
            latest = max(latest, os.lstat(os.path.join(dirpath, name)).st_ctime)
    return dt.datetime.fromtimestamp(latest, dt.UTC).replace(tzinfo=None)


def copy_submission(src: Path, dest: Path, *, ignore: list[str], max_file_kb: float | None) -> list[str]:
    """Copy regular files and folders of ``src`` to ``dest`` by content; return what was dropped and why."""
    dropped = []
    dest.mkdir(parents=True)
    for dirpath, dirnames, filenames in os.walk(src):
        rel_dir = Path(dirpath).relative_to(src)
        for name in list(dirnames):
            path = Path(dirpath) / name
            st = os.lstat(path)
            if any(fnmatch.fnmatch(name, g) for g in ignore) or not stat.S_ISDIR(st.st_mode):
                if not stat.S_ISDIR(st.st_mode):
                    dropped.append(f"{rel_dir / name}: a link, not a folder")
                dirnames.remove(name)
                continue
            (dest / rel_dir / name).mkdir(mode=0o755)
        for name in filenames:
            path = Path(dirpath) / name
            rel = rel_dir / name
            if any(fnmatch.fnmatch(name, g) for g in ignore):
                continue
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                kind = "a link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
                dropped.append(f"{rel}: {kind}")
                continue
            if max_file_kb and st.st_size > max_file_kb * 1000:
                dropped.append(f"{rel}: larger than {max_file_kb:g} kB")
                continue
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            except OSError as exc:  # swapped for a link or a FIFO after the lstat: still refused
                dropped.append(f"{rel}: cannot be opened safely ({exc.strerror})")
                continue
            with os.fdopen(fd, "rb") as fin:
                if not stat.S_ISREG(os.fstat(fin.fileno()).st_mode):
                    dropped.append(f"{rel}: not a regular file")
                    continue
                with open(dest / rel, "xb") as fout:
                    shutil.copyfileobj(fin, fout)
    return dropped


class SafeCollect(ExchangeCollect):
    """nbgrader's collect, taking identity from the folder's owner and time from the server."""

    def _report_path(self) -> Path:
        return Path(self.coursedir.root) / "grading" / "reports" / f"{self.coursedir.assignment_id}-exchange.json"

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        lab = self.coursedir.assignment_id
        only = self.coursedir.student_id or "*"  # nbgrader's default is "*", a glob
        self.refused: list[dict] = []
        self.notes: list[dict] = []
        accepted: dict[str, list[dict]] = {}
        with os.scandir(self.inbound_path) as entries:
            for entry in entries:
                parts = entry.name.split("+")
                if len(parts) < 3 or parts[1] != lab:
                    continue
                claimed = parts[0]
                if not fnmatch.fnmatchcase(claimed, only):
                    continue
                st = entry.stat(follow_symlinks=False)
                owner = _owner(st)
                why = None
                if not STUDENT_ID_RE.fullmatch(claimed):
                    why = f"names a student id that is not allowed ({claimed!r})"
                elif not stat.S_ISDIR(st.st_mode):
                    why = "is not a folder (a link or a file)"
                elif owner != claimed:
                    why = f"claims to be from {claimed} but belongs to {owner}"
                if why:
                    self.refused.append({"entry": entry.name, "owner": owner, "reason": why})
                    self.log.warning("Refused %s: it %s", entry.name, why)
                    continue
                server = server_time(Path(entry.path))
                try:
                    named = parse_utc(parts[2])
                except (ValueError, OverflowError):
                    named = None
                if named is None or abs(named - server) > CLAIMED_TIME_TOLERANCE:
                    self.notes.append({"entry": entry.name, "student": claimed,
                                       "claimed_time": parts[2], "server_time": server.strftime(TIMESTAMP_FORMAT),
                                       "note": "the time in the folder name is not the time it was handed in; "
                                               "the server's time is used"})
                    self.log.warning("%s: claimed time %s, handed in %s (server time used)", entry.name,
                                     parts[2], server)
                accepted.setdefault(claimed, []).append(
                    {"username": claimed, "filename": entry.name, "timestamp": server})
        with self._gradebook() as gb:
            try:
                self.duedate = gb.find_assignment(lab).duedate
            except Exception:  # MissingEntry: no due date recorded
                self.duedate = None
        self.src_records = []
        for records in accepted.values():
            records = self._sort_by_timestamp(records)
            if self.duedate is not None and self.before_duedate:
                before = [r for r in records if r["timestamp"] <= self.duedate]
                records = before or records
            self.src_records.append(records[0])

    def _gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.coursedir.db_url, self.coursedir.course_id)

    def do_copy(self, src, dest, log=None):
        """Copy one accepted submission (called by nbgrader's copy_files) and stamp it with server time."""
        src, dest = Path(src), Path(dest)
        size = sum(os.lstat(os.path.join(d, f)).st_size for d, _, fs in os.walk(src) for f in fs)
        if size > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"{src.name}: {size} bytes, more than the course allows "
                               f"({1000 * self.coursedir.max_dir_size}); collect it by hand")
        record = next(r for r in self.src_records if r["filename"] == src.name)
        dropped = copy_submission(src, dest, ignore=list(self.coursedir.ignore),
                                  max_file_kb=self.coursedir.max_file_size)
        (dest / "timestamp.txt").write_text(record["timestamp"].strftime(TIMESTAMP_FORMAT))
        if dropped:
            self.notes.append({"entry": src.name, "student": record["username"], "dropped": dropped})
            self.log.warning("%s: not collected: %s", src.name, "; ".join(dropped))

    def copy_files(self):
        super().copy_files()
        report = self._report_path()
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps({
            "collected": sorted(r["username"] for r in self.src_records),
            "refused": self.refused, "notes": self.notes}, indent=2, ensure_ascii=False))
        if self.refused:
            self.log.warning("%d entries in the exchange were refused (forged or not folders): see %s",
                             len(self.refused), report)

"""Submissions are authentic: a student cannot hand in as another, back-date, or smuggle links through collect.

Two real system users on a real class hub (`make hub`'s launcher), the nbgrader exchange with its
documented permissions. Student 1 submits for real, then plants entries in ``inbound/`` as an attacker
would; student 2 back-dates an entry; the instructor collects with the course's configuration
(``indi_ops.grading.exchange.SafeCollect``).
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest
from hub_support import PYTHON, ClassHub, can_run, lab1

pytestmark = [pytest.mark.slow, pytest.mark.skipif(can_run() is not None, reason=str(can_run()))]

LAB = lab1().name


def _as(hub: ClassHub, user: str, code: str) -> None:
    proc = hub.as_user(user, [str(PYTHON), "-c", textwrap.dedent(code)])
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def collected():
    with ClassHub(students=2, instructors=1) as hub:
        s1, s2, t1 = hub.students[0], hub.students[1], hub.instructors[0]
        inbound = hub.settings.exchange / "indi-lab" / "inbound"
        course = hub.settings.course_root
        hub.ensure_released(LAB)
        for s in (s1, s2):
            hub.nbgrader(s, "fetch_assignment", LAB)
        hub.nbgrader(s1, "submit", LAB)  # a real submission first
        # Then, as an attacker: an entry of their own holding links to the gradebook and a system file,
        # an entry in student 2's name dated before any deadline, and an entry that is itself a link to
        # the course's source folder (with the solutions).
        _as(hub, s1, f"""
            import os, shutil
            inbound = {str(inbound)!r}
            nb = os.path.expanduser('~/{LAB}/{LAB}.ipynb')
            mine = os.path.join(inbound, '{s1}+{LAB}+2026-01-01 08:00:00.000000 UTC+withlinks')
            os.mkdir(mine)
            shutil.copy(nb, mine)
            os.symlink({str(course / 'grading' / 'gradebook.db')!r}, os.path.join(mine, 'grades.db'))
            os.symlink('/etc/shadow', os.path.join(mine, 'shadow.txt'))
            os.chmod(mine, 0o777)
            fake = os.path.join(inbound, '{s2}+{LAB}+2020-01-01 08:00:00.000000 UTC+forged')
            os.mkdir(fake)
            shutil.copy(nb, fake)
            os.chmod(fake, 0o777)
            os.symlink({str(course / 'labs' / LAB)!r},
                       os.path.join(inbound, '{s1}+{LAB}+2099-01-01 08:00:00.000000 UTC+link'))
        """)
        # Student 2: their own entry, back-dated in its name and in timestamp.txt.
        _as(hub, s2, f"""
            import os, shutil
            d = os.path.join({str(inbound)!r}, '{s2}+{LAB}+2001-01-01 08:00:00.000000 UTC+early')
            os.mkdir(d)
            shutil.copy(os.path.expanduser('~/{LAB}/{LAB}.ipynb'), d)
            open(os.path.join(d, 'timestamp.txt'), 'w').write('2001-01-01 08:00:00.000000 UTC')
            os.chmod(d, 0o777)
        """)
        before_collect = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        proc = hub.nbgrader(t1, "collect", LAB)
        submitted = course / "grading" / "submitted"
        report = json.loads((course / "grading" / "reports" / f"{LAB}-exchange.json").read_text())
        yield {"hub": hub, "s1": s1, "s2": s2, "submitted": submitted, "report": report,
               "log": proc.stdout + proc.stderr, "before": before_collect,
               "files": {s: sorted(p.name for p in (submitted / s / LAB).iterdir())
                         for s in (s1, s2) if (submitted / s / LAB).is_dir()},
               "stamps": {s: (submitted / s / LAB / "timestamp.txt").read_text()
                          for s in (s1, s2) if (submitted / s / LAB).is_dir()}}


def test_a_submission_in_another_students_name_is_refused_and_reported(collected):
    s1, s2 = collected["s1"], collected["s2"]
    refused = {r["entry"]: r for r in collected["report"]["refused"]}
    forged = [r for e, r in refused.items() if e.endswith("+forged")]
    assert forged and forged[0]["owner"] == s1 and "claims to be from" in forged[0]["reason"]
    assert "refused" in collected["log"].lower()
    # Student 2's own (back-dated) entry is what was collected for them, not student 1's forgery.
    assert collected["report"]["collected"] == sorted([s1, s2])


def test_the_time_comes_from_the_server_not_the_folder_name(collected):
    from nbgrader.utils import parse_utc

    stamp = parse_utc(collected["stamps"][collected["s2"]])
    assert stamp.year == collected["before"].year and stamp <= collected["before"] + dt.timedelta(minutes=1)
    assert stamp > collected["before"] - dt.timedelta(hours=1), "the back-dated time was believed"
    notes = [n for n in collected["report"]["notes"] if n.get("student") == collected["s2"]]
    assert any("server's time is used" in n.get("note", "") for n in notes)


def test_links_are_never_followed_by_collect(collected):
    s1 = collected["s1"]
    assert f"{LAB}.ipynb" in collected["files"][s1]
    assert "grades.db" not in collected["files"][s1] and "shadow.txt" not in collected["files"][s1]
    dropped = [d for n in collected["report"]["notes"] for d in n.get("dropped", [])]
    assert any("grades.db" in d for d in dropped) and any("shadow.txt" in d for d in dropped)
    links = [r for r in collected["report"]["refused"] if r["entry"].endswith("+link")]
    assert links and "not a folder" in links[0]["reason"]
    # The link's target (the source notebook with solutions) was not collected as a submission.
    assert not any("BEGIN SOLUTION" in (collected["submitted"] / s1 / LAB / f).read_text(errors="ignore")
                   for f in collected["files"][s1])

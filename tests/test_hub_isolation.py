"""Isolation on the class hub: one student tries, from their own running server, to read what is not theirs.

A real hub (`make hub`'s launcher) with real system users: an instructor releases lab 1 through the
nbgrader exchange, student 1 fetches and submits it; then student 2, inside a kernel of their own
single-user server, tries to read student 1's home and submission, the source notebook with the
solutions, the gradebook, and to open formgrader. Each try must be refused. Also: data are shared
read-only, the per-user memory limit holds, idle servers are culled.
"""

from __future__ import annotations

import json
import os
import stat
import textwrap
import time
from pathlib import Path

import pytest
from hub_support import ClassHub, can_run, lab1, shared_hub

from indi_ops.hub.settings import COURSE_ID

pytestmark = [pytest.mark.slow, pytest.mark.skipif(can_run() is not None, reason=str(can_run()))]

LAB = lab1().name


@pytest.fixture(scope="module")
def hub(request):
    h = shared_hub(request.config)
    t1, s1, s2 = h.instructors[0], h.students[0], h.students[1]
    h.ensure_released(LAB)
    h.nbgrader(s1, "fetch_assignment", LAB)
    h.nbgrader(s1, "submit", LAB)
    for user in (s2, t1):
        h.spawn(user)
    h.tokens = {u: h.token(u) for u in (s1, s2, t1)}
    return h


def try_as(hub: ClassHub, user: str, code: str) -> dict:
    """Run ``code`` in ``user``'s own kernel; the code prints one JSON line of results."""
    result = hub.run_code(user, hub.tokens[user], textwrap.dedent(code))
    assert result["error"] is None and result["status"] == "idle", result
    return json.loads(result["stdout"].strip().splitlines()[-1])


PROBE = """
import json, os
def probe(path, how):
    try:
        if how == "list":
            os.listdir(path)
        elif how == "read":
            open(path, "rb").read(1)
        elif how == "write":
            with open(path, "w") as fh:
                fh.write("x")
        return "allowed"
    except PermissionError:
        return "refused"
    except OSError as e:
        return "refused" if e.errno in (1, 13, 30) else f"error {e.errno}"
"""


def test_student_cannot_read_another_students_home_or_submission(hub):
    s1, s2 = hub.students[:2]
    home1 = f"/home/{s1}"
    assert stat.S_IMODE(os.stat(home1).st_mode) == 0o700
    inbound = hub.settings.exchange / "indi-lab" / "inbound"
    (submission,) = [p for p in os.listdir(inbound) if p.startswith(f"{s1}+{LAB}+")]
    assert len(submission.rsplit("+", 1)[1]) >= 12, "submission names must carry nbgrader's random suffix"
    checks = {
        "home": (home1, "list"),
        "profile": (f"{home1}/.bashrc", "read"),
        "fetched lab": (f"{home1}/{LAB}/{LAB}.ipynb", "read"),
        "inbound": (str(inbound), "list"),
        "feedback": (str(hub.settings.exchange / "indi-lab" / "feedback"), "list"),
    }
    got = try_as(hub, s2, PROBE + f"print(json.dumps({{k: probe(*v) for k, v in {checks!r}.items()}}))")
    assert got == {k: "refused" for k in checks}, got


def test_student_cannot_read_sources_with_solutions_or_the_gradebook(hub):
    s2 = hub.students[1]
    course = hub.settings.course_root
    assert (course / "grading" / "gradebook.db").is_file()
    checks = {
        "source notebook": (str(course / "labs" / LAB / f"{LAB}.ipynb"), "read"),
        "source folder": (str(course / "labs"), "list"),
        "gradebook": (str(course / "grading" / "gradebook.db"), "read"),
        "grading folder": (str(course / "grading"), "list"),
    }
    got = try_as(hub, s2, PROBE + f"""
import sqlite3
res = {{k: probe(*v) for k, v in {checks!r}.items()}}
try:
    sqlite3.connect("file:{course / 'grading' / 'gradebook.db'}?mode=ro", uri=True).execute("select * from student").fetchall()
    res["gradebook via sqlite"] = "allowed"
except sqlite3.OperationalError:
    res["gradebook via sqlite"] = "refused"
print(json.dumps(res))
""")
    assert got == {k: "refused" for k in [*checks, "gradebook via sqlite"]}, got


def test_content_delivered_to_students_holds_no_solutions(hub):
    s2 = hub.students[1]
    got = try_as(hub, s2, """
import json, os
found, leaks = [], []
for d, _, files in os.walk(os.path.expanduser("~/indi-lab")):
    for f in files:
        p = os.path.join(d, f)
        found.append(os.path.relpath(p, os.path.expanduser("~/indi-lab")))
        text = open(p, errors="ignore").read()
        if "BEGIN SOLUTION" in text or "BEGIN HIDDEN TESTS" in text:
            leaks.append(p)
print(json.dumps({"found": found, "leaks": leaks}))
""")
    assert "START_HERE.md" in got["found"] and "labs/README.md" in got["found"], got["found"]
    assert not [f for f in got["found"] if f.endswith(".ipynb") and f.startswith("labs/")], got["found"]
    assert got["leaks"] == []


def test_student_cannot_open_formgrader(hub):
    s2, t1 = hub.students[1], hub.instructors[0]
    tok = hub.tokens[s2]
    assert hub.server_get(s2, "formgrader", tok).status_code == 404
    assert hub.server_get(s2, "formgrader/api/assignments", tok).status_code == 404
    assert hub.server_get(t1, "formgrader", tok).status_code == 403  # the instructor's server refuses others
    # Control: the instructor's formgrader works and sees the lab (so the refusals above are real).
    r = hub.server_get(t1, "formgrader/api/assignments", hub.tokens[t1])
    assert r.status_code == 200 and LAB in [a["name"] for a in r.json()], r.text[:500]


def test_student_server_loads_only_what_the_course_uses(hub):
    """Students' servers start lean: no Notebook interface or language-server proxy; the rest works."""
    s2 = hub.students[1]
    tok = hub.tokens[s2]
    assert hub.server_get(s2, "tree", tok).status_code == 404  # the Notebook 7 interface is off
    assert hub.server_get(s2, "lsp/status", tok).status_code == 404  # so is jupyter_lsp
    assert hub.server_get(s2, "lab", tok).status_code == 200
    r = hub.server_get(s2, f"assignments?course_id={COURSE_ID}", tok)  # nbgrader's assignment list
    assert r.status_code == 200 and LAB in [a["assignment_id"] for a in r.json()["value"]], r.text[:300]
    # The learner package's bytecode was written by root at hub start, so a kernel finds it ready.
    got = try_as(hub, s2, """
import importlib.util, json, os
import indi.data
pyc = importlib.util.cache_from_source(indi.data.__file__)
print(json.dumps({"pyc": os.path.isfile(pyc) and os.stat(pyc).st_mtime >= os.stat(indi.data.__file__).st_mtime,
                  "fonts": sorted(os.listdir(os.path.expanduser("~/.cache/matplotlib")))}))
""")
    assert got["pyc"], "indi/__pycache__ is missing or stale: students' kernels recompile the package"
    assert [f for f in got["fonts"] if f.startswith("fontlist-v")], got["fonts"]


def test_submission_recorded_under_the_students_name(hub):
    s1, t1 = hub.students[0], hub.instructors[0]
    hub.nbgrader(t1, "collect", LAB)
    assert (hub.settings.course_root / "grading" / "submitted" / s1 / LAB / f"{LAB}.ipynb").is_file()


def test_data_shared_read_only_and_groups(hub):
    if hub.settings.data_dir is None:
        pytest.skip("INDI_DATA_DIR is not set")
    s2 = hub.students[1]
    data = hub.settings.data_dir
    sample = next(p for p in sorted(data.rglob("*")) if p.is_file())
    got = try_as(hub, s2, PROBE + f"""
import os
print(json.dumps({{"env": os.environ.get("INDI_DATA_DIR"), "read": probe({str(sample)!r}, "read"),
                  "write": probe({str(data / 'hub-test-write')!r}, "write"),
                  "overwrite": probe({str(sample)!r}, "write"), "uid": os.getuid(), "groups": os.getgroups(),
                  "hub secrets": sorted(k for k in os.environ if k.startswith("INDI_HUB_"))}}))
""")
    assert got["env"] == str(data)
    assert got["read"] == "allowed" and got["write"] == "refused" and got["overwrite"] == "refused", got
    assert got["hub secrets"] == [], "the hub's settings (admin token) must not reach users' servers"
    import grp
    import pwd
    assert got["uid"] == pwd.getpwnam(s2).pw_uid
    assert grp.getgrnam(hub.settings.grader_group).gr_gid not in got["groups"]


def test_memory_limit_stops_a_runaway_kernel(hub):
    s2 = hub.students[1]
    cgroups = [Path("/sys/fs/cgroup") / hub.settings.cgroup_name / s2,
               Path("/sys/fs/cgroup/memory") / hub.settings.cgroup_name / s2]
    if not any(p.is_dir() for p in cgroups):
        pytest.skip("no writable memory cgroup on this machine: the limit cannot be enforced here")
    # 1 GiB limit for the whole server: a 1.5 GiB allocation gets the kernel killed and restarted.
    result = hub.run_code(s2, hub.tokens[s2], "x = b'1' * (1536 * 2**20)\nprint('survived')")
    assert "survived" not in result["stdout"] and result["status"] in ("restarting", "dead", "connection closed"), result
    after = hub.run_code(s2, hub.tokens[s2], "print('still here')")
    assert after["stdout"].strip() == "still here", after


def test_idle_servers_are_culled():
    with ClassHub(students=1, instructors=0, idle_timeout=8, cull_every=2) as h:
        s1 = h.students[0]
        h.spawn(s1)
        deadline = time.time() + 90
        while time.time() < deadline:
            if not h.api("GET", f"/users/{s1}").json().get("servers"):
                break
            time.sleep(1)
        else:
            pytest.fail(f"idle server was not culled within 90 s:\n{h.log_tail()}")
        assert "Culling server" in h.log_tail(200_000) or "culling" in h.log_tail(200_000).lower()


def test_hub_state_files_are_root_only(hub):
    """The user database, cookie secret, pid files and the settings file (admin token): 0600 root."""
    s2 = hub.students[1]
    state = hub.settings.state_dir
    files = [state / n for n in ("jupyterhub.sqlite", "jupyterhub_cookie_secret", "proxy.pid", "jupyterhub.pid")]
    files.append(hub.settings_file)
    for f in files:
        st = os.stat(f)
        assert st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o600, (f, oct(st.st_mode))
    got = try_as(hub, s2, PROBE + f"print(json.dumps({{p: probe(p, 'read') for p in {[str(f) for f in files]!r}}}))")
    assert set(got.values()) == {"refused"}, got


def test_student_cannot_import_the_ops_package_or_read_lab_sources(hub):
    """The learner package imports; the operations package (hub, grading code) and the lab sources do not open."""
    from indi.paths import REPO_ROOT

    s2 = hub.students[1]
    course = hub.settings.course_root
    assert (course / "lab_sources" / f"{LAB}.md").is_file()
    checks = {
        "course lab sources": (str(course / "lab_sources"), "list"),
        "a lab source": (str(course / "lab_sources" / f"{LAB}.md"), "read"),
        "installed lab sources": (str(REPO_ROOT / "lab_sources"), "list"),
        "ops package source": (str(REPO_ROOT / "indi_ops" / "hub" / "settings.py"), "read"),
    }
    got = try_as(hub, s2, PROBE + f"""
import importlib
res = {{k: probe(*v) for k, v in {checks!r}.items()}}
for mod in ("indi_ops.hub.settings", "indi_ops.grading.config", "indi_ops.roster"):
    try:
        importlib.import_module(mod)
        res[mod] = "allowed"
    except (ImportError, PermissionError):
        res[mod] = "refused"
import indi.data
res["indi.data"] = "allowed"
print(json.dumps(res))
""")
    refused = [*checks, "indi_ops.hub.settings", "indi_ops.grading.config", "indi_ops.roster"]
    assert got == {**{k: "refused" for k in refused}, "indi.data": "allowed"}, got

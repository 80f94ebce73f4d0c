"""``indi-ops hub``: a class JupyterHub on one machine, in the style of The Littlest JupyterHub.

Every participant is a real system user (so nbgrader records who submitted), instructors are in a
grader group, the nbgrader exchange has nbgrader's documented permissions, the course pages are copied
into each student's home at spawn (as the student; never the source notebooks with solutions), the
data folder is shared read-only, idle servers are culled and each user gets a memory limit (a cgroup).

Commands (run as root, from the repository; ``hub/README.md`` has the whole story)::

    indi-ops hub [serve]                        start the hub (= make hub)
    indi-ops hub add-instructor NAME            a new instructor account (asks for a password)
    indi-ops hub add-students ROSTER            new students from the roster; existing accounts are skipped
    indi-ops hub remove NAME                    remove a student (instructors: --instructor)
    indi-ops hub list                           who is a student, who is an instructor
    indi-ops hub check-settings                 read and check the settings file, print every value
    indi-ops hub export-content DIR             student repository for nbgitpuller / repo2docker

Settings come from one YAML file, hub/settings.yaml (or ``--settings FILE`` / ``$INDI_HUB_SETTINGS``);
hub/jupyterhub_config.py reads the same file, so the launcher, the tests and the benchmark run exactly
the configuration a class gets.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import os
import subprocess
import sys
from pathlib import Path

from indi.errors import InputError
from indi_ops.hub import accounts
from indi_ops.hub.cgroups import remove_cgroups
from indi_ops.hub.content import export_student_repo
from indi_ops.hub.prepare import prepare, secure_state
from indi_ops.hub.settings import ENV_VAR, HUB_DIR, load_settings, settings_path
from indi_ops.hub.spawner import VENV_BIN
from indi_ops.roster import read_roster


def serve(s, path: Path) -> int:
    prepare(s)
    if not accounts.members(s.grader_group):
        print(f"No instructor yet. Add the first one with:\n  sudo {VENV_BIN / 'indi-ops'} hub add-instructor NAME",
              file=sys.stderr)
    env = {**os.environ, ENV_VAR: str(path.resolve())}
    print(f"INDI Lab hub on http://{s.ip}:{s.port}/  (state in {s.state_dir}; stop with Ctrl+C)", flush=True)
    cmd = [str(VENV_BIN / "jupyterhub"), "-f", str(HUB_DIR / "jupyterhub_config.py")]
    try:
        # umask 077: the database, cookie secret and pid files the hub creates are root's alone (0600)
        return subprocess.call(cmd, env=env, cwd=str(s.state_dir), umask=0o077)
    finally:
        secure_state(s.state_dir)
        remove_cgroups(s.cgroup_name)


def add_students(s, roster: Path, out: Path | None) -> tuple[list[str], list[str]]:
    """Create an account for every NEW roster name; existing accounts are reported and left as they are."""
    out = out or s.state_dir / "initial-passwords.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    names = [row["student_id"] for row in read_roster(roster)]
    created, skipped = [], []
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "a", newline="") as fh:
        os.fchmod(fh.fileno(), 0o600)
        writer = csv.writer(fh)
        for name in names:
            if accounts.exists(name):
                skipped.append(name)
                continue
            writer.writerow([name, accounts.create_user(name, s.student_group)])
            fh.flush()
            created.append(name)
    return created, skipped


def _password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {name}: ")
        if password != getpass.getpass("again: "):
            raise InputError("the two passwords differ; nothing was changed.")
    if len(password) < 8:
        raise InputError("use a password of at least 8 characters.")
    return password


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="indi-ops hub", description=__doc__.split("\n\n")[0])
    ap.add_argument("--settings", type=Path, help=f"the settings file (default: ${ENV_VAR} or hub/settings.yaml)")
    sub = ap.add_subparsers(dest="cmd")
    sub.add_parser("serve", help="start the hub (the default)")
    a = sub.add_parser("add-instructor", help="add an instructor (grader group, formgrader, hub admin)")
    a.add_argument("name")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.add_argument("--existing", action="store_true",
                   help="make an existing personal account an instructor (its password is not changed)")
    r = sub.add_parser("add-students", help="add new students from the class roster CSV (indi_ops.roster)")
    r.add_argument("roster", type=Path)
    r.add_argument("--passwords-out", type=Path, help="where to write the initial passwords (0600 CSV)")
    d = sub.add_parser("remove", help="remove a course user (and their home unless --keep-home)")
    d.add_argument("name")
    d.add_argument("--keep-home", action="store_true")
    d.add_argument("--instructor", action="store_true", help="the user is an instructor: remove them anyway")
    sub.add_parser("list", help="list students and instructors")
    sub.add_parser("check-settings", help="read and check the settings file; print every value")
    e = sub.add_parser("export-content", help="write the student repository (pages, learner package; no solutions)")
    e.add_argument("dest", type=Path)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.cmd == "export-content":
            print(f"{export_student_repo(args.dest)} files written to {args.dest} (incl. postBuild for repo2docker)")
            return 0
        path = settings_path(args.settings)
        s = load_settings(path)
        if args.cmd == "check-settings":
            for key, value in s.to_dict().items():
                print(f"{key}: {'<set>' if key == 'admin_token' and value else value}")
            return 0
        if args.cmd in (None, "serve"):
            return serve(s, path)
        if args.cmd == "list":
            print("instructors:", " ".join(accounts.members(s.grader_group)) or "-")
            print("students:   ", " ".join(accounts.members(s.student_group)) or "-")
            return 0
        accounts.require_root("managing hub users")
        if args.cmd == "add-instructor":
            if args.existing:
                accounts.add_existing_to_group(args.name, s.grader_group)
            else:
                accounts.check_new(args.name)  # before asking for a password
                accounts.create_user(args.name, s.grader_group, _password(args.name, args.password_stdin))
            print(f"{args.name} is an instructor: log in at http://{s.ip}:{s.port}/ and open "
                  f"/user/{args.name}/formgrader in its own tab.")
        elif args.cmd == "add-students":
            out = args.passwords_out or s.state_dir / "initial-passwords.csv"
            created, skipped = add_students(s, args.roster, out)
            print(f"{len(created)} new students; initial passwords in {out} (root only): hand them out, then "
                  "delete it.")
            if skipped:
                print(f"skipped, already on this machine and NOT changed: {', '.join(skipped)}", file=sys.stderr)
        elif args.cmd == "remove":
            if accounts.remove_user(args.name, s.student_group, s.grader_group, keep_home=args.keep_home,
                                    instructor=args.instructor):
                print(f"removed {args.name}" + (" (home kept)" if args.keep_home else ""))
            else:
                print(f"{args.name} does not exist; nothing removed.")
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

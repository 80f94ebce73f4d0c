"""Course pages for students: what is delivered (never solutions), delivery into a home, the student export.

Delivery runs at every spawn. Root reads the pages (the course is root's), but everything in the
student's home is written by a child process running as the student (uid, gid and groups dropped
before it touches the home, as The Littlest JupyterHub does), so a link a student plants there can
only ever reach what the student could reach anyway.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from fnmatch import fnmatch
from pathlib import Path

from indi.errors import InputError
from indi.paths import REPO_ROOT

# What a student gets in their home at spawn: the book pages and lab pages. Never lab notebooks
# (those come through the nbgrader exchange as the student release), generators or tests.
CONTENT_INCLUDE = ["START_HERE.md", "book/**/*", "equality_module/**/*", "labs/README.md", "labs/*/README.md",
                   "labs/*/*.png", "labs/*/*.svg", "labs/*/*.jpg"]
CONTENT_EXCLUDE = ["book/_ext/*", "**/.*", "**/__pycache__/**", "**/_build/**", "**/*.pyc"]
# Text that only a source notebook (or its generator) contains: a file holding it is never delivered.
SOLUTION_MARKERS = ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", '"solution": true')


def course_content(root: Path) -> list[Path]:
    """Relative paths of the pages delivered to each student; never anything holding a solution."""
    out = []
    for pattern in CONTENT_INCLUDE:
        for p in sorted(root.glob(pattern)):
            rel = p.relative_to(root)
            if p.is_symlink() or not p.is_file():
                continue
            if any(fnmatch(str(rel), x) or fnmatch("/" + str(rel), x) for x in CONTENT_EXCLUDE):
                continue
            if any(part.startswith(".") or part in ("__pycache__", "_build") for part in rel.parts):
                continue
            if rel.parts[0] == "labs" and p.suffix == ".ipynb":
                continue
            try:
                text = p.read_text(encoding="utf-8", errors="ignore")
            except OSError:
                continue
            if any(m in text for m in SOLUTION_MARKERS):
                continue
            out.append(rel)
    return sorted(set(out))


# Runs as the student (python -I -S: no site, no environment, standard library only; the ops package is
# not readable by students). Reads {"root", "uid", "files": [[rel, base64], ...], "home", "home_files"} on
# stdin (files go under root, home_files under home); keeps every file the student already has (or any
# name they put there: O_EXCL also refuses a dangling link).
_AS_STUDENT = r"""
import base64, json, os, sys
job = json.load(sys.stdin)
if os.getuid() != job["uid"] or os.geteuid() != job["uid"]:
    sys.exit("refusing to deliver: not running as the student")
copied, failed = 0, []
for root, files in ((job["root"], job["files"]), (job["home"], job["home_files"])):
    for rel, data in files:
        dest = os.path.join(root, rel)
        try:
            if os.path.lexists(dest):
                continue
            os.makedirs(os.path.dirname(dest), mode=0o755, exist_ok=True)
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(base64.b64decode(data))
            copied += 1
        except OSError as exc:
            failed.append(f"{rel}: {exc.strerror}")
print(json.dumps({"copied": copied, "failed": failed}))
"""


def unreachable_for_others(path: Path) -> Path | None:
    """The first folder on the way to ``path`` that other users cannot traverse (or None)."""
    p = Path(path).resolve()
    for parent in [*reversed(p.parents), p]:
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return parent
    return None


def student_python() -> str:
    """A Python the student may execute: the hub's own, else the system's (the child needs the stdlib only)."""
    if unreachable_for_others(Path(sys.executable)) is None:
        return sys.executable
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(candidate) and unreachable_for_others(Path(candidate)) is None:
            return candidate
    raise InputError(f"no Python that students may run: {sys.executable} lies in a folder closed to other "
                     "users and /usr/bin/python3 is missing. Install the course where users can read it.")


# Matplotlib's font list, built once when the hub starts and handed to each student like a page (only if
# they have none): otherwise each student's first `import matplotlib.pyplot` scans the system's fonts,
# half a second of CPU at the moment a whole class opens its first lab. The file is what matplotlib itself
# writes to ~/.cache/matplotlib (get_cachedir() without MPLCONFIGDIR or XDG_CACHE_HOME); matplotlib
# rebuilds it if its version differs.
FONT_CACHE_HOME = ".cache/matplotlib"
_FONT_LIST = ("import sys, matplotlib as mpl, matplotlib.font_manager as fm\n"
              "print(f'{mpl.get_cachedir()}/fontlist-v{fm.FontManager.__version__}.json')")


def font_cache_dir(s) -> Path:
    return s.state_dir / "matplotlib"


def font_caches(s) -> list[Path]:
    return sorted(font_cache_dir(s).glob("fontlist-v*.json"))


def build_font_cache(s) -> Path | None:
    """Matplotlib's font list for this machine, into the hub's state folder (at every start; root runs it
    with an empty MPLCONFIGDIR, so nobody's own cache is read). None if matplotlib is not installed."""
    out = font_cache_dir(s)
    out.mkdir(mode=0o755, parents=True, exist_ok=True)
    for old in font_caches(s):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-c", _FONT_LIST], capture_output=True, text=True, timeout=300,
                              env={"PATH": "/usr/bin:/bin", "HOME": tmp, "MPLCONFIGDIR": tmp}, cwd=tmp)
        made = Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None
        if made is None or not made.is_file():
            print(f"matplotlib font list not built ({proc.stderr.strip()[-300:]}); students build their own",
                  file=sys.stderr)
            return None
        dest = out / made.name
        shutil.copyfile(made, dest)
    os.chmod(dest, 0o644)
    return dest


def deliver_content(s, username: str) -> int:
    """Copy the course pages into ~/<content_dir_name> as the student; files they have are kept. Returns count.

    Also the hub's matplotlib font list into ~/.cache/matplotlib when the student has none."""
    user = pwd.getpwnam(username)
    if user.pw_uid == 0:
        raise InputError("course content is never delivered to root.")
    files = [[str(rel), base64.b64encode((s.content_root / rel).read_bytes()).decode()]
             for rel in course_content(s.content_root)]
    home_files = [[f"{FONT_CACHE_HOME}/{p.name}", base64.b64encode(p.read_bytes()).decode()]
                  for p in font_caches(s)]
    job = {"root": os.path.join(user.pw_dir, s.content_dir_name), "uid": user.pw_uid, "files": files,
           "home": user.pw_dir, "home_files": home_files}
    proc = subprocess.run(
        [student_python(), "-I", "-S", "-c", _AS_STUDENT], input=json.dumps(job), capture_output=True, text=True,
        user=user.pw_uid, group=user.pw_gid, extra_groups=os.getgrouplist(username, user.pw_gid),
        umask=0o022, env={"HOME": user.pw_dir, "PATH": "/usr/bin:/bin"}, cwd="/", timeout=120)
    if proc.returncode != 0:
        raise InputError(f"course content for {username} not delivered: {proc.stderr.strip()[-500:]}")
    result = json.loads(proc.stdout)
    if result["failed"]:
        print(f"course content for {username}: {len(result['failed'])} files not written "
              f"(e.g. {result['failed'][0]})", file=sys.stderr)
    return result["copied"]


# ----------------------------------------------------------------------------- student repository
STUDENT_REPO_FILES = ["requirements.txt", "constraints.txt", "environment.yml",
                      "hub/lab-overrides.json", "indi/**/*.py", "datasets/**/*"]
POSTBUILD = """#!/bin/bash
# repo2docker runs this after installing environment.yml: the course package, outside the home folder
# (a user's home volume hides the build folder), plus the kernel name the labs ask for.
set -euo pipefail
dest="${NB_PYTHON_PREFIX}/share/indi-lab"
mkdir -p "$dest" && cp -r indi datasets pyproject.toml "$dest"/
pip install --no-deps --no-build-isolation -e "$dest"
python -m compileall -q "$dest/indi"   # users cannot write bytecode into the image
pip uninstall -y rfc3987-syntax        # ~1 s of CPU in every server start; no Jupyter schema needs it
python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (INDI Lab)"
install -D -m 644 hub/lab-overrides.json "${NB_PYTHON_PREFIX}/share/jupyter/lab/settings/overrides.json"
pip install ngshare_exchange   # the nbgrader exchange on Kubernetes (hub/README.md)
"""


def student_pyproject(text: str) -> str:
    """The repository's pyproject.toml for the learner package only: no ops package, no indi-ops command."""
    lines = [line for line in text.splitlines() if "indi_ops" not in line or line.lstrip().startswith("include")]
    out = "\n".join(lines) + "\n"
    out = re.sub(r'include = \[[^\]]*\]', 'include = ["indi", "indi.*"]', out)
    if "indi_ops" in out:
        raise InputError("pyproject.toml: could not strip the ops package for the student export; "
                         "keep its [tool.setuptools.packages.find] include list on one line.")
    return out


def export_student_repo(dest: Path) -> int:
    """What a student image (repo2docker) and nbgitpuller may see: pages, learner package, pins.

    No lab sources, no solutions, no ops package (``indi_ops``): the export is built from an allow-list.
    """
    dest = Path(dest)
    sources = {Path("indi-lab") / rel: REPO_ROOT / rel for rel in course_content(REPO_ROOT)}
    for pattern in STUDENT_REPO_FILES:
        for p in sorted(REPO_ROOT.glob(pattern)):
            rel = p.relative_to(REPO_ROOT)
            if p.is_file() and not p.is_symlink() and "__pycache__" not in rel.parts:
                sources[rel] = p
    for rel, src in sources.items():
        text = src.read_text(encoding="utf-8", errors="ignore")
        if rel.parts[0] == "indi-lab" and any(m in text for m in SOLUTION_MARKERS):
            raise InputError(f"{src} holds solution markers; it must not go to students.")
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest / rel)
    (dest / "pyproject.toml").write_text(student_pyproject((REPO_ROOT / "pyproject.toml").read_text()))
    (dest / "postBuild").write_text(POSTBUILD)
    os.chmod(dest / "postBuild", 0o755)
    return len(sources) + 1

"""The nbgrader course as nbgrader sees it: its config, its CourseDirectory, its gradebook and its API.

Every path comes from nbgrader's ``CourseDirectory`` (``format_path``), so a teacher who changes a folder
name in ``nbgrader_config.py`` changes it for the course's commands too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def ensure_env_tools_on_path() -> None:
    """nbgrader runs the `alembic` command (from this environment) when it creates a gradebook."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def load_config(course_root: Path):
    """The course's nbgrader config (its ``nbgrader_config.py``), as nbgrader commands load it."""
    from traitlets.config import Config, PyFileConfigLoader

    loader = PyFileConfigLoader("nbgrader_config.py", path=str(course_root))
    cfg = loader.load_config()
    return cfg if isinstance(cfg, Config) else Config(cfg)


def coursedir(course_root: Path):
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=load_config(Path(course_root)))


def course_dir(course_root: Path, which: str) -> Path:
    """One of nbgrader's step folders: 'source', 'release', 'submitted', 'autograded', 'feedback'."""
    cd = coursedir(course_root)
    return Path(cd.root) / getattr(cd, f"{which}_directory")


def submission_path(course_root: Path, which: str, student_id: str, lab: str) -> Path:
    """``<which>/<student>/<lab>`` as nbgrader's CourseDirectory formats it."""
    cd = coursedir(course_root)
    return Path(cd.format_path(getattr(cd, f"{which}_directory"), student_id, lab))


def gradebook(course_root: Path):
    from nbgrader.api import Gradebook

    ensure_env_tools_on_path()
    cd = coursedir(course_root)
    return Gradebook(cd.db_url, cd.course_id)


def api(course_root: Path):
    """nbgrader's own Python API (``NbGraderAPI``) for this course."""
    from nbgrader.apps.api import NbGraderAPI

    ensure_env_tools_on_path()
    cfg = load_config(Path(course_root))
    from nbgrader.coursedir import CourseDirectory

    return NbGraderAPI(coursedir=CourseDirectory(config=cfg), config=cfg)

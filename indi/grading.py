"""nbgrader settings for the course, in one place.

``nbgrader_config.py`` at the repository root calls :func:`configure`; so do the temporary courses the
tests build, so tests grade exactly the way teachers do. Folder names are nbgrader's own
(source → release → submitted → autograded → feedback), with ``labs/`` as the source folder.
"""

from __future__ import annotations

from pathlib import Path

# A lab cell that runs longer than this is interrupted and scores 0; grading goes on (nbgrader Execute).
CELL_TIMEOUT_S = 300


def configure(c, course_root: str | Path, source_directory: str = "labs") -> None:
    """Apply the course's nbgrader settings to the traitlets config ``c``."""
    from nbgrader.preprocessors import ClearHiddenTests, CSSHTMLHeaderPreprocessor, GetGrades

    root = Path(course_root).resolve()
    c.CourseDirectory.course_id = "indi-lab"
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = source_directory
    c.CourseDirectory.release_directory = "grading/release"
    c.CourseDirectory.submitted_directory = "grading/submitted"
    c.CourseDirectory.autograded_directory = "grading/autograded"
    c.CourseDirectory.feedback_directory = "grading/feedback"
    c.CourseDirectory.db_url = f"sqlite:///{root / 'grading' / 'gradebook.db'}"
    # Lab folders hold a README.md (the lab page); checkpoints and caches never go to students.
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
    # Students are created on first submission (a hub adds them by OS user name).
    c.Autograde.create_student = True
    c.Execute.timeout = CELL_TIMEOUT_S
    c.Execute.interrupt_on_timeout = True
    # Feedback shows scores, visible tests and comments, never the hidden tests.
    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

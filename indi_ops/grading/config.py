"""nbgrader settings for the course, in one place, and the preprocessors that make grading safe.

``nbgrader_config.py`` at the repository root calls :func:`configure`; so do the temporary courses the
tests build, so tests grade exactly the way teachers do. Folder names are nbgrader's own
(source → release → submitted → autograded → feedback), with ``labs/`` as the source folder.

What this adds to nbgrader 0.9.6 as shipped:

* students' code runs in a sandbox (:mod:`indi_ops.grading.sandbox`): own scratch folder, no network, memory and
  CPU limits, no access to the course, the gradebook or other students' files;
* a dead kernel (crash, ``os._exit``, memory/CPU limit) grades what ran and flags the rest, instead of
  dropping the submission; output is capped while it arrives;
* :class:`CheckStructure` notes duplicated/split cells, restores deleted read-only (test) cells from
  the release and flags reordered graded cells; :class:`FlagProblems` turns every problem into
  nbgrader's own "needs manual grade" mark plus a comment with the reason, visible in formgrader;
* tampering with the kernel to switch tests off (input transformers, hooks, trace functions, patched
  builtins …) is caught by a code scan, canary cells and kernel probes (:mod:`indi_ops.grading.tamper`)
  and flagged for manual grading with the reason;
* feedback never shows hidden tests, in any encoding: its outputs come from a second sandboxed run of
  the notebook without them (:mod:`indi_ops.grading.feedback`); ``ClearHiddenTests`` removes them from
  the test cells, :class:`RedactHiddenTests` stays as a second line of defence;
* formgrader and feedback render no scripts, event handlers or ``javascript:`` links from a student's
  outputs or markdown (:mod:`indi_ops.grading.sanitize`).

Grading a whole class (unreadable notebooks, wrong names, rosters, reports): :mod:`indi_ops.grading.classroom`.
"""

from __future__ import annotations

from pathlib import Path

from indi_ops.grading.metadata import CELL_TIMEOUT_S


def configure(c, course_root: str | Path, source_directory: str = "labs", db_url: str | None = None) -> None:
    """Apply the course's nbgrader settings to the traitlets config ``c``.

    ``db_url``: the gradebook; default SQLite in ``grading/gradebook.db``. A hub with several graders
    can use PostgreSQL: ``postgresql://user@host/dbname`` (or set ``INDI_GRADEBOOK_URL``).
    """
    import os

    from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearHiddenTests,
        ClearOutput,
        DeduplicateIds,
        GetGrades,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )

    from indi_ops.grading.feedback import FeedbackRun
    from indi_ops.grading.preprocessors import CheckStructure, FlagProblems, RedactHiddenTests
    from indi_ops.grading.sandbox import SandboxedExecute
    from indi_ops.grading.sanitize import SanitizeOutputs
    from indi_ops.grading.tamper import CheckChecks, InsertChecks

    root = Path(course_root).resolve()
    c.CourseDirectory.course_id = "indi-lab"
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = source_directory
    c.CourseDirectory.release_directory = "grading/release"
    c.CourseDirectory.submitted_directory = "grading/submitted"
    c.CourseDirectory.autograded_directory = "grading/autograded"
    c.CourseDirectory.feedback_directory = "grading/feedback"
    db_url = db_url or os.environ.get("INDI_GRADEBOOK_URL") or f"sqlite:///{root / 'grading' / 'gradebook.db'}"
    c.CourseDirectory.db_url = db_url
    # Lab folders hold a README.md (the lab page); checkpoints and caches never go to students.
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]
    # Students are created on first submission (a hub adds them by OS user name).
    c.Autograde.create_student = True
    c.Execute.timeout = CELL_TIMEOUT_S
    c.Execute.interrupt_on_timeout = True
    # nbgrader's own steps, plus the course's checks; the kernel runs in the sandbox.
    c.Autograde.sanitize_preprocessors = [CheckStructure, ClearOutput, DeduplicateIds, OverwriteKernelspec,
                                          OverwriteCells, CheckCellMetadata]
    # InsertChecks/CheckChecks: code scan, canary cells and kernel probes around the run (tampering);
    # SanitizeOutputs: formgrader renders no active content from the submission.
    c.Autograde.autograde_preprocessors = [InsertChecks, SandboxedExecute, CheckChecks, SanitizeOutputs,
                                           IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
                                           AssignLatePenalties, CheckCellMetadata, FlagProblems]
    # Graders see each written answer's rubric under it in formgrader (never in the release).
    from indi_ops.grading.rubrics import ShowRubrics

    c.Autograde.autograde_preprocessors = [*c.Autograde.autograde_preprocessors, ShowRubrics]
    # Feedback shows scores, visible tests and comments, never the hidden tests: its outputs come from a
    # second sandboxed run without them (FeedbackRun), sanitised; scores from the gradebook.
    c.GenerateFeedback.preprocessors = [GetGrades, FeedbackRun, RedactHiddenTests, ClearHiddenTests,
                                        CSSHTMLHeaderPreprocessor]
    # Collect from the hub's exchange trusting the folder's owner and the server's clock, never links.
    c.ExchangeFactory.collect = "indi_ops.grading.exchange.SafeCollect"
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}



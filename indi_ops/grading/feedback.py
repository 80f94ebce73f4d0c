"""Feedback built from a run that never saw the hidden tests.

Autograde runs the notebook with the hidden tests in it; whatever the student's code printed, wrote,
drew or raised after that point may encode them (a ``pre_run_cell`` hook printing ``base64(cell)``, a
file read back later, an image, an error message). Redacting literal lines cannot catch every
encoding, so feedback does not use those outputs at all: :class:`FeedbackRun` runs the student's
notebook again, in the same sandbox, with the hidden tests removed (exactly what the student would see
running the released notebook), and shows that run's outputs. Scores still come from the gradebook
(the autograde run). A test cell whose hidden tests failed gets one fixed sentence, nothing computed.

Cost: every submission is executed twice (once for the grade, once for feedback); the benchmark key
``grading.feedback_run_overhead_ratio`` measures it.
"""

from __future__ import annotations

import copy

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

from indi_ops.grading.metadata import HIDDEN_FAILED
from indi_ops.grading.preprocessors import hidden_test_lines, redact_outputs
from indi_ops.grading.sanitize import release_markdown, safe_markdown, sanitize_notebook


def _failed(cell: NotebookNode) -> bool:
    """Did this test cell fail in the autograde run (nbgrader's own rule: an error or stderr output)?"""
    return any(o.get("output_type") == "error" or (o.get("output_type") == "stream" and o.get("name") == "stderr")
               for o in cell.get("outputs", []))


class FeedbackRun(NbGraderPreprocessor):
    """Feedback step (after GetGrades): outputs from a sandboxed run without hidden tests, sanitised."""

    def preprocess(self, nb: NotebookNode, resources):
        from indi_ops.grading.sandbox import SandboxedExecute

        secret = hidden_test_lines(nb)
        work = copy.deepcopy(nb)
        work, resources = ClearHiddenTests(parent=self).preprocess(work, resources)
        for cell in work.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        run_resources = {k: v for k, v in resources.items() if k in ("metadata", "nbgrader", "unique_key")}
        work, _ = SandboxedExecute(parent=self).preprocess(work, run_resources)
        for cell, fresh in zip(nb.cells, work.cells, strict=True):
            if cell.cell_type != "code":
                continue
            hidden_failed = utils.is_grade(cell) and not utils.is_solution(cell) and _failed(cell)
            cell.source = fresh.source  # hidden tests removed
            cell.outputs = fresh.outputs
            cell.execution_count = fresh.get("execution_count")
            if hidden_failed and not _failed(fresh):
                cell.outputs.append(NotebookNode(output_type="stream", name="stdout", text=HIDDEN_FAILED + "\n"))
        redact_outputs(nb, secret)  # nothing should match; kept as a second line of defence
        sanitize_notebook(nb, release_markdown(resources))
        # Comments are rendered as markdown by the feedback template (auto comments can quote a
        # student's file or magic names): the same check as a student's markdown.
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("comment"):
                meta["comment"], _ = safe_markdown(str(meta["comment"]))
        return nb, resources

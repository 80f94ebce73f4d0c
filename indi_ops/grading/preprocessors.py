"""The course's nbgrader preprocessors: structure checks, flags for manual grading, feedback redaction.

* :class:`CheckStructure` notes duplicated/split cells, restores deleted read-only (test) cells from
  the release and flags reordered graded cells;
* :class:`FlagProblems` turns every problem into nbgrader's own "needs manual grade" mark plus a comment
  with the reason, visible in formgrader;
* :class:`RedactHiddenTests` removes any output (tracebacks, prints) that quotes hidden tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from indi_ops.grading.metadata import FLAGS_KEY, HIDDEN_BEGIN, HIDDEN_END, META_KEY, REDACTED


def _release_notebook(resources) -> Path | None:
    """The released (student) version of the notebook being graded, if it is there."""
    nbg = resources.get("nbgrader", {})
    unique_key = resources.get("unique_key") or nbg.get("notebook")
    course_root = Path(nbg.get("course_root", resources.get("metadata", {}).get("path", ".")))
    for parent in [course_root, *course_root.parents]:
        candidate = parent / "grading" / "release" / nbg.get("assignment", "") / f"{unique_key}.ipynb"
        if candidate.is_file():
            return candidate
    return None


class CheckStructure(NbGraderPreprocessor):
    """Sanitize step: compare the submission's graded cells with the release before nbgrader does.

    * duplicated grade ids (copied or split cells) → a note (nbgrader keeps the last copy);
    * a deleted read-only cell (tests) → put back from the release after its predecessor, a note;
    * graded cells in another order than the release → flagged for manual grading.
    """

    def preprocess(self, nb: NotebookNode, resources):
        notes, flags = [], []
        ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade_id")]
        dups = sorted({i for i in ids if ids.count(i) > 1})
        if dups:
            notes.append(f"duplicated or split cells: {', '.join(dups)} (the last copy was graded)")
        # Keep nbgrader metadata on the last copy of a grade id only (as DeduplicateIds would), and drop
        # metadata that is not nbgrader's current schema: nbgrader 0.9.6 stops the WHOLE class run on
        # either (SchemaTooOldError), not just this submission.
        seen: set[str] = set()
        for cell in reversed(nb.cells):
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            gid = meta.get("grade_id") if isinstance(meta, dict) else None
            if not gid or gid in seen or meta.get("schema_version") != 3:
                del cell.metadata["nbgrader"]
                if gid and gid not in seen:
                    notes.append(f"cell '{gid}' had damaged grading metadata; treated as a plain cell")
            else:
                seen.add(gid)
        release_path = _release_notebook(resources)
        if release_path is not None:
            release = nbformat.read(release_path, as_version=4)
            order = [c.metadata["nbgrader"]["grade_id"] for c in release.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id")]
            present = set(ids)
            restored = []
            for cell in release.cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if not gid or gid in present or not utils.is_locked(cell):
                    continue
                # Insert after the last cell of an earlier grade id that is in the submission.
                earlier = order[:order.index(gid)]
                at = 0
                for i, c in enumerate(nb.cells):
                    if c.metadata.get("nbgrader", {}).get("grade_id") in earlier:
                        at = i + 1
                nb.cells.insert(at, nbformat.from_dict(cell))
                present.add(gid)
                restored.append(gid)
            if restored:
                notes.append(f"deleted read-only cells restored from the release: {', '.join(restored)}")
            first_seen = list(dict.fromkeys(c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                                            if c.metadata.get("nbgrader", {}).get("grade_id")))
            seq = [g for g in first_seen if g in order]
            if seq != sorted(seq, key=order.index):
                flags.append("graded cells are in a different order than in the lab "
                             f"(found {', '.join(seq)}); check that tests ran after the code they test")
            missing = [g for g in order if g not in present]
            if missing:
                notes.append(f"cells deleted by the student: {', '.join(missing)} (scored as no answer)")
        nb.metadata[META_KEY] = {"notes": notes, "flags": flags}
        cell_ids = [c.get("id") for c in nb.cells]
        if nb.get("nbformat_minor", 0) >= 5 and (None in cell_ids or len(set(cell_ids)) < len(cell_ids)):
            # Duplicate or missing nbformat cell ids (copied cells, restored cells): renumber them all.
            for i, cell in enumerate(nb.cells):
                cell["id"] = f"cell-{i}"
        return nb, resources


class FlagProblems(NbGraderPreprocessor):
    """Autograde step (last): problems found become nbgrader's own "needs manual grade" + a comment."""

    def preprocess(self, nb: NotebookNode, resources):
        from nbgrader.api import Gradebook

        found = resources.get(FLAGS_KEY, [])
        timeouts = [c.metadata.get("nbgrader", {}).get("grade_id", f"cell {i + 1}") for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and any(o.get("ename") == "CellTimeoutError" for o in c.get("outputs", []))]
        if timeouts:
            found = [*found, f"time limit reached in: {', '.join(timeouts)} (interrupted, scored 0)"]
        info = nb.metadata.get(META_KEY, resources.get(META_KEY, {"notes": [], "flags": []}))
        flags = [*info.get("flags", []), *found]
        # "done" tells indi_ops.grading.classroom that this notebook was graded to the end (a killed run leaves none).
        nb.metadata[META_KEY] = {"notes": info.get("notes", []), "flags": flags, "done": True}
        if not flags:
            return nb, resources
        nbg = resources["nbgrader"]
        from indi_ops.grading.sanitize import plain_text

        # Comments are rendered as markdown in feedback: keep them plain text (reasons can quote names
        # a student chose, such as a magic's name).
        text = plain_text("Needs manual grading: " + "; ".join(flags))
        self.log.warning("%s/%s: %s", nbg["student"], nbg["assignment"], text)
        with Gradebook(nbg["db_url"]) as gb:
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                gid = meta.get("grade_id")
                if not gid:
                    continue
                if utils.is_grade(cell):
                    grade = gb.find_grade(gid, nbg["notebook"], nbg["assignment"], nbg["student"])
                    grade.needs_manual_grade = True
                if utils.is_solution(cell) or utils.is_task(cell):
                    comment = gb.find_comment(gid, nbg["notebook"], nbg["assignment"], nbg["student"])
                    comment.auto_comment = text
            gb.db.commit()
        return nb, resources


def hidden_test_lines(nb: NotebookNode) -> list[str]:
    """Every non-trivial line inside a hidden-tests block of the notebook."""
    lines = []
    if any(HIDDEN_BEGIN in cell.get("source", "") for cell in nb.cells):
        # A traceback's context lines can show the markers themselves: they count as hidden too.
        lines += [HIDDEN_BEGIN, HIDDEN_END]
    for cell in nb.cells:
        inside = False
        for line in cell.get("source", "").splitlines():
            if HIDDEN_BEGIN in line:
                inside = True
            elif HIDDEN_END in line:
                inside = False
            elif inside and len(line.strip()) >= 6:
                lines.append(line.strip())
    return lines


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def redact_outputs(nb: NotebookNode, secret: list[str]) -> None:
    """Replace every output of ``nb`` that quotes one of the ``secret`` lines (in place)."""
    if not secret:
        return

    def leaks(text: str) -> bool:
        flat = _strip_ansi(text)
        return any(line in flat for line in secret)

    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            blob = " ".join([str(out.get("text", "")), str(out.get("evalue", "")),
                             "\n".join(out.get("traceback", [])), str(out.get("data", ""))])
            if not leaks(blob):
                outputs.append(out)
            elif out.get("output_type") == "error":
                # Keep the error and its message (a visible assert's message teaches); drop the
                # traceback, whose context lines quote the test cell.
                ename = out.get("ename", "Error")
                evalue = REDACTED if leaks(str(out.get("evalue", ""))) else str(out.get("evalue", ""))
                outputs.append(NotebookNode(output_type="error", ename=ename, evalue=evalue,
                                            traceback=[f"{ename}: {evalue}"]))
            else:
                outputs.append(NotebookNode(output_type="stream", name="stdout", text=REDACTED + "\n"))
        if cell.cell_type == "code":
            cell.outputs = outputs


class RedactHiddenTests(NbGraderPreprocessor):
    """Feedback step (before ClearHiddenTests): drop outputs that quote hidden test code.

    A failing hidden assert's traceback shows the assert. Any output containing a hidden-test line is
    replaced by a notice; an error keeps its name, so the student still sees that the cell failed.
    Other encodings are handled by not showing the autograde run's outputs at all
    (:class:`indi_ops.grading.feedback.FeedbackRun`); this stays as a second line of defence.
    """

    def preprocess(self, nb: NotebookNode, resources):
        redact_outputs(nb, hidden_test_lines(nb))
        return nb, resources

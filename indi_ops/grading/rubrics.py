"""Rubrics for the written (manually graded) answers: kept beside the lab's source, shown to graders only.

Format (``lab_sources/<lab_id>_checks/rubrics.yml``): each manually graded cell's grade id maps to one
level per point value from 0 to the cell's points, Swedish first (English welcome)::

    reflection_data_quality:
      0: "Nämner inga problem i data. / Names no data problem."
      1: "…"
      2: "…"

Graders see them in formgrader: :class:`ShowRubrics`, the last autograde step, puts a read-only Markdown
cell with the rubric right under each written answer of the *autograded* notebook (the one formgrader
shows). The release never holds them (the folder is outside ``labs/``); the feedback, made from the
autograded notebook after grading, shows the rubric under the answer, which is meant.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from traitlets import Unicode

from nbgrader.preprocessors import NbGraderPreprocessor

RUBRIC_KEY = "indi_rubric"  # cell metadata key marking an inserted rubric cell (value: the answer's grade id)


def rubrics_path(lab: str, sources: Path) -> Path:
    return Path(sources) / f"{lab}_checks" / "rubrics.yml"


def load_rubrics(lab: str, sources: Path) -> dict[str, dict[int, str]]:
    """The lab's rubrics ({} when it has no rubrics file); raises ValueError naming a malformed entry."""
    import yaml

    path = rubrics_path(lab, sources)
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected 'grade_id: {{0: text, 1: text, …}}' entries")
    out: dict[str, dict[int, str]] = {}
    for gid, levels in data.items():
        if not isinstance(levels, dict) or not all(isinstance(k, int) for k in levels):
            raise ValueError(f"{path}: '{gid}' must map whole point values (0, 1, 2) to criteria")
        out[str(gid)] = {int(k): str(v).strip() for k, v in sorted(levels.items())}
    return out


def _written_answers(nb) -> dict[str, float]:
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        if cell.cell_type == "markdown" and meta.get("solution") and meta.get("grade"):
            out[meta["grade_id"]] = float(meta.get("points", 0))
    return out


def rubric_problems(nb, rubrics: dict[str, dict[int, str]], where: str = "rubrics.yml") -> list[str]:
    """Every written answer of the notebook needs a level per point value 0…points; no stray entries."""
    problems = []
    answers = _written_answers(nb)
    for gid, points in answers.items():
        levels = rubrics.get(gid)
        want = list(range(int(points) + 1))
        if levels is None:
            problems.append(f"{where}: no rubric for written answer '{gid}' ({points:g} p): add levels {want}")
        elif sorted(levels) != want or any(not text for text in levels.values()):
            problems.append(f"{where}: '{gid}' ({points:g} p) needs one non-empty criterion for each of {want}, "
                            f"has {sorted(levels)}")
    for gid in rubrics:
        if gid not in answers:
            problems.append(f"{where}: '{gid}' is not a written answer cell of the lab")
    return problems


def rubric_markdown(gid: str, levels: dict[int, str]) -> str:
    lines = [f"**Bedömningsstöd / Rubric** (endast för lärare / graders only) — `{gid}`", ""]
    lines += [f"- **{points} p:** {text}" for points, text in sorted(levels.items())]
    return "\n".join(lines)


class ShowRubrics(NbGraderPreprocessor):
    """Autograde step: a read-only rubric cell under each written answer, for formgrader."""

    sources_dir = Unicode("", help="Folder holding <lab_id>_checks/rubrics.yml (default: <course root>/lab_sources)"
                          ).tag(config=True)

    def _sources(self) -> Path:
        if self.sources_dir:
            return Path(self.sources_dir)
        root = self.config.CourseDirectory.get("root") if "CourseDirectory" in self.config else None
        return Path(root or ".") / "lab_sources"

    def preprocess(self, nb, resources):
        lab = resources.get("nbgrader", {}).get("assignment")
        if not lab:
            return nb, resources
        try:
            rubrics = load_rubrics(lab, self._sources())
        except ValueError as exc:
            self.log.warning("rubrics not shown: %s", exc)
            return nb, resources
        cells = []
        for cell in nb.cells:
            if cell.get("metadata", {}).get(RUBRIC_KEY):
                continue  # re-running on an already autograded notebook: no second copy
            cells.append(cell)
            meta = cell.get("metadata", {}).get("nbgrader") or {}
            if not (cell.cell_type == "markdown" and meta.get("solution") and meta.get("grade")):
                continue
            levels = rubrics.get(meta.get("grade_id"))
            if levels is None:
                self.log.warning("no rubric for %s in %s", meta.get("grade_id"), rubrics_path(lab, self._sources()))
                continue
            rubric = nbformat.v4.new_markdown_cell(rubric_markdown(meta["grade_id"], levels))
            rubric.id = f"rubric-{meta['grade_id']}"[:64]
            rubric.metadata = {RUBRIC_KEY: meta["grade_id"], "editable": False, "deletable": False}
            cells.append(rubric)
        nb.cells = cells
        return nb, resources

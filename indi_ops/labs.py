"""Lab sources: each lab's text notebook in ``lab_sources/<id>.md`` is the truth; ``labs/<id>/<id>.ipynb`` follows.

A teacher edits the MyST Markdown text notebook (jupytext; nbgrader metadata in each cell's options) and
runs ``make labs`` (``indi-ops labs sync``), which writes the nbgrader source notebook that
``generate_assignment`` reads. The text sources stay outside ``labs/``: nbgrader copies every file of a lab
folder into the student release, and these hold the solutions.

Cell ids stay stable across syncs (a cell keeps the id of the cell it was: same grade id, same text, or
same place), so a one-word fix is a one-line diff in both files. ``indi-ops labs check`` (and a test) fails
when a notebook is out of step with its text source.

What the participant receives is checked too: every written answer cell is preceded by the question it
answers (:func:`answers_without_question`: a question and its model answer in one cell vanish together
from the release), and every instruction of the source survives ``generate_assignment``
(:func:`lost_in_release`), and every instruction reads Swedish first with the English folded below it
(:func:`untranslated`). ``indi-ops labs check-graders`` runs the grader checks (:mod:`indi_ops.labcheck`).
"""

from __future__ import annotations

import difflib
import hashlib
import re
import sys
from pathlib import Path

from indi.errors import InputError
from indi.paths import REPO_ROOT

SOURCES = REPO_ROOT / "lab_sources"
LABS = REPO_ROOT / "labs"
KERNELSPEC = {"display_name": "Python 3 (INDI Lab)", "language": "python", "name": "python3"}


def lab_ids(sources: Path = SOURCES) -> list[str]:
    return sorted(p.stem for p in sources.glob("*.md") if not p.name.startswith(("_", "README")))


def _grade_id(cell) -> str | None:
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


def _fresh_id(source: str, taken: set[str]) -> str:
    digest = hashlib.sha1(source.encode()).hexdigest()
    for start in range(0, len(digest) - 8):
        cid = digest[start:start + 8]
        if cid not in taken:
            return cid
    raise RuntimeError("no free cell id")  # 32 tries over a sha1: cannot happen in practice


def carry_ids(new_cells: list, old_cells: list) -> None:
    """Give each new cell the id of the old cell it continues (grade id, then equal text, then position)."""
    old_ids = [c.get("id") for c in old_cells]
    used: set[int] = set()
    match: dict[int, int] = {}
    by_grade = {_grade_id(c): i for i, c in enumerate(old_cells) if _grade_id(c)}
    for i, cell in enumerate(new_cells):
        j = by_grade.get(_grade_id(cell))
        if j is not None and j not in used:
            match[i], _ = j, used.add(j)
    # Align the rest by text: unchanged cells match exactly, an edited cell takes the id of the cell in
    # its place (same type) in a replaced block.
    a = [(c.cell_type, c.source) for c in old_cells]
    b = [(c.cell_type, c.source) for c in new_cells]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "insert" or tag == "delete":
            continue
        for k in range(min(i2 - i1, j2 - j1)):
            old, new = i1 + k, j1 + k
            if new in match or old in used or old_cells[old].cell_type != new_cells[new].cell_type:
                continue
            match[new], _ = old, used.add(old)
    taken = {old_ids[j] for j in match.values() if old_ids[j]}
    for i, cell in enumerate(new_cells):
        cid = old_ids[match[i]] if i in match and old_ids[match[i]] else None
        if cid is None:
            cid = _fresh_id(cell.source, taken)
            taken.add(cid)
        cell["id"] = cid


def render(lab_id: str, sources: Path = SOURCES, labs: Path = LABS):
    """The nbgrader source notebook for ``lab_id`` as its text source says it is (no outputs)."""
    import jupytext
    import nbformat

    src = sources / f"{lab_id}.md"
    if not src.is_file():
        raise InputError(f"no text source {src}: each lab in labs/ needs lab_sources/<id>.md")
    nb = jupytext.read(src)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.nbformat, nb.nbformat_minor = 4, 5
    target = labs / lab_id / f"{lab_id}.ipynb"
    old = nbformat.read(target, as_version=4).cells if target.is_file() else []
    carry_ids(nb.cells, old)
    nbformat.validate(nb)
    return nb


def sync(lab_id: str, sources: Path = SOURCES, labs: Path = LABS) -> bool:
    """Write ``labs/<id>/<id>.ipynb`` from its text source; True if the file changed."""
    import nbformat

    target = labs / lab_id / f"{lab_id}.ipynb"
    text = nbformat.writes(render(lab_id, sources, labs)) + "\n"
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return True


def out_of_sync(sources: Path = SOURCES, labs: Path = LABS) -> list[str]:
    """Labs whose notebook differs from what their text source renders to (or that lack one)."""
    import nbformat

    stale = []
    notebooks = {p.stem for p in labs.glob("*/*.ipynb") if p.stem == p.parent.name}
    for lab_id in sorted(notebooks | set(lab_ids(sources))):
        target = labs / lab_id / f"{lab_id}.ipynb"
        try:
            want = nbformat.writes(render(lab_id, sources, labs)) + "\n"
        except InputError:
            stale.append(lab_id)
            continue
        if not target.is_file() or target.read_text(encoding="utf-8") != want:
            stale.append(lab_id)
    return stale


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader") or {}


def is_written_answer(cell) -> bool:
    """A manually graded Markdown answer: the release replaces its whole text with YOUR ANSWER HERE."""
    meta = _nbgrader(cell)
    return cell.cell_type == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


def answers_without_question(nb) -> list[str]:
    """Written answer cells with no question right before them (the release would show a bare answer box)."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if not is_written_answer(cell):
            continue
        prev = nb.cells[i - 1] if i else None
        if prev is None or prev.cell_type != "markdown" or is_written_answer(prev) or not prev.source.strip():
            problems.append(f"answer cell '{_nbgrader(cell).get('grade_id')}' (cell {i}) has no question cell "
                            "before it: put the question in its own Markdown cell above the answer cell")
    return problems


# Swedish first, English folded below (the shape is documented in lab_sources/README.md).
FOLD_OPEN = "<details><summary>In English</summary>"
FOLD_CLOSE = "</details>"
_FOLD = re.compile(re.escape(FOLD_OPEN) + r"\n\n(.*?)\n\n" + re.escape(FOLD_CLOSE) + r"[ \t]*$", re.S | re.M)
_HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.M)
_NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$|<[^>\n]+>|https?://\S+", re.S)
# Short function words: a sentence of either language has several, technical terms have none.
SV_WORDS = frozenset("och att det som är för på med av till inte har den om kan du vi när så eller från hur vad "
                     "varje bara också där efter mot ska ett en de din ditt dina era er vilka vilken sig än alla "
                     "men utan inom här nu vid hos då sin sina".split())
EN_WORDS = frozenset("the and of to is that for with on are it this you as be not by from or what when which "
                     "each only your than at its into how why does do if an but all was were would one two "
                     "against about then they their these those more less every other same has have can will "
                     "should must may".split())


def language_scores(text: str) -> tuple[int, int]:
    """(Swedish, English) evidence in prose: function words of each language, plus words with å, ä or ö."""
    words = re.findall(r"[^\W\d_]+", _NOT_PROSE.sub(" ", text).lower())
    sv = sum(w in SV_WORDS or bool(re.search("[åäö]", w)) for w in words)
    return sv, sum(w in EN_WORDS for w in words)


def _prose(text: str) -> str:
    return _HEADING.sub("", text).strip()


def _is_swedish(text: str) -> bool:
    sv, en = language_scores(text)
    return sv >= 2 and sv >= 2 * en


def _is_english(text: str) -> bool:
    sv, en = language_scores(text)
    return en >= 2 and en >= 2 * sv


def untranslated(nb, min_words: int = 4) -> list[str]:
    """Markdown cells a participant reads that are not Swedish first with the English folded below.

    Every Markdown cell but a written answer (which the release replaces) must read: Swedish text, then
    ``<details><summary>In English</summary>``, a blank line, the English, a blank line, ``</details>`` —
    once per part of the cell; headings read ``Swedish / English``. Without the blank lines JupyterLab and
    nbconvert show the English as raw Markdown, so a fold without them is a problem too.
    """
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or is_written_answer(cell):
            continue
        text, where = cell.source, f"cell {i} ({cell.source.strip()[:60]!r})"
        folds = list(_FOLD.finditer(text))
        if text.count("<details") != len(folds) or text.count(FOLD_CLOSE) != len(folds):
            problems.append(f"{where}: write each fold as `{FOLD_OPEN}`, a blank line, the English, a blank line, "
                            f"`{FOLD_CLOSE}` on its own line (Markdown inside HTML needs the blank lines)")
            continue
        outside = _FOLD.split(text)[::2]  # the text before, between and after the folds
        for heading in _HEADING.findall("\n".join(outside)):
            sv_part, sep, en_part = heading.partition(" / ")
            if not sep or not sv_part.strip() or not en_part.strip() or sv_part.strip() == en_part.strip():
                problems.append(f"{where}: heading {heading!r} must read 'Swedish / English'")
            elif language_scores(sv_part)[1] > language_scores(sv_part)[0]:
                problems.append(f"{where}: heading {heading!r} must start with the Swedish")
        for fold in folds:
            if _HEADING.search(fold.group(1)):
                problems.append(f"{where}: no heading inside the English fold: put it after a slash in the heading")
            if not _is_english(fold.group(1)):
                problems.append(f"{where}: the fold must hold the English text, got {fold.group(1).strip()[:60]!r}")
        for k, part in enumerate(outside):
            prose = _prose(part)
            if len(prose.split()) < (min_words if k < len(folds) else 1):
                if k < len(folds):
                    problems.append(f"{where}: English fold {k + 1} has no Swedish text before it")
                continue
            if k < len(folds) and not _is_swedish(prose):
                problems.append(f"{where}: text before English fold {k + 1} must be Swedish, got {prose[:60]!r}")
            elif k == len(folds) and not _is_swedish(prose):
                problems.append(f"{where}: {prose[:60]!r} is not Swedish: write it in Swedish, English folded below")
            elif k == len(folds) and len(prose.split()) >= min_words:
                problems.append(f"{where}: Swedish text without its English fold after it: {prose[:60]!r}")
    return problems


def lost_in_release(source, release) -> list[str]:
    """Instructions of the source that the student release lacks: every Markdown cell that is not a written
    answer must appear verbatim, and every answer cell must still follow its question."""
    released = {c.source for c in release.cells if c.cell_type == "markdown"}
    lost = [f"missing from the release: {c.source.strip()[:90]!r}" for c in source.cells
            if c.cell_type == "markdown" and not is_written_answer(c) and c.source not in released]
    return lost + [f"release: {p}" for p in answers_without_question(release)]


def main(argv: list[str] | None = None) -> int:
    import argparse

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check-graders"]:
        from indi_ops import labcheck

        return labcheck.main(argv[1:])
    ap = argparse.ArgumentParser(prog="indi-ops labs", description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=["sync", "check", "check-graders"],
                    help="sync: write the notebooks; check: compare, and check that every instruction is Swedish "
                         "first with the English folded below; check-graders: run the grader checks "
                         "(indi-ops labs check-graders -h)")
    ap.add_argument("labs", nargs="*", help="lab ids (default: every lab_sources/*.md)")
    ap.add_argument("--sources", type=Path, default=SOURCES, help="folder of the text sources (default lab_sources/)")
    ap.add_argument("--labs-dir", type=Path, default=LABS, help="folder of the lab notebooks (default labs/)")
    args = ap.parse_args(argv)
    try:
        if args.action == "check":
            stale = [lab for lab in out_of_sync(args.sources, args.labs_dir) if not args.labs or lab in args.labs]
            for lab in stale:
                print(f"{lab}: {args.labs_dir / lab / (lab + '.ipynb')} is not what "
                      f"{args.sources / (lab + '.md')} says: run `make labs`")
            import jupytext

            unread = 0
            for lab in args.labs or lab_ids(args.sources):
                for problem in untranslated(jupytext.read(args.sources / f"{lab}.md")):
                    print(f"{lab}: {problem} (Swedish first, English folded below: lab_sources/README.md)")
                    unread += 1
            return 1 if stale or unread else 0
        for lab in args.labs or lab_ids(args.sources):
            print(f"{lab}: {'written' if sync(lab, args.sources, args.labs_dir) else 'unchanged'}")
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

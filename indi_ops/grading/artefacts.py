"""What a lab computes once per course, not once per student: its cached artefacts.

Some labs cache expensive results on disk, keyed by content (Lab 1's image features: one pass over
1,800 images, ~14 s of CPU). A grading kernel sees the cache folder read-only, so a cold cache would be
recomputed in every student's sandbox and thrown away. :func:`prepare` runs the lab's source notebook
(the teacher's own, trusted: not sandboxed) once with the cache writable, so everything the lab
caches is there before the class is graded; a student whose code asks for the same features reads
them. A stamp per source notebook version (in the cache folder itself, so clearing the cache clears
it) makes later calls free. ``make release`` and ``indi-ops grade autograde`` call it.

The run doubles as a check: a source notebook that fails its own tests is reported before 30
students are graded against it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from indi.errors import InputError
from indi.paths import cache_dir
from indi_ops.grading.course import course_dir

CELL_TIMEOUT_S = 900  # a cold feature pass on a busy 2-core machine stays well under this


def _stamp(lab: str, source: Path) -> Path:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    return cache_dir() / "course-artefacts" / f"{lab}-{digest}.json"


def _cache_files() -> set[Path]:
    root = cache_dir()
    return {p for p in root.rglob("*") if p.is_file() and "course-artefacts" not in p.parts} if root.exists() else set()


def prepare(course_root: Path, lab: str, progress: bool = True) -> dict:
    """Run ``lab``'s source notebook once so its cached artefacts exist; skip if done for this version.

    Returns ``{"lab", "skipped", "seconds", "cached_files"}``. Raises :class:`InputError` when the source
    is missing or fails (naming the cell and the error): fix the source before grading with it.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from tqdm.auto import tqdm

    from indi_ops.nbclient_fixes import without_widget_echo

    without_widget_echo()
    source = course_dir(Path(course_root).resolve(), "source") / lab / f"{lab}.ipynb"
    if not source.is_file():
        raise InputError(f"no source notebook {source}: is '{lab}' a lab of this course (a folder in labs/)?")
    stamp = _stamp(lab, source)
    if stamp.is_file():
        return {**json.loads(stamp.read_text()), "skipped": True}
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"the data cache {cache_dir()} is not writable ({exc}); set INDI_CACHE_DIR to a "
                         "folder you can write, or grade without prepared artefacts") from None
    nb = nbformat.read(source, as_version=4)
    code_cells = sum(c.cell_type == "code" and bool(c.source.strip()) for c in nb.cells)
    before = _cache_files()
    with tempfile.TemporaryDirectory(prefix=f"indi-prepare-{lab}-") as tmp:
        # The lab's own files (data, helpers) beside the notebook, as a student has them.
        work = Path(tmp) / lab
        shutil.copytree(source.parent, work, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        bar = tqdm(total=code_cells, desc=f"prepare {lab}", unit="cell", disable=not progress or None,
                   file=sys.stderr)

        def tick(**_):
            bar.update()

        client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", allow_errors=False,
                                resources={"metadata": {"path": str(work)}}, on_cell_executed=tick)
        t0 = time.perf_counter()
        try:
            client.execute()
        except CellExecutionError as exc:
            first = str(exc).strip().splitlines()
            raise InputError(f"the source notebook of {lab} fails when run ({first[-1][:300] if first else exc}); "
                             f"fix labs/{lab} (it must pass its own tests: `make labs`, then "
                             "`pytest tests/test_lab_checks.py`) before grading a class with it") from None
        finally:
            bar.close()
        seconds = time.perf_counter() - t0
    added = sorted(str(p.relative_to(cache_dir())) for p in _cache_files() - before)
    info = {"lab": lab, "source_sha256_16": stamp.stem.rsplit("-", 1)[1], "seconds": round(seconds, 1),
            "cached_files": added, "prepared": time.strftime("%Y-%m-%d %H:%M:%S")}
    stamp.write_text(json.dumps(info, indent=1))
    return {**info, "skipped": False}

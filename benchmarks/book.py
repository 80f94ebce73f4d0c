"""Book build time (a full build from scratch, execution cache cleared, and a cached rebuild) and the
figures in the built HTML: how many, on which kind of page, and how many lack alt text."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

from indi.book import toc_docnames
from indi.paths import REPO_ROOT
from indi_ops.bookfigures import book_figures, figure_counts

# The venv's jupyter-book, also when run as `python -m indi_ops.bench` without the venv on PATH.
CMD = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(REPO_ROOT), "--warningiserror", "--keep-going", "--quiet"]


def _build() -> float:
    t0 = time.perf_counter()
    subprocess.run(CMD, check=True, cwd=REPO_ROOT, capture_output=True)
    return time.perf_counter() - t0


def run() -> dict[str, float]:
    shutil.rmtree(REPO_ROOT / "_build" / "html", ignore_errors=True)
    shutil.rmtree(REPO_ROOT / "_build" / ".jupyter_cache", ignore_errors=True)
    shutil.rmtree(REPO_ROOT / "_build" / ".doctrees", ignore_errors=True)
    full = _build()
    rebuild = _build()
    html = REPO_ROOT / "_build" / "html"
    pages = len(list(html.rglob("*.html")))
    figures = figure_counts(book_figures(html, toc_docnames()))
    return {"book.build_s": round(full, 1), "book.rebuild_s": round(rebuild, 1), "book.html_pages": pages, **figures}

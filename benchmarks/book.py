"""The book: build time of both editions from scratch and cached, and the Swedish edition's coverage.

``book.build_s``: English + Swedish edition from an empty _build (execution cache cleared);
``book.rebuild_s``: the same command again with nothing changed (goal ≤ 30 s);
``book.sv_coverage``: share of learner-facing text units (gettext messages that hold words) with a
Swedish translation that is current (not fuzzy) — goal ≥ 0.98;
``book.figures*``: figures (images and SVG drawings with alt text) in the English edition, per page kind
and figure kind, and ``book.figures.no_alt``, those without alt text (goal 0); see indi_ops/bookfigures.py.
"""

import shutil
import time

from indi.book import toc_docnames
from indi.paths import REPO_ROOT
from indi_ops import book
from indi_ops.bookfigures import book_figures, figure_counts


def _timed(fn, *args):
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def run() -> dict[str, float]:
    for sub in ("html", ".jupyter_cache", ".jupyter_cache-sv", ".doctrees", "edition-sv", "edition-gettext"):
        shutil.rmtree(REPO_ROOT / "_build" / sub, ignore_errors=True)
    full = _timed(book.build)
    rebuild = _timed(book.build)
    pot_dir = book.extract()
    pages = book.coverage(pot_dir)
    html = REPO_ROOT / "_build" / "html"
    return {
        "book.build_s": round(full, 1),
        "book.rebuild_s": round(rebuild, 1),
        "book.html_pages": len([p for p in html.rglob("*.html") if "sv" not in p.relative_to(html).parts[:1]]),
        "book.html_pages_sv": len(list((html / "sv").rglob("*.html"))),
        "book.sv_coverage": round(book.total_share(pages), 4),
        "book.sv_pages_complete": sum(p.share == 1.0 for p in pages),
        "book.sv_pages": len(pages),
        **figure_counts(book_figures(html, toc_docnames())),
    }

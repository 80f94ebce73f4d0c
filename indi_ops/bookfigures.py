"""Figures in the built HTML book: what each page shows, and whether a reader without sight gets it too.

Used by the book benchmark (``book.figures*`` keys) and by tests/test_book_build.py. Reads the HTML
that ``jupyter-book build`` wrote; never builds anything itself.

A *figure* is an ``<img>`` or an inline ``<svg>`` inside the page's ``<article>`` (theme icons in the
header and side bars are not counted). Its kind:

``executed``  inside a code cell's output (``div.cell_output``): computed from data when the page was built;
``diagram``   an SVG drawing (an ``.svg`` image or an inline ``<svg>``) outside cell outputs;
``image``     any other picture (a photo, a PNG that is not a cell output).

Its alt text is the ``alt`` attribute of an image, or the ``aria-label`` (else the ``<title>``) of an
inline SVG; its caption is the text of the ``<figcaption>`` of the ``<figure>`` around it (empty
when it has none).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

KINDS = ("executed", "diagram", "image")
PAGE_KINDS = ("tech", "lab", "other")


@dataclass(frozen=True)
class Figure:
    kind: str  # one of KINDS
    src: str  # image address, or "inline-svg"
    alt: str
    caption: str = ""

    @property
    def has_alt(self) -> bool:
        return bool(self.alt.strip())


def page_kind(docname: str) -> str:
    """``tech`` for the technology chapters (book/tech/…), ``lab`` for a lab page (labs/<id>/README),
    ``other`` for every other page."""
    if docname.startswith("book/tech/"):
        return "tech"
    if re.fullmatch(r"labs/[^/]+/README", docname):
        return "lab"
    return "other"


class _FigureParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures: list[dict] = []
        self._article = 0  # depth of <article> elements we are inside
        self._divs: list[bool] = []  # one entry per open <div>: is it a cell output?
        self._figure_stack: list[dict] = []  # open <figure> elements: {"members": [...], "caption": [...]}
        self._in_caption = 0
        self._svg: dict | None = None  # the inline <svg> being read
        self._svg_depth = 0
        self._in_svg_title = False

    def _in_output(self) -> bool:
        return any(self._divs)

    def _add(self, kind: str, src: str, alt: str) -> dict:
        fig = {"kind": kind, "src": src, "alt": alt, "caption": ""}
        self.figures.append(fig)
        if self._figure_stack:
            self._figure_stack[-1]["members"].append(fig)
        return fig

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self._article += 1
        if not self._article:
            return
        if self._svg is not None:
            if tag == "svg":
                self._svg_depth += 1
            elif tag == "title" and not self._svg["alt"]:
                self._in_svg_title = True
            return
        if tag == "div":
            self._divs.append("cell_output" in (a.get("class") or "").split())
        elif tag == "figure":
            self._figure_stack.append({"members": [], "caption": []})
        elif tag == "figcaption":
            self._in_caption += 1
        elif tag == "img":
            src = a.get("src") or ""
            kind = "executed" if self._in_output() else "diagram" if src.split("?")[0].endswith(".svg") else "image"
            self._add(kind, src, a.get("alt") or "")
        elif tag == "svg":
            kind = "executed" if self._in_output() else "diagram"
            self._svg = self._add(kind, "inline-svg", a.get("aria-label") or "")
            self._svg_depth = 1

    def handle_endtag(self, tag):
        if not self._article:
            return
        if self._svg is not None:
            if tag == "title":
                self._in_svg_title = False
            elif tag == "svg":
                self._svg_depth -= 1
                if self._svg_depth == 0:
                    self._svg = None
            return
        if tag == "article":
            self._article -= 1
        elif tag == "div" and self._divs:
            self._divs.pop()
        elif tag == "figcaption" and self._in_caption:
            self._in_caption -= 1
        elif tag == "figure" and self._figure_stack:
            fig = self._figure_stack.pop()
            caption = " ".join("".join(fig["caption"]).split())
            for member in fig["members"]:
                member["caption"] = caption

    def handle_data(self, data):
        if self._in_svg_title and self._svg is not None:
            self._svg["alt"] += data
        elif self._in_caption and self._figure_stack:
            self._figure_stack[-1]["caption"].append(data)


def page_figures(html: str) -> list[Figure]:
    """Every figure in the ``<article>`` of one built page, in page order."""
    parser = _FigureParser()
    parser.feed(html)
    parser.close()
    return [Figure(f["kind"], f["src"], " ".join(f["alt"].split()), f["caption"]) for f in parser.figures]


def book_figures(html_dir: Path, docnames: Iterable[str]) -> dict[str, list[Figure]]:
    """Figures of each page (docname → list) in a built book; a page that was not built is an error."""
    out = {}
    for doc in docnames:
        page = Path(html_dir) / f"{doc}.html"
        if not page.is_file():
            raise FileNotFoundError(f"{page} was not built: build the book first (make book)")
        out[doc] = page_figures(page.read_text(encoding="utf-8", errors="replace"))
    return out


def figure_counts(figures: dict[str, list[Figure]]) -> dict[str, int]:
    """Benchmark keys: figures with alt text per page kind and per figure kind, and those without alt text.

    ``book.figures`` counts every figure with alt text; ``book.figures.<page kind>`` splits it by page
    kind (tech, lab, other), ``book.figures.<figure kind>`` by figure kind (executed, diagram, image);
    ``book.figures.no_alt`` counts figures a screen reader cannot describe (should be 0).
    """
    counts = {"book.figures": 0, "book.figures.no_alt": 0}
    counts.update({f"book.figures.{k}": 0 for k in PAGE_KINDS + KINDS})
    for doc, figs in figures.items():
        for fig in figs:
            if not fig.has_alt:
                counts["book.figures.no_alt"] += 1
                continue
            counts["book.figures"] += 1
            counts[f"book.figures.{page_kind(doc)}"] += 1
            counts[f"book.figures.{fig.kind}"] += 1
    return counts

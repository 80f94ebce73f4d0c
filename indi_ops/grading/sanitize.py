"""Strip active content (scripts, event handlers, ``javascript:`` links) from student notebooks.

Formgrader renders the autograded notebook live in the instructor's browser (the instructor is a hub
admin; that page can reach the terminals API), and feedback HTML opens in the student's. Anything a
student's code displays (``display(HTML(...))``, ``Javascript(...)``, SVG, raw mime bundles, image
metadata) and any markdown a student writes would run there. :func:`sanitize_notebook` rewrites a
notebook so that what nbconvert renders from it carries no active content:

* outputs keep only mime types nbconvert shows safely: ``text/plain``, PNG/JPEG/GIF images (only if
  the data is base64), ``text/html`` and ``text/markdown`` (checked, cleaned with ``nh3`` when anything
  is outside the allowlist), ``image/svg+xml`` (kept only when it passes the same check); scripts,
  widgets, LaTeX and unknown types are removed; output metadata keeps numeric width/height only
  (nbconvert writes it into an unquoted attribute);
* markdown cells are rendered as formgrader renders them; a cell whose HTML holds anything outside the
  allowlist is replaced by that HTML cleaned with ``nh3`` (honest cells stay as written); attachments
  keep base64 PNG/JPEG/GIF only.

:class:`SanitizeOutputs` does this at autograde time (formgrader) and reports attacks as flags;
:class:`indi_ops.grading.feedback.FeedbackRun` does it for feedback.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from indi_ops.grading.metadata import FLAGS_KEY, META_KEY

IMAGE_MIMES = {"image/png", "image/jpeg", "image/gif"}
CHECKED_MIMES = {"text/html", "text/markdown", "image/svg+xml"}
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")

HTML_TAGS = set(nh3.ALLOWED_TAGS) | {"style"}
SVG_TAGS = {"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
            "defs", "clippath", "lineargradient", "radialgradient", "stop", "title", "desc", "style", "use",
            "pattern", "mask", "marker", "symbol", "metadata", "image"}
# Attributes that are harmless in any allowed tag (URLs and styles are checked separately).
SAFE_ATTRS = {"class", "id", "title", "alt", "align", "valign", "border", "width", "height", "colspan", "rowspan",
              "scope", "lang", "dir", "start", "type", "headers", "abbr", "span", "cellpadding", "cellspacing",
              "summary", "rel", "target", "hreflang", "href", "src", "style", "name", "data-mime-type",
              "checked", "disabled", "reversed", "open", "datetime", "cite", "loading", "scoped"}
SVG_ATTRS_RE = re.compile(r"^(xmlns(:\w+)?|xml:\w+|version|viewbox|preserveaspectratio|d|x\d?|y\d?|cx|cy|r|rx|ry|"
                          r"dx|dy|points|transform|fill(-\w+)?|stroke(-\w+)?|opacity|font-\w+|text-anchor|"
                          r"clip-path|clip-rule|clippathunits|gradientunits|gradienttransform|offset|stop-\w+|"
                          r"marker-\w+|markerwidth|markerheight|refx|refy|orient|patternunits|mask|"
                          r"dominant-baseline|xlink:href|style|id|class|width|height|display|visibility|"
                          r"vector-effect|overflow|rdf:\w+|dc:\w+|cc:\w+)$")
URL_ATTRS = {"href", "src", "xlink:href", "cite", "action", "formaction", "background", "poster", "data",
             "codebase", "longdesc", "lowsrc", "dynsrc", "srcset", "ping", "manifest", "icon"}
_DANGEROUS_CSS = re.compile(r"url\s*\(|@import|expression|\\|image-set|-moz-binding|behavior\s*:|javascript:",
                            re.I)
# What counts as an attack (flagged for the teacher), not just markup outside the allowlist.
ATTACK_WORDS = ("script", "injection", "event handler", "javascript", "frame", "srcdoc", "unsafe link", "form", "object",
                "embed", "base", "meta", "animation", "foreignobject", "css")


def _url_ok(value: str, tag: str) -> bool:
    url = re.sub(r"[\x00-\x20\x7f]", "", value).lower()
    m = re.match(r"^([a-z][a-z0-9+.\-]*):", url)
    if not m:
        return True  # relative link or #anchor
    scheme = m.group(1)
    if scheme in {"http", "https", "mailto"}:
        return True
    if tag in {"img", "image"} and (scheme == "attachment"
                                    or re.match(r"^data:image/(png|jpeg|gif|webp);base64,", url)):
        return True
    return False


_ACTIVE_PATTERN = re.compile(r"<\s*/?\s*(script|iframe|object|embed|frame|base|meta)\b|<[^>]*\bon[a-z]+\s*=|"
                             r"javascript\s*:|srcdoc", re.I)


def _word(text: str) -> str:
    """A tag or attribute name as it may appear in a report (reports end up in rendered comments)."""
    return re.sub(r"[^a-z0-9:_-]", "", text.lower())[:30]


def plain_text(text: str) -> str:
    """``text`` that stays plain text when rendered as markdown/HTML (grading comments are rendered)."""
    text = re.sub(r"[<>&`\[\]]", "", text)
    return re.sub(r"(?i)(javascript|vbscript|data)\s*:", r"\1 ", text)


class _Checker(HTMLParser):
    """Lists what in an HTML (or SVG) text is outside the allowlist; the text is never changed here."""

    def __init__(self, svg: bool = False):
        super().__init__(convert_charrefs=True)
        self.svg = svg
        self.problems: list[str] = []
        self._in_style = False

    def _add(self, what: str) -> None:
        if what not in self.problems:
            self.problems.append(what)

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        allowed = SVG_TAGS | HTML_TAGS if self.svg else HTML_TAGS
        if tag not in allowed and not (self.svg and tag.split(":")[0] in {"rdf", "cc", "dc"}):
            kind = {"script": "script", "iframe": "frame", "frame": "frame", "object": "object",
                    "embed": "embed", "base": "base", "meta": "meta", "form": "form", "foreignobject":
                    "foreignobject", "animate": "animation", "set": "animation"}.get(tag, "tag")
            self._add(f"{kind} ({_word(tag)})")
        for name, value in attrs:
            name = name.lower()
            value = value or ""
            if name.startswith("on"):
                self._add(f"event handler {_word(name)}")
            elif name == "srcdoc":
                self._add("srcdoc")
            elif name in URL_ATTRS:
                if not _url_ok(value, tag) or (self.svg and name.endswith("href") and tag == "use"
                                                and not value.startswith("#")):
                    self._add(f"unsafe link ({_word(name)})" if "javascript" not in value.lower()
                              else f"javascript link ({_word(name)})")
            elif name == "style":
                if _DANGEROUS_CSS.search(value):
                    self._add("css in a style attribute")
            elif not (name in SAFE_ATTRS or name.startswith("aria-") or (self.svg and SVG_ATTRS_RE.match(name))):
                self._add(f"attribute {_word(name)}")
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style and _DANGEROUS_CSS.search(data):
            self._add("css in a style tag")

    def handle_comment(self, data):
        # Browsers and Python's parser end some comments differently (`--!>`): never trust one.
        self._add("comment")

    def handle_decl(self, decl):
        if not (self.svg and decl.lower().startswith("doctype svg")):
            self._add("declaration")

    def handle_pi(self, data):
        if not (self.svg and data.lower().startswith("xml ")):
            self._add("processing instruction")

    def unknown_decl(self, data):
        self._add("declaration")


def problems(html: str, svg: bool = False) -> list[str]:
    """What in ``html`` is outside the allowlist (empty: safe to render as it is)."""
    checker = _Checker(svg=svg)
    try:
        checker.feed(html)
        checker.close()
    except Exception:  # the parser gave up: do not trust the text
        checker._add("unparsable markup")
    if _ACTIVE_PATTERN.search(html):  # a safety net in case the parser and a browser disagree
        checker._add("script-like text")
    return checker.problems


def clean_html(html: str) -> str:
    """``html`` with everything outside nh3's allowlist removed (scripts and their content too)."""
    return nh3.clean(html, url_schemes={"http", "https", "mailto"},
                     attributes={**{k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()},
                                 "*": {"class", "title", "align"},
                                 "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"}},
                     strip_comments=True)


_MATHJAX_ACTIVE = re.compile(r"\\(href|url|unicode|class|cssId|style|data|require)\b")


def render_markdown(source: str) -> str:
    """Markdown → HTML the way formgrader and feedback render a markdown cell."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    return MarkdownWithMath(renderer=IPythonRenderer(escape=False, anchor_link_text="¶")).render(source)


def safe_markdown(source: str) -> tuple[str, list[str]]:
    """(markdown to keep, what was removed). Honest markdown comes back unchanged."""
    found = problems(render_markdown(source))
    if _MATHJAX_ACTIVE.search(source):
        found.append("javascript-capable MathJax command")
    if not found:
        return source, []
    return _MATHJAX_ACTIVE.sub(r"\\text", clean_html(render_markdown(source))), found


def is_attack(found: list[str]) -> bool:
    return any(word in item for item in found for word in ATTACK_WORDS)


def _clean_output(out: NotebookNode) -> list[str]:
    """Make one output safe in place; return what was removed."""
    removed: list[str] = []
    data = out.get("data")
    if out.get("output_type") not in {"display_data", "execute_result"} or not isinstance(data, dict):
        return removed
    kept: dict = {}
    for mime, value in data.items():
        text = "".join(value) if isinstance(value, list) else value
        if mime == "text/plain":
            kept[mime] = value
        elif mime in IMAGE_MIMES:
            if isinstance(text, str) and _BASE64.fullmatch(text):
                kept[mime] = value
            else:
                removed.append(f"{mime} that is not base64 (attribute injection)")
        elif mime == "text/html":
            found = problems(str(text))
            kept[mime] = clean_html(str(text)) if found else value
            removed += found
        elif mime == "text/markdown":
            md, found = safe_markdown(str(text))
            kept[mime] = md
            removed += found
        elif mime == "image/svg+xml":
            # Comments go first (matplotlib writes some); what is left must pass the check as it is.
            svg = re.sub(r"<!--.*?-->", "", str(text), flags=re.S)
            found = problems(svg, svg=True)
            if found:
                removed += [f"svg: {f}" for f in found]
            else:
                kept[mime] = svg
        elif not mime.startswith("application/vnd.jupyter.widget"):
            # Widget views are dropped quietly: honest labs make them, and without the widget state
            # (removed too) formgrader shows only their text anyway.
            removed.append(f"{mime} output" + (" (script)" if "javascript" in mime else ""))
    if not kept:
        kept["text/plain"] = "[output removed by the grader: it is not shown for safety]"
    out["data"] = kept
    meta = out.get("metadata") if isinstance(out.get("metadata"), dict) else {}
    safe_meta: dict = {}
    for mime, m in meta.items():
        if mime not in kept or not isinstance(m, dict):
            continue
        dims = {k: v for k, v in m.items() if k in {"width", "height"}}
        if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in dims.values()):
            removed.append("output metadata width/height that is not a number (attribute injection)")
        dims = {k: v for k, v in dims.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        if dims:
            safe_meta[mime] = dims
    out["metadata"] = safe_meta
    return [r for r in removed if r]


def release_markdown(resources) -> set[str]:
    """Markdown/raw sources of the released lab (teacher-written text, left as it is)."""
    import nbformat

    from indi_ops.grading.preprocessors import _release_notebook

    path = _release_notebook(resources or {})
    if path is None:
        return set()
    return {c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type in {"markdown", "raw"}}


def sanitize_notebook(nb: NotebookNode, trusted: set[str] | frozenset = frozenset()) -> list[str]:
    """Remove active content from every output and markdown cell of ``nb``; what was removed, per cell.

    ``trusted``: markdown/raw sources left as written (the lab's own text from the release).
    """
    report = []
    nb.metadata.pop("widgets", None)  # widget state renders live through the widget manager
    for i, cell in enumerate(nb.cells):
        label = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {i + 1}"
        removed: list[str] = []
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                removed += _clean_output(out)
        elif cell.cell_type in {"markdown", "raw"} and cell.source not in trusted:
            if cell.cell_type == "raw":
                # nbconvert passes raw cells for text/html straight into the page.
                mime = cell.metadata.get("format") or cell.metadata.get("raw_mimetype") or ""
                if "html" in mime or not mime:
                    found = problems(cell.source)
                    if found:
                        cell.source = clean_html(cell.source)
                        removed += found
            else:
                cell.source, found = safe_markdown(cell.source)
                removed += found
            attachments = cell.get("attachments") or {}
            for name in list(attachments):
                bundle = attachments[name]
                safe = {m: v for m, v in bundle.items() if m in IMAGE_MIMES and isinstance(v, str)
                        and _BASE64.fullmatch(v)}
                if safe != bundle:
                    removed.append(f"attachment {name!r}")
                    if safe:
                        attachments[name] = safe
                    else:
                        del attachments[name]
        if removed:
            report.append(plain_text(f"{label}: {', '.join(dict.fromkeys(removed))}"))
    return report


class SanitizeOutputs(NbGraderPreprocessor):
    """Autograde step: the notebook formgrader will render carries no active content; attacks are flagged."""

    def preprocess(self, nb: NotebookNode, resources):
        report = sanitize_notebook(nb, release_markdown(resources))
        if not report:
            return nb, resources
        if is_attack(report):
            resources.setdefault(FLAGS_KEY, []).append(
                "active content removed from the notebook (possible attack on the grader's browser): "
                + " | ".join(report))
        else:
            note = "content outside the safe list removed from outputs: " + " | ".join(report)
            for info in (resources.setdefault(META_KEY, {}), nb.metadata.get(META_KEY)):
                if isinstance(info, dict):
                    info.setdefault("notes", []).append(note)
        return nb, resources

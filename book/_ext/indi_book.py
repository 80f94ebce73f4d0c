"""Sphinx extension for the INDI Lab book: small accessibility fixes and the book's own CSS.

Loaded through ``sphinx.local_extensions`` in _config.yml. Each fix names the axe-core rule it serves,
so it can be dropped when the theme or docutils fixes the markup itself.
"""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "_static"


def _fix_body(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body:
        return
    # axe "aria-deprecated-role" / "aria-required-children": docutils marks bibliography entries with
    # the deprecated DPUB role doc-biblioentry inside role="list"; a list needs listitem children.
    body = body.replace('role="doc-biblioentry"', 'role="listitem"')
    context["body"] = body


def setup(app):
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("indi.css")
    app.connect("html-page-context", _fix_body)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

"""Sphinx extension for the INDI Lab book: small accessibility fixes and the book's own CSS.

Loaded through ``sphinx.local_extensions`` in _config.yml. Each fix names the axe-core rule it serves,
so it can be dropped when the theme or docutils fixes the markup itself.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "_static"
LEGAL_REGISTER = Path(__file__).resolve().parents[1] / "legal_register.yml"


def load_legal_register(path: Path = LEGAL_REGISTER) -> list[dict]:
    import yaml

    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for e in entries:
        for key in ("id", "pages", "statement", "source", "checked", "review"):
            if key not in e:
                raise ValueError(f"{path.name}: entry {e.get('id', '?')!r} has no {key!r}; add it.")
        if not isinstance(e["review"], dt.date) or not isinstance(e["checked"], dt.date):
            raise ValueError(f"{path.name}: entry {e['id']!r}: checked/review must be dates (YYYY-MM-DD).")
    return entries


def legal_recheck(entries: list[dict], today: dt.date) -> list[str]:
    """Lines for statements whose review date has passed (a note for the teacher, never a failure)."""
    return [f"legal register: re-check {e['id']} (checked {e['checked']}, review due {e['review']}; "
            f"source {e['source']}; pages {', '.join(e['pages'])})"
            for e in entries if e["review"] <= today]


_PUBLIC_REPO = re.compile(r"^https://github\.com/[A-Za-z0-9][\w.-]*/[\w.-]+/?$")


def launch_problem(theme_options: dict) -> str | None:
    """Why the launch settings would put a broken link in the book, or None if they are coherent."""
    buttons = theme_options.get("launch_buttons") or {}
    urls = {k: v for k, v in buttons.items() if k.endswith("_url") and v}
    repo = (theme_options.get("repository_url") or "").strip()
    for key, url in urls.items():
        if not re.match(r"^https://[^\s/<>]+", url) or ".example" in url:
            return f"_config.yml launch_buttons.{key} = {url!r} is not a real https address; set it or leave it \"\"."
    if urls and not _PUBLIC_REPO.match(repo):
        return (f"_config.yml sets {', '.join(sorted(urls))} but repository.url is {repo!r}: launch buttons need the "
                "public repository (https://github.com/<org>/<repo>). Set it, or empty the launch URLs.")
    return None


def _check_launch(app, config):
    from sphinx.errors import ConfigError

    problem = launch_problem(config.html_theme_options or {})
    if problem:
        raise ConfigError(problem)


def _report_legal(app):
    from sphinx.util import logging

    log = logging.getLogger(__name__)
    entries = load_legal_register()
    lines = legal_recheck(entries, dt.date.today())
    for line in lines:
        log.info(line)  # info, not warning: the build (warnings are errors) must not fail on a date
    log.info(f"legal register: {len(entries)} statements, {len(lines)} to re-check")


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
    app.connect("builder-inited", _report_legal)
    app.connect("config-inited", _check_launch)
    app.setup_extension("indi_i18n")  # the language switch between the English and Swedish editions
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

"""Accessibility: axe-core (WCAG 2.1 A and AA rules) on every page of the built book, in headless Chromium.

The book is served from a local HTTP server (as a reader's browser would load it); requests to any
other host are blocked, so CDN scripts (MathJax, require.js) fail fast and the result does not depend
on the network. Debian's chromium is used (installed by .ci/system-deps.sh), never a downloaded one.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def built_pages(html: Path) -> list[str]:
    """Every content page of the built book (Sphinx's generated index/search pages included)."""
    skip = {"_static", "_sources", "_images", "reports"}
    pages = []
    for p in sorted(html.rglob("*.html")):
        if skip & set(p.relative_to(html).parts):
            continue
        if 'http-equiv="Refresh"' in p.read_text(errors="replace")[:1000]:
            continue  # index.html is only a redirect to the root page
        pages.append(str(p.relative_to(html)))
    return pages


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="module")
def served_book(built_book):
    handler = functools.partial(_Quiet, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", built_book
    server.shutdown()


def axe_violations(base_url: str, pages: list[str]) -> dict[str, list[str]]:
    """page → list of 'rule-id (impact): target …' for every WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    axe = Axe()
    found: dict[str, list[str]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url)
                   else route.abort())
        for rel in pages:
            page.goto(f"{base_url}/{rel}", wait_until="load")
            result = axe.run(page, options=WCAG)
            lines = []
            for v in result.response["violations"]:
                targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
                lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {targets} — {v['help']}")
            if lines:
                found[rel] = lines
        browser.close()
    return found


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run .ci/system-deps.sh as root")
def test_every_built_page_passes_axe_wcag21_aa(served_book):
    base_url, html = served_book
    pages = built_pages(html)
    assert len(pages) >= 10, f"only {len(pages)} pages were built"
    violations = axe_violations(base_url, pages)
    report = "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in violations.items())
    assert not violations, f"axe found WCAG 2.1 AA violations on {len(violations)} of {len(pages)} pages:\n{report}"

"""No student-made script runs in the instructor's formgrader or in feedback (headless Chromium).

A submission of the tiny lab displays active content every way a notebook allows: HTML with an
``onerror`` handler, ``<script>``, ``Javascript(...)``, a raw ``application/javascript`` bundle, SVG
with a script and ``onload``, a markdown output and a markdown answer cell with raw HTML and a
``javascript:`` link, an iframe ``srcdoc``, image metadata that breaks out of nbconvert's unquoted
``width=`` attribute, PNG data that is not base64. Each payload, if it runs, records itself in
``window.__pwned``, sets ``document.title`` and calls a loopback listener.

Graded through the real path (autograde_all + generate_feedback, sandbox on); Chromium then opens
(a) the feedback HTML and (b) the real formgrader page of that submission (a Jupyter server with
nbgrader's formgrader on 127.0.0.1, token login). Control: the same notebook rendered WITHOUT the
sanitiser does run the payloads in the same browser, so the harness can see an attack.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
sys.path.insert(0, str(Path(__file__).parent))
from course import BIN, TINY, cell_index, env, grading_course, solved, submit  # noqa: E402
from test_grading_hostile import Listener  # noqa: E402

from indi_ops.grading import classroom as teacher  # noqa: E402

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _js(name: str, port: int) -> str:
    return (f"window.__pwned=(window.__pwned||[]).concat('{name}');document.title='PWNED';"
            f"new Image().src='http://127.0.0.1:{port}/{name}';")


def payload_cell(port: int) -> str:
    """Python for the mean_feed cell: the right answer, then every kind of active output."""
    def j(name: str) -> str:  # inside a double-quoted HTML attribute
        return _js(name, port).replace('"', "&quot;")

    def js(name: str) -> str:
        return _js(name, port)

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" onload="' + j("svgload") + '"><script>' + js("svg")
           + "</script></svg>")
    calls = [
        "display(HTML(%r))" % ('<img src=x onerror="' + j("onerror") + '">'),
        "display(HTML(%r))" % ("<b>hi</b><script>" + js("script") + "</script>"),
        "display(Javascript({!r}))".format(js("javascript")),
        "display({{'application/javascript': {!r}, 'text/plain': 'js'}}, raw=True)".format(js("rawjs")),
        f"display(SVG({svg!r}))",
        "display(Markdown(%r))" % ('<img src=y onerror="' + j("md_out") + '">'),
        "display(HTML(%r))" % ('<iframe srcdoc="<script>' + j("srcdoc") + '</script>"></iframe>'),
        "display(HTML(%r))" % ('<details open ontoggle="' + j("details") + '">x</details>'),
        "display(HTML(%r))" % ('<a href="javascript:' + j("anchor") + '">click</a>'),
        "display({{'image/png': {!r}}}, raw=True, metadata={{'image/png': {{'width': {!r}}}}})".format(png, "1 onload=window.__pwned=(window.__pwned||[]).concat('width');document.title='PWNED'"),
        "display({'image/png': %r}, raw=True)" % (png + '" onerror="' + j("pngdata")),
    ]
    return ("from IPython.display import HTML, Javascript, SVG, Markdown, display\n"
            "def mean_feed(values):\n    return sum(values) / len(values)\n" + "\n".join(calls) + "\n")


def markdown_answer(port: int) -> str:
    return (f"Because of tool wear. <img src=z onerror=\"{_js('md_cell', port)}\">\n\n"
            f"[more](javascript:{_js('md_link', port)})\n\n<script>{_js('md_script', port)}</script>")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    listener = Listener()
    root = grading_course(tmp_path_factory.mktemp("xss"), [TINY], timeout_s=10)
    nb = solved(root, TINY)
    nb.cells[cell_index(nb, "mean_feed")].source = payload_cell(listener.port)
    nb.cells[cell_index(nb, "why_round")].source = markdown_answer(listener.port)
    submit(root, "mallory", "tiny", nb)
    submit(root, "good", "tiny", solved(root, TINY))
    outcomes = {o.student_id: o for o in teacher.autograde_all(root, "tiny")}
    result = teacher.generate_feedback(root, "tiny")
    assert result["success"], result.get("error")
    yield root, outcomes, listener
    listener.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium missing: run .ci/system-deps.sh as root")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def _visit(browser, url: str) -> dict:
    page = browser.new_page()
    try:
        page.goto(url, wait_until="load", timeout=120_000)
        page.wait_for_timeout(1500)  # let handlers (onerror, onload, ontoggle) fire
        seen = {"pwned": page.evaluate("window.__pwned || []"), "title": page.title(), "html": page.content()}
        # A javascript: link that a teacher clicks (its result may replace the page: read first).
        links = page.query_selector_all("a[href^='javascript' i]")
        seen["js_links"] = len(links)
        for link in links:
            link.click()
            page.wait_for_timeout(300)
            seen["pwned"] += page.evaluate("window.__pwned || []")
        return seen
    finally:
        page.close()


@pytest.fixture(scope="module")
def formgrader(graded):
    """A Jupyter server with nbgrader's formgrader extension, serving the course on 127.0.0.1."""
    root = graded[0]
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [str(BIN / "jupyter"), "server", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}"]
    log = open(root / "formgrader.log", "w")
    proc = subprocess.Popen(cmd, cwd=root, env={**env(), "JUPYTER_CONFIG_DIR": str(root / ".jupyter")},
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # importing the extension alone took 25 s on a loaded machine
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((root / "formgrader.log").read_text()[-3000:]) from None
                time.sleep(1)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()


def _submission_id(root: Path, sid: str) -> str:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'grading' / 'gradebook.db'}") as gb:
        return gb.find_submission_notebook("tiny", "tiny", sid).id


def test_control_unsanitised_rendering_runs_the_payloads(browser, tmp_path):
    """The harness sees an attack: the same payloads, executed and rendered as formgrader's exporter
    would render them without the sanitiser (nbconvert's classic HTML)."""
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(payload_cell(9)), nbformat.v4.new_markdown_cell(markdown_answer(9))]
    NotebookClient(nb, timeout=60, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    html, _ = HTMLExporter(template_name="classic").from_notebook_node(nb)
    page = tmp_path / "raw.html"
    page.write_text(html)
    seen = _visit(browser, page.as_uri())
    assert {"onerror", "script", "md_cell", "details", "width"} <= set(seen["pwned"]), seen["pwned"]
    assert seen["title"] == "PWNED"


def test_feedback_html_runs_no_student_script(graded, browser):
    root, _, listener = graded
    before = listener.connections
    seen = _visit(browser, (root / "grading" / "feedback" / "mallory" / "tiny" / "tiny.html").as_uri())
    assert seen["pwned"] == [] and seen["title"] != "PWNED" and seen["js_links"] == 0, seen["pwned"]
    assert listener.connections == before
    assert "Because of tool wear" in seen["html"]  # the answer itself is still shown


def test_formgrader_page_runs_no_student_script(graded, browser, formgrader):
    root, outcomes, listener = graded
    base, token = formgrader
    before = listener.connections
    url = f"{base}/formgrader/submissions/{_submission_id(root, 'mallory')}/?token={token}"
    seen = _visit(browser, url)
    assert "Because of tool wear" in seen["html"], seen["html"][:2000]  # really the submission page
    assert seen["pwned"] == [] and seen["title"] != "PWNED" and seen["js_links"] == 0, seen["pwned"]
    assert listener.connections == before
    # The teacher is told: the attack is a reason for manual grading.
    assert outcomes["mallory"].status == "needs manual grading"
    assert any("active content removed" in r for r in outcomes["mallory"].reasons), outcomes["mallory"].reasons


def test_honest_outputs_are_kept(graded):
    root, outcomes, _ = graded
    assert outcomes["good"].status == "graded", outcomes["good"]
    nb = nbformat.read(root / "grading" / "autograded" / "mallory" / "tiny" / "tiny.ipynb", as_version=4)
    outs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert any("<b>hi</b>" in str(o.get("data", {}).get("text/html", "")) for o in outs)
    assert any("image/png" in o.get("data", {}) for o in outs)
    assert os.environ.get("INDI_GRADING_SANDBOX", "on") != "off"

"""End to end on the class hub in headless Chromium (Debian's chromium through Playwright).

A student logs in, opens lab 1 from the course (Assignments tab → Fetch → the notebook), runs cells,
answers one task and submits. The instructor logs in, opens formgrader in its own tab, collects,
autogrades and generates and releases feedback. The student fetches the feedback and reads it.
Screenshots go to _build/screenshots/hub_e2e_*.png (test artifacts).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from hub_support import can_run, lab1, shared_hub

from indi.paths import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = REPO_ROOT / "_build" / "screenshots"
LAB = lab1().name
# Answers the student types in the browser, by nbgrader grade_id (only for labs whose answer is one line).
ANSWERS = {"mini_wear": {"threshold": "threshold_um = 300"}}
# How many code cells the student runs in the browser (autograde runs the whole submission anyway).
RUN_FIRST = 1

pytestmark = [
    pytest.mark.slow, pytest.mark.browser,
    pytest.mark.skipif(can_run() is not None, reason=str(can_run())),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing (bash .ci/system-deps.sh)"),
]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"hub_e2e_{name}.png"))


def log_in(browser, hub, user: str):
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub.passwords[user])
    page.click("#login_submit")
    page.wait_for_selector(".jp-LabShell", timeout=180_000)  # spawn + JupyterLab load
    return page


def code_cell_index(notebook: Path, grade_id: str) -> int:
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    return next(i for i, c in enumerate(cells) if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def run_cell(page, cell, timeout: float = 240_000) -> None:
    """Select the cell, run it with the toolbar's Run button, wait for its execution count."""
    done = cell.locator(".jp-InputPrompt").filter(has_text=re.compile(r"\[\d+\]"))
    for _attempt in range(3):  # a click while JupyterLab is still settling can be swallowed
        cell.locator(".jp-InputPrompt").click()
        page.locator(".jp-NotebookPanel:visible jp-button[data-command='notebook:run-cell-and-select-next'], "
                     ".jp-NotebookPanel:visible [data-command='notebook:run-cell-and-select-next']").first.click()
        try:
            cell.locator(".jp-InputPrompt").filter(has_text=re.compile(r"\[[\d*]+\]")).wait_for(timeout=15_000)
            break
        except Exception:
            continue
    done.wait_for(timeout=timeout)


def close_modal(page) -> str:
    page.wait_for_selector(".modal.in", timeout=300_000)
    text = page.locator(".modal.in").inner_text()
    page.locator(".modal.in .modal-footer button").last.click()
    page.wait_for_selector(".modal.in", state="detached", timeout=30_000)
    return text


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_student_submits_instructor_grades_student_reads_feedback(request, browser):
    try:
        _round_trip(request, browser)
    except BaseException:
        for i, ctx in enumerate(browser.contexts):
            for j, pg in enumerate(ctx.pages):
                try:
                    shot(pg, f"failure_{i}_{j}")
                except Exception:
                    pass
        raise


def _round_trip(request, browser):
    hub = shared_hub(request.config)
    hub.ensure_released(LAB)
    student, teacher = hub.students[2], hub.instructors[0]

    # --- student: log in, the course page opens; fetch lab 1 from the Assignments tab
    page = log_in(browser, hub, student)
    page.locator(".jp-RenderedMarkdown h1", has_text="Welcome to INDI Lab").wait_for()
    shot(page, "01_student_start_here")
    page.click("text=Nbgrader")
    menu = page.locator(".lm-Menu").inner_text()
    assert "Formgrader" not in menu and "Create Assignment" not in menu, menu  # students see no grader tools
    page.click("text=Assignment List")
    page.locator("#released_assignments_list button:text-is('Fetch')").click()
    page.locator("#fetched_assignments_list button:text-is('Submit')").wait_for()
    notebook_link = page.locator(f"#fetched_assignments_list .nested_list_item a:text-is('{LAB}')")
    for _attempt in range(6):  # the list re-renders after a fetch and may fold the row again
        page.click("#fetched_assignments_list a.assignment-notebooks-link")
        try:
            notebook_link.wait_for(state="visible", timeout=3_000)
            break
        except Exception:
            continue
    notebook_link.click()

    # --- run the first cell(s), type an answer, save
    cells = page.locator(".jp-NotebookPanel:visible .jp-CodeCell")
    cells.first.wait_for()
    page.locator(".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
    for i in range(RUN_FIRST):
        run_cell(page, cells.nth(i))
    assert not page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output[data-mime-type*=error]").count()
    released = hub.course / "grading" / "release" / LAB / f"{LAB}.ipynb"
    for grade_id, answer in ANSWERS.get(LAB, {}).items():
        cell = cells.nth(code_cell_index(released, grade_id))
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(answer)
        run_cell(page, cell)
    page.keyboard.press("Control+s")
    page.wait_for_timeout(1500)
    shot(page, "02_student_lab_ran_cells")

    # --- submit from the Assignments tab
    page.locator(".lm-TabBar-tab", has_text="Assignments").first.click()
    page.locator("#fetched_assignments_list button:text-is('Submit')").click()
    page.locator("#submitted_assignments_list .list_item").first.wait_for()
    shot(page, "03_student_submitted")

    # --- instructor: formgrader in its own tab; collect, autograde, feedback
    fg = log_in(browser, hub, teacher)
    fg.goto(f"{hub.url}/user/{teacher}/formgrader")
    fg.wait_for_selector("td.collect a")
    shot(fg, "04_formgrader_assignments")
    fg.click("td.collect a")
    assert f"Collecting submission: {student}" in close_modal(fg)
    fg.goto(f"{hub.url}/user/{teacher}/formgrader/manage_submissions/{LAB}")
    row = fg.locator("table tbody tr", has=fg.locator(f"td.student-id:text-is('{student}')"))
    row.locator("td.autograde a").click()
    assert "Successfully autograded" in close_modal(fg)
    fg.reload()
    row.wait_for()
    score = row.locator("td.score").inner_text().strip()
    shot(fg, "05_formgrader_autograded")
    got, total = (float(x) for x in score.split("/"))
    if ANSWERS.get(LAB):
        assert got > 0, f"the typed answer should earn points, got {score}"
    assert 0 <= got < total, score  # the unfinished tasks cannot get full marks
    for action in ("generate-feedback", "release-feedback"):
        row.locator(f"td.{action} a").click()
        assert "Success" in close_modal(fg)

    # --- student: fetch feedback and read it
    page.locator("#submitted_assignments_list button:text-is('Fetch Feedback')").click()
    link = page.locator("#submitted_assignments_list a", has_text="view feedback")
    link.wait_for()
    shot(page, "06_student_feedback_fetched")
    link.click()  # JupyterLab's file browser moves to the feedback folder
    page.locator(".jp-DirListing-item", has_text=f"{LAB}.html").wait_for()
    shot(page, "06b_student_feedback_folder")
    (html,) = sorted(Path(f"/home/{student}/{LAB}/feedback").glob(f"*/{LAB}.html"))[-1:]
    fb = page.context.new_page()
    fb.goto(f"{hub.url}/user/{student}/files/{quote(str(html.relative_to(f'/home/{student}')))}")
    fb.get_by_text(re.compile(r"Score:")).first.wait_for()
    text = fb.inner_text("body")
    shot(fb, "07_student_feedback")
    m = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", text)
    assert LAB in text and m and (float(m[1]), float(m[2])) == (got, total), text[:2000]
    leaked = [line for line in hidden_asserts(hub.course / "labs" / LAB / f"{LAB}.ipynb") if line in text]
    assert leaked == [], f"feedback shows hidden tests: {leaked}"


def hidden_asserts(source: Path) -> list[str]:
    """The assert lines of the source notebook's hidden tests (what feedback must never show)."""
    out = []
    for cell in json.loads(source.read_text())["cells"]:
        inside = False
        for line in "".join(cell["source"]).splitlines():
            inside = (inside or "BEGIN HIDDEN TESTS" in line) and "END HIDDEN TESTS" not in line
            if inside and line.strip().startswith("assert") and len(line.strip()) >= 12:
                out.append(line.strip())
    return out

"""Self-check questions ("Check yourself"): the `selfcheck` directive of book/_ext/indi_book.py.

Source checks (fast): every lesson page ends with one block of 3–5 questions before its key points, each
question valid in both languages with feedback on every option. Rendering checks: the Swedish edition
shows Swedish, the English edition English; the markup is a fieldset of radio buttons, a real button and
a live region. Built-book checks: the blocks are in the HTML with their script. Browser checks (headless
Chromium): answer with the keyboard alone and read the feedback; axe finds nothing; without JavaScript
the answers are still readable.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

# The pages that teach: each ends with a self-check (the workshop quiz is a page of its own).
SELFCHECK_PAGES = [
    *(f"book/digital/{p}" for p in ("industry40", "data_first", "ai_literacy", "costs_risks", "pilot")),
    *(f"book/tech/{p}" for p in ("sensors_iiot", "machine_vision", "am_milling", "automation")),
    *(f"book/careers/{p}" for p in ("roles", "levels", "paths")),
    *(f"book/find/{p}" for p in ("company_maturity", "my_competence", "tool_catalogue")),
    "book/start/outcomes",
    *(f"equality_module/{p}" for p in ("facts", "job_ad_wording", "active_measures", "recruitment", "careers")),
]
BLOCK = re.compile(r"^```\{selfcheck\}\n(.*?)^```$", re.S | re.M)


def ext():
    spec = importlib.util.spec_from_file_location("indi_book", REPO / "book" / "_ext" / "indi_book.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def block_source(text: str) -> str:
    """The YAML of a selfcheck block, without the directive's option lines."""
    body = BLOCK.findall(text)
    assert body, "no ```{selfcheck} block"
    return "\n".join(ln for ln in body[0].splitlines() if not re.match(r"^:\w+:", ln))


# ----------------------------------------------------------------------------- the pages' sources


@pytest.mark.parametrize("doc", SELFCHECK_PAGES)
def test_lesson_page_ends_with_one_selfcheck_of_3_to_5_questions(doc):
    text = (REPO / f"{doc}.md").read_text(encoding="utf-8")
    assert len(BLOCK.findall(text)) == 1, f"{doc}: exactly one selfcheck block"
    questions = ext().parse_selfcheck(block_source(text))
    assert 3 <= len(questions) <= 5, f"{doc}: {len(questions)} questions (3–5 wanted)"
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert "Check yourself" in headings, f"{doc}: the block goes under '## Check yourself'"
    after = headings[headings.index("Check yourself") + 1]
    assert after.startswith("Key points"), f"{doc}: 'Check yourself' must come right before the key points"
    # the block is the last thing under its heading, after the page's exercises
    section = text.split("## Check yourself", 1)[1].split("\n## ", 1)[0]
    assert section.rstrip().endswith("```")
    exercises = [h for h in headings if h.startswith("Exercise")]
    if exercises:
        assert headings.index(exercises[-1]) < headings.index("Check yourself")


@pytest.mark.parametrize("doc", SELFCHECK_PAGES)
def test_distractors_have_their_own_feedback(doc):
    """Every wrong option says why it is wrong, in its own words (no copy of another option's text)."""
    questions = ext().parse_selfcheck(block_source((REPO / f"{doc}.md").read_text(encoding="utf-8")))
    for n, q in enumerate(questions, 1):
        for lang in ("sv", "en"):
            whys = [o["why"][lang] for o in q["options"]]
            assert len(set(whys)) == len(whys), f"{doc} q{n} ({lang}): two options share the same feedback"
            texts = [o["text"][lang] for o in q["options"]]
            assert len(set(texts)) == len(texts), f"{doc} q{n} ({lang}): two options are the same"


# ----------------------------------------------------------------------------- parsing and rendering

GOOD = """
- q: {sv: "Vilket steg?", en: "Which stage?"}
  options:
    - {sv: "Steg 2", en: "Stage 2", correct: true, why: {sv: "Uppkoppling.", en: "Connectivity."}}
    - {sv: "Steg 3", en: "Stage 3", why: {sv: "Inget registreras.", en: "Nothing is recorded."}}
"""


def test_a_valid_block_parses():
    (q,) = ext().parse_selfcheck(GOOD)
    assert q["q"] == {"sv": "Vilket steg?", "en": "Which stage?"}
    assert [o["correct"] for o in q["options"]] == [True, False]


@pytest.mark.parametrize("source, message", [
    ("just text", "must be a YAML list"),
    ("- q: {sv: a, en: b}\n  options: [x]\n", "give 2 to 5 options"),
    (GOOD.replace("correct: true, ", ""), "exactly one option with correct: true (found 0)"),
    (GOOD.replace('why: {sv: "Inget registreras.", en: "Nothing is recorded."}', "x: 1"), "use the keys sv, en, why"),
    (GOOD.replace(', why: {sv: "Inget registreras.", en: "Nothing is recorded."}', ""), "needs feedback ('why')"),
    (GOOD.replace('en: "Which stage?"', 'en: ""'), "the en text is empty"),
    (GOOD.replace('{sv: "Vilket steg?", en: "Which stage?"}', '{sv: "Vilket steg?"}'), "both languages"),
    (GOOD.replace('en: "Which stage?"', 'en: "Vilket steg?"').replace('"Vilket steg?"', '"Vilket steg i indexet?"'),
     "identical"),
    ("- q: [unclosed", "not valid YAML"),
])
def test_a_bad_block_gets_a_clear_error(source, message):
    mod = ext()
    with pytest.raises(mod.SelfCheckError, match=re.escape(message)):
        mod.parse_selfcheck(source)


class _Form(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(markup: str) -> _Form:
    parser = _Form()
    parser.feed(markup)
    return parser


def test_the_edition_language_decides_the_text():
    mod = ext()
    questions = mod.parse_selfcheck(GOOD)
    sv = " ".join(_parse(mod.render_selfcheck(questions, "sv", "sc-x")).text)
    en = " ".join(_parse(mod.render_selfcheck(questions, "en", "sc-x")).text)
    assert "Vilket steg?" in sv and "Which stage?" not in sv and "Kontrollera svaret" in sv
    assert "Which stage?" in en and "Vilket steg?" not in en and "Check answer" in en
    both = _parse(mod.render_selfcheck(questions, "en", "sc-x", show="both"))
    assert "Vilket steg?" in " ".join(both.text) and "Which stage?" in " ".join(both.text)
    assert any(t == "span" and a.get("lang") == "sv" for t, a in both.tags), "the other language is marked lang=sv"


def test_the_markup_is_real_form_controls_with_a_live_region():
    mod = ext()
    page = _parse(mod.render_selfcheck(mod.parse_selfcheck(GOOD), "en", "sc-p-1"))
    tags = [t for t, _ in page.tags]
    assert tags.count("form") == 1 and "fieldset" in tags and "legend" in tags
    radios = [a for t, a in page.tags if t == "input"]
    assert len(radios) == 2 and all(a["type"] == "radio" and a["name"] == "sc-p-1-q1" for a in radios)
    labels = [a["for"] for t, a in page.tags if t == "label"]
    assert labels == [a["id"] for a in radios], "every radio has its own label"
    assert [a.get("type") for t, a in page.tags if t == "button"] == ["submit"]
    live = [a for t, a in page.tags if "indi-sc-feedback" in a.get("class", "")]
    assert live and live[0]["role"] == "status" and live[0]["aria-live"] == "polite"
    assert [a["data-correct"] for a in radios] == ["true", "false"]
    assert radios[1]["data-why"] == "Not quite. Nothing is recorded."
    assert "details" in tags, "the answer key is in the page for readers without JavaScript"


def test_text_is_escaped_and_light_markup_rendered():
    mod = ext()
    source = GOOD.replace('"Which stage?"', '"Is `a<b` *really* <script>x</script>?"')
    html = mod.render_selfcheck(mod.parse_selfcheck(source), "en", "sc-x")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<code>a&lt;b</code>" in html and "<em>really</em>" in html


# ----------------------------------------------------------------------------- the equality module's quiz


def test_the_workshop_quiz_agrees_with_the_answer_key_in_indi_equality():
    from indi.equality import QUIZ

    text = (REPO / "equality_module/workshop/quiz.md").read_text(encoding="utf-8")
    questions = ext().parse_selfcheck(block_source(text))
    assert len(questions) == len(QUIZ)
    for q, (qid, q_sv, q_en, options, correct, _ex_sv, _ex_en) in zip(questions, QUIZ, strict=True):
        assert (q["q"]["sv"], q["q"]["en"]) == (q_sv, q_en), qid
        right = [i for i, o in enumerate(q["options"]) if o["correct"]]
        assert right == [list(options).index(correct)], f"{qid}: the page and QUIZ mark different answers"
        for o, text_key in zip(q["options"], options.values(), strict=True):
            assert o["text"]["sv"] in text_key or text_key in o["text"]["sv"], f"{qid}: options differ"
    q4 = questions[3]
    assert next(o for o in q4["options"] if o["correct"])["text"]["en"] == "25", \
        "q4: the written pay survey is required from 25 employees since 1 July 2026"
    assert "% legal: dl-written-25" in text and "as of 2 December 2026" in text


def test_the_quiz_page_runs_no_code():
    """The quiz used to print an empty results table in the HTML book; it is now plain questions."""
    text = (REPO / "equality_module/workshop/quiz.md").read_text(encoding="utf-8")
    assert "{code-cell}" not in text and "kernelspec" not in text


# ----------------------------------------------------------------------------- the built book


@pytest.mark.slow  # needs the book build (shared, once per session)
def test_built_pages_carry_the_questions_and_the_script(built_book):
    for doc in SELFCHECK_PAGES + ["equality_module/workshop/quiz"]:
        page = (built_book / f"{doc}.html").read_text(encoding="utf-8")
        assert page.count('class="indi-sc-question"') >= 3, f"{doc}: self-check missing in the HTML"
        assert "_static/indi-selfcheck.js" in page, f"{doc}: the self-check script is not loaded"
    assert (built_book / "_static" / "indi-selfcheck.js").exists()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(built_book):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(built_book)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _browser(pw):
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)


def _local_only(page, base):
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run .ci/system-deps.sh as root")
def test_keyboard_only_answer_and_feedback(served):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page()
        _local_only(page, served)
        page.goto(f"{served}/book/digital/industry40.html", wait_until="load")
        form = "#sc-book-digital-industry40-1-q1"
        assert page.locator(f"{form} details").count() == 0, "the script takes over from the folded key"
        # Put the keyboard focus on the section heading, then use Tab / Space / Enter / arrows only.
        page.evaluate("() => { const h = document.getElementById('check-yourself');"
                      " h.setAttribute('tabindex', '-1'); h.focus(); }")

        def focused():
            return page.evaluate("() => { const e = document.activeElement; const s = getComputedStyle(e);"
                                 " return {id: e.id, tag: e.tagName, type: e.type || '', checked: !!e.checked,"
                                 " outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }")

        page.keyboard.press("Tab")
        first = focused()
        assert first["type"] == "radio" and first["id"].startswith("sc-book-digital-industry40-1-q1-")
        assert first["outline"] != "none" and first["width"] >= 2, f"focus is not visible: {first}"
        page.keyboard.press("Space")  # choose the first option (a wrong one)
        assert focused()["checked"]
        page.keyboard.press("Tab")
        button = focused()
        assert button["tag"] == "BUTTON" and button["outline"] != "none", button
        page.keyboard.press("Enter")
        feedback = page.locator(f"{form} .indi-sc-feedback")
        assert feedback.get_attribute("role") == "status" and feedback.get_attribute("aria-live") == "polite"
        page.wait_for_function(f"() => document.querySelector('{form} .indi-sc-feedback').textContent.length > 0")
        assert feedback.inner_text().startswith("Not quite.") and "Try again." in feedback.inner_text()
        # back to the options, the next one with the arrow key, then the button with Space
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        page.wait_for_function(f"() => document.querySelector('{form} .indi-sc-feedback')"
                               ".textContent.startsWith('Correct.')")
        assert "connectivity" in feedback.inner_text()
        # nothing chosen: the button says so instead of failing silently
        other = "#sc-book-digital-industry40-1-q2"
        page.locator(f"{other} button").focus()
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => document.querySelector('{other} .indi-sc-feedback').textContent.length > 0")
        assert page.locator(f"{other} .indi-sc-feedback").inner_text() == "Choose an answer first."
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                                "wcag21aa"]}})
        assert result.response["violations"] == [], [v["id"] for v in result.response["violations"]]
        browser.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium missing: run .ci/system-deps.sh as root")
def test_without_javascript_the_answers_stay_readable(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        _local_only(page, served)
        page.goto(f"{served}/equality_module/workshop/quiz.html", wait_until="load")
        assert page.locator("details.indi-sc-key").count() == 7
        page.locator("details.indi-sc-key summary").nth(3).click()
        key = page.locator("details.indi-sc-key").nth(3).inner_text()
        assert "25" in key and "1 July 2026" in key and "1 juli 2026" in key
        browser.close()

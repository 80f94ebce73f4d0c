"""The built book: every page in _toc.yml built, links resolve, no solutions leak, widgets have a static view.

Uses the session-wide ``built_book`` fixture (tests/conftest.py): one `jupyter-book build` with
warnings as errors, shared by every book test. Page-shape checks read the sources and need no build.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from indi.book import load_catalogue, toc_docnames
from indi_ops.bookfigures import figure_counts, page_figures, page_kind

REPO = Path(__file__).resolve().parents[1]

# Lesson pages of the book's own parts follow the fixed shape (DESIGN.md "Lesson page shape").
LESSON_DIRS = ("book/digital/", "book/tech/", "book/careers/", "book/find/")
LESSON_EXTRA = ("book/start/outcomes", "book/start/launch")


def lesson_pages() -> list[str]:
    return [d for d in toc_docnames() if d.startswith(LESSON_DIRS) or d in LESSON_EXTRA]


# ----------------------------------------------------------------------------- source-level (fast)


@pytest.mark.parametrize("doc", lesson_pages())
def test_lesson_page_has_the_fixed_shape(doc):
    text = (REPO / f"{doc}.md").read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{doc}: no front matter"
    front = yaml.safe_load(text.split("---\n", 2)[1])
    assert isinstance(front.get("teaching"), int) and isinstance(front.get("exercises"), int), \
        f"{doc}: front matter needs teaching: and exercises: minutes"
    assert re.search(r"^\*Time: .+\*$", text, re.MULTILINE), f"{doc}: no visible '*Time: …*' line"
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    for required in ("Objectives", "Key points", "Sammanfattning"):
        assert required in headings, f"{doc}: missing '## {required}' (has {headings})"
    assert headings[-1] == "Sammanfattning", f"{doc}: the Swedish summary must come last"
    if front["exercises"]:
        assert any(h.startswith("Exercise") for h in headings), f"{doc}: exercises announced but no '## Exercise…'"
    # every solution is folded away
    for block in re.findall(r":::\{admonition\} Solution\n(.*?)\n", text):
        assert block.strip() == ":class: dropdown", f"{doc}: a Solution admonition is not a dropdown"


def test_every_toc_page_exists_as_a_source():
    missing = [d for d in toc_docnames() if not any((REPO / f"{d}{e}").exists() for e in (".md", ".ipynb"))]
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"


def test_toc_keeps_the_fixed_parts():
    captions = [p["caption"] for p in yaml.safe_load((REPO / "_toc.yml").read_text())["parts"]]
    for part in ("Start here", "Labs", "Reference"):
        assert part in captions, f"_toc.yml lost the part {part!r}: {captions}"


# ----------------------------------------------------------------------------- the built HTML


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "img", "link", "script"):
                self.links.append(attrs[key])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


@pytest.mark.slow  # needs the book build (shared, once per session)
def test_every_toc_page_is_built_and_not_empty(built_book):
    for doc in toc_docnames():
        page = built_book / f"{doc}.html"
        assert page.exists(), f"{doc} is in _toc.yml but {page} was not built"
        main = re.search(r'<main[^>]*>(.*)</main>', page.read_text(encoding="utf-8"), re.S)
        text = re.sub(r"<[^>]+>", " ", main.group(1) if main else "")
        assert len(text.split()) > 30, f"{page} has almost no text ({len(text.split())} words)"


@pytest.mark.slow  # needs the book build (shared, once per session)
def test_internal_links_and_anchors_resolve(built_book):
    parsed: dict[Path, _Links] = {}

    def get(path: Path) -> _Links:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    broken = []
    for page in sorted(built_book.rglob("*.html")):
        if "_static" in page.parts:
            continue
        for link in get(page).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("//", "mailto:", "javascript:")):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(built_book)} → {link} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in get(target).ids:
                broken.append(f"{page.relative_to(built_book)} → {link} (no such anchor)")
    assert not broken, f"{len(broken)} broken internal link(s):\n" + "\n".join(broken[:40])


def _hidden_code_lines() -> list[str]:
    """Longer code lines inside ### BEGIN SOLUTION / HIDDEN TESTS blocks of every lab source notebook."""
    lines = []
    for nb_path in sorted((REPO / "labs").glob("*/*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for block in re.findall(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)\n(.*?)### END (?:SOLUTION|HIDDEN TESTS)",
                                    source, re.S):
                for line in block.splitlines():
                    line = line.strip()
                    # long, specific lines only: short ones ("return x") occur in any text
                    if len(line) >= 30 and not line.startswith("#"):
                        lines.append(line)
    return lines


def solution_leaks(built: Path, hidden_lines: list[str]) -> list[str]:
    """nbgrader markers and hidden code lines found in any text file of a built book."""
    texts = {}
    for path in built.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".txt", ".ipynb", ".md", ".js", ".py") \
                and "_static" not in path.parts:
            raw = path.read_text(encoding="utf-8", errors="replace")
            texts[path] = html.unescape(re.sub(r"<[^>]+>", "", raw))
    leaks = []
    for marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS", "### END SOLUTION"):
        leaks += [f"{p.relative_to(built)}: marker {marker!r}" for p, t in texts.items() if marker in t]
    for line in hidden_lines:
        leaks += [f"{p.relative_to(built)}: {line}" for p, t in texts.items() if line in t]
    return leaks


@pytest.mark.slow  # needs the book build (shared, once per session)
def test_no_solution_or_hidden_test_in_the_built_book(built_book):
    leaks = solution_leaks(built_book, _hidden_code_lines())
    assert not leaks, "solution or hidden-test code appears in the built book:\n" + "\n".join(leaks[:20])


def test_the_leak_check_finds_solution_code(tmp_path):
    lines = _hidden_code_lines()
    if any((REPO / "labs").glob("*/*.ipynb")):
        assert lines, "lab notebooks exist but no solution lines were extracted: the leak check would be empty"
    line = lines[0] if lines else "result = compute_the_secret_answer(values, 42)"
    page = tmp_path / "page.html"
    page.write_text(f"<html><pre><span>{html.escape(line)}</span></pre></html>")
    assert solution_leaks(tmp_path, [line]), "a solution line in a page was not detected"
    page.write_text("<p>### BEGIN SOLUTION</p>")
    assert solution_leaks(tmp_path, []), "an nbgrader marker in a page was not detected"


@pytest.mark.slow  # needs the book build (shared, once per session)
def test_interactive_pages_show_a_static_fallback(built_book):
    maturity = (built_book / "book/find/company_maturity.html").read_text(encoding="utf-8")
    assert "Company self-assessment: twelve statements" in maturity and "Recommended path by result" in maturity
    competence = (built_book / "book/find/my_competence.html").read_text(encoding="utf-8")
    assert "Suggested target level per role and area" in competence
    catalogue = html.unescape((built_book / "book/find/tool_catalogue.html").read_text(encoding="utf-8"))
    missing = [name for name in load_catalogue()["name"] if name not in catalogue]
    assert not missing, f"tools missing from the static catalogue page: {missing}"
    for page in (maturity, competence, catalogue):
        assert "application/vnd.jupyter.widget-view+json" not in page, "a dead widget placeholder was rendered"


@pytest.mark.slow  # needs the book build (shared, once per session)
def test_technology_chapters_link_to_their_labs(built_book):
    chapters = {"sensors_iiot": "sensor_analytics", "machine_vision": "vision_inspection", "am_milling": "am_parameters"}
    for chapter, lab in chapters.items():
        page = (built_book / f"book/tech/{chapter}.html").read_text(encoding="utf-8")
        if (REPO / "labs" / lab / "README.md").exists():
            assert f"labs/{lab}/README.html" in page, f"{chapter} does not link to its lab page labs/{lab}/README"
        else:
            assert "labs/README.html" in page and lab in page, f"{chapter} does not name its lab {lab}"


@pytest.mark.slow  # needs the book build (shared, once per session)
def test_outcome_alignment_page_is_generated(built_book):
    page = (built_book / "book/reference/outcome_alignment.html").read_text(encoding="utf-8")
    for lo in ("LO1", "LO8"):
        assert lo in page
    assert "<table" in page, "the alignment table was not rendered as a table"


# ----------------------------------------------------------------------------- figures and diagrams

FIGURE_DIR = REPO / "book" / "_static" / "figures"
TECH_PAGES = [d for d in toc_docnames() if page_kind(d) == "tech"]
LAB_PAGES = [d for d in toc_docnames() if page_kind(d) == "lab"]
# Pages that explain a process or a set-up (lighting, data pipeline, hybrid route, robot cell) draw it.
PROCESS_PAGES = TECH_PAGES


def test_figure_parser_tells_kinds_alt_and_captions_apart():
    html_text = """<header><svg aria-label="theme icon"></svg></header><article class="bd-article">
    <div class="cell docutils container"><div class="cell_output docutils container">
      <figure><img alt="wear curves" src="../_images/a.png"/><figcaption><p>Wear, <b>µm</b></p></figcaption></figure>
      <img alt="" src="../_images/b.png"/></div></div>
    <figure><img alt="four lamps" src="../_images/light.svg"/><figcaption>Lighting</figcaption></figure>
    <img src="../_images/photo.jpg"/>
    <svg role="img"><title>pipeline</title><g><svg><title>inner</title></svg></g></svg>
    </article><footer><img alt="logo" src="logo.png"/></footer>"""
    figs = page_figures(html_text)
    assert [(f.kind, f.alt, f.caption) for f in figs] == [
        ("executed", "wear curves", "Wear, µm"), ("executed", "", ""), ("diagram", "four lamps", "Lighting"),
        ("image", "", ""), ("diagram", "pipeline", "")]
    counts = figure_counts({"book/tech/x": figs, "labs/lab/README": figs[:1]})
    assert counts["book.figures"] == 4 and counts["book.figures.no_alt"] == 2
    assert counts["book.figures.tech"] == 3 and counts["book.figures.lab"] == 1
    assert counts["book.figures.executed"] == 2 and counts["book.figures.diagram"] == 2


def test_diagrams_carry_title_description_and_readable_text():
    svgs = sorted(FIGURE_DIR.glob("*.svg"))
    assert svgs, f"no diagrams in {FIGURE_DIR}"
    ns = {"svg": "http://www.w3.org/2000/svg"}
    sources = "\n".join((REPO / f"{d}.md").read_text(encoding="utf-8") for d in toc_docnames()
                        if (REPO / f"{d}.md").exists())
    for svg in svgs:
        root = ET.parse(svg).getroot()
        for tag in ("title", "desc"):
            node = root.find(f"svg:{tag}", ns)
            assert node is not None and len((node.text or "").split()) >= 3, f"{svg.name}: no <{tag}>"
        assert root.get("role") == "img" and root.get("aria-labelledby"), f"{svg.name}: role/aria-labelledby"
        sizes = [float(x) for x in re.findall(r"font-size:\s*([\d.]+)px", svg.read_text(encoding="utf-8"))]
        assert sizes and min(sizes) >= 16, f"{svg.name}: text smaller than 16 px ({sorted(set(sizes))})"
        assert f"_static/figures/{svg.name}" in sources, f"{svg.name} is not used on any page"


@pytest.mark.slow  # needs the book build (shared, once per session)
def test_technology_and_lab_pages_show_data_figures_and_diagrams(built_book):
    assert len(TECH_PAGES) >= 4 and len(LAB_PAGES) >= 3, (TECH_PAGES, LAB_PAGES)
    problems = []
    for doc in TECH_PAGES + LAB_PAGES:
        figs = page_figures((built_book / f"{doc}.html").read_text(encoding="utf-8"))
        problems += [f"{doc}: {f.kind} figure {f.src} has no alt text" for f in figs if not f.has_alt]
        if not any(f.kind == "executed" and f.has_alt and f.caption for f in figs):
            problems.append(f"{doc}: no figure computed in an executed cell with alt text and a caption")
        if doc in PROCESS_PAGES and not any(f.kind == "diagram" and f.has_alt and f.caption for f in figs):
            problems.append(f"{doc}: explains a process but has no diagram with alt text and a caption")
    assert not problems, "\n".join(problems)


# Developer wording has no place on learner pages: issue numbers, benchmark keys, machine load, build paths.
DEV_WORDING = re.compile(r"issue #\d*|\b(?:the|this|that|GitHub) issue\b|\bmake bench\b|\bbench\b|load ≈|"
                         r"/(?:tmp|work)/|_build/", re.I)  # machine paths: a build's temp or work folder


def learner_docs() -> list[str]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    teachers = {c["file"] for p in toc["parts"] if p["caption"] == "For teachers" for c in p["chapters"]}
    return [d for d in toc_docnames() if d not in teachers]


def developer_wording(page_html: str) -> list[str]:
    main = re.search(r"<main[^>]*>(.*)</main>", page_html, re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", main.group(1) if main else page_html))
    return [text[max(0, m.start() - 40):m.end() + 40].replace("\n", " ") for m in DEV_WORDING.finditer(text)]


def test_the_developer_wording_check_finds_it():
    page = "<main><p>Fixed in issue #12; see make bench (load ≈ 1.9) and /tmp/x, _build/html.</p></main>"
    assert len(developer_wording(page)) == 5
    assert len(developer_wording("<main><p>Numbers from the bench, as the issue quoted.</p></main>")) == 2
    assert developer_wording("<main><p>A workbench, benchmarking your shop, an issue of a magazine.</p></main>") == []


@pytest.mark.slow  # needs the book build (shared, once per session)
def test_learner_pages_carry_no_developer_text(built_book):
    found = {}
    for doc in learner_docs():
        hits = developer_wording((built_book / f"{doc}.html").read_text(encoding="utf-8"))
        if hits:
            found[doc] = hits
    assert not found, "developer wording on learner pages (move it to the teachers' part or remove it):\n" + \
        "\n".join(f"{d}: {h}" for d, hs in found.items() for h in hs[:5])


# Swedish calques of English idioms found in earlier versions, with what to write instead.
CALQUES = {
    "gemensamma identiteter": "samma beteckningar (order, detalj, maskin)",
    "läckande utvärdering": "utvärderingar där testdata läcker in i träningen",
    "självsäkert fel": "kan ha fel men låta säker",
    "utskrivna detaljer": "3D-printade (additivt tillverkade) detaljer",
    "utskriven detalj": "3D-printad detalj",
    "provbit": "provkropp",
    "anteckningsbok": "notebook",
    "spakar": "det som väger tyngre / faktorer",
    "en liten spak": "en liten faktor",
    "ett högskolepoäng": "en högskolepoäng",
}


def test_no_known_swedish_calques():
    files = [REPO / f"{d}.md" for d in toc_docnames() if (REPO / f"{d}.md").exists()]
    # lab sources (their README is the authors' guide that names the calques to avoid)
    files += sorted(p for p in (REPO / "lab_sources").glob("*.md") if p.name != "README.md")
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8").lower()
        found += [f"{path.relative_to(REPO)}: {bad!r} → {good}" for bad, good in CALQUES.items() if bad in text]
    # and the Swedish edition's translations
    from indi_ops import book as edition

    for po in sorted((REPO / "locales" / "sv").rglob("*.po")):
        text = " ".join(m.string.lower() for m in edition._read(po) if m.id and m.string and not m.fuzzy)
        found += [f"{po.relative_to(REPO)}: {bad!r} → {good}" for bad, good in CALQUES.items() if bad in text]
    assert not found, "Swedish calques:\n" + "\n".join(found)

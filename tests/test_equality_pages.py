"""The equality module's pages: in the table of contents, in the lesson shape, bilingual where promised,
every citation in the bibliography, personas marked fictional. (The book build itself is tested once,
with warnings as errors, by the book tests.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from indi.equality import QUIZ

REPO = Path(__file__).resolve().parents[1]
MODULE = REPO / "equality_module"
PAGES = ["index", "facts", "job_ad_wording", "active_measures", "recruitment", "careers",
         "workshop/facilitator_guide", "workshop/quiz", "workshop/evaluation_form"]
SWEDISH_MARKERS = ("och", "är", "för", "på", "att", "av", "inte", "med", "som", "ett", "till", "vid", "eller", "ska", "från")


def swedish_words(src: str) -> int:
    """How many of the common Swedish function words occur (a cheap language check)."""
    words = set(re.findall(r"[^\W\d_]+", src.lower()))
    return sum(w in words for w in SWEDISH_MARKERS)


def text(page: str) -> str:
    return (MODULE / f"{page}.md").read_text(encoding="utf-8")


def test_toc_has_the_equality_part_before_reference_listing_every_page():
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    captions = [p["caption"] for p in toc["parts"]]
    assert "Equality and careers" in captions
    assert captions.index("Equality and careers") < captions.index("Reference")
    part = toc["parts"][captions.index("Equality and careers")]
    assert [c["file"] for c in part["chapters"]] == [f"equality_module/{p}" for p in PAGES]


@pytest.mark.parametrize("page", PAGES)
def test_page_has_the_lesson_shape(page):
    src = text(page)
    front = yaml.safe_load(src.split("---")[1])
    assert isinstance(front.get("teaching"), int) and isinstance(front.get("exercises"), int), "front matter times"
    assert re.search(r"^\*(Time|Tid)[^*]*\*", src, re.M), "a time line under the title"
    assert "## Sammanfattning" in src, "every page ends with a Swedish summary"
    summary = src.split("## Sammanfattning", 1)[1]
    assert swedish_words(summary) >= 4, "the summary is in Swedish"
    if page != "workshop/evaluation_form":
        assert re.search(r"^## (Objectives|Mål)", src, re.M) and re.search(r"^## Key points", src, re.M)


@pytest.mark.parametrize("page", ["job_ad_wording", "recruitment", "active_measures", "careers", "facts"])
def test_exercises_have_folded_solutions(page):
    src = text(page)
    assert src.count(":::{admonition} Solution\n:class: dropdown") >= src.count(":::{admonition} Exercise") >= 1


def test_every_citation_is_in_the_bibliography():
    bib = (REPO / "book" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    cited = set()
    for page in PAGES:
        for group in re.findall(r"\{cite\}`([^`]+)`", text(page)):
            cited |= {k.strip() for k in group.split(",")}
    assert {"gaucher2011gendered", "castilla2023gendering", "sfs2008567"} <= cited
    assert cited <= keys, f"missing in references.bib: {sorted(cited - keys)}"


def test_castilla_and_rho_is_cited_with_volume_and_pages():
    bib = (REPO / "book" / "references.bib").read_text(encoding="utf-8")
    entry = bib.split("@article{castilla2023gendering,", 1)[1].split("\n}", 1)[0]
    assert "Management Science" in entry and "{69}" in entry and "{11}" in entry and "6912--6939" in entry


def test_personas_are_fictional_and_balanced():
    src = text("careers")
    portraits = src.split("## Six portraits", 1)[1].split("## Routes", 1)[0]
    headings = re.findall(r"^### (.+)$", portraits, re.M)
    assert len(headings) == 6 and all(h.endswith("(fictional)") for h in headings), headings
    assert "All six people below are fictional" in portraits
    # the balance claimed in the page: three women, three men (pronouns in each portrait)
    bodies = re.split(r"^### .+$", portraits, flags=re.M)[1:]
    she = sum(bool(re.search(r"\b(She|she|her|Her)\b", b)) and not re.search(r"\b(He|he|his|His)\b", b) for b in bodies)
    he = sum(bool(re.search(r"\b(He|he|his|His)\b", b)) and not re.search(r"\b(She|she|her|Her)\b", b) for b in bodies)
    assert (she, he) == (3, 3)


def test_careers_page_names_the_five_routes_in_its_table():
    src = text("careers")
    table = src.split("## Routes into the industry", 1)[1].split("\n\n", 2)[1]
    rows = [ln for ln in table.splitlines() if ln.startswith("| **")]
    assert len(rows) == 5, f"the page promises five routes; the table has {len(rows)}"
    assert "five main routes" in src
    for route in ("apprenticeship", "Komvux", "Vocational higher education (YH)", "högskoleingenjör", "Validation"):
        assert any(route in r for r in rows), route


def test_careers_topics_live_in_one_place():
    """Role profiles are on book/careers/roles, routes on the equality careers page, validation on levels."""
    roles = (REPO / "book/careers/roles.md").read_text(encoding="utf-8")
    levels = (REPO / "book/careers/levels.md").read_text(encoding="utf-8")
    careers = text("careers")
    assert "| role | core tasks | knowledge and skills |" in roles and "core tasks" not in careers
    assert "{doc}`../book/careers/roles`" in careers and "{doc}`/equality_module/careers`" in roles
    assert "(careers-routes)=" in careers and "{ref}`careers-routes`" in levels
    assert "| **Validation**" in careers and "(careers-validation)=" in levels and "200 per year" not in levels


@pytest.mark.parametrize("page", ["workshop/facilitator_guide", "workshop/quiz", "workshop/evaluation_form"])
def test_workshop_material_is_bilingual(page):
    src = text(page)
    body = src.split("## Sammanfattning")[0]
    lines = [ln for ln in body.splitlines() if " / " in ln]
    assert len(lines) >= 8, "English / Swedish pairs throughout"
    assert swedish_words(body) >= 7


def test_facilitator_agenda_adds_up_to_three_hours():
    src = text("workshop/facilitator_guide")
    agenda = src.split("## Agenda", 1)[1].split("\n\n", 2)[1]
    minutes = [int(m) for m in re.findall(r"^\| \d:\d\d \| (\d+) \|", agenda, re.M)]
    assert sum(minutes) == 180, minutes


def test_quiz_questions_and_explanations_exist_in_both_languages():
    # the page's questions agree with QUIZ: tests/test_book_selfcheck.py
    for qid, q_sv, q_en, options, correct, ex_sv, ex_en in QUIZ:
        assert q_sv != q_en and ex_sv != ex_en and correct in options and len(options) == 3, qid


def test_quiz_key_agrees_with_the_sourced_figures_and_the_analyser():
    """What the quiz page's build-time cell used to check: q1 quotes the data table, q6 the analyser."""
    from indi.data import load_women_share
    from indi.equality import analyse

    facts = load_women_share()
    aku = facts[facts["indicator"].str.startswith("Women's share of employees aged 20-64")]
    q1 = next(q for q in QUIZ if q[0] == "q1")
    assert aku["value_percent"].tolist() == [24.0] and q1[3][q1[4]] == "24 %", "q1 quotes 24 % (AKU 2019)"
    ad = analyse("Erfarenhet av varmvalsad plåt.", "sv")
    assert ad.counted == [] and ad.other_sense[0].word == "varmvalsad", "q6: 'varmvalsad' must not be counted"


def test_equality_data_card_exists_and_is_registered():
    cards = yaml.safe_load((REPO / "datasets" / "datasets.yml").read_text())
    assert cards["equality"]["card"] == "cards/equality.md"
    card = (REPO / "datasets" / "cards" / "equality.md").read_text(encoding="utf-8")
    for needed in ("MIT", "Castilla", "false", "verified", "indi.data.load_gendered_wording"):
        assert needed in card

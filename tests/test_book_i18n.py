"""The Swedish edition: every learner page translated, markup intact, both editions linked to each other.

The English text is extracted with Sphinx's gettext builder (reusing the book build's execution cache)
and compared with locales/sv: a message left empty, or marked fuzzy because its English changed since
it was translated, falls back to English without any warning in the build — so this test is the only
thing that notices an untranslated page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from indi_ops import book

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pot_dir(built_book):  # after the book build: the gettext run reuses its executed notebooks
    return book.extract()


def test_every_learner_page_has_a_swedish_version(pot_dir):
    pages = book.coverage(pot_dir)
    assert len(pages) >= 20, f"only {len(pages)} learner pages found in _toc.yml"
    untranslated = [p for p in pages if p.share < 1.0]
    report = "\n".join(f"  {p.doc}: {p.translated}/{p.total} translated; first missing: {p.missing[0][:100]!r}"
                       for p in untranslated)
    assert not untranslated, (
        f"{len(untranslated)} learner pages are not fully translated into Swedish:\n{report}\n"
        "Run `indi-ops book update`, `indi-ops book todo > todo.txt`, translate, `indi-ops book apply todo.txt`.")


def test_no_catalogue_for_a_page_that_is_gone(pot_dir):
    pots = {p.relative_to(pot_dir).with_suffix("").as_posix() for p in pot_dir.rglob("*.pot")}
    pos = {p.relative_to(book.LOCALES / "sv" / "LC_MESSAGES").with_suffix("").as_posix()
           for p in (book.LOCALES / "sv" / "LC_MESSAGES").rglob("*.po")} - {"sphinx"}  # sphinx.po: theme texts
    assert not pos - pots, f"catalogues of pages no longer in the book: {sorted(pos - pots)} — delete them"


def test_every_translation_keeps_the_markup():
    problems = []
    for po in sorted((book.LOCALES / "sv").rglob("*.po")):
        for m in book._read(po):
            if m.id and m.string and not m.fuzzy:
                problem = book.markup_problem(m.id, m.string)
                if problem:
                    problems.append(f"{po.stem}: {problem}: {m.id[:80]!r}")
    assert not problems, "\n".join(problems[:20])


def test_markup_check_catches_a_lost_link_and_code():
    assert book.markup_problem("See {doc}`../tech/sensors` and `make start`.",
                               "Se {doc}`Sensorer <../tech/sensors>` och `make start`.") is None
    assert "lost" in book.markup_problem("See {doc}`../tech/sensors`.", "Se sensorsidan.")
    assert "lost" in book.markup_problem("Run `make start`.", "Kör make start.")
    assert "lost" in book.markup_problem("[data](https://x.se/a)", "[data](https://x.se/b)")


def test_coverage_counts_an_empty_and_a_fuzzy_translation_as_missing(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog

    pot, po = Catalog(), Catalog(locale="sv")
    for text in ("One paragraph.", "Another paragraph.", "A third one.", "`code_only()`"):
        pot.add(text)
    po.add("One paragraph.", "Ett stycke.")
    po.add("Another paragraph.", "")
    po.add("A third one.", "Ett tredje.", flags=["fuzzy"])
    book._write(pot, tmp_path / "pot" / "p.pot")
    monkeypatch.setattr(book, "LOCALES", tmp_path / "locales")
    book._write(po, tmp_path / "locales" / "sv" / "LC_MESSAGES" / "p.po")
    (page,) = book.coverage(tmp_path / "pot", ["p"])
    assert (page.translated, page.total) == (1, 3), "code-only text needs no translation; empty and fuzzy do"
    assert page.missing == ["Another paragraph.", "A third one."]


def test_todo_and_apply_round_trip(tmp_path, monkeypatch):
    from babel.messages.catalog import Catalog

    monkeypatch.setattr(book, "LOCALES", tmp_path)
    po = Catalog(locale="sv")
    po.add("Read {doc}`../x`.", "")
    po.add("Light first.", "")
    book._write(po, tmp_path / "sv" / "LC_MESSAGES" / "p.po")
    blocks = book.todo(["p"])
    assert blocks.count("\n->\n") == 2
    filled = blocks.replace("Read {doc}`../x`.\n->\n", "Read {doc}`../x`.\n->\nLäs sidan.") \
                   .replace("Light first.\n->\n", "Light first.\n->\nLjuset först.")
    written, problems = book.apply(filled)
    assert written == 1 and len(problems) == 1 and "lost" in problems[0], "a lost role must be refused"
    assert {m.id: m.string for m in book._read(tmp_path / "sv" / "LC_MESSAGES" / "p.po") if m.id} == \
        {"Read {doc}`../x`.": "", "Light first.": "Ljuset först."}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.switch: list[dict] = []
        self._in_switch = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "nav" and "indi-lang-switch" in (attrs.get("class") or ""):
            self._in_switch = True
        if tag == "a" and self._in_switch:
            self.switch.append(attrs)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_switch = False


def _content_pages(html):
    return [p for p in sorted(html.rglob("*.html"))
            if not {"_static", "_sources", "_images"} & set(p.relative_to(html).parts)
            and 'http-equiv="Refresh"' not in p.read_text(errors="replace")[:1000]
            and p.name not in ("genindex.html", "search.html")]


def test_both_editions_link_every_page_to_its_twin(built_book):
    sv_root = built_book / "sv"
    for page in _content_pages(built_book):
        parsed = _Page()
        parsed.feed(page.read_text(encoding="utf-8"))
        swedish = page.is_relative_to(sv_root)
        assert parsed.lang == ("sv" if swedish else "en"), f"{page}: <html lang={parsed.lang!r}>"
        assert len(parsed.switch) == 1, f"{page}: no language switch"
        link = parsed.switch[0]
        assert link["hreflang"] == ("en" if swedish else "sv")
        twin = (page.parent / link["href"]).resolve()
        assert twin.is_file(), f"{page}: the language switch points at a missing page {link['href']}"
        rel = page.relative_to(sv_root) if swedish else page.relative_to(built_book)
        assert twin == (built_book / rel if swedish else sv_root / rel).resolve()


def test_a_swedish_page_reads_swedish(built_book):
    # Real text from the catalogue must appear on the built Swedish page (the build used it).
    po = book.LOCALES / "sv" / "LC_MESSAGES" / "book" / "digital" / "pilot.po"
    translated = [m for m in book._read(po) if m.id and m.string and not m.fuzzy and len(m.string) > 60
                  and "`" not in m.string and "{" not in m.string and "*" not in m.string]
    assert translated, "book/digital/pilot has no translated paragraph to look for"
    page = (built_book / "sv" / "book" / "digital" / "pilot.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    found = [m for m in translated if " ".join(m.string.split())[:50] in text]
    assert len(found) >= len(translated) * 0.8, \
        f"only {len(found)} of {len(translated)} Swedish paragraphs appear on sv/book/digital/pilot.html"


# ----------------------------------------------------------------------------- what code cells print


def test_interactive_parts_speak_swedish_in_the_swedish_edition():
    from indi import book as ib
    from indi import book_sv

    assert len(book_sv.MATURITY_STAGES) == len(ib.MATURITY_STAGES)
    assert len(book_sv.MATURITY_QUESTIONS) == len(ib.MATURITY_QUESTIONS)
    assert set(book_sv.DIGCOMP_LEVELS) == set(ib.DIGCOMP_LEVELS)
    for name in ("COMPETENCE_AREAS", "AREA_SHORT", "PROBLEMS", "COSTS", "SKILLS"):
        assert set(getattr(book_sv, name)) == set(getattr(ib, name)), name
    assert set(book_sv.ROLES) == set(ib.ROLE_PROFILES)
    tools = ib.load_catalogue()
    assert set(tools["category"]) <= set(book_sv.CATEGORIES), \
        f"tool categories without Swedish in indi/book_sv.py: {sorted(set(tools['category']) - set(book_sv.CATEGORIES))}"
    assert tools["description_sv"].notna().all(), \
        f"tools without a Swedish description in book/catalogue/tools_sv.yml: {list(tools[tools['description_sv'].isna()]['name'])}"
    ib.MISSING_SV.clear()
    titles = ib.page_titles(lang="sv")
    full = {a: 8 for a in ib.COMPETENCE_AREAS}
    outputs = [
        ib.maturity_static_html(titles, "sv"), ib.competence_static_html(titles, "sv"),
        ib.catalogue_static_html(ib.load_catalogue(), "sv"),
        ib.alignment_markdown(ib.outcome_alignment(), titles, "sv"),
        *(ib._maturity_result_html(s, titles, "sv") for s in range(7)),
        ib._competence_result_html("Operator", {a: 1 for a in ib.COMPETENCE_AREAS}, titles, "sv"),
        ib._competence_result_html("Operator", full, titles, "sv"),
    ]
    for form in (ib.maturity_assessment(lang="sv"), ib.competence_assessment(lang="sv"), ib.catalogue_explorer(lang="sv")):
        outputs.append(form._repr_mimebundle_()["text/html"])
    assert not ib.MISSING_SV, f"no Swedish in indi/book_sv.py UI for: {sorted(ib.MISSING_SV)}"
    text = "\n".join(outputs)
    for english in ("Recommended path", "Where each area is taught", "statement (answer", "not yet verified",
                    "Proficiency levels", "taught on", "Company self-assessment"):
        assert english not in text, f"English {english!r} in the Swedish output"
    assert "Rekommenderad väg" in text and "Kunskapsnivåer" in text
    # The English edition is unchanged by all this.
    assert "Recommended path" in ib.maturity_static_html(ib.page_titles(lang="en"), "en")


def test_swedish_page_titles_come_from_the_catalogues():
    from indi import book as ib

    en, sv = ib.page_titles(lang="en"), ib.page_titles(lang="sv")
    assert en.keys() == sv.keys()
    translated = [d for d in en if en[d] != sv[d]]
    # every title with a Swedish version in locales/sv is used (a title may be the same word in both)
    for doc in translated:
        po = book.LOCALES / "sv" / "LC_MESSAGES" / f"{doc}.po"
        assert {m.id: m.string for m in book._read(po)}[en[doc]] == sv[doc]


def test_an_english_twin_is_in_the_english_edition_only(built_book, pot_dir):
    # equality_module/job_ad_wording.md wraps the English copy of a Swedish section in {only} en.
    en = (built_book / "equality_module" / "job_ad_wording.html").read_text(encoding="utf-8")
    sv = (built_book / "sv" / "equality_module" / "job_ad_wording.html").read_text(encoding="utf-8")
    twin = "finds words from two lists"
    assert twin in en and twin not in sv
    assert "letar efter ord ur två ordlistor" in sv
    pot = (pot_dir / "equality_module" / "job_ad_wording.pot").read_text(encoding="utf-8")
    assert twin not in pot, "text the Swedish edition does not show must not wait for a translation"


def test_a_swedish_paragraph_is_recognised_and_an_english_one_is_not():
    assert book.is_swedish("De tre metall-AM-processerna närmast en verkstad är L-PBF och DED. Planera "
                           "bearbetningsmån, referenser och fixering från början, och mät det som är viktigt.")
    assert not book.is_swedish("The three metal AM processes closest to a shop are L-PBF, DED and WAAM; "
                               "plan the machining allowance and the datums from the start, and what is left.")
    assert not book.is_swedish("Amira and Li: a 30-person shop with stainless and aluminium parts.")


def test_swedish_sidebar_figures_and_alt_texts(built_book):
    # Part captions come from the root page's catalogue; figures drawn by code cells carry Swedish alt
    # text and captions (both made after Sphinx's own translation step, see book/_ext/indi_i18n.py).
    page = (built_book / "sv" / "book" / "tech" / "machine_vision.html").read_text(encoding="utf-8")
    captions = re.findall(r'caption-text">([^<]*)<', page)
    assert "Börja här" in captions and "Technologies" not in captions, captions[:10]
    po = {m.id: m.string for m in book._read(book.LOCALES / "sv" / "LC_MESSAGES" / "book" / "tech" / "machine_vision.po")}
    import html as html_lib

    alts = [html_lib.unescape(a) for a in re.findall(r'<img[^>]* alt="([^"]+)"', page)]
    english_alts = [a for a in alts if a in po and po[a] != a]
    assert not english_alts, f"English alt text on the Swedish page: {english_alts[:2]}"
    swedish_alts = [a for a in alts if a in po.values()]
    assert len(swedish_alts) >= 2, "no Swedish alt text found for the page's figures"

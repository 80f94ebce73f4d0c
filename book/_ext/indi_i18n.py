"""The book's two editions: a language switch on every page, and the edition's own title.

The English edition is built at the site root, the Swedish one under ``sv/`` (``indi-ops book build``,
``make book``). Each page links to the same page in the other edition; ``<link rel="alternate"
hreflang>`` tells browsers and search engines the pair. Loaded by ``indi_book.setup``.
"""

from __future__ import annotations

import html
import posixpath

# Edition → folder under the site root, and how the switch names it (in its own language).
EDITIONS = {
    "en": {"dir": "", "label": "In English", "title": "INDI Lab — digitalisation and AI for small metal-working firms"},
    "sv": {"dir": "sv", "label": "På svenska", "author": "INDI Labs medverkande",
           "title": "INDI Lab — digitalisering och AI för små verkstadsföretag"},
}
SWITCH_LABEL = {"en": "Language", "sv": "Språk"}


def other_edition_href(pagename: str, lang: str, target: str) -> str:
    """Relative link from ``pagename`` in edition ``lang`` to the same page in edition ``target``."""
    depth = pagename.count("/")
    up = "../" * depth + ("../" if EDITIONS[lang]["dir"] else "")
    target_dir = EDITIONS[target]["dir"]
    return posixpath.join(up, target_dir, f"{pagename}.html") if target_dir else f"{up}{pagename}.html"


def switch_html(pagename: str, lang: str) -> str:
    links = []
    for target, edition in EDITIONS.items():
        if target == lang:
            continue
        href = html.escape(other_edition_href(pagename, lang, target))
        links.append(f'<a class="indi-lang-link" href="{href}" hreflang="{target}" lang="{target}">'
                     f'{html.escape(edition["label"])}</a>')
    return (f'<nav class="indi-lang-switch" aria-label="{SWITCH_LABEL.get(lang, "Language")}">'
            + " ".join(links) + "</nav>\n")


def _add_switch(app, pagename, templatename, context, doctree):
    lang = app.config.language or "en"
    if lang not in EDITIONS or not context.get("body"):
        return
    context["body"] = switch_html(pagename, lang) + context["body"]
    alternates = "".join(
        f'<link rel="alternate" hreflang="{t}" href="{html.escape(other_edition_href(pagename, lang, t))}" />\n'
        for t in EDITIONS if t != lang)
    context["metatags"] = context.get("metatags", "") + alternates


# Theme texts outside any catalogue the theme ships for Swedish (found by reading the built pages).
THEME_TEXT_SV = {'placeholder="Search this book..."': 'placeholder="Sök i boken …"'}


def _theme_texts(app, exception):
    if exception or (app.config.language or "en") != "sv" or app.builder.format != "html":
        return
    from pathlib import Path

    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = text
        for en, sv in THEME_TEXT_SV.items():
            fixed = fixed.replace(en, sv)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def _edition_tag(app, config):
    """Tag ``en`` or ``sv`` for ``{only}`` blocks: text that one edition needs and the other repeats.

    A bilingual page keeps its Swedish beside the English in the English edition; its English copy is
    wrapped in ``:::{only} en`` and left out of the Swedish edition (and of the Swedish catalogue:
    the text extraction runs with ``indi_edition = "sv"``).
    """
    app.tags.add(config.indi_edition or config.language or "en")


def _extract_for_edition(app):
    """Sphinx's gettext builder keeps every ``{only}`` block (its tags are always true); extract only what
    the edition being translated shows, so an English-only twin needs no Swedish version."""
    if app.builder.name == "gettext" and app.config.indi_edition:
        from sphinx.util.tags import Tags

        app.builder.tags = Tags([app.config.indi_edition, "gettext"])


def _page_catalog(app, docname: str):
    """The edition's gettext catalogue of one page (compiled by Sphinx at the start of the build), or None."""
    import gettext
    from pathlib import Path

    from sphinx.util.i18n import docname_to_domain

    domain = docname_to_domain(docname, app.config.gettext_compact)
    for locale_dir in app.config.locale_dirs:
        try:
            return gettext.translation(domain, str(Path(app.srcdir, locale_dir)), languages=[app.config.language])
        except OSError:
            continue
    return None


def _output_image_alts(app, doctree, docname):
    """Alt texts of figures drawn by executed cells: myst-nb makes their image nodes after Sphinx has
    extracted and translated the page's text, so both happen here, once the images exist."""
    from docutils import nodes

    images = [n for n in doctree.findall(nodes.image) if n.get("alt") and not getattr(n, "uid", None)]
    if not images:
        return
    if app.builder.name == "gettext":
        import uuid

        for image in images:  # the gettext builder collects only nodes with a uid and a source
            image.uid = uuid.uuid4().hex
            if image.source is None:
                image.source, image.line = doctree.get("source"), 1
        return
    if (app.config.language or "en") == "en":
        return
    catalog = _page_catalog(app, docname)
    if catalog is not None:
        for image in images:
            image["alt"] = catalog.gettext(image["alt"])


def _translate_toc_captions(app, doctree):
    """Part captions of the table of contents (Start here, Technologies, …) in the edition's language.

    sphinx-external-toc adds the toctree nodes after Sphinx has put the translations in, so the sidebar
    would keep the English captions; they are looked up in the root page's catalogue here."""
    lang = app.config.language or "en"
    if lang == "en":
        return
    from sphinx import addnodes

    catalog = _page_catalog(app, app.config.root_doc)
    if catalog is None:
        return
    for node in doctree.findall(addnodes.toctree):
        if node.get("caption"):
            node["caption"] = catalog.gettext(node["caption"])


def _edition_title(app, config):
    lang = config.language or "en"
    if lang in EDITIONS and lang != "en":
        config.html_title = EDITIONS[lang]["title"]
        config.project = EDITIONS[lang]["title"]
        config.author = EDITIONS[lang].get("author", config.author)


def setup(app):
    app.add_config_value("indi_edition", "", "env")
    app.connect("config-inited", _edition_tag)
    app.connect("config-inited", _edition_title)
    app.connect("html-page-context", _add_switch)
    app.connect("build-finished", _theme_texts)
    app.connect("builder-inited", _extract_for_edition)
    app.connect("doctree-read", _translate_toc_captions)
    app.connect("doctree-resolved", _output_image_alts)
    # env_version: a change here re-reads every page (the captions are set when a page is read)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1", "env_version": 2}

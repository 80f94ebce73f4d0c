"""Sphinx extension for the INDI Lab book: small accessibility fixes, the book's own CSS, and the
``selfcheck`` directive (self-check questions that work in the static HTML book, without a kernel).

Loaded through ``sphinx.local_extensions`` in _config.yml. Each fix names the axe-core rule it serves,
so it can be dropped when the theme or docutils fixes the markup itself.

Self-check questions are written once, in both languages, as YAML in a ``selfcheck`` directive::

    ```{selfcheck}
    - q: {sv: "Fråga?", en: "Question?"}
      options:
        - {sv: "Svar A", en: "Answer A", why: {sv: "Varför fel.", en: "Why wrong."}}
        - {sv: "Svar B", en: "Answer B", correct: true, why: {sv: "Varför rätt.", en: "Why right."}}
    ```

The book shows the Swedish text when ``language`` is ``sv`` (the Swedish edition) and the English text
otherwise; ``:show: both`` shows both (the bilingual workshop pages). The HTML is plain form markup (a
fieldset of radio buttons, a button, a live region) made interactive by ``_static/indi-selfcheck.js``;
without JavaScript (or printed) the answers and explanations stay readable in a folded list.
The text is raw HTML to Sphinx, so the gettext catalogues do not carry it twice: both languages already
live in the page source.
"""

from __future__ import annotations

import datetime as dt
import html
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


# ----------------------------------------------------------------------------- self-check questions

LANGS = ("sv", "en")
UI = {
    "sv": {"check": "Kontrollera svaret", "right": "Rätt.", "wrong": "Inte riktigt.", "again": "Försök igen.",
           "choose": "Välj ett svar först.", "question": "Fråga {n} av {total}", "key": "Svar och förklaringar",
           "correct": "rätt svar", "label": "Testa dig själv"},
    "en": {"check": "Check answer", "right": "Correct.", "wrong": "Not quite.", "again": "Try again.",
           "choose": "Choose an answer first.", "question": "Question {n} of {total}",
           "key": "Answers and explanations", "correct": "correct answer", "label": "Check yourself"},
}


class SelfCheckError(ValueError):
    """A self-check block that cannot be shown: the message says which question and what to fix."""


def _bilingual(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGS):
        raise SelfCheckError(f"{where}: give the text as {{sv: ..., en: ...}} (both languages, nothing else)")
    out = {}
    for lang in LANGS:
        text = value[lang]
        if not isinstance(text, str) or not text.strip():
            raise SelfCheckError(f"{where}: the {lang} text is empty")
        out[lang] = " ".join(text.split())
    if out["sv"] == out["en"] and len(out["sv"]) > 12:
        raise SelfCheckError(f"{where}: the sv and en texts are identical; translate one of them")
    return out


def parse_selfcheck(source: str) -> list[dict]:
    """The questions of one ``selfcheck`` block, validated: a list of
    ``{"q": {sv, en}, "options": [{"text": {sv, en}, "why": {sv, en}, "correct": bool}, ...]}``."""
    import yaml

    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as err:
        raise SelfCheckError(f"the block is not valid YAML: {err}") from err
    if not isinstance(data, list) or not data:
        raise SelfCheckError("the block must be a YAML list of questions (- q: ..., options: ...)")
    questions = []
    for i, item in enumerate(data, 1):
        where = f"question {i}"
        if not isinstance(item, dict) or set(item) - {"q", "options"} or "q" not in item or "options" not in item:
            raise SelfCheckError(f"{where}: needs exactly the keys 'q' and 'options'")
        q = _bilingual(item["q"], f"{where}, q")
        options = item["options"]
        if not isinstance(options, list) or not 2 <= len(options) <= 5:
            raise SelfCheckError(f"{where}: give 2 to 5 options")
        parsed = []
        for j, opt in enumerate(options, 1):
            ow = f"{where}, option {j}"
            if not isinstance(opt, dict) or set(opt) - {"sv", "en", "why", "correct"}:
                raise SelfCheckError(f"{ow}: use the keys sv, en, why and (for the right answer) correct: true")
            if "why" not in opt:
                raise SelfCheckError(f"{ow}: every option needs feedback ('why') that says why it is right or wrong")
            correct = opt.get("correct", False)
            if not isinstance(correct, bool):
                raise SelfCheckError(f"{ow}: correct must be true or false")
            parsed.append({"text": _bilingual({k: opt.get(k) for k in LANGS}, ow),
                           "why": _bilingual(opt["why"], f"{ow}, why"), "correct": correct})
        n_correct = sum(o["correct"] for o in parsed)
        if n_correct != 1:
            raise SelfCheckError(f"{where}: mark exactly one option with correct: true (found {n_correct})")
        questions.append({"q": q, "options": parsed})
    return questions


_CODE = re.compile(r"`([^`]+)`")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def _inline(text: str) -> str:
    """Escape the text, then render `code`, **bold** and *emphasis* (all the markup a question needs)."""
    parts = _CODE.split(text)
    out = []
    for k, part in enumerate(parts):
        if k % 2:
            out.append(f"<code>{html.escape(part)}</code>")
        else:
            part = html.escape(part, quote=False)
            part = _STRONG.sub(r"<strong>\1</strong>", part)
            out.append(_EM.sub(r"<em>\1</em>", part))
    return "".join(out)


def _text(pair: dict[str, str], lang: str, show: str) -> str:
    if show != "both" or pair["sv"] == pair["en"]:
        return _inline(pair[lang])
    other = "en" if lang == "sv" else "sv"
    return (f'<span lang="{lang}">{_inline(pair[lang])}</span> <span class="indi-sc-other" lang="{other}">'
            f"/ {_inline(pair[other])}</span>")


def _ui(key: str, lang: str, show: str, **fmt) -> str:
    if show != "both":
        return UI[lang][key].format(**fmt)
    other = "en" if lang == "sv" else "sv"
    return f"{UI[lang][key].format(**fmt)} / {UI[other][key].format(**fmt)}"


def render_selfcheck(questions: list[dict], lang: str, block_id: str, show: str = "edition") -> str:
    """Accessible HTML for one block: per question a form with a fieldset of radio buttons (legend =
    question), a real button, and a polite live region for the feedback; the answer key folded below."""
    lang = "sv" if lang == "sv" else "en"
    if lang == "sv":
        show = "edition"  # the Swedish edition is Swedish only; "both" is for the English edition's readers
    attr = html.escape
    total = len(questions)
    out = [f'<div class="indi-selfcheck" id="{attr(block_id)}" data-lang="{lang}" data-show="{attr(show)}" '
           f'data-right="{attr(_ui("right", lang, show))}" data-wrong="{attr(_ui("wrong", lang, show))}" '
           f'data-again="{attr(_ui("again", lang, show))}" data-choose="{attr(_ui("choose", lang, show))}">']
    for n, q in enumerate(questions, 1):
        qid = f"{block_id}-q{n}"
        out.append(f'<form class="indi-sc-question" id="{qid}" data-n="{n}" data-total="{total}">')
        out.append('<fieldset>')
        out.append(f'<legend><span class="indi-sc-num">{n}.</span> {_text(q["q"], lang, show)}</legend>')
        for k, opt in enumerate(q["options"]):
            oid = f"{qid}-o{k + 1}"
            why = ((UI[lang]["right"] if opt["correct"] else UI[lang]["wrong"]) + " " + opt["why"][lang])
            if show == "both":
                other = "en" if lang == "sv" else "sv"
                why += " / " + (UI[other]["right"] if opt["correct"] else UI[other]["wrong"]) + " " + opt["why"][other]
            out.append(f'<div class="indi-sc-option"><input type="radio" name="{qid}" id="{oid}" value="{k}" '
                       f'data-correct="{"true" if opt["correct"] else "false"}" data-why="{attr(why)}">'
                       f'<label for="{oid}">{_text(opt["text"], lang, show)}</label></div>')
        out.append('</fieldset>')
        out.append(f'<button type="submit" class="indi-sc-check">{_ui("check", lang, show)}</button>')
        out.append('<p class="indi-sc-feedback" role="status" aria-live="polite"></p>')
        # The key, readable without JavaScript and in print; the script removes it when it takes over.
        out.append(f'<details class="indi-sc-key"><summary>{_ui("key", lang, show)}</summary><ol type="a">')
        for opt in q["options"]:
            mark = f' <strong>({_ui("correct", lang, show)})</strong>' if opt["correct"] else ""
            out.append(f'<li>{_text(opt["text"], lang, show)}{mark}: {_text(opt["why"], lang, show)}</li>')
        out.append("</ol></details>")
        out.append("</form>")
    out.append("</div>")
    return "\n".join(out)


def _selfcheck_directive():
    from docutils import nodes
    from docutils.parsers.rst import directives
    from sphinx.util.docutils import SphinxDirective

    class SelfCheck(SphinxDirective):
        has_content = True
        option_spec = {"show": lambda arg: directives.choice(arg, ("edition", "both"))}

        def run(self):
            try:
                questions = parse_selfcheck("\n".join(self.content))
            except SelfCheckError as err:
                raise self.error(f"selfcheck: {err}") from err
            serial = self.env.new_serialno("indi-selfcheck")
            page = re.sub(r"[^A-Za-z0-9]+", "-", self.env.docname).strip("-")
            block_id = f"sc-{page}-{serial + 1}"
            lang = self.env.config.language or "en"
            return [nodes.raw("", render_selfcheck(questions, lang, block_id, self.options.get("show", "edition")),
                              format="html")]

    return SelfCheck


def setup(app):
    app.config.html_static_path.append(str(STATIC))
    app.add_css_file("indi.css")
    app.add_js_file("indi-selfcheck.js", loading_method="defer")
    app.add_directive("selfcheck", _selfcheck_directive())
    app.connect("html-page-context", _fix_body)
    app.connect("builder-inited", _report_legal)
    app.connect("config-inited", _check_launch)
    app.setup_extension("indi_i18n")  # the language switch between the English and Swedish editions
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

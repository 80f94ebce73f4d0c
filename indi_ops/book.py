"""``indi-ops book``: build the book in both languages, and keep its Swedish translation complete.

    indi-ops book build [--lang en,sv]      _build/html (English) and _build/html/sv (Swedish)  (make book)
    indi-ops book update [PAGE …]           extract the English text, merge it into locales/sv/*.po
    indi-ops book coverage [--min 0.98]     share of learner-facing text with a Swedish version, per page
    indi-ops book todo [PAGE …] > todo.txt  untranslated and changed texts, as blocks to fill in
    indi-ops book apply todo.txt            write the filled-in blocks into the catalogues (checked)

The Swedish edition uses Sphinx's own translation machinery: ``gettext`` extracts every paragraph,
heading, list item and table cell of the English pages as one message; ``locales/sv/LC_MESSAGES/
<page>.po`` holds its Swedish version; a build with ``language=sv`` puts the Swedish text in place.
A message left empty or marked fuzzy (its English changed) falls back to English *silently*, so
coverage is measured from the catalogues here, and tests/test_book_i18n.py fails on an untranslated page.

Translator's loop after editing English pages: ``indi-ops book update``, ``indi-ops book todo >
todo.txt``, write the Swedish under each ``->`` line, ``indi-ops book apply todo.txt``, ``make book``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from indi.paths import REPO_ROOT

BUILD = REPO_ROOT / "_build"
LOCALES = REPO_ROOT / "locales"
LANG = "sv"
# Sphinx's execution cache per edition: executed cells print in the edition's language (INDI_BOOK_LANG,
# read by indi.book), so the Swedish pages run once more; the gettext extraction reuses the English cache.
EXEC_CACHE = {"en": BUILD / ".jupyter_cache", "sv": BUILD / ".jupyter_cache-sv"}
EDITION_DIRS = {"en": "", "sv": "sv"}
TEACHERS_PART = "For teachers"


def _jupyter_book() -> str:
    return str(Path(sys.executable).parent / "jupyter-book")


# --------------------------------------------------------------------------------------------- pages


def _toc_parts(toc: Path) -> list[tuple[str, list[str]]]:
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    parts = [("", [data["root"]])]
    def walk(entries, docs: list[str]) -> list[str]:
        for e in entries or []:
            if "file" in e:
                docs.append(str(e["file"]).removesuffix(".md").removesuffix(".ipynb"))
            walk(e.get("sections"), docs)
        return docs

    for part in data.get("parts", []):
        parts.append((part.get("caption", ""), walk(part.get("chapters"), [])))
    return parts


def learner_pages(repo: Path = REPO_ROOT) -> list[str]:
    """Every page in _toc.yml except the teacher/operator part: these need a Swedish version."""
    return [d for caption, docs in _toc_parts(repo / "_toc.yml") if caption != TEACHERS_PART for d in docs]


def teacher_pages(repo: Path = REPO_ROOT) -> list[str]:
    return [d for caption, docs in _toc_parts(repo / "_toc.yml") if caption == TEACHERS_PART for d in docs]


# --------------------------------------------------------------------------------------------- build


def _edition_config(lang: str, out: Path, edition: str | None = None) -> Path:
    """_config.yml for one edition: its language, its execution cache, its ``{only}`` tag."""
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("sphinx", {}).setdefault("config", {})["language"] = lang
    config["sphinx"]["config"]["indi_edition"] = edition or lang
    config.setdefault("execute", {})["cache"] = str(EXEC_CACHE[lang])
    # Paths in _config.yml are relative to the book's folder; the copy lives elsewhere.
    config["bibtex_bibfiles"] = [str(REPO_ROOT / p) for p in config.get("bibtex_bibfiles", [])]
    exts = config["sphinx"].get("local_extensions") or {}
    config["sphinx"]["local_extensions"] = {k: str(REPO_ROOT / v) for k, v in exts.items()}
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"_config.{edition or lang}-{lang}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _run_jupyter_book(args: list[str], quiet: bool, lang: str = "en") -> None:
    cmd = [_jupyter_book(), "build", str(REPO_ROOT), "--warningiserror", "--keep-going", *args]
    if quiet:
        cmd.append("--quiet")
    env = {**os.environ, "INDI_BOOK_LANG": lang}
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=quiet, text=True, env=env)
    if done.returncode:
        if quiet:
            sys.stderr.write(done.stdout[-8000:] + done.stderr[-8000:])
        raise SystemExit(f"book build failed ({' '.join(args) or 'English'}): see the messages above.")


def build(langs: tuple[str, ...] = ("en", "sv"), quiet: bool = True) -> Path:
    """Build the English edition at _build/html and each other edition at _build/html/<lang>/."""
    html = BUILD / "html"
    if "en" in langs:
        _run_jupyter_book([], quiet)
    for lang in (x for x in langs if x != "en"):
        out = BUILD / f"edition-{lang}"
        config = _edition_config(lang, BUILD)
        _run_jupyter_book(["--config", str(config), "--path-output", str(out)], quiet, lang)
        target = html / EDITION_DIRS[lang]
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(out / "_build" / "html", target)
    if not (html / "index.html").is_file():
        raise SystemExit("book build produced no _build/html/index.html")
    return html


def extract(quiet: bool = True) -> Path:
    """The English text as gettext templates, one .pot per page, in _build/gettext."""
    out = BUILD / "edition-gettext"
    # English text, but only what the Swedish edition shows ({only} en blocks are left out).
    config = _edition_config("en", BUILD, edition="sv")
    _run_jupyter_book(["--config", str(config), "--path-output", str(out), "--builder", "custom",
                       "--custom-builder", "gettext"], quiet)
    return out / "_build" / "gettext"


# --------------------------------------------------------------------------------------------- catalogues


def _po_path(doc: str, lang: str = LANG) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{doc}.po"


def _read(path: Path):
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f, locale=LANG if path.suffix == ".po" else None)


def _write(catalog, path: Path) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, omit_header=False, sort_output=False, include_previous=False,
             ignore_obsolete=True)
    path.write_bytes(buf.getvalue())


def update(pot_dir: Path | None = None, docs: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """Merge the current English text into locales/sv: new messages empty, changed ones fuzzy.

    With ``docs``, only those pages' catalogues are touched (translators working on other pages at the
    same time keep theirs)."""
    from babel.messages.catalog import Catalog

    pot_dir = pot_dir or extract()
    counts = {}
    for pot in sorted(pot_dir.rglob("*.pot")):
        doc = pot.relative_to(pot_dir).with_suffix("").as_posix()
        if docs and doc not in docs:
            continue
        template = _read(pot)
        po = _po_path(doc)
        catalog = _read(po) if po.exists() else Catalog(locale=LANG, project="INDI Lab")
        catalog.update(template, no_fuzzy_matching=False)
        for message in catalog:
            # Text the page already holds in Swedish (its *Sammanfattning*) is its own translation.
            if message.id and is_swedish(message.id) and (message.fuzzy or not message.string):
                message.string = message.id
                message.flags.discard("fuzzy")
        _write(catalog, po)
        counts[doc] = _counts(catalog)
    return counts


_SV_WORDS = set("och att det som är på av för med inte till har kan ska när hur vad eller också från efter"
                .split())
_EN_WORDS = set("the and to of is on by for with not that are can you when how what or also from after"
                .split())


def is_swedish(text: str) -> bool:
    """A paragraph written in Swedish (many Swedish function words, few English ones)."""
    words = re.findall(r"[a-zåäö]+", text.lower())
    sv = sum(w in _SV_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    return sv >= 3 and sv > 3 * en


# Text that needs no translation: only numbers, code, citations, links, symbols.
_NEUTRAL = re.compile(r"`[^`]*`|\{[a-z:-]+\}`[^`]*`|\]\([^)]*\)|https?://\S+|\$[^$]*\$|<[^>]+>|[\W\d_]+")


def needs_translation(msgid: str) -> bool:
    letters = _NEUTRAL.sub(" ", msgid)
    return len(re.findall(r"[A-Za-zÅÄÖåäö]{2,}", letters)) > 0


def _translated(message) -> bool:
    return bool(message.string) and not message.fuzzy


def _counts(catalog) -> tuple[int, int]:
    todo = [m for m in catalog if m.id and needs_translation(m.id)]
    return sum(_translated(m) for m in todo), len(todo)


@dataclass
class PageCoverage:
    doc: str
    translated: int
    total: int
    missing: list[str]

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def coverage(pot_dir: Path, docs: list[str] | None = None) -> list[PageCoverage]:
    """Per learner page: how many of its current English messages have a Swedish version."""
    result = []
    for doc in docs if docs is not None else learner_pages():
        pot = pot_dir / f"{doc}.pot"
        if not pot.exists():
            result.append(PageCoverage(doc, 0, 1, ["(no English text extracted: is the page in _toc.yml?)"]))
            continue
        po = _po_path(doc)
        sv = {m.id: m for m in _read(po)} if po.exists() else {}
        ids = [m.id for m in _read(pot) if m.id and needs_translation(m.id)]
        missing = [i for i in ids if not (i in sv and _translated(sv[i]))]
        result.append(PageCoverage(doc, len(ids) - len(missing), len(ids), missing))
    return result


def total_share(pages: list[PageCoverage]) -> float:
    total = sum(p.total for p in pages)
    return sum(p.translated for p in pages) / total if total else 1.0


# --------------------------------------------------------------------------------------------- todo / apply

# Markup a translation must keep unchanged: roles ({doc}`x`), inline code, link targets, maths, HTML tags.
_KEEP = re.compile(r"\{[a-z:-]+\}`[^`]*`|`[^`]+`|\]\([^)]*\)|\$[^$]+\$|<[^>]+>")
# A role's visible text may be translated ({doc}`Text <target>`): compare only the target.
_ROLE_TARGET = re.compile(r"^(\{[a-z:-]+\}`)(?:[^`<]*<([^>`]+)>|([^`]*))`$")


def _markup(text: str) -> list[str]:
    keep = []
    for token in _KEEP.findall(text):
        m = _ROLE_TARGET.match(token)
        if m and m.group(1) not in ("{math}`",):
            token = f"{m.group(1)}{m.group(2) or m.group(3)}`"
        keep.append(token)
    return sorted(keep)


def markup_problem(msgid: str, msgstr: str) -> str | None:
    """Why a translation would break the page (lost or changed markup), or None."""
    want, got = _markup(msgid), _markup(msgstr)
    if want != got:
        lost = [t for t in want if t not in got]
        extra = [t for t in got if t not in want]
        return f"markup differs: lost {lost[:4]}, added {extra[:4]}"
    for start in ("#", "- ", ":::", "```"):
        if msgid.startswith(start) != msgstr.startswith(start):
            return f"the English starts with {start!r} and the translation does not (or the other way round)"
    return None


def _key(msgid: str) -> str:
    return hashlib.sha1(msgid.encode()).hexdigest()[:8]


def todo(docs: list[str] | None = None, include_done: bool = False) -> str:
    """Blocks for the untranslated (or changed) messages of the given pages; fill in below '->'."""
    out = []
    for doc in docs or learner_pages():
        po = _po_path(doc)
        if not po.exists():
            continue
        for m in _read(po):
            if not m.id or not needs_translation(m.id) or (_translated(m) and not include_done):
                continue
            out.append(f"## {doc} {_key(m.id)}\n{m.id}\n->\n{m.string if include_done or m.fuzzy else ''}\n")
    return "\n".join(out)


_BLOCK = re.compile(r"^## (\S+) ([0-9a-f]{8})\n(.*?)(?=^## \S+ [0-9a-f]{8}\n|\Z)", re.S | re.M)


def apply(text: str) -> tuple[int, list[str]]:
    """Write filled-in todo blocks into the catalogues. Returns (written, problems); bad blocks are skipped."""
    by_doc: dict[str, list[tuple[str, str]]] = {}
    problems = []
    for doc, key, body in _BLOCK.findall(text):
        if "\n->\n" in body:
            body = body.split("\n->\n", 1)[1]
        body = body.strip("\n")
        if body.strip():
            by_doc.setdefault(doc, []).append((key, body))
    written = 0
    for doc, items in by_doc.items():
        po = _po_path(doc)
        if not po.exists():
            problems.append(f"{doc}: no catalogue {po.relative_to(REPO_ROOT)} (run `indi-ops book update`)")
            continue
        catalog = _read(po)
        index = {_key(m.id): m for m in catalog if m.id}
        for key, translation in items:
            message = index.get(key)
            if message is None:
                problems.append(f"{doc} {key}: no such English text any more (run update, then todo again)")
                continue
            problem = markup_problem(message.id, translation)
            if problem:
                problems.append(f"{doc} {key}: {problem}\n    en: {message.id[:160]}")
                continue
            message.string = translation
            message.flags.discard("fuzzy")
            written += 1
        _write(catalog, po)
    return written, problems


# --------------------------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="indi-ops book", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build the English and Swedish editions")
    b.add_argument("--lang", default="en,sv", help="comma-separated editions (default en,sv)")
    b.add_argument("--verbose", action="store_true")
    u = sub.add_parser("update", help="extract the English text and merge it into locales/sv")
    u.add_argument("pages", nargs="*", help="only these pages' catalogues (default: all)")
    c = sub.add_parser("coverage", help="Swedish coverage per learner page")
    c.add_argument("--min", type=float, default=0.0, help="exit 1 if the total share is below this")
    c.add_argument("--no-extract", action="store_true", help="use the last extraction in _build")
    t = sub.add_parser("todo", help="untranslated texts as blocks to fill in")
    t.add_argument("pages", nargs="*")
    t.add_argument("--all", action="store_true", help="also the translated ones (to revise them)")
    a = sub.add_parser("apply", help="write filled-in blocks into the catalogues")
    a.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    if args.cmd == "build":
        html = build(tuple(args.lang.split(",")), quiet=not args.verbose)
        print(f"book: {html.relative_to(REPO_ROOT)}/index.html" +
              (f" and {html.relative_to(REPO_ROOT)}/sv/index.html" if "sv" in args.lang else ""))
        return 0
    if args.cmd == "update":
        counts = update(docs=args.pages or None)
        done = sum(c[0] for c in counts.values())
        total = sum(c[1] for c in counts.values())
        print(f"locales/{LANG}: {len(counts)} catalogues, {done}/{total} messages translated")
        return 0
    if args.cmd == "coverage":
        pot_dir = BUILD / "edition-gettext" / "_build" / "gettext"
        if not args.no_extract or not pot_dir.exists():
            pot_dir = extract()
        pages = coverage(pot_dir)
        for p in sorted(pages, key=lambda p: p.share):
            print(f"{p.share:6.1%}  {p.translated:4d}/{p.total:<4d} {p.doc}")
        share = total_share(pages)
        print(f"book.sv_coverage = {share:.4f}")
        return 1 if share < args.min else 0
    if args.cmd == "todo":
        sys.stdout.write(todo(args.pages or None, include_done=args.all))
        return 0
    if args.cmd == "apply":
        written, problems = apply(args.file.read_text(encoding="utf-8"))
        print(f"{written} translations written")
        for p in problems:
            print("  not written:", p)
        return 1 if problems else 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

"""The register of legal statements (book/legal_register.yml) agrees with the pages.

A legal statement on a page is marked by a MyST comment line `% legal: <id>` right above it. These tests
read the pages as a self-learner gets them and fail when a marked statement has no register entry, an
entry names a page without its marker, a page states law without any marker, or a page's "as of" date
claims more than the register checked. Review dates never fail a test: the build lists overdue entries
as "re-check" (book/_ext/indi_book.py), tested here with fixed dates.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE_DIRS = ("book", "equality_module")
MARKER = re.compile(r"^% legal: ([a-z0-9-]+)\s*$", re.M)
# Identifiers of the laws and standards the book states things about: a page naming one states law.
LEGAL_NAMES = re.compile(r"2024/1689|2023/1230|2023/2854|2023/970|2008:567|Data Act|dataförordning|ISO 10218|"
                         r"Omnibus|\b(?:10|25) (?:employees|anställda)\b")
MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                      "september", "october", "november", "december"], 1)}
AS_OF = re.compile(r"[Aa]s of (\d{1,2}) ([A-Z][a-z]+) (20\d\d)")


def _ext():
    spec = importlib.util.spec_from_file_location("indi_book", ROOT / "book" / "_ext" / "indi_book.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def register():
    return _ext().load_legal_register()


@pytest.fixture(scope="module")
def pages():
    found = {}
    for d in PAGE_DIRS:
        for p in sorted((ROOT / d).rglob("*.md")):
            if "_build" not in p.parts:
                found[p.relative_to(ROOT).as_posix()] = p.read_text(encoding="utf-8")
    return found


def test_register_entries_are_complete_unique_and_cited(register):
    ids = [e["id"] for e in register]
    assert len(ids) == len(set(ids)), "duplicate ids in book/legal_register.yml"
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, re.M))
    for e in register:
        assert e["source"] in keys, f"{e['id']}: source {e['source']!r} is not in book/references.bib"
        assert e["checked"] < e["review"], f"{e['id']}: review date must come after the check"
        assert e["statement"].strip() and e["checked_at"].strip()


def test_every_marked_statement_is_in_the_register_for_its_page(register, pages):
    by_id = {e["id"]: e for e in register}
    for page, text in pages.items():
        for mid in MARKER.findall(text):
            assert mid in by_id, f"{page}: `% legal: {mid}` has no entry in book/legal_register.yml"
            assert page in by_id[mid]["pages"], f"{page} is not listed in the pages of register entry {mid}"


def test_every_register_entry_is_on_its_pages(register, pages):
    for e in register:
        for page in e["pages"]:
            assert page in pages, f"{e['id']}: page {page} does not exist"
            assert e["id"] in MARKER.findall(pages[page]), f"{e['id']}: no `% legal: {e['id']}` on {page}"


def test_a_page_that_states_law_marks_it_and_dates_it(register, pages):
    by_id = {e["id"]: e for e in register}
    for page, text in pages.items():
        if not LEGAL_NAMES.search(text.replace("\n", " ")):
            continue
        ids = MARKER.findall(text)
        assert ids, f"{page} names a law or standard but marks no statement with `% legal: <id>`"
        dates = [dt.date(int(y), MONTHS[m.lower()], int(d)) for d, m, y in AS_OF.findall(text)]
        assert dates, f"{page}: states law without an 'as of <date>' line"
        oldest_check = min(by_id[i]["checked"] for i in ids)
        assert max(dates) <= oldest_check, f"{page}: 'as of {max(dates)}' is later than the register's check"


def test_markers_start_a_block_so_they_never_show_as_text(pages):
    for page, text in pages.items():
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if MARKER.match(line):
                assert i == 0 or not lines[i - 1].strip(), f"{page}:{i + 1}: put a blank line above the marker"


def test_overdue_statements_are_listed_for_recheck_not_failed(register):
    ext = _ext()
    first_check = min(e["checked"] for e in register)
    assert ext.legal_recheck(register, first_check) == []
    last_review = max(e["review"] for e in register)
    lines = ext.legal_recheck(register, last_review)
    assert len(lines) == len(register) and all(line.startswith("legal register: re-check ") for line in lines)
    one = min(register, key=lambda e: e["review"])
    assert [ln for ln in ext.legal_recheck(register, one["review"]) if f" {one['id']} " in ln]


def test_a_register_entry_without_a_review_date_is_a_clear_error(tmp_path):
    bad = tmp_path / "legal_register.yml"
    bad.write_text("- id: x\n  pages: [a.md]\n  statement: s\n  source: k\n  checked: 2026-01-01\n")
    with pytest.raises(ValueError, match="'x' has no 'review'"):
        _ext().load_legal_register(bad)


def test_quiz_and_plan_follow_the_law_in_force():
    from indi.equality import QUIZ, ActiveMeasuresPlan

    q4 = next(q for q in QUIZ if q[0] == "q4")
    assert q4[3][q4[4]] == "25", "q4: the written pay survey is required from 25 employees since 1 July 2026"
    for n, written in [(24, False), (25, True)]:
        plan = ActiveMeasuresPlan(firm="F", year=2026, employees=n, contact="c", cooperation="c", measures=[],
                                  pay_survey={"done": True, "date": "2026-03-01"})
        assert plan.obligations()[2][1] is written

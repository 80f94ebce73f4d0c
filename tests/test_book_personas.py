"""One cast of fictional people (book/personas.yml) across the book, the lab pages, the lab notebooks and the
equality module, balanced by gender; no other first names in their stories.

The lab notebooks' sources (lab_sources/*.md) are included on purpose: they follow the same cast.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from indi.book import toc_docnames

REPO = Path(__file__).resolve().parents[1]
CAST = yaml.safe_load((REPO / "book" / "personas.yml").read_text(encoding="utf-8"))["personas"]
FIRST = {p["first"] for p in CAST}

# First names used in earlier versions of the stories, and other common ones: none may name a person now.
KNOWN_OTHER = ("Karin", "Ahmed", "Jonas", "Per", "Anna", "Lena", "Maria", "Anders", "Lars", "Eva", "Fatima",
               "Mikael", "Peter", "Nils", "Emma", "Oskar", "Lisa", "Hanna", "Johanna", "Elin", "Sven", "Björn",
               "Ingrid", "Hassan", "Omar", "Mohammed", "Thomas", "Magnus", "Fredrik", "Sofia", "Kalle", "Mats",
               "Ulf", "Kristina", "Malin", "Jenny", "Linda", "Henrik", "Stefan", "Andreas", "Olle", "Astrid")


def teacher_pages() -> set[str]:
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    return {c["file"] for p in toc["parts"] if p["caption"] == "For teachers" for c in p["chapters"]}


def story_files() -> list[Path]:
    """Learner pages of the book (the teachers' part holds example rosters of students, not the cast),
    and the lab notebooks' sources."""
    pages = [REPO / f"{d}.md" for d in toc_docnames() if d not in teacher_pages() and (REPO / f"{d}.md").exists()]
    return pages + sorted((REPO / "lab_sources").glob("*.md"))


def other_names(text: str) -> list[str]:
    found = []
    for name in KNOWN_OTHER:
        if name == "Per":  # also the English and Swedish word "per": a name only before a comma, "and", a surname
            pattern = r"\bPer(?=[,'’)]| and | och | [A-ZÅÄÖ][a-zåäö]+\b)"
        else:
            pattern = rf"\b{name}\b"
        found += [name] * len(re.findall(pattern, text))
    return found


def test_the_cast_is_six_people_one_per_role_balanced_by_gender():
    assert len(CAST) == 6 and len(FIRST) == 6
    assert sorted(p["pronoun"] for p in CAST) == ["he"] * 3 + ["she"] * 3
    roles = (REPO / "book/careers/roles.md").read_text(encoding="utf-8")
    for p in CAST:
        assert p["name"].split()[0] == p["first"]
        assert re.search(rf"\*\*{re.escape(p['role'])}", roles, re.I), f"{p['role']} is not a role of roles.md"
        assert f"{p['first']} ({p['role']})" in " ".join(roles.split()), f"roles.md does not introduce {p['first']}"


def test_the_portraits_are_the_cast():
    careers = (REPO / "equality_module/careers.md").read_text(encoding="utf-8")
    portraits = re.findall(r"^### (.+?), (\d+) — (.+?), (.+?) \(fictional\)$", careers, re.M)
    assert sorted(portraits) == sorted((p["name"], str(p["age"]), p["role"], p["town"]) for p in CAST)


@pytest.mark.parametrize("path", story_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_stories_use_only_the_cast(path):
    text = path.read_text(encoding="utf-8")
    others = other_names(text)
    assert not others, (f"{path.relative_to(REPO)} names people outside the cast {sorted(FIRST)}: "
                        f"{sorted(set(others))} (book/personas.yml)")


def test_the_name_check_finds_names_and_not_the_word_per():
    assert other_names("Karin runs the lathes; Per, the manager, and Per Svensson agree.") == ["Karin", "Per", "Per"]
    assert other_names("Per insert: the wasted life. Cost per part, Peru, Perhaps.") == []

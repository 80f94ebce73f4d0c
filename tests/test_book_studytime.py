"""Study times: every page's time comes from one documented rule (indi.book, "study times"), the totals on
the outcomes page are the sum of the pages, and every credit claim in the book follows from those totals.

When a page changes, `python -m indi.book times --write` updates its front matter, its time line and the
totals; these tests fail until it has been run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indi.book import (
    HOURS_PER_HP,
    READING_WPM,
    STATED_TIME,
    page_front_times,
    render_page_times,
    study_time_of,
    study_totals,
    timed_pages,
)
from indi.errors import InputError

REPO = Path(__file__).resolve().parents[1]
TIMED = [d for docs in timed_pages().values() for d in docs if d not in STATED_TIME] + ["book/start/launch"]


@pytest.mark.parametrize("doc", TIMED)
def test_page_time_follows_the_rule(doc):
    text = (REPO / f"{doc}.md").read_text(encoding="utf-8")
    assert render_page_times(text, doc) == text, \
        f"{doc}: its time, time line or quoted totals are out of date: run `python -m indi.book times --write`"
    t = study_time_of(text, doc)
    assert re.search(r"^\*Time: .+\*$", text, re.M), f"{doc}: no visible time line"
    assert page_front_times(REPO / f"{doc}.md")[:2] == (t.reading, t.exercises)


@pytest.mark.parametrize("lab", STATED_TIME)
def test_lab_pages_state_four_hours(lab):
    teaching, exercises, _ = page_front_times(REPO / f"{lab}.md")
    assert teaching + exercises == 240
    assert re.search(r"^\*Time: about 4 hours", (REPO / f"{lab}.md").read_text(encoding="utf-8"), re.M)


def _table(text: str) -> dict[str, list[str]]:
    body = text.split("% study-time table:", 1)[1].split("% end of study-time table", 1)[0]
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in body.splitlines() if ln.startswith("| ")]
    return {r[0].strip("*"): r[1:] for r in rows[1:]}


def _hours(cell: str) -> float:
    m = re.search(r"(\d+(?:\.\d)?) h", cell)
    return float(m.group(1)) if m else 0.0


def test_outcomes_table_adds_up_the_pages():
    """Independent of the generator: sum the pages' front matter and compare (0.1 h rounding per cell)."""
    text = (REPO / "book/start/outcomes.md").read_text(encoding="utf-8")
    table = _table(text)
    total = 0
    for part, docs in timed_pages().items():
        minutes = sum(sum(page_front_times(REPO / f"{d}.md")[:2]) for d in docs)
        total += minutes
        assert abs(_hours(table[part][-1]) * 60 - minutes) <= 3, f"{part}: table says {table[part][-1]}, pages {minutes} min"
    assert abs(_hours(table["the course"][-1]) * 60 - total) <= 3
    project = sum(page_front_times(REPO / f"{d}.md")[2] for docs in timed_pages().values() for d in docs)
    assert project == 360, "the pilot plan is stated as 6 h on book/digital/pilot"
    assert abs(_hours(table["with the pilot plan"][-1]) * 60 - (total + project)) <= 3


def _credit_claims() -> list[tuple[str, float]]:
    claims = []
    for folder in ("book", "equality_module", "labs"):
        for path in (REPO / folder).rglob("*.md"):
            text = path.read_text(encoding="utf-8")
            for m in re.finditer(r"≈ ?(\d+[.,]\d) ?hp", text):
                claims.append((str(path.relative_to(REPO)), float(m.group(1).replace(",", "."))))
    return claims


def test_every_credit_claim_follows_from_the_pages():
    rows, project = study_totals()
    core = sum(r.total for r in rows)
    allowed = {round(core / 60 / HOURS_PER_HP, 1), round((core + project) / 60 / HOURS_PER_HP, 1)}
    claims = _credit_claims()
    assert len(claims) >= 4, "the outcomes page and the book's start page quote the credits"
    wrong = [(page, hp) for page, hp in claims if hp not in allowed]
    assert not wrong, f"credit claims that do not follow from the page times ({sorted(allowed)} hp): {wrong}"
    # hours per credit: 60 hp for 40 weeks of 40 hours; no page may say otherwise
    assert round(HOURS_PER_HP, 1) == 26.7
    for folder in ("book", "equality_module"):
        for path in (REPO / folder).rglob("*.md"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"1 hp ≈ 2[57]–2[57]", text), f"{path}: 1 hp is 26.7 h"


def test_the_rule_is_written_for_learners_and_cited():
    text = (REPO / "book/start/outcomes.md").read_text(encoding="utf-8")
    rule = text.split("## How the study times are worked out", 1)[1].split("\n## ", 1)[0]
    assert f"**{READING_WPM} words per minute**" in rule and "{cite}`brysbaert2019reading`" in rule
    assert "1 minute for each self-check question" in " ".join(rule.replace("**", "").split())
    hours = text.split("## Hours and credits", 1)[1].split("\n## ", 1)[0]
    assert "26.7" in hours and "{cite}`hf1993hp" in hours and "{cite}`umuhp`" in hours
    bib = (REPO / "book/references.bib").read_text(encoding="utf-8")
    assert "@article{brysbaert2019reading," in bib and "104047" in bib


# ----------------------------------------------------------------------------- the rule on small pages

PAGE = """---
teaching: 99
exercises: 99
---
# A page

*Time: 1 min.*

{words}

```python
print("code is not read")
```

:::{{admonition}} Exercise 1: try it (10 min)
Do the thing described in many words that do not count as reading.
:::

:::{{admonition}} Solution
:class: dropdown
Solutions are not reading either.
:::

Svenska och engelska står ibland sida vid sida för att det är en kurs på två språk / English and
Swedish sometimes stand side by side.

```{{selfcheck}}
- q: {{sv: "a", en: "b"}}
- q: {{sv: "c", en: "d"}}
```

## Sammanfattning

Den svenska sammanfattningen räknas inte.
"""


def test_the_rule_counts_words_figures_exercises_and_questions():
    text = PAGE.format(words=" ".join(["word"] * 590))
    t = study_time_of(text, "x")
    assert t.words == 590 + 2 + 8  # the heading, and the English half of the bilingual sentence
    assert t.figures == 1 and t.exercise_minutes == [10] and t.selfcheck_questions == 2
    assert t.reading == 5          # 600 / 120 + 1 = 6 min, to the nearest 5
    assert t.exercises == 10       # 10 + 2 = 12 min, to the nearest 5
    page = render_page_times(text, "x")
    assert page.startswith("---\nteaching: 5\nexercises: 10\n---")
    assert "*Time: 5 min reading, 10 min exercises and self-check.*" in page


def test_an_exercise_without_a_stated_time_is_a_clear_error():
    text = PAGE.format(words="w").replace(" (10 min)", "")
    with pytest.raises(InputError, match=r"exercise 'Exercise 1: try it' states no time"):
        study_time_of(text, "x")


def test_an_own_project_is_counted_apart():
    text = PAGE.format(words="w").replace("(10 min)", "(project: 2 h)")
    t = study_time_of(text, "x")
    assert t.project_minutes == 120 and t.exercise_minutes == [] and t.exercises == 5  # the 2 questions
    assert "project: 120" in render_page_times(text, "x")

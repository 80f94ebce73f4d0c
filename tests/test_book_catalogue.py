"""The tool catalogue (book/catalogue/tools.yml): valid, sourced, dated, and the validator catches mistakes."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pytest
import yaml

from indi.book import (
    CATALOGUE_YML,
    PROBLEMS,
    catalogue_explorer,
    catalogue_static_html,
    due_for_check,
    filter_catalogue,
    load_catalogue,
    validate_catalogue,
)
from indi.errors import InputError

GOOD = {"tools": [{
    "name": "Example", "category": "library", "problems": ["inspection"], "licence": "open-source",
    "cost": "free", "skill": "advanced", "description": "does a thing", "url": "https://example.org",
    "source": "https://example.org/docs", "checked": dt.date(2026, 1, 5)}]}


def test_the_repository_catalogue_is_valid():
    data = yaml.safe_load(CATALOGUE_YML.read_text(encoding="utf-8"))
    errors = validate_catalogue(data)
    assert not errors, "book/catalogue/tools.yml:\n" + "\n".join(errors)


def test_every_problem_has_free_and_commercial_options():
    tools = load_catalogue()
    for problem in PROBLEMS:
        sub = filter_catalogue(tools, problem=problem)
        assert len(sub) >= 2, f"only {len(sub)} tool(s) for {problem}"
        assert (sub["cost"] == "free").any(), f"no free tool for {problem}"
        assert (sub["licence"] == "commercial").any(), f"no commercial tool for {problem}"


def test_every_entry_has_a_source_and_a_date_only_if_verified():
    tools = load_catalogue()
    assert tools["source"].str.startswith("https://").all()
    # a date only where someone verified the entry against its source; none yet (compiled offline)
    assert all(d is None or (isinstance(d, dt.date) and d <= dt.date.today()) for d in tools["checked"])
    # the book says "checked" with a date only for verified entries, "not yet checked" for every other
    page = catalogue_static_html(tools)
    tables = [filter_catalogue(tools, problem=k) for k in PROBLEMS]
    assert page.count("not yet checked") == sum(sum(d is None for d in f["checked"]) for f in tables)
    assert len(re.findall(r"<td>\d{4}-\d\d-\d\d</td>", page)) == sum(sum(d is not None for d in f["checked"]) for f in tables)


def test_a_valid_entry_passes():
    assert validate_catalogue(GOOD, today=dt.date(2026, 6, 1)) == []


@pytest.mark.parametrize("change, expected", [
    (lambda e: e.pop("source"), "missing 'source'"),
    (lambda e: e.update(url="http://example.org"), "not an https:// address"),
    (lambda e: e.update(problems=["welding"]), "problem 'welding' is not one of"),
    (lambda e: e.update(cost="cheap"), "cost 'cheap' is not one of"),
    (lambda e: e.update(skill="expert"), "skill 'expert' is not one of"),
    (lambda e: e.update(checked=dt.date(2027, 1, 1)), "in the future"),
    (lambda e: e.update(checked="last week"), "is not a date"),
    (lambda e: e.update(cost="subscription"), "open-source tools have cost 'free'"),
    (lambda e: e.update(price=100), "unknown field"),
])
def test_the_validator_names_each_mistake(change, expected):
    data = copy.deepcopy(GOOD)
    change(data["tools"][0])
    errors = validate_catalogue(data, today=dt.date(2026, 6, 1))
    assert any(expected in e for e in errors), f"expected {expected!r} in {errors}"


def test_duplicates_and_empty_files_are_rejected():
    data = copy.deepcopy(GOOD)
    data["tools"].append(copy.deepcopy(GOOD["tools"][0]))
    assert any("duplicate" in e for e in validate_catalogue(data, today=dt.date(2026, 6, 1)))
    assert validate_catalogue({"tools": []}) and validate_catalogue([1, 2])


def test_load_catalogue_raises_a_clear_error(tmp_path):
    bad = tmp_path / "tools.yml"
    bad.write_text("tools:\n  - name: X\n")
    with pytest.raises(InputError, match="missing 'url'"):
        load_catalogue(bad)


def test_filters_and_recheck_list():
    tools = load_catalogue()
    free_easy = filter_catalogue(tools, "documentation", costs=["free"], max_skill="foundation")
    assert len(free_easy) and (free_easy["cost"] == "free").all() and (free_easy["skill"] == "foundation").all()
    assert all("documentation" in p for p in free_easy["problems"])
    with pytest.raises(InputError):
        filter_catalogue(tools, "teleportation")
    # never verified entries are always on the re-check list; verified ones fall due after a year
    assert len(due_for_check(tools)) == sum(d is None for d in tools["checked"])
    day = dt.date(2026, 12, 1)
    some = tools.copy()
    some["checked"] = [day] + [None] * (len(some) - 1)
    assert len(due_for_check(some, 365, today=day)) == len(some) - 1
    assert len(due_for_check(some, 365, today=day + dt.timedelta(days=400))) == len(some)


def test_explorer_widget_filters_and_has_static_fallback():
    tools = load_catalogue()
    explorer = catalogue_explorer(tools)
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "text/html" in bundle
    problem, _skill = explorer.widget.children[0].children
    costs = explorer.widget.children[1]
    out = explorer.widget.children[2]
    problem.value = "am_build_prep"
    costs.value = ("free",)
    assert "PrusaSlicer" in out.value and "Materialise Magics" not in out.value

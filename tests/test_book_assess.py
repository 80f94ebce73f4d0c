"""The self-assessments and launch links of indi.book: scoring rules, paths, widgets, hub URL setting."""

from __future__ import annotations

import shutil

import pytest
import yaml

from indi.book import (
    COMPETENCE_AREAS,
    MATURITY_PATH,
    MATURITY_QUESTIONS,
    ROLE_PROFILES,
    competence_assessment,
    competence_gaps,
    launch_links,
    learning_path,
    maturity_assessment,
    maturity_recommendation,
    maturity_stage,
    set_hub_url,
    toc_docnames,
)
from indi.errors import InputError
from indi.paths import REPO_ROOT


def answers(per_stage: dict[int, tuple[str, str]]) -> list[str]:
    out = []
    for stage in range(1, 7):
        out.extend(per_stage.get(stage, ("no", "no")))
    return out


def test_maturity_stage_counts_only_consecutive_stages():
    assert maturity_stage(answers({})) == 0
    assert maturity_stage(answers({1: ("yes", "yes"), 2: ("yes", "partly")})) == 2
    # a live dashboard without connected machines does not count: stage 3 needs stage 2
    assert maturity_stage(answers({1: ("yes", "yes"), 3: ("yes", "yes")})) == 1
    assert maturity_stage(answers({s: ("yes", "yes") for s in range(1, 7)})) == 6
    assert maturity_stage(answers({1: ("partly", "partly")})) == 0  # 1.0 < 1.5


def test_maturity_stage_rejects_bad_answers():
    with pytest.raises(InputError, match="answer every statement"):
        maturity_stage(["yes"] * 3)
    with pytest.raises(InputError, match="use one of"):
        maturity_stage(["maybe"] * len(MATURITY_QUESTIONS))


def test_every_recommended_page_is_in_the_book():
    toc = set(toc_docnames())
    pages = {p for path in MATURITY_PATH.values() for p in path}
    pages |= {p for _label, ps in COMPETENCE_AREAS.values() for p in ps}
    assert not pages - toc, f"recommended pages missing from _toc.yml: {pages - toc}"
    assert maturity_recommendation(0) == MATURITY_PATH[1] and maturity_recommendation(6) == MATURITY_PATH[6]


def test_competence_gaps_biggest_first_and_path_without_repeats():
    levels = {a: 8 for a in COMPETENCE_AREAS} | {"sensors": 1, "data": 3}
    gaps = competence_gaps("Maintenance technician", levels)
    assert [g.area for g in gaps] == ["sensors", "data"]
    assert gaps[0].size == ROLE_PROFILES["Maintenance technician"]["sensors"] - 1
    path = learning_path("Maintenance technician", levels)
    assert path[0] == "book/tech/sensors_iiot" and len(path) == len(set(path))
    assert learning_path("Operator", {a: 8 for a in COMPETENCE_AREAS}) == []
    with pytest.raises(InputError, match="unknown role"):
        competence_gaps("Astronaut", levels)
    with pytest.raises(InputError, match="from 1 to 8"):
        competence_gaps("Operator", {"data": 9})


def test_widgets_update_and_carry_a_static_fallback():
    form = maturity_assessment(titles={})
    bundle = form._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "twelve statements" in bundle["text/html"]
    rows = form.widget.children[:-1]
    result = form.widget.children[-1]
    assert "Stage 1 (Computerisation) is not fully reached" in result.value
    for row in rows[:4]:
        row.children[1].value = "yes"
    assert "Reached: stage 2, Connectivity" in result.value

    person = competence_assessment(titles={})
    role, *sliders, _hint, out = person.widget.children
    role.value = "Operator"
    for s in sliders:
        s.value = 8
    assert "You meet the suggested profile" in out.value
    sliders[0].value = 1
    assert "Where to grow" in out.value


def test_hub_url_is_configurable(tmp_path):
    cfg = tmp_path / "_config.yml"
    shutil.copy(REPO_ROOT / "_config.yml", cfg)
    assert launch_links("book/tech/sensors_iiot.md", cfg) == {}, "the shipped config has no launch links"
    # a teacher's copy: a public repository and Binder turned on (the shipped book names neither)
    text = cfg.read_text().replace('binderhub_url: ""', 'binderhub_url: "https://mybinder.org"')
    cfg.write_text(text.replace('  url: ""', '  url: "https://github.com/org/course"', 1))
    set_hub_url("https://hub.example.se/", cfg)
    data = yaml.safe_load(cfg.read_text())
    assert data["launch_buttons"]["jupyterhub_url"] == "https://hub.example.se"
    assert "# Launch buttons" in cfg.read_text(), "comments must survive the rewrite"
    links = launch_links("book/tech/sensors_iiot.md", cfg)
    assert links["JupyterHub"].startswith(
        "https://hub.example.se/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg%2Fcourse")
    assert links["Binder"].startswith("https://mybinder.org/v2/gh/org/course/main?")
    assert "urlpath=lab%2Ftree%2F" in links["JupyterHub"] and "Binder" in links
    set_hub_url("", cfg)
    assert "JupyterHub" not in launch_links("book/x.md", cfg)
    with pytest.raises(InputError):
        set_hub_url("not a url", cfg)

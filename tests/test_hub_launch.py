"""The class hub's launcher without a running hub: settings, roster, content selection, role configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from indi.errors import InputError
from indi_ops.hub import launch as hub_launch
from indi_ops.roster import read_roster


def test_settings_round_trip_through_the_environment(tmp_path):
    s = hub_launch.HubSettings(state_dir=tmp_path, port=8123, mem_limit="2G", data_dir=tmp_path / "data")
    back = hub_launch.HubSettings.from_env(s.to_env())
    assert back == s


def test_one_roster_format_for_hub_and_grading(tmp_path):
    table = tmp_path / "roster.csv"
    table.write_text("student_id,first_name,last_name,email\nanna,Anna,Berg,a@x.se\nbo-e,Bo,Ek,b@x.se\n")
    assert [r["student_id"] for r in read_roster(table)] == ["anna", "bo-e"]
    table.write_text("student_id,first_name\nanna,Anna\n../../etc,Evil\n")
    with pytest.raises(InputError, match="line 3.*not allowed"):
        read_roster(table)


@pytest.mark.parametrize("name", ["Root", "1abc", "a b", "x" * 40, "../etc", "anna;rm"])
def test_bad_user_names_are_refused(name):
    with pytest.raises(InputError, match="not allowed"):
        hub_launch.add_user(name, "indi-students")


def test_content_excludes_sources_and_anything_with_solutions(tmp_path):
    for rel, text in {
        "START_HERE.md": "# Welcome",
        "book/intro.md": "# Intro",
        "book/exercise.md": "```python\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n```",
        "labs/README.md": "# Labs",
        "labs/lab1/README.md": "# Lab 1",
        "labs/lab1/lab1.ipynb": json.dumps({"cells": []}),
        "labs/lab1/helper.py": "x = 1",
        "lab_sources/lab1.md": "### BEGIN SOLUTION",
        "book/.ipynb_checkpoints/intro-checkpoint.md": "# old",
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    got = {str(p) for p in hub_launch.course_content(tmp_path)}
    assert got == {"START_HERE.md", "book/intro.md", "labs/README.md", "labs/lab1/README.md"}


def test_role_configs(tmp_path):
    s = hub_launch.HubSettings(state_dir=tmp_path, course_root=tmp_path / "course", exchange_dir=tmp_path / "ex")
    hub_launch.write_config_dirs(s)
    student = PyFileConfigLoader("nbgrader_config.py", str(s.config_dir("student"))).load_config()
    assert student.CourseDirectory.course_id == hub_launch.COURSE_ID
    assert student.Exchange.root == str(tmp_path / "ex")
    server = json.loads((s.config_dir("student") / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    page = json.loads((s.config_dir("student") / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True
    instructor = PyFileConfigLoader("nbgrader_config.py", str(s.config_dir("instructor"))).load_config()
    assert instructor.CourseDirectory.root == str((tmp_path / "course").resolve())
    assert instructor.CourseDirectory.groupshared is True
    assert Path(instructor.CourseDirectory.db_url.removeprefix("sqlite:///")).parent.name == "grading"


def test_memory_sizes():
    assert hub_launch._parse_bytes("1536M") == 1536 * 2**20
    assert hub_launch._parse_bytes("2G") == 2 * 2**30
    with pytest.raises(InputError):
        hub_launch._parse_bytes("lots")

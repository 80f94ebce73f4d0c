"""The class hub without a running hub: the settings file, roster, content selection, role configs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from traitlets.config.loader import PyFileConfigLoader

from indi.errors import InputError
from indi.paths import REPO_ROOT
from indi_ops.hub import accounts, cli, config, content, settings
from indi_ops.hub.config import write_config_dirs
from indi_ops.hub.settings import HubSettings, load_settings, parse_bytes
from indi_ops.roster import read_roster

HUB_CODE = sorted((REPO_ROOT / "indi_ops" / "hub").glob("*.py"))


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "settings.yaml"
    p.write_text(text)
    os.chmod(p, 0o600)
    return p


def test_shipped_settings_file_names_every_setting_with_a_comment_and_loads():
    text = settings.DEFAULT_FILE.read_text()
    data = yaml.safe_load(text)
    assert list(data) == settings.KEYS, "hub/settings.yaml lists every setting, in the code's order"
    lines = text.splitlines()
    for key in settings.KEYS:  # each key has a comment line above it (or above its group)
        i = next(n for n, line in enumerate(lines) if line.startswith(f"{key}:"))
        above = lines[:i][::-1]
        assert any(line.startswith("#") for line in above[:3]), key
    # the file states the defaults (data_dir: null means the INDI_DATA_DIR variable, when set)
    assert load_settings(settings.DEFAULT_FILE) == HubSettings(data_dir=os.environ.get("INDI_DATA_DIR") or None)


def test_settings_round_trip_through_the_file(tmp_path):
    s = HubSettings(state_dir=tmp_path, port=8123, mem_limit="2G", data_dir=tmp_path / "data",
                    admin_token="x" * 48)
    path = s.write(tmp_path / "hub.yaml")
    assert os.stat(path).st_mode & 0o077 == 0
    assert load_settings(path) == s


def test_missing_keys_take_defaults_and_relative_paths_mean_the_repository(tmp_path):
    s = load_settings(write(tmp_path, "port: 8100\ncourse_root: .\n"))
    assert s.port == 8100 and s.course_root == REPO_ROOT.resolve() and s.mem_limit == HubSettings().mem_limit


@pytest.mark.parametrize("text, match", [
    ("prot: 8000\n", r"unknown key 'prot' \(did you mean 'port'\?\)"),
    ("port: 99999\n", r"port: 99999 .*TCP port"),
    ("port: eight\n", r"port: 'eight'"),
    ("mem_limit: lots\n", r"mem_limit: 'lots'.*1536M"),
    ("mem_limit: 10M\n", r"mem_limit.*at least 256M"),
    ("ip: localhost:80\n", r"ip: 'localhost:80'.*IP address"),
    ("student_group: Root Users\n", r"student_group.*lower-case"),
    ("grader_group: indi-students\n", r"grader_group.*other than student_group"),
    ("idle_timeout: 0\n", r"idle_timeout: 0.*seconds"),
    ("admin_token: short\n", r"admin_token.*32"),
    ("- just\n- a list\n", r"mapping"),
    ("port: [\n", r"not valid YAML"),
])
def test_bad_settings_are_refused_with_the_key_and_the_fix(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        load_settings(write(tmp_path, text))


def test_settings_file_with_the_admin_token_must_be_private(tmp_path):
    p = write(tmp_path, f"admin_token: {'a' * 40}\n")
    os.chmod(p, 0o644)
    with pytest.raises(InputError, match="chmod 600"):
        load_settings(p)


def test_one_variable_at_most(tmp_path, monkeypatch):
    """Only INDI_HUB_SETTINGS (where the file is) configures the hub; old per-setting variables do nothing."""
    names = {n for f in HUB_CODE for n in re.findall(r"INDI_HUB_[A-Z_]+", f.read_text())}
    assert names == {"INDI_HUB_SETTINGS"}, names
    p = write(tmp_path, "port: 8200\n")
    monkeypatch.setenv("INDI_HUB_SETTINGS", str(p))
    monkeypatch.setenv("INDI_HUB_PORT", "9999")
    assert load_settings().port == 8200
    monkeypatch.setenv("INDI_HUB_SETTINGS", str(tmp_path / "missing.yaml"))
    with pytest.raises(InputError, match="not found"):
        load_settings()


def test_check_settings_command(tmp_path, capsys):
    p = write(tmp_path, f"port: 8300\nadmin_token: {'b' * 40}\n")
    assert cli.main(["--settings", str(p), "check-settings"]) == 0
    out = capsys.readouterr().out
    assert "port: 8300" in out and "b" * 40 not in out and "admin_token: <set>" in out
    assert cli.main(["--settings", str(write(tmp_path, "colour: red\n")), "check-settings"]) == 2
    assert "unknown key 'colour'" in capsys.readouterr().err


def test_hub_modules_are_small_and_import_without_side_effects():
    assert all(len(f.read_text().splitlines()) < 250 for f in HUB_CODE), [f.name for f in HUB_CODE]
    import subprocess
    import sys
    code = ("import os, sys; before = dict(os.environ)\n"
            "import indi_ops.hub.cli, indi_ops.hub.config, indi_ops.hub.course, indi_ops.hub.exchange_setup\n"
            "assert dict(os.environ) == before; print('jupyterhub' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False", "importing the hub modules must not import JupyterHub"


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
        accounts.create_user(name, "indi-students")


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
    (tmp_path / "book" / "linked.md").symlink_to("/etc/hostname")  # a link is never delivered
    got = {str(p) for p in content.course_content(tmp_path)}
    assert got == {"START_HERE.md", "book/intro.md", "labs/README.md", "labs/lab1/README.md"}


def test_role_configs(tmp_path):
    s = HubSettings(state_dir=tmp_path, course_root=tmp_path / "course", exchange_dir=tmp_path / "ex")
    write_config_dirs(s)
    student = PyFileConfigLoader("nbgrader_config.py", str(s.config_dir("student"))).load_config()
    assert student.CourseDirectory.course_id == settings.COURSE_ID
    assert student.Exchange.root == str(tmp_path / "ex")
    server = json.loads((s.config_dir("student") / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    page = json.loads((s.config_dir("student") / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True
    # Students' servers load only what the course uses (start-up time and memory in every server) ...
    off = {k for k, v in server["ServerApp"]["jpserver_extensions"].items() if v is False}
    assert {"notebook", "notebook_shim", "jupyter_lsp"} <= off
    assert not off & {"jupyterlab", "jupyterlab_jupytext", "nbgitpuller", "jupyter_server_terminals",
                      "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.validate_assignment"}
    assert server["LabApp"]["extension_manager"] == "readonly"
    assert page["disabledExtensions"]["@jupyter-notebook/lab-extension"] is True  # no links to the off interface
    # ... and the names turned off are the names this environment enables (a typo would leave one on).
    from jupyter_core.paths import jupyter_config_path

    enabled = set()
    for d in jupyter_config_path():
        for f in Path(d, "jupyter_server_config.d").glob("*.json"):
            enabled |= set(json.loads(f.read_text()).get("ServerApp", {}).get("jpserver_extensions", {}))
    assert set(config.STUDENT_EXTENSIONS_OFF) <= enabled, set(config.STUDENT_EXTENSIONS_OFF) - enabled
    instructor = PyFileConfigLoader("nbgrader_config.py", str(s.config_dir("instructor"))).load_config()
    assert instructor.CourseDirectory.root == str((tmp_path / "course").resolve())
    assert instructor.CourseDirectory.groupshared is True
    assert Path(instructor.CourseDirectory.db_url.removeprefix("sqlite:///")).parent.name == "grading"


def test_memory_sizes():
    assert parse_bytes("1536M") == 1536 * 2**20
    assert parse_bytes("2G") == 2 * 2**30
    with pytest.raises(InputError):
        parse_bytes("lots")


def test_bench_class_size_comes_from_the_environment(monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_hub", REPO_ROOT / "benchmarks" / "hub.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.delenv("INDI_BENCH_HUB_USERS", raising=False)
    monkeypatch.delenv("INDI_BENCH_CLASS", raising=False)
    assert bench.class_size() == 10
    monkeypatch.setenv("INDI_BENCH_CLASS", "30")
    assert bench.class_size() == 30
    monkeypatch.setenv("INDI_BENCH_HUB_USERS", "3")  # the hub's own variable wins
    assert bench.class_size() == 3
    monkeypatch.setenv("INDI_BENCH_HUB_USERS", "thirty")
    with pytest.raises(ValueError, match="INDI_BENCH_HUB_USERS='thirty'"):
        bench.class_size()

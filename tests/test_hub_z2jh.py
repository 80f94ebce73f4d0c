"""hub/z2jh/values.yaml: valid against the Zero to JupyterHub chart's own schema, safe log-in, no secrets.

The chart (4.x) validates a deployment's values, merged over its defaults, against
``values.schema.yaml`` (JSON Schema draft 7) before rendering anything; the defaults and the schema
are staged in ../shared/z2jh-chart. The test does the same merge and validation, so a typo such as
``singleuser.memory.guarentee`` fails here instead of on a cluster.
"""

from __future__ import annotations

import copy
import json
import re
from types import SimpleNamespace

import pytest
import yaml

from indi.paths import REPO_ROOT

VALUES = REPO_ROOT / "hub" / "z2jh" / "values.yaml"
# ../shared/z2jh-chart beside the repository (a git worktree one level deeper finds the same folder).
CHART = next((p / "shared" / "z2jh-chart" for p in REPO_ROOT.parents if (p / "shared" / "z2jh-chart").is_dir()),
             REPO_ROOT.parent / "shared" / "z2jh-chart")
SECRET_KEYS = {"client_secret", "api_token", "secretToken", "cookieSecret", "password", "cryptoKey"}

needs_chart = pytest.mark.skipif(not (CHART / "values.schema.yaml").is_file(),
                                 reason=f"the chart's schema is not staged in {CHART}")


def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def merge(base, over):
    """Helm's merge of a values file over the chart defaults: maps merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


def schema_errors(vals: dict) -> list[str]:
    import jsonschema

    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    validator = jsonschema.Draft7Validator(schema)
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(merge(defaults, vals)))


@needs_chart
def test_values_merged_over_chart_defaults_validate_against_the_chart_schema():
    assert schema_errors(values()) == []


@needs_chart
def test_the_schema_check_catches_a_typo_and_a_wrong_type():
    bad = values()
    bad["singleuser"]["memory"]["guarentee"] = "1G"
    assert any("guarentee" in e for e in schema_errors(bad))
    bad = values()
    bad["cull"]["timeout"] = "an hour"
    assert any(e.startswith("cull.timeout") for e in schema_errors(bad))


def test_log_in_on_a_stable_claim():
    """preferred_username / email can be edited by the user in some identity providers: never the user name."""
    auth = values()["hub"]["config"]["GenericOAuthenticator"]
    assert auth["username_claim"] in ("sub", "oid")
    assert auth["manage_groups"] is True and set(auth["admin_groups"]) <= set(auth["allowed_groups"])


def _profile_filter():
    """Run hub.extraConfig's profile code as JupyterHub would (after the chart set the profile list)."""
    v = values()
    c = SimpleNamespace(KubeSpawner=SimpleNamespace(profile_list=v["singleuser"]["profileList"]))
    code = v["hub"]["extraConfig"]["indi-instructor-profile.py"]
    exec(compile(code, "indi-instructor-profile.py", "exec"), {"c": c})
    return c.KubeSpawner.profile_list, v


def _spawner(*groups: str):
    return SimpleNamespace(user=SimpleNamespace(groups=[SimpleNamespace(name=g) for g in groups]))


def test_instructor_profile_is_offered_to_instructors_only():
    profiles, v = _profile_filter()
    assert callable(profiles)
    instructors = v["hub"]["config"]["GenericOAuthenticator"]["admin_groups"]
    student_slugs = [p["slug"] for p in profiles(_spawner("indi-lab-students"))]
    teacher_slugs = [p["slug"] for p in profiles(_spawner("indi-lab-students", *instructors))]
    assert student_slugs == ["student"]
    assert teacher_slugs == ["student", "instructor"]
    assert [p["slug"] for p in profiles(_spawner())] == ["student"]
    instructor = next(p for p in v["singleuser"]["profileList"] if p["slug"] == "instructor")
    student_env = v["singleuser"]["extraEnv"]
    # The instructor profile replaces the student config path (grader tools on) and keeps the data.
    assert instructor["kubespawner_override"]["environment"]["JUPYTER_CONFIG_PATH"] != student_env["JUPYTER_CONFIG_PATH"]
    assert instructor["kubespawner_override"]["environment"]["INDI_DATA_DIR"] == student_env["INDI_DATA_DIR"]
    student_files = v["singleuser"]["extraFiles"]["student-extensions"]
    assert student_files["mountPath"].startswith(student_env["JUPYTER_CONFIG_PATH"] + "/")


def all_keys(node) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in all_keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in all_keys(v)}
    return set()


def to_bytes(value: str) -> float:
    m = re.fullmatch(r"([\d.]+)([KMGT]?)(i?)", str(value))
    assert m, f"not a Kubernetes quantity: {value}"
    base = 1024 if m[3] else 1000
    return float(m[1]) * base ** " KMGT".index(m[2] or " ")


def test_no_secrets_in_values():
    assert not all_keys(values()) & SECRET_KEYS, "secrets belong in a separate secrets.yaml"


def test_resources_follow_the_measured_footprint():
    v = values()["singleuser"]
    bench = REPO_ROOT / "_build" / "bench.json"
    measured = json.loads(bench.read_text()).get("hub.rss_mb_per_user") if bench.exists() else None
    rss = (measured or 350) * 1e6  # ../shared/TOOLCHAIN.md: ~350 MB per active student
    guarantee, limit = to_bytes(v["memory"]["guarantee"]), to_bytes(v["memory"]["limit"])
    assert rss <= guarantee <= limit, (rss, guarantee, limit)


def test_course_delivery_data_and_exchange_are_wired():
    v = values()
    su = v["singleuser"]
    assert su["extraEnv"]["INDI_DATA_DIR"] in [m["mountPath"] for m in su["storage"]["extraVolumeMounts"]]
    assert all(m.get("readOnly") for m in su["storage"]["extraVolumeMounts"])
    assert su["lifecycleHooks"]["postStart"]["exec"]["command"][0] == "gitpuller"
    assert "ngshare" in v["hub"]["services"] and "configureExchange" in su["extraFiles"]["nbgrader-config"]["stringData"]
    assert v["cull"]["enabled"] is True


def test_student_repository_export_holds_no_solutions_and_no_ops_package(tmp_path):
    """The student export (nbgitpuller content and the repo2docker image) carries no indi_ops."""
    from indi_ops.hub.content import SOLUTION_MARKERS, export_student_repo

    assert export_student_repo(tmp_path) > 10
    files = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()]
    assert (tmp_path / "postBuild").stat().st_mode & 0o100 and (tmp_path / "indi" / "data.py").is_file()
    assert (tmp_path / "indi-lab" / "START_HERE.md").is_file()
    assert not [f for f in files if f.suffix == ".ipynb" and "labs" in f.parts], files
    assert not [f for f in files if f.parts[0] in ("tools", "tests", "grading", ".git", "lab_sources")], files
    leaks = [f for f in files if f.parts[0] == "indi-lab"
             and any(m in (tmp_path / f).read_text(errors="ignore") for m in SOLUTION_MARKERS)]
    assert leaks == []
    # No ops package: no folder, no module importing it, no `indi-ops` command or package in the install.
    assert not [f for f in files if "indi_ops" in f.parts], files
    importers = [f for f in files if f.suffix == ".py" and re.search(r"^\s*(from|import)\s+indi_ops",
                                                                       (tmp_path / f).read_text(), re.M)]
    assert importers == []
    import tomllib

    project = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert "indi-ops" not in project["project"].get("scripts", {})
    assert project["tool"]["setuptools"]["packages"]["find"]["include"] == ["indi", "indi.*"]
    assert "indi_ops" not in (tmp_path / "postBuild").read_text()

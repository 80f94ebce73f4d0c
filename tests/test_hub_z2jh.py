"""hub/z2jh/values.yaml: valid YAML, only keys the Zero to JupyterHub chart (4.x) knows, sane sizes, no secrets.

KNOWN mirrors the chart's values schema (jupyterhub/values.schema.yaml, chart 4.x) for the sections
INDI Lab uses: a dict lists the allowed keys, ``ANY`` marks a free-form value (traitlets config,
environment variables, Kubernetes objects). A typo such as ``singleuser.memory.guarentee`` makes
helm reject the install; this test catches it without a cluster.
"""

from __future__ import annotations

import json
import re

import yaml

from indi.paths import REPO_ROOT

VALUES = REPO_ROOT / "hub" / "z2jh" / "values.yaml"
ANY = "any"
_IMAGE = {"name": ANY, "tag": ANY, "pullPolicy": ANY, "pullSecrets": ANY}
_NETPOL = {"enabled": ANY, "ingress": ANY, "egress": ANY, "egressAllowRules": ANY,
           "interNamespaceAccessLabels": ANY, "allowedIngressPorts": ANY}
_EXTRA_FILE = {"mountPath": ANY, "data": ANY, "stringData": ANY, "binaryData": ANY, "mode": ANY}
KNOWN = {
    "hub": {
        "config": ANY, "extraConfig": ANY, "extraEnv": ANY, "extraFiles": {"*": _EXTRA_FILE},
        "loadRoles": {"*": {"description": ANY, "scopes": ANY, "users": ANY, "services": ANY, "groups": ANY}},
        "services": {"*": {"url": ANY, "api_token": ANY, "admin": ANY, "oauth_no_confirm": ANY,
                           "oauth_redirect_uri": ANY, "oauth_client_id": ANY, "display": ANY,
                           "info": ANY, "name": ANY, "command": ANY, "oauth_roles": ANY}},
        "db": {"type": ANY, "upgrade": ANY, "url": ANY, "password": ANY,
               "pvc": {"annotations": ANY, "selector": ANY, "accessModes": ANY, "storage": ANY,
                       "subPath": ANY, "storageClassName": ANY}},
        "resources": ANY, "networkPolicy": _NETPOL, "image": _IMAGE, "baseUrl": ANY, "nodeSelector": ANY,
        "concurrentSpawnLimit": ANY, "activeServerLimit": ANY, "consecutiveFailureLimit": ANY,
        "extraVolumes": ANY, "extraVolumeMounts": ANY, "templatePaths": ANY, "templateVars": ANY,
    },
    "singleuser": {
        "image": _IMAGE, "defaultUrl": ANY, "startTimeout": ANY, "cmd": ANY, "uid": ANY, "fsGid": ANY,
        "memory": {"limit": ANY, "guarantee": ANY}, "cpu": {"limit": ANY, "guarantee": ANY},
        "extraEnv": ANY, "extraFiles": {"*": _EXTRA_FILE}, "lifecycleHooks": ANY, "initContainers": ANY,
        "profileList": ANY, "networkPolicy": _NETPOL, "nodeSelector": ANY, "extraLabels": ANY,
        "extraAnnotations": ANY, "serviceAccountName": ANY, "extraPodConfig": ANY, "extraContainers": ANY,
        "storage": {"type": ANY, "capacity": ANY, "homeMountPath": ANY, "extraLabels": ANY,
                    "extraVolumes": ANY, "extraVolumeMounts": ANY,
                    "static": {"pvcName": ANY, "subPath": ANY},
                    "dynamic": {"storageClass": ANY, "pvcNameTemplate": ANY, "volumeNameTemplate": ANY,
                                "storageAccessModes": ANY, "subPath": ANY}},
    },
    "cull": {"enabled": ANY, "users": ANY, "adminUsers": ANY, "removeNamedServers": ANY, "timeout": ANY,
             "every": ANY, "concurrency": ANY, "maxAge": ANY},
    "scheduling": {
        "userScheduler": {"enabled": ANY, "replicas": ANY, "logLevel": ANY, "resources": ANY},
        "podPriority": {"enabled": ANY, "globalDefault": ANY, "defaultPriority": ANY,
                        "imagePullerPriority": ANY, "userPlaceholderPriority": ANY},
        "userPlaceholder": {"enabled": ANY, "replicas": ANY, "resources": ANY},
        "corePods": ANY, "userPods": ANY,
    },
    "prePuller": {"hook": {"enabled": ANY, "pullOnlyOnChanges": ANY}, "continuous": {"enabled": ANY},
                  "extraImages": ANY, "pullProfileListImages": ANY},
    "proxy": {
        "https": {"enabled": ANY, "type": ANY, "hosts": ANY,
                  "letsencrypt": {"contactEmail": ANY, "acmeServer": ANY},
                  "manual": {"key": ANY, "cert": ANY}, "secret": {"name": ANY, "key": ANY, "crt": ANY}},
        "service": ANY, "chp": ANY, "traefik": ANY,
    },
    "ingress": {"enabled": ANY, "annotations": ANY, "hosts": ANY, "pathSuffix": ANY, "pathType": ANY,
                "tls": ANY, "ingressClassName": ANY},
    "debug": {"enabled": ANY},
}
SECRET_KEYS = {"client_secret", "api_token", "secretToken", "cookieSecret", "password", "cryptoKey"}


def unknown_keys(values: dict, known, path: str = "") -> list[str]:
    if known == ANY:
        return []
    if not isinstance(values, dict):
        return [f"{path} should be a mapping"]
    out = []
    for key, value in values.items():
        spec = known.get(key, known.get("*"))
        if spec is None:
            out.append(f"{path}{key}")
        else:
            out += unknown_keys(value, spec, f"{path}{key}.")
    return out


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


def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def test_values_use_only_keys_the_chart_knows():
    assert unknown_keys(values(), KNOWN) == []


def test_the_checker_catches_a_typo():
    assert unknown_keys({"singleuser": {"memory": {"guarentee": "1G"}}}, KNOWN) == ["singleuser.memory.guarentee"]


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


def test_student_repository_export_holds_no_solutions(tmp_path):
    from indi_ops.hub.launch import SOLUTION_MARKERS, export_student_repo

    assert export_student_repo(tmp_path) > 10
    files = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()]
    assert (tmp_path / "postBuild").stat().st_mode & 0o100 and (tmp_path / "indi" / "data.py").is_file()
    assert (tmp_path / "indi-lab" / "START_HERE.md").is_file()
    assert not [f for f in files if f.suffix == ".ipynb" and "labs" in f.parts], files
    assert not [f for f in files if f.parts[0] in ("tools", "tests", "grading", ".git")], files
    leaks = [f for f in files if f.parts[0] == "indi-lab"
             and any(m in (tmp_path / f).read_text(errors="ignore") for m in SOLUTION_MARKERS)]
    assert leaks == []

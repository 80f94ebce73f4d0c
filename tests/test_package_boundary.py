"""The learner package (indi) never imports the teacher/operator package (indi_ops), and never ships it."""

from __future__ import annotations

import ast
import subprocess
import sys

from indi.paths import REPO_ROOT


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_learner_package_source_never_imports_ops():
    offenders = {str(p.relative_to(REPO_ROOT)): sorted(n for n in _imports(p) if n.split(".")[0] == "indi_ops")
                 for p in (REPO_ROOT / "indi").rglob("*.py")}
    assert not {k: v for k, v in offenders.items() if v}


def test_importing_every_learner_module_loads_no_ops_module():
    modules = sorted(p.stem for p in (REPO_ROOT / "indi").glob("*.py") if p.stem != "__init__")
    code = ("import sys, importlib\n"
            f"for m in {modules!r}: importlib.import_module('indi.' + m)\n"
            "print(sorted(k for k in sys.modules if k.split('.')[0] == 'indi_ops'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

"""`make bench`: run every benchmarks/*.py, print one table, write _build/bench.json (flat keys).

Each benchmark module defines ``run() -> dict[str, float]`` with keys prefixed by its area
(``book.build_s``, ``vision.accuracy``…). Run one area: ``python -m indi_ops.bench book``.
Speed and quality targets are checked here, not in timed tests.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
import time
import traceback
from pathlib import Path

from indi.paths import REPO_ROOT

BENCH_DIR = REPO_ROOT / "benchmarks"
OUT = REPO_ROOT / "_build" / "bench.json"


def _modules(only: list[str]) -> list[Path]:
    files = sorted(p for p in BENCH_DIR.glob("*.py") if not p.name.startswith("_"))
    return [p for p in files if not only or p.stem in only]


def main(argv: list[str] | None = None) -> int:
    only = list(sys.argv[1:] if argv is None else argv)
    results: dict[str, float | str] = {}
    failed = []
    for path in _modules(only):
        spec = importlib.util.spec_from_file_location(f"benchmarks.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        t0 = time.perf_counter()
        try:
            spec.loader.exec_module(module)
            results.update(module.run())
        except Exception:  # one broken benchmark must not hide the others' figures
            failed.append(path.stem)
            traceback.print_exc()
        results[f"{path.stem}.bench_wall_s"] = round(time.perf_counter() - t0, 2)
    previous = json.loads(OUT.read_text()) if OUT.exists() and only else {}
    previous.update(results)
    previous["machine"] = f"{platform.node()} {platform.machine()} python {platform.python_version()}"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(previous, indent=2, sort_keys=True))
    width = max((len(k) for k in results), default=10)
    print(f"\n{'metric':<{width}}  value")
    for key in sorted(results):
        value = results[key]
        print(f"{key:<{width}}  {value:.4g}" if isinstance(value, float) else f"{key:<{width}}  {value}")
    print(f"\nwritten to {OUT.relative_to(REPO_ROOT)}")
    if failed:
        print(f"FAILED benchmarks: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

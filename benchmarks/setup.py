"""Set-up cost: a fresh venv with the pinned runtime + test packages (pip cache allowed), and its size."""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from indi.paths import REPO_ROOT


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def run() -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="indi-bench-venv-"))
    try:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(tmp)], check=True)
        pip = [str(tmp / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
               "-c", str(REPO_ROOT / "constraints.txt")]
        subprocess.run(pip + ["-r", str(REPO_ROOT / "requirements.txt"),
                              "-r", str(REPO_ROOT / "requirements-test.txt")], check=True)
        setup_s = time.perf_counter() - t0
        return {"setup.venv_install_s": round(setup_s, 1), "setup.venv_mb": round(_size_mb(tmp), 0)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

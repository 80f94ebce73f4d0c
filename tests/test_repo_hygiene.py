"""Rules CI can check: notebooks without outputs, no data files committed, ruff clean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

DATA_SUFFIXES = {".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".mat", ".xlsx", ".zip", ".npz", ".npy", ".parquet", ".h5"}


def _tracked() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return [REPO / line for line in out.stdout.splitlines() if (REPO / line).is_file()]


def test_notebooks_are_committed_without_outputs():
    dirty = []
    for path in _tracked():
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            if any(c.get("outputs") or c.get("execution_count") for c in nb.cells if c.cell_type == "code"):
                dirty.append(str(path.relative_to(REPO)))
    assert not dirty, f"strip outputs (jupyter nbconvert --clear-output --inplace) from: {dirty}"


def test_no_dataset_files_in_the_repository():
    """Data comes through datasets/ and INDI_DATA_DIR; only small figures and test fixtures are files here."""
    bad = [str(p.relative_to(REPO)) for p in _tracked()
           if p.suffix.lower() in DATA_SUFFIXES and not p.is_relative_to(REPO / "tests")
           and p.stat().st_size > 300_000]
    big_tables = [str(p.relative_to(REPO)) for p in _tracked()
                  if p.suffix in {".csv", ".tsv"} and p.stat().st_size > 200_000]
    assert not bad and not big_tables, f"data files committed: {bad + big_tables}"


def test_ruff_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]

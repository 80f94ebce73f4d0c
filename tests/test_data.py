"""The data layer: registry, the pre-staged mirror path, corrupt copies, and real downloads over HTTP."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

import indi.data
from indi.errors import DataError

TURNING = "mu-turning-tool-wear/Dataset_Machine_tool_wear.csv"
MELTPOOL = "meltpoolnet/data/meltpoolnet_classification.csv"


@pytest.fixture
def staged() -> Path:
    """The real pre-staged folder (CI: ../shared/datasets via INDI_DATA_DIR)."""
    from indi.paths import data_dir

    folder = data_dir()
    if folder is None:
        pytest.skip("INDI_DATA_DIR is not set")
    return folder


def test_registry_covers_every_dataset_with_pinned_urls():
    reg = indi.data.registry()
    per_dataset = {}
    for entry in reg.values():
        per_dataset[entry.dataset] = per_dataset.get(entry.dataset, 0) + 1
        assert len(entry.sha256) == 64
        if entry.url:
            # Pinned: a 40-hex commit in every upstream URL, so the bytes behind it never change.
            assert any(len(part) == 40 and all(c in "0123456789abcdef" for c in part) for part in entry.url.split("/"))
    assert per_dataset["neu-det-steel-surface-defects"] == 3600
    assert set(per_dataset) == set(indi.data.datasets())
    for dataset, info in indi.data.datasets().items():
        assert (Path(indi.data.paths.DATASETS_DIR) / info["card"]).is_file(), f"no data card for {dataset}"
        assert info["licence"] and info["citation"]


def test_registry_matches_staging_manifest(staged):
    """Every file staged for the course (bar local docs) is registered with the same sha256."""
    import csv

    manifest = staged / "MANIFEST.tsv"
    if not manifest.exists():
        pytest.skip("no MANIFEST.tsv in INDI_DATA_DIR")
    reg = indi.data.registry()
    with open(manifest, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["dataset"] == "(index)" or row["relative_path"].endswith("DATACARD.md"):
                continue
            assert reg[row["relative_path"]].sha256 == row["sha256"], row["relative_path"]


def test_every_file_verifies_in_the_staged_folder(staged):
    status = indi.data.check()
    assert all(s == "ok" for s in status.values()), status


def test_loaders_return_ready_objects(staged):
    neu = indi.data.load_neu_det()
    assert neu.images.shape == (1800, 200, 200) and neu.images.dtype == np.uint8
    assert len(neu.boxes) == 4189
    assert {str(c): int((neu.labels == c).sum()) for c in indi.data.NEU_CLASSES} == dict.fromkeys(indi.data.NEU_CLASSES, 300)
    assert neu.boxes_of("crazing_1").shape[1] == 4
    turning = indi.data.load_turning_tool_wear()
    assert turning.shape == (2054, 154) and turning["tool"].nunique() == 13
    milling = indi.data.load_milling_tool_wear()
    assert set(milling["dataset_tag"]) == {"phm2010", "nuaa"} and milling["tool_wear"].between(0, 1).all()
    lpbf = indi.data.load_lpbf_density()
    assert len(lpbf) == 1579 and "RD (%)" in lpbf
    melt = indi.data.load_meltpoolnet()
    assert len(melt) == 1249 and not melt.columns.str.startswith("Unnamed").any()
    assert (indi.data.load_meltpoolnet(raw=True) == "#DIV/0!").to_numpy().any()
    assert set(indi.data.load_gendered_wording("sv")["coding"]) == {"masculine", "feminine"}


def test_unknown_file_and_dataset_give_clear_errors():
    with pytest.raises(DataError, match="not in the data registry"):
        indi.data.fetch("nope/missing.csv")
    with pytest.raises(DataError, match="Known datasets"):
        indi.data.dataset_files("no-such-dataset")


def _copy(staged: Path, dest: Path, rels: list[str]) -> None:
    for rel in rels:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(staged / rel, dest / rel)


def test_corrupted_copy_is_refused(staged, tmp_path, monkeypatch):
    _copy(staged, tmp_path, [TURNING])
    with open(tmp_path / TURNING, "r+b") as fh:  # flip one byte
        fh.seek(1000)
        byte = fh.read(1)
        fh.seek(1000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.setenv("INDI_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match="fails its checksum") as err:
        indi.data.load_turning_tool_wear()
    assert TURNING in str(err.value)


def test_missing_file_in_staged_folder_names_it(tmp_path, monkeypatch):
    monkeypatch.setenv("INDI_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError, match="missing from INDI_DATA_DIR") as err:
        indi.data.fetch(MELTPOOL)
    assert MELTPOOL in str(err.value)


def test_staged_folder_is_read_in_place_without_writing(staged, tmp_path, monkeypatch):
    _copy(staged, tmp_path, [TURNING])
    for p in [tmp_path / TURNING, *(tmp_path / TURNING).parents]:
        if p == tmp_path.parent:
            break
        p.chmod(0o555 if p.is_dir() else 0o444)
    monkeypatch.setenv("INDI_DATA_DIR", str(tmp_path))
    try:
        assert indi.data.fetch(TURNING) == tmp_path / TURNING
        assert sorted(p.name for p in tmp_path.rglob("*")) == ["Dataset_Machine_tool_wear.csv", "mu-turning-tool-wear"]
    finally:
        for p in tmp_path.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)
        tmp_path.chmod(0o755)


@pytest.fixture
def http_mirror(staged, tmp_path):
    """A real HTTP server on 127.0.0.1 serving a copy of part of the mirror."""
    root = tmp_path / "www"
    _copy(staged, root, [TURNING, MELTPOOL])
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_path_fetches_and_verifies(http_mirror, tmp_path, monkeypatch):
    root, url = http_mirror
    cache = tmp_path / "cache"
    monkeypatch.delenv("INDI_DATA_DIR", raising=False)
    monkeypatch.setenv("INDI_DATA_MIRROR_URL", url)
    monkeypatch.setenv("INDI_CACHE_DIR", str(cache))
    df = indi.data.load_turning_tool_wear()
    assert df.shape == (2054, 154)
    assert (cache / TURNING).read_bytes() == (root / TURNING).read_bytes()
    # A second load uses the verified cache: works with the server gone.
    (root / TURNING).unlink()
    assert indi.data.load_turning_tool_wear().shape == (2054, 154)


def test_download_of_a_corrupt_file_is_refused_and_not_kept(http_mirror, tmp_path, monkeypatch):
    root, url = http_mirror
    (root / MELTPOOL).write_text("not the real file\n")
    cache = tmp_path / "cache"
    monkeypatch.delenv("INDI_DATA_DIR", raising=False)
    monkeypatch.setenv("INDI_DATA_MIRROR_URL", url)
    monkeypatch.setenv("INDI_CACHE_DIR", str(cache))
    with pytest.raises(DataError, match="fails its checksum"):
        indi.data.load_meltpoolnet()
    assert not (cache / MELTPOOL).exists()


def test_offline_without_mirror_says_what_to_do(tmp_path, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.delenv("INDI_DATA_DIR", raising=False)
    monkeypatch.setenv("INDI_DATA_MIRROR_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("INDI_CACHE_DIR", str(tmp_path))
    with pytest.raises(DataError, match="set INDI_DATA_DIR") as err:
        indi.data.fetch(MELTPOOL)
    assert MELTPOOL in str(err.value)


def test_cli_check_reports_each_dataset(staged, capsys):
    assert indi.data.main(["check", "meltpoolnet", "equality"]) == 0
    out = capsys.readouterr().out
    assert "meltpoolnet" in out and "ok" in out


def test_notebook_handler_shows_only_the_message():
    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    import indi.errors

    assert indi.errors.install_notebook_handler()
    result = shell.run_cell("import indi.data\nindi.data.fetch('nope.csv')")
    assert isinstance(result.error_in_exec, DataError)

"""The "your own parts" folder loader: the documented layout loads, every expected mistake gives an InputError."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from indi.errors import IndiError, InputError
from indi.vision import load_image_folder

PARTS = Path(__file__).parent / "fixtures" / "vision" / "parts"


def _write(path: Path, shape=(24, 24), value=120, colour=False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img = np.full(shape + ((3,) if colour else ()), value, np.uint8)
    assert cv2.imwrite(str(path), img)


@pytest.fixture
def parts(tmp_path: Path) -> Path:
    """A writable copy of the committed fixture folder (ok/ ×3, scratch/ ×2, 24×24 px PNG)."""
    dst = tmp_path / "my_parts"
    shutil.copytree(PARTS, dst)
    return dst


def test_fixture_folder_loads_as_documented():
    got = load_image_folder(PARTS)
    assert got.classes == ("ok", "scratch")
    assert got.images.shape == (5, 24, 24) and got.images.dtype == np.uint8
    assert got.labels.tolist() == ["ok"] * 3 + ["scratch"] * 2
    assert got.names[0] == "ok/ok_0"
    # the scratch images carry their dark line: the loader returns real pixels, not placeholders
    assert got.images[3][:, 10].max() == 30


def test_colour_jpeg_and_bmp_become_grey_and_hidden_files_are_skipped(parts: Path):
    _write(parts / "ok" / "photo.jpg", colour=True)
    _write(parts / "scratch" / "old.bmp")
    (parts / "ok" / ".DS_Store").write_bytes(b"\0\1")
    (parts / "ok" / "Thumbs.db").write_bytes(b"\0\1")
    got = load_image_folder(parts)
    assert got.images.shape == (7, 24, 24)
    assert "ok/photo" in got.names and "scratch/old" in got.names


def test_missing_folder_and_file_instead_of_folder(tmp_path: Path):
    with pytest.raises(InputError, match="does not exist"):
        load_image_folder(tmp_path / "nowhere")
    f = tmp_path / "a.png"
    _write(f)
    with pytest.raises(InputError, match="is a file, not a folder"):
        load_image_folder(f)


def test_images_without_class_folders(tmp_path: Path):
    _write(tmp_path / "loose" / "img1.png")
    with pytest.raises(InputError, match=r"no class sub-folders.*img1\.png"):
        load_image_folder(tmp_path / "loose")


def test_a_single_class_is_not_enough(tmp_path: Path):
    _write(tmp_path / "one" / "ok" / "a.png")
    with pytest.raises(InputError, match="only one class folder"):
        load_image_folder(tmp_path / "one")


def test_wrong_file_types_are_named(parts: Path):
    (parts / "ok" / "notes.txt").write_text("exposure 2 ms")
    (parts / "scratch" / "scan.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError) as err:
        load_image_folder(parts)
    msg = str(err.value)
    assert "2 file(s)" in msg and "ok/notes.txt" in msg and "scratch/scan.pdf" in msg
    assert "not images" in msg


def test_unreadable_images_are_named(parts: Path):
    (parts / "ok" / "broken.png").write_bytes(b"this is not a PNG")
    (parts / "scratch" / "empty.jpg").write_bytes(b"")
    with pytest.raises(InputError, match=r"2 image file\(s\).*cannot be decoded") as err:
        load_image_folder(parts)
    assert "ok/broken.png" in str(err.value) and "scratch/empty.jpg" in str(err.value)


def test_mixed_sizes_need_a_size_or_cropping(parts: Path):
    _write(parts / "scratch" / "big.png", shape=(30, 40))
    with pytest.raises(InputError) as err:
        load_image_folder(parts)
    msg = str(err.value)
    assert "different sizes" in msg and "24×24 px: 5" in msg and "40×30 px: 1" in msg and "size=(" in msg
    resized = load_image_folder(parts, size=(32, 16))
    assert resized.images.shape == (6, 16, 32)


def test_empty_class_and_too_few_images(parts: Path):
    (parts / "dent").mkdir()
    with pytest.raises(InputError, match=r"no images: dent/ \(0\)"):
        load_image_folder(parts)
    (parts / "dent").rmdir()
    with pytest.raises(InputError, match=r"fewer than 3 images: scratch/ \(2\)"):
        load_image_folder(parts, min_per_class=3)


def test_input_error_is_an_indi_error_and_a_value_error(tmp_path: Path):
    with pytest.raises(IndiError):
        load_image_folder(tmp_path / "nowhere")
    with pytest.raises(ValueError):
        load_image_folder(tmp_path / "nowhere")

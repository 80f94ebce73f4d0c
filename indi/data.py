"""The one door to the course data: registry lookup, checksum verification, download and loaders.

Every data file the course uses has one line in ``datasets/registry/<dataset>.txt`` (pooch's registry
format): its path inside the dataset folder (the same as in a pre-staged folder such as
``../shared/datasets``) and its sha256; ``datasets/datasets.yml`` gives each dataset's upstream
``base_url`` pinned to a commit, licence and citation.

Where a file comes from, in this order:

1. a copy shipped in the repository (``repo_copy`` column: the small curated equality tables);
2. ``INDI_DATA_DIR`` — a pre-staged folder (hub, offline classroom, CI); read in place, never written;
3. otherwise a download with pooch into the user cache (``INDI_CACHE_DIR`` or ``~/.cache/indi-lab``),
   from ``INDI_DATA_MIRROR_URL`` if set (a local web server laid out like INDI_DATA_DIR), else from
   the pinned upstream URL.

Whatever the source, the sha256 is checked; a file that fails it is never used.

Loaders (``load_*``) return ready objects with units documented in their docstrings.
Command line: ``indi-data check`` verifies (and, if needed, downloads) everything.
"""

from __future__ import annotations

import logging
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from indi import paths
from indi.errors import DataError

if TYPE_CHECKING:  # imported where they are used: `import indi.data` stays cheap (fetch needs neither)
    import numpy as np
    import pandas as pd

__all__ = [
    "DataError",
    "Entry",
    "registry",
    "dataset_files",
    "fetch",
    "fetch_many",
    "load_neu_det",
    "NEUDet",
    "NEU_CLASSES",
    "load_turning_tool_wear",
    "load_milling_tool_wear",
    "load_lpbf_density",
    "load_meltpoolnet",
    "load_gendered_wording",
    "load_jobad_rules",
    "load_women_share",
]


def _pooch():
    """pooch, imported on first use; it logs every download at INFO, and the progress bars already tell the user."""
    import pooch

    pooch.get_logger().setLevel(logging.WARNING)
    return pooch


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Entry:
    """One registered data file."""

    dataset: str
    path: str  # relative to INDI_DATA_DIR, e.g. "meltpoolnet/data/meltpoolnet_regression.csv"
    sha256: str
    url: str  # pinned upstream URL; empty for files without one (shipped with the course, or derived)
    repo_copy: str = ""  # path inside the repository, for files shipped with the course


@cache
def datasets() -> dict[str, dict]:
    """datasets/datasets.yml: title, licence, citation, base_url… per dataset id."""
    import yaml

    if not paths.DATASETS_YML.exists():
        raise DataError(
            f"The data registry {paths.DATASETS_YML} is missing. Run this from a full checkout of the "
            "INDI Lab repository (the indi package reads datasets/ next to it)."
        )
    return yaml.safe_load(paths.DATASETS_YML.read_text(encoding="utf-8"))


@cache
def registry() -> dict[str, Entry]:
    """All registered files, by relative path (parsed with pooch's own registry-file reader)."""
    pooch = _pooch()
    entries = {}
    for dataset, info in datasets().items():
        reg = pooch.create(path=paths.REPO_ROOT, base_url=info.get("base_url", ""))
        reg.load_registry(paths.REGISTRY_DIR / f"{dataset}.txt")
        for rel, known_hash in reg.registry.items():
            url = reg.urls.get(rel, info["base_url"] + rel if info.get("base_url") else "")
            if url.startswith("derived-from:"):
                url = ""
            repo_copy = f"{info['repo_dir']}/{rel}" if info.get("repo_dir") else ""
            entries[f"{dataset}/{rel}"] = Entry(dataset, f"{dataset}/{rel}", known_hash.split(":")[-1], url, repo_copy)
    return entries


def dataset_files(dataset: str) -> list[Entry]:
    """The registered files of one dataset (e.g. ``"mu-turning-tool-wear"``)."""
    entries = [e for e in registry().values() if e.dataset == dataset]
    if not entries:
        known = sorted({e.dataset for e in registry().values()})
        raise DataError(f"No dataset called {dataset!r} in the registry. Known datasets: {', '.join(known)}.")
    return entries


def _entry(path: str) -> Entry:
    try:
        return registry()[path]
    except KeyError:
        raise DataError(
            f"{path!r} is not in the data registry (datasets/registry/). Check the spelling, or add "
            "the file to the registry with its sha256 and pinned URL (see datasets/README.md)."
        ) from None


# --------------------------------------------------------------------------- resolve + verify


def _sha256(path: Path) -> str:
    return _pooch().file_hash(str(path), alg="sha256")


def _verify(entry: Entry, path: Path, where: str) -> Path:
    if not path.is_file():
        raise DataError(f"Data file {entry.path} is missing from {where} (looked for {path}).")
    digest = _sha256(path)
    if digest != entry.sha256:
        raise DataError(
            f"Data file {entry.path} in {where} fails its checksum (sha256 {digest[:12]}…, expected "
            f"{entry.sha256[:12]}…), so it is not used. The copy is corrupt or a different version: "
            f"replace it with a fresh copy of {entry.url or 'the course repository file'}."
        )
    return path


def _download(entry: Entry, progressbar: bool) -> Path:
    import requests

    pooch = _pooch()
    mirror = paths.mirror_url()
    url = f"{mirror}/{entry.path}" if mirror else entry.url
    if not url:
        raise DataError(
            f"Data file {entry.path} has no upstream to download from; it is derived from another file "
            "or shipped in a pre-staged folder. Set INDI_DATA_DIR to a folder that holds it."
        )
    target = paths.cache_dir() / entry.path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        got = pooch.retrieve(
            url,
            known_hash=f"sha256:{entry.sha256}",
            fname=target.name,
            path=target.parent,
            progressbar=progressbar,
        )
    except ValueError as err:  # pooch: hash mismatch after download
        raise DataError(
            f"Downloaded {entry.path} from {url} but it fails its checksum, so it was not kept. The "
            f"server may serve a different version. Details: {err}"
        ) from None
    except (requests.exceptions.RequestException, OSError) as err:
        raise DataError(
            f"Could not download {entry.path} from {url} ({type(err).__name__}). If this machine is "
            "offline, set INDI_DATA_DIR to a folder with the pre-staged datasets (on the course hub this "
            "is set for you), or INDI_DATA_MIRROR_URL to a local mirror, then try again."
        ) from None
    return Path(got)


def fetch(path: str, progressbar: bool = True) -> Path:
    """Return a verified local path for the registered file ``path`` (downloading it if needed)."""
    entry = _entry(path)
    if entry.repo_copy:
        return _verify(entry, paths.REPO_ROOT / entry.repo_copy, "the course repository")
    staged = paths.data_dir()
    if staged is not None:
        if not staged.is_dir():
            raise DataError(
                f"INDI_DATA_DIR is set to {staged}, which is not a folder. Point it at the folder that "
                "holds the dataset sub-folders (e.g. neu-det-steel-surface-defects/), or unset it to download."
            )
        return _verify(entry, staged / entry.path, f"INDI_DATA_DIR ({staged})")
    return _download(entry, progressbar)


def fetch_many(paths_: list[str], desc: str = "data files", workers: int = 8) -> list[Path]:
    """Fetch many files with one progress bar (parallel downloads; verification in place otherwise)."""
    from tqdm.auto import tqdm

    if not paths_:
        return []
    with tqdm(total=len(paths_), desc=desc, unit="file") as bar:
        # The first file alone: offline or misconfigured fails fast with one clear message.
        out = [fetch(paths_[0], False)]
        bar.update(1)
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            futures = [pool.submit(fetch, p, False) for p in paths_[1:]]
            for fut in futures:
                out.append(fut.result())
                bar.update(1)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # after an error, don't try the other 3,000
    return out


# --------------------------------------------------------------------------- NEU-DET

NEU_DATASET = "neu-det-steel-surface-defects"
NEU_CLASSES = ("crazing", "inclusion", "patches", "pitted_surface", "rolled-in_scale", "scratches")


@dataclass
class NEUDet:
    """NEU-DET images and boxes.

    images  uint8 array (n, 200, 200), 8-bit grey levels
    labels  array of class names (the file-name class), one per image
    names   image ids such as ``"crazing_17"``
    boxes   one row per defect box: ``image``, ``label`` (the box's own class), ``xmin ymin xmax ymax`` in pixels
    """

    images: np.ndarray
    labels: np.ndarray
    names: list[str]
    boxes: pd.DataFrame
    classes: tuple[str, ...] = field(default=NEU_CLASSES)

    def __len__(self) -> int:
        return len(self.names)

    def boxes_of(self, name: str) -> np.ndarray:
        """Boxes of one image as an int array (k, 4): xmin, ymin, xmax, ymax."""
        rows = self.boxes[self.boxes["image"] == name]
        return rows[["xmin", "ymin", "xmax", "ymax"]].to_numpy(dtype=int)


def _neu_class(stem: str) -> str:
    return stem.rsplit("_", 1)[0]


def _read_gray(path: Path) -> np.ndarray:
    import cv2

    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise DataError(f"Image {path} cannot be decoded: the file is damaged or not an image.")
    return img


def _read_voc_boxes(path: Path, image: str) -> list[dict]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise DataError(f"Annotation {path} is not valid XML ({err}).") from None
    rows = []
    for obj in root.iter("object"):
        box = obj.find("bndbox")
        rows.append(
            {
                "image": image,
                "label": obj.findtext("name"),
                **{k: int(float(box.findtext(k))) for k in ("xmin", "ymin", "xmax", "ymax")},
            }
        )
    return rows


def load_neu_det(classes: tuple[str, ...] | list[str] | None = None, with_boxes: bool = True) -> NEUDet:
    """Load NEU-DET: 1,800 grey 200×200 px images of hot-rolled steel strip, 300 per class, with boxes.

    ``classes`` limits the load to some of ``NEU_CLASSES``. Images are sorted by class, then number.
    """
    import numpy as np
    import pandas as pd
    from tqdm.auto import tqdm

    wanted = tuple(classes) if classes is not None else NEU_CLASSES
    unknown = [c for c in wanted if c not in NEU_CLASSES]
    if unknown:
        raise DataError(f"Unknown NEU-DET class(es) {unknown}; choose from {list(NEU_CLASSES)}.")
    entries = [e for e in dataset_files(NEU_DATASET) if e.path.endswith(".jpg")]
    entries = [e for e in entries if _neu_class(Path(e.path).stem) in wanted]
    entries.sort(key=lambda e: (wanted.index(_neu_class(Path(e.path).stem)), int(Path(e.path).stem.rsplit("_", 1)[1])))
    image_paths = fetch_many([e.path for e in entries], desc="NEU-DET images")
    names = [Path(e.path).stem for e in entries]
    images = np.stack([_read_gray(p) for p in tqdm(image_paths, desc="decoding", unit="img", leave=False)])
    box_rows: list[dict] = []
    if with_boxes:
        xml_paths = fetch_many([f"{NEU_DATASET}/ANNOTATIONS/{n}.xml" for n in names], desc="NEU-DET boxes")
        for name, xml in zip(names, xml_paths, strict=True):
            box_rows.extend(_read_voc_boxes(xml, name))
    boxes = pd.DataFrame(box_rows, columns=["image", "label", "xmin", "ymin", "xmax", "ymax"])
    return NEUDet(images=images, labels=np.array([_neu_class(n) for n in names]), names=names, boxes=boxes)


# --------------------------------------------------------------------------- tool wear


def load_turning_tool_wear() -> pd.DataFrame:
    """Mondragon turning: 2,054 one-second segments × 154 columns from 13 tools.

    ``tool`` tool id; ``Vb`` flank wear in µm (interpolated between measurements, never decreasing
    within a tool); ``<signal>_<stat>`` statistics per segment (MEAN, RMS, MAX, SK skewness, KURT
    kurtosis; AE also VAR, C_0.1/C_0.15 threshold counts, CF crest factor) in the raw units of each
    channel. CNC controller signals: ``TV50.S``/``TV51.S`` spindle power, ``TV2.*`` torques, ``CV3.*``
    motor currents, ``CON.*`` controller speeds and feed (internal units). Units of the raw channels
    are not stated upstream. ``CV3.X_SK``/``CV3.X_KURT`` are NaN in 571 rows (constant current).
    """
    import pandas as pd

    df = pd.read_csv(fetch("mu-turning-tool-wear/Dataset_Machine_tool_wear.csv"))
    df.attrs["units"] = {"Vb": "µm", "tool": "id"}
    return df


def load_milling_tool_wear() -> pd.DataFrame:
    """Katulu uniwear milling: PHM 2010 (stainless steel; c1, c4, c6) and NUAA (titanium TC4; W1–W9).

    Columns: ``timestamp`` s since the start of cutting (≈ 0.5 s steps), ``force_z``, ``vibration_x``,
    ``vibration_y`` (smoothed, units not stated upstream; PHM 2010 originals are N and g),
    ``tool_wear`` flank wear in mm, ``experiment_tag``, ``dataset_tag`` (``phm2010`` / ``nuaa``).
    """
    import pandas as pd

    df = pd.read_csv(fetch("uniwear-milling-tool-wear/uniwear.csv"), index_col=0)
    df.attrs["units"] = {"timestamp": "s", "tool_wear": "mm"}
    return df


# --------------------------------------------------------------------------- additive manufacturing


def load_lpbf_density() -> pd.DataFrame:
    """L-PBF relative density: 1,579 samples, 6 alloys, 85 papers under 86 DOI spellings (sheet ``data`` of the upstream workbook).

    Columns as published: ``Laser Power (W)``, ``Scan Speed (mm/s)``, ``Hatch space (mm)``,
    ``Layer thickness (mm)``, ``Spot size (mm)``, ``D50 μm`` (µm), ``RD (%)`` relative density in %,
    ``Material``, ``Atmosphere`` (``NI`` = not informed), ``Printer Model``, ``DOI`` (source paper).
    Returned unchanged: duplicates and fingerprints of the source paper are for the lab to find.
    """
    import pandas as pd

    path = fetch("lpbf-relative-density/dataset.xlsx")
    try:
        df = pd.read_excel(path, sheet_name="data", engine="openpyxl")
    except (ValueError, KeyError) as err:
        raise DataError(f"{path} has no readable sheet 'data' ({err}); replace it with a fresh copy.") from None
    df.attrs["units"] = {"Laser Power (W)": "W", "Scan Speed (mm/s)": "mm/s", "Hatch space (mm)": "mm",
                         "Layer thickness (mm)": "mm", "Spot size (mm)": "mm", "D50 μm": "µm", "RD (%)": "%"}
    return df


MELTPOOL_NA = ["#DIV/0!", "?", "#VALUE!"]


def load_meltpoolnet(table: str = "classification", raw: bool = False) -> pd.DataFrame:
    """MeltpoolNet tables (Akbari et al. 2022): ``table`` is ``"classification"`` or ``"regression"``.

    Units: ``Power`` W, ``Velocity`` mm/s, ``Hatch spacing``/``layer thickness``/``beam D`` µm, melt-pool
    ``depth``/``width``/``length`` µm, ``density`` kg/m³, ``Cp`` J/(kg·K), ``k`` W/(m·K), ``melting T`` K.
    By default the spreadsheet error codes (``#DIV/0!``, ``?``, ``#VALUE!``) become NaN and the empty
    ``Unnamed`` columns are dropped; ``raw=True`` returns the file as published (for cleaning exercises).
    """
    if table not in ("classification", "regression"):
        raise DataError(f"table must be 'classification' or 'regression', not {table!r}.")
    import pandas as pd

    path = fetch(f"meltpoolnet/data/meltpoolnet_{table}.csv")
    if raw:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    df = pd.read_csv(path, na_values=MELTPOOL_NA)
    return df.loc[:, ~df.columns.str.startswith("Unnamed")]


# --------------------------------------------------------------------------- equality module


def load_gendered_wording(language: str) -> pd.DataFrame:
    """Gender-coded word stems for job ads: ``language`` ``"en"`` or ``"sv"``.

    The upstream list (Gaucher et al. 2011 and gender-decoder, as curated for the course) followed by the
    entries added for this course (``jobad_added_words.tsv``). Columns: ``stem``, ``coding`` (masculine or
    feminine), ``source``, ``note``, ``added`` (True for the course's additions), ``concept`` (the coded
    concept, named the same in both languages; ``jobad_concepts.tsv`` for upstream rows), ``match``
    (``prefix``; empty for upstream rows, whose rule the analyser derives) and the upstream provenance
    columns of each language (empty on added rows).
    """
    if language not in ("en", "sv"):
        raise DataError(f"language must be 'en' or 'sv', not {language!r}.")
    import pandas as pd

    upstream = pd.read_csv(fetch(f"equality/gendered_wording_{language}.tsv"), sep="\t", keep_default_na=False)
    concepts = pd.read_csv(fetch("equality/jobad_concepts.tsv"), sep="\t", keep_default_na=False)
    concepts = concepts[concepts["language"] == language].set_index("stem")["concept"]
    upstream["concept"] = upstream["stem"].map(concepts).fillna("")
    added = pd.read_csv(fetch("equality/jobad_added_words.tsv"), sep="\t", keep_default_na=False)
    added = added[added["language"] == language].drop(columns="language")
    upstream["added"], added["added"] = False, True
    table = pd.concat([upstream, added], ignore_index=True).fillna("")
    return table


def load_jobad_rules(language: str) -> pd.DataFrame:
    """Context rules of the job-ad analyser for ``language`` (``"en"`` or ``"sv"``), one row per rule.

    Columns: ``kind`` (``other``: another sense, not counted; ``duty``: duty wording, not counted), ``case``
    (``i``: matched on the lower-cased ad; ``s``: on the ad as written, for capitalised names), ``pattern``
    (a regular expression; a space stands for any run of white space), ``label`` (why, shown to the
    reader), ``example`` (a real sentence it is meant for) and ``source``.
    """
    if language not in ("en", "sv"):
        raise DataError(f"language must be 'en' or 'sv', not {language!r}.")
    import csv

    import pandas as pd

    rules = pd.read_csv(fetch("equality/jobad_context_rules.tsv"), sep="\t", keep_default_na=False,
                        quoting=csv.QUOTE_NONE)
    return rules[rules["language"] == language].drop(columns="language").reset_index(drop=True)


def load_women_share() -> pd.DataFrame:
    """Sourced figures on women's share in Swedish manufacturing and engineering (``value_percent`` in %)."""
    import pandas as pd

    return pd.read_csv(fetch("equality/women_share_sweden.tsv"), sep="\t")


# --------------------------------------------------------------------------- command line


def check(datasets: list[str] | None = None) -> dict[str, str]:
    """Verify (downloading if needed) every registered file; returns dataset -> 'ok' or the problem."""
    wanted = datasets or sorted({e.dataset for e in registry().values()})
    status = {}
    for ds in wanted:
        files = [e.path for e in dataset_files(ds) if e.url or e.repo_copy or paths.data_dir()]
        try:
            fetch_many(files, desc=ds)
            status[ds] = "ok"
        except DataError as err:
            status[ds] = str(err)
    return status


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="indi-data", description="Verify or download the INDI Lab datasets.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_check = sub.add_parser("check", help="verify every file (download what is missing)")
    p_check.add_argument("datasets", nargs="*", help="dataset ids (default: all)")
    sub.add_parser("list", help="list datasets and file counts")
    args = parser.parse_args(argv)
    if args.cmd == "list":
        counts: dict[str, int] = {}
        for e in registry().values():
            counts[e.dataset] = counts.get(e.dataset, 0) + 1
        for ds, n in sorted(counts.items()):
            print(f"{ds:32s} {n:5d} files")
        return 0
    source = paths.data_dir() or paths.mirror_url() or f"downloads cached in {paths.cache_dir()}"
    print(f"Checking data from: {source}")
    status = check(args.datasets or None)
    for ds, s in status.items():
        print(f"  {ds:32s} {s}")
    return 0 if all(s == "ok" for s in status.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

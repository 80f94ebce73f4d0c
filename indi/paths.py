"""Where things are: the repository, the data registry, the download cache, the pre-staged mirror."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS_DIR = REPO_ROOT / "datasets"
REGISTRY_DIR = DATASETS_DIR / "registry"
DATASETS_YML = DATASETS_DIR / "datasets.yml"


def data_dir() -> Path | None:
    """The pre-staged folder named by INDI_DATA_DIR (hubs, offline classrooms, CI), or None."""
    value = os.environ.get("INDI_DATA_DIR", "").strip()
    return Path(value).expanduser().resolve() if value else None


def mirror_url() -> str | None:
    """An HTTP(S) mirror laid out like INDI_DATA_DIR (e.g. a school's web server), or None."""
    value = os.environ.get("INDI_DATA_MIRROR_URL", "").strip()
    return value.rstrip("/") if value else None


def cache_dir() -> Path:
    """Where downloads are kept: INDI_CACHE_DIR, else the user's cache folder (e.g. ~/.cache/indi-lab)."""
    value = os.environ.get("INDI_CACHE_DIR", "").strip()
    if value:
        return Path(value).expanduser().resolve()
    import pooch

    return Path(pooch.os_cache("indi-lab"))

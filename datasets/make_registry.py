"""Regenerate datasets/registry/<dataset>.txt from a staging MANIFEST.tsv (how to add or update a dataset).

    python datasets/make_registry.py ../shared/datasets/MANIFEST.tsv

The manifest has columns dataset, relative_path, bytes, sha256, upstream_url (one row per file). A
registry line is ``<path inside the dataset> <sha256>`` plus the URL when it is not the dataset's
``base_url`` (datasets.yml) + path. Data cards and local documentation are not registered. After adding a
new dataset, give it an entry in datasets.yml (base_url pinned to a commit, licence, citation, card).
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).parent


def main(manifest: str) -> None:
    info = yaml.safe_load((HERE / "datasets.yml").read_text())
    by_dataset = defaultdict(list)
    with open(manifest, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["dataset"] in info and not row["relative_path"].endswith("DATACARD.md"):
                by_dataset[row["dataset"]].append(row)
    for dataset, rows in by_dataset.items():
        base = info[dataset].get("base_url", "")
        lines = [f"# pooch registry of {dataset}: <path inside the dataset folder> <sha256> [<url when not base_url + path>]",
                 "# base_url and licence: datasets/datasets.yml. Regenerate: python datasets/make_registry.py MANIFEST.tsv"]
        for row in sorted(rows, key=lambda r: r["relative_path"]):
            rel = row["relative_path"].split("/", 1)[1]
            url = row["upstream_url"]
            if info[dataset].get("repo_dir"):
                extra = ""  # shipped with the course
            elif url.startswith(("derived", '"derived')):
                extra = " derived-from:" + url.split("of ")[-1].split(" ")[0] if " of " in url else " derived-from:upstream"
            elif url == base + rel:
                extra = ""
            else:
                extra = " " + url
            lines.append(f"{rel} {row['sha256']}{extra}")
        (HERE / "registry" / f"{dataset}.txt").write_text("\n".join(lines) + "\n")
        print(f"{dataset}: {len(rows)} files")


if __name__ == "__main__":
    main(sys.argv[1])

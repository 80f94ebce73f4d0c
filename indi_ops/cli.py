"""``indi-ops``: the one command line of the teacher's and operator's side.

    indi-ops grade collect-folder LAB FOLDER ROSTER   a learning platform's download → grading/submitted/
    indi-ops grade prepare LAB                        what the lab caches, computed once per course (make release)
    indi-ops grade autograde LAB [--workers N]        grade the whole class in the sandbox, N at once; flag problems
    indi-ops grade feedback LAB [--workers N]         feedback HTML (hidden tests removed)
    indi-ops grade return-feedback LAB [--to DIR]     hand feedback back (hub exchange, or a folder)
    indi-ops hub [serve|add-instructor|add-students|remove|list|check-settings|export-content] …
    indi-ops labs sync|check [LAB …]                  lab_sources/<id>.md → labs/<id>/<id>.ipynb (make labs)
    indi-ops book build|update|coverage|todo|apply     the two editions and the Swedish catalogues (make book)
    indi-ops bench [AREA …]                           the performance table (make bench)

Each group is its own module (``indi_ops.grading.classroom``, ``indi_ops.hub.cli``, ``indi_ops.bench``);
this entry only dispatches, so ``indi-ops grade -h`` shows the same help as the module.
"""

from __future__ import annotations

import sys

# group name → (module, one-line help); modules are imported only when their group is used.
GROUPS = {
    "grade": ("indi_ops.grading.classroom", "the teacher's grading path around nbgrader"),
    "hub": ("indi_ops.hub.cli", "the class hub: start it, add and remove users, export content"),
    "labs": ("indi_ops.labs", "lab text sources: sync labs/<id>/<id>.ipynb from lab_sources/<id>.md, or check"),
    "book": ("indi_ops.book", "the book in English and Swedish: build, translation update/todo/apply, coverage"),
    "bench": ("indi_ops.bench", "performance and accuracy table (make bench)"),
}


def main(argv: list[str] | None = None) -> int:
    import argparse
    import importlib

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="indi-ops", description=__doc__.split("\n\n")[0])
    parser.add_argument("group", choices=sorted(GROUPS), help="; ".join(f"{k}: {v[1]}" for k, v in GROUPS.items()))
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="the group's own arguments (indi-ops GROUP -h)")
    args = parser.parse_args(argv[:1] or ["-h"])
    module = importlib.import_module(GROUPS[args.group][0])
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())

# nbgrader configuration for the INDI Lab course (fixed name: nbgrader commands run from the repo root).
# The settings live in indi_ops/grading/config.py so the tests grade with exactly the same configuration.
from pathlib import Path

from indi_ops.grading.config import configure

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)
configure(c, Path(__file__).resolve().parent)

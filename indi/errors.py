"""Errors a participant can act on, shown in notebooks as one clear message instead of a traceback.

Every error our helpers raise on purpose (missing dataset, wrong column, unreadable image…) is an
``IndiError``: its message says what is wrong and what to do. In a notebook, ``import indi`` installs
a handler that prints just that message. The cell still fails, so nbgrader and tests see the error.
"""

from __future__ import annotations

import sys


class IndiError(Exception):
    """Base class: an expected mistake, with a message that names the problem and the fix."""


class DataError(IndiError):
    """A data file is missing, corrupt, or cannot be downloaded."""


class InputError(IndiError, ValueError):
    """The user's own data (a CSV, an image folder) does not have the documented shape."""


def _short_traceback(shell, etype, value, tb, tb_offset=None):
    # A structured traceback of a single line: the error type and our message, in red.
    return [f"\x1b[31m{etype.__name__}\x1b[0m: {value}"]


def install_notebook_handler() -> bool:
    """Show IndiError messages without a traceback in IPython/Jupyter. Returns True if installed."""
    ipython = sys.modules.get("IPython")
    if ipython is None:  # plain Python (no shell can exist before IPython is imported): normal tracebacks
        return False
    shell = ipython.get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((IndiError,), _short_traceback)
    return True

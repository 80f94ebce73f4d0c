"""INDI Lab helper package: the one door to the course data, plus small helpers the labs share.

``indi.data``   registry-backed, checksum-verified access to every dataset (and loaders).
``indi.errors`` the clear-message errors (installed as a short notebook handler on import).
``indi.paths``  where the repository, the registry and the caches are.
"""

from indi.errors import DataError, IndiError, InputError, install_notebook_handler

__all__ = ["DataError", "IndiError", "InputError"]
__version__ = "0.1.0"

install_notebook_handler()

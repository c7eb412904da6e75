"""Where the project's data folders are: inside an installed wheel, or in the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]
# In a wheel, pyproject's force-include puts the folders under aerosync/_data/.
_INSTALLED = _PACKAGE / "_data"
# In a source checkout (editable install), they sit at the repository's top level.
_SOURCE_TREE = _PACKAGE.parents[1]
_SOURCE_NAMES = {"sql": "include/sql", "config": "include/config", "expectations": "expectations"}


def data_dir(name: str) -> Path:
    """The folder `sql`, `config` or `expectations`, wherever this installation keeps it."""
    if name not in _SOURCE_NAMES:
        raise KeyError(f"unknown data folder {name!r}; known: {', '.join(_SOURCE_NAMES)}")
    installed = _INSTALLED / name
    if installed.is_dir():
        return installed
    return _SOURCE_TREE / _SOURCE_NAMES[name]

"""Where the project's data folders are: inside an installed wheel, or in the source tree; and the
team's own folders of SQL dialects and expectation suites, searched before the packaged ones.

A pip-installed AeroSync is extended without editing site-packages: a team keeps its dialects and
changed suites in its own repository, beside its DAG file and companies file, and names them
with `AEROSYNC_SQL_PATH` / `AEROSYNC_EXPECTATIONS_PATH` (folders separated by `os.pathsep`, on
every Airflow component) or with the companies file's top-level `sql_path` / `expectations_path`
(relative to the companies file's folder, so the team's repository travels as one piece: every
process that reads the companies file, a task on any worker included, finds the same folders).
Search order: the environment's folders, then the companies file's, then the packaged folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

_PACKAGE = Path(__file__).resolve().parents[1]
# In a wheel, pyproject's force-include puts the folders under aerosync/_data/.
_INSTALLED = _PACKAGE / "_data"
# In a source checkout (editable install), they sit at the repository's top level.
_SOURCE_TREE = _PACKAGE.parents[1]
_SOURCE_NAMES = {
    "sql": "include/sql",
    "config": "include/config",
    "expectations": "expectations",
    "dags": "dags",
}

Extensible = Literal["sql", "expectations"]
PATH_ENV: dict[Extensible, str] = {
    "sql": "AEROSYNC_SQL_PATH",
    "expectations": "AEROSYNC_EXPECTATIONS_PATH",
}
# The companies file's top-level keys naming the same kind of folders.
PATH_KEY: dict[Extensible, str] = {"sql": "sql_path", "expectations": "expectations_path"}


def data_dir(name: str) -> Path:
    """The packaged folder `sql`, `config`, `expectations` or `dags` (the DAG file template),
    wherever this installation keeps it."""
    if name not in _SOURCE_NAMES:
        raise KeyError(f"unknown data folder {name!r}; known: {', '.join(_SOURCE_NAMES)}")
    installed = _INSTALLED / name
    if installed.is_dir():
        return installed
    return _SOURCE_TREE / _SOURCE_NAMES[name]


@dataclass(frozen=True)
class SearchFolder:
    """One folder searched for dialects or suites, and who named it (for messages)."""

    path: Path
    origin: str  # "AEROSYNC_SQL_PATH", "sql_path in <companies file>", or "packaged"

    @property
    def packaged(self) -> bool:
        return self.origin == "packaged"

    def __str__(self) -> str:
        return f"{self.path} ({self.origin})"


@dataclass(frozen=True)
class CompaniesFileFolders:
    """The folders the companies file in use names (`sql_path`, `expectations_path`), already
    made absolute against the file's own folder."""

    source: Path | None = None  # the companies file
    sql: tuple[Path, ...] = ()
    expectations: tuple[Path, ...] = ()


# The companies file this process last read names these. Every process that runs AeroSync code
# reads its companies file first (the DAG file at parse, a task through its DAG file, the CLI,
# the status page), so the folders follow that file wherever it is read.
_companies_file_folders = CompaniesFileFolders()


def use_companies_file_folders(folders: CompaniesFileFolders) -> None:
    """Search the folders a companies file names (from now on, in this process)."""
    global _companies_file_folders
    _companies_file_folders = folders


def companies_file_folders() -> CompaniesFileFolders:
    return _companies_file_folders


def env_folders(kind: Extensible) -> list[Path]:
    """The folders of `AEROSYNC_SQL_PATH` or `AEROSYNC_EXPECTATIONS_PATH`, in order."""
    value = os.environ.get(PATH_ENV[kind], "")
    return [Path(part).expanduser() for part in value.split(os.pathsep) if part.strip()]


def search_folders(kind: Extensible) -> list[SearchFolder]:
    """Where dialects (`sql`) or suites (`expectations`) are looked for, first match wins: the
    environment's folders, then the companies file's, then the packaged folder."""
    found = [SearchFolder(path, PATH_ENV[kind]) for path in env_folders(kind)]
    folders = _companies_file_folders
    origin = f"{PATH_KEY[kind]} in {folders.source}"
    found += [SearchFolder(path, origin) for path in getattr(folders, kind)]
    found.append(SearchFolder(data_dir(kind), "packaged"))
    return found


def missing_folders() -> list[SearchFolder]:
    """Named folders that are not there (a warning: a typo, or a repository not deployed)."""
    return [
        folder
        for kind in PATH_ENV
        for folder in search_folders(kind)
        if not folder.packaged and not folder.path.is_dir()
    ]

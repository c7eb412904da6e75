"""The SQL files of the FMS dialects and of the aerosync store: one folder per dialect (or store),
one statement per file.

A dialect's files are looked for in the search folders (`aerosync.config.resources`: the team's
folders first, then the packaged `include/sql/`), file by file: a team's folder may hold a whole
new dialect, or one file of a packaged dialect that replaces only that query. The aerosync store's
own schema (`aerosync/`) is always the packaged one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aerosync.config.resources import SearchFolder, data_dir, search_folders

# Every FMS dialect has this file; the aerosync store's folder does not, so it is not a dialect.
DIALECT_MARKER = "activities.sql"
# What one dialect holds: marketed aircraft, their activities, and the activities' services.
DIALECT_FILES = ("aircraft.sql", "activities.sql", "services.sql")
# What a dialect may hold for the crew flow: the crew on each leg flown. Needed only by a company
# that configures `training.records.flights` (refused otherwise, naming the dialect and file).
CREW_LEGS_FILE = "crew_legs.sql"
OPTIONAL_DIALECT_FILES = (CREW_LEGS_FILE,)
# The reference dialect's tables (`include/sql/reference/schema.sql`), in foreign-key order.
REFERENCE_TABLES = (
    "aircraft",
    "trips",
    "legs",
    "empty_leg_offers",
    "ground_events",
    "leg_services",
    "leg_crew",
)
# Folders that are AeroSync's own, never taken from a team's folder.
PACKAGED_ONLY = frozenset({"aerosync"})


@dataclass
class Dialect:
    """A dialect as found: where each of its files (`DIALECT_FILES` and those of
    `OPTIONAL_DIALECT_FILES` it has) comes from (the first search folder that holds it), and which
    of `DIALECT_FILES` no folder holds."""

    name: str
    files: dict[str, SearchFolder] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [name for name in DIALECT_FILES if name not in self.files]

    def has(self, file_name: str) -> bool:
        return file_name in self.files

    @property
    def from_team(self) -> dict[str, SearchFolder]:
        """The files a team's folder gives (a new dialect's, or replaced queries)."""
        return {name: folder for name, folder in self.files.items() if not folder.packaged}


def sql_dir() -> Path:
    """The packaged `sql` folder of this installation: the wheel's copy, else the repository's."""
    return data_dir("sql")


def find_dialects() -> dict[str, Dialect]:
    """Every dialect of the search folders: a sub-folder that holds `activities.sql` in some
    folder, with each of its files taken from the first folder that has it."""
    folders = search_folders("sql")
    names = {
        child.name
        for folder in folders
        if folder.path.is_dir()
        for child in folder.path.iterdir()
        if (child / DIALECT_MARKER).is_file() and child.name not in PACKAGED_ONLY
    }
    found: dict[str, Dialect] = {}
    for name in sorted(names):
        dialect = Dialect(name)
        for file_name in DIALECT_FILES + OPTIONAL_DIALECT_FILES:
            for folder in folders:
                if (folder.path / name / file_name).is_file():
                    dialect.files[file_name] = folder
                    break
        found[name] = dialect
    return found


def dialects() -> list[str]:
    """The FMS dialects found, the team's and the packaged ones, sorted."""
    return sorted(find_dialects())


def sql_path(*parts: str) -> Path | None:
    """The file `parts` (e.g. `("reference", "activities.sql")`) of the first search folder that
    holds it; the store's own folders only from the package."""
    if parts and parts[0] in PACKAGED_ONLY:
        path = sql_dir().joinpath(*parts)
        return path if path.is_file() else None
    for folder in search_folders("sql"):
        path = folder.path.joinpath(*parts)
        if path.is_file():
            return path
    return None


def read_sql(*parts: str) -> str:
    """The text of one SQL file, e.g. `read_sql("reference", "activities.sql")`."""
    if not parts:
        raise ValueError("read_sql needs a folder and a file, e.g. ('reference', 'aircraft.sql')")
    path = sql_path(*parts)
    if path is None:
        folder = parts[0]
        known = ", ".join(dialects()) or "none"
        searched = "; ".join(str(f) for f in search_folders("sql"))
        raise FileNotFoundError(
            f"SQL file {'/'.join(parts)} not found: the dialect (SQL folder) {folder!r} has no "
            f"such file in {searched}. Known FMS dialects: {known}. A dialect is a folder "
            f"<name>/ holding {', '.join(DIALECT_FILES)}, in a folder of sql_path (companies "
            "file), AEROSYNC_SQL_PATH or the packaged include/sql/."
        )
    return path.read_text(encoding="utf-8")


def split_statements(text: str) -> list[str]:
    """The statements of a SQL script, without comments or their trailing `;`.

    Split as Airflow's common-sql splits (`DbApiHook.split_sql_string`, with `strip_semicolon`):
    sqlparse knows `--` and `/* */` comments, quoted text and PostgreSQL's `$$` bodies, so a `;`
    inside any of them does not end a statement. Called directly because nothing outside
    `aerosync.airflow` imports Airflow.
    """
    import sqlparse  # here, not at the top: it costs the DAG file ~45 ms of parse time

    statements = sqlparse.split(sqlparse.format(text, strip_comments=True), strip_semicolon=True)
    return [statement for statement in statements if statement]

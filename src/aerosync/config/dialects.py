"""The SQL files under `include/sql/`: one folder per dialect (or store), one statement per file.

Found inside an installed wheel (`aerosync/_data/sql`) or in the source tree (`include/sql`).
"""

from __future__ import annotations

from pathlib import Path

from aerosync.config.resources import data_dir

# Every FMS dialect has this file; the aerosync store's folder does not, so it is not a dialect.
DIALECT_MARKER = "activities.sql"


def sql_dir() -> Path:
    """The `sql` folder of this installation: the wheel's copy, else the repository's."""
    return data_dir("sql")


def dialects() -> list[str]:
    """The FMS dialects shipped: sub-folders of the SQL folder that hold `activities.sql`."""
    root = sql_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / DIALECT_MARKER).is_file())


def read_sql(*parts: str) -> str:
    """The text of one SQL file, e.g. `read_sql("reference", "activities.sql")`."""
    if not parts:
        raise ValueError("read_sql needs a folder and a file, e.g. ('reference', 'aircraft.sql')")
    path = sql_dir().joinpath(*parts)
    if not path.is_file():
        folder = parts[0]
        known = ", ".join(dialects()) or "none"
        raise FileNotFoundError(
            f"SQL file {'/'.join(parts)} not found under {sql_dir()}: the dialect (SQL folder) "
            f"{folder!r} has no such file. Known FMS dialects: {known}. A dialect is a folder "
            "include/sql/<name>/ holding aircraft.sql, activities.sql and services.sql."
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

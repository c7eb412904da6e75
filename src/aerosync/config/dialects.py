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


def _strip_comments(text: str) -> str:
    """Drop `--` comments, keeping quoted text (which may hold `--` or `;`) as it is."""
    out: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(text):
        char = text[i]
        if quote is not None:
            out.append(char)
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
            out.append(char)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            if end == -1:
                break
            i = end
            continue
        else:
            out.append(char)
        i += 1
    return "".join(out)


def split_statements(text: str) -> list[str]:
    """The statements of a SQL script, without comments: split on `;` outside quotes."""
    statements: list[str] = []
    current: list[str] = []
    quote: str | None = None
    for char in _strip_comments(text):
        if quote is not None:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == ";":
            statements.append("".join(current))
            current = []
            continue
        current.append(char)
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]

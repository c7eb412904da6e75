"""The header line of a CSV file drop: a column named twice is refused.

`csv.DictReader` keeps the last of two columns of the same name and drops the other without a
word, so which value a row was read with would depend on the order of the columns. A file whose
header repeats a column is refused as a whole, naming the file and the column, before any of its
rows is read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable


class RepeatedColumn(ValueError):
    """The header of a CSV file names a column more than once."""


def repeated_columns(
    names: Iterable[str | None], normalise: Callable[[str], str] = str.strip
) -> list[str]:
    """The column names that occur more than once (after `normalise`), in header order.
    Blank names (a header ending in commas) are no column and are not counted."""
    counted = Counter(normalise(name or "") for name in names)
    return [name for name, count in counted.items() if name and count > 1]


def check_header(
    file_name: str, names: Iterable[str | None], normalise: Callable[[str], str] = str.strip
) -> None:
    """Raise `RepeatedColumn` naming the file and the column(s) when a column is repeated."""
    repeated = repeated_columns(names, normalise)
    if repeated:
        columns = ", ".join(repr(name) for name in repeated)
        raise RepeatedColumn(
            f"file {file_name!r}: the header names the column {columns} more than once; "
            "which of them holds the values cannot be told, so the file is refused (rename or "
            "remove the extra column)"
        )

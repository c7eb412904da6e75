"""A CSV file drop of a source that feeds the schedule: the LMS's bookings, the AMS's events.

A drop is a folder (its `*.csv` files, not its subfolders) or one file, anything path-like with
`is_dir()`, `iterdir()`, `open()` and `stat()`: a `pathlib.Path` or an Airflow
`ObjectStoragePath` (local, `s3://`, `gs://`, ...). It is read whole or not at all: a drop whose
newest file is older than the source's `max_age_minutes` is stale, and a missing location, a
folder without CSV files, a file that lacks a required column, names a column twice (case and
spaces aside) or is not UTF-8 CSV fails the source; the source's aircraft are then held.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aerosync.csv_header import RepeatedColumn, check_header
from aerosync.schedule.sources.health import SourceUnavailable


class CsvLocation(Protocol):
    """What the CSV reader needs of a location: `pathlib.Path` and `ObjectStoragePath` fit."""

    @property
    def name(self) -> str: ...

    def is_dir(self) -> bool: ...

    def exists(self) -> bool: ...

    def iterdir(self) -> Iterator[Any]: ...

    def open(self, mode: str) -> Any: ...

    def stat(self) -> Any: ...


@dataclass(frozen=True)
class DropSpec:
    """One source's drop: its columns, and how its messages name it."""

    what: str  # in messages, e.g. "LMS bookings": "the LMS bookings folder ... holds no file"
    config_key: str  # the companies file's section, e.g. "training.bookings"
    fields: tuple[str, ...]  # every column read (others are ignored)
    required: tuple[str, ...]  # columns a file must have
    id_field: str  # a record id listed again in a newer file replaces the older record
    unavailable: type[SourceUnavailable]  # raised when the drop cannot be used


@dataclass
class DropRead:
    records: list[dict[str, Any]]  # one per CSV row, keyed by `DropSpec.fields`
    files: int


def modified_at(location: CsvLocation) -> datetime:
    """When a file was last written; a store that does not say counts as the epoch (stale)."""
    seconds = getattr(location.stat(), "st_mtime", 0) or 0
    return datetime.fromtimestamp(float(seconds), tz=UTC)


def csv_files(location: CsvLocation, spec: DropSpec) -> list[CsvLocation]:
    """The `*.csv` files of a folder (not its subfolders), or the one file named."""
    if location.is_dir():
        found = [
            child
            for child in location.iterdir()
            if child.name.lower().endswith(".csv") and not child.is_dir()
        ]
        if not found:
            raise spec.unavailable(f"the {spec.what} folder {location.name!r} holds no *.csv file")
        return found
    if not location.exists():
        raise spec.unavailable(
            f"the {spec.what} location {location.name!r} does not exist ({spec.config_key}.csv)"
        )
    return [location]


def read_csv_file(path: CsvLocation, spec: DropSpec) -> list[dict[str, Any]]:
    """Every row of one file, keyed by the spec's fields (a missing value is None)."""
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.DictReader(text)
        header = [(name or "").strip().lower() for name in reader.fieldnames or []]
        try:
            check_header(path.name, header)
        except RepeatedColumn as exc:
            raise spec.unavailable(f"{spec.what} {exc}") from None
        missing = [column for column in spec.required if column not in header]
        if missing:
            raise spec.unavailable(
                f"{spec.what} file {path.name!r} lacks the column(s) {', '.join(missing)}; "
                f"expected a header with {', '.join(spec.fields)}"
            )
        reader.fieldnames = header
        return [{key: row.get(key) for key in spec.fields} for row in reader]


def _key(record: dict[str, Any], field: str) -> str | None:
    value = record.get(field)
    text = str(value).strip() if value is not None else ""
    return text or None


def read_drop(location: CsvLocation, now: datetime, max_age: timedelta, spec: DropSpec) -> DropRead:
    """Every record of a drop, if its newest file is younger than `max_age`.

    Files are read oldest first; a record id that a newer file lists again replaces the older
    row, so a source that drops changes (a moved or cancelled record) as new files works as well
    as one that rewrites a single export. Rows within one file are all kept: an id listed twice
    there is caught by the quality gate's uniqueness check and holds its aircraft.
    """
    try:
        files = csv_files(location, spec)
        dated = sorted(((modified_at(f), f.name, f) for f in files), key=lambda t: (t[0], t[1]))
        newest, newest_name, _ = dated[-1]
        if now - newest > max_age:
            minutes = int(max_age.total_seconds() // 60)
            raise spec.unavailable(
                f"stale: the newest {spec.what} file {newest_name!r} was written "
                f"{newest:%Y-%m-%d %H:%M} UTC, more than {minutes} minutes ago "
                f"({spec.config_key}.max_age_minutes)"
            )
        by_id: dict[str, list[dict[str, Any]]] = {}
        anonymous: list[dict[str, Any]] = []
        for _, _, path in dated:
            per_file: dict[str, list[dict[str, Any]]] = {}
            for record in read_csv_file(path, spec):
                key = _key(record, spec.id_field)
                if key is None:
                    anonymous.append(record)
                else:
                    per_file.setdefault(key, []).append(record)
            by_id.update(per_file)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise spec.unavailable(f"cannot read the {spec.what} drop: {why}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise spec.unavailable(f"an {spec.what} file is not UTF-8 CSV: {exc}") from exc
    records = [record for rows in by_id.values() for record in rows]
    return DropRead(records + anonymous, len(files))

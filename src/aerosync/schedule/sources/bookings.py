"""Training bookings from an LMS, as canonical activity rows of kind TRAINING.

An LMS books aircraft for base training, line checks and check rides. Each booking has the fields
`booking_id, tail, airport, start, end, status, course`, whether it comes from a CSV file drop (read
here) or a paginated REST API (`aerosync.schedule.sources.bookings_rest`). A booking becomes one
canonical activity row, the same columns an FMS dialect returns, so the normaliser and the quality
gate treat it like any other activity: a booking that cannot be read (no tail, a time without its
UTC offset, ...) becomes a blocking finding for its aircraft there, never a silent gap. A file whose
header names a column twice (case and spaces aside) is refused whole: the LMS counts as unavailable.

The CSV location is anything path-like with `is_dir()`, `iterdir()`, `open()` and `stat()`: a
`pathlib.Path` or an Airflow `ObjectStoragePath` (local, `s3://`, `gs://`, ...).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aerosync.csv_header import RepeatedColumn, check_header

LMS_SOURCE = "lms"
ACTIVITY_PREFIX = "LMS-"  # FMS leg ids never start with it: no collision in one schedule
BOOKING_FIELDS = ("booking_id", "tail", "airport", "start", "end", "status", "course")
REQUIRED_CSV_COLUMNS = ("booking_id", "tail", "airport", "start", "end")
CANCELLED_STATUSES = frozenset({"cancelled", "canceled"})


class BookingsUnavailable(Exception):
    """The LMS could not be read completely, or its data is too old: its aircraft are held."""


class CsvLocation(Protocol):
    """What the CSV reader needs of a location: `pathlib.Path` and `ObjectStoragePath` fit."""

    @property
    def name(self) -> str: ...

    def is_dir(self) -> bool: ...

    def exists(self) -> bool: ...

    def iterdir(self) -> Iterator[Any]: ...

    def open(self, mode: str) -> Any: ...

    def stat(self) -> Any: ...


@dataclass
class BookingRows:
    """What one read of the LMS gave: activity rows to merge, and what was left out on purpose."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    cancelled: int = 0
    files: int = 0

    def summary(self) -> dict[str, int]:
        return {"bookings": len(self.rows), "cancelled": self.cancelled, "files": self.files}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def is_cancelled(booking: Mapping[str, Any]) -> bool:
    """Only an explicit cancellation frees the aircraft; any other status keeps it occupied."""
    return (_text(booking.get("status")) or "").lower() in CANCELLED_STATUSES


def booking_activity(booking: Mapping[str, Any]) -> dict[str, Any]:
    """One booking as a canonical activity row (README, "Adding an FMS dialect").

    Values are passed on as the LMS gave them: the normaliser parses and checks them, and turns
    an unreadable booking into a blocking finding that names it.
    """
    booking_id = _text(booking.get("booking_id"))
    airport = _text(booking.get("airport"))
    return {
        "activity_id": f"{ACTIVITY_PREFIX}{booking_id}" if booking_id else None,
        "tail": _text(booking.get("tail")),
        "activity_kind": "TRAINING",
        "external_trip_id": None,
        "avinode_trip_id": None,
        "flight_number": None,
        "start_airport": airport,
        "end_airport": airport,
        "start_time": booking.get("start"),
        "end_time": booking.get("end"),
        "pax_count": None,
        "note": _text(booking.get("course")),
        "flight_regulation": None,
        "market_from": None,
        "market_to": None,
        "price": None,
        "currency": None,
        "marketing_message": None,
        "verified_by": None,
        "source": LMS_SOURCE,
    }


def booking_rows(bookings: Iterable[Mapping[str, Any]], files: int = 0) -> BookingRows:
    """Activity rows of every booking that is not cancelled."""
    result = BookingRows(files=files)
    for booking in bookings:
        if is_cancelled(booking):
            result.cancelled += 1
        else:
            result.rows.append(booking_activity(booking))
    return result


# --- the CSV file drop ---------------------------------------------------------------------


def modified_at(location: CsvLocation) -> datetime:
    """When a file was last written; a store that does not say counts as the epoch (stale)."""
    seconds = getattr(location.stat(), "st_mtime", 0) or 0
    return datetime.fromtimestamp(float(seconds), tz=UTC)


def csv_files(location: CsvLocation) -> list[CsvLocation]:
    """The `*.csv` files of a folder (not its subfolders), or the one file named."""
    if location.is_dir():
        found = [
            child
            for child in location.iterdir()
            if child.name.lower().endswith(".csv") and not child.is_dir()
        ]
        if not found:
            raise BookingsUnavailable(
                f"the LMS bookings folder {location.name!r} holds no *.csv file"
            )
        return found
    if not location.exists():
        raise BookingsUnavailable(
            f"the LMS bookings location {location.name!r} does not exist (training.bookings.csv)"
        )
    return [location]


def _read_csv(path: CsvLocation) -> list[dict[str, Any]]:
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.DictReader(text)
        header = [(name or "").strip().lower() for name in reader.fieldnames or []]
        try:
            check_header(path.name, header)
        except RepeatedColumn as exc:
            raise BookingsUnavailable(f"LMS bookings {exc}") from None
        missing = [column for column in REQUIRED_CSV_COLUMNS if column not in header]
        if missing:
            raise BookingsUnavailable(
                f"LMS bookings file {path.name!r} lacks the column(s) {', '.join(missing)}; "
                f"expected a header with {', '.join(BOOKING_FIELDS)}"
            )
        reader.fieldnames = header
        return [{key: row.get(key) for key in BOOKING_FIELDS} for row in reader]


def read_csv_bookings(location: CsvLocation, now: datetime, max_age: timedelta) -> BookingRows:
    """Every booking of a CSV drop, if its newest file is younger than `max_age`.

    Files are read oldest first; a booking id that a newer file lists again replaces the older
    row, so an LMS that drops changes (a moved or cancelled booking) as new files works as well
    as one that rewrites a single export. Rows within one file are all kept: an id listed twice
    there is caught by the quality gate's uniqueness check and holds its aircraft.
    """
    try:
        files = csv_files(location)
        dated = sorted(((modified_at(f), f.name, f) for f in files), key=lambda t: (t[0], t[1]))
        newest, newest_name, _ = dated[-1]
        if now - newest > max_age:
            minutes = int(max_age.total_seconds() // 60)
            raise BookingsUnavailable(
                f"stale: the newest LMS bookings file {newest_name!r} was written "
                f"{newest:%Y-%m-%d %H:%M} UTC, more than {minutes} minutes ago "
                "(training.bookings.max_age_minutes)"
            )
        by_id: dict[str, list[dict[str, Any]]] = {}
        anonymous: list[dict[str, Any]] = []
        for _, _, path in dated:
            per_file: dict[str, list[dict[str, Any]]] = {}
            for booking in _read_csv(path):
                key = _text(booking.get("booking_id"))
                if key is None:
                    anonymous.append(booking)
                else:
                    per_file.setdefault(key, []).append(booking)
            by_id.update(per_file)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise BookingsUnavailable(f"cannot read the LMS bookings drop: {why}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BookingsUnavailable(f"an LMS bookings file is not UTF-8 CSV: {exc}") from exc
    bookings = [booking for rows in by_id.values() for booking in rows]
    return booking_rows(bookings + anonymous, files=len(files))

"""Training bookings from an LMS, as canonical activity rows of kind TRAINING.

An LMS books aircraft for base training, line checks and check rides. Each booking has the fields
`booking_id, tail, airport, start, end, status, course`, whether it comes from a CSV file drop (read
here) or a paginated REST API (`aerosync.schedule.sources.bookings_rest`). A booking becomes one
canonical activity row, the same columns an FMS dialect returns, so the normaliser and the quality
gate treat it like any other activity: a booking that cannot be read (no tail, a time without its
UTC offset, ...) becomes a blocking finding for its aircraft there, never a silent gap. A file whose
header names a column twice (case and spaces aside) is refused whole: the LMS counts as unavailable.

The CSV drop is read by `aerosync.schedule.sources.csv_drop` (a folder or a file, a `pathlib.Path`
or an Airflow `ObjectStoragePath`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aerosync.schedule.sources.csv_drop import CsvLocation, DropSpec, read_drop
from aerosync.schedule.sources.health import SourceUnavailable

LMS_SOURCE = "lms"
ACTIVITY_PREFIX = "LMS-"  # FMS leg ids never start with it: no collision in one schedule
BOOKING_FIELDS = ("booking_id", "tail", "airport", "start", "end", "status", "course")
REQUIRED_CSV_COLUMNS = ("booking_id", "tail", "airport", "start", "end")
CANCELLED_STATUSES = frozenset({"cancelled", "canceled"})


class BookingsUnavailable(SourceUnavailable):
    """The LMS could not be read completely, or its data is too old: its aircraft are held."""


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

LMS_DROP = DropSpec(
    what="LMS bookings",
    config_key="training.bookings",
    fields=BOOKING_FIELDS,
    required=REQUIRED_CSV_COLUMNS,
    id_field="booking_id",
    unavailable=BookingsUnavailable,
)


def read_csv_bookings(location: CsvLocation, now: datetime, max_age: timedelta) -> BookingRows:
    """Every booking of a CSV drop, if its newest file is younger than `max_age`; a booking id
    listed again in a newer file replaces the older row (`csv_drop.read_drop`)."""
    read = read_drop(location, now, max_age, LMS_DROP)
    return booking_rows(read.records, files=read.files)

"""Maintenance events from an AMS, as canonical activity rows of kind MAINTENANCE or AOG.

An aircraft maintenance system (AMS) plans inspections and checks, and records AOG (aircraft on
ground). Each event has the fields `event_id, tail_number, kind, airport, starts_at, ends_at,
status, note` (the reference table `maintenance_events`, docs/ams.md), whether it comes from the
AMS's database (`ams_sql`), a CSV file drop (read here) or a REST API in the LMS bookings' page
protocol (read here, through `bookings_rest`). An event becomes one canonical activity row, the
columns an FMS dialect returns, so the normaliser and the quality gate treat it like any other
activity: an event that cannot be read (no tail, a time without its UTC offset, an end before its
start, ...) holds its aircraft there, naming the activity and the field.

What is decided here:
- `status` CANCELLED (or CANCELED) leaves the event out; any other status (PLANNED, IN_WORK,
  CLOSED, or one AeroSync does not know) is sent: only an explicit cancellation frees the aircraft.
- `kind` must be MAINTENANCE or AOG (case and spaces aside); another kind cannot be told as
  occupied or not, so the event is refused (`RefusedEvent`) and holds its aircraft.
- An AOG that is not CLOSED and has no `ends_at` yet is open: it is sent as occupied until
  `open_until` (the run's time plus `ams.open_aog_days`), moved forward by every run until the AMS
  gives an end. A MAINTENANCE event, or a closed AOG, without an end is unreadable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aerosync.schedule.sources.bookings_rest import FetchPage, PagedFeed, read_rest_pages
from aerosync.schedule.sources.csv_drop import CsvLocation, DropSpec, read_drop
from aerosync.schedule.sources.health import SourceUnavailable

AMS_SOURCE = "ams"
ACTIVITY_PREFIX = "AMS-"  # FMS event ids and LMS ids never start with it: no collision
EVENT_FIELDS = (
    "event_id", "tail_number", "kind", "airport", "starts_at", "ends_at", "status", "note",
)  # fmt: skip
REQUIRED_CSV_COLUMNS = ("event_id", "tail_number", "kind", "airport", "starts_at", "ends_at")
AMS_KINDS = frozenset({"MAINTENANCE", "AOG"})
CANCELLED_STATUSES = frozenset({"CANCELLED", "CANCELED"})
CLOSED_STATUS = "CLOSED"


class AmsUnavailable(SourceUnavailable):
    """The AMS could not be read completely, or its data is too old: its aircraft are held."""


AMS_DROP = DropSpec(
    what="AMS maintenance",
    config_key="ams",
    fields=EVENT_FIELDS,
    required=REQUIRED_CSV_COLUMNS,
    id_field="event_id",
    unavailable=AmsUnavailable,
)
AMS_FEED = PagedFeed(system="AMS", item="maintenance event", unavailable=AmsUnavailable)


@dataclass(frozen=True)
class RefusedEvent:
    """An event that cannot become an activity: it holds its aircraft (every aircraft when it
    names none), and the finding names the activity and the field."""

    activity_id: str | None
    tail: str | None
    field: str
    why: str


@dataclass
class AmsRows:
    """What one read of the AMS gave: activity rows to merge, events refused, and what was left
    out on purpose."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    refused: list[RefusedEvent] = field(default_factory=list)
    cancelled: int = 0
    open_aog: int = 0
    files: int = 0

    def summary(self) -> dict[str, int]:
        return {
            "events": len(self.rows),
            "cancelled": self.cancelled,
            "open_aog": self.open_aog,
            "refused": len(self.refused),
            "files": self.files,
        }


def text(value: Any) -> str | None:
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def activity_id(event: Mapping[str, Any]) -> str | None:
    event_id = text(event.get("event_id"))
    return f"{ACTIVITY_PREFIX}{event_id}" if event_id else None


def event_activity(event: Mapping[str, Any], kind: str, end: Any) -> dict[str, Any]:
    """One event as a canonical activity row (README, "Adding an FMS dialect"). Values are
    passed on as the AMS gave them: the normaliser parses and checks them."""
    airport = text(event.get("airport"))
    return {
        "activity_id": activity_id(event),
        "tail": text(event.get("tail_number")),
        "activity_kind": kind,
        "external_trip_id": None,
        "avinode_trip_id": None,
        "flight_number": None,
        "start_airport": airport,
        "end_airport": airport,
        "start_time": event.get("starts_at"),
        "end_time": end,
        "pax_count": None,
        "note": text(event.get("note")),
        "flight_regulation": None,
        "market_from": None,
        "market_to": None,
        "price": None,
        "currency": None,
        "marketing_message": None,
        "verified_by": None,
        "source": AMS_SOURCE,
    }


def ams_rows(events: Iterable[Mapping[str, Any]], open_until: datetime, files: int = 0) -> AmsRows:
    """Activity rows of every event that is not cancelled; events of another kind refused."""
    result = AmsRows(files=files)
    for event in events:
        status = (text(event.get("status")) or "").upper()
        if status in CANCELLED_STATUSES:
            result.cancelled += 1
            continue
        kind = (text(event.get("kind")) or "").upper()
        if kind not in AMS_KINDS:
            given = repr(text(event.get("kind"))) if text(event.get("kind")) else "missing"
            result.refused.append(
                RefusedEvent(
                    activity_id(event),
                    text(event.get("tail_number")),
                    "kind",
                    f"kind is {given}, not MAINTENANCE or AOG",
                )
            )
            continue
        end = event.get("ends_at")
        if kind == "AOG" and text(end) is None and status != CLOSED_STATUS:
            end = open_until.isoformat()
            result.open_aog += 1
        result.rows.append(event_activity(event, kind, end))
    return result


def open_until(now: datetime, open_aog_days: int) -> datetime:
    """Until when an open AOG is sent as occupied, as of a run at `now`."""
    return now + timedelta(days=open_aog_days)


def read_csv_events(
    location: CsvLocation, now: datetime, max_age: timedelta, aog_until: datetime
) -> AmsRows:
    """Every event of a CSV drop, if its newest file is younger than `max_age`; an event id
    listed again in a newer file replaces the older row (`csv_drop.read_drop`)."""
    read = read_drop(location, now, max_age, AMS_DROP)
    return ams_rows(read.records, aog_until, files=read.files)


def read_rest_events(
    fetch_page: FetchPage, max_pages: int, deadline_seconds: float, aog_until: datetime
) -> AmsRows:
    """Every event of every page (the page protocol of `bookings_rest`), or AmsUnavailable."""
    items = read_rest_pages(fetch_page, max_pages, deadline_seconds, AMS_FEED)
    return ams_rows(({key: item.get(key) for key in EVENT_FIELDS} for item in items), aog_until)

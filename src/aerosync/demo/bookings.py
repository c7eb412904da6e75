"""The demo LMS: training bookings of Skyway Charter's aircraft, served by the sandbox.

Bookings sit in gaps of the demo FMS schedules (see `aerosync.demo.plans`), at the airport where
the aircraft is, in the airport's local time with its UTC offset, as an LMS export writes them.
One is cancelled: it must not reach the marketplace.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aerosync.demo.rows import local_iso

# Demo company -> the sandbox LMS feed it reads (`training.bookings.rest.endpoint` in the
# demo companies file is `lms/<feed>/bookings`).
DEMO_FEEDS = {"skyway_charter": "skyway"}

# (booking id, tail, airport, zone, day, UTC hour, hours, status, course)
_PLAN = (
    ("TR-2026-0417", "N410SW", "APA", "America/Denver", 1, 15, 4, "confirmed",
     "Learjet 45 base training"),
    ("TR-2026-0418", "N525SW", "HPN", "America/New_York", 1, 14, 3, "cancelled",
     "CJ4 line check"),
    ("TR-2026-0421", "N410SW", "KAPA", "America/Denver", 6, 14, 4, "confirmed",
     "Learjet 45 check ride (OPC)"),
    ("TR-2026-0425", "N525SW", "KHPN", "America/New_York", 7, 14, 3, "booked",
     "CJ4 line check"),
)  # fmt: skip


def demo_bookings(now: datetime, company: str = "skyway_charter") -> list[dict[str, Any]]:
    """The demo company's bookings as of `now`, as the LMS's REST API lists them."""
    if company not in DEMO_FEEDS:
        return []
    base = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    bookings = []
    for booking_id, tail, airport, zone, day, hour, hours, status, course in _PLAN:
        start = base + timedelta(days=day, hours=hour)
        bookings.append(
            {
                "booking_id": booking_id,
                "tail": tail,
                "airport": airport,
                "start": local_iso(start, zone),
                "end": local_iso(start + timedelta(hours=hours), zone),
                "status": status,
                "course": course,
            }
        )
    return bookings

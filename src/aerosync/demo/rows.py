"""Rows of a demo FMS in the reference schema, written the way an FMS writes them.

Times are stored as ISO 8601 text in the local zone of the airport they happen at (departure
airport for off-block, arrival airport for on-block), never naive. `Timeline` lays out one
aircraft's activities and refuses a plan in which two activities that would be sent overlap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aerosync.config.dialects import REFERENCE_TABLES

# Airport codes as the demo FMS writes them (ICAO, IATA or FAA LID) and their time zones.
ZONES: dict[str, str] = {
    "TEB": "America/New_York", "KTEB": "America/New_York", "KHPN": "America/New_York",
    "KBOS": "America/New_York", "KACK": "America/New_York", "HWV": "America/New_York",
    "KMIA": "America/New_York", "KOPF": "America/New_York", "KATL": "America/New_York",
    "DTS": "America/Chicago", "KMSY": "America/Chicago", "KDAL": "America/Chicago",
    "KMDW": "America/Chicago", "KAPA": "America/Denver", "KASE": "America/Denver",
    "KEGE": "America/Denver", "KSUN": "America/Denver", "KSDL": "America/Phoenix",
    "KVNY": "America/Los_Angeles", "KLAS": "America/Los_Angeles", "KSJC": "America/Los_Angeles",
    "KSFO": "America/Los_Angeles", "MMUN": "America/Cancun", "TNCM": "America/Lower_Princes",
    "LHR": "Europe/London", "EGLL": "Europe/London", "FAB": "Europe/London",
    "EGLF": "Europe/London", "EGPH": "Europe/London", "EGGW": "Europe/London",
    "GVA": "Europe/Zurich", "LSGG": "Europe/Zurich", "LSZH": "Europe/Zurich",
    "LSGS": "Europe/Zurich", "LSZS": "Europe/Zurich", "NCE": "Europe/Paris",
    "LFMN": "Europe/Paris", "LBG": "Europe/Paris", "LFPB": "Europe/Paris",
    "LFMD": "Europe/Paris", "EDDM": "Europe/Berlin", "LOWW": "Europe/Vienna",
    "LOWI": "Europe/Vienna", "LIML": "Europe/Rome", "LEIB": "Europe/Madrid",
    "EHAM": "Europe/Amsterdam", "OMDB": "Asia/Dubai", "YSSY": "Australia/Sydney",
    "YMML": "Australia/Melbourne", "SCEL": "America/Santiago", "SCTE": "America/Santiago",
}  # fmt: skip

# Zones searched for the next daylight-saving change, and a flight inside each of them.
DST_ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "America/Santiago")
DST_ROUTES = {
    "Europe/London": ("EGLF", "EGPH"),
    "America/New_York": ("KTEB", "KBOS"),
    "Australia/Sydney": ("YSSY", "YMML"),
    "America/Santiago": ("SCEL", "SCTE"),
}
SENT_STATUSES = ("BOOKED", "OPTION")


def local_iso(moment: datetime, zone: str | None) -> str:
    """ISO 8601 with the zone's offset at that moment; UTC with `Z` where the zone is unknown."""
    if zone is None:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta | None:
    return moment.astimezone(zone).utcoffset()


def _first_change(zone: ZoneInfo, after: datetime, limit: datetime) -> datetime | None:
    """The first instant after `after` at which the zone's UTC offset changes, to the minute."""
    step = timedelta(days=1)
    low = after
    while low < limit:
        high = low + step
        if _offset(zone, high) != _offset(zone, low):
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == _offset(zone, low):
                    low = middle
                else:
                    high = middle
            return high.replace(second=0, microsecond=0)
        low = high
    return None


def next_dst_transition(after: datetime) -> tuple[str, datetime]:
    """(zone, UTC instant) of the first daylight-saving change after `after` among DST_ZONES."""
    limit = after + timedelta(days=400)
    found = [
        (change, name)
        for name in DST_ZONES
        if (change := _first_change(ZoneInfo(name), after, limit)) is not None
    ]
    change, name = min(found)
    return name, change.astimezone(UTC)


@dataclass
class FmsRows:
    """Every table's rows, in column order of the reference schema, and id counters."""

    prefix: str
    aircraft: list[tuple[Any, ...]] = field(default_factory=list)
    trips: list[tuple[Any, ...]] = field(default_factory=list)
    legs: list[tuple[Any, ...]] = field(default_factory=list)
    empty_leg_offers: list[tuple[Any, ...]] = field(default_factory=list)
    ground_events: list[tuple[Any, ...]] = field(default_factory=list)
    leg_services: list[tuple[Any, ...]] = field(default_factory=list)
    leg_crew: list[tuple[Any, ...]] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    _counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, kind: str, start: int) -> str:
        number = self._counters.get(kind, start)
        self._counters[kind] = number + 1
        return f"{self.prefix}-{kind}{number}"

    def add_aircraft(
        self,
        aircraft_id: str,
        tail: str,
        homebase: str,
        marketed: bool,
        type_code: str | None = None,
    ) -> None:
        self.aircraft.append((aircraft_id, tail, homebase, marketed, type_code))

    def trip(
        self, status: str, *, avinode_trip_id: str | None = None, regulation: str | None = None
    ) -> str:
        trip_id = self.next_id("T", 1001)
        self.trips.append((trip_id, status, avinode_trip_id, regulation))
        self.statuses[trip_id] = status
        return trip_id

    def offer(
        self,
        leg_id: str,
        market_from: datetime,
        market_to: datetime,
        *,
        price: float | None,
        currency: str | None,
        message: str | None,
        verified_by: str | None = None,
        verified_at: datetime | None = None,
        zone: str | None = None,
    ) -> None:
        verified = local_iso(verified_at, zone) if verified_at is not None else None
        self.empty_leg_offers.append(
            (leg_id, local_iso(market_from, zone), local_iso(market_to, zone), price, currency,
             message, verified_by, verified)
        )  # fmt: skip

    def service(
        self,
        leg_id: str,
        provider: tuple[str, str, str, str],
        *,
        service_for: str = "ALL",
        data_source: str = "UNIVERSAL",
        note: str | None = None,
    ) -> None:
        """`provider` is (provider_id, provider_name, airport, service_type)."""
        service_id = self.next_id("S", 501)
        self.leg_services.append((service_id, leg_id, *provider, service_for, data_source, note))

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in REFERENCE_TABLES}


class Timeline:
    """One aircraft's activities in time order; `day`/`hour` count from `base` (UTC midnight)."""

    def __init__(self, rows: FmsRows, aircraft_id: str, location: str, base: datetime) -> None:
        self.rows = rows
        self.aircraft_id = aircraft_id
        self.location = location
        self.base = base
        self.busy_until: datetime | None = None

    def at(self, day: float, hour: float = 0) -> datetime:
        return self.base + timedelta(days=day, hours=hour)

    def _occupy(self, activity_id: str, start: datetime, end: datetime) -> None:
        if end <= start:
            raise ValueError(f"demo plan: {activity_id} ends before it starts")
        if self.busy_until is not None and start < self.busy_until:
            raise ValueError(f"demo plan: {activity_id} of {self.aircraft_id} overlaps")
        self.busy_until = end

    def fly(self, day: float, hour: float, minutes: int, to: str, **details: Any) -> str:
        start = self.at(day, hour)
        return self.fly_at(start, start + timedelta(minutes=minutes), to, **details)

    def fly_at(
        self,
        start: datetime,
        end: datetime,
        to: str,
        *,
        kind: str = "PAX",
        trip: str | None = None,
        frm: str | None = None,
        pax: int | None = None,
        flight: str | None = None,
        note: str | None = None,
        regulation: str | None = None,
        cancelled: bool = False,
        zone: str | None = None,
    ) -> str:
        """A leg from the current location (or `frm`); `zone` writes both times in one zone."""
        leg_id = self.rows.next_id("L", 1001)
        origin = frm or self.location
        sent = not cancelled and (trip is None or self.rows.statuses[trip] in SENT_STATUSES)
        if sent:
            self._occupy(leg_id, start, end)
            self.location = to
        off_zone = zone or ZONES.get(origin)
        on_zone = zone or ZONES.get(to)
        self.rows.legs.append(
            (leg_id, trip, self.aircraft_id, kind, origin, to, local_iso(start, off_zone),
             local_iso(end, on_zone), flight, pax, note, regulation, cancelled)
        )  # fmt: skip
        return leg_id

    def ground(
        self, day: float, hour: float, hours: float, kind: str, note: str | None = None
    ) -> str:
        """The aircraft stays where it is: maintenance, AOG, owner hold, crew rest, other."""
        event_id = self.rows.next_id("G", 301)
        start = self.at(day, hour)
        end = start + timedelta(hours=hours)
        self._occupy(event_id, start, end)
        zone = ZONES.get(self.location)
        self.rows.ground_events.append(
            (event_id, self.aircraft_id, kind, self.location, local_iso(start, zone),
             local_iso(end, zone), note)
        )  # fmt: skip
        return event_id

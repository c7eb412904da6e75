"""The row-by-row normaliser `aerosync.schedule.normalise.activities` was until the column-wise
rewrite, kept unchanged (but for this docstring) as the reference that rewrite is compared against:
for any rows, both must give the same activities, findings and expired count, or raise the same
error.

Source rows (the canonical columns every FMS dialect returns) to canonical `Activity` records.
Nothing is dropped silently: a row that cannot become a correct activity produces a blocking
finding for its aircraft, so the whole aircraft waits rather than showing as available.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.activity_records import Activity

from aerosync.airports import to_icao
from aerosync.config.companies import CompanyConfig
from aerosync.models import DEFAULT_ACTIVITY_TYPES, Finding, Service, Severity
from aerosync.schedule.normalise.fields import HISTORY_WINDOW
from aerosync.schedule.normalise.regulations import normalise_regulation

MARKETING_WINDOW = timedelta(days=5)
REQUIRED_COLUMNS = ("activity_id", "tail", "activity_kind", "start_airport", "end_airport")

Row = Mapping[str, Any]


class RowError(ValueError):
    """One field of one source row that cannot be used as it is."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class Aircraft:
    tail: str
    homebase: str
    aircraft_id: str | None = None


@dataclass
class NormalisedFleet:
    """Every marketed aircraft with its activities, and what normalising them found."""

    aircraft: dict[str, Aircraft]
    activities: dict[str, list[Activity]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    expired: int = 0

    def blocking_tails(self) -> set[str]:
        """Tails held by a blocking finding; a finding without a tail holds every aircraft."""
        blocking = [f for f in self.findings if f.severity is Severity.BLOCKING]
        if any(f.tail is None for f in blocking):
            return set(self.aircraft)
        return {f.tail for f in blocking if f.tail is not None}


def parse_timestamp(value: Any, field_name: str) -> datetime:
    """A timestamp with its UTC offset, as UTC. A timestamp without an offset is an error."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RowError(field_name, f"{field_name} {value!r} is not an ISO 8601 time") from None
    else:
        raise RowError(field_name, f"{field_name} is missing")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise RowError(
            field_name,
            f"{field_name} {value!s} has no UTC offset; the FMS must store times with their "
            "offset (a time without one is not assumed to be UTC)",
        )
    return parsed.astimezone(UTC)


def _optional_time(row: Row, column: str) -> datetime | None:
    value = row.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_timestamp(value, column)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _airport(row: Row, column: str) -> str:
    code = _text(row.get(column))
    if code is None:
        raise RowError(column, f"{column} is missing")
    return to_icao(code)[0]


class _ActivityBuilder:
    """Turns one company's rows into activities, collecting findings along the way."""

    def __init__(self, company: CompanyConfig, now: datetime) -> None:
        self.company = company
        self.history_start = now - HISTORY_WINDOW
        self.findings: list[Finding] = []

    def finding(self, row: Row, code: str, message: str, severity: Severity, col: str) -> None:
        self.findings.append(
            Finding(
                code=code,
                message=message,
                severity=severity,
                tail=_text(row.get("tail")),
                activity_id=_text(row.get("activity_id")),
                field=col,
            )
        )

    def build(self, row: Row, services: list[Service]) -> Activity:
        for column in REQUIRED_COLUMNS:
            if _text(row.get(column)) is None:
                raise RowError(column, f"{column} is missing")
        kind = str(row["activity_kind"]).strip().upper()
        if kind not in DEFAULT_ACTIVITY_TYPES:
            raise RowError("activity_kind", f"activity kind {kind!r} is not one AeroSync knows")
        activity = Activity(
            activity_id=str(row["activity_id"]).strip(),
            tail=str(row["tail"]).strip(),
            kind=kind,
            activity_type=self.company.activity_type(kind),
            start_airport=_airport(row, "start_airport"),
            end_airport=_airport(row, "end_airport"),
            start=parse_timestamp(row.get("start_time"), "start_time"),
            end=parse_timestamp(row.get("end_time"), "end_time"),
            source=str(row.get("source") or "fms"),
            external_trip_id=_text(row.get("external_trip_id")),
            trip_id=_text(row.get("avinode_trip_id")),
            flight_number=_text(row.get("flight_number")),
            pax_count=_pax_count(row.get("pax_count")),
            note=_text(row.get("note")),
        )
        self._regulation(row, activity)
        if kind == "EMPTY_LEG":
            self._marketing(row, activity)
        elif _optional_time(row, "market_from") or _optional_time(row, "market_to"):
            self.finding(
                row,
                "MARKETING_NOT_EMPTY_LEG",
                f"activity {activity.activity_id} is a {kind}, not an empty leg: its marketing "
                "offer is not sent",
                Severity.WARNING,
                "market_from",
            )
        if self.company.share_services:
            activity.services = services
        return activity

    def _regulation(self, row: Row, activity: Activity) -> None:
        raw = _text(row.get("flight_regulation"))
        if raw is None:
            return
        normalised = normalise_regulation(raw)
        if normalised is None:
            self.finding(
                row,
                "REGULATION_UNKNOWN",
                f"activity {activity.activity_id}: flight regulation {raw!r} is not one of "
                "Avinode's values; sent without a regulation",
                Severity.WARNING,
                "flight_regulation",
            )
            return
        activity.flight_regulations = normalised

    def _marketing(self, row: Row, activity: Activity) -> None:
        start = _optional_time(row, "market_from")
        end = _optional_time(row, "market_to")
        if start is None or end is None:
            return
        if end - start > MARKETING_WINDOW:
            self.finding(
                row,
                "MARKETING_WINDOW_CLIPPED",
                f"activity {activity.activity_id}: marketing window {start:%Y-%m-%d %H:%M} to "
                f"{end:%Y-%m-%d %H:%M} UTC is longer than 5 days; sent as its last 5 days",
                Severity.WARNING,
                "market_from",
            )
            start = end - MARKETING_WINDOW
        activity.marketing_start = start
        activity.marketing_end = end
        activity.marketing_verified = _text(row.get("verified_by")) is not None
        activity.marketing_message = _text(row.get("marketing_message"))
        price = row.get("price")
        activity.price = _price(price)
        activity.currency = _text(row.get("currency"))


def _pax_count(value: Any) -> int | None:
    if value is None:
        return None
    try:
        count = int(value)
    except (TypeError, ValueError, OverflowError):
        raise RowError("pax_count", f"pax count {value!r:.40} is not a whole number") from None
    if not isinstance(value, str) and count != value:
        raise RowError("pax_count", f"pax count {value!r:.40} is not a whole number")
    return count


def _price(value: Any) -> float | None:
    if value is None:
        return None
    try:
        price = float(value)
    except (TypeError, ValueError, OverflowError):
        raise RowError("price", f"price {value!r:.40} is not a number") from None
    if not math.isfinite(price):
        raise RowError("price", f"price {price} is not a finite number")
    return price


def group_services(rows: Iterable[Row]) -> dict[str, list[Service]]:
    services: dict[str, list[Service]] = defaultdict(list)
    for row in rows:
        services[str(row["activity_id"])].append(
            Service(
                provider_id=str(row["provider_id"]),
                provider_name=str(row["provider_name"]),
                airport=to_icao(str(row["airport"]))[0],
                service_type=str(row["service_type"]),
                service_for=str(row["service_for"]),
                data_source=str(row["data_source"]),
                note=_text(row.get("note")),
            )
        )
    return services


def normalise(
    company: CompanyConfig,
    aircraft_rows: Iterable[Row],
    activity_rows: Iterable[Row],
    service_rows: Iterable[Row],
    now: datetime,
) -> NormalisedFleet:
    """Canonical activities per marketed aircraft, with every problem found on the way."""
    aircraft = {
        str(r["tail"]).strip(): Aircraft(
            tail=str(r["tail"]).strip(),
            homebase=to_icao(str(r["homebase"]))[0],
            aircraft_id=_text(r.get("aircraft_id")),
        )
        for r in aircraft_rows
    }
    fleet = NormalisedFleet(aircraft=aircraft, activities={tail: [] for tail in aircraft})
    builder = _ActivityBuilder(company, now)
    services = group_services(service_rows)
    for row in activity_rows:
        try:
            activity = builder.build(row, services.get(str(row.get("activity_id")), []))
        except (RowError, ValueError, TypeError, ArithmeticError) as exc:
            column = exc.field if isinstance(exc, RowError) else "row"
            builder.finding(
                row,
                "ROW_INVALID",
                f"activity {_text(row.get('activity_id')) or '(no id)'} of aircraft "
                f"{_text(row.get('tail')) or '(no tail)'}: {exc}",
                Severity.BLOCKING,
                column,
            )
            continue
        if builder.history_start > activity.end >= activity.start:
            fleet.expired += 1
            continue
        if activity.tail not in fleet.activities:
            builder.finding(
                row,
                "AIRCRAFT_NOT_MARKETED",
                f"activity {activity.activity_id} belongs to {activity.tail}, which is not a "
                "marketed aircraft of this company; not sent",
                Severity.WARNING,
                "tail",
            )
            continue
        fleet.activities[activity.tail].append(activity)
    for activities in fleet.activities.values():
        activities.sort(key=lambda a: (a.start, a.end, a.activity_id))
    fleet.findings = builder.findings
    return fleet

"""Activities as one record each: the reference the column-wise code is compared against, and
the naive benchmark's own code (benchmarks/naive_dag.py). Production never builds these.

The pipeline normalises, checks and writes bodies column by column (`NormalisedFleet.columns`,
`check_columns_of_normalised`, `activity_bodies_text`): a company's fleet can hold a million
activities. Here is the same work read one record at a time, the plain description the tests hold
the column-wise code to, byte for byte, and what the naive design pays per aircraft.

It lives in benchmarks/ rather than tests/ because the naive DAG imports it: the end-to-end
benchmark copies this file beside naive_dag.py into its DAG folder, where it is a sibling module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from aerosync.config.companies import CompanyConfig
from aerosync.models import Service
from aerosync.schedule.checks import FRAME_COLUMNS, TIME_COLUMNS
from aerosync.schedule.normalise.activities import NormalisedFleet, normalise_columns
from aerosync.schedule.normalise.times import from_us
from aerosync.schedule.normalise.values import columns_from_rows
from aerosync.schedule.payloads import avinode_time

Row = Mapping[str, Any]


@dataclass(slots=True)
class Activity:
    """One schedule line of one aircraft, normalised: UTC datetimes, ICAO airports."""

    activity_id: str
    tail: str
    kind: str
    activity_type: str
    start_airport: str
    end_airport: str
    start: datetime
    end: datetime
    source: str = "fms"
    external_trip_id: str | None = None
    trip_id: str | None = None
    flight_number: str | None = None
    pax_count: int | None = None
    note: str | None = None
    flight_regulations: str | None = None
    flight_regulations_description: str | None = None
    price: float | None = None
    currency: str | None = None
    marketing_start: datetime | None = None
    marketing_end: datetime | None = None
    marketing_verified: bool | None = None
    marketing_message: str | None = None
    services: list[Service] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Field by field: `dataclasses.asdict` deep-copies every value, 40 µs an activity."""
        data = {name: getattr(self, name) for name in _ACTIVITY_SCALARS}
        for key in _ACTIVITY_TIMES:
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        data["services"] = [
            {name: getattr(service, name) for name in _SERVICE_FIELDS} for service in self.services
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Activity:
        values = dict(data)
        for key in ("start", "end", "marketing_start", "marketing_end"):
            raw = values.get(key)
            values[key] = _parse_utc(raw) if raw is not None else None
        values["services"] = [Service(**s) for s in values.get("services") or []]
        return cls(**values)


_ACTIVITY_SCALARS = tuple(f.name for f in fields(Activity) if f.name != "services")
_ACTIVITY_TIMES = ("start", "end", "marketing_start", "marketing_end")
_SERVICE_FIELDS = tuple(f.name for f in fields(Service))


def _parse_utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC)


def normalise(
    company: CompanyConfig,
    aircraft_rows: Iterable[Row],
    activity_rows: Iterable[Row],
    service_rows: Iterable[Row],
    now: datetime,
) -> NormalisedFleet:
    """Canonical activities per marketed aircraft, with every problem found on the way, from
    source rows (the pipeline stages the extract as columns and calls `normalise_columns`)."""
    return normalise_columns(
        company, aircraft_rows, columns_from_rows(activity_rows), service_rows, now
    )


def activities_of(fleet: NormalisedFleet) -> dict[str, list[Activity]]:
    """The fleet's activities as records, per marketed tail (an empty list for one without)."""
    by_tail: dict[str, list[Activity]] = {tail: [] for tail in fleet.aircraft}
    names = list(fleet.columns)
    for values in zip(*fleet.columns.values(), strict=True):
        record = dict(zip(names, values, strict=True))
        for key in ("start", "end", "marketing_start", "marketing_end"):
            if record[key] is not None:
                record[key] = from_us(record[key])
        record["services"] = record["services"] if record["services"] is not None else []
        by_tail[record["tail"]].append(Activity(**record))
    return by_tail


def check_columns(by_tail: Mapping[str, Sequence[Activity]]) -> dict[str, list[Any]]:
    """What validation reads, one list per column of `FRAME_COLUMNS`, aircraft by aircraft in
    start order, as `check_columns_of_normalised` gives it from the normalised columns.
    Times are epoch seconds (normalised activities are UTC)."""
    activities = [a for tail in sorted(by_tail) for a in by_tail[tail]]
    columns: dict[str, list[Any]] = {}
    for key in FRAME_COLUMNS:
        if key in TIME_COLUMNS:
            columns[key] = [_epoch(getattr(a, key)) for a in activities]
        else:
            columns[key] = [getattr(a, key) for a in activities]
    return columns


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _service(service: Service) -> dict[str, Any]:
    body: dict[str, Any] = {
        "serviceProviderId": service.provider_id,
        "serviceProviderName": service.provider_name,
        "airport": {"icao": service.airport},
        "serviceType": service.service_type,
        "serviceFor": service.service_for,
        "dataSource": service.data_source,
    }
    if service.note:
        body["note"] = service.note
    return body


def activity_body(activity: Activity) -> dict[str, Any]:
    """One activity; optional fields appear only when they carry a value."""
    body: dict[str, Any] = {"activityId": activity.activity_id}
    if activity.external_trip_id:
        body["externalTripId"] = activity.external_trip_id
    if activity.trip_id:
        body["tripId"] = activity.trip_id
    if activity.flight_number:
        body["flightNumber"] = activity.flight_number
    body["activityType"] = activity.activity_type
    body["startAirport"] = {"icao": activity.start_airport}
    body["endAirport"] = {"icao": activity.end_airport}
    body["startDateTime"] = avinode_time(activity.start)
    body["endDateTime"] = avinode_time(activity.end)
    if activity.pax_count is not None:
        body["paxCount"] = activity.pax_count
    if activity.note:
        body["note"] = activity.note
    if activity.flight_regulations:
        body["flightRegulations"] = activity.flight_regulations
    if activity.flight_regulations_description:
        body["flightRegulationsDescription"] = activity.flight_regulations_description
    if activity.marketing_start is not None and activity.marketing_end is not None:
        if activity.price is not None:
            price = activity.price
            body["price"] = int(price) if float(price).is_integer() else price
        if activity.currency:
            body["currency"] = activity.currency
        body["marketingStartDateTime"] = avinode_time(activity.marketing_start)
        body["marketingEndDateTime"] = avinode_time(activity.marketing_end)
        body["marketingVerified"] = bool(activity.marketing_verified)
        if activity.marketing_message:
            body["marketingMessage"] = activity.marketing_message
    if activity.services:
        body["services"] = [_service(s) for s in activity.services]
    return body


def schedule_body(tail: str, activities: Sequence[Activity]) -> dict[str, Any]:
    """The aircraft's complete schedule: whatever is left out is deleted by the marketplace."""
    return {
        "lift": {"aircraftTail": tail},
        "activities": [activity_body(a) for a in activities],
    }

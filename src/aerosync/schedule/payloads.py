"""The exact `PUT /schedules` body for one aircraft, as avinode-api.md describes it.

`activity_bodies` writes every activity's body for a whole fleet from normalised columns without
building a dict per activity and encoding it: each field's JSON is computed once per distinct
value (or in bulk, for ids and times) and the pieces are joined per activity. The result is, byte
for byte, `json.dumps([activity_body(a), ...], separators=(",", ":"))` per aircraft, where
`activity_body` (benchmarks/activity_records.py) is the record-by-record description of one
activity's body; tests hold the two together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import repeat
from json.encoder import encode_basestring_ascii  # what json.dumps writes for a str
from typing import Any

from aerosync.models import Service
from aerosync.schedule.normalise.times import from_us, minute_texts
from aerosync.schedule.normalise.values import apply


def avinode_time(moment: datetime) -> str:
    """UTC with a `Z`, to the minute, as in Avinode's own example: `2026-11-23T14:05Z`."""
    utc = moment.astimezone(UTC)  # isoformat is three times faster than strftime
    return utc.isoformat(timespec="minutes")[:16] + "Z"


def schedule_body_text(tail: str, activities_json: str) -> str:
    """The aircraft's complete schedule as JSON text (whatever is left out is deleted by the
    marketplace), from the JSON array of the aircraft's activity bodies as normalisation
    staged it: the complete schedule is assembled without decoding and re-encoding every
    activity (a fleet of 400 by 300 activities is 40 MB of JSON)."""
    lift = json.dumps({"aircraftTail": tail}, separators=(",", ":"))
    return f'{{"lift":{lift},"activities":{activities_json}}}'


_COMPACT = (",", ":")


def activity_bodies_text(
    tails: Iterable[str], columns: Mapping[str, Sequence[Any]]
) -> dict[str, str]:
    """Each tail's activity bodies as a JSON array (`[]` for a tail without activities), from
    columns grouped by tail as `normalise_columns` leaves them."""
    import numpy as np

    bodies = activity_bodies(columns)
    by_tail = dict.fromkeys(tails, "[]")
    row_tails = np.fromiter(columns["tail"], dtype=object, count=len(bodies))
    starts = [0, *(np.flatnonzero(row_tails[1:] != row_tails[:-1]) + 1).tolist()]
    for first, after in zip(starts, [*starts[1:], len(bodies)], strict=True):
        if first < after:
            by_tail[row_tails[first]] = "[" + ",".join(bodies[first:after]) + "]"
    return by_tail


def activity_bodies(columns: Mapping[str, Sequence[Any]]) -> list[str]:
    """`activity_body` of every row as compact JSON text; optional fields only with a value."""
    count = len(columns["activity_id"])
    start_days, start_clocks = minute_texts(_micros(columns["start"]))
    end_days, end_clocks = minute_texts(_micros(columns["end"]))
    parts = (
        repeat('{"activityId":', count),
        map(encode_basestring_ascii, columns["activity_id"]),
        _optional(columns["external_trip_id"], "externalTripId"),
        _optional(columns["trip_id"], "tripId"),
        _optional(columns["flight_number"], "flightNumber"),
        _each(columns["activity_type"], lambda v: ',"activityType":' + _json(v)),
        _each(columns["start_airport"], lambda v: ',"startAirport":{"icao":' + _json(v) + "}"),
        _each(columns["end_airport"], lambda v: ',"endAirport":{"icao":' + _json(v) + "}"),
        repeat(',"startDateTime":"', count),
        start_days,
        start_clocks,
        repeat('Z","endDateTime":"', count),
        end_days,
        end_clocks,
        repeat('Z"', count),
        _each(columns["pax_count"], lambda v: "" if v is None else ',"paxCount":' + _json(v)),
        _optional(columns["note"], "note"),
        _optional(columns["flight_regulations"], "flightRegulations"),
        _optional(columns["flight_regulations_description"], "flightRegulationsDescription"),
        _marketing(columns),
        _services(columns["services"]),
        repeat("}", count),
    )
    return list(map("".join, zip(*parts, strict=True)))


def _micros(values: Sequence[int]) -> Any:
    import numpy as np

    return np.fromiter(values, dtype=np.int64, count=len(values))


def _json(value: Any) -> str:
    """`json.dumps(value)`; for text, the encoder json.dumps itself uses, without its checks."""
    return encode_basestring_ascii(value) if type(value) is str else json.dumps(value)


def _each(values: Sequence[Any], encode: Callable[[Any], str]) -> list[str]:
    return apply(values, encode).values


def _optional(values: Sequence[Any], key: str) -> list[str]:
    """`,"key":value` where the value is truthy, as `activity_body`'s `if activity.x:`."""
    prefix = f',"{key}":'
    try:  # trip ids, flight numbers and notes are text or None, and mostly distinct: one pass
        return [prefix + encode_basestring_ascii(v) if v else "" for v in values]
    except TypeError:  # a value that is not text
        return _each(values, lambda v: prefix + _json(v) if v else "")


def _marketing(columns: Mapping[str, Sequence[Any]]) -> list[str]:
    """The offer's fields, for the few activities that have a marketing window."""
    import numpy as np

    starts, ends = columns["marketing_start"], columns["marketing_end"]
    parts = [""] * len(starts)
    offered = np.fromiter(starts, dtype=object, count=len(starts)) != None  # noqa: E711
    for row in np.flatnonzero(offered).tolist():
        start, end = starts[row], ends[row]
        if end is None:
            continue
        body: dict[str, Any] = {}
        price = columns["price"][row]
        if price is not None:
            body["price"] = int(price) if float(price).is_integer() else price
        if columns["currency"][row]:
            body["currency"] = columns["currency"][row]
        body["marketingStartDateTime"] = avinode_time(from_us(start))
        body["marketingEndDateTime"] = avinode_time(from_us(end))
        body["marketingVerified"] = bool(columns["marketing_verified"][row])
        if columns["marketing_message"][row]:
            body["marketingMessage"] = columns["marketing_message"][row]
        parts[row] = "," + json.dumps(body, separators=_COMPACT)[1:-1]
    return parts


def _services(values: Sequence[list[Service] | None]) -> list[str]:
    return [
        ',"services":[' + ",".join(map(_service_json, services)) + "]" if services else ""
        for services in values
    ]


def _service_json(service: Service) -> str:
    """The service's body as compact JSON, as `json.dumps` of the record-by-record `_service`
    (benchmarks/activity_records.py) writes it; every field is text."""
    text = encode_basestring_ascii
    note = ',"note":' + text(service.note) if service.note else ""
    return (
        f'{{"serviceProviderId":{text(service.provider_id)},'
        f'"serviceProviderName":{text(service.provider_name)},'
        f'"airport":{{"icao":{text(service.airport)}}},"serviceType":{text(service.service_type)},'
        f'"serviceFor":{text(service.service_for)},"dataSource":{text(service.data_source)}{note}}}'
    )
